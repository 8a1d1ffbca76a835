import sys

from rusprk.cli import main

if __name__ == "__main__":  # guarded: importing rusprk.__main__ (multiprocessing, tools) must not run the CLI
    sys.exit(main())
