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

from rusprk._load import DataIntegrityError, load, load_all, path, tables  # noqa: E402
from rusprk._evidence import evidence  # noqa: E402
from rusprk._cite import cite  # noqa: E402

__all__ = ["__version__", "load", "load_all", "tables", "path", "evidence", "cite", "DataIntegrityError"]
