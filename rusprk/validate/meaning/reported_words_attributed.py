"""Words the article quotes from someone are attributed to someone.

A quote that lies inside quotation marks in its paragraph ("He exists! It
must be said that ...", “is ready to give time for negotiations ...”) is a
party's own words, so its evidence names who the source says spoke them.
Double quotation marks only (straight or curly): a single quote mark is too
often an apostrophe to tell.
"""

from __future__ import annotations

from rusprk.validate.meaning.attribution_consistent import ATTRIBUTED_TABLES
from rusprk.validate.report import Problem


def inside_quotation(paragraph: str, offset: int) -> bool:
    """Whether position ``offset`` of a paragraph lies inside double quotation marks opened before it."""
    before = paragraph[:offset]
    return before.count("\u201c") > before.count("\u201d") or before.count('"') % 2 == 1


def check(pkg) -> list[Problem]:
    if not pkg.texts:  # checked where the seed articles are at hand (the build; validate with --seeds)
        return []
    out = []
    for ev in pkg.rows["evidence"]:
        text = pkg.texts.get(ev["source_id"])
        if text is None or ev["record_table"] not in ATTRIBUTED_TABLES or ev["attributed_to"]:
            continue
        line = text.rfind("\n", 0, ev["char_start"]) + 1  # a paragraph is one line in every seed
        if inside_quotation(text[line:ev["char_start"]], ev["char_start"] - line):
            out.append(Problem("evidence", ev["evidence_id"], "attributed_to",
                               f"{ev['quote']!r} lies inside quotation marks: they are someone's words, so say whose "
                               "(attributed_to)"))
    return out
