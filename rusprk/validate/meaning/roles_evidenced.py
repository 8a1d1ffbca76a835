"""Each role an actor has in an event rests on quotes of its own.

An actor in two roles of one event (inviter and host, speaker and subject)
must be shown in each by some quote that does not show only the other:
"The visit is at Kim's invitation" makes Kim the inviter, not also the host.
"""

from __future__ import annotations

from collections import defaultdict

from rusprk.validate.report import Problem


def check(pkg) -> list[Problem]:
    out = []
    roles = defaultdict(list)
    for p in pkg.rows["participants"]:
        roles[(p["event_id"], pkg.actor(p))].append(p)
    for (event_id, actor), parts in roles.items():
        if len(parts) < 2:
            continue
        spans = {p["participant_id"]: {(e["source_id"], e["char_start"], e["char_end"])
                                       for e in pkg.quotes("participants", p["participant_id"])} for p in parts}
        for p in parts:
            others = set().union(*(spans[q["participant_id"]] for q in parts if q is not p))
            if spans[p["participant_id"]] and spans[p["participant_id"]] <= others:
                out.append(Problem("participants", p["participant_id"], "role",
                                   f"{actor} is {p['role']} of {event_id} only by quotes that show another of its roles "
                                   f"there: give the {p['role']} role a quote of its own, or drop it"))
    return out
