"""The meaning rules: checks that a record says what its quotes support.

The form checks (``rusprk.validate.checks``) prove a quote stands at its
offsets and every key resolves; they cannot tell a right record from a wrong
one.  These rules catch the kinds of mistake a careful second reading found
in the content, one rule per module, each named for what it checks:

* ``evidence_has_content``: no quote is punctuation or a bare date;
* ``evidence_in_content``: records rest on title, body or captions (header and credit lines are source
  metadata);
* ``attribution_consistent``: the same words carry the same attribution wherever they are quoted, one
  claimant one spelling;
* ``reported_words_attributed``: words inside quotation marks are attributed to someone (with the seeds);
* ``reports_attributed``: a quote with a reporting clause ("said", "in a Facebook post by") is attributed,
  unless it is the statement's own evidence or names the speaker's own record;
* ``claimants_speak``: a person or state body the source reports speaking is a speaker in one of its events;
* ``quotes_name_records``: a quote names one of its record's actors, its place or its object,
  unless marked as context, and no record rests on context alone;
* ``actors_named``: a participant's, giver's or recipient's quote names them by an alias, or the
  record says which words stand for them (an inferred reference);
* ``participants_quote_their_event``: a participant's quote is part of its event's evidence;
* ``roles_evidenced``: each role of an actor in an event rests on quotes of its own;
* ``titles_as_reported``: a participant's title stands in its quotes; event titles use canonical names;
* ``gift_certainty``: a 'stated' gift has no giver or recipient read from context;
* ``children_within_parents``: a part of an event, or a gift on an occasion, lies inside its
  parent's interval;
* ``role_patterns``: one pattern of roles per event type (``rusprk.metadata.ROLE_PATTERNS``);
* ``stated_days``: a ``day`` precision claims only days a quote or the date rationale writes out;
* ``name_conventions``: canonical names follow ``rusprk.metadata.NAME_CONVENTIONS``;
* ``russia_dprk_parties``: the Russia–DPRK flag agrees with the parties' countries;
* ``derived``: the fields the build derives (``cameo_counted``, ``place_precision``), derived
  by the same functions the build uses.

``check_meaning(rows)`` runs them all on a package's rows (plain dicts by
table).  The build runs it before anything is written and points each problem
at the hand-map line it came from; ``rusprk validate`` runs it on a package
whose form is valid.  The rows are small (one per curated fact), so the rules
are plain Python.
"""

from __future__ import annotations

from rusprk.validate.meaning import (actors_named, attribution_consistent, children_within_parents,
                                     claimants_speak, derived, evidence_has_content, evidence_in_content,
                                     gift_certainty, name_conventions, participants_quote_their_event,
                                     quotes_name_records, reported_words_attributed, reports_attributed, role_patterns,
                                     roles_evidenced, russia_dprk_parties, stated_days, titles_as_reported)
from rusprk.validate.meaning.package import Package
from rusprk.validate.report import Problem

RULES = (evidence_has_content, evidence_in_content, attribution_consistent, reported_words_attributed,
         reports_attributed, claimants_speak, quotes_name_records, actors_named,
         participants_quote_their_event, roles_evidenced, titles_as_reported, gift_certainty, children_within_parents,
         role_patterns, stated_days, name_conventions, russia_dprk_parties, derived)


def check_meaning(rows: dict[str, list[dict]], seeds_dir=None) -> list[Problem]:
    """Every problem the meaning rules find in a package's rows, sorted; the rules that read the articles
    themselves run when ``seeds_dir`` holds the seeds."""
    pkg = Package(rows, seed_texts(rows, seeds_dir))
    found: list[Problem] = []
    for rule in RULES:
        found += rule.check(pkg)
    return sorted(set(found))


def seed_texts(rows: dict[str, list[dict]], seeds_dir) -> dict[str, str] | None:
    """Each source's seed text (UTF-8) by source id, or None without a seeds folder."""
    from pathlib import Path

    if seeds_dir is None or not Path(seeds_dir).is_dir():
        return None
    out = {}
    for src in rows.get("sources", []):
        path = Path(seeds_dir) / src["seed_file"]
        try:
            out[src["source_id"]] = path.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            continue  # the form checks report a missing or undecodable seed
    return out


__all__ = ["Package", "RULES", "check_meaning", "seed_texts"]
