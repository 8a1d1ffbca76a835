"""A part of an event, and a gift on an occasion, lies inside its parent's interval.

A null bound is open.  Where the parent has a bound the child must have one
on the same side that lies inside: a stop on a trip that began on 12
September 2023 starts on or after it, never 'unknown'.
"""

from __future__ import annotations

from rusprk.validate.report import Problem


def outside(child: dict, parent: dict) -> list[tuple[str, str]]:
    """(field, why) for each side of the child's interval that the parent's does not contain."""
    out = []
    ps, pe, cs, ce = parent["date_start"], parent["date_end"], child["date_start"], child["date_end"]
    if ps is not None and (cs is None or cs < ps):
        out.append(("date_start", f"starts {cs or 'at an open or unknown date'}, before its parent's start {ps}"))
    if pe is not None and (ce is None or ce > pe):
        out.append(("date_end", f"ends {ce or 'at an open or unknown date'}, after its parent's end {pe}"))
    return out


def check(pkg) -> list[Problem]:
    out = []
    events = pkg.by_id["events"]
    for table, pk, ref in (("events", "event_id", "part_of_event_id"), ("gifts", "gift_id", "event_id")):
        for row in pkg.rows[table]:
            parent = events.get(row[ref])
            if parent is None:
                continue
            for field, why in outside(row, parent):
                out.append(Problem(table, row[pk], field,
                                   f"{why} ({parent['event_id']}): a part lies inside its parent's interval; bound "
                                   "it by the parent (leave its date out to have the build do it)"))
    return out
