"""The loader: find the data, check its hash, return typed frames.

``import rusprk`` imports this module, so its top level imports nothing at
all: json, hashlib, pathlib, the metadata (dataclasses, re) and the data
libraries are imported inside the functions that use them.  That keeps
``import rusprk`` within a few milliseconds of bare interpreter start.
"""

from __future__ import annotations

BACKENDS = ("pandas", "polars", "pyarrow")

_DESCRIPTOR: dict | None = None  # datapackage.json, parsed once per process


class DataIntegrityError(RuntimeError):
    """A data file does not match the hash recorded in the package descriptor."""


def data_dir():
    """Installed wheel: ``rusprk/data``.  Source checkout: the repository's ``dist/``."""
    from pathlib import Path

    here = Path(__file__).resolve().parent
    for candidate in (here / "data", here.parent / "dist"):
        if (candidate / "datapackage.json").is_file():
            return candidate
    raise FileNotFoundError("RUSPRK data not found: run `rusprk build` in a source checkout")


def _descriptor() -> dict:
    global _DESCRIPTOR
    if _DESCRIPTOR is None:
        import json

        _DESCRIPTOR = json.loads((data_dir() / "datapackage.json").read_text(encoding="utf-8"))
    return _DESCRIPTOR


def _descriptor_cache_clear() -> None:
    global _DESCRIPTOR
    _DESCRIPTOR = None


# The lru_cache interface, without importing functools (~1 ms) at `import rusprk`.
_descriptor.cache_clear = _descriptor_cache_clear  # type: ignore[attr-defined]


def _parquet_entry(name: str) -> dict:
    for r in _descriptor()["resources"]:
        if r["name"] == f"{name}-parquet":
            return r
    raise KeyError(f"the package descriptor lists no Parquet file for {name!r}")


def _read_verified(name: str) -> bytes:
    """The Parquet file's bytes, after checking their sha256 against the descriptor.

    The file is read once: the same bytes are hashed and then parsed, so a
    file swapped between the check and the read cannot slip through.
    """
    import hashlib
    from pathlib import Path

    entry = _parquet_entry(name)
    rel = str(entry.get("path", ""))
    if "://" in rel or "/" in rel or "\\" in rel or not rel:
        raise DataIntegrityError(f"the package descriptor gives {rel!r} for {name}: rusprk reads only the files "
                                 "beside the descriptor, never a remote or other path; reinstall rusprk")
    path = data_dir() / rel
    data = path.read_bytes()
    got = "sha256:" + hashlib.sha256(data).hexdigest()
    if got != entry["hash"]:
        raise DataIntegrityError(
            f"{path}: sha256 does not match the package descriptor (expected {entry['hash']}, got {got}); "
            "the file was modified or corrupted: reinstall rusprk"
        )
    return data


#: The formats each table is published in (the files beside ``datapackage.json``).
FORMATS = ("parquet", "csv")


def path(name: str, format: str = "parquet"):
    """Where one table's file is, as a ``pathlib.Path``: for DuckDB, polars, R or any tool that reads files.

    >>> rusprk.path("events")              # .../rusprk/data/events.parquet
    >>> rusprk.path("events", "csv")
    ``rusprk.path("datapackage")`` is the package descriptor, ``rusprk.path("seeds")`` the folder of
    source articles the quotes point into.
    """
    from rusprk.metadata import RESOURCE_ORDER

    base = data_dir()
    if name == "datapackage":
        return base / "datapackage.json"
    if name == "seeds":
        return base / "seeds"
    if name not in RESOURCE_ORDER:
        raise KeyError(f"unknown table {name!r}; the tables are {', '.join(RESOURCE_ORDER)}")
    if format not in FORMATS:
        raise ValueError(f"unknown format {format!r}; choose one of {', '.join(FORMATS)}")
    return base / f"{name}.{format}"


def tables() -> dict[str, str]:
    """Table name -> what one row is."""
    from rusprk.metadata import RESOURCE_ORDER, RESOURCES

    return {name: RESOURCES[name].description for name in RESOURCE_ORDER}


def _read_arrow(name: str, large_strings: bool = False):
    """The verified table as Arrow, with the declared schema (strings as ``large_string`` if asked)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from rusprk._types import arrow_schema
    from rusprk.metadata import resource

    res = resource(name)
    # ParquetFile.read, not pq.read_table: read_table goes through
    # pyarrow.dataset, whose import alone costs ~10 ms and buys nothing for
    # one in-memory file.  binary_type=large_binary reads strings straight
    # into the 64-bit-offset layout pandas and polars keep them in, instead
    # of reading 32-bit offsets and copying them (a third of the conversion
    # time at a million rows).
    source = pa.BufferReader(_read_verified(name))
    table = pq.ParquetFile(source, binary_type=pa.large_binary() if large_strings else None).read()
    schema = arrow_schema(res, large_strings=large_strings)
    if not table.schema.equals(schema):  # files from `rusprk build` already match: no cast needed
        table = table.cast(schema)
    return table


def load(name: str, backend: str = "pandas"):
    """One table as a pandas DataFrame (default), a polars DataFrame or a pyarrow Table."""
    from rusprk.metadata import resource

    res = resource(name)
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    table = _read_arrow(name, large_strings=backend != "pyarrow")
    if backend == "pyarrow":  # the schema the files are written with
        return table
    if backend == "polars":
        try:
            import polars as pl
        except ModuleNotFoundError:
            raise ModuleNotFoundError(
                "backend='polars' needs polars, an optional dependency: pip install 'rusprk[polars]'") from None

        from rusprk._types import polars_dtypes

        return pl.from_arrow(table).cast(polars_dtypes(res))
    from rusprk._types import arrow_to_pandas

    return arrow_to_pandas(table, res)


def load_all(backend: str = "pandas") -> dict:
    """Every table, by name."""
    from rusprk.metadata import RESOURCE_ORDER

    return {name: load(name, backend) for name in RESOURCE_ORDER}
