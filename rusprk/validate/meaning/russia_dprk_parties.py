"""The Russia–DPRK flag agrees with the countries of the event's parties (for a visit, arrival, stop or welcome, its country stands for the host's side).

True needs a Russian and a North Korean actor among the participants (a
visit's country counts as the host's side).  Where a Russian and a North
Korean actor both take part in a party role (host, guest, speaker,
addressee, provider, ...), the event is an exchange and the flag must be
true.  Between the two (one side speaks, the other is only spoken about)
the codebook's inclusion criteria decide, and the notes say how.
"""

from __future__ import annotations

from rusprk.metadata import HOSTED_TYPES, PARTY_ROLES
from rusprk.validate.report import Problem

SIDES = {"RUS", "PRK"}


def check(pkg) -> list[Problem]:
    out = []
    for e in pkg.rows["events"]:
        parts = pkg.participants_of.get(e["event_id"], [])
        hosted = {e["country_iso3"]} if e["event_type"] in HOSTED_TYPES else set()
        anyone = {pkg.country_of(pkg.actor(p)) for p in parts} | hosted
        parties = {pkg.country_of(pkg.actor(p)) for p in parts if p["role"] in PARTY_ROLES} | hosted
        if e["russia_dprk"] and not SIDES <= anyone:
            out.append(Problem("events", e["event_id"], "russia_dprk",
                               "true, but its participants include no "
                               f"{' and no '.join(sorted(SIDES - anyone))} actor: record the other side, or flag it "
                               "false (a context event)"))
        elif not e["russia_dprk"] and SIDES <= parties:
            out.append(Problem("events", e["event_id"], "russia_dprk",
                               "false, but a Russian and a North Korean actor both take part in it as parties: "
                               "an exchange between the two is flagged true"))
    return out
