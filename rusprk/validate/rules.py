"""The cross-field rules, as data.

The metadata states them in its descriptions and null_means; here they are
data, shared by the checks and by tests/strategies.py, so generator and
validator cannot drift apart.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rusprk.metadata import RESOURCES, Resource, resource

#: UTF-8 read as Latin-1/CP1252 ("â€™", "Ã©", "Â ") or a replacement character.
#: Valid for both Python ``re`` and RE2 (pyarrow).
MOJIBAKE = "[\u00c2\u00c3][\u0080-\u00bf]|\u00e2\u20ac|\u00e2\u0080|\ufffd"

#: C0 control characters and DEL, but for TAB and LF: never in a seed, a hand-map or a text cell (a NUL
#: ends a string in C, a stray escape re-colours a terminal).  Valid for Python ``re`` and RE2.
CONTROL_CHARS = "[\x00-\x08\x0b-\x1f\x7f]"

#: What a spreadsheet reads as a formula at the start of a cell (OWASP, CSV injection): = + - @ TAB CR.
#: Curators' own text (notes, titles, rationales) may not begin so; verbatim text from the seeds
#: (``Field.verbatim``: quotes, spellings, titles as printed) may, and stays as printed (see the codebook).
FORMULA_START = "^[=+\\-@\\t\\r]"

#: A link row names exactly one actor.
EXACTLY_ONE: dict[str, tuple[tuple[str, ...], ...]] = {
    "aliases": (("person_id", "place_id", "body_id", "country_iso3"),),
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
    ("gifts", "recipient_inferred", ("recipient_person_id", "recipient_body_id")),
    ("events", "place_inferred", ("place_id", "country_iso3")),
    ("gifts", "place_inferred", ("place_id", "country_iso3")),
    ("events", "cameo_rationale", ("cameo_code",)),
)
#: Ids built from other fields: a tuple of parts, each a literal separator or a
#: tuple of fields of which the first one set is used.
DERIVED_IDS: dict[str, tuple[str, tuple]] = {
    "aliases": ("alias_id", (("person_id", "place_id", "body_id", "country_iso3"), ":", ("alias",))),
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


@lru_cache(maxsize=None)
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


def rationale_pairs(res: Resource) -> list[tuple[str, str]]:
    """(x_inferred, x_rationale): an inferred value carries its rationale and only then."""
    names = set(res.field_names)
    return [(f, f[: -len("_inferred")] + "_rationale") for f in res.field_names
            if f.endswith("_inferred") and f[: -len("_inferred")] + "_rationale" in names]


def single_dates(res: Resource) -> list[tuple[str, str]]:
    """(date field, its precision field) for single dates such as date_published."""
    names = set(res.field_names)
    return [(f.name, f.name + "_precision") for f in res.fields if f.type == "date" and f.name + "_precision" in names]
