"""Column types derived from ``rusprk.metadata`` for each backend.

Imported lazily: pandas, pyarrow and polars are loaded only when a function
here is called.
"""

from __future__ import annotations

from rusprk.metadata import VOCABULARIES, Resource

_ARROW = {"string": "string", "integer": "int64", "boolean": "bool_", "date": "date32"}


def arrow_schema(res: Resource):
    """The pyarrow schema Parquet files are written with (fixed order, nullability)."""
    import pyarrow as pa

    return pa.schema(
        [pa.field(f.name, getattr(pa, _ARROW[f.type])(), nullable=not f.required) for f in res.fields]
    )


def pandas_dtypes(res: Resource) -> dict[str, object]:
    """Declared pandas dtypes: strings, nullable integers and booleans, categoricals, dates."""
    import pandas as pd

    out: dict[str, object] = {}
    for f in res.fields:
        if f.enum:
            out[f.name] = pd.CategoricalDtype(list(VOCABULARIES[f.enum]), ordered=False)
        elif f.type == "string":
            out[f.name] = pd.StringDtype("python")
        elif f.type == "integer":
            out[f.name] = pd.Int64Dtype()
        elif f.type == "boolean":
            out[f.name] = pd.BooleanDtype()
        elif f.type == "date":
            out[f.name] = "datetime64[s]"
    return out


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
    """Convert an Arrow table to pandas with the declared dtypes."""
    import pandas as pd

    dtypes = pandas_dtypes(res)
    cols = {}
    for f in res.fields:
        col = table.column(f.name)
        if f.type == "date":
            series = pd.Series(col.to_pandas(date_as_object=False), name=f.name).astype("datetime64[s]")
        else:
            series = pd.Series(col.to_pylist(), name=f.name, dtype=object).astype(dtypes[f.name])
        cols[f.name] = series
    return pd.DataFrame(cols, columns=res.field_names)
