"""The built tables: schemas, keys, evidence, and the curation rules."""

from __future__ import annotations

import pandas as pd
import pytest

from builders.handmap import load_handmap
from builders.parse import parse_seed
from builders.quotes import locate
from builders.validate import pandera_schema, validate_frames
from conftest import ROOT, SEEDS
from rusprk.metadata import RESOURCE_ORDER, resource
from rusprk.validate import validate_package


@pytest.mark.parametrize("name", RESOURCE_ORDER)
def test_table_passes_its_pandera_schema(frames, name):
    pandera_schema(resource(name)).validate(frames[name], lazy=True)


def test_keys_evidence_and_quotes_all_check_out(frames):
    validate_frames(frames, ROOT / "seeds")  # raises with every problem found


def test_committed_package_validates_with_quotes():
    assert validate_package(ROOT / "datapackage.json", ROOT / "seeds") == []
    assert validate_package(ROOT / "dist" / "datapackage.json", ROOT / "seeds") == []


def test_every_quote_reads_back_from_the_seed_at_its_offsets(frames):
    ev, sources = frames["evidence"], frames["sources"].set_index("source_id")
    for row in ev.itertuples():
        data = (ROOT / "seeds" / sources.at[row.source_id, "seed_file"]).read_bytes()
        assert data.decode("utf-8")[row.char_start:row.char_end] == row.quote
        assert data[row.byte_start:row.byte_end].decode("utf-8") == row.quote


def test_every_record_of_every_table_has_evidence(frames):
    ev = frames["evidence"]
    for name in RESOURCE_ORDER:
        if name == "evidence":
            continue
        pk = resource(name).primary_key[0]
        have = set(ev.loc[ev.record_table == name, "record_id"])
        missing = set(frames[name][pk]) - have
        assert not missing, f"{name}: {sorted(missing)[:5]}"


def test_corroborated_meeting_is_one_record_with_three_sources(frames):
    ev = frames["evidence"]
    meeting = ev[(ev.record_table == "events") & (ev.record_id == "evt-2018-05-31-kim-receives-lavrov")]
    assert meeting.source_id.nunique() == 3
    # and no second record of the same meeting
    e = frames["events"]
    same_day = e[(e.date_start == pd.Timestamp("2018-05-31")) & (e.event_type == "meeting")]
    assert list(same_day.event_id) == ["evt-2018-05-31-kim-receives-lavrov"]


def test_no_duplicate_events(frames):
    """Two events of one type on the same dates with the same actors would be one fact twice."""
    e, p = frames["events"], frames["participants"]
    roles = p.assign(actor=p.person_id.fillna(p.body_id).astype(str) + ":" + p.role.astype(str))
    actors = roles.groupby("event_id")["actor"].apply(lambda s: tuple(sorted(s.unique())))
    key = e.set_index("event_id")[["event_type", "date_start", "date_end"]].astype(str)
    key["actors"] = actors
    dup = key[key.duplicated(keep=False)]
    assert dup.empty, dup


def test_name_variants_resolve_to_one_person(frames):
    a = frames["aliases"]
    people_aliases = a[a.person_id.notna()]
    # each spelling belongs to one person only
    assert not people_aliases.alias.duplicated().any()
    kim = set(people_aliases.loc[people_aliases.person_id == "per-kim-jong-un", "alias"])
    assert {"Kim Jong Un", "Kim Jong-un", "Kim Jong-UN"} <= kim
    lavrov = set(people_aliases.loc[people_aliases.person_id == "per-sergey-lavrov", "alias"])
    assert {"Sergey Lavrov", "Sergei Lavrov"} <= lavrov
    assert frames["people"].name.is_unique


def test_bylines_and_credits_are_not_people(frames):
    names = set(frames["people"].name) | set(frames["aliases"].alias)
    for credit_only in ["Euan McKirdy", "Sarah Tilotta", "Gavriil Grigorov", "Vladimir Smirnov"]:
        assert credit_only not in names
    sources = frames["sources"].set_index("source_id")
    assert sources.loc["src-000-cnn-kim-lavrov-residence", "authors"] == "Euan McKirdy; Sarah Tilotta"


def _furniture_lines():
    lines = set()
    for path in SEEDS:
        for span in parse_seed(path).furniture:
            if len(span.text) >= 8:
                lines.add(span.text)
    return lines


def test_no_page_furniture_in_any_table(frames):
    furniture = _furniture_lines()
    assert len(furniture) >= 10
    for name, df in frames.items():
        for col in df.columns:
            if (name, col) in (("evidence", "prefix"), ("evidence", "suffix")):
                continue  # a quote's anchors are the seed's text beside it, whatever that is
            if df[col].dtype.kind in "Mb" or str(df[col].dtype) in ("Int64", "boolean"):
                continue
            for value in df[col].dropna().astype(str):
                for line in furniture:
                    assert line not in value, f"{name}.{col} holds furniture {line!r}"


def test_every_body_paragraph_is_recorded_or_declared_empty(frames):
    """The build's coverage rule holds for the published tables (it refuses a hand-map that leaves a gap)."""
    from builders.coverage import uncovered
    from builders.tables import load_seeds

    ev = frames["evidence"].astype(object).where(frames["evidence"].notna(), None).to_dict("records")
    for seed in load_seeds(ROOT):
        assert uncovered(seed, ev) == [], seed.parsed.path.name


def test_a_paragraph_left_unread_is_refused_naming_every_gap(tmp_path, monkeypatch):
    from builders.build import build
    from builders.errors import BuildError
    from conftest import copy_build_inputs

    copy_build_inputs(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1717000000")
    hm = next((tmp_path / "builders" / "handmaps").glob("000_*.yaml"))
    text = hm.read_text(encoding="utf-8")
    start = text.index("\nno_facts:\n")
    hm.write_text(text[:start] + "\n", encoding="utf-8")  # drop every no_facts entry
    with pytest.raises(BuildError) as info:
        build(tmp_path, log=lambda *_: None)
    message = str(info.value)
    assert message.startswith(str(hm)) and "neither quoted nor declared under no_facts" in message
    n = text[start:].count("  - {quote:") + text[start:].count("  - quote:")
    assert f"{n} body paragraph(s)" in message and message.count("seed line") == n


def test_inferred_things_carry_their_reason(frames):
    for name in ("events", "gifts"):
        df = frames[name]
        assert df.loc[df.date_inferred, "date_rationale"].notna().all()
    for name in ("people", "places", "bodies"):
        df = frames[name]
        assert df.loc[df.identity_inferred, "identity_rationale"].notna().all()


def test_context_events_are_flagged(frames):
    e = frames["events"].set_index("event_id")
    assert not e.at["evt-2018-05-30-lavrov-pompeo-call", "russia_dprk"]
    assert not e.at["evt-2022-02-russia-invades-ukraine", "russia_dprk"]
    assert e.at["evt-2024-06-19-putin-visit-dprk", "russia_dprk"]


def test_planned_and_alleged_are_not_occurred(frames):
    e = frames["events"].set_index("event_id")
    assert e.at["evt-2018-06-12-trump-kim-summit-planned", "status"] == "planned"
    assert e.at["evt-dprk-weapons-to-russia-alleged", "status"] == "alleged"


def test_loaded_dtypes_are_declared(frames):
    e = frames["events"]
    assert str(e.date_start.dtype).startswith("datetime64")
    assert isinstance(e.event_type.dtype, pd.CategoricalDtype)
    assert str(e.russia_dprk.dtype) == "boolean"
    assert str(frames["gifts"].quantity.dtype) == "Int64"
    assert isinstance(e.event_id.dtype, pd.StringDtype)
