"""The same words carry the same attribution wherever they are quoted.

A quote inside a longer quote of the same source (or the same span quoted
for two records) is the same claimant's claim: where one is attributed
("..., Tass said"), the other is attributed to the same claimant, spelled the
same way. The build fills in the attribution of a quote that lies inside an
attributed one; two different attributions of nested quotes are an error.
"""

from __future__ import annotations

from collections import defaultdict

from rusprk.validate.report import Problem

#: The tables whose records are claims (names and sources are not attributed).
ATTRIBUTED_TABLES = ("events", "participants", "gifts")


def containing(rows: list[dict]) -> dict[str, list[dict]]:
    """evidence_id -> the attributed rows of the same source whose span contains it (itself excluded)."""
    by_source = defaultdict(list)
    for r in rows:
        by_source[r["source_id"]].append(r)
    out = {}
    for same in by_source.values():
        attributed = [r for r in same if r["attributed_to"]]
        for r in same:
            out[r["evidence_id"]] = [a for a in attributed if a is not r and a["char_start"] <= r["char_start"]
                                     and r["char_end"] <= a["char_end"]]
    return out


def check(pkg) -> list[Problem]:
    out = []
    rows = [r for r in pkg.rows["evidence"] if r["record_table"] in ATTRIBUTED_TABLES]
    outer = containing(rows)
    for r in rows:
        claims = {a["attributed_to"] for a in outer[r["evidence_id"]]}
        if r["attributed_to"]:
            claims.discard(r["attributed_to"])
            if claims:
                out.append(Problem("evidence", r["evidence_id"], "attributed_to",
                                   f"attributed to {r['attributed_to']!r}, but a quote of the same source containing it "
                                   f"is attributed to {sorted(claims)[0]!r}: one claimant, one spelling"))
        elif claims:
            out.append(Problem("evidence", r["evidence_id"], "attributed_to",
                               f"not attributed, but a quote of the same source containing it is attributed to "
                               f"{sorted(claims)[0]!r}"))
    return out
