"""Checks across tables, on the columns kept of each table (keys, references, a few more).

Every lookup into a table goes through one ``index_in`` per target key
(``lookups``): the references of every table to it, and the evidence rows
that support its records, are looked up together, so each key column is
hashed once.  The positions found serve the reference check, cycles within
a table, evidence coverage and the reported-dates rule.
"""

from __future__ import annotations

import math

from rusprk.metadata import resource
from rusprk.validate.report import MAX_REPORTED_PER_CHECK, Found, Problem, col as _col, flat, report as _report
from rusprk.validate.rules import references

#: Columns the checks across tables need besides keys and references.
KEPT = {"sources": ("seed_file", "sha256", "date_published"), "events": ("date_start", "status"),
        "evidence": ("record_table", "record_id", "source_id")}


def _probes(tables: dict) -> dict:
    """(target table, key field) -> [(what, values looked up)], ``what`` being ("ref", table, field) or
    ("evidence", rows of evidence that name a record of the target)."""
    import pyarrow.compute as pc

    out: dict = {}
    for name, t in tables.items():
        for field, target, tfield in references(name):
            if target in tables:
                out.setdefault((target, tfield), []).append((("ref", name, field), _col(t, field)))
    ev = tables.get("evidence")
    if ev is not None:
        record_table, record_id = _col(ev, "record_table"), _col(ev, "record_id")
        for name in tables:
            if name == "evidence":
                continue
            rows = pc.indices_nonzero(pc.fill_null(pc.equal(record_table, name), False))
            out.setdefault((name, resource(name).primary_key[0]), []).append(
                (("evidence", rows), record_id.take(rows)))
    return out


def lookup(tables: dict, target: str, tfield: str, probes: list) -> list:
    """Positions in ``tables[target]`` of every probe's values (null where absent), one hash of the keys."""
    import pyarrow as pa
    import pyarrow.compute as pc

    keys = _col(tables[target], tfield)
    at = pc.index_in(pa.chunked_array([values for _, values in probes], keys.type), value_set=keys)
    at = flat(at)
    out, lo = [], 0
    for what, values in probes:
        out.append((what, at.slice(lo, len(values))))
        lo += len(values)
    return out


def lookups(tables: dict, pool) -> dict:
    """(target, key field) -> [(what, positions)] for every reference and every evidence row, on the pool."""
    probes = _probes(tables)
    # Largest first, so that the pool's threads end together rather than one finishing a big one alone.
    order = sorted(probes, key=lambda key: -sum(len(values) for _, values in probes[key]))
    futures = {key: pool.submit(lookup, tables, *key, probes[key]) for key in order}
    return {key: futures[key].result() for key in probes}


def check_references(tables: dict, found: dict) -> Found:
    """Every reference resolves; references within a table form no cycle."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    out = Found()
    for (target, tfield), parts in found.items():
        for what, at in parts:
            if what[0] != "ref":
                continue
            _, name, field = what
            t, col = tables[name], _col(tables[name], field)
            _report(out, name, t, pc.and_(pc.is_valid(col), pc.is_null(at)), field,
                    f"refers to a missing {target}.{tfield}", col)
            if target == name and t.num_rows:
                # Pointer doubling: after 2**k >= n steps an acyclic chain has ended.
                p = pc.fill_null(at, -1).to_numpy(zero_copy_only=False).astype(np.int64)
                for _ in range(max(1, math.ceil(math.log2(len(p)))) + 1):
                    if not (p >= 0).any():
                        break
                    p = np.where(p >= 0, p[np.maximum(p, 0)], -1)
                _report(out, name, t, pa.array(p >= 0), field, f"{field} chain loops back on itself", col)
    return out


def check_evidence(tables: dict, found: dict) -> Found:
    """Evidence names existing records, and every record has evidence."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    out, ev = Found(), tables.get("evidence")
    if ev is None:
        return out
    missing = np.zeros(ev.num_rows, dtype=bool)
    for (name, pk), parts in found.items():
        for what, at in parts:
            if what[0] != "evidence":
                continue
            rows, t = what[1], tables[name]
            present = pc.is_valid(at)
            covered = np.zeros(t.num_rows, dtype=bool)
            covered[pc.filter(at, present).to_numpy()] = True
            _report(out, name, t, pa.array(~covered), pk, "record has no evidence row")
            missing[pc.filter(rows, pc.invert(present)).to_numpy()] = True
    _report(out, "evidence", ev, pa.array(missing), "record_id", "refers to a record that does not exist",
            _col(ev, "record_id"))
    return out


def check_reported_dates(tables: dict, found: dict) -> list[Problem]:
    """An event reported as occurred does not start after a source reporting it was published."""
    import pyarrow.compute as pc

    if not {"events", "evidence", "sources"} <= set(tables):
        return []
    ev, events, sources = tables["evidence"], tables["events"], tables["sources"]
    rows, event_at = next((what[1], at) for what, at in found[("events", "event_id")] if what[0] == "evidence")
    source_at = next(at for what, at in found[("sources", "source_id")] if what == ("ref", "evidence", "source_id"))
    source_at = source_at.take(rows)
    start = _col(events, "date_start").take(event_at)
    status = _col(events, "status").take(event_at)
    published = _col(sources, "date_published").take(source_at)
    bad = pc.and_(pc.equal(status, "occurred"), pc.greater(start, published))
    bad = pc.fill_null(bad, False)
    out: list[Problem] = []
    if not pc.any(bad).as_py():
        return out
    links = ev.select(["record_id", "source_id"]).take(rows).filter(bad).to_pylist()  # the violations only
    starts, dates = start.filter(bad).to_pylist(), published.filter(bad).to_pylist()
    first: dict[str, Problem] = {}
    for row, d0, d1 in sorted(zip(links, starts, dates), key=lambda x: (x[0]["record_id"], x[0]["source_id"])):
        first.setdefault(row["record_id"], Problem(
            "events", row["record_id"], "date_start",
            f"occurred event starts {d0}, after its source {row['source_id']} was published ({d1})"))
    out = list(first.values())
    if len(out) > MAX_REPORTED_PER_CHECK:
        extra = len(out) - MAX_REPORTED_PER_CHECK
        out = out[:MAX_REPORTED_PER_CHECK] + [Problem("events", None, "date_start",
                                                      f"occurred events dated after their source (and {extra} more)")]
    return out


def check_across(tables: dict, pool) -> list:
    """All checks across tables."""
    found = lookups(tables, pool)
    refs = pool.submit(check_references, tables, found)
    dates = pool.submit(check_reported_dates, tables, found)
    return [*check_evidence(tables, found), *refs.result(), *dates.result()]
