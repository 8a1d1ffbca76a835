"""A record rests on the article's content: its title, body or captions.

Header and credit lines are source metadata: they support the source record,
and a credit line may also carry a spelling of a name (an alias), but no
person, place, event or gift rests on them.
"""

from __future__ import annotations

from rusprk.validate.report import Problem

ALLOWED = {"sources": {"title", "header", "credit", "body", "caption"},
           "aliases": {"title", "body", "caption", "credit"}}
CONTENT = {"title", "body", "caption"}


def check(pkg) -> list[Problem]:
    out = []
    for ev in pkg.rows["evidence"]:
        allowed = ALLOWED.get(ev["record_table"], CONTENT)
        if ev["region"] not in allowed:
            out.append(Problem("evidence", ev["evidence_id"], "region",
                               f"a {ev['record_table']} record rests on the article's {', '.join(sorted(allowed))}, "
                               f"not on a {ev['region']} line (source metadata): {ev['quote']!r}"))
    return out
