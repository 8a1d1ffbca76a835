"""Stage 3: turn parsed seeds and hand-maps into table rows.

Each hand-map defines some records and cites others; here they are merged by
id (a record defined twice is an error naming both places), every quote is
located in its seed, and every record gets its evidence rows.  The result is
plain Python rows per table, in no particular order: ``builders.publish``
sorts and types them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path


from builders.errors import BuildError, Pos
from builders.handmap import Dating, HandMap, load_handmap, open_todos
from builders.parse import ParsedSeed, parse_seed
from builders.quotes import NormalisedText, QuoteAmbiguous, QuoteNotFound, locate
from rusprk._anchors import anchor_fields
from rusprk.metadata import CAMEO_CODES, EVENT_TYPE_CAMEO
from rusprk.validate.meaning.attribution_consistent import ATTRIBUTED_TABLES, containing
from rusprk.validate.meaning.derived import cameo_counted, place_precision
from rusprk.validate.meaning.text import Gazetteer, contains, has_content, quoted_words

PREFIX_TABLE = {"src": "sources", "per": "people", "plc": "places", "bod": "bodies", "evt": "events", "gft": "gifts"}

# Where each kind of record may take its quotes from.
CONTENT_REGIONS = {"title", "body", "caption"}


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
    # (table, record_id, source_id, start, end) -> evidence row
    evidence: dict[tuple, dict] = field(default_factory=dict)
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


def load_seeds(root: Path, drafts: bool = False, cache: str | None = None) -> list[Seed]:
    """Pair every seed with its hand-map; refuse strays and changed seeds."""
    seed_dir, map_dir = root / "seeds", root / "builders" / "handmaps"
    seed_files = sorted(seed_dir.glob("*.txt"), key=seed_order)
    map_files = sorted(map_dir.glob("*.yaml"))
    if not seed_files:
        raise BuildError(seed_dir, "no seeds found")
    maps = {p.stem: p for p in map_files}
    for p in map_files:
        if not (seed_dir / f"{p.stem}.txt").exists():
            raise BuildError(p, f"hand-map has no seed {p.stem}.txt in {seed_dir}", line=1)
    # The build's cache of hand-map readings (builders.cache): "write" for the build, "read" for `rusprk check`
    # (which writes nothing), None for neither.
    cache_dir = root / ".cache" / "handmaps" if cache else None
    seeds = []
    for sf in seed_files:
        if sf.stem not in maps:
            raise BuildError(sf, f"seed has no hand-map {map_dir / (sf.stem + '.yaml')}")
        path = maps[sf.stem]
        hm = load_handmap(path, cache_dir, write_cache=cache == "write")
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
        seeds.append(Seed(parsed, hm, path, NormalisedText.of(parsed.text), hm.source.id))
    if cache == "write":
        from builders import cache as entries

        entries.prune(cache_dir, {entries.key(s.handmap_path.read_bytes()) for s in seeds})
    return seeds


class _Builder:
    def __init__(self, root: Path, seeds: list[Seed]) -> None:
        self.root = root
        self.seeds = seeds
        self.t = Tables()
        self.defined: dict[str, tuple[Path, int]] = {}
        self.events: dict[str, object] = {}
        self.by_source = {s.source_id: s for s in seeds}
        self.aliases: dict[str, dict] = {}  # alias_id -> its row, across every seed

    # -- evidence -------------------------------------------------------
    def locate(self, seed: Seed, line: int, quote: str, occurrence: int | None, record_id: str) -> tuple[int, int]:
        try:
            return locate(seed.norm, quote, occurrence)
        except (QuoteNotFound, QuoteAmbiguous) as exc:
            raise BuildError(seed.handmap_path, str(exc), line=line, row=record_id, field="quote") from None

    def quote(self, seed: Seed, line: int, quote: str, occurrence: int | None, regions: set[str],
              table: str, record_id: str, attributed_to: str | None = None, context: bool = False) -> tuple[int, int]:
        start, end = self.locate(seed, line, quote, occurrence, record_id)
        self.add_span(seed, line, start, end, regions, table, record_id, attributed_to, context)
        return start, end

    def add_span(self, seed: Seed, line: int | None, start: int, end: int, regions: set[str], table: str,
                 record_id: str, attributed_to: str | None = None, context: bool = False) -> None:
        region = seed.parsed.region_of(start, end)
        if region not in regions:
            where = "page furniture or across parts of the page" if region is None else f"the {region}"
            raise BuildError(seed.handmap_path, f"quote lies in {where}; a {table} record needs a quote "
                             f"from: {', '.join(sorted(regions))}", line=line, row=record_id, field="quote")
        text = seed.parsed.text
        byte_start = len(text[:start].encode("utf-8"))
        key = (table, record_id, seed.source_id, start, end)
        row = {
            "evidence_id": f"{record_id}@{seed.source_id}:{start}-{end}",
            "record_table": table,
            "record_id": record_id,
            "source_id": seed.source_id,
            "region": region,
            "context": context,
            "quote": text[start:end],
            "char_start": start,
            "char_end": end,
            "byte_start": byte_start,
            "byte_end": byte_start + len(text[start:end].encode("utf-8")),
            **anchor_fields(text, start, end),
            "attributed_to": attributed_to,
        }
        old = self.t.evidence.get(key)
        if old is None or (old["attributed_to"] is None and attributed_to):
            if old is not None:  # the same span quoted twice is context only if marked so both times
                row["context"] = row["context"] and old["context"]
            self.t.evidence[key] = row
            self.t.origin.setdefault(("evidence", row["evidence_id"]),
                                     (seed.handmap_path, line.line if isinstance(line, Pos) else line))
        elif old["context"] and not context:
            old["context"] = False

    def define(self, record_id: str, seed: Seed, line: int) -> None:
        if record_id in self.defined:
            first, first_line = self.defined[record_id]
            raise BuildError(seed.handmap_path, f"{record_id} is already defined at {first}:{first_line}; "
                             "define a record once and `cite` it elsewhere", line=line, row=record_id, field="id")
        self.defined[record_id] = (seed.handmap_path, line)
        self.t.origin[(PREFIX_TABLE.get(record_id[:3], ""), record_id)] = (seed.handmap_path, line)

    # -- stages ---------------------------------------------------------
    def build(self) -> Tables:
        for seed in self.seeds:
            self.source(seed)
        for seed in self.seeds:
            self.entities(seed)
        for seed in self.seeds:
            self.events_(seed)
        for seed in self.seeds:
            self.gifts(seed)
        self.countries()
        defined, countries = set(self.defined), {r["country_iso3"] for r in self.t.rows["countries"]}
        for seed in self.seeds:
            self.check_references(seed, defined, countries)
        self.derive()
        for seed in self.seeds:
            self.mentions(seed)
        for seed in self.seeds:
            self.cites(seed)
        self.participants()
        self.attribute()
        self.t.rows["evidence"] = list(self.t.evidence.values())
        from builders import coverage

        coverage.check(self.seeds, self.t.rows["evidence"])  # every body paragraph read
        return self.t

    def attribute(self) -> None:
        """A quote inside an attributed quote of the same source is the same claimant's claim."""
        rows = [r for r in self.t.evidence.values() if r["record_table"] in ATTRIBUTED_TABLES]
        outer = containing(rows)
        for r in rows:
            claims = sorted({a["attributed_to"] for a in outer[r["evidence_id"]]})
            if not r["attributed_to"] and len(claims) == 1:
                r["attributed_to"] = claims[0]

    def source(self, seed: Seed) -> None:
        p, s = seed.parsed, seed.handmap.source
        self.define(s.id, seed, s.line)
        # The parser's reading of language and machine translation must agree with the curator's.
        if p.language is not None and s.language != p.language:
            raise BuildError(seed.handmap_path, f"language {s.language!r} but the text reads as {p.language!r}",
                             line=s.at("language"), row=s.id, field="language")
        if bool(p.mt_signals) != s.machine_translated:
            found = f"signs of machine translation: {p.mt_signals}" if p.mt_signals else "no sign of machine translation"
            raise BuildError(seed.handmap_path, f"machine_translated is {s.machine_translated} but the parser finds "
                             f"{found}", line=s.at("machine_translated"), row=s.id, field="machine_translated")
        self.t.rows["sources"].append({
            "source_id": s.id,
            "seed_file": p.name,
            "sha256": p.sha256,
            "title": p.title.text,
            "publisher": s.publisher if s.publisher else p.publisher_printed,
            "publisher_inferred": s.publisher_inferred,
            "authors": "; ".join(p.authors) or None,
            "url": p.url,
            "date_published": p.date_published,
            "date_published_precision": "day" if p.date_published else "unknown",
            "date_published_note": s.date_published_note,
            "language": s.language,
            "machine_translated": s.machine_translated,
            "machine_translated_inferred": s.machine_translated_inferred,
            "original_language": s.original_language,
            "photo_credits": "; ".join(c.text for c in p.credits) or None,
            "retrieved_url": s.retrieved.url if s.retrieved else None,
            "date_retrieved": s.retrieved.date if s.retrieved else None,
            "retrieved_publisher": s.retrieved.publisher if s.retrieved else None,
            "notes": s.notes,
        })
        self.t.regions[s.id] = sorted(
            [(p.title.start, p.title.end, "title")]
            + [(x.start, x.end, region) for region, spans in (("header", p.header), ("body", p.body),
                                                               ("caption", p.captions), ("credit", p.credits),
                                                               ("furniture", p.furniture)) for x in spans])
        # A separator line ("-") is header too, but supports nothing: only lines with content are cited.
        header_spans = [span for span in (p.title, *p.header) if has_content(span.text)]
        for span in header_spans:
            self.add_span(seed, span.line, span.start, span.end, {"title", "header"}, "sources", s.id)
        for span in p.credits:
            self.add_span(seed, span.line, span.start, span.end, {"credit"}, "sources", s.id)
        if s.publisher_quote:
            self.quote(seed, s.at("publisher_quote"), s.publisher_quote, None, CONTENT_REGIONS | {"header"}, "sources", s.id)

    def entities(self, seed: Seed) -> None:
        hm = seed.handmap
        for p in hm.people:
            self.define(p.id, seed, p.line)
            self.t.rows["people"].append({
                "person_id": p.id, "name": p.name, "country_iso3": p.country, "role": p.role,
                "identity_inferred": p.identity_inferred, "identity_rationale": p.identity_rationale,
                "notes": p.notes})
        for p in hm.places:
            self.define(p.id, seed, p.line)
            self.t.rows["places"].append({
                "place_id": p.id, "name": p.name, "kind": p.kind, "within_place_id": p.within,
                "country_iso3": p.country, "identity_inferred": p.identity_inferred,
                "identity_rationale": p.identity_rationale, "notes": p.notes})
        for b in hm.bodies:
            self.define(b.id, seed, b.line)
            self.t.rows["bodies"].append({
                "body_id": b.id, "name": b.name, "kind": b.kind, "country_iso3": b.country,
                "identity_inferred": b.identity_inferred, "identity_rationale": b.identity_rationale,
                "notes": b.notes})

    @staticmethod
    def _dates(d: Dating) -> dict:
        return {"date_start": d.start, "date_end": d.end, "date_precision": d.precision,
                "date_inferred": d.inferred, "date_rationale": d.rationale}

    def events_(self, seed: Seed) -> None:
        hm = seed.handmap
        for e in hm.events:
            self.define(e.id, seed, e.line)
            self.events[e.id] = (e, seed)
            cameo = e.cameo or EVENT_TYPE_CAMEO[e.type]
            self.t.rows["events"].append({
                "event_id": e.id, "title": e.title, "event_type": e.type, "cameo_code": cameo,
                "cameo_rationale": e.cameo_rationale, "cameo_counted": None,  # derive()
                "plover_category": CAMEO_CODES[cameo][1] if cameo else None,
                **(self._dates(e.date) if e.date else {}), "status": e.status, "place_id": e.place,
                "place_precision": None, "place_inferred": e.place_inferred, "place_rationale": e.place_rationale,
                "country_iso3": e.country, "russia_dprk": e.russia_dprk, "part_of_event_id": e.part_of,
                "reading_inferred": e.reading_inferred, "reading_rationale": e.reading_rationale, "notes": e.notes})
            for q in e.quotes:
                self.quote(seed, q.at("quote"), q.quote, q.occurrence, CONTENT_REGIONS, "events", e.id,
                           q.attributed_to, q.context)

    def gifts(self, seed: Seed) -> None:
        for g in seed.handmap.gifts:
            self.define(g.id, seed, g.line)
            for q in g.quotes:
                self.quote(seed, q.at("quote"), q.quote, q.occurrence, CONTENT_REGIONS, "gifts", g.id,
                           q.attributed_to, q.context)
            if g.date is None and g.event not in self.events:
                raise BuildError(seed.handmap_path, f"occasion {g.event} is not a defined event",
                                 line=g.at("event"), row=g.id, field="event")
            self.t.rows["gifts"].append(self._gift_row(g, self._dates(g.date) if g.date else {}))

    def _gift_row(self, g, dates: dict) -> dict:
        def split(ref):
            if ref is None:
                return None, None
            return (ref, None) if ref.startswith("per-") else (None, ref)

        gp, gb = split(g.giver)
        rp, rb = split(g.recipient)
        return {"gift_id": g.id, "item": g.item, "quantity": g.quantity,
                "quantity_as_reported": g.quantity_as_reported, "giver_person_id": gp, "giver_body_id": gb,
                "giver_description": g.giver_description, "giver_inferred": g.giver_inferred,
                "giver_rationale": g.giver_rationale, "recipient_person_id": rp, "recipient_body_id": rb,
                "recipient_inferred": g.recipient_inferred, "recipient_rationale": g.recipient_rationale,
                "event_id": g.event, **dates, "place_id": g.place, "place_precision": None,
                "place_inferred": g.place_inferred, "place_rationale": g.place_rationale, "country_iso3": g.country,
                "certainty": g.certainty, "notes": g.notes}

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
                e, seed = self.events[event_id]
                raise BuildError(seed.handmap_path, f"undated part of {parent}, which is not a dated event (or "
                                 "is part of itself)", line=e.line, row=event_id, field="date")
            row.update(bounded_by(self._bounded(events, parent, seen | {event_id}), "part of"))
        return row

    def countries(self) -> None:
        from builders.references import countries

        for c in countries(self.root):
            self.t.rows["countries"].append({
                "country_iso3": c["iso3"], "name": c["name"], "iso2": c.get("iso2"),
                "cow_ccode": c.get("cow_ccode"), "cow_abb": c.get("cow_abb")})

    def check_references(self, seed: Seed, defined: set[str], countries: set[str]) -> None:
        """Every id a hand-map refers to is defined somewhere (builders.references); stop at the first that is not."""
        from builders import references

        found = references.problems(seed.handmap_path, seed.handmap, defined, countries)
        if found:
            raise found[0]

    def mentions(self, seed: Seed) -> None:
        tables = {"per": ("people", "person_id"), "plc": ("places", "place_id"), "bod": ("bodies", "body_id")}
        seen = self.aliases
        for m in seed.handmap.mentions:
            if m.of.isupper():  # a country, by ISO code
                table, key = "countries", "country_iso3"
            else:
                table, key = tables[m.of[:3]]
            # Names, like every record but the source's, rest on the content: a credit line is source metadata.
            start, end = self.locate(seed, m.at("quote"), m.quote, m.occurrence, m.of)
            self.add_span(seed, m.line, start, end, CONTENT_REGIONS, table, m.of, m.attributed_to)
            alias_id = f"{m.of}:{m.name}"
            if alias_id in seen:
                if seen[alias_id]["kind"] != m.kind:
                    raise BuildError(seed.handmap_path, f"alias {m.name!r} of {m.of} is {m.kind!r} here but "
                                     f"{seen[alias_id]['kind']!r} elsewhere", line=m.at("kind"), row=alias_id,
                                     field="kind")
            else:
                row = {"alias_id": alias_id, "person_id": None, "place_id": None, "body_id": None,
                       "country_iso3": None, "alias": m.name, "kind": m.kind}
                row[key] = m.of
                seen[alias_id] = row
                self.t.rows["aliases"].append(row)
            # The alias's evidence is the name itself inside the mention's quote.
            offset = seed.parsed.text[start:end].find(m.name)
            if offset < 0:  # the name spans a normalised line break
                offset = 0
                name_start, name_end = start, end
            else:
                name_start, name_end = start + offset, start + offset + len(m.name)
            self.add_span(seed, m.line, name_start, name_end, CONTENT_REGIONS, "aliases", alias_id)

    def cites(self, seed: Seed) -> None:
        for c in seed.handmap.cite:
            table = PREFIX_TABLE[c.record[:3]]  # known: builders.references checked it
            self.quote(seed, c.at("quote"), c.quote, c.occurrence, CONTENT_REGIONS, table, c.record, c.attributed_to,
                       c.context)
        # Paragraphs read and found empty of facts must still exist in the seed.
        for n in seed.handmap.no_facts:
            try:
                locate(seed.norm, n.quote)
            except (QuoteNotFound, QuoteAmbiguous) as exc:
                raise BuildError(seed.handmap_path, str(exc), line=n.at("quote"), field="no_facts") from None

    def participants(self) -> None:
        # Which actors a quote names: the aliases, read the way rusprk.validate.meaning reads them.
        names = Gazetteer.of_aliases(self.t.rows["aliases"])
        by_event = defaultdict(list)
        for ev in self.t.evidence.values():
            if ev["record_table"] == "events":
                by_event[ev["record_id"]].append(ev)
        seen = set()
        for event_id, (e, seed) in sorted(self.events.items()):
            for p in e.participants:
                pid = f"{event_id}/{p.who}/{p.role}"
                if pid in seen:
                    raise BuildError(seed.handmap_path, f"participant {p.who} listed twice as {p.role}",
                                     line=p.at("role"), row=pid, field="participants")
                seen.add(pid)
                self.t.rows["participants"].append({
                    "participant_id": pid, "event_id": event_id,
                    "person_id": p.who if p.who.startswith("per-") else None,
                    "body_id": p.who if p.who.startswith("bod-") else None,
                    "role": p.role, "title_as_reported": p.title, "actor_inferred": p.actor_inferred,
                    "actor_rationale": p.actor_rationale})
                self.t.origin[("participants", pid)] = (seed.handmap_path, p.line)
                if p.quote:
                    self.quote(seed, p.at("quote"), p.quote, p.occurrence, CONTENT_REGIONS, "participants", pid)
                    continue
                # Default evidence: the event's quotes, from any seed, that name the participant (or, for a
                # reference without a name, that hold the words its actor_rationale quotes).
                found = False
                standing = quoted_words(p.actor_rationale) if p.actor_inferred else []
                for ev in by_event[event_id]:
                    if names.names_entity(ev["quote"], p.who) or any(contains(ev["quote"], w) for w in standing):
                        found = True
                        src_seed = self.by_source[ev["source_id"]]
                        self.add_span(src_seed, p.line, ev["char_start"], ev["char_end"], CONTENT_REGIONS,
                                      "participants", pid, ev["attributed_to"], ev["context"])
                if not found:
                    raise BuildError(seed.handmap_path, f"no quote of {event_id} names {p.who} by one of its aliases; "
                                     "give the participant its own quote",
                                     line=p.at("who"), row=pid, field="quote")


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
    return _Builder(root, load_seeds(root, drafts, cache)).build()


def build_rows(root: Path) -> dict[str, list[dict]]:
    return dict(build_tables(root).rows)

