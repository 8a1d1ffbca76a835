"""A party the source reports speaking is recorded speaking.

A claimant (``attributed_to``) that names a recorded person or state body --
its spelling, less a channel in brackets ("Russian Foreign Ministry
(Twitter)"), is an alias or the canonical name -- is the speaker (or
claimant, or publisher) of an event the same source supports.  News agencies
and newspapers report, so they are exempt.  The fourth audit found "Moscow
said" left as a bare attribution, with no statement of the Russian state.
"""

from __future__ import annotations

import re

from rusprk.validate.report import Problem

#: The roles of a party whose words an event records.
SPEAKING_ROLES = frozenset({"speaker", "claimant", "publisher"})
#: Body kinds that report rather than speak for themselves.
REPORTING_KINDS = frozenset({"agency", "newspaper"})

_CHANNEL = re.compile(r"\s*\([^()]*\)$")


def parties(pkg, claimant: str, names: dict[str, set] | None = None) -> set[str]:
    """The people and speaking bodies a claimant's spelling names (empty for "analysts"); ``names`` is
    ``spellings(pkg)``, computed once by a caller that asks many times."""
    name = _CHANNEL.sub("", claimant)
    found = set((names if names is not None else spellings(pkg)).get(name, ()))
    found.discard(None)
    bodies = pkg.by_id["bodies"]
    return {e for e in found if e not in bodies or bodies[e]["kind"] not in REPORTING_KINDS}


def spellings(pkg) -> dict[str, set]:
    """Every alias, person's name and body's name, with the ids it names."""
    names: dict[str, set] = {}
    for a in pkg.rows["aliases"]:
        names.setdefault(a["alias"], set()).add(a.get("person_id") or a.get("body_id"))
    for p in pkg.rows["people"]:
        names.setdefault(p["name"], set()).add(p["person_id"])
    for b in pkg.rows["bodies"]:
        names.setdefault(b["name"], set()).add(b["body_id"])
    return names


def check(pkg) -> list[Problem]:
    speaking: dict[str, set[str]] = {}  # source -> parties recorded speaking in an event it supports
    for p in pkg.rows["participants"]:
        if p["role"] in SPEAKING_ROLES:
            for ev in pkg.quotes("events", p["event_id"]):
                speaking.setdefault(ev["source_id"], set()).add(pkg.actor(p))
    out, seen = [], set()
    names = spellings(pkg)
    for ev in pkg.rows["evidence"]:
        claimant = ev["attributed_to"]
        if not claimant or (ev["source_id"], claimant) in seen:
            continue
        seen.add((ev["source_id"], claimant))
        named = parties(pkg, claimant, names)
        if named and not named & speaking.get(ev["source_id"], set()):
            out.append(Problem("evidence", ev["evidence_id"], "attributed_to",
                               f"{claimant!r} ({', '.join(sorted(named))}) speaks in {ev['source_id']}, but no event "
                               "of that source records them speaking: record the statement (role speaker)"))
    return out
