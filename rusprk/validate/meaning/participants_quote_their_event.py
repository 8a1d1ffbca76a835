"""A participant's quote is part of its event's evidence.

Each evidence row of a participant overlaps an evidence row of the event in
the same source: the words that show an actor in an event are among the
words that report the event. A participant shown by another sentence (an
arrival sentence for talks, someone's own statement for praise of it) does not
show them in this event; quote the event's own sentence, and if it refers to
them without a name ("the two foreign ministers"), mark the reference
inferred.
"""

from __future__ import annotations

from rusprk.validate.report import Problem


def check(pkg) -> list[Problem]:
    out = []
    for p in pkg.rows["participants"]:
        spans = [(e["source_id"], e["char_start"], e["char_end"]) for e in pkg.quotes("events", p["event_id"])]
        for ev in pkg.quotes("participants", p["participant_id"]):
            if not any(s == ev["source_id"] and a < ev["char_end"] and ev["char_start"] < b for s, a, b in spans):
                out.append(Problem("participants", p["participant_id"], "evidence",
                                   f"{ev['quote']!r} is not part of any quote of {p['event_id']}: a participant's quote "
                                   "comes from the words that report its event (add the sentence to the event's "
                                   "quotes, or quote the event's own words for the actor)"))
    return out
