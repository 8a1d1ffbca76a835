"""A record rests on the article's content: its title, body or captions.

Header and credit lines are source metadata: they support the source record
and nothing else.  Not even a spelling: a name printed only in a photo
credit ("Valery Sharifulin/TASS via Getty Images") is no alias, since no
record's quote relies on it (an audit found one).
"""

from __future__ import annotations

from rusprk.validate.report import Problem

ALLOWED = {"sources": {"title", "header", "credit", "body", "caption"}}
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
