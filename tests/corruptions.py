"""A catalogue of named corruptions of a valid RUSPRK package (issue 4).

Each corruption is applied to a copy of the committed ``dist/`` and says
what ``rusprk validate`` must report: which table, row id (or file) and
field, and a piece of the message.  Unless a corruption is about hashes or
sizes, the descriptor's hashes and sizes are recomputed afterwards, so each
one tests what it names rather than tripping the hash check.  Rows to
corrupt are chosen from the data, not by hard-coded id.

tests/test_corruptions.py runs every entry; ``python tests/corruptions.py``
writes docs/corruptions.md from this file (a test fails when it is stale).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

from builders import publish  # noqa: E402
from rusprk._anchors import anchor_fields  # noqa: E402
from rusprk._types import arrow_schema  # noqa: E402
from rusprk.metadata import CAMEO_CODES, EVENT_TYPE_CODES, resource  # noqa: E402
from rusprk.validate import EXACTLY_ONE, derived_id  # noqa: E402

SEEDS = ROOT / "seeds"
DOC = ROOT / "docs" / "corruptions.md"


@dataclass(frozen=True)
class Expect:
    """A problem validate must report: table, row id or file, field, and a piece of its message."""

    table: str
    row: str | None
    field: str | None
    message: str


@dataclass(frozen=True)
class Corruption:
    name: str
    what: str  # what is corrupted
    reports: str  # a piece of the message validate gives
    apply: Callable[["Package"], list[tuple[str, str | None, str | None]]]
    seeds: bool = False  # only a check against the seed articles can see it


CATALOGUE: list[Corruption] = []


def corruption(what: str, reports: str, seeds: bool = False):
    def register(fn):
        CATALOGUE.append(Corruption(fn.__name__, what, reports, fn, seeds))
        return fn

    return register


# ---------------------------------------------------------------------------
# A package copy and consistent ways to change it
# ---------------------------------------------------------------------------

class Package:
    def __init__(self, directory: Path) -> None:
        self.dir = Path(directory)
        self.descriptor = self.dir / "datapackage.json"
        self.desc = json.loads(self.descriptor.read_text(encoding="utf-8"))
        self.seeds = SEEDS  # the seed articles validate checks the package against

    def change_seed(self, source_id: str, edit: Callable[[str], str]) -> str:
        """The seeds copied beside the package, the one of ``source_id`` edited by ``edit`` (text to text),
        and ``self.seeds`` pointed at the copy; the sources table keeps the old sha256.  Returns the new text."""
        copy = self.dir.parent / f"{self.dir.name}-seeds"
        if self.seeds == SEEDS:
            shutil.copytree(SEEDS, copy)
            self.seeds = copy
        seed = _first(self.rows("sources"), lambda s: s["source_id"] == source_id)["seed_file"]
        text = edit((copy / seed).read_text(encoding="utf-8"))
        (copy / seed).write_bytes(text.encode("utf-8"))
        return text

    @classmethod
    def copy_of(cls, source: Path, target: Path) -> "Package":
        shutil.copytree(source, target)
        return cls(target)

    def entry(self, table: str, fmt: str) -> dict:
        name = table if fmt == "csv" else f"{table}-parquet"
        return next(r for r in self.desc["resources"] if r["name"] == name)

    def path(self, table: str, fmt: str) -> Path:
        return self.dir / self.entry(table, fmt)["path"]

    def rows(self, table: str) -> list[dict]:
        return pq.read_table(self.path(table, "parquet")).to_pylist()

    def write_rows(self, table: str, rows: list[dict], sort: bool = True, formats=("parquet", "csv")) -> None:
        """Rows in both formats, as the build writes them (sorted by primary key unless sort=False)."""
        t = publish.to_arrow(table, rows) if sort else pa.Table.from_pylist(rows, arrow_schema(resource(table)))
        self.write_table(table, t, formats)

    def write_table(self, table: str, t: pa.Table, formats=("parquet", "csv")) -> None:
        if "parquet" in formats:
            if any(not f.nullable and t.column(f.name).null_count for f in t.schema):
                # Parquet cannot hold a null in a required column: a file with one declares it optional.
                t = t.cast(pa.schema([f.with_nullable(True) for f in t.schema]))
            self.path(table, "parquet").write_bytes(publish.parquet_bytes(t))
        if "csv" in formats:
            self.path(table, "csv").write_bytes(publish.csv_bytes(table, t))

    def edit_csv(self, table: str, edit: Callable[[str], str]) -> None:
        p = self.path(table, "csv")
        p.write_text(edit(p.read_text(encoding="utf-8")), encoding="utf-8", newline="")

    def rehash(self) -> None:
        """Recompute bytes and sha256 of every listed file that exists inside the package."""
        for r in self.desc["resources"]:
            p = self.dir / str(r.get("path", ""))
            if "path" in r and p.is_file() and not p.is_symlink() and p.resolve().is_relative_to(self.dir.resolve()):
                data = p.read_bytes()
                r["bytes"], r["hash"] = len(data), "sha256:" + hashlib.sha256(data).hexdigest()
        self.save()

    def save(self) -> None:
        self.descriptor.write_bytes(publish.dumps(self.desc))


def _pk(table: str) -> str:
    return resource(table).primary_key[0]


def _first(rows: list[dict], test: Callable[[dict], bool] = lambda r: True) -> dict:
    return next(r for r in rows if test(r))


def _seed_text(pkg: Package, source_id: str) -> str:
    seed = _first(pkg.rows("sources"), lambda s: s["source_id"] == source_id)["seed_file"]
    return (SEEDS / seed).read_text(encoding="utf-8")


def _rename_evidence(row: dict) -> str:
    row["evidence_id"] = derived_id("evidence", row)
    return row["evidence_id"]


# ---------------------------------------------------------------------------
# Keys
# ---------------------------------------------------------------------------

@corruption("two events rows share one event_id", "primary key is not unique")
def duplicate_primary_key(pkg):
    rows = pkg.rows("events")
    rows.append(dict(rows[0], title=rows[0]["title"] + " (copy)"))
    pkg.write_rows("events", rows)
    return [("events", rows[0]["event_id"], "event_id")]


@corruption("two countries share one name (a unique field)", "value is not unique")
def duplicate_unique_value(pkg):
    rows = pkg.rows("countries")
    rows[1]["name"] = rows[0]["name"]
    pkg.write_rows("countries", rows)
    return [("countries", rows[0]["country_iso3"], "name"), ("countries", rows[1]["country_iso3"], "name")]


@corruption("events.place_id names a place that does not exist", "refers to a missing places.place_id")
def dangling_foreign_key(pkg):
    rows = pkg.rows("events")
    rows[0]["place_id"] = "plc-nowhere"
    pkg.write_rows("events", rows)
    return [("events", rows[0]["event_id"], "place_id")]


@corruption("places.within_place_id (an id field without a declared key) names no place",
            "refers to a missing places.place_id")
def dangling_within_place(pkg):
    rows = pkg.rows("places")
    rows[0]["within_place_id"] = "plc-nowhere"
    pkg.write_rows("places", rows)
    return [("places", rows[0]["place_id"], "within_place_id")]


@corruption("evidence.source_id names a source that does not exist", "refers to a missing sources.source_id")
def dangling_evidence_source(pkg):
    rows = pkg.rows("evidence")
    rows[0]["source_id"] = "src-nowhere"
    new_id = _rename_evidence(rows[0])
    pkg.write_rows("evidence", rows)
    return [("evidence", new_id, "source_id")]


@corruption("an evidence row supports a record that does not exist", "refers to a record that does not exist")
def evidence_for_missing_record(pkg):
    rows = pkg.rows("evidence")
    row = _first(rows, lambda r: r["record_table"] == "events")
    row["record_id"] = "evt-ghost"
    new_id = _rename_evidence(row)
    pkg.write_rows("evidence", rows)
    return [("evidence", new_id, "record_id")]


@corruption("every evidence row of one gift is deleted", "record has no evidence row")
def record_without_evidence(pkg):
    gift = pkg.rows("gifts")[0]["gift_id"]
    rows = [r for r in pkg.rows("evidence") if not (r["record_table"] == "gifts" and r["record_id"] == gift)]
    pkg.write_rows("evidence", rows)
    return [("gifts", gift, "gift_id")]


@corruption("an event is part of itself", "chain loops back on itself")
def event_part_of_itself(pkg):
    rows = pkg.rows("events")
    rows[0]["part_of_event_id"] = rows[0]["event_id"]
    pkg.write_rows("events", rows)
    return [("events", rows[0]["event_id"], "part_of_event_id")]


@corruption("two events are each part of the other", "chain loops back on itself")
def event_part_of_cycle(pkg):
    rows = pkg.rows("events")
    a, b = [r for r in rows if r["part_of_event_id"] is None][:2]
    a["part_of_event_id"], b["part_of_event_id"] = b["event_id"], a["event_id"]
    pkg.write_rows("events", rows)
    return [("events", a["event_id"], "part_of_event_id"), ("events", b["event_id"], "part_of_event_id")]


@corruption("a gift id breaks the id pattern (renamed with its evidence)", "does not match")
def bad_id_pattern(pkg):
    gifts, evidence = pkg.rows("gifts"), pkg.rows("evidence")
    old, new = gifts[0]["gift_id"], "gft_Bad Id"
    gifts[0]["gift_id"] = new
    for r in evidence:
        if r["record_table"] == "gifts" and r["record_id"] == old:
            r["record_id"] = new
            _rename_evidence(r)
    pkg.write_rows("gifts", gifts)
    pkg.write_rows("evidence", evidence)
    return [("gifts", new, "gift_id")]


@corruption("an evidence_id that is not record_id@source_id:char_start-char_end", "id must be")
def evidence_id_not_derived(pkg):
    rows = pkg.rows("evidence")
    rows[0]["evidence_id"] = rows[0]["evidence_id"] + "x"
    pkg.write_rows("evidence", rows)
    return [("evidence", rows[0]["evidence_id"], "evidence_id")]


@corruption("people rows written in reverse order", "rows are not sorted by primary key")
def rows_out_of_order(pkg):
    rows = sorted(pkg.rows("people"), key=lambda r: r["person_id"], reverse=True)
    pkg.write_rows("people", rows, sort=False)
    return [("people", rows[1]["person_id"], "person_id")]


# ---------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------

@corruption("an event_type outside the event_type vocabulary", "not in vocabulary event_type")
def value_outside_vocabulary(pkg):
    rows = pkg.rows("events")
    rows[0]["event_type"] = "picnic"
    pkg.write_rows("events", rows)
    return [("events", rows[0]["event_id"], "event_type")]


@corruption("a person without a name (a required field)", "required value is missing")
def null_in_required_field(pkg):
    rows = pkg.rows("people")
    rows[0]["name"] = None
    pkg.write_rows("people", rows)
    return [("people", rows[0]["person_id"], "name")]


@corruption("an empty string where a value or null belongs", "empty string")
def empty_string(pkg):
    rows = pkg.rows("people")
    rows[0]["role"] = ""
    pkg.write_rows("people", rows)
    return [("people", rows[0]["person_id"], "role")]


@corruption("a name as UTF-8 read as CP1252 (\u00e2\u20ac\u2122 for \u2019)", "mojibake")
def mojibake_text(pkg):
    rows = pkg.rows("people")
    rows[0]["name"] = rows[0]["name"] + "\u00e2\u20ac\u2122s"
    pkg.write_rows("people", rows)
    return [("people", rows[0]["person_id"], "name")]


@corruption("a NUL byte inside a person's notes, in both copies", "control character")
def nul_in_text(pkg):
    rows = pkg.rows("people")
    row = _first(rows, lambda r: r["notes"])
    row["notes"] = row["notes"][:10] + "\x00" + row["notes"][10:]
    pkg.write_rows("people", rows)
    return [("people", row["person_id"], "notes")]


@corruption("an event's notes beginning '=HYPERLINK(', in both copies (CSV injection)", "reads as a formula")
def formula_in_notes(pkg):
    rows = pkg.rows("events")
    row = _first(rows, lambda r: r["notes"])
    row["notes"] = '=HYPERLINK("http://example.org","click") ' + row["notes"]
    pkg.write_rows("events", rows)
    return [("events", row["event_id"], "notes")]


@corruption("sources.language 'eng' (pattern ^[a-z]{2}$)", "does not match")
def pattern_mismatch(pkg):
    rows = pkg.rows("sources")
    rows[0]["language"] = "eng"
    pkg.write_rows("sources", rows)
    return [("sources", rows[0]["source_id"], "language")]


@corruption("countries.cow_ccode 1000 (maximum 999)", "above maximum 999")
def value_above_maximum(pkg):
    rows = pkg.rows("countries")
    rows[0]["cow_ccode"] = 1000
    pkg.write_rows("countries", rows)
    return [("countries", rows[0]["country_iso3"], "cow_ccode")]


@corruption("an event's CAMEO code other than its event_type's default, with no cameo_rationale",
            "is not the event type's default")
def cameo_code_mismatch(pkg):
    rows = pkg.rows("events")
    row = _first(rows, lambda r: r["cameo_rationale"] is None and r["cameo_code"] is not None)
    wrong = next(c for c, _ in EVENT_TYPE_CODES.values() if c and c != row["cameo_code"])
    row["cameo_code"], row["plover_category"] = wrong, CAMEO_CODES[wrong][1]
    pkg.write_rows("events", rows)
    return [("events", row["event_id"], "cameo_code")]


@corruption("an event's PLOVER category that does not follow its CAMEO code", "does not match cameo_code")
def plover_category_mismatch(pkg):
    rows = pkg.rows("events")
    row = _first(rows, lambda r: r["plover_category"] == "CONSULT")
    row["plover_category"] = "AID"
    pkg.write_rows("events", rows)
    return [("events", row["event_id"], "plover_category")]


@corruption("an alias that names both a person and a place", "exactly one of")
def alias_with_two_entities(pkg):
    rows, place = pkg.rows("aliases"), pkg.rows("places")[0]["place_id"]
    row = _first(rows, lambda r: r["person_id"] is not None)
    row["place_id"] = place
    pkg.write_rows("aliases", rows)
    return [("aliases", row["alias_id"], ",".join(EXACTLY_ONE["aliases"][0]))]


@corruption("a participant that is neither a person nor a body", "exactly one of")
def participant_without_actor(pkg):
    rows = pkg.rows("participants")
    rows[0]["person_id"] = rows[0]["body_id"] = None
    pkg.write_rows("participants", rows)
    return [("participants", rows[0]["participant_id"], "person_id,body_id")]


@corruption("a gift with a giver person and a giver body", "at most one of")
def gift_with_two_givers(pkg):
    rows, body = pkg.rows("gifts"), pkg.rows("bodies")[0]["body_id"]
    row = _first(rows, lambda r: r["giver_person_id"] is not None)
    row["giver_body_id"] = body
    pkg.write_rows("gifts", rows)
    return [("gifts", row["gift_id"], "giver_person_id,giver_body_id,giver_description")]


@corruption("giver_inferred true on a gift with no named giver", "giver_inferred is set")
def giver_inferred_without_giver(pkg):
    rows = pkg.rows("gifts")
    row = _first(rows, lambda r: r["giver_person_id"] is None and r["giver_body_id"] is None)
    row["giver_inferred"] = True
    pkg.write_rows("gifts", rows)
    return [("gifts", row["gift_id"], "giver_inferred")]


@corruption("identity_inferred true on a person with no identity_rationale", "no rationale is given")
def identity_inferred_without_rationale(pkg):
    rows = pkg.rows("people")
    row = _first(rows, lambda r: not r["identity_inferred"])
    row["identity_inferred"] = True
    pkg.write_rows("people", rows)
    return [("people", row["person_id"], "identity_rationale")]


# ---------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------

def _day_event(rows: list[dict]) -> dict:
    return _first(rows, lambda r: r["date_precision"] == "day" and r["date_start"].day != 1)


@corruption("an event whose date_start is after its date_end", "date_start is after date_end")
def start_after_end(pkg):
    rows = pkg.rows("events")
    row = _day_event(rows)
    row["date_end"] = row["date_start"] - dt.timedelta(days=1)
    pkg.write_rows("events", rows)
    return [("events", row["event_id"], "date_start")]


@corruption("precision 'month' on an interval that is not whole months", "a month interval must run")
def month_interval_mismatch(pkg):
    rows = pkg.rows("events")
    row = _day_event(rows)
    row["date_precision"] = "month"
    pkg.write_rows("events", rows)
    return [("events", row["event_id"], "date_precision")]


@corruption("precision 'year' on an interval that is not whole years", "a year interval must run")
def year_interval_mismatch(pkg):
    rows = pkg.rows("events")
    row = _day_event(rows)
    row["date_precision"] = "year"
    pkg.write_rows("events", rows)
    return [("events", row["event_id"], "date_precision")]


@corruption("precision 'unknown' on a dated event", "precision 'unknown' but a date is given")
def unknown_precision_with_date(pkg):
    rows = pkg.rows("events")
    row = _day_event(rows)
    row["date_precision"] = "unknown"
    pkg.write_rows("events", rows)
    return [("events", row["event_id"], "date_precision")]


@corruption("an inferred date whose rationale is removed", "date_inferred is true but no rationale")
def inferred_date_without_rationale(pkg):
    rows = pkg.rows("events")
    row = _first(rows, lambda r: r["date_inferred"])
    row["date_rationale"] = None
    pkg.write_rows("events", rows)
    return [("events", row["event_id"], "date_rationale")]


@corruption("a date rationale on a date not marked inferred", "a rationale is given but date_inferred is false")
def rationale_without_inferred_date(pkg):
    rows = pkg.rows("events")
    row = _first(rows, lambda r: not r["date_inferred"] and r["date_precision"] != "unknown")
    row["date_rationale"] = "Resolved against nothing."
    pkg.write_rows("events", rows)
    return [("events", row["event_id"], "date_rationale")]


@corruption("a source with date_published but precision 'unknown'", "precision 'unknown' but a date is given")
def source_date_with_unknown_precision(pkg):
    rows = pkg.rows("sources")
    row = _first(rows, lambda r: r["date_published"] is not None)
    row["date_published_precision"] = "unknown"
    pkg.write_rows("sources", rows)
    return [("sources", row["source_id"], "date_published")]


@corruption("an occurred event dated after the only source that reports it was published", "after its source")
def event_after_its_only_source(pkg):
    sources = {s["source_id"]: s["date_published"] for s in pkg.rows("sources")}
    reported: dict[str, set] = {}
    for r in pkg.rows("evidence"):
        if r["record_table"] == "events":
            reported.setdefault(r["record_id"], set()).add(r["source_id"])
    rows = pkg.rows("events")
    row = _first(rows, lambda e: e["status"] == "occurred" and len(reported[e["event_id"]]) == 1
                 and sources[next(iter(reported[e["event_id"]]))] is not None)
    later = sources[next(iter(reported[row["event_id"]]))] + dt.timedelta(days=10)
    row.update(date_start=later, date_end=later, date_precision="day", date_inferred=False, date_rationale=None)
    pkg.write_rows("events", rows)
    return [("events", row["event_id"], "date_start")]


# ---------------------------------------------------------------------------
# Quotes and offsets (against the seeds)
# ---------------------------------------------------------------------------

def _ascii_quote(pkg: Package, test=lambda r, text: True) -> tuple[list[dict], dict, str]:
    rows = pkg.rows("evidence")
    for r in rows:
        if r["quote"].isascii() and any(c.isalpha() for c in r["quote"]) and r["byte_start"] > 0:
            text = _seed_text(pkg, r["source_id"])
            if test(r, text):
                return rows, r, text
    raise LookupError("no suitable evidence row")


@corruption("a quote replaced by text of the same length that is not in its seed",
            "quote does not occur in its seed", seeds=True)
def quote_absent_from_seed(pkg):
    rows, row, _ = _ascii_quote(pkg, lambda r, text: r["quote"].swapcase() not in text)
    row["quote"] = row["quote"].swapcase()
    pkg.write_rows("evidence", rows)
    return [("evidence", row["evidence_id"], "quote")]


@corruption("a quote's character and byte offsets all shifted by one (id updated)",
            "quote occurs in its seed but not at char_start..char_end", seeds=True)
def offsets_off_by_one(pkg):
    rows, row, _ = _ascii_quote(pkg, lambda r, text: text[r["char_start"] + 1:r["char_end"] + 1] != r["quote"])
    for k in ("char_start", "char_end", "byte_start", "byte_end"):
        row[k] += 1
    new_id = _rename_evidence(row)
    pkg.write_rows("evidence", rows)
    return [("evidence", new_id, "char_start")]


@corruption("byte offsets shifted by one while the character offsets stay right",
            "byte_start is not the byte offset of char_start", seeds=True)
def byte_offsets_inconsistent(pkg):
    rows, row, _ = _ascii_quote(pkg)
    row["byte_start"] += 1
    row["byte_end"] += 1
    pkg.write_rows("evidence", rows)
    return [("evidence", row["evidence_id"], "byte_start")]


@corruption("byte_end one past the quote's UTF-8 length", "not the quote's length in UTF-8 bytes")
def byte_length_wrong(pkg):
    rows = pkg.rows("evidence")
    rows[0]["byte_end"] += 1
    pkg.write_rows("evidence", rows)
    return [("evidence", rows[0]["evidence_id"], "byte_end")]


@corruption("char_end one past the quote's length (id updated)", "not the quote's length in characters")
def char_length_wrong(pkg):
    rows = pkg.rows("evidence")
    rows[0]["char_end"] += 1
    new_id = _rename_evidence(rows[0])
    pkg.write_rows("evidence", rows)
    return [("evidence", new_id, "char_end")]


@corruption("a negative char_start (id updated)", "below minimum 0")
def negative_offset(pkg):
    rows = pkg.rows("evidence")
    row = rows[0]
    row["char_end"] -= row["char_start"] + 1
    row["char_start"] = -1
    new_id = _rename_evidence(row)
    pkg.write_rows("evidence", rows)
    return [("evidence", new_id, "char_start")]


@corruption("sources.sha256 that is not the seed's", "does not match its sha256", seeds=True)
def seed_hash_mismatch(pkg):
    rows = pkg.rows("sources")
    rows[0]["sha256"] = "0" * 64
    pkg.write_rows("sources", rows)
    return [("sources", rows[0]["source_id"], "sha256")]


@corruption("a quote's prefix replaced by text of the same length that is not what precedes it in the seed",
            "prefix is not the seed's text before char_start", seeds=True)
def prefix_wrong(pkg):
    rows = pkg.rows("evidence")
    row = _first(rows, lambda r: r["prefix"] and r["prefix"].swapcase() != r["prefix"])
    row["prefix"] = row["prefix"].swapcase()
    pkg.write_rows("evidence", rows)
    return [("evidence", row["evidence_id"], "prefix")]


@corruption("a quote's suffix replaced by text of the same length that is not what follows it in the seed",
            "suffix is not the seed's text after char_end", seeds=True)
def suffix_wrong(pkg):
    rows = pkg.rows("evidence")
    row = _first(rows, lambda r: r["suffix"] and r["suffix"].swapcase() != r["suffix"])
    row["suffix"] = row["suffix"].swapcase()
    pkg.write_rows("evidence", rows)
    return [("evidence", row["evidence_id"], "suffix")]


RETRIEVAL_NOTE = "Retrieved again on 2 December 2026\n"


@corruption("a seed re-normalised (a line inserted at its top), its sha256 left as it was: every quote moved, "
            "each still in the text exactly", "its seed changed and the quote moved, still matching exactly: "
            "it now stands at characters", seeds=True)
def seed_renormalised(pkg):
    first = pkg.rows("evidence")[0]  # the first row of its source: the first one named
    pkg.change_seed(first["source_id"], lambda text: RETRIEVAL_NOTE + text)
    return [("sources", first["source_id"], "sha256"), ("evidence", first["evidence_id"], "char_start")]


@corruption("a seed re-published with the text inside one quote changed, as a fixed typo changes it (a letter "
            "doubled), its sha256 left as it was: later quotes moved, that one no longer exact",
            "its seed changed and the quote no longer matches exactly: between its prefix and suffix", seeds=True)
def seed_typo_fixed(pkg):
    rows = pkg.rows("evidence")

    def alone(r, text):  # the quote occurs once and no other quote of its seed covers its middle
        mid = (r["char_start"] + r["char_end"]) // 2
        return (len(r["quote"]) >= 12 and text.count(r["quote"]) == 1 and r["quote"][len(r["quote"]) // 2].isalpha()
                and not any(o["evidence_id"] != r["evidence_id"] and o["source_id"] == r["source_id"] and o["char_start"] <= mid < o["char_end"]
                            for o in rows))

    _, row, _ = _ascii_quote(pkg, alone)
    mid = (row["char_start"] + row["char_end"]) // 2
    pkg.change_seed(row["source_id"], lambda text: text[:mid] + text[mid] + text[mid:])
    return [("sources", row["source_id"], "sha256"), ("evidence", row["evidence_id"], "quote")]


@corruption("sources.seed_file names a seed that is not in seeds/", "not found", seeds=True)
def seed_file_missing(pkg):
    rows = pkg.rows("sources")
    rows[0]["seed_file"] = "999_0000000000000000.txt"
    pkg.write_rows("sources", rows)
    return [("sources", rows[0]["source_id"], "seed_file")]


# ---------------------------------------------------------------------------
# Formats: types, columns, CSV versus Parquet
# ---------------------------------------------------------------------------

@corruption("evidence.char_start stored as text in the Parquet file", "Parquet column has type string")
def wrong_type_parquet(pkg):
    t = pq.read_table(pkg.path("evidence", "parquet"))
    i = t.schema.get_field_index("char_start")
    t = t.set_column(i, pa.field("char_start", pa.string()), t.column(i).cast(pa.string()))
    pkg.write_table("evidence", t, formats=("parquet",))
    return [("evidence", pkg.entry("evidence", "parquet")["path"], "char_start")]


def _edit_cell(pkg: Package, table: str, field: str, row_index: int, value: str) -> str:
    """Replace one CSV cell (the file is re-read as text; the Parquet copy is left alone)."""
    import csv
    import io

    text = pkg.path(table, "csv").read_text(encoding="utf-8")
    records = list(csv.reader(io.StringIO(text, newline="")))
    header = records[0]
    records[row_index + 1][header.index(field)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(records)
    pkg.path(table, "csv").write_text(out.getvalue(), encoding="utf-8", newline="")
    return records[row_index + 1][header.index(_pk(table))]


@corruption("a CSV cell 'seven hundred' in the integer field countries.cow_ccode", "not a valid integer")
def wrong_type_csv(pkg):
    rid = _edit_cell(pkg, "countries", "cow_ccode", 0, "seven hundred")
    return [("countries", rid, "cow_ccode")]


@corruption("a CSV date 2018-02-30, a day that does not exist", "not a valid date")
def impossible_date_csv(pkg):
    row = _day_event(pkg.rows("events"))
    index = [r["event_id"] for r in pkg.rows("events")].index(row["event_id"])
    rid = _edit_cell(pkg, "events", "date_start", index, "2018-02-30")
    return [("events", rid, "date_start")]


@corruption("a CSV boolean 'yes' (only true/false are boolean)", "not a valid boolean")
def invalid_boolean_csv(pkg):
    rid = _edit_cell(pkg, "events", "russia_dprk", 0, "yes")
    return [("events", rid, "russia_dprk")]


@corruption("an event title changed in the CSV but not in the Parquet file", "CSV and Parquet copies disagree")
def csv_parquet_disagree(pkg):
    rows = pkg.rows("events")
    rid = _edit_cell(pkg, "events", "title", 0, rows[0]["title"] + " (edited)")
    return [("events", rid, "title")]


@corruption("the CSV's last row deleted", "CSV has")
def csv_row_missing(pkg):
    pkg.edit_csv("people", lambda text: "".join(text.splitlines(keepends=True)[:-1]))
    return [("people", pkg.entry("people", "csv")["path"], "person_id")]


@corruption("an invalid UTF-8 byte inside a CSV cell", "invalid UTF-8")
def csv_invalid_utf8(pkg):
    rows = pkg.rows("people")
    path = pkg.path("people", "csv")
    data = path.read_bytes()
    name = rows[0]["name"].encode("utf-8")
    path.write_bytes(data.replace(name, name[:1] + b"\xff" + name[1:], 1))
    return [("people", f"{pkg.entry('people', 'csv')['path']}:2", "encoding"),
            Expect("people", rows[0]["person_id"], "name", "CSV and Parquet copies disagree")]


@corruption("a byte-order mark before the CSV header", "byte-order mark")
def csv_byte_order_mark(pkg):
    path = pkg.path("people", "csv")
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    return [("people", pkg.entry("people", "csv")["path"], "encoding")]


def _with_columns(pkg: Package, table: str, change: Callable[[pa.Table], pa.Table]) -> None:
    pkg.write_table(table, change(pq.read_table(pkg.path(table, "parquet"))))


@corruption("an extra column 'comment' in both copies of people", "unexpected column")
def extra_column(pkg):
    _with_columns(pkg, "people", lambda t: t.append_column("comment", pa.array(["x"] * t.num_rows)))
    return [("people", pkg.entry("people", fmt)["path"], "comment") for fmt in ("csv", "parquet")]


@corruption("the column people.role dropped from both copies", "column missing")
def missing_column(pkg):
    _with_columns(pkg, "people", lambda t: t.drop_columns(["role"]))
    return [("people", pkg.entry("people", fmt)["path"], "role") for fmt in ("csv", "parquet")]


@corruption("the columns country_iso3 and role of people swapped in both copies", "columns out of order")
def reordered_columns(pkg):
    def swap(t):
        names = t.column_names
        i, j = names.index("country_iso3"), names.index("role")
        names[i], names[j] = names[j], names[i]
        return t.select(names)

    _with_columns(pkg, "people", swap)
    return [("people", pkg.entry("people", fmt)["path"], "country_iso3") for fmt in ("csv", "parquet")]


# ---------------------------------------------------------------------------
# Files and the descriptor
# ---------------------------------------------------------------------------

@corruption("bytes of events.parquet changed, descriptor not updated", "sha256 mismatch")
def tampered_parquet_bytes(pkg):
    path = pkg.path("events", "parquet")
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    return [("events", pkg.entry("events", "parquet")["path"], "hash")]


@corruption("bytes of events.csv changed, descriptor not updated", "sha256 mismatch")
def tampered_csv_bytes(pkg):
    pkg.edit_csv("events", lambda text: text.replace("Kim", "Kin", 1))
    return [("events", pkg.entry("events", "csv")["path"], "hash")]


@corruption("the descriptor's byte count of events.csv off by one", "size mismatch")
def descriptor_bytes_wrong(pkg):
    pkg.entry("events", "csv")["bytes"] += 1
    pkg.save()
    return [("events", pkg.entry("events", "csv")["path"], "bytes")]


@corruption("gifts.parquet deleted", "file missing")
def file_missing(pkg):
    pkg.path("gifts", "parquet").unlink()
    return [("gifts", pkg.entry("gifts", "parquet")["path"], "path")]


@corruption("a resource path '../gifts.csv' leading out of the package (to a real copy)", "escapes the package")
def path_escapes_package(pkg):
    shutil.copy(pkg.path("gifts", "csv"), pkg.dir.parent / "gifts.csv")
    pkg.entry("gifts", "csv")["path"] = "../gifts.csv"
    pkg.save()
    return [("gifts", "../gifts.csv", "path")]


@corruption("an absolute resource path (to a real copy outside the package)", "escapes the package")
def path_absolute(pkg):
    outside = pkg.dir.parent / "elsewhere.csv"
    shutil.copy(pkg.path("gifts", "csv"), outside)
    pkg.entry("gifts", "csv")["path"] = str(outside)
    pkg.save()
    return [("gifts", str(outside), "path")]


@corruption("gifts.csv replaced by a symlink to a copy outside the package", "resolves outside the package")
def path_symlink_escape(pkg):
    outside = pkg.dir.parent / "linked.csv"
    path = pkg.path("gifts", "csv")
    shutil.copy(path, outside)
    path.unlink()
    path.symlink_to(outside)
    return [("gifts", pkg.entry("gifts", "csv")["path"], "path")]


@corruption("a resource that is not a RUSPRK table ('secrets')", "is not a RUSPRK table")
def unknown_resource(pkg):
    (pkg.dir / "secrets.csv").write_text("a\n1\n", encoding="utf-8")
    pkg.desc["resources"].append({"name": "secrets", "path": "secrets.csv", "format": "csv"})
    pkg.rehash()
    return [("datapackage", "secrets", "name")]


@corruption("the events CSV resource listed twice", "listed twice")
def resource_listed_twice(pkg):
    pkg.desc["resources"].append(dict(pkg.entry("events", "csv")))
    pkg.save()
    return [("events", pkg.entry("events", "csv")["path"], "name")]


@corruption("the gifts Parquet resource removed from the descriptor", "lists no parquet resource")
def resource_not_listed(pkg):
    pkg.desc["resources"].remove(pkg.entry("gifts", "parquet"))
    pkg.save()
    return [("gifts", "datapackage.json", "resources")]


@corruption("a resource whose format does not match its file", "must be a .csv file")
def resource_format_wrong(pkg):
    pkg.entry("events", "csv")["format"] = "parquet"
    pkg.save()
    return [("events", pkg.entry("events", "csv")["path"], "format")]


@corruption("the descriptor's schema of events declares date_start a string", "schema fields differ")
def descriptor_schema_mismatch(pkg):
    field = next(f for f in pkg.entry("events", "csv")["schema"]["fields"] if f["name"] == "date_start")
    field["type"] = "string"
    pkg.save()
    return [("events", pkg.entry("events", "csv")["path"], "schema")]


# ---------------------------------------------------------------------------
# Meaning: the form stays valid, the content is wrong (rusprk.validate.meaning)
# ---------------------------------------------------------------------------

def _by_id(rows: list[dict], table: str, record_id: str) -> dict:
    return _first(rows, lambda r: r[_pk(table)] == record_id)


@corruption("evidence that is a separator line ('-' in a source's header)", "has no letter or digit")
def meaning_punctuation_evidence(pkg):
    rows = pkg.rows("evidence")
    src = _first(pkg.rows("sources"), lambda s: s["seed_file"].startswith("001_"))
    text = _seed_text(pkg, src["source_id"])
    start = text.index("\n-\n") + 1
    row = {"record_table": "sources", "record_id": src["source_id"], "source_id": src["source_id"],
           "region": "header", "context": False, "quote": "-", "char_start": start, "char_end": start + 1,
           "byte_start": len(text[:start].encode()), "byte_end": len(text[:start].encode()) + 1,
           **anchor_fields(text, start, start + 1), "attributed_to": None}
    _rename_evidence(row)
    rows.append(row)
    pkg.write_rows("evidence", rows)
    return [("evidence", row["evidence_id"], "quote")]


@corruption("a quote that names none of its event's actors, no longer marked context", "names none of")
def meaning_unmarked_context_quote(pkg):
    rows = pkg.rows("evidence")
    row = _first(rows, lambda r: r["context"] and r["record_table"] == "events")
    row["context"] = False
    pkg.write_rows("evidence", rows)
    return [("evidence", row["evidence_id"], "quote")]


@corruption("the alias 'DPRK' of the North Korean state removed, though a participant's quote relies on it",
            "does not name bod-north-korea")
def meaning_missing_alias(pkg):
    alias = "bod-north-korea:DPRK"
    pkg.write_rows("aliases", [r for r in pkg.rows("aliases") if r["alias_id"] != alias])
    pkg.write_rows("evidence", [r for r in pkg.rows("evidence") if r["record_id"] != alias])
    part = _first(pkg.rows("participants"), lambda p: p["body_id"] == "bod-north-korea" and p["event_id"]
                  == "evt-2018-05-31-lavrov-sanctions-statement")
    return [("participants", part["participant_id"], "body_id")]


@corruption("a stop on a dated trip left undated ('unknown')", "before its parent's start")
def meaning_part_outside_parent(pkg):
    rows = pkg.rows("events")
    row = _by_id(rows, "events", "evt-2023-kim-vladivostok-stop")
    row.update(date_start=None, date_end=None, date_precision="unknown", date_inferred=False, date_rationale=None)
    pkg.write_rows("events", rows)
    return [("events", row["event_id"], "date_start")]


@corruption("talks retyped as a meeting, whose pattern needs a host and a guest", "needs 1 participant(s) as host")
def meaning_role_pattern(pkg):
    rows = pkg.rows("events")
    row = _by_id(rows, "events", "evt-2018-05-31-lavrov-ri-talks")
    row.update(event_type="meeting", cameo_code=EVENT_TYPE_CODES["meeting"][0],
               plover_category=EVENT_TYPE_CODES["meeting"][1])
    pkg.write_rows("events", rows)
    return [("events", row["event_id"], "event_type")]


@corruption("a day-precise date no quote or rationale writes out", "precision 'day' claims")
def meaning_unstated_day(pkg):
    rows = pkg.rows("events")
    row = _by_id(rows, "events", "evt-2018-05-30-lavrov-pompeo-call")
    row.update(date_start=dt.date(2018, 5, 29), date_end=dt.date(2018, 5, 29))
    pkg.write_rows("events", rows)
    return [("events", row["event_id"], "date_start")]


@corruption("a North Korean name hyphenated against the naming convention", "naming convention for PRK")
def meaning_name_convention(pkg):
    rows = pkg.rows("people")
    row = _by_id(rows, "people", "per-ri-yong-ho")
    row["name"] = "Ri Yong-ho"
    pkg.write_rows("people", rows)
    return [("people", row["person_id"], "name")]


@corruption("a Russia–US call flagged as a Russia–DPRK exchange", "no PRK actor")
def meaning_russia_dprk_flag(pkg):
    rows = pkg.rows("events")
    row = _by_id(rows, "events", "evt-2018-05-30-lavrov-pompeo-call")
    row["russia_dprk"] = True
    pkg.write_rows("events", rows)
    return [("events", row["event_id"], "russia_dprk")]


@corruption("an arrival within a visit (both CAMEO 042) counted as a CAMEO event of its own", "should be false")
def meaning_cameo_counted(pkg):
    rows = pkg.rows("events")
    row = _first(rows, lambda r: not r["cameo_counted"])
    row["cameo_counted"] = True
    pkg.write_rows("events", rows)
    return [("events", row["event_id"], "cameo_counted")]


@corruption("an event at a building given place precision 'city'", "should be 'site'")
def meaning_place_precision(pkg):
    rows = pkg.rows("events")
    row = _first(rows, lambda r: r["place_precision"] == "site")
    row["place_precision"] = "city"
    pkg.write_rows("events", rows)
    return [("events", row["event_id"], "place_precision")]


def expected(c: Corruption, pkg: Package) -> list[Expect]:
    """Apply ``c`` to ``pkg`` (rehashing unless it is about hashes or sizes) and return what must be reported."""
    out = c.apply(pkg)
    if c.name not in ("tampered_parquet_bytes", "tampered_csv_bytes", "descriptor_bytes_wrong"):
        pkg.rehash()
    return [e if isinstance(e, Expect) else Expect(*e, SHA256_MESSAGE if e[2] == "sha256" else c.reports)
            for e in out]


SHA256_MESSAGE = "does not match its sha256"


# ---------------------------------------------------------------------------
# docs/corruptions.md
# ---------------------------------------------------------------------------

def render_doc() -> str:
    lines = [
        "# Corruption catalogue",
        "",
        "Generated from `tests/corruptions.py` by `python tests/corruptions.py`; "
        "`tests/test_corruptions.py` fails when this file is stale.",
        "",
        "Each corruption is applied to a copy of the committed `dist/` (hashes recomputed unless the "
        "corruption is about them). `rusprk validate` must reject every one, exit non-zero, and name "
        "the table, the row id (or file) and the field; the test checks all three and the message.",
        "Corruptions marked *seeds* are found only when the seed articles are checked "
        "(`rusprk validate --seeds seeds/`, the default in a source checkout).",
        "",
        "Related properties (hypothesis): `tests/test_properties.py` (round trip through Parquet and CSV, "
        "the validator accepting generated packages and enforcing dates and keys, order-independent "
        "builds, stable ids) and `tests/test_quotes.py` (any substring of any seed is located at its "
        "offsets).",
        "",
        f"{len(CATALOGUE)} corruptions:",
        "",
        "| corruption | what is corrupted | validate reports |",
        "|---|---|---|",
    ]
    for c in CATALOGUE:
        what = c.what.replace("|", "\\|") + (" *(seeds)*" if c.seeds else "")
        lines.append(f"| `{c.name}` | {what} | {c.reports.replace('|', chr(92) + '|')} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text(render_doc(), encoding="utf-8")
    print(f"wrote {DOC.relative_to(ROOT)}: {len(CATALOGUE)} corruptions")
