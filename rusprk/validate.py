"""Check a RUSPRK data package: descriptor, files, schemas, keys, dates and quotes.

``rusprk validate`` reads each table's CSV and Parquet copies into Arrow
tables of the types ``rusprk.metadata`` declares, checks that the two copies
agree, then checks every rule column-wise with ``pyarrow.compute`` (no
per-row Python except the quote comparison), so a million rows take seconds
and no pandas is involved.  Every problem names the table, the row id (or the
file) and the field.

Rules come from the metadata (types, required, unique, vocabularies,
patterns, ranges, keys) or from the tables below, which spell out in data the
cross-field rules the metadata describes in words; the test strategies reuse
them, so generator and validator cannot drift apart.

Public API: ``Problem``, ``ValidationFailed``, ``check_frames`` (used by the
build on pandas frames), ``read_package`` and ``validate_package``.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath

from rusprk.metadata import EVENT_TYPE_CODES, RESOURCE_ORDER, RESOURCES, VOCABULARIES, Resource, resource

__all__ = ["Problem", "ValidationFailed", "check_frames", "read_package", "validate_package", "references",
           "derived_id", "EXACTLY_ONE", "AT_MOST_ONE", "IMPLIES", "DERIVED_IDS", "MOJIBAKE"]

MAX_REPORTED_PER_CHECK = 5  # rows named per failed check; one more line counts the rest

#: UTF-8 read as Latin-1/CP1252 ("â€™", "Ã©", "Â ") or a replacement character.
#: Valid for both Python ``re`` and RE2 (pyarrow).
MOJIBAKE = "[\u00c2\u00c3][\u0080-\u00bf]|\u00e2\u20ac|\u00e2\u0080|\ufffd"

# ---------------------------------------------------------------------------
# Cross-field rules.  The metadata states them in its descriptions and
# null_means; here they are data, shared with tests/strategies.py.
# ---------------------------------------------------------------------------

#: A link row names exactly one actor.
EXACTLY_ONE: dict[str, tuple[tuple[str, ...], ...]] = {
    "aliases": (("person_id", "place_id", "body_id"),),
    "participants": (("person_id", "body_id"),),
}
#: One giver (named person, named body or description), one recipient.
AT_MOST_ONE: dict[str, tuple[tuple[str, ...], ...]] = {
    "gifts": (("giver_person_id", "giver_body_id", "giver_description"),
              ("recipient_person_id", "recipient_body_id")),
}
#: (table, field, fields): when ``field`` is true (or set), one of ``fields`` is true (or set).
IMPLIES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("sources", "publisher_inferred", ("publisher",)),
    ("sources", "machine_translated_inferred", ("machine_translated",)),
    ("sources", "original_language", ("machine_translated",)),
    ("gifts", "giver_inferred", ("giver_person_id", "giver_body_id")),
)
#: Ids built from other fields: a tuple of parts, each a literal separator or a
#: tuple of fields of which the first one set is used.
DERIVED_IDS: dict[str, tuple[str, tuple]] = {
    "aliases": ("alias_id", (("person_id", "place_id", "body_id"), ":", ("alias",))),
    "participants": ("participant_id", (("event_id",), "/", ("person_id", "body_id"), "/", ("role",))),
    "evidence": ("evidence_id", (("record_id",), "@", ("source_id",), ":", ("char_start",), "-", ("char_end",))),
}


def derived_id(table: str, row: dict) -> str:
    """The id DERIVED_IDS prescribes for ``row`` (plain Python, for generators and messages)."""
    out = []
    for part in DERIVED_IDS[table][1]:
        if isinstance(part, str):
            out.append(part)
        else:
            out.append(str(next((row[f] for f in part if row.get(f) is not None), None)))
    return "".join(out)


def references(name: str) -> tuple[tuple[str, str, str], ...]:
    """(field, table, field) for every reference of a table.

    The declared foreign keys, plus fields the metadata documents as ids of
    another table without declaring a key: a field named like another
    table's primary key (``country_iso3``) or sharing its id pattern
    (``within_place_id``).  Evidence's polymorphic record_id is checked apart.
    """
    res = resource(name)
    out = {fk.fields[0]: (fk.resource, fk.reference_fields[0]) for fk in res.foreign_keys}
    by_name, by_pattern = {}, {}
    for r in RESOURCES.values():
        pk = r.field(r.primary_key[0])
        by_name[pk.name] = r.name
        if pk.pattern and re.match(r"^\^[a-z]{3}-", pk.pattern):  # prefixed ids only, not ISO codes
            by_pattern[pk.pattern] = r.name
    for f in res.fields:
        if f.name in out or f.name in res.primary_key or f.type != "string":
            continue
        target = by_name.get(f.name) or by_pattern.get(f.pattern)
        if target is not None:
            out[f.name] = (target, RESOURCES[target].primary_key[0])
    return tuple((f, t, tf) for f, (t, tf) in out.items())


def _rationale_pairs(res: Resource) -> list[tuple[str, str]]:
    """(x_inferred, x_rationale): an inferred value carries its rationale and only then."""
    names = set(res.field_names)
    return [(f, f[: -len("_inferred")] + "_rationale") for f in res.field_names
            if f.endswith("_inferred") and f[: -len("_inferred")] + "_rationale" in names]


def _single_dates(res: Resource) -> list[tuple[str, str]]:
    """(date field, its precision field) for single dates such as date_published."""
    names = set(res.field_names)
    return [(f.name, f.name + "_precision") for f in res.fields if f.type == "date" and f.name + "_precision" in names]


# ---------------------------------------------------------------------------
# Problems
# ---------------------------------------------------------------------------

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


def _col(t, name):
    """A column as one Arrow array (value sets and indices want arrays, not chunks)."""
    return _flat(t.column(name))


def _flat(x):
    """One array from a chunked array; zero-copy when there is one chunk (combine_chunks always copies)."""
    if not hasattr(x, "num_chunks"):
        return x
    if x.num_chunks == 1:
        return x.chunk(0)
    return x.combine_chunks()


def _show(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _report(out: list, name: str, t, mask, field: str | None, message: str, show=None) -> None:
    """Name the first rows of ``t`` where ``mask`` holds, by primary key (or #row number)."""
    import pyarrow.compute as pc

    mask = _flat(pc.fill_null(mask, False))
    n = pc.sum(mask).as_py() or 0
    if not n:
        return
    idx = pc.indices_nonzero(mask).slice(0, MAX_REPORTED_PER_CHECK)
    pk = resource(name).primary_key[0]
    ids = _col(t, pk).take(idx).to_pylist() if pk in t.column_names else [None] * len(idx)
    shown = _flat(show).take(idx).to_pylist() if show is not None else [None] * len(idx)
    for i, rid, value in zip(idx.to_pylist(), ids, shown):
        msg = message if show is None else f"{message} (got {_show(value)})"
        out.append(Problem(name, f"#{i + 1}" if rid is None else str(rid), field, msg))
    if n > MAX_REPORTED_PER_CHECK:
        out.append(Problem(name, None, field, f"{message} (and {n - MAX_REPORTED_PER_CHECK} more rows)"))


# ---------------------------------------------------------------------------
# Per-table checks (Arrow tables with the metadata's columns and types)
# ---------------------------------------------------------------------------

def _duplicated(col):
    """True for every value that occurs more than once (nulls excepted)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(col)
    if n > 1:  # sorted columns (every primary key) show duplicates as equal neighbours: no hashing
        ascending = pc.all(pc.fill_null(pc.less_equal(col.slice(0, n - 1), col.slice(1)), True)).as_py()
        if ascending:
            same = pc.fill_null(pc.equal(col.slice(0, n - 1), col.slice(1)), False)
            with_next = pa.concat_arrays([same, pa.array([False])])
            with_prev = pa.concat_arrays([pa.array([False]), same])
            return pc.or_(with_next, with_prev)
    counts = pa.table({"k": col}).group_by("k").aggregate([("k", "count")])
    return pc.is_in(col, value_set=counts.filter(pc.greater(counts["k_count"], 1))["k"])


def _set(col):
    """True where a value is set; for booleans, where it is true."""
    import pyarrow as pa
    import pyarrow.compute as pc

    return pc.fill_null(col, False) if pa.types.is_boolean(col.type) else pc.is_valid(col)


def check_fields(name: str, t) -> list[Problem]:
    """Per-field constraints: required, unique, vocabulary, pattern, range, text sanity, row order."""
    import pyarrow as pa
    import pyarrow.compute as pc

    res, out = resource(name), []
    pk = res.primary_key[0]
    # A reference must equal a key of its table, which has the same pattern and is checked there,
    # so check_references covers these (and a million regex matches are saved).
    implied = {f for f, target, tf in references(name)
               if RESOURCES[target].field(tf).pattern == res.field(f).pattern}
    for f in res.fields:
        col = _col(t, f.name)
        if f.required:
            _report(out, name, t, pc.is_null(col), f.name, "required value is missing")
        if f.type == "string":
            if f.enum:
                allowed = list(VOCABULARIES[f.enum])
                _report(out, name, t, pc.invert(pc.is_in(col, value_set=pa.array(allowed, pa.string()))),
                        f.name, f"value not in vocabulary {f.enum} ({', '.join(allowed)})", col)
            if f.pattern and f.name not in implied:
                _report(out, name, t, pc.invert(pc.match_substring_regex(col, f.pattern)), f.name,
                        f"value does not match {f.pattern}", col)
            _report(out, name, t, pc.equal(pc.utf8_length(col), 0), f.name,
                    "empty string (an empty CSV cell means null: write null)")
            if not (f.enum or f.pattern):  # the stricter checks above cover the others
                _report(out, name, t, pc.match_substring_regex(col, MOJIBAKE), f.name,
                        "text looks mis-decoded (mojibake or replacement character)", col)
        elif f.type == "integer":
            if f.minimum is not None:
                _report(out, name, t, pc.less(col, f.minimum), f.name, f"value below minimum {f.minimum}", col)
            if f.maximum is not None:
                _report(out, name, t, pc.greater(col, f.maximum), f.name, f"value above maximum {f.maximum}", col)
        if f.unique or f.name == pk:
            what = "primary key" if f.name == pk else "value"
            _report(out, name, t, _duplicated(col), f.name, f"{what} is not unique")
    # Published rows are sorted by primary key (byte-reproducible files).
    if t.num_rows > 1:
        key = _col(t, pk)
        later = pc.less(key.slice(1), key.slice(0, t.num_rows - 1))
        mask = pa.concat_arrays([pa.array([False]), pc.fill_null(later, False)])
        _report(out, name, t, mask, pk, "rows are not sorted by primary key")
    return out


def _last_day_of_month(col):
    import pyarrow as pa
    import pyarrow.compute as pc

    next_day = pc.cast(pc.add(pc.cast(col, pa.int32()), pa.scalar(1, pa.int32())), pa.date32())
    return pc.equal(pc.day(next_day), 1)


def check_dates(name: str, t) -> list[Problem]:
    """start <= end; the interval matches its precision; only 'unknown' is undated."""
    import pyarrow.compute as pc

    res, out = resource(name), []
    for field, prec_field in _single_dates(res):
        d, prec = _col(t, field), _col(t, prec_field)
        unknown = pc.equal(prec, "unknown")
        _report(out, name, t, pc.and_(unknown, pc.is_valid(d)), field, "precision 'unknown' but a date is given")
        _report(out, name, t, pc.and_(pc.invert(unknown), pc.is_null(d)), field,
                f"no date but {prec_field} is not 'unknown'")
    if "date_start" not in t.column_names:
        return out
    start, end, prec = _col(t, "date_start"), _col(t, "date_end"), _col(t, "date_precision")
    unknown = pc.equal(prec, "unknown")
    _report(out, name, t, pc.and_(unknown, pc.or_(pc.is_valid(start), pc.is_valid(end))), "date_precision",
            "precision 'unknown' but a date is given")
    known = pc.and_(pc.invert(unknown), pc.is_valid(prec))
    _report(out, name, t, pc.and_(known, pc.is_null(start)), "date_start", "a dated precision needs date_start")
    _report(out, name, t, pc.and_(known, pc.is_null(end)), "date_end", "a dated precision needs date_end")
    _report(out, name, t, pc.greater(start, end), "date_start", "date_start is after date_end", start)
    month_ok = pc.and_(pc.equal(pc.day(start), 1), _last_day_of_month(end))
    _report(out, name, t, pc.and_(pc.equal(prec, "month"), pc.invert(month_ok)), "date_precision",
            "a month interval must run from the first day of a month to the last day of a month")
    year_ok = pc.and_(pc.and_(pc.equal(pc.month(start), 1), pc.equal(pc.day(start), 1)),
                      pc.and_(pc.equal(pc.month(end), 12), pc.equal(pc.day(end), 31)))
    _report(out, name, t, pc.and_(pc.equal(prec, "year"), pc.invert(year_ok)), "date_precision",
            "a year interval must run from 1 January to 31 December")
    return out


def _derived(t, parts):
    import pyarrow as pa
    import pyarrow.compute as pc

    cols = []
    for part in parts:
        if isinstance(part, str):
            cols.append(pa.scalar(part))
        else:
            vals = [pc.cast(_col(t, f), pa.string()) for f in part]
            cols.append(vals[0] if len(vals) == 1 else pc.coalesce(*vals))
    return pc.binary_join_element_wise(*cols, "")


def check_rules(name: str, t) -> list[Problem]:
    """Cross-field rules within one row (see the tables at the top of this module)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    res, out = resource(name), []
    for group in EXACTLY_ONE.get(name, ()):
        n = _count_set(t, group)
        _report(out, name, t, pc.not_equal(n, 1), ",".join(group), f"exactly one of {', '.join(group)} must be set")
    for group in AT_MOST_ONE.get(name, ()):
        _report(out, name, t, pc.greater(_count_set(t, group), 1), ",".join(group),
                f"at most one of {', '.join(group)} may be set")
    for table, field, then in IMPLIES:
        if table == name:
            ok = _count_set(t, then)
            _report(out, name, t, pc.and_(_set(_col(t, field)), pc.equal(ok, 0)), field,
                    f"{field} is set, so {' or '.join(then)} must be")
    for flag, why in _rationale_pairs(res):
        inferred, given = pc.fill_null(_col(t, flag), False), pc.is_valid(_col(t, why))
        _report(out, name, t, pc.and_(inferred, pc.invert(given)), why, f"{flag} is true but no rationale is given")
        _report(out, name, t, pc.and_(pc.invert(inferred), given), why, f"a rationale is given but {flag} is false")
    if name in DERIVED_IDS:
        field, parts = DERIVED_IDS[name]
        want = _derived(t, parts)
        bad = pc.invert(pc.fill_null(pc.equal(_col(t, field), want), False))
        spec = "".join(p if isinstance(p, str) else "|".join(p) for p in parts)
        _report(out, name, t, pc.and_(bad, pc.is_valid(_col(t, field))), field, f"id must be {spec}", want)
    if name == "evidence":  # the offsets span the quote (its place in the seed: check_quotes)
        quote = _col(t, "quote")
        chars = pc.subtract(_col(t, "char_end"), _col(t, "char_start"))
        _report(out, name, t, pc.not_equal(chars, pc.cast(pc.utf8_length(quote), pa.int64())), "char_end",
                "char_end - char_start is not the quote's length in characters", chars)
        nbytes = pc.subtract(_col(t, "byte_end"), _col(t, "byte_start"))
        _report(out, name, t, pc.not_equal(nbytes, pc.cast(pc.binary_length(quote), pa.int64())), "byte_end",
                "byte_end - byte_start is not the quote's length in UTF-8 bytes", nbytes)
        _report(out, name, t, pc.less(_col(t, "byte_start"), _col(t, "char_start")), "byte_start",
                "byte_start is before char_start (every character takes at least one byte)", _col(t, "byte_start"))
    if name == "events":  # codes follow the event type (rusprk.metadata.EVENT_TYPE_CODES)
        types = pa.array(list(EVENT_TYPE_CODES), pa.string())
        idx = pc.index_in(_col(t, "event_type"), value_set=types)
        for i, field in enumerate(("cameo_code", "plover_category")):
            want = pa.array([codes[i] for codes in EVENT_TYPE_CODES.values()], pa.string()).take(idx)
            same = pc.or_kleene(pc.equal(_col(t, field), want),
                                pc.and_(pc.is_null(_col(t, field)), pc.is_null(want)))
            bad = pc.and_(pc.is_valid(idx), pc.invert(pc.fill_null(same, False)))
            _report(out, name, t, bad, field, f"{field} does not match event_type (expected per EVENT_TYPE_CODES)",
                    _col(t, field))
    return out


def _count_set(t, fields):
    import pyarrow as pa
    import pyarrow.compute as pc

    counts = [pc.cast(_set(_col(t, f)), pa.int64()) for f in fields]
    n = counts[0]
    for c in counts[1:]:
        n = pc.add(n, c)
    return n


# ---------------------------------------------------------------------------
# Checks across tables
# ---------------------------------------------------------------------------

def check_references(tables: dict) -> list[Problem]:
    """Every reference resolves; references within a table form no cycle."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    out: list[Problem] = []
    for name, t in tables.items():
        for field, target, tfield in references(name):
            if target not in tables:
                continue
            keys = _col(tables[target], tfield)
            col = _col(t, field)
            _report(out, name, t, pc.and_(pc.is_valid(col), pc.invert(pc.is_in(col, value_set=keys))), field,
                    f"refers to a missing {target}.{tfield}", col)
            if target == name and t.num_rows:
                # Pointer doubling: after 2**k >= n steps an acyclic chain has ended.
                p = pc.fill_null(pc.index_in(col, value_set=keys), -1).to_numpy(zero_copy_only=False)
                p = p.astype(np.int64)
                for _ in range(max(1, math.ceil(math.log2(len(p)))) + 1):
                    if not (p >= 0).any():
                        break
                    p = np.where(p >= 0, p[np.maximum(p, 0)], -1)
                _report(out, name, t, pa.array(p >= 0), field, f"{field} chain loops back on itself", col)
    return out


def check_evidence(tables: dict) -> list[Problem]:
    """Evidence names existing records, and every record has evidence."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    out: list[Problem] = []
    ev = tables.get("evidence")
    if ev is None:
        return out
    record_table, record_id = _col(ev, "record_table"), _col(ev, "record_id")
    missing = np.zeros(ev.num_rows, dtype=bool)
    for name, t in tables.items():
        if name == "evidence":
            continue
        pk_name = resource(name).primary_key[0]
        pk = _col(t, pk_name)
        rows = pc.indices_nonzero(pc.fill_null(pc.equal(record_table, name), False))
        at = pc.index_in(record_id.take(rows), value_set=pk)  # where each supported record stands in its table
        found = pc.is_valid(at)
        missing[pc.filter(rows, pc.invert(found)).to_numpy()] = True
        covered = np.zeros(t.num_rows, dtype=bool)
        covered[pc.filter(at, found).to_numpy()] = True
        _report(out, name, t, pa.array(~covered), pk_name, "record has no evidence row")
    _report(out, "evidence", ev, pa.array(missing), "record_id", "refers to a record that does not exist",
            record_id)
    return out


def check_reported_dates(tables: dict) -> list[Problem]:
    """An event reported as occurred does not start after a source reporting it was published."""
    import pyarrow.compute as pc

    if not {"events", "evidence", "sources"} <= set(tables):
        return []
    ev, events, sources = tables["evidence"], tables["events"], tables["sources"]
    links = ev.filter(pc.fill_null(pc.equal(_col(ev, "record_table"), "events"), False))
    event_at = pc.index_in(_col(links, "record_id"), value_set=_col(events, "event_id"))
    source_at = pc.index_in(_col(links, "source_id"), value_set=_col(sources, "source_id"))
    start = _col(events, "date_start").take(event_at)
    status = _col(events, "status").take(event_at)
    published = _col(sources, "date_published").take(source_at)
    bad = pc.and_(pc.equal(status, "occurred"), pc.greater(start, published))
    bad = pc.fill_null(bad, False)
    out: list[Problem] = []
    if not pc.any(bad).as_py():
        return out
    rows = links.select(["record_id", "source_id"]).filter(bad).to_pylist()  # the violations only
    starts, dates = start.filter(bad).to_pylist(), published.filter(bad).to_pylist()
    first: dict[str, Problem] = {}
    for row, d0, d1 in sorted(zip(rows, starts, dates), key=lambda x: (x[0]["record_id"], x[0]["source_id"])):
        first.setdefault(row["record_id"], Problem(
            "events", row["record_id"], "date_start",
            f"occurred event starts {d0}, after its source {row['source_id']} was published ({d1})"))
    out = list(first.values())
    if len(out) > MAX_REPORTED_PER_CHECK:
        extra = len(out) - MAX_REPORTED_PER_CHECK
        out = out[:MAX_REPORTED_PER_CHECK] + [Problem("events", None, "date_start",
                                                      f"occurred events dated after their source (and {extra} more)")]
    return out


def _slices(buf, starts, lengths):
    """buf[starts[i]:starts[i] + lengths[i]] for each i, as an Arrow binary array built without a Python loop.

    The slices are binary views (16 bytes each: length, then the bytes inline
    when they fit in 12, else a 4-byte prefix, buffer 0 and the offset) on
    ``buf``, cast to plain binary for comparison.
    """
    import numpy as np
    import pyarrow as pa

    n = len(starts)
    padded = np.concatenate([buf, np.zeros(12, dtype=np.uint8)])  # inline reads may run past the end
    views = np.zeros((n, 16), dtype=np.uint8)
    words = views.view(np.int32)
    words[:, 0] = lengths
    for lo in range(0, n, 1 << 20):  # in slices, to bound the (rows x 12) index arrays
        hi = min(n, lo + (1 << 20))
        st, ln = starts[lo:hi], lengths[lo:hi]
        short = ln <= 12
        head = padded[st[:, None] + np.arange(12)]  # the first 12 bytes of every slice
        head[short] *= (np.arange(12) < ln[short, None])  # inline data is zero-padded
        part = views[lo:hi]
        part[short, 4:16] = head[short]
        part[~short, 4:8] = head[~short, :4]
        words[lo:hi][~short, 3] = st[~short]
    arr = pa.Array.from_buffers(pa.binary_view(), n, [None, pa.py_buffer(views), pa.py_buffer(buf)])
    return arr.cast(pa.binary())


class _Seed:
    """A seed's bytes and text, and what maps its character offsets to byte offsets."""

    def __init__(self, data: bytes) -> None:
        import numpy as np

        self.data = data
        self.text = data.decode("utf-8", "replace")
        cps = np.frombuffer(self.text.encode("utf-32-le"), dtype=np.uint32)
        wide = np.flatnonzero(cps >= 0x80)  # ASCII takes one byte: only the others shift offsets
        extra = (cps[wide] >= 0x800).astype(np.int64) + (cps[wide] >= 0x10000) + 1
        self.wide = wide
        self.extra = np.concatenate([[0], np.cumsum(extra)])

    def byte_offsets(self, chars):
        import numpy as np

        return chars + self.extra[np.searchsorted(self.wide, chars, side="left")]


def check_quotes(tables: dict, seeds_dir: Path) -> list[Problem]:
    """Each seed matches its sha256 and each quote stands in it at its character and byte offsets."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    out: list[Problem] = []
    sources, ev = tables.get("sources"), tables.get("evidence")
    if sources is None or ev is None:
        return out
    seeds_dir = Path(seeds_dir)
    if not seeds_dir.is_dir():
        return [Problem("sources", str(seeds_dir), "seed_file", "seeds folder not found")]
    seeds: list[_Seed | None] = []
    for sid, seed_file, sha in zip(*(_col(sources, c).to_pylist() for c in ("source_id", "seed_file", "sha256"))):
        path, why = _inside(seeds_dir, str(seed_file))
        if path is None or not path.is_file():
            out.append(Problem("sources", str(sid), "seed_file", why or f"seed {seed_file} not found in {seeds_dir}"))
            seeds.append(None)
            continue
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != sha:
            out.append(Problem("sources", str(sid), "sha256", f"seed {seed_file} does not match its sha256"))
            seeds.append(None)
            continue
        seeds.append(_Seed(data))
    if not ev.num_rows:
        return out
    num = lambda c: pc.fill_null(_col(ev, c), -1).to_numpy(zero_copy_only=False).astype(np.int64)  # noqa: E731
    src = pc.fill_null(
        pc.index_in(_col(ev, "source_id"), value_set=_col(sources, "source_id")), -1).to_numpy().astype(np.int64)
    cs, ce, bs, be = num("char_start"), num("char_end"), num("byte_start"), num("byte_end")
    loaded = np.array([s is not None for s in seeds] + [False], dtype=bool)[src]  # src -1 -> the False
    nchars = np.array([len(s.text) if s else 0 for s in seeds] + [0], dtype=np.int64)[src]
    inside = loaded & (cs >= 0) & (cs < ce) & (ce <= nchars)
    want_bs, want_be = np.full(len(cs), -1, dtype=np.int64), np.full(len(cs), -1, dtype=np.int64)
    order = np.argsort(np.where(inside, src, -1), kind="stable")
    sorted_src = np.where(inside, src, -1)[order]
    for i, seed in enumerate(seeds):  # offsets are mapped a seed at a time, but column-wise
        lo, hi = np.searchsorted(sorted_src, [i, i + 1])
        if seed is None or lo == hi:
            continue
        rows = order[lo:hi]
        want_bs[rows], want_be[rows] = seed.byte_offsets(cs[rows]), seed.byte_offsets(ce[rows])
    # Compare the quote's UTF-8 bytes with the seed's bytes at the offsets char_start..char_end give.
    quote = _col(ev, "quote")
    base = np.concatenate([[0], np.cumsum([len(s.data) if s else 0 for s in seeds])]).astype(np.int64)
    buf = np.frombuffer(b"".join(s.data for s in seeds if s), dtype=np.uint8)
    cand = np.flatnonzero(inside)
    at = np.zeros(len(cs), dtype=bool)
    if len(cand):
        found = _slices(buf, base[src[cand]] + want_bs[cand], want_be[cand] - want_bs[cand])
        same = pc.equal(quote.take(pa.array(cand)).cast(pa.binary()), found)
        at[cand] = pc.fill_null(same, False).to_numpy(zero_copy_only=False)
    wrong = loaded & ~at
    # Name the first wrong rows' fault: the quote is absent, or present elsewhere (offsets wrong).
    elsewhere = np.zeros(len(cs), dtype=bool)
    for r in np.flatnonzero(wrong)[: 20 * MAX_REPORTED_PER_CHECK]:
        q = quote[int(r)].as_py()
        elsewhere[r] = q is not None and q in seeds[src[r]].text
    _report(out, "evidence", ev, pa.array(wrong & ~elsewhere), "quote", "quote does not occur in its seed")
    _report(out, "evidence", ev, pa.array(elsewhere), "char_start",
            "quote occurs in its seed but not at char_start..char_end")
    _report(out, "evidence", ev, pa.array(at & (bs != want_bs)), "byte_start",
            "byte_start is not the byte offset of char_start in the seed")
    _report(out, "evidence", ev, pa.array(at & (be != want_be)), "byte_end",
            "byte_end is not the byte offset of char_end in the seed")
    return out


def _sort(problems) -> list[Problem]:
    order = {name: i for i, name in enumerate(RESOURCE_ORDER)}
    return sorted(set(problems), key=lambda p: (order.get(p.table, -1), p.row or "", p.field or "", p.message))


#: Columns the checks across tables need besides keys and references.
_KEPT = {"sources": ("seed_file", "sha256", "date_published"), "events": ("date_start", "status"),
         "evidence": ("record_table", "record_id", "source_id")}


def _kept_columns(name: str) -> list[str]:
    cols = [resource(name).primary_key[0], *(f for f, _, _ in references(name)), *_KEPT.get(name, ())]
    return list(dict.fromkeys(cols))


def _check_stream(items, seeds_dir: Path | None) -> tuple[list[Problem], dict]:
    """Check (name, table, problems) items as they come, in RESOURCE_ORDER.

    Each table's own rows are checked at once (and the quotes with the
    evidence, sources having come first); then only its keys and references
    are kept for the checks across tables, so at most one whole table is in
    memory at a time.
    """
    problems: list[Problem] = []
    kept: dict = {}
    for name, t, found in items:
        problems += found
        if t is None:
            continue
        problems += check_fields(name, t) + check_dates(name, t) + check_rules(name, t)
        if name == "evidence" and seeds_dir is not None and "sources" in kept:
            problems += check_quotes({"sources": kept["sources"], "evidence": t}, seeds_dir)
        kept[name] = t.select(_kept_columns(name))
    problems += check_references(kept) + check_evidence(kept) + check_reported_dates(kept)
    return problems, kept


# ---------------------------------------------------------------------------
# Frames from the build (pandas) -> Arrow
# ---------------------------------------------------------------------------

def _column_problems(name: str, got: list[str], where: str | None) -> list[Problem]:
    want = resource(name).field_names
    out = [Problem(name, where, c, "column missing") for c in want if c not in got]
    out += [Problem(name, where, c, "unexpected column") for c in got if c not in want]
    out += [Problem(name, where, c, "column given twice") for c in sorted({c for c in got if got.count(c) > 1})]
    if not out and got != want:
        first = next(w for g, w in zip(got, want) if g != w)
        out.append(Problem(name, where, first, f"columns out of order: expected {', '.join(want)}"))
    return out


def _from_pandas(name: str, df) -> tuple[object | None, list[Problem]]:
    import pyarrow as pa

    from rusprk._types import arrow_schema

    if isinstance(df, pa.Table):
        got = df.column_names
    else:
        got = [str(c) for c in df.columns]
    problems = _column_problems(name, got, None)
    if any(not p.message.startswith("columns out of order") for p in problems):
        return None, problems  # missing or unexpected columns: the rules cannot be applied
    schema = arrow_schema(resource(name))
    arrays = []
    for field in schema:
        col = df.column(field.name) if isinstance(df, pa.Table) else df[field.name]
        try:
            if isinstance(df, pa.Table):
                arr = col.combine_chunks()
            else:
                arr = pa.array(col.astype(object) if str(col.dtype) == "category" else col, from_pandas=True)
            arrays.append(arr if arr.type == field.type else arr.cast(field.type))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError, TypeError, ValueError) as exc:
            problems.append(Problem(name, None, field.name, f"column cannot be read as {field.type}: {exc}"))
    if len(arrays) != len(schema):
        return None, problems
    return _nullable_table(arrays, schema), problems


def _single_chunks(t):
    """The same table with one chunk per column, so the checks take columns without copying."""
    import pyarrow as pa

    return pa.Table.from_arrays([_flat(c) for c in t.columns], schema=t.schema)


def _nullable_table(arrays, schema):
    import pyarrow as pa

    return pa.Table.from_arrays(arrays, schema=pa.schema([f.with_nullable(True) for f in schema]))


def check_frames(frames: dict, seeds_dir: Path | None = None) -> list[Problem]:
    """Check tables given as pandas DataFrames (or Arrow tables) by name."""
    problems = [Problem(name, None, None, "not a RUSPRK table") for name in frames if name not in RESOURCES]

    def items():
        for name in RESOURCE_ORDER:
            if name not in frames:
                yield name, None, [Problem(name, None, None, "table missing")]
            else:
                yield (name, *_from_pandas(name, frames[name]))

    return _sort(problems + _check_stream(items(), seeds_dir)[0])


# ---------------------------------------------------------------------------
# Reading a package from disk
# ---------------------------------------------------------------------------

def _inside(base: Path, rel: str) -> tuple[Path | None, str | None]:
    """``base/rel`` if it stays inside ``base`` (no absolute path, '..', URL or escaping symlink)."""
    if not rel or "://" in rel or "\\" in rel or PureWindowsPath(rel).drive:
        return None, f"path {rel!r} is not a relative POSIX path inside the package"
    p = PurePosixPath(rel)
    if p.is_absolute() or ".." in p.parts:
        return None, f"path {rel!r} escapes the package"
    path = base / Path(*p.parts)
    try:
        if not path.resolve().is_relative_to(base.resolve()):
            return None, f"path {rel!r} resolves outside the package (symlink)"
    except OSError as exc:
        return None, f"path {rel!r} cannot be resolved: {exc}"
    return path, None


def _utf8_problem(name: str, data: bytes, label: str) -> Problem | None:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return Problem(name, f"{label}:{line}", "encoding", f"invalid UTF-8 at byte {exc.start} (line {line})")
    return None


def _parse_column(f, text):
    """Text cells -> (values of the field's Arrow type, cells that are not valid values)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if f.type == "integer":
        ok = pc.match_substring_regex(text, r"^-?[0-9]{1,19}$")
        try:
            value = pc.cast(pc.if_else(ok, text, pa.scalar(None, pa.string())), pa.int64())
        except pa.ArrowInvalid:  # beyond int64: only 19-digit numbers can be, so look at those alone
            long = pc.indices_nonzero(pc.and_(ok, pc.greater_equal(pc.utf8_length(text), 19))).to_pylist()
            fits = [-(2**63) <= int(text[i].as_py()) < 2**63 for i in long]
            mask = [True] * len(text)
            for i, fit in zip(long, fits):
                mask[i] = fit
            ok = pc.and_(ok, pa.array(mask))
            value = pc.cast(pc.if_else(ok, text, pa.scalar(None, pa.string())), pa.int64())
    elif f.type == "boolean":  # the descriptor's trueValues / falseValues
        ok = pc.is_in(text, value_set=pa.array(["true", "false"]))
        value = pc.if_else(ok, pc.equal(text, "true"), pa.scalar(None, pa.bool_()))
    else:  # date: ISO 8601 calendar dates that exist
        ok = pc.match_substring_regex(text, r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
        candidates = pc.if_else(ok, text, pa.scalar(None, pa.string()))
        try:  # the fast, strict cast fails on the whole column if one day does not exist (2018-02-30) ...
            value = pc.cast(candidates, pa.date32())
        except pa.ArrowInvalid:  # ... then strptime (which rolls 02-30 over to 03-02) finds which
            stamp = pc.strptime(candidates, format="%Y-%m-%d", unit="s", error_is_null=True)
            day = pc.cast(pc.utf8_slice_codeunits(candidates, 8, 10), pa.int64())
            ok = pc.and_(ok, pc.fill_null(pc.equal(pc.day(stamp), day), False))
            value = pc.cast(pc.if_else(ok, stamp, pa.scalar(None, stamp.type)), pa.date32())
    return value, pc.and_(pc.is_valid(text), pc.invert(pc.fill_null(ok, False)))


def _read_csv(name: str, data: bytes, label: str):
    """CSV bytes -> (Arrow table with the metadata's types or None, cells that failed to convert, problems)."""
    import csv

    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    from rusprk._types import arrow_schema

    res, problems = resource(name), []
    if data.startswith(b"\xef\xbb\xbf"):
        problems.append(Problem(name, label, "encoding", "file starts with a byte-order mark"))
        data = data[3:]
    end = data.find(b"\n")
    header = next(csv.reader([data[: end if end >= 0 else len(data)].decode("utf-8", "replace")]), [])
    problems += _column_problems(name, header, label)
    if any(f not in header for f in res.field_names) or len(set(header)) != len(header):
        return None, {}, problems
    options = dict(parse_options=pacsv.ParseOptions(newlines_in_values=True),
                   convert_options=pacsv.ConvertOptions(
                       column_types={c: pa.string() for c in header}, strings_can_be_null=True, null_values=[""],
                       quoted_strings_can_be_null=True))
    try:  # pyarrow checks UTF-8 itself; Python decodes only to locate a bad byte
        raw = pacsv.read_csv(pa.BufferReader(data), **options)
    except (pa.ArrowInvalid, ValueError) as exc:
        bad_utf8 = _utf8_problem(name, data, label)
        if bad_utf8 is None:
            problems.append(Problem(name, label, None, f"cannot parse CSV: {exc}"))
            return None, {}, problems
        problems.append(bad_utf8)
        # Go on with replacement characters: the text checks then name the row and field.
        raw = pacsv.read_csv(pa.BufferReader(data.decode("utf-8", "replace").encode("utf-8")), **options)
    del data
    arrays, bad_cells = [], {}
    for f in res.fields:
        text = raw.column(f.name)
        if f.type == "string":
            arrays.append(text)
            continue
        value, bad = _parse_column(f, text)
        if pc.any(bad).as_py():
            bad_cells[f.name] = bad
            _report(problems, name, raw, bad, f.name, f"value is not a valid {f.type}", text)
        arrays.append(value)
    return _nullable_table(arrays, arrow_schema(res)), bad_cells, problems


def _read_parquet(name: str, data: bytes, label: str):
    """Parquet bytes -> (Arrow table with the metadata's types or None, problems)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from rusprk._types import arrow_schema

    res = resource(name)
    try:  # ParquetFile.read: pq.read_table would import pyarrow.dataset for nothing
        t = pq.ParquetFile(pa.BufferReader(data)).read()
    except (pa.ArrowException, OSError, ValueError) as exc:
        return None, [Problem(name, label, None, f"cannot read Parquet: {exc}")]
    problems = _column_problems(name, t.column_names, label)
    if any(f not in t.column_names for f in res.field_names) or len(set(t.column_names)) != t.num_columns:
        return None, problems
    arrays = []
    for field in arrow_schema(res):
        col = t.column(field.name)
        if col.type != field.type:
            problems.append(Problem(name, label, field.name, f"Parquet column has type {col.type}, "
                                                               f"expected {field.type}"))
            try:
                col = col.cast(field.type)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                return None, problems
        arrays.append(col)
    return _nullable_table(arrays, arrow_schema(res)), problems


def _compare(name: str, pq_t, csv_t, csv_bad: dict, label: str) -> list[Problem]:
    """The CSV and Parquet copies of a table hold the same values (cells the CSV could not convert excepted)."""
    import pyarrow.compute as pc

    if pq_t.num_rows != csv_t.num_rows:
        pk = resource(name).primary_key[0]
        return [Problem(name, label, pk, f"CSV has {csv_t.num_rows} rows, Parquet {pq_t.num_rows}")]
    out: list[Problem] = []
    for f in resource(name).fields:
        a, b = pq_t.column(f.name), csv_t.column(f.name)
        same = pc.fill_null(pc.or_kleene(pc.equal(a, b), pc.and_(pc.is_null(a), pc.is_null(b))), False)
        differ = pc.invert(same)
        if f.name in csv_bad:
            differ = pc.and_(differ, pc.invert(csv_bad[f.name]))
        _report(out, name, pq_t, differ, f.name, "CSV and Parquet copies disagree; CSV has", b)
    return out


def _check_schema(name: str, entry: dict, base: Path, label: str) -> list[Problem]:
    """The table schema the descriptor gives (inline or by path) names the metadata's fields and types."""
    schema = entry.get("schema")
    if isinstance(schema, str):
        path, why = _inside(base, schema)
        if path is None or not path.is_file():
            return [Problem(name, label, "schema", why or f"schema file {schema} missing")]
        try:
            schema = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            return [Problem(name, label, "schema", f"cannot read schema {schema}: {exc}")]
    if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list):
        return [Problem(name, label, "schema", "no table schema with fields")]
    res = resource(name)
    got = [(f.get("name"), f.get("type")) for f in schema["fields"] if isinstance(f, dict)]
    want = [(f.name, f.type) for f in res.fields]
    out = []
    if got != want:
        diff = next(((g, w) for g, w in zip(got, want) if g != w), (got[len(want):] or [None], want[len(got):]))
        out.append(Problem(name, label, "schema", f"schema fields differ from rusprk.metadata: {diff[0]} "
                                                  f"where {diff[1]} is expected"))
    if schema.get("primaryKey") != list(res.primary_key):
        out.append(Problem(name, label, "schema", f"primaryKey must be {list(res.primary_key)}"))
    return out


def _read_tables(descriptor_path: Path, check_hashes: bool = True, formats=("parquet", "csv")):
    """Yield (table name, Arrow table or None, problems) in RESOURCE_ORDER, descriptor problems first (name None).

    A table comes from its Parquet copy, checked against its CSV twin, or from the CSV when it is alone.
    """
    descriptor_path = Path(descriptor_path)
    base, dname = descriptor_path.parent, descriptor_path.name
    try:
        desc = json.loads(descriptor_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        yield None, None, [Problem("datapackage", dname, None, f"cannot read descriptor: {exc}")]
        return
    entries = desc.get("resources") if isinstance(desc, dict) else None
    if not isinstance(entries, list):
        yield None, None, [Problem("datapackage", dname, "resources", "descriptor has no list of resources")]
        return
    problems: list[Problem] = []
    found: dict[tuple[str, str], dict] = {}
    for i, r in enumerate(entries):
        rname = str(r.get("name")) if isinstance(r, dict) else f"#{i + 1}"
        table = rname.removesuffix("-parquet")
        fmt = "parquet" if rname.endswith("-parquet") else "csv"
        if not isinstance(r, dict) or table not in RESOURCES:
            problems.append(Problem("datapackage", rname, "name", "resource is not a RUSPRK table"))
            continue
        path_text = str(r.get("path", ""))
        if r.get("format") != fmt or not path_text.endswith("." + fmt):
            problems.append(Problem(table, path_text, "format", f"resource {rname} must be a .{fmt} file "
                                                                f"with format {fmt!r}"))
            continue
        if (table, fmt) in found:
            problems.append(Problem(table, path_text, "name", f"resource {rname} listed twice"))
            continue
        found[(table, fmt)] = r
    yield None, None, problems
    for name in RESOURCE_ORDER:
        problems, pq_t, csv_t = [], None, None
        for fmt in ("parquet", "csv"):  # Parquet first: its rows are what the CSV must hold
            if fmt not in formats:
                continue
            r = found.get((name, fmt))
            if r is None:
                problems.append(Problem(name, dname, "resources", f"the descriptor lists no {fmt} resource"))
                continue
            label = str(r.get("path"))
            if fmt == "csv":
                problems += _check_schema(name, r, base, label)
            path, why = _inside(base, label)
            if path is None:
                problems.append(Problem(name, label, "path", why))
                continue
            if not path.is_file():
                problems.append(Problem(name, label, "path", "file missing"))
                continue
            if fmt == "parquet":
                data = path.read_bytes()
                if check_hashes and not _hash_ok(problems, name, label, r, hashlib.sha256(data), len(data)):
                    continue  # an untrusted file is not read further
                pq_t, p = _read_parquet(name, data, label)
                problems += p
                del data
                continue
            # One streaming pass hashes the CSV and compares it with the Parquet rows written as CSV;
            # only a CSV that differs is parsed, to say which cells differ.
            same, digest, size = _stream_csv(path, name, pq_t)
            if check_hashes and not _hash_ok(problems, name, label, r, digest, size):
                continue
            if same:
                continue
            csv_t, bad, p = _read_csv(name, path.read_bytes(), label)
            problems += p
            if pq_t is not None and csv_t is not None:
                problems += _compare(name, pq_t, csv_t, bad, label)
        t = pq_t if pq_t is not None else csv_t
        del pq_t, csv_t
        yield name, None if t is None else _single_chunks(t), problems
        del t  # the consumer keeps what it needs: hold nothing while reading the next table


def _hash_ok(problems: list, name: str, label: str, entry: dict, digest, size: int) -> bool:
    want, have = str(entry.get("hash", "")), "sha256:" + digest.hexdigest()
    if want != have:
        problems.append(Problem(name, label, "hash", f"sha256 mismatch: descriptor {want}, file {have}"))
        return False
    if entry.get("bytes") != size:
        problems.append(Problem(name, label, "bytes", f"size mismatch: descriptor {entry.get('bytes')}, file {size}"))
    return True


def _csv_rows(name: str, t) -> bytes:
    """Rows as ``builders.publish.csv_bytes`` writes them (minimal quoting, LF, ISO dates, true/false, empty
    for null), column-wise in Arrow.  Used only to recognise a CSV that needs no parsing; should the two
    writers ever differ, the CSV is parsed and compared cell by cell instead, so nothing is missed."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    cols = []
    for field, c in zip(resource(name).fields, t.columns):
        c = _flat(c)
        if pa.types.is_boolean(c.type):
            c = pc.if_else(c, "true", "false")
        elif pa.types.is_string(c.type) and not (field.enum or field.pattern):
            # Vocabulary and pattern values need no quotes; one that does makes the bytes differ: parsed then.
            needs = pc.match_substring_regex(c, '[,"\r\n]')
            if pc.any(needs).as_py():
                quoted = pc.binary_join_element_wise('"', pc.replace_substring(c, '"', '""'), '"', "")
                c = pc.if_else(needs, quoted, c)
        elif not pa.types.is_string(c.type):
            c = pc.cast(c, pa.string())
        cols.append(pc.fill_null(c, ""))
    lines = _flat(pc.binary_join_element_wise(pc.binary_join_element_wise(*cols, ","), "\n", ""))
    if not len(lines):
        return b""
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32, count=len(lines) + 1, offset=lines.offset * 4)
    return bytes(memoryview(lines.buffers()[2])[offsets[0]:offsets[-1]])


def _stream_csv(path: Path, name: str, t, rows: int = 1 << 16):
    """(file equals the CSV of table ``t``, sha256 of the file, its size), reading the file once."""
    digest, size, same = hashlib.sha256(), 0, t is not None
    with open(path, "rb") as fh:
        if same:
            pieces = [(",".join(t.column_names) + "\n").encode("utf-8")]
            pieces = iter(pieces + [None] * ((t.num_rows + rows - 1) // rows))
            for i, piece in enumerate(pieces):
                piece = piece if piece is not None else _csv_rows(name, t.slice((i - 1) * rows, rows))
                chunk = fh.read(len(piece))
                digest.update(chunk)
                size += len(chunk)
                if chunk != piece:
                    same = False
                    break
        while block := fh.read(1 << 22):
            digest.update(block)
            size += len(block)
            same = False
    return same, digest, size


def read_package(descriptor_path: Path, check_hashes: bool = True, formats=("parquet", "csv")):
    """(pandas frames by name, problems), the frames typed as ``rusprk.load`` types them.

    With both formats the frames come from Parquet and the CSV is compared
    with it; ``formats=("csv",)`` reads the CSV copies alone.
    """
    from rusprk._types import arrow_to_pandas

    frames, problems = {}, []
    for name, t, found in _read_tables(descriptor_path, check_hashes, formats):
        problems += found
        if t is not None:
            frames[name] = arrow_to_pandas(t, resource(name))
    return frames, _sort(problems)


def validate_package(descriptor_path: Path, seeds_dir: Path | None = None) -> list[Problem]:
    """Every problem found in the package; empty when it is valid."""
    problems, tables = _check_stream(_read_tables(descriptor_path), seeds_dir)
    if not tables and not problems:
        problems = [Problem("datapackage", Path(descriptor_path).name, None, "no tables found")]
    return _sort(problems)
