"""RUSPRK: Russia–North Korea high-level exchanges, as pandas (or polars, or Arrow) tables.

    >>> import rusprk
    >>> events = rusprk.load("events")
    >>> rusprk.tables()        # name -> one-line description
    >>> rusprk.path("events")  # the Parquet file, for DuckDB, polars, R ...
    >>> rusprk.evidence("evt-2018-05-31-kim-receives-lavrov")   # its quotes, in context
    >>> rusprk.cite("bibtex")

The tables and the source articles ship inside the package and are read
offline.  Each file's sha256 is checked against the package descriptor before
any data is returned.  Heavy libraries (pandas, pyarrow, polars) are imported
only when data is loaded.
"""

from __future__ import annotations

__version__ = "0.2.0"

import os as _os  # noqa: E402 (already loaded by every interpreter: costs nothing)
import sys as _sys  # noqa: E402

# pyarrow's default allocator (its bundled mimalloc) makes about one process in forty abort at exit
# ("terminate called without an active exception", SIGABRT after all work is done; apache/arrow#34314):
# measured here as 5 of 200 two-at-a-time `load_all()` runs with it, none of 200 with the system allocator.
# The allocator is chosen when pyarrow loads, so this only applies if pyarrow is not loaded yet, and a value
# the user set is kept.
if "pyarrow" not in _sys.modules:
    _os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")

from rusprk._load import DataIntegrityError, load, load_all, path, tables  # noqa: E402
from rusprk._evidence import evidence  # noqa: E402
from rusprk._cite import cite  # noqa: E402

__all__ = ["__version__", "load", "load_all", "tables", "path", "evidence", "cite", "DataIntegrityError"]
