import sys

from rusprk.cli import main

sys.exit(main())
