"""The loader: find the data, check its hash, return typed frames."""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from rusprk.metadata import RESOURCE_ORDER, RESOURCES, resource

BACKENDS = ("pandas", "polars", "pyarrow")


class DataIntegrityError(RuntimeError):
    """A data file does not match the hash recorded in the package descriptor."""


def data_dir() -> Path:
    """Installed wheel: ``rusprk/data``.  Source checkout: the repository's ``dist/``."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "data", here.parent / "dist"):
        if (candidate / "datapackage.json").is_file():
            return candidate
    raise FileNotFoundError("RUSPRK data not found: run `rusprk build` in a source checkout")


@lru_cache(maxsize=1)
def _descriptor() -> dict:
    return json.loads((data_dir() / "datapackage.json").read_text(encoding="utf-8"))


def _parquet_entry(name: str) -> dict:
    for r in _descriptor()["resources"]:
        if r["name"] == f"{name}-parquet":
            return r
    raise KeyError(f"the package descriptor lists no Parquet file for {name!r}")


def _read_verified(name: str) -> bytes:
    entry = _parquet_entry(name)
    path = data_dir() / Path(entry["path"]).name
    data = path.read_bytes()
    got = "sha256:" + hashlib.sha256(data).hexdigest()
    if got != entry["hash"]:
        raise DataIntegrityError(
            f"{path}: sha256 does not match the package descriptor (expected {entry['hash']}, got {got}); "
            "the file was modified or corrupted: reinstall rusprk"
        )
    return data


def tables() -> dict[str, str]:
    """Table name -> what one row is."""
    return {name: RESOURCES[name].description for name in RESOURCE_ORDER}


def load(name: str, backend: str = "pandas"):
    """One table as a pandas DataFrame (default), a polars DataFrame or a pyarrow Table."""
    res = resource(name)
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    import pyarrow as pa
    import pyarrow.parquet as pq

    from rusprk._types import arrow_schema

    table = pq.read_table(pa.BufferReader(_read_verified(name))).cast(arrow_schema(res))
    if backend == "pyarrow":
        return table
    if backend == "polars":
        import polars as pl

        from rusprk._types import polars_dtypes

        return pl.from_arrow(table).cast(polars_dtypes(res))
    from rusprk._types import arrow_to_pandas

    return arrow_to_pandas(table, res)


def load_all(backend: str = "pandas") -> dict:
    """Every table, by name."""
    return {name: load(name, backend) for name in RESOURCE_ORDER}
