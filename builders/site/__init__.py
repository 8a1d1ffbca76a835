"""``dist/site/``: the evidence browser, plain HTML and CSS that works from ``file://`` or any static host.

* ``index.html``: what the dataset is, its version and citation, counts, a timeline of the exchanges and a
  list of every table's records;
* ``sources/<id>.html``: each article as stored, its regions labelled, every evidence quote highlighted;
* ``<table>/<id>.html`` for events, people, places, bodies, gifts and countries: every field with its
  meaning, the linked records, and every quote in context, linked to its highlight.

File names are the record ids percent-encoded (``page_name``); ids follow ``rusprk.metadata.ID_PATTERN``
(lower-case letters, digits, hyphens) or are ISO 3166 codes, so they read as themselves.  Pages use no
script, no external file and no absolute path.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from builders.site.html import RECORD_TABLES

#: An alias's entity: its key field and table.
ENTITY_KEYS = (("person_id", "people"), ("place_id", "places"), ("body_id", "bodies"), ("country_iso3", "countries"))

#: The site's folders, in the order ``site_files`` makes their pages: the sources', then a table's at a time.
FOLDERS = ("sources", *RECORD_TABLES)

NAME_FIELDS = {"events": "title", "people": "name", "places": "name", "bodies": "name", "countries": "name",
               "gifts": "item", "sources": "title"}


def page_finder(rows: dict[str, list[dict]]):
    """``page_of(evidence row)``: the (table, id) of the page showing the record the row supports (an alias's
    entity, a participant's event, else the record itself)."""
    alias_of = {a["alias_id"]: next((t, a[k]) for k, t in ENTITY_KEYS if a[k]) for a in rows["aliases"]}
    event_of = {p["participant_id"]: p["event_id"] for p in rows["participants"]}

    def page_of(ev: dict) -> tuple[str, str]:
        if ev["record_table"] == "aliases":
            return alias_of[ev["record_id"]]
        if ev["record_table"] == "participants":
            return "events", event_of[ev["record_id"]]
        return ev["record_table"], ev["record_id"]

    return page_of


def site_files(rows: dict[str, list[dict]], texts: dict[str, str], regions: dict[str, list[tuple[int, int, str]]],
               *, descriptor: dict, citation_text: str, version: str, jsonld: dict) -> Iterator[tuple[str, bytes]]:
    """Every file of ``site/`` as (name, bytes), one at a time: ``rows`` by table, ``texts`` and ``regions`` by
    source id."""
    from builders.site.html import STYLE
    from builders.site.index_page import LISTED, index_page, list_page
    from builders.site.record_page import record_page
    from builders.site.source_page import source_page

    names = {(t, r[RECORD_TABLES.get(t, "source_id")]): r[f] for t, f in NAME_FIELDS.items() for r in rows[t]}
    page_of = page_finder(rows)
    sources = {s["source_id"]: s for s in rows["sources"]}
    by_source, by_page = defaultdict(list), defaultdict(list)
    for ev in rows["evidence"]:
        by_source[ev["source_id"]].append(ev)
        by_page[page_of(ev)].append(ev)

    def region_of(ev) -> tuple[int, int]:
        return next((a, b) for a, b, _ in regions[ev["source_id"]] if a <= ev["char_start"] and ev["char_end"] <= b)

    yield "site/style.css", STYLE.encode("utf-8")
    for sid, s in sources.items():
        yield f"site/sources/{_name(sid)}.html", source_page(
            s, texts[sid], regions[sid], by_source[sid], page_of)
    linked, spelled = _links(rows, names), _spellings(rows)
    for table, key in RECORD_TABLES.items():
        for r in rows[table]:
            quotes = [(ev, sources[ev["source_id"]], texts[ev["source_id"]], region_of(ev))
                      for ev in sorted(by_page[(table, r[key])],
                                       key=lambda e: (e["source_id"], e["char_start"], e["evidence_id"]))]
            yield f"site/{table}/{_name(r[key])}.html", record_page(
                table, r, names=names, linked=linked.get((table, r[key]), []), quotes=quotes,
                spellings=spelled.get((table, r[key]), []))
    for table in LISTED:
        yield f"site/{table}/index.html", list_page(table, rows[table], names)
    yield "site/index.html", index_page(
        descriptor=descriptor, citation_text=citation_text, version=version,
        counts={t: len(v) for t, v in rows.items()}, events=rows["events"], people=rows["people"],
        gifts=rows["gifts"], jsonld=jsonld)


def _name(record_id: str) -> str:
    from builders.site.html import page_name

    return page_name(record_id)


def _links(rows: dict, names: dict) -> dict:
    """(table, id) -> [(heading, [(table, id, label)])]: each record's participants, parts, gifts, aliases and the
    records that point at it."""
    groups: dict = defaultdict(lambda: defaultdict(list))

    def add(owner, heading, table, rid, label=""):
        groups[owner][heading].append((table, rid, label))

    for p in rows["participants"]:
        who = ("people", p["person_id"]) if p["person_id"] else ("bodies", p["body_id"])
        role = p["role"] + (f", {p['title_as_reported']}" if p["title_as_reported"] else "")
        add(("events", p["event_id"]), "Participants", *who, f"{names.get(who, '')} ({role})")
        add(who, "Takes part in", "events", p["event_id"], f"{names.get(('events', p['event_id']), '')} ({p['role']})")
    for e in rows["events"]:
        if e["part_of_event_id"]:
            add(("events", e["part_of_event_id"]), "Parts of this event", "events", e["event_id"], e["title"])
        if e["place_id"]:
            add(("places", e["place_id"]), "Events here", "events", e["event_id"], e["title"])
    for g in rows["gifts"]:
        for side, person, body in (("Gives", g["giver_person_id"], g["giver_body_id"]),
                                   ("Receives", g["recipient_person_id"], g["recipient_body_id"])):
            if person or body:
                add(("people", person) if person else ("bodies", body), side, "gifts", g["gift_id"], g["item"])
        if g["event_id"]:
            add(("events", g["event_id"]), "Gifts", "gifts", g["gift_id"], g["item"])
    for pl in rows["places"]:
        if pl["within_place_id"]:
            add(("places", pl["within_place_id"]), "Places within", "places", pl["place_id"], pl["name"])
    for table, key in (("people", "person_id"), ("bodies", "body_id"), ("places", "place_id")):
        for r in rows[table]:
            if r["country_iso3"]:
                add(("countries", r["country_iso3"]), f"{table.capitalize()} of this country", table, r[key], r["name"])
    out = {}
    for owner, by_heading in groups.items():
        out[owner] = [(h, sorted(set(items), key=lambda x: (x[2], x[1]))) for h, items in by_heading.items()]
    return out


def _spellings(rows: dict) -> dict:
    """(table, id) -> how the sources write the record's name (its aliases, with their kind)."""
    out = defaultdict(list)
    for a in rows["aliases"]:
        t, rid = next((t, a[k]) for k, t in ENTITY_KEYS if a[k])
        out[(t, rid)].append(f"{a['alias']} ({a['kind']})")
    return {k: sorted(v) for k, v in out.items()}
