"""Column types derived from ``rusprk.metadata`` for each backend.

Imported lazily: pandas, pyarrow and polars are loaded only when a function
here is called.  The Arrow -> pandas conversion works column-wise on Arrow
buffers (no Python lists), so loading costs about what reading Parquet costs.
"""

from __future__ import annotations

from rusprk.metadata import VOCABULARIES, Resource

_ARROW = {"string": "string", "integer": "int64", "boolean": "bool_", "date": "date32"}

#: Storage of string columns.  Arrow storage is ~10x faster to load than
#: "python" (no Python str objects per cell) and is what pandas' own "string"
#: alias resolves to when pyarrow is installed, so ``astype("string")`` in the
#: validator is a no-op on loaded frames.  Same dtype class (pd.StringDtype),
#: same missing value (pd.NA).
STRING_STORAGE = "pyarrow"

_PANDAS_DTYPES: dict[str, dict[str, object]] = {}  # resource name -> dtypes; built once per process


def arrow_schema(res: Resource, large_strings: bool = False):
    """The pyarrow schema Parquet files are written with (fixed order, nullability).

    ``large_strings``: the same with ``large_string`` (64-bit offsets) for strings, the layout pandas'
    Arrow-backed strings require; the loader reads Parquet straight into it rather than casting later.
    """
    import pyarrow as pa

    def arrow_type(f):
        return pa.large_string() if large_strings and f.type == "string" else getattr(pa, _ARROW[f.type])()

    return pa.schema([pa.field(f.name, arrow_type(f), nullable=not f.required) for f in res.fields])


def pandas_dtypes(res: Resource) -> dict[str, object]:
    """Declared pandas dtypes: strings, nullable integers and booleans, categoricals, dates."""
    cached = _PANDAS_DTYPES.get(res.name)
    if cached is None:
        import pandas as pd

        cached = {}
        for f in res.fields:
            if f.enum:
                cached[f.name] = pd.CategoricalDtype(list(VOCABULARIES[f.enum]), ordered=False)
            elif f.type == "string":
                cached[f.name] = pd.StringDtype(STRING_STORAGE)
            elif f.type == "integer":
                cached[f.name] = pd.Int64Dtype()
            elif f.type == "boolean":
                cached[f.name] = pd.BooleanDtype()
            elif f.type == "date":
                cached[f.name] = "datetime64[s]"
        _PANDAS_DTYPES[res.name] = cached
    return dict(cached)  # a copy: callers may edit theirs


def polars_dtypes(res: Resource) -> dict[str, object]:
    import polars as pl

    out: dict[str, object] = {}
    for f in res.fields:
        if f.enum:
            out[f.name] = pl.Enum(list(VOCABULARIES[f.enum]))
        else:
            out[f.name] = {"string": pl.String, "integer": pl.Int64, "boolean": pl.Boolean, "date": pl.Date}[f.type]
    return out


def arrow_to_pandas(table, res: Resource):
    """Convert an Arrow table (with ``arrow_schema(res)``, strings large or not) to pandas with the declared dtypes.

    Each column goes straight from Arrow buffers to its pandas array:
    strings, Int64 and boolean through the dtype's own ``__from_arrow__``,
    dates through a cast to ``timestamp[s]``, and vocabulary fields as
    categorical codes looked up in Arrow (a value outside the vocabulary
    becomes missing, as ``astype(CategoricalDtype)`` does).
    """
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    dtypes = pandas_dtypes(res)
    cols = {}
    for f in res.fields:
        col = table.column(f.name)
        dtype = dtypes[f.name]
        if f.enum:
            vocab = pa.array(list(VOCABULARIES[f.enum]), type=col.type)
            codes = pc.fill_null(pc.index_in(col, value_set=vocab), -1).to_numpy()
            cols[f.name] = pd.Categorical.from_codes(codes, dtype=dtype)
        elif f.type == "date":
            cols[f.name] = col.cast(pa.timestamp("s")).to_pandas().array
        else:
            cols[f.name] = dtype.__from_arrow__(col)
    # copy=False: the arrays above are fresh, so pandas need not copy them again.
    return pd.DataFrame(cols, columns=res.field_names, copy=False)
