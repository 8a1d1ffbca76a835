"""No evidence is punctuation, a separator line or (but for a source's dateline) a bare date."""

from __future__ import annotations

from rusprk.validate.meaning.text import has_content, is_bare_date
from rusprk.validate.report import Problem


def check(pkg) -> list[Problem]:
    out = []
    for ev in pkg.rows["evidence"]:
        if not has_content(ev["quote"]):
            out.append(Problem("evidence", ev["evidence_id"], "quote",
                               f"{ev['quote']!r} has no letter or digit: a separator or punctuation supports "
                               f"nothing (record {ev['record_id']})"))
        elif ev["record_table"] != "sources" and is_bare_date(ev["quote"]):
            out.append(Problem("evidence", ev["evidence_id"], "quote",
                               f"{ev['quote']!r} is only a date: a bare date supports no {ev['record_table']} record "
                               f"({ev['record_id']}); quote what happened"))
    return out
