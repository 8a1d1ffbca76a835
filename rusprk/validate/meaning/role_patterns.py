"""One pattern of roles per event type (``rusprk.metadata.ROLE_PATTERNS``)."""

from __future__ import annotations

from rusprk.metadata import ROLE_PATTERNS
from rusprk.validate.report import Problem


def check(pkg) -> list[Problem]:
    out = []
    for e in pkg.rows["events"]:
        pattern = ROLE_PATTERNS.get(e["event_type"])
        if pattern is None:
            continue
        parts = pkg.participants_of.get(e["event_id"], [])
        for p in parts:
            if p["role"] not in pattern.allowed:
                out.append(Problem("participants", p["participant_id"], "role",
                                   f"a {e['event_type']} takes roles {', '.join(pattern.allowed)}, not {p['role']!r} "
                                   "(one pattern per event type: ROLE_PATTERNS)"))
        for roles, n in pattern.required:
            have = sum(p["role"] in roles for p in parts)
            if have < n:
                out.append(Problem("events", e["event_id"], "event_type",
                                   f"a {e['event_type']} needs {n} participant(s) as {' or '.join(roles)}, has {have} "
                                   f"({pattern.describe()})"))
    return out
