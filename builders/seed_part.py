"""Stage 3a: one seed and its hand-map -> that seed's part of the tables.

Everything the build can know from one seed and its hand-map alone is done
here: the hand-map validated, the seed parsed, every quote located and
placed in a region, the rows the hand-map writes, and each body paragraph
checked as read.  What needs the other hand-maps (ids defined twice,
references, aliases spelt two ways, derived dates and places, participants'
default evidence, attribution) is left to ``builders.tables``, with the
plain values it needs kept in the part.

A ``Part`` is plain JSON-able data, so the build caches it under the content
hash of its inputs (``builders.cache.part_key``): an edit re-reads only the
hand-map it touched.  ``Part.to_json`` / ``Part.from_json`` are exact inverses
(a test holds them to it); a cached part gives the same tables as a fresh one.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

from builders.errors import BuildError, Pos
from builders.quotes import NormalisedText, QuoteAmbiguous, QuoteNotFound, locate
from rusprk._anchors import anchor_fields
from rusprk.metadata import CAMEO_CODES, EVENT_TYPE_CAMEO

# Where each kind of record may take its quotes from.
CONTENT_REGIONS = {"title", "body", "caption"}
PREFIX_TABLE = {"src": "sources", "per": "people", "plc": "places", "bod": "bodies", "evt": "events", "gft": "gifts"}
# The stages that define records, in the order the build checks them for ids defined twice.
DEFINING = ("source", "entities", "events", "gifts")


@dataclass
class Part:
    source_id: str
    seed_file: str
    # stage -> [[record id, line]] in the order written
    defines: dict[str, list] = field(default_factory=lambda: {s: [] for s in DEFINING})
    rows: dict[str, list[dict]] = field(default_factory=dict)
    regions: list = field(default_factory=list)  # [start, end, region] of every part of the seed the parse read
    evidence: dict[str, dict] = field(default_factory=dict)  # evidence id -> row, in the order first quoted
    lines: dict[str, int | None] = field(default_factory=dict)  # (table + "\0" + row id) -> hand-map line
    event_lines: dict[str, int] = field(default_factory=dict)  # event id -> its line
    occasions: list = field(default_factory=list)  # [gift id, occasion event id, line, column]: undated gifts
    needs: list = field(default_factory=list)  # builders.references.needs
    aliases: list = field(default_factory=list)  # [alias id, kind, line, column, row] of every mention, in order
    defaults: list = field(default_factory=list)  # participants without a quote: see builders.tables
    gaps: list | None = None  # [message, line, column]: body paragraphs left unread (refused after the rest)

    def to_json(self) -> dict:
        """Plain JSON values; rows as one list of keys and a list of values each (a part holds hundreds of
        rows, and a build reads two thousand parts: keys written once read faster and make fewer strings)."""
        out = {k: getattr(self, k) for k in self.__dataclass_fields__}
        out["rows"] = {table: _packed_rows(rows) for table, rows in self.rows.items()}
        out["evidence"] = _packed_rows(list(self.evidence.values()))
        out["aliases"] = [a[:4] + [list(a[4].values())] for a in self.aliases]
        return out

    @classmethod
    def from_json(cls, data: dict) -> "Part":
        """A part from ``to_json``'s output, its date fields made dates again."""
        data = dict(data)
        rows = {table: _unpacked_rows(packed) for table, packed in data.pop("rows").items()}
        evidence = {r["evidence_id"]: r for r in _unpacked_rows(data.pop("evidence"))}
        alias_keys = _keys(_ALIAS_KEYS)
        aliases = [a[:4] + [dict(zip(alias_keys, a[4], strict=True))] for a in data.pop("aliases")]
        part = cls(**data, rows=rows, evidence=evidence, aliases=aliases)
        for table, names in _date_fields().items():
            for row in part.rows.get(table, ()):
                for name in names:
                    if isinstance(row.get(name), str):
                        row[name] = _date(row[name])
        return part


_ALIAS_KEYS = ("alias_id", "person_id", "place_id", "body_id", "country_iso3", "alias", "kind")
_KEYS: dict[tuple, tuple] = {}


def _keys(keys) -> tuple[str, ...]:
    """One tuple of interned keys for every row with these keys."""
    keys = tuple(keys)
    if keys not in _KEYS:
        import sys

        _KEYS[keys] = tuple(sys.intern(k) for k in keys)
    return _KEYS[keys]


def _packed_rows(rows: list[dict]) -> dict:
    """{"keys": [each set of keys, in order], "rows": [[its keys' index, value, …], …]} (an undated event has
    no date keys until ``builders.tables`` derives them, so a table's rows need not share one set)."""
    sets: dict[tuple, int] = {}
    out = []
    for row in rows:
        index = sets.setdefault(tuple(row), len(sets))
        out.append([index, *row.values()])
    return {"keys": [list(k) for k in sets], "rows": out}


def _unpacked_rows(packed: dict) -> list[dict]:
    keys = [_keys(k) for k in packed["keys"]]
    return [dict(zip(keys[values[0]], values[1:], strict=True)) for values in packed["rows"]]


def _date(text: str):
    import datetime as dt

    return dt.date.fromisoformat(text)


@functools.cache
def _date_fields() -> dict[str, tuple[str, ...]]:
    from rusprk.metadata import RESOURCE_ORDER, resource

    return {name: tuple(f.name for f in resource(name).fields if f.type == "date") for name in RESOURCE_ORDER}


def json_default(value):
    """Dates as ISO text in a part's JSON (``Part.from_json`` reads them back by the schema's date fields)."""
    import datetime as dt

    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


def _line(line) -> int | None:
    return line.line if isinstance(line, Pos) else line


class SeedReader:
    """Reads one seed (``builders.tables.Seed``) into its ``Part``; a BuildError at the first problem."""

    def __init__(self, seed) -> None:
        self.seed = seed
        self.path: Path = seed.handmap_path
        self.part = Part(seed.source_id, seed.parsed.name)
        self.norm: NormalisedText | None = None

    def read(self) -> Part:
        self.source()
        self.entities()
        self.events()
        self.gifts()
        self.mentions()
        self.cites()
        self.participants()
        self.coverage()
        from builders.references import needs

        self.part.needs = [list(n) for n in needs(self.seed.handmap)]
        return self.part

    # -- evidence -------------------------------------------------------
    def locate(self, line, quote: str, occurrence: int | None, record_id: str) -> tuple[int, int]:
        if self.norm is None:
            self.norm = NormalisedText.of(self.seed.parsed.text)
        try:
            return locate(self.norm, quote, occurrence)
        except (QuoteNotFound, QuoteAmbiguous) as exc:
            raise BuildError(self.path, str(exc), line=line, row=record_id, field="quote") from None

    def quote(self, line, quote: str, occurrence: int | None, regions: set[str], table: str, record_id: str,
              attributed_to: str | None = None, context: bool = False) -> tuple[int, int]:
        start, end = self.locate(line, quote, occurrence, record_id)
        self.add_span(line, start, end, regions, table, record_id, attributed_to, context)
        return start, end

    def add_span(self, line, start: int, end: int, regions: set[str], table: str, record_id: str,
                 attributed_to: str | None = None, context: bool = False) -> None:
        parsed = self.seed.parsed
        region = parsed.region_of(start, end)
        if region not in regions:
            where = "page furniture or across parts of the page" if region is None else f"the {region}"
            raise BuildError(self.path, f"quote lies in {where}; a {table} record needs a quote "
                             f"from: {', '.join(sorted(regions))}", line=line, row=record_id, field="quote")
        text = parsed.text
        byte_start = len(text[:start].encode("utf-8"))
        row = {
            "evidence_id": f"{record_id}@{self.part.source_id}:{start}-{end}",
            "record_table": table,
            "record_id": record_id,
            "source_id": self.part.source_id,
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
        merge_evidence(self.part.evidence, row)
        self.part.lines.setdefault("evidence\0" + row["evidence_id"], _line(line))

    def define(self, stage: str, record_id: str, line: int) -> None:
        self.part.defines[stage].append([record_id, line])
        self.part.lines[PREFIX_TABLE.get(record_id[:3], "") + "\0" + record_id] = line

    def add_row(self, table: str, row: dict) -> None:
        self.part.rows.setdefault(table, []).append(row)

    # -- what one hand-map writes ----------------------------------------
    def source(self) -> None:
        from rusprk.validate.meaning.text import has_content

        p, s = self.seed.parsed, self.seed.handmap.source
        self.define("source", s.id, s.line)
        # The parser's reading of language and machine translation must agree with the curator's.
        if p.language is not None and s.language != p.language:
            raise BuildError(self.path, f"language {s.language!r} but the text reads as {p.language!r}",
                             line=s.at("language"), row=s.id, field="language")
        if bool(p.mt_signals) != s.machine_translated:
            found = f"signs of machine translation: {p.mt_signals}" if p.mt_signals else "no sign of machine translation"
            raise BuildError(self.path, f"machine_translated is {s.machine_translated} but the parser finds "
                             f"{found}", line=s.at("machine_translated"), row=s.id, field="machine_translated")
        self.add_row("sources", {
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
        self.part.regions = [list(r) for r in sorted(
            [(p.title.start, p.title.end, "title")]
            + [(x.start, x.end, region) for region, spans in (("header", p.header), ("body", p.body),
                                                               ("caption", p.captions), ("credit", p.credits),
                                                               ("furniture", p.furniture)) for x in spans])]
        # A separator line ("-") is header too, but supports nothing: only lines with content are cited.
        for span in [span for span in (p.title, *p.header) if has_content(span.text)]:
            self.add_span(span.line, span.start, span.end, {"title", "header"}, "sources", s.id)
        for span in p.credits:
            self.add_span(span.line, span.start, span.end, {"credit"}, "sources", s.id)
        if s.publisher_quote:
            self.quote(s.at("publisher_quote"), s.publisher_quote, None, CONTENT_REGIONS | {"header"}, "sources", s.id)

    def entities(self) -> None:
        hm = self.seed.handmap
        for p in hm.people:
            self.define("entities", p.id, p.line)
            self.add_row("people", {
                "person_id": p.id, "name": p.name, "country_iso3": p.country, "role": p.role,
                "identity_inferred": p.identity_inferred, "identity_rationale": p.identity_rationale,
                "notes": p.notes})
        for p in hm.places:
            self.define("entities", p.id, p.line)
            self.add_row("places", {
                "place_id": p.id, "name": p.name, "kind": p.kind, "within_place_id": p.within,
                "country_iso3": p.country, "identity_inferred": p.identity_inferred,
                "identity_rationale": p.identity_rationale, "notes": p.notes})
        for b in hm.bodies:
            self.define("entities", b.id, b.line)
            self.add_row("bodies", {
                "body_id": b.id, "name": b.name, "kind": b.kind, "country_iso3": b.country,
                "identity_inferred": b.identity_inferred, "identity_rationale": b.identity_rationale,
                "notes": b.notes})

    @staticmethod
    def _dates(d) -> dict:
        return {"date_start": d.start, "date_end": d.end, "date_precision": d.precision,
                "date_inferred": d.inferred, "date_rationale": d.rationale}

    def events(self) -> None:
        for e in self.seed.handmap.events:
            self.define("events", e.id, e.line)
            self.part.event_lines[e.id] = e.line
            cameo = e.cameo or EVENT_TYPE_CAMEO[e.type]
            self.add_row("events", {
                "event_id": e.id, "title": e.title, "event_type": e.type, "cameo_code": cameo,
                "cameo_rationale": e.cameo_rationale, "cameo_counted": None,  # builders.tables derives it
                "plover_category": CAMEO_CODES[cameo][1] if cameo else None,
                **(self._dates(e.date) if e.date else {}), "status": e.status, "place_id": e.place,
                "place_precision": None, "place_inferred": e.place_inferred, "place_rationale": e.place_rationale,
                "country_iso3": e.country, "russia_dprk": e.russia_dprk, "part_of_event_id": e.part_of,
                "reading_inferred": e.reading_inferred, "reading_rationale": e.reading_rationale, "notes": e.notes})
            for q in e.quotes:
                self.quote(q.at("quote"), q.quote, q.occurrence, CONTENT_REGIONS, "events", e.id,
                           q.attributed_to, q.context)

    def gifts(self) -> None:
        for g in self.seed.handmap.gifts:
            self.define("gifts", g.id, g.line)
            for q in g.quotes:
                self.quote(q.at("quote"), q.quote, q.occurrence, CONTENT_REGIONS, "gifts", g.id,
                           q.attributed_to, q.context)
            if g.date is None:  # dated by its occasion, which may be defined in any hand-map
                pos = g.at("event")
                self.part.occasions.append([g.id, g.event, pos.line, pos.column])
            self.add_row("gifts", self._gift_row(g, self._dates(g.date) if g.date else {}))

    @staticmethod
    def _gift_row(g, dates: dict) -> dict:
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

    def mentions(self) -> None:
        keys = {"per": "person_id", "plc": "place_id", "bod": "body_id"}
        tables = {"per": "people", "plc": "places", "bod": "bodies"}
        text = self.seed.parsed.text
        for m in self.seed.handmap.mentions:
            if m.of.isupper():  # a country, by ISO code
                table, key = "countries", "country_iso3"
            elif m.of[:3] in tables:
                table, key = tables[m.of[:3]], keys[m.of[:3]]
            else:
                continue  # names no kind of record: builders.references reports it
            # Names, like every record but the source's, rest on the content: a credit line is source metadata.
            start, end = self.locate(m.at("quote"), m.quote, m.occurrence, m.of)
            self.add_span(m.line, start, end, CONTENT_REGIONS, table, m.of, m.attributed_to)
            alias_id = f"{m.of}:{m.name}"
            row = {"alias_id": alias_id, "person_id": None, "place_id": None, "body_id": None,
                   "country_iso3": None, "alias": m.name, "kind": m.kind}
            row[key] = m.of
            pos = m.at("kind")
            self.part.aliases.append([alias_id, m.kind, pos.line, pos.column, row])
            # The alias's evidence is the name itself inside the mention's quote.
            offset = text[start:end].find(m.name)
            if offset < 0:  # the name spans a normalised line break
                name_start, name_end = start, end
            else:
                name_start, name_end = start + offset, start + offset + len(m.name)
            self.add_span(m.line, name_start, name_end, CONTENT_REGIONS, "aliases", alias_id)

    def cites(self) -> None:
        for c in self.seed.handmap.cite:
            table = PREFIX_TABLE.get(c.record[:3])
            if table is None:
                continue  # builders.references reports it
            self.quote(c.at("quote"), c.quote, c.occurrence, CONTENT_REGIONS, table, c.record, c.attributed_to,
                       c.context)
        # Paragraphs read and found empty of facts must still exist in the seed.
        for n in self.seed.handmap.no_facts:
            try:
                self.locate(n.at("quote"), n.quote, None, None)
            except BuildError as exc:
                raise BuildError(self.path, exc.message, line=n.at("quote"), field="no_facts") from None

    def participants(self) -> None:
        """Participants with their own quote are placed here; the others' evidence is the event's quotes that
        name them, from any seed, so ``builders.tables`` finds it once every hand-map is read."""
        from rusprk.validate.meaning.text import quoted_words

        seen = set()
        for e in self.seed.handmap.events:
            for p in e.participants:
                pid = f"{e.id}/{p.who}/{p.role}"
                if pid in seen:
                    raise BuildError(self.path, f"participant {p.who} listed twice as {p.role}",
                                     line=p.at("role"), row=pid, field="participants")
                seen.add(pid)
                self.add_row("participants", {
                    "participant_id": pid, "event_id": e.id,
                    "person_id": p.who if p.who.startswith("per-") else None,
                    "body_id": p.who if p.who.startswith("bod-") else None,
                    "role": p.role, "title_as_reported": p.title, "actor_inferred": p.actor_inferred,
                    "actor_rationale": p.actor_rationale})
                self.part.lines["participants\0" + pid] = p.line
                if p.quote:
                    self.quote(p.at("quote"), p.quote, p.occurrence, CONTENT_REGIONS, "participants", pid)
                else:
                    # A reference without a name stands on the words its actor_rationale quotes.
                    standing = quoted_words(p.actor_rationale) if p.actor_inferred else []
                    pos = p.at("who")
                    self.part.defaults.append([e.id, pid, p.who, standing, p.line, pos.line, pos.column])

    def coverage(self) -> None:
        """Every body paragraph read (``builders.coverage``): only this seed's own quotes can touch it, since
        a participant's default evidence is quotes already here.  Refused after the checks across hand-maps."""
        from builders import coverage

        refused = coverage.refusal(self.seed, list(self.part.evidence.values()))
        if refused is not None:
            self.part.gaps = [refused.message, refused.line, refused.column]


def merge_evidence(evidence: dict[str, dict], row: dict) -> bool:
    """Add ``row`` to ``evidence`` (by evidence id); the same span of the same record quoted twice is one row,
    attributed if either quoting attributes it, and context only if marked so both times.  True when new."""
    old = evidence.get(row["evidence_id"])
    if old is None:
        evidence[row["evidence_id"]] = row
        return True
    if old["attributed_to"] is None and row["attributed_to"]:
        row["context"] = row["context"] and old["context"]
        evidence[row["evidence_id"]] = row
    elif old["context"] and not row["context"]:
        old["context"] = False
    return False
