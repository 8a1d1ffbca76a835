"""Two readers: every seed has a blind second reading, compared with the tables and logged."""

from __future__ import annotations

import re

import yaml

from builders import codebook, curation_log
from conftest import ROOT, SEEDS

DECISIONS = {"kept", "changed", "other seed"}


def _readings():
    return curation_log.load(ROOT)[1]


def test_every_seed_has_a_second_reading_of_its_current_hand_map():
    """A hand-map that changed after its seed's last reading needs a new blind reading."""
    assert curation_log.stale(ROOT, _readings()) == [], (
        "these seeds need a (new) blind second reading, compared with the tables and recorded in "
        "builders/review/second_readings.yaml with the hand-map's sha256")
    assert {p.name for p in SEEDS} <= {r.seed for r in _readings()}


def test_a_changed_hand_map_makes_its_reading_stale(tmp_path):
    from conftest import copy_build_inputs

    copy_build_inputs(tmp_path)
    hm = tmp_path / "builders" / "handmaps" / f"{SEEDS[0].stem}.yaml"
    hm.write_text(hm.read_text(encoding="utf-8") + "\n# an edit\n", encoding="utf-8")
    assert curation_log.stale(tmp_path, _readings()) == [SEEDS[0].name]


def test_readings_were_made_blind():
    """A second reading uses its own labels: no id of the tables (which only the hand-maps hold) occurs in it."""
    ids = re.compile(r"\b(evt|per|plc|bod|gft|src)-[a-z0-9]+(-[a-z0-9]+)+\b")
    for r in _readings():
        text = (ROOT / r.reading).read_text(encoding="utf-8")
        assert not ids.search(text), (r.reading, ids.search(text).group())
        data = yaml.safe_load(text)
        assert data["seed"] == r.seed and data.get("events") is not None


def test_every_disagreement_is_resolved_with_a_reason():
    for r in _readings():
        for d in r.disagreements:
            assert d["what"].strip() and d["why"].strip(), (r.seed, d)
            assert d["decision"] in DECISIONS, (r.seed, d["decision"])
        # Every field or record that did not agree is accounted for by at least one logged disagreement.
        missed = r.fields["compared"] - r.fields["agreed"] + r.records["first_only"] + r.records["second_only"]
        assert missed == 0 or r.disagreements, r.seed


def test_curation_log_is_not_stale():
    assert curation_log.render(ROOT) == (ROOT / curation_log.LOG).read_text(encoding="utf-8"), \
        "docs/curation-log.md is stale: run `rusprk build`"


def test_codebook_reports_the_logged_agreement():
    book = (ROOT / "docs" / "codebook.md").read_text(encoding="utf-8")
    for row in curation_log.agreement_table(_readings()):
        assert row in book
    for heading in ("## What is recorded", "## Sources", "## How the data is made and checked",
                    "## Known limitations and biases", "## Worked example"):
        assert heading in book
    assert f"`{codebook.EXAMPLE}`" in book
