"""Every id a hand-map refers to is defined somewhere: one rule for the build and ``rusprk check``.

A reference (a place's ``within``, an event's ``place``, ``part_of`` and
participants, a gift's giver, recipient, occasion and place, a mention's
``of``, a cite's ``record``, any ``country``) must name a record some
hand-map defines, of the kind the field takes, or a country of
``builders/reference/countries.yaml``.  Each unknown one is reported at the
line and column of its value with the closest ids ("did you mean").
"""

from __future__ import annotations

import difflib
from pathlib import Path

from builders.errors import BuildError

PREFIXES = ("src-", "per-", "plc-", "bod-", "evt-", "gft-")


def did_you_mean(ref: str, defined) -> str:
    """"; did you mean …?" with the closest defined ids (`rusprk ids` lists them all)."""
    near = difflib.get_close_matches(ref, sorted(defined), n=3, cutoff=0.6)
    return f"; did you mean {', '.join(near)}?" if near else "; `rusprk ids` lists the ids defined"


def defined_ids(handmaps) -> set[str]:
    """Every id the hand-maps define."""
    return {r.id for hm in handmaps for r in (hm.source, *hm.people, *hm.places, *hm.bodies, *hm.events, *hm.gifts)}


def needs(hm) -> list[tuple]:
    """Every reference of one hand-map, in the order written: (ref, prefix the ref must have or "ISO" for a
    country, row, field shown, line, column), and ``(of, None, None, None, line, column)`` for a mention of
    something that is not a person, place, body or country.  Plain values, so a build can keep them with a
    hand-map's cached rows and check them against the ids of every hand-map (``unresolved``)."""
    out: list[tuple] = []

    def need(model, field, ref, prefix, row, shown=None):
        if ref is not None:
            pos = model.at(field)
            out.append((ref, prefix, row, shown or field, pos.line, pos.column))

    for p in hm.people:
        need(p, "country", p.country, "ISO", p.id)
    for p in hm.places:
        need(p, "within", p.within, "plc-", p.id)
        need(p, "country", p.country, "ISO", p.id)
    for b in hm.bodies:
        need(b, "country", b.country, "ISO", b.id)
    for e in hm.events:
        need(e, "place", e.place, "plc-", e.id)
        need(e, "country", e.country, "ISO", e.id)
        need(e, "part_of", e.part_of, "evt-", e.id)
        for p in e.participants:
            need(p, "who", p.who, p.who[:4], e.id, "participants.who")
    for g in hm.gifts:
        for field in ("giver", "recipient"):
            ref = getattr(g, field)
            need(g, field, ref, ref[:4] if ref else "", g.id)
        need(g, "event", g.event, "evt-", g.id)
        need(g, "place", g.place, "plc-", g.id)
        need(g, "country", g.country, "ISO", g.id)
    for m in hm.mentions:
        if m.of.isupper():
            need(m, "of", m.of, "ISO", m.of)
        elif m.of[:4] in ("per-", "plc-", "bod-"):
            need(m, "of", m.of, m.of[:4], m.of)
        else:
            pos = m.at("of")
            out.append((m.of, None, None, None, pos.line, pos.column))
    for c in hm.cite:
        need(c, "record", c.record, c.record[:4] if c.record[:4] in PREFIXES else "evt-", c.record)
    return out


def unresolved(path: Path, wanted, defined: set[str], countries: set[str]) -> list[BuildError]:
    """The references among ``wanted`` (``needs``) that name nothing defined, in order."""
    out: list[BuildError] = []
    for ref, prefix, row, shown, line, column in wanted:
        if prefix is None:
            out.append(BuildError(path, f"a mention names a person, place, body or country, not {ref}",
                                  line=line, column=column, row=ref, field="of"))
        elif prefix == "ISO":
            if ref not in countries:
                out.append(BuildError(path, f"unknown country {ref!r} (not in builders/reference/countries.yaml)"
                                      + did_you_mean(ref, countries), line=line, column=column, row=row,
                                      field=shown))
        elif not ref.startswith(prefix) or ref not in defined:
            out.append(BuildError(path, f"refers to {ref}, which no hand-map defines among its {prefix}… ids"
                                  + did_you_mean(ref, defined), line=line, column=column, row=row, field=shown))
    return out


def problems(path: Path, hm, defined: set[str], countries: set[str]) -> list[BuildError]:
    """Every reference of one hand-map that names nothing defined, in the order written."""
    return unresolved(path, needs(hm), defined, countries)


def countries(root: Path) -> list[dict]:
    """The reference countries (``builders/reference/countries.yaml``): iso3, name and the codes beside them."""
    import yaml

    ref = yaml.safe_load((Path(root) / "builders" / "reference" / "countries.yaml").read_text(encoding="utf-8"))
    return ref["countries"]


def country_codes(root: Path) -> set[str]:
    return {c["iso3"] for c in countries(root)}


def loadable_handmaps(root: Path, cache: Path | None = None) -> dict[Path, object]:
    """Every hand-map of the tree that loads, by resolved path (read-only use of ``cache``).  One that does not
    load is left out: ``rusprk check`` reports it, and its ids and names are unknown until it loads."""
    from builders.handmap import load_handmap

    loaded = {}
    for path in sorted((Path(root) / "builders" / "handmaps").glob("*.yaml")):
        try:
            loaded[path.resolve()] = load_handmap(path, cache, write_cache=False)
        except BuildError:
            continue
    return loaded
