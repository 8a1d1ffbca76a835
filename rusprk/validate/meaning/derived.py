"""Fields the build derives, and the functions that derive them (the build calls these too)."""

from __future__ import annotations

from rusprk.metadata import PLACE_KIND_PRECISION
from rusprk.validate.report import Problem


def cameo_counted(events: dict[str, dict], event_id: str) -> bool:
    """False when a larger event this one is part of (at any depth) has the same CAMEO code."""
    code = events[event_id]["cameo_code"]
    seen, parent = {event_id}, events[event_id]["part_of_event_id"]
    while parent in events and parent not in seen:
        if code is not None and events[parent]["cameo_code"] == code:
            return False
        seen.add(parent)
        parent = events[parent]["part_of_event_id"]
    return True


def place_precision(places: dict[str, dict], place_id: str | None, country: str | None) -> str:
    """From the kind of the place, 'country' with only a country, else 'unknown'."""
    if place_id is not None and place_id in places:
        return PLACE_KIND_PRECISION[places[place_id]["kind"]]
    return "country" if country else "unknown"


def check(pkg) -> list[Problem]:
    out = []
    events, places = pkg.by_id["events"], pkg.by_id["places"]
    for e in pkg.rows["events"]:
        want = cameo_counted(events, e["event_id"])
        if e["cameo_counted"] != want:
            out.append(Problem("events", e["event_id"], "cameo_counted",
                               f"should be {str(want).lower()}: false exactly when a larger event it is part of has "
                               "the same CAMEO code"))
    for table, pk in (("events", "event_id"), ("gifts", "gift_id")):
        for row in pkg.rows[table]:
            want = place_precision(places, row["place_id"], row["country_iso3"])
            if row["place_precision"] != want:
                out.append(Problem(table, row[pk], "place_precision",
                                   f"should be {want!r} (from the place's kind, or 'country' with only a country)"))
    return out
