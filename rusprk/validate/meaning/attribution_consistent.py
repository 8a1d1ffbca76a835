"""The same words carry the same attribution wherever they are quoted, and one claimant one spelling.

Attribution belongs to the quoted words, not to the record they support: a
quote inside a longer quote of the same source (or the same span quoted for
two records) is the same claimant's claim, so where one is attributed
("..., Tass said"), the other is attributed to the same claimant. The build
fills in the attribution of a quote that lies inside an attributed one; two
different attributions of nested quotes are an error, and so is one claimant
spelled two ways ("Russian foreign ministry" / "Russian Foreign Ministry").
Names (aliases) and source metadata are not claims and carry none.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict

from rusprk.validate.report import Problem

#: The tables whose evidence carries claims (a spelling or a source's own metadata is nobody's claim).
ATTRIBUTED_TABLES = ("events", "participants", "gifts", "people", "places", "bodies", "countries")


def containing(rows: list[dict]) -> dict[str, list[dict]]:
    """evidence_id -> the attributed rows of the same source whose span contains it (itself excluded), in the
    order of their starts.  Only those starting at or before a row's start are compared with it: the build
    and this rule each ask for every row (half the evidence of a source is attributed, so comparing each row
    with all of them cost about 0.9 s at 2,000 seeds)."""
    by_source = defaultdict(list)
    for r in rows:
        by_source[r["source_id"]].append(r)
    out = {}
    for same in by_source.values():
        attributed = sorted((r for r in same if r["attributed_to"]), key=lambda a: a["char_start"])
        starts = [a["char_start"] for a in attributed]
        for r in same:
            end = r["char_end"]
            out[r["evidence_id"]] = [a for a in attributed[:bisect_right(starts, r["char_start"])]
                                     if a is not r and end <= a["char_end"]]
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
    spellings = defaultdict(set)
    for r in pkg.rows["evidence"]:
        if r["attributed_to"]:
            spellings[" ".join(r["attributed_to"].split()).casefold()].add(r["attributed_to"])
    first = {}
    for r in sorted(pkg.rows["evidence"], key=lambda r: r["evidence_id"]):
        label = r["attributed_to"]
        if label and len(spellings[" ".join(label.split()).casefold()]) > 1:
            key = " ".join(label.split()).casefold()
            first.setdefault(key, label)
            if label != first[key]:
                out.append(Problem("evidence", r["evidence_id"], "attributed_to",
                                   f"{label!r} is {first[key]!r} spelled another way: one claimant, one spelling"))
    return out
