"""Hypothesis strategies for valid RUSPRK packages, derived from the schema.

``packages()`` draws the rows of all ten tables as plain Python dicts (the
shape ``builders.publish.to_arrow`` takes).  Nothing about the tables is
restated here:

* fields, types, required, unique, patterns, ranges and vocabularies come
  from ``rusprk.metadata``;
* references come from ``rusprk.validate.references`` (the declared foreign
  keys plus the documented id fields), so every key resolves;
* the cross-field rules (one actor per link row, at most one giver, flags
  that imply values, rationales with inferred values, derived ids, codes per
  event type, dates matching their precision, occurred events not after the
  sources that report them) come from the rule tables in ``rusprk.validate``.

A generated package is therefore valid by construction; the property tests
check that the validator agrees.  Evidence quotes are random text, not
passages of real seeds, so generated packages are validated without seeds
(quote location is tested on the real seeds in tests/test_quotes.py).

``packages(cover=True)`` draws bigger packages in which every vocabulary
value, every date precision, both booleans and both null and non-null for
every optional field occur (tests/test_properties.py checks that it does).
"""

from __future__ import annotations

import calendar
import contextlib
import datetime as dt
import functools
import os
import re
from pathlib import Path

from hypothesis import strategies as st

from rusprk.metadata import CAMEO_CODES, EVENT_TYPE_CAMEO, RESOURCE_ORDER, RESOURCES, VOCABULARIES, Field, resource
from rusprk.validate import AT_MOST_ONE, DERIVED_IDS, EXACTLY_ONE, IMPLIES, MOJIBAKE, derived_id, references
from rusprk.validate.rules import FORMULA_START

ROOT = Path(__file__).resolve().parent.parent
_MOJIBAKE = re.compile(MOJIBAKE)

#: Any Unicode text a curator could type (no surrogates: they are not UTF-8), never empty (an
#: empty CSV cell is null), never looking like mojibake, holding no control character but TAB and LF,
#: and never beginning like a spreadsheet formula (the validator rejects all three).
_FORMULA = re.compile(FORMULA_START)
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs"), include_characters="\t\n"),
               min_size=1, max_size=24).filter(lambda s: not _MOJIBAKE.search(s) and not _FORMULA.match(s))
#: Cover mode draws a few hundred values, to reach every vocabulary value, not to vary text: a few
#: fixed texts (ASCII, Latin, Greek, CJK, an emoji, a quote and a line break, which CSV must quote) keep
#: it well within hypothesis's data budget; TEXT varies text in the other tests.
SHORT_TEXT = st.sampled_from(["a", "é", "Ω", "中", "😀", 'a"b', "a,b", "a\nb", " a"])
DATES = st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31))
SIZE = 4  # rows per table at most (cover mode: enough for every vocabulary value)

def _table_order() -> tuple[str, ...]:
    """RESOURCE_ORDER, checked to list every referenced table before the tables referring to it."""
    for i, name in enumerate(RESOURCE_ORDER):
        for _, target, _ in references(name):
            assert RESOURCE_ORDER.index(target) <= i, f"{name} refers to {target}, listed after it"
    return RESOURCE_ORDER


@functools.lru_cache(maxsize=None)  # build each strategy once: from_regex is costly to set up
def _value(f: Field, cover: bool = False) -> st.SearchStrategy:
    """A valid value of one field, from its metadata alone."""
    if f.enum:
        return st.sampled_from(list(VOCABULARIES[f.enum]))
    if f.pattern:
        return st.from_regex(f.pattern, fullmatch=True)
    if f.type == "string":
        return SHORT_TEXT if cover else TEXT
    if f.type == "integer":
        return st.integers(f.minimum if f.minimum is not None else -(2**63),
                           f.maximum if f.maximum is not None else 2**63 - 1)
    if f.type == "boolean":
        return st.booleans()
    return DATES


def _interval(draw, precision: str) -> tuple[dt.date | None, dt.date | None]:
    """Start and end that match a precision (see VOCABULARIES['date_precision'])."""
    if precision == "unknown":
        return None, None
    start = draw(DATES)
    if precision in ("day", "range"):
        end = start + dt.timedelta(days=draw(st.integers(0, 3) if precision == "day" else st.integers(0, 400)))
        side = draw(st.sampled_from(["closed", "open start", "open end"]))  # one side may be open, not both
        return (None if side == "open start" else start), (None if side == "open end" else end)
    if precision == "month":
        months = draw(st.integers(0, 2))
        y, m = divmod(start.year * 12 + start.month - 1 + months, 12)
        return start.replace(day=1), dt.date(y, m + 1, calendar.monthrange(y, m + 1)[1])
    return dt.date(start.year, 1, 1), dt.date(start.year + draw(st.integers(0, 2)), 12, 31)


class _Draw:
    """Draws one table's rows, field by field, then applies the cross-field rules."""

    def __init__(self, draw, rows: dict[str, list[dict]], cover: bool) -> None:
        self.draw, self.rows, self.cover = draw, rows, cover

    def keys(self, table: str, field: str) -> list:
        return [r[field] for r in self.rows[table]]

    def size(self, name: str) -> int:
        res = resource(name)
        refs = {f: (t, tf) for f, t, tf in references(name)}
        for f in res.fields:  # a required reference to an empty table allows no rows
            if f.required and f.name in refs and refs[f.name][0] != name and not self.rows[refs[f.name][0]]:
                return 0
        for group in EXACTLY_ONE.get(name, ()):
            if not any(self.rows[refs[f][0]] for f in group):
                return 0
        if self.cover:
            # Enough rows for every vocabulary value, and for each choice of the groups of which at
            # most one field is set (row i sets choice i, row 0 none), so every field is set somewhere.
            vocab = max((len(VOCABULARIES[f.enum]) for f in res.fields if f.enum), default=0)
            groups = max((len(g) + 1 for g in AT_MOST_ONE.get(name, ())), default=0)
            return max(2, vocab, groups)
        return self.draw(st.integers(0, SIZE))

    def column(self, name: str, f: Field, n: int, own_keys: list) -> list:
        """n values of field f.  In cover mode row 0 leaves an optional field null, the other rows set it,
        booleans are false then true, and vocabulary values come in order, so that all of them occur."""
        refs = {fld: (t, tf) for fld, t, tf in references(name)}
        values = []
        for i in range(n):
            if f.name in refs:
                target, tf = refs[f.name]
                # A reference within the table points to an earlier row, so chains never loop.
                keys = own_keys[:i] if target == name else self.keys(target, tf)
                strategy = st.sampled_from(keys) if keys else st.nothing()
            else:
                strategy = _value(f, self.cover)
            if self.cover and f.enum and i < len(VOCABULARIES[f.enum]):
                strategy = st.just(list(VOCABULARIES[f.enum])[i])
            elif self.cover and f.type == "boolean" and i < 2:
                strategy = st.just(bool(i))
            if not f.required:
                if self.cover:
                    strategy = st.none() if i == 0 or strategy.is_empty else strategy
                else:
                    strategy = st.none() | strategy
            values.append(self.draw(strategy))
        return values

    def table(self, name: str) -> list[dict]:
        res = resource(name)
        n = self.size(name)
        pk = res.field(res.primary_key[0])
        if name in DERIVED_IDS:
            columns = {pk.name: [None] * n}  # set from the other fields below
        else:
            columns = {pk.name: self.draw(st.lists(_value(pk), min_size=n, max_size=n, unique=True))}
        # Text that forms a derived id (an alias) is drawn distinct, so no row is lost to a clash.
        id_text = {f for part in DERIVED_IDS.get(name, ("", ()))[1] if not isinstance(part, str) for f in part
                   if f not in {r for r, _, _ in references(name)} and not res.field(f).enum
                   and res.field(f).type == "string"}
        for f in res.fields:
            if f.name in columns:
                continue
            if f.unique or f.name in id_text:
                columns[f.name] = self.draw(st.lists(_value(f), min_size=n, max_size=n, unique=True))
            else:
                columns[f.name] = self.column(name, f, n, columns[pk.name])
        rows = [{f: columns[f][i] for f in res.field_names} for i in range(n)]
        for i, row in enumerate(rows):
            self.rules(name, row, i)
        if name in DERIVED_IDS:  # one row per derived id
            unique: dict[str, dict] = {}
            for row in rows:
                row[pk.name] = derived_id(name, row)
                unique.setdefault(row[pk.name], row)
            rows = list(unique.values())
        return rows

    def rules(self, name: str, row: dict, i: int) -> None:
        res = resource(name)
        draw = self.draw
        for group in EXACTLY_ONE.get(name, ()):
            refs = {f: t for f, t, _ in references(name)}
            usable = [f for f in group if self.rows[refs[f]]]
            keep = usable[i % len(usable)] if self.cover else draw(st.sampled_from(usable))
            for f in group:
                row[f] = row[f] if f == keep else None
            if row[keep] is None:
                row[keep] = draw(st.sampled_from(self.keys(refs[keep], RESOURCES[refs[keep]].primary_key[0])))
        for group in AT_MOST_ONE.get(name, ()):
            keep = i % (len(group) + 1) if self.cover else draw(st.integers(0, len(group)))
            for k, f in enumerate(group):
                if k + 1 != keep:
                    row[f] = None
        if "date_precision" in row:
            row["date_start"], row["date_end"] = _interval(draw, row["date_precision"])
        for field, prec in ((f.name, f.name + "_precision") for f in res.fields if f.type == "date"):
            if prec in row:  # a single date: undated exactly when the precision is 'unknown'
                if row[prec] == "unknown":
                    row[field] = None
                elif row[field] is None:
                    row[field] = draw(DATES)
        if name == "events":  # the type's default code, or (with a rationale) any code
            default = EVENT_TYPE_CAMEO[row["event_type"]]
            if row["cameo_rationale"] is None or default is None:
                row["cameo_rationale"], code = None, default
            elif self.cover:
                code = list(CAMEO_CODES)[(i - 1) % len(CAMEO_CODES)]
            else:
                code = row["cameo_code"] or draw(st.sampled_from(list(CAMEO_CODES)))
            row["cameo_code"], row["plover_category"] = code, CAMEO_CODES[code][1] if code else None
        for table, field, then in IMPLIES:
            if table == name and row[field] and not any(row[f] for f in then):
                row[field] = False if isinstance(row[field], bool) else None
        for flag in (f.name for f in res.fields if f.name.endswith("_inferred")):
            why = flag[: -len("_inferred")] + "_rationale"
            if why in row:
                row[why] = draw(_value(res.field(why), self.cover)) if row[flag] else None


def _evidence(draw, rows: dict[str, list[dict]], cover: bool) -> list[dict]:
    """One or two quotes for every record; an occurred event only from sources not older than it."""
    res = resource("evidence")
    sources = rows["sources"]
    out: dict[str, dict] = {}
    regions = list(VOCABULARIES[res.field("region").enum])
    for table in RESOURCE_ORDER:
        if table == "evidence":
            continue
        pk = resource(table).primary_key[0]
        for record in rows[table]:
            if table == "sources":
                allowed = [record]  # a source's metadata is quoted from itself
            elif table == "events" and record["status"] == "occurred" and record["date_start"] is not None:
                allowed = [s for s in sources if s["date_published"] is None
                           or s["date_published"] >= record["date_start"]]
                if not allowed:
                    statuses = [v for v in VOCABULARIES["status"] if v != "occurred"]
                    record["status"] = draw(st.sampled_from(statuses))
                    allowed = sources
            else:
                allowed = sources
            for _ in range(1 if cover else draw(st.integers(1, 2))):
                quote = draw(SHORT_TEXT if cover else TEXT)
                char_start = draw(st.integers(0, 10**6))
                row = {
                    "record_table": table,
                    "record_id": record[pk],
                    "source_id": draw(st.sampled_from(allowed))["source_id"],
                    "region": regions[len(out) % len(regions)] if cover else draw(st.sampled_from(regions)),
                    "context": len(out) % 2 == 1 if cover else draw(st.booleans()),
                    "quote": quote,
                    "char_start": char_start,
                    "char_end": char_start + len(quote),
                    # each character takes one to four bytes, so the byte offset is at least the character one
                    "byte_start": char_start + draw(st.integers(0, 3 * char_start)),
                    # the seed's text either side (unchecked without seeds): any text, null at an edge
                    "prefix": draw(st.none() | (SHORT_TEXT if cover else TEXT)),
                    "suffix": draw(st.none() | (SHORT_TEXT if cover else TEXT)),
                    "attributed_to": draw(st.none() | (SHORT_TEXT if cover else TEXT)),
                }
                row["byte_end"] = row["byte_start"] + len(quote.encode("utf-8"))
                row["evidence_id"] = derived_id("evidence", row)
                out.setdefault(row["evidence_id"], row)
    return list(out.values())


@st.composite
def packages(draw, cover: bool = False) -> dict[str, list[dict]]:
    """The rows of a valid package, by table name."""
    rows: dict[str, list[dict]] = {name: [] for name in RESOURCE_ORDER}
    tables = _Draw(draw, rows, cover)
    for name in _table_order():
        if name == "evidence":
            continue
        rows[name] = tables.table(name)
        if name == "sources" and not rows[name]:
            return rows  # no source, no evidence, so no record at all: the empty package
    # (In cover mode one source has precision 'unknown', so is undated, and may report any event.)
    rows["evidence"] = _evidence(draw, rows, cover)
    return rows


# ---------------------------------------------------------------------------
# Writing a generated package the way the build writes dist/
# ---------------------------------------------------------------------------

@contextlib.contextmanager
def _epoch(value: str = "1700000000"):
    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = value
    try:
        yield
    finally:
        if old is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old


def write_package(rows: dict[str, list[dict]], directory: Path) -> Path:
    """Write Parquet, CSV and datapackage.json with builders.publish's writers; return the descriptor."""
    from builders import publish

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    files: dict[str, bytes] = {}
    for name in RESOURCE_ORDER:
        table = publish.to_arrow(name, rows[name])
        files[f"{name}.parquet"] = publish.parquet_bytes(table)
        files[f"{name}.csv"] = publish.csv_bytes(name, table)
    with _epoch():
        desc = publish.descriptor(ROOT, files, rows["sources"], prefix="", inline_schema=True)
    files["datapackage.json"] = publish.dumps(desc)
    for rel, data in files.items():
        (directory / rel).write_bytes(data)
    return directory / "datapackage.json"


def frames_of(rows: dict[str, list[dict]]) -> dict:
    """The pandas frames the package should load as: the build's own conversion of its rows."""
    from builders import publish
    from rusprk._types import arrow_to_pandas

    return {name: arrow_to_pandas(publish.to_arrow(name, rows[name]), resource(name)) for name in RESOURCE_ORDER}
