"""Each meaning rule rejects a deliberately wrong hand-map, naming hand-map file, line, record and field.

Every kind of mistake a careful second reading found in the content is a
rule in ``rusprk.validate.meaning``.  Here each rule meets a copy of the real
hand-maps with one such mistake put back: the build must refuse it, point at
the hand-map line where the mistake is, name the record and the field, and
write nothing.  ``test_real_hand_maps_pass_every_rule`` is the other half:
the committed hand-maps pass them all.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from builders.build import build
from builders.errors import BuildError
from conftest import ROOT, copy_build_inputs, package_rows

MAPS = "builders/handmaps"


@pytest.fixture
def project(tmp_path, monkeypatch):
    copy_build_inputs(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1717000000")
    return tmp_path


def edit(project, seed: str, old: str, new: str) -> int:
    """Replace ``old`` (which must occur once) in a hand-map; the 1-based line where it began."""
    path = project / MAPS / f"{seed}.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {seed}"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def refused(project, seed: str, row: str, field: str, *words: str, near: int | None = None) -> BuildError:
    """The build fails on the hand-map of ``seed``, naming the record and field; nothing is written."""
    with pytest.raises(BuildError) as info:
        build(project, log=lambda *_: None)
    err = info.value
    text = str(err)
    first = text.splitlines()[0]
    assert first.startswith(f"{project / MAPS / seed}.yaml:"), text
    assert f"[row {row}" in first and f"field {field}" in first, text  # a row id, or the start of one
    for w in words:
        assert w in text, text
    if near is not None:
        assert err.line is not None and abs(err.line - near) <= 12, (err.line, near, text)
    assert not (project / "dist").exists(), "a refused build wrote dist/"
    return err


S000, S001, S002, S003, S004 = (p.stem for p in sorted((ROOT / "seeds").glob("*.txt"))[:5])


def test_real_hand_maps_pass_every_rule(project):
    from builders.tables import build_tables
    from builders.validate import check_meaning_rows
    from builders import publish
    from rusprk.metadata import RESOURCE_ORDER

    built = build_tables(project)
    rows = {n: publish.to_arrow(n, built.rows.get(n, [])).to_pylist() for n in RESOURCE_ORDER}
    check_meaning_rows(rows, built.origin)  # raises on any problem


# -- evidence_has_content ------------------------------------------------------

def test_a_punctuation_quote_is_refused(project):
    line = edit(project, S004, "cite:\n", "cite:\n  - {record: evt-2018-05-31-mfa-tweet-kim-lavrov, quote: '–', occurrence: 1}\n")
    refused(project, S004, "evt-2018-05-31-mfa-tweet-kim-lavrov@src-004-kim-receives-lavrov-pakhlavon:", "quote",
            "has no letter or digit", near=line + 1)


def test_a_bare_date_quote_is_refused(project):
    line = edit(project, S004, "cite:\n", "cite:\n  - {record: evt-2018-05-31-mfa-tweet-kim-lavrov, quote: 31 may 2018}\n")
    refused(project, S004, "evt-2018-05-31-mfa-tweet-kim-lavrov@", "quote", "is only a date", near=line + 1)


def test_a_separator_line_is_not_cited_as_a_header():
    """The source record of 001 no longer rests on its "-" separator line (the build skips lines without content)."""
    import rusprk

    ev = rusprk.load("evidence")
    assert not ev.quote.str.fullmatch(r"\W*").any()


# -- quotes_name_records -------------------------------------------------------

def test_a_quote_naming_no_actor_must_be_marked_context(project):
    line = edit(project, S003, "{quote: The two leaders greet each other with a handshake and a hug., context: true}",
                "The two leaders greet each other with a handshake and a hug.")
    refused(project, S003, "evt-2024-06-19-kim-welcomes-putin-airport@src-003-putin-visits-north-korea-2024:",
            "quote", "names none of", "context: true", near=line)


def test_a_record_resting_on_context_quotes_only_is_refused(project):
    edit(project, S002, "    quotes:\n      - In a separate moment tied to Kim Jong-un’s travel, the North Korean leader was gifted a "
                        "bulletproof vest and a collection of locally produced unmanned aerial vehicles by Oleg Kozhemyako, the "
                        "governor of Primorsky Territory, during a stop in Vladivostok.\n    participants:",
         "    quotes:\n      - {quote: 'In a separate moment tied to Kim Jong-un’s travel, the North Korean leader was gifted a "
         "bulletproof vest and a collection of locally produced unmanned aerial vehicles by Oleg Kozhemyako, the "
         "governor of Primorsky Territory, during a stop in Vladivostok.', context: true}\n    participants:")
    refused(project, S002, "evt-2023-kim-vladivostok-stop", "evidence", "needs one quote that names them")


# -- actors_named --------------------------------------------------------------

def test_a_name_form_that_is_no_alias_is_refused(project):
    """The second reading found "DPRK" in a quote for the North Korean state, with no such alias."""
    edit(project, S004, "  - {of: bod-north-korea, name: DPRK, kind: short, quote: until the DPRK will not remove the sanctions}\n", "")
    err = refused(project, S004, "evt-2018-05-31-lavrov-sanctions-statement/bod-north-korea/subject", "body_id",
                  "does not name bod-north-korea", "add the name form it uses as a mention")
    assert "until the DPRK will not remove the sanctions" in str(err)


def test_an_inferred_reference_that_is_a_name_is_refused(project):
    edit(project, S004, "  - {of: bod-north-korea, name: DPRK, kind: short, quote: until the DPRK will not remove the sanctions}\n", "")
    line = edit(project, S004, "      - {who: bod-north-korea, role: subject, quote: until the DPRK will not remove the sanctions}",
                "      - {who: bod-north-korea, role: subject, quote: until the DPRK will not remove the sanctions,\n"
                "         actor_inferred: true, actor_rationale: \"'the DPRK' is North Korea.\"}")
    refused(project, S004, "evt-2018-05-31-lavrov-sanctions-statement/bod-north-korea/subject", "actor_rationale",
            "is a name, not a description", near=line)


def test_a_recipient_named_by_title_only_must_be_marked_inferred(project):
    edit(project, S002, "    recipient_inferred: true\n    recipient_rationale: >-\n"
                        "      'the North Korean leader' is Kim Jong Un, whose visit and meeting with Putin at Vostochny the paragraph\n"
                        "      reports.\n", "")
    refused(project, S002, "gft-2023-spacesuit-glove-to-kim", "recipient_person_id", "no quote of the gift names")


# -- children_within_parents ---------------------------------------------------

def test_a_part_left_unknown_inside_a_dated_trip_is_refused(project):
    """The second reading found the Vladivostok stop left 'unknown' although it lies inside the trip."""
    line = edit(project, S002, "    title: Kim Jong Un stops in Vladivostok\n    type: stop\n",
                "    title: Kim Jong Un stops in Vladivostok\n    type: stop\n    date: {precision: unknown}\n")
    refused(project, S002, "evt-2023-kim-vladivostok-stop", "date_start", "before its parent's start 2023-09-12",
            near=line)


def test_a_gift_dated_outside_its_occasion_is_refused(project):
    edit(project, S003, "    event: evt-2024-06-19-kim-welcomes-putin-airport\n",
         "    event: evt-2024-06-19-kim-welcomes-putin-airport\n"
         "    date: {start: 2024-06-20, end: 2024-06-20, precision: day, inferred: true, rationale: 'a wrong day, 20 June 2024'}\n")
    refused(project, S003, "gft-2024-roses-to-putin", "date_end", "after its parent's end 2024-06-19")


# -- role_patterns -------------------------------------------------------------

def test_talks_coded_host_and_guest_are_refused(project):
    """The second reading found the Vostochny talks coded host/guest, the other talks participant/participant."""
    line = edit(project, S002, "      - {who: per-vladimir-putin, role: participant, title: President}\n"
                               "      - {who: per-kim-jong-un, role: participant}",
                "      - {who: per-vladimir-putin, role: host, title: President}\n"
                "      - {who: per-kim-jong-un, role: guest}")
    err = refused(project, S002, "evt-2023-09-13-putin-kim-vostochny-talks", "event_type", "needs 2 participant(s)",
                  "ROLE_PATTERNS")
    assert f":{line + 1} [row evt-2023-09-13-putin-kim-vostochny-talks/per-kim-jong-un/guest] field role" in str(err)


# -- stated_days ---------------------------------------------------------------

def test_a_day_precision_for_an_unreported_end_is_refused(project):
    """The second reading found the 2023 trip given 'day' precision for an end nobody reports."""
    line = edit(project, S002, "    date:\n      start: 2023-09-12\n      precision: day\n",
                "    date:\n      start: 2023-09-12\n      end: 2023-09-14\n      precision: day\n")
    refused(project, S002, "evt-2023-09-kim-visit-russia", "date_end", "claims 2023-09-14", near=line)


def test_a_day_derived_without_saying_which_is_refused(project):
    edit(project, S001, "rationale: \"'on Wednesday' in src-001, dated Thursday 31.05.2018: the day before, 30 May 2018.\"",
         "rationale: \"'on Wednesday' in src-001, dated Thursday 31.05.2018: the day before.\"")
    refused(project, S001, "evt-2018-05-30-lavrov-pompeo-call", "date_start", "claims 2018-05-30")


# -- name_conventions ----------------------------------------------------------

def test_a_canonical_name_off_the_convention_is_refused(project):
    line = edit(project, S000, "    name: Valery Sharifulin\n", "    name: Valeriy Sharifulin\n")
    edit(project, S000, "name: Valeriy Sharifulin, kind: variant", "name: Valeriy Sharifulin, kind: canonical")
    refused(project, S000, "per-valeriy-sharifulin", "name", "naming convention for RUS", near=line)


def test_a_hyphenated_north_korean_name_is_refused(project):
    edit(project, S001, "    name: Ri Yong Ho\n", "    name: Ri Yong-ho\n")
    refused(project, S001, "per-ri-yong-ho", "name", "naming convention for PRK")


# -- russia_dprk_parties -------------------------------------------------------

def test_a_context_event_flagged_as_an_exchange_is_refused(project):
    line = edit(project, S001, "    status: occurred\n    russia_dprk: false\n    notes: Their first telephone conversation",
                "    status: occurred\n    russia_dprk: true\n    notes: Their first telephone conversation")
    refused(project, S001, "evt-2018-05-30-lavrov-pompeo-call", "russia_dprk", "no PRK actor", near=line)


def test_an_exchange_flagged_as_context_is_refused(project):
    text = (project / MAPS / f"{S003}.yaml").read_text(encoding="utf-8")
    block = text[text.index("  - id: evt-2024-06-19-putin-kim-talks"):]
    start = text.index("  - id: evt-2024-06-19-putin-kim-talks") + re.search(r"russia_dprk: true", block).start()
    text = text[:start] + "russia_dprk: false" + text[start + len("russia_dprk: true"):]
    (project / MAPS / f"{S003}.yaml").write_text(text, encoding="utf-8")
    refused(project, S003, "evt-2024-06-19-putin-kim-talks", "russia_dprk", "a Russian and a North Korean actor")


# -- rules from the independent audit ------------------------------------------

def test_a_record_quoting_a_credit_line_is_refused(project):
    line = edit(project, S000, "cite:\n", "cite:\n  - {record: evt-2018-sharifulin-photos-published, quote: Valery Sharifulin/TASS via Getty Images}\n")
    refused(project, S000, "evt-2018-sharifulin-photos-published", "quote", "lies in the credit", near=line + 1)


def test_a_spelling_only_in_a_credit_line_is_refused_as_an_alias(project):
    """The fourth audit found an alias resting on a photo credit, which is source metadata."""
    line = edit(project, S000, "mentions:\n", "mentions:\n  - {of: per-valeriy-sharifulin, name: Valery Sharifulin, "
                "kind: canonical, quote: Valery Sharifulin/TASS via Getty Images}\n")
    refused(project, S000, "per-valeriy-sharifulin", "quote", "lies in the credit", near=line + 1)


def test_credit_lines_support_source_records_only():
    import rusprk

    ev = rusprk.load("evidence")
    assert set(ev[ev.region.isin(["credit", "header"])].record_table) == {"sources"}


def test_one_claim_with_two_attributions_is_refused(project):
    line = edit(project, S001, "cite:\n", "cite:\n  - {record: evt-2018-05-31-lavrov-visit-dprk, quote: arrived here on Thursday, attributed_to: TASS}\n")
    refused(project, S001, "evt-2018-05-31-lavrov-visit-dprk@src-001-straitstimes-kim-receives-lavrov:", "attributed_to",
            "is attributed to 'KCNA'", near=line + 1)


def test_a_quote_inside_an_attributed_quote_inherits_its_attribution():
    import rusprk

    ev = rusprk.load("evidence")
    row = ev[(ev.record_id == "evt-2018-05-31-lavrov-visit-dprk") & ev.quote.eq("Lavrov is paying a visit to North Korea")]
    assert list(row.attributed_to) == ["TASS"]  # the sentence ends ", Tass said."


def test_a_participant_shown_by_another_sentence_is_refused(project):
    """The audit found the talks' participants evidenced by KCNA's arrival sentence."""
    line = edit(project, S001, "      - {who: per-ri-yong-ho, role: participant, title: foreign minister, actor_inferred: true,\n"
                               "         actor_rationale: \"'the two foreign ministers' are Sergei Lavrov and Ri Yong Ho, named as foreign ministers in the paragraph before.\"}",
                "      - {who: per-ri-yong-ho, role: participant, quote: 'Ri Yong Ho, foreign minister of the Democratic Peoples Republic of Korea'}")
    refused(project, S001, "evt-2018-05-31-lavrov-ri-talks/per-ri-yong-ho/participant", "evidence",
            "is not part of any quote of evt-2018-05-31-lavrov-ri-talks", near=line)


def test_a_second_role_resting_on_the_first_roles_quote_is_refused(project):
    """The audit found Kim as host of Putin's 2024 visit resting only on 'The visit is at Kim's invitation'."""
    edit(project, S003, "      - {who: per-vladimir-putin, role: guest}\n      - {who: per-kim-jong-un, role: inviter",
         "      - {who: per-vladimir-putin, role: guest}\n      - {who: per-kim-jong-un, role: host}\n      - {who: per-kim-jong-un, role: inviter")
    refused(project, S003, "evt-2024-06-19-putin-visit-dprk/per-kim-jong-un/", "role", "quotes that show another of its roles")


def test_a_title_the_quote_does_not_report_is_refused(project):
    edit(project, S001, "      - {who: per-mike-pompeo, role: participant, title: his US counterpart}",
         "      - {who: per-mike-pompeo, role: participant, title: US Secretary of State}")
    refused(project, S001, "evt-2018-05-30-lavrov-pompeo-call/per-mike-pompeo/participant", "title_as_reported",
            "does not occur in any quote")


def test_an_event_title_with_a_non_canonical_spelling_is_refused(project):
    edit(project, S000, "    title: Valery Sharifulin praises Kim Jong Un in a Facebook post",
         "    title: Valeriy Sharifulin praises Kim Jong Un in a Facebook post")
    refused(project, S000, "evt-2018-sharifulin-facebook-post", "title", "titles use canonical names")


def test_a_gift_with_an_inferred_giver_rated_stated_is_refused(project):
    edit(project, S002, "    event: evt-2023-09-13-putin-kim-vostochny-talks\n    certainty: probable",
         "    event: evt-2023-09-13-putin-kim-vostochny-talks\n    certainty: stated")
    refused(project, S002, "gft-2023-spacesuit-glove-to-kim", "certainty", "calls that 'probable'")


def test_one_claimant_spelled_two_ways_is_refused(project):
    """The second audit found the ministry's Twitter account spelled two ways across seeds."""
    edit(project, S001, "quote: Lavrov was greeted by the Chairman of the State Affairs Commission of DPRK Kim Jong Un, attributed_to: Russian Foreign Ministry (Twitter)}",
         "quote: Lavrov was greeted by the Chairman of the State Affairs Commission of DPRK Kim Jong Un, attributed_to: Russian foreign ministry (Twitter)}")
    with pytest.raises(BuildError) as info:
        build(project, log=lambda *_: None)
    text = str(info.value)
    assert text.startswith(f"{project / MAPS / S001}.yaml:") and "field attributed_to" in text.splitlines()[0], text
    assert re.search(r"\[row evt-2018-05-31-kim-receives-lavrov@[^\]]+\] field attributed_to: 'Russian (foreign|Foreign) "
                     r"(ministry|Ministry) \(Twitter\)' is '[^']+' spelled another way", text), text


def test_words_inside_quotation_marks_without_attribution_are_refused(project):
    """The third audit found a sentence of Sharifulin's post, in quotation marks, given as the outlet's own."""
    line = edit(project, S000, "      - {quote: It must be said that Kim Jong Un makes a very pleasant impression., attributed_to: Valery Sharifulin (Facebook post)}",
                "      - It must be said that Kim Jong Un makes a very pleasant impression.")
    refused(project, S000, "evt-2018-sharifulin-facebook-post@src-000-cnn-kim-lavrov-residence:", "attributed_to",
            "lies inside quotation marks", near=line)


def test_a_report_of_someones_words_without_attribution_is_refused(project):
    """The fourth audit found the photographer's name for the venue given as the outlet's own word."""
    line = edit(project, S000, "quote: 'The property, named the Pavilion of 100 Flowers in a Facebook post by the "
                "photographer', attributed_to: Valery Sharifulin (Facebook post)}",
                "quote: 'The property, named the Pavilion of 100 Flowers in a Facebook post by the photographer'}")
    refused(project, S000, "plc-paekhwawon@src-000-cnn-kim-lavrov-residence:", "attributed_to",
            "reports what someone said", "in a Facebook post", near=line)


def test_a_reporting_clause_of_a_statement_needs_no_attribution():
    """The clause that is a statement's evidence ("the Russian foreign ministry said on Twitter") is exempt."""
    from rusprk.validate.meaning import reports_attributed
    from rusprk.validate.meaning.package import Package

    rows = package_rows()
    assert reports_attributed.check(Package(rows)) == []
    ev = rows["evidence"]
    clause = next(e for e in ev if e["quote"] == "the Russian foreign ministry said on Twitter in English, releasing "
                  "pictures of the two men shaking hands" and e["record_table"] == "events")
    assert clause["attributed_to"] is None
    # Moved to a record that is not the statement, the same words are refused.
    moved = dict(clause, record_table="places", record_id="plc-pyongyang", evidence_id="x")
    problems = reports_attributed.check(Package({**rows, "evidence": ev + [moved]}))
    assert [(p.row, p.field) for p in problems] == [("x", "attributed_to")]


def test_a_party_reported_speaking_without_a_statement_is_refused(project):
    """The fourth audit found "Moscow said" kept only as an attribution, with no statement of Russia."""
    path = project / MAPS / f"{S001}.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("  - id: evt-2018-05-31-russia-says-kim-received-lavrov\n")
    end = text.index("  - id: evt-2018-05-31-lavrov-ri-talks\n")
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    # The first quote in Moscow's name is the mention "Moscow said" (inside the attributed lead).
    line = text[:text.index("{of: bod-russia, name: Moscow")].count("\n") + 1
    refused(project, S001, "bod-russia@src-001-straitstimes-kim-receives-lavrov:",
            "attributed_to", "'Moscow' (bod-russia) speaks in src-001", "record the statement", near=line)


def test_an_event_title_with_a_short_form_is_refused(project):
    """The fifth audit found short forms ("Lavrov", "Putin's") and variants in event titles."""
    line = edit(project, S001, "title: Ministry of Foreign Affairs of Russia announces the agenda of Sergey Lavrov's talks",
                "title: Ministry of Foreign Affairs of Russia announces the agenda of Lavrov's talks")
    refused(project, S001, "evt-2018-mfa-announces-lavrov-agenda", "title", "as 'Lavrov'",
            "canonical names in full ('Sergey Lavrov')", near=line)


def test_a_short_form_inside_another_canonical_name_is_fine():
    """'Kim' in "Kim Kye Gwan" is part of his name, not Kim Jong Un's short form."""
    from rusprk.validate.meaning import titles_as_reported
    from rusprk.validate.meaning.package import Package

    rows = package_rows()
    assert titles_as_reported.check(Package(rows)) == []
    assert any("Kim Kye Gwan" in e["title"] for e in rows["events"])


_SPANS = st.lists(st.tuples(st.sampled_from(["src-a", "src-b"]), st.integers(0, 40), st.integers(0, 15),
                            st.sampled_from([None, "", "Tass", "KCNA"])), max_size=40)


@given(_SPANS)
def test_containing_finds_exactly_the_attributed_quotes_around_each_quote(spans):
    """``containing`` (what the build fills attributions from, and the rule checks) against its definition:
    every attributed row of the same source whose span holds the row's, itself excluded."""
    from rusprk.validate.meaning.attribution_consistent import containing

    rows = [{"evidence_id": f"e{i}", "source_id": sid, "char_start": start, "char_end": start + length,
             "attributed_to": who} for i, (sid, start, length, who) in enumerate(spans)]
    found = containing(rows)
    assert set(found) == {r["evidence_id"] for r in rows}
    for r in rows:
        expected = [a["evidence_id"] for a in rows if a is not r and a["attributed_to"]
                    and a["source_id"] == r["source_id"] and a["char_start"] <= r["char_start"]
                    and r["char_end"] <= a["char_end"]]
        assert sorted(a["evidence_id"] for a in found[r["evidence_id"]]) == sorted(expected)
