"""Stage 4: validate the tables before anything is written.

Pandera schemas, derived from ``rusprk.metadata``, check every column (type,
nulls, uniqueness, vocabularies, patterns, ranges) and primary keys; then
``rusprk.validate`` checks what spans tables: foreign keys, evidence for every
record, date rules, and every quote at its offsets in its seed.
"""

from __future__ import annotations

from pathlib import Path

import pandera.pandas as pa

from builders.errors import BuildError
from rusprk._types import pandas_dtypes
from rusprk.metadata import RESOURCE_ORDER, VOCABULARIES, Resource, resource
from rusprk.validate import check_frames


def pandera_schema(res: Resource) -> pa.DataFrameSchema:
    dtypes = pandas_dtypes(res)
    columns = {}
    for f in res.fields:
        checks = []
        if f.enum:
            checks.append(pa.Check.isin(list(VOCABULARIES[f.enum])))
        if f.pattern:
            checks.append(pa.Check.str_matches(f.pattern))
        if f.minimum is not None:
            checks.append(pa.Check.ge(f.minimum))
        if f.maximum is not None:
            checks.append(pa.Check.le(f.maximum))
        columns[f.name] = pa.Column(dtypes[f.name], checks=checks, nullable=not f.required, unique=f.unique,
                                    required=True, description=f.description)
    return pa.DataFrameSchema(columns, strict=True, ordered=True, unique=list(res.primary_key),
                              name=res.name, description=res.description)


def validate_frames(frames: dict, seeds_dir: Path) -> None:
    """Raise BuildError naming table, row id and field for every problem found."""
    messages = []
    for name in RESOURCE_ORDER:
        res = resource(name)
        try:
            pandera_schema(res).validate(frames[name], lazy=True)
        except pa.errors.SchemaErrors as exc:
            pk = res.primary_key[0]
            df = frames[name]
            for _, case in exc.failure_cases.iterrows():
                idx = case.get("index")
                row = df.at[idx, pk] if idx is not None and idx == idx and idx in df.index else None
                messages.append(f"{name} [row {row}] field {case.get('column')}: "
                                f"{case.get('check')} failed for {case.get('failure_case')!r}")
    messages += [str(p) for p in check_frames(frames, seeds_dir)]
    if messages:
        raise BuildError("validation", f"{len(messages)} problem(s):\n  " + "\n  ".join(messages))
