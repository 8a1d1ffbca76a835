"""A participant's title as reported stands in one of its quotes, and event titles use canonical names.

``participants.title_as_reported`` is the title or description in the
supporting text: it occurs in one of the participant's quotes. An event's
title is the curator's summary and names people by their canonical names,
not by another spelling (a short form such as "Lavrov" is part of the
canonical name and allowed).
"""

from __future__ import annotations

from rusprk.validate.meaning.text import contains
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
    people = pkg.by_id["people"]
    for e in pkg.rows["events"]:
        for start, end, spelling in pkg.names.spans(e["title"]):
            for person in pkg.names.names[spelling]:
                if person in people and not contains(people[person]["name"], spelling):
                    out.append(Problem("events", e["event_id"], "title",
                                       f"the title names {person} as {spelling!r}; titles use canonical names "
                                       f"({people[person]['name']!r})"))
    return out
