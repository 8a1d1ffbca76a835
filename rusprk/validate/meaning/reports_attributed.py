"""A quote that reports what a party said names that party as its claimant.

A quote with a reporting clause ("said", "according to", "wrote", "in a
Facebook post by ...") holds someone's claim, so its evidence is attributed
-- except where the claim is the record itself: a statement event and its
participants (the reporting clause is the statement's evidence), and the
speaking party's own person or body record (the clause names who spoke).
The fourth audit found the photographer's name for a venue, "named the
Pavilion of 100 Flowers in a Facebook post by the photographer", given as the
outlet's own word on the place.
"""

from __future__ import annotations

import re

from rusprk.validate.meaning.attribution_consistent import ATTRIBUTED_TABLES
from rusprk.validate.meaning.claimants_speak import REPORTING_KINDS, SPEAKING_ROLES
from rusprk.validate.report import Problem

REPORTING_CLAUSE = re.compile(
    r"\b(?:said|says|say|wrote|writes|according to|confirmed|reported|assured|suggests?|"
    r"in an? (?:Facebook|Twitter|Telegram) post)\b", re.IGNORECASE)


def check(pkg) -> list[Problem]:
    statements = {p["event_id"] for p in pkg.rows["participants"] if p["role"] in SPEAKING_ROLES}
    speakers = {pkg.actor(p) for p in pkg.rows["participants"] if p["role"] in SPEAKING_ROLES}
    speakers |= {b["body_id"] for b in pkg.rows["bodies"] if b["kind"] in REPORTING_KINDS}
    out = []
    for ev in pkg.rows["evidence"]:
        table, record = ev["record_table"], ev["record_id"]
        if ev["attributed_to"] or table not in ATTRIBUTED_TABLES or not REPORTING_CLAUSE.search(ev["quote"]):
            continue
        if table == "events" and record in statements:
            continue
        if table == "participants" and pkg.by_id["participants"].get(record, {}).get("event_id") in statements:
            continue
        if table in ("people", "bodies") and record in speakers and pkg.names.names_entity(ev["quote"], record):
            continue
        out.append(Problem("evidence", ev["evidence_id"], "attributed_to",
                           f"{ev['quote']!r} reports what someone said ('{REPORTING_CLAUSE.search(ev['quote'])[0]}'): "
                           "say whose claim it is (attributed_to)"))
    return out
