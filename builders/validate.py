"""Stage 4: validate the tables before anything is written.

Pandera schemas, derived from ``rusprk.metadata``, check every column (type,
nulls, uniqueness, vocabularies, patterns, ranges) and primary keys; then
``rusprk.validate`` checks what spans tables: foreign keys, evidence for every
record, date rules, and every quote at its offsets in its seed.  Last, the
meaning rules (``rusprk.validate.meaning``) check that each record says what
its quotes support, each problem named at its hand-map line.
"""

from __future__ import annotations

from pathlib import Path

import pandera.pandas as pa

from builders.errors import BuildError
from rusprk._types import pandas_dtypes
from rusprk.metadata import RESOURCE_ORDER, VOCABULARIES, Resource, resource
from rusprk.validate import check_frames
from rusprk.validate.meaning import check_meaning


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


def check_meaning_rows(rows: dict, origin: dict, seeds_dir=None) -> None:
    """Run the meaning rules on the built rows; raise BuildError naming hand-map, line, record and field.

    ``origin`` maps (table, row id) to the hand-map and line the row was written at
    (``builders.tables.Tables.origin``); a link row without one is reported at its record's.
    """
    problems = check_meaning(rows, seeds_dir)
    if not problems:
        return
    lines = []
    for p in problems:
        path, line = origin.get((p.table, p.row)) or _origin_of_link(p, rows, origin)
        lines.append((path, line, p))
    # At one line, a record's own rows before its participants' (ids with "/"), which repeat its quotes.
    lines.sort(key=lambda x: (str(x[0]), x[1] or 0, "/" in (x[2].row or "").partition("@")[0], x[2]))
    path, line, first = lines[0]

    def fmt(path, line, p):
        return str(BuildError(path, f"{p.message} ({p.table})", line=line, row=p.row, field=p.field))

    message = f"{first.message} ({first.table})"
    if len(lines) > 1:
        message += f"\n  and {len(lines) - 1} more problem(s) the meaning rules found:\n  " + "\n  ".join(
            fmt(*x) for x in lines[1:])
    raise BuildError(path, message, line=line, row=first.row, field=first.field)


def _origin_of_link(problem, rows: dict, origin: dict):
    """Where a row with no origin of its own came from: the record its id names."""
    for sep in ("@", "/", ":"):
        if problem.row and sep in problem.row:
            record = problem.row.split(sep)[0]
            for (table, rid), where in origin.items():
                if rid == record:
                    return where
    return ("hand-maps", None)
