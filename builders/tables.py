"""Stage 3: turn parsed seeds and hand-maps into table rows.

Each seed and its hand-map become that seed's part of the tables
(``builders.seed_part``: the hand-map validated, every quote located, its
rows), cached by the content hash of their inputs so that an edit re-reads one
hand-map.  Here the parts are merged by id (a record defined twice is an error
naming both places) and the checks across hand-maps run on their rows:
references, aliases, derived dates and places, participants' default
evidence, attribution.  The result is plain Python rows per table, in no
particular order: ``builders.publish`` sorts and types them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path


from builders.errors import BuildError
from builders.handmap import HandMap, load_handmap, open_todos
from builders.parse import ParsedSeed, parse_seed
from builders.quotes import NormalisedText
from builders.seed_part import DEFINING, Part, SeedReader, merge_evidence
from rusprk.validate.meaning.attribution_consistent import ATTRIBUTED_TABLES, containing
from rusprk.validate.meaning.derived import cameo_counted, place_precision
from rusprk.validate.meaning.text import Gazetteer, contains


@dataclass
class Seed:
    parsed: ParsedSeed
    handmap: HandMap
    handmap_path: Path
    norm: NormalisedText
    source_id: str


@dataclass
class Tables:
    rows: dict[str, list[dict]] = field(default_factory=lambda: defaultdict(list))
    # evidence id (record, source and span) -> evidence row
    evidence: dict[str, dict] = field(default_factory=dict)
    # (table, row id) -> (hand-map, line) where the row was written: problems found in the rows
    # (rusprk.validate.meaning) are reported at the hand-map line they came from.
    origin: dict[tuple[str, str], tuple[Path, int | None]] = field(default_factory=dict)
    # source_id -> (start, end, region) of every part of its seed the build read, for the evidence browser
    regions: dict[str, list[tuple[int, int, str]]] = field(default_factory=dict)


def _line_of_key(path: Path, key: str) -> int | None:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.lstrip().startswith(f"{key}:"):
            return number
    return None


def seed_order(path: Path) -> tuple[int, str]:
    """Seeds in the order of their numbers (``1000_…`` after ``999_…``), whatever the width."""
    number, _, _ = path.name.partition("_")
    return (int(number) if number.isdigit() else -1, path.name)


def seed_pairs(root: Path) -> list[tuple[Path, Path]]:
    """(seed, hand-map) for every seed, in seed order; refuse strays."""
    seed_dir, map_dir = root / "seeds", root / "builders" / "handmaps"
    seed_files = sorted(seed_dir.glob("*.txt"), key=seed_order)
    map_files = sorted(map_dir.glob("*.yaml"))
    if not seed_files:
        raise BuildError(seed_dir, "no seeds found")
    maps = {p.stem: p for p in map_files}
    for p in map_files:
        if not (seed_dir / f"{p.stem}.txt").exists():
            raise BuildError(p, f"hand-map has no seed {p.stem}.txt in {seed_dir}", line=1)
    for sf in seed_files:
        if sf.stem not in maps:
            raise BuildError(sf, f"seed has no hand-map {map_dir / (sf.stem + '.yaml')}")
    return [(sf, maps[sf.stem]) for sf in seed_files]


def read_seed(sf: Path, path: Path, drafts: bool = False, cache_dir: Path | None = None,
              write_cache: bool = False) -> Seed:
    """One seed paired with its validated hand-map; refuse a changed seed."""
    hm = load_handmap(path, cache_dir, write_cache=write_cache)
    if hm.seed != sf.name:
        raise BuildError(path, f"names seed {hm.seed!r} but is the hand-map of {sf.name!r}",
                         line=_line_of_key(path, "seed"), field="seed")
    if (todo := open_todos(path, hm)) and not drafts:
        raise todo
    parsed = parse_seed(sf, hm.layout, handmap=path)
    if parsed.sha256 != hm.seed_sha256:
        raise BuildError(path, f"seed {sf.name} has changed since this hand-map was written "
                               f"(sha256 {parsed.sha256}, hand-map records {hm.seed_sha256}); "
                               "re-check every quote, then update seed_sha256",
                         line=_line_of_key(path, "seed_sha256"), field="seed_sha256")
    return Seed(parsed, hm, path, NormalisedText.of(parsed.text), hm.source.id)


def load_seeds(root: Path, drafts: bool = False, cache: str | None = None) -> list[Seed]:
    """Pair every seed with its hand-map, read in full (no part cache); refuse strays and changed seeds."""
    cache_dir = root / ".cache" / "handmaps" if cache else None
    return [read_seed(sf, path, drafts, cache_dir, cache == "write") for sf, path in seed_pairs(root)]


def load_parts(root: Path, drafts: bool = False, cache: str | None = None) -> list[tuple[Path, Part]]:
    """(hand-map, its part) for every seed, in seed order.  With ``cache`` ("write" for the build, "read" for
    ``rusprk check``, which writes nothing) a part whose inputs are unchanged comes from ``.cache/parts/``
    (``builders.cache``) and the hand-map is not read at all."""
    import json

    from builders import cache as entries
    from builders.limits import MAX_HANDMAP_BYTES, MAX_SEED_BYTES, read_regular
    from builders.parallel_parts import read_parts
    from builders.seed_part import json_default

    handmap_dir = root / ".cache" / "handmaps" if cache else None
    part_dir = root / ".cache" / "parts" if cache else None
    out, used, readings = [], set(), set()
    missing = []  # (where in out, seed, hand-map, cache key) of each part to read
    for sf, path in seed_pairs(root):
        key = None
        if part_dir is not None:  # read as the hand-map's and the seed's readers read them: bounded, regular files
            handmap_bytes = read_regular(path, MAX_HANDMAP_BYTES, "hand-map")
            readings.add(entries.key(handmap_bytes))
            key = entries.part_key(path.name, handmap_bytes, sf.name, read_regular(sf, MAX_SEED_BYTES, "seed"))
            used.add(key)
            cached = entries.get(part_dir, key)
            part = _part_from(cached)
            if part is not None:
                out.append((path, part))
                continue
        missing.append((len(out), sf, path, key))
        out.append(None)
    # Many missing parts (a clean build) are read on every core; the rest, and any a worker failed on, here.
    texts = read_parts([(sf, path, drafts, handmap_dir, cache == "write") for _, sf, path, _ in missing])
    for (at, sf, path, key), text in zip(missing, texts):
        if text is not None:
            part = Part.from_json(json.loads(text))
        else:
            part = SeedReader(read_seed(sf, path, drafts, handmap_dir, cache == "write")).read()
        if key is not None and cache == "write":
            if text is not None:  # a worker's JSON, as ``entries.put`` makes it
                entries.put_text(part_dir, key, text)
            else:
                entries.put(part_dir, key, part.to_json(), default=json_default)
        out[at] = (path, part)
    if cache == "write":
        entries.prune(handmap_dir, readings)
        entries.prune(part_dir, used)
    return out


def _part_from(cached) -> Part | None:
    """A cached part, or None when the entry is missing or not one (a miss: the part is read again)."""
    if not isinstance(cached, dict):
        return None
    try:
        return Part.from_json(cached)
    except (TypeError, ValueError, AttributeError, KeyError):
        return None


class _Builder:
    """The checks across hand-maps, on their parts' rows, and the merged tables."""

    def __init__(self, root: Path, parts: list[tuple[Path, Part]]) -> None:
        self.root = root
        self.parts = parts
        self.t = Tables()
        self.defined: dict[str, tuple[Path, int]] = {}
        self.event_at: dict[str, tuple[Path, int]] = {}  # event id -> (hand-map, line)

    def define(self, record_id: str, path: Path, line: int) -> None:
        if record_id in self.defined:
            first, first_line = self.defined[record_id]
            raise BuildError(path, f"{record_id} is already defined at {first}:{first_line}; "
                             "define a record once and `cite` it elsewhere", line=line, row=record_id, field="id")
        self.defined[record_id] = (path, line)

    def build(self) -> Tables:
        for stage in DEFINING:  # each stage across every hand-map, as a curator reads the ids
            for path, part in self.parts:
                for record_id, line in part.defines[stage]:
                    self.define(record_id, path, line)
        for path, part in self.parts:
            for table, rows in part.rows.items():
                self.t.rows[table].extend(rows)
            for key, line in part.lines.items():
                table, _, row_id = key.partition("\0")
                self.t.origin.setdefault((table, row_id), (path, line))
            self.t.evidence.update(part.evidence)
            self.t.regions[part.source_id] = [tuple(r) for r in part.regions]
            for event_id, line in part.event_lines.items():
                self.event_at[event_id] = (path, line)
        for path, part in self.parts:
            for gift_id, event_id, line, column in part.occasions:
                if event_id not in self.event_at:
                    raise BuildError(path, f"occasion {event_id} is not a defined event",
                                     line=line, column=column, row=gift_id, field="event")
        self.countries()
        self.check_references()
        self.derive()
        self.aliases()
        self.participants()
        self.attribute()
        self.t.rows["evidence"] = list(self.t.evidence.values())
        for path, part in self.parts:  # every body paragraph read: refused last, naming every gap
            if part.gaps:
                message, line, column = part.gaps
                raise BuildError(path, message, line=line, column=column, field="no_facts")
        return self.t

    def attribute(self) -> None:
        """A quote inside an attributed quote of the same source is the same claimant's claim."""
        rows = [r for r in self.t.evidence.values() if r["record_table"] in ATTRIBUTED_TABLES]
        outer = containing(rows)
        for r in rows:
            claims = sorted({a["attributed_to"] for a in outer[r["evidence_id"]]})
            if not r["attributed_to"] and len(claims) == 1:
                r["attributed_to"] = claims[0]

    # -- what the build derives, once every record is in ----------------------
    def derive(self) -> None:
        """Dates of parts bounded by their parents, places of gifts from their occasions, CAMEO counting
        and place precision."""
        events = {r["event_id"]: r for r in self.t.rows["events"]}
        for event_id in events:
            self._bounded(events, event_id, set())
        for g in self.t.rows["gifts"]:
            occasion = events.get(g["event_id"])
            if "date_precision" not in g:
                g.update(bounded_by(occasion, "given during its occasion"))
            if occasion is not None and g["place_id"] is None and g["country_iso3"] is None and (
                    occasion["place_id"] or occasion["country_iso3"]):
                where = occasion["place_id"] or occasion["country_iso3"]
                g.update(place_id=occasion["place_id"], country_iso3=occasion["country_iso3"], place_inferred=True,
                         place_rationale=f"Not placed itself; given during its occasion {occasion['event_id']}, "
                                         f"which took place at {where}.")
        places = {r["place_id"]: r for r in self.t.rows["places"]}
        for g in self.t.rows["gifts"]:  # a gift's place states its country
            if g["country_iso3"] is None and g["place_id"] in places:
                g["country_iso3"] = places[g["place_id"]]["country_iso3"]
        for row in [*self.t.rows["events"], *self.t.rows["gifts"]]:
            row["place_precision"] = place_precision(places, row["place_id"], row["country_iso3"])
        for e in self.t.rows["events"]:
            e["cameo_counted"] = cameo_counted(events, e["event_id"])

    def _bounded(self, events: dict, event_id: str, seen: set) -> dict:
        """An event's row with its dates, a part with no date of its own bounded by its parent's."""
        row = events[event_id]
        if "date_precision" not in row:
            parent = row["part_of_event_id"]
            if parent in seen or parent not in events:
                path, line = self.event_at[event_id]
                raise BuildError(path, f"undated part of {parent}, which is not a dated event (or "
                                 "is part of itself)", line=line, row=event_id, field="date")
            row.update(bounded_by(self._bounded(events, parent, seen | {event_id}), "part of"))
        return row

    def countries(self) -> None:
        from builders.references import countries

        for c in countries(self.root):
            self.t.rows["countries"].append({
                "country_iso3": c["iso3"], "name": c["name"], "iso2": c.get("iso2"),
                "cow_ccode": c.get("cow_ccode"), "cow_abb": c.get("cow_abb")})

    def check_references(self) -> None:
        """Every id a hand-map refers to is defined somewhere (builders.references); stop at the first that is not."""
        from builders import references

        defined, countries = set(self.defined), {r["country_iso3"] for r in self.t.rows["countries"]}
        for path, part in self.parts:
            found = references.unresolved(path, part.needs, defined, countries)
            if found:
                raise found[0]

    def aliases(self) -> None:
        """One alias row per record and spelling, whichever hand-maps write it; one kind for it everywhere."""
        seen: dict[str, dict] = {}
        for path, part in self.parts:
            for alias_id, kind, line, column, row in part.aliases:
                if alias_id in seen:
                    if seen[alias_id]["kind"] != kind:
                        of = next(row[k] for k in ("person_id", "place_id", "body_id", "country_iso3") if row[k])
                        raise BuildError(path, f"alias {row['alias']!r} of {of} is {kind!r} here but "
                                         f"{seen[alias_id]['kind']!r} elsewhere",
                                         line=line, column=column, row=alias_id, field="kind")
                else:
                    seen[alias_id] = row
                    self.t.rows["aliases"].append(row)

    def participants(self) -> None:
        """A participant without a quote of its own rests on the event's quotes, from any seed, that name it
        by an alias (or, for a reference without a name, that hold the words its actor_rationale quotes)."""
        names = Gazetteer.of_aliases(self.t.rows["aliases"])  # read the way rusprk.validate.meaning reads them
        by_event = defaultdict(list)
        for ev in self.t.evidence.values():
            if ev["record_table"] == "events":
                by_event[ev["record_id"]].append(ev)
        for path, part in self.parts:
            for event_id, pid, who, standing, line, who_line, who_column in part.defaults:
                found = False
                for ev in by_event[event_id]:
                    if names.names_entity(ev["quote"], who) or any(contains(ev["quote"], w) for w in standing):
                        found = True  # an event's quotes are content (placed when its hand-map was read)
                        row = {**ev, "evidence_id": f"{pid}@{ev['source_id']}:{ev['char_start']}-{ev['char_end']}",
                               "record_table": "participants", "record_id": pid}
                        if merge_evidence(self.t.evidence, row):  # written where the quote it repeats is
                            self.t.origin.setdefault(("evidence", row["evidence_id"]),
                                                     self.t.origin.get(("evidence", ev["evidence_id"]), (path, line)))
                if not found:
                    raise BuildError(path, f"no quote of {event_id} names {who} by one of its aliases; "
                                     "give the participant its own quote",
                                     line=who_line, column=who_column, row=pid, field="quote")


def _interval(start, end) -> str:
    if start == end:
        return str(start)
    return f"{start or 'an open start'} to {end or 'an open end'}"


def bounded_by(parent: dict | None, how: str) -> dict:
    """The dates of a part or a gift with no date of its own: its parent's interval, marked inferred.

    A part of a one-day event happened on that day; a part of anything longer or less precise
    happened on some day(s) inside it (precision 'range', or the parent's month or year).
    """
    if parent is None or parent["date_precision"] == "unknown":
        return {"date_start": None, "date_end": None, "date_precision": "unknown", "date_inferred": False,
                "date_rationale": None}
    start, end, precision = parent["date_start"], parent["date_end"], parent["date_precision"]
    if precision == "day" and (start is None or end is None or start != end):
        precision = "range"
    why = f"Not dated itself; {how} {parent['event_id']} ({_interval(start, end)})"
    if parent["date_rationale"]:
        why += f", whose date: {parent['date_rationale']}"
    return {"date_start": start, "date_end": end, "date_precision": precision, "date_inferred": True,
            "date_rationale": why.rstrip(".") + "."}


def build_tables(root: Path, drafts: bool = False, cache: str | None = None) -> Tables:
    """The rows of every table and where each came from (``drafts``: hand-maps with open todos too, for
    ``rusprk check``; the build never passes it)."""
    return _Builder(root, load_parts(root, drafts, cache)).build()
