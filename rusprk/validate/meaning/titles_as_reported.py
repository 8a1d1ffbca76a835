"""A participant's title as reported stands in one of its quotes, and event titles use canonical names.

``participants.title_as_reported`` is the title or description in the
supporting text: it occurs in one of the participant's quotes. An event's
title is the curator's summary and names every person, body, place and
country by its canonical name, in full: not a short form ("Lavrov", "Putin's",
"Kim–Lavrov"), not a variant ("Russian Foreign Ministry", "DPRK").  The
third audit noted short forms as a matter of strictness; the fifth found
them against the rule as the codebook states it, which is now what is checked.
"""

from __future__ import annotations

import re
from collections import defaultdict

from rusprk.validate.report import Problem


def _norm(s: str) -> str:
    return " ".join(s.split()).casefold()


def check(pkg) -> list[Problem]:
    out = []
    for p in pkg.rows["participants"]:
        title = p["title_as_reported"]
        if title and not any(_norm(title) in _norm(ev["quote"]) for ev in pkg.quotes("participants", p["participant_id"])):
            out.append(Problem("participants", p["participant_id"], "title_as_reported",
                               f"{title!r} does not occur in any quote of the participant: the title is as reported in "
                               "the supporting text (give the quote that reports it, or leave it null)"))
    canonical = {r[key]: r["name"] for table, key in (("people", "person_id"), ("bodies", "body_id"),
                                                       ("places", "place_id"), ("countries", "country_iso3"))
                 for r in pkg.rows[table]}
    # Canonical names by their words: a spelling the gazetteer found is whole words, so a name written out in full
    # around it holds the spelling's first word as one of its own (one lookup, not a scan of every name).
    by_word: dict[str, set[str]] = defaultdict(set)
    for name in set(canonical.values()):
        for word in re.findall(r"\w+", name):
            by_word[word].add(name)
    for e in pkg.rows["events"]:
        title = e["title"]
        for start, end, spelling in pkg.names.spans(title):
            # Fine where the spelling is part of a canonical name written out in full: its own ("Lavrov" in
            # "Sergey Lavrov") or another's ("Kim" in "Kim Kye Gwan").
            words = re.findall(r"\w+", spelling)
            names = sorted(by_word.get(words[0], ()) if words else (), key=lambda n: (-len(n), n))
            if any(_within(title, name, start, end) for name in names):
                continue
            # Every record the spelling names is listed only for the message: in a large corpus a spelling
            # ("Kim") names hundreds of records, and most titles write their names in full.
            named = [x for x in pkg.names.names[spelling] if x in canonical]
            if named:
                out.append(Problem("events", e["event_id"], "title",
                                   f"the title names {', '.join(sorted(named))} as {spelling!r}; titles use canonical "
                                   f"names in full ({', '.join(repr(canonical[x]) for x in sorted(named))})"))
    return out


def _within(title: str, name: str, start: int, end: int) -> bool:
    """Whether title[start:end] lies inside an occurrence of the whole name."""
    at = title.find(name)
    while at >= 0:
        if at <= start and end <= at + len(name):
            return True
        at = title.find(name, at + 1)
    return False
