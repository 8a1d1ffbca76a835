"""Problems, and how a check names the rows it rejects.

A check reports a failed rule once: the first MAX_REPORTED_PER_CHECK rows by
row id, then one line counting the rest.  Checks may run on a table in
batches of rows, so ``report`` records ``Hits`` (the count and the first rows,
by their row number in the whole table) and ``settle`` merges the hits of one
check across batches: the problems are the same whether a table was checked
whole or in batches.
"""

from __future__ import annotations

from dataclasses import dataclass, field as dc_field

from rusprk.metadata import RESOURCE_ORDER, resource

MAX_REPORTED_PER_CHECK = 5  # rows named per failed check; one more line counts the rest


@dataclass(frozen=True, order=True)
class Problem:
    table: str
    row: str | None  # row id, file name, or None for the whole table
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.table
        if self.row is not None:
            where += f" [row {self.row}]"
        if self.field is not None:
            where += f" field {self.field}"
        return f"{where}: {self.message}"


class ValidationFailed(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s):\n" + "\n".join(str(p) for p in problems))


@dataclass
class Hits:
    """Rows of one table that fail one rule: how many, and the first ones by row number."""
    table: str
    field: str | None
    message: str
    count: int
    named: list = dc_field(default_factory=list)  # (row number in the table, Problem)


class Found(list):
    """What checks of one batch found (Problems and Hits); ``offset`` is the batch's first row in its table."""

    def __init__(self, offset: int = 0) -> None:
        super().__init__()
        self.offset = offset


def col(t, name):
    """A column as one Arrow array (value sets and indices want arrays, not chunks)."""
    return flat(t.column(name))


def flat(x):
    """One array from a chunked array; zero-copy when there is one chunk (combine_chunks always copies)."""
    if not hasattr(x, "num_chunks"):
        return x
    if x.num_chunks == 1:
        return x.chunk(0)
    return x.combine_chunks()


def quoted(value) -> str:
    """A value as a message quotes it: its repr, cut to 60 characters."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def report(out: list, name: str, t, mask, field: str | None, message: str, show=None) -> None:
    """Record the rows of ``t`` where ``mask`` holds, named by primary key (or #row number)."""
    import pyarrow.compute as pc

    mask = flat(mask)
    if mask.null_count:
        mask = pc.fill_null(mask, False)
    n = mask.true_count  # counts set bits: cheaper than a sum kernel, and most masks are all false
    if not n:
        return
    offset = getattr(out, "offset", 0)
    idx = pc.indices_nonzero(mask).slice(0, MAX_REPORTED_PER_CHECK)
    pk = resource(name).primary_key[0]
    ids = t.column(pk).take(idx).to_pylist() if pk in t.column_names else [None] * len(idx)
    shown = show.take(idx).to_pylist() if show is not None else [None] * len(idx)
    hits = Hits(name, field, message, n)
    for i, rid, value in zip(idx.to_pylist(), ids, shown):
        msg = message if show is None else f"{message} (got {quoted(value)})"
        hits.named.append((offset + i, Problem(name, f"#{offset + i + 1}" if rid is None else str(rid), field, msg)))
    out.append(hits)


def settle(found) -> list[Problem]:
    """Problems from Problems and Hits: one check's hits merged across batches, sorted and de-duplicated."""
    problems, merged = [], {}
    for x in found:
        if not isinstance(x, Hits):
            problems.append(x)
            continue
        key = (x.table, x.field, x.message)
        if key in merged:
            merged[key].count += x.count
            merged[key].named += x.named
        else:
            merged[key] = Hits(x.table, x.field, x.message, x.count, list(x.named))
    for h in merged.values():
        h.named.sort(key=lambda item: item[0])
        problems += [p for _, p in h.named[:MAX_REPORTED_PER_CHECK]]
        if h.count > MAX_REPORTED_PER_CHECK:
            problems.append(Problem(h.table, None, h.field,
                                    f"{h.message} (and {h.count - MAX_REPORTED_PER_CHECK} more rows)"))
    order = {name: i for i, name in enumerate(RESOURCE_ORDER)}
    return sorted(set(problems), key=lambda p: (order.get(p.table, -1), p.row or "", p.field or "", p.message))
