"""A new article of a new layout, from `rusprk add-source` to a green build, editing only its seed and hand-map.

The article (tests/articles/new-layout-article.txt, written for this test) has
a layout none of the seeds has: a site banner above the headline, a video
player's lines, a dateline the heuristics do not know, a caption with its
credit on the same line, teasers below.  The prepared answer
(new-layout-article.answer.yaml) is its draft finished as a curator would.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from builders.add_source import candidate_dates, seed_name
from builders.tables import seed_order
from conftest import ROOT, copy_build_inputs
from rusprk.metadata import SEED_FILE_PATTERN

ARTICLE = ROOT / "tests" / "articles" / "new-layout-article.txt"
ANSWER = ROOT / "tests" / "articles" / "new-layout-article.answer.yaml"
RETRIEVAL = ["--url", "https://www.cbsnews.com/news/example-putin-kim-treaty/", "--retrieved", "2026-11-30",
             "--publisher", "CBS News"]
# What a build writes besides dist/ (builders.build: `outside`), and its cache.
OUTPUTS = ("dist/", ".cache/", "schemas/", "datapackage.json", "docs/codebook.md", "docs/curation-log.md",
           "docs/timeline.png", "docs/timeline.svg")


def rusprk(tree: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1764547200"}
    return subprocess.run([sys.executable, "-m", "rusprk", *args], cwd=tree, env=env, capture_output=True,
                          text=True, timeout=600)


def snapshot(tree: Path) -> dict[str, str]:
    return {str(p.relative_to(tree)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in tree.rglob("*") if p.is_file() and "__pycache__" not in p.parts}


@pytest.fixture(scope="module")
def curated(tmp_path_factory):
    """A copy of the tree built before and after the article was added and its draft finished."""
    tree = copy_build_inputs(tmp_path_factory.mktemp("curator") / "rusprk")
    before_build = rusprk(tree, "build")
    assert before_build.returncode == 0, before_build.stderr
    before_dist = tmp_path_factory.mktemp("before") / "dist"
    import shutil

    shutil.copytree(tree / "dist", before_dist)
    before = snapshot(tree)
    added = rusprk(tree, "add-source", str(ARTICLE), *RETRIEVAL)
    assert added.returncode == 0, added.stderr
    draft_path = next((tree / "builders" / "handmaps").glob("005_*.yaml"))
    draft = draft_path.read_text(encoding="utf-8")
    refused = rusprk(tree, "build")
    checked_draft = rusprk(tree, "check", str(draft_path.relative_to(tree)))
    # Finish the draft: its seed: and seed_sha256: lines, then the prepared answer.
    head = [line for line in draft.splitlines() if line.startswith(("seed:", "seed_sha256:"))]
    draft_path.write_text("\n".join(head) + "\n" + ANSWER.read_text(encoding="utf-8"), encoding="utf-8")
    checked = rusprk(tree, "check")
    built = rusprk(tree, "build")
    return {"tree": tree, "before": before, "before_dist": before_dist, "added": added, "draft": draft,
            "draft_path": draft_path, "refused": refused, "checked_draft": checked_draft, "checked": checked,
            "built": built}


def test_the_seed_is_copied_under_the_naming_rule(curated):
    tree = curated["tree"]
    data = ARTICLE.read_bytes()
    name = f"005_{hashlib.sha256(data).hexdigest()[:16]}.txt"
    assert (tree / "seeds" / name).read_bytes() == data
    assert re.fullmatch(SEED_FILE_PATTERN, name)
    assert f"added seeds/{name}" in curated["added"].stdout


def test_the_draft_links_every_known_name_to_its_id(curated):
    """A mention for every spelling of an existing record found in the content, for each record it names."""
    import pandas as pd

    from builders.handmap import load_handmap
    from builders.parse import parse_seed
    from rusprk.validate.meaning.text import Gazetteer

    draft = curated["draft"]
    aliases = pd.read_csv(curated["before_dist"] / "aliases.csv", dtype=str, keep_default_na=False)
    gazetteer = Gazetteer.of_aliases(aliases.to_dict("records"))
    parsed = parse_seed(ARTICLE)  # the draft is made from the heuristic reading
    expected = {(entity, spelling) for span in [parsed.title, *parsed.body, *parsed.captions]
                for _, _, spelling in gazetteer.spans(span.text) for entity in gazetteer.names[spelling]}
    copy = curated["tree"] / "draft-check.yaml"
    copy.write_text(draft, encoding="utf-8")
    try:
        mentions = load_handmap(copy).mentions
    finally:
        copy.unlink()
    assert {(m.of, m.name) for m in mentions} == expected
    assert ("per-vladimir-putin", "Russian President Vladimir Putin") in expected
    for m in mentions:  # each linked with a quote from the seed that holds the name
        assert m.name in m.quote and " ".join(m.quote.split()) in " ".join(parsed.text.split())
    # A spelling of several records is drafted for each, with a todo to keep the one(s) meant.
    assert "'Pyongyang' is a spelling of bod-north-korea and of plc-pyongyang" in draft


def test_the_draft_holds_layout_origin_dates_and_todos(curated):
    draft = curated["draft"]
    assert "layout:\n  - {lines: 1, as: title}  # Watch CBS News" in draft
    assert 'retrieved:' in draft and 'url: "https://www.cbsnews.com/news/example-putin-kim-treaty/"' in draft
    assert "date: 2026-11-30" in draft and 'publisher: "CBS News"' in draft
    assert ("seed line 13: 'Wednesday' -> 2024-06-19 (on or before the page's date), 2024-06-26 (after it: a "
            "future tense)") in draft
    # One todo per body paragraph of the reading, each naming its seed line.
    for line in (2, 6, 8, 9, 11, 13, 15, 17, 19, 20):
        assert f"seed line {line}: " in draft


def test_the_build_and_check_refuse_open_todos(curated):
    refused, checked = curated["refused"], curated["checked_draft"]
    assert refused.returncode == 1 and "open todo(s) at line(s)" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert checked.returncode == 1 and "open todo(s)" in checked.stdout
    # The todos do not hide the rest: the draft's unread paragraphs are named too.
    assert "body paragraph(s)" in checked.stdout and "neither quoted nor declared under no_facts" in checked.stdout
    assert re.search(r"005_[0-9a-f]{16}\.yaml:\d+:\d+ field todo: \d+ open todo", checked.stdout)


def test_the_finished_hand_map_checks_builds_and_validates(curated):
    assert curated["checked"].returncode == 0, curated["checked"].stdout
    assert curated["built"].returncode == 0, curated["built"].stderr
    validated = rusprk(curated["tree"], "validate", "dist/")
    assert validated.returncode == 0 and "quotes at offsets" in validated.stdout, validated.stdout


def test_diff_shows_exactly_the_additions(curated):
    out = rusprk(curated["tree"], "diff", "--json", str(curated["before_dist"]), "dist/")
    assert out.returncode == 0, out.stderr
    import json

    result = json.loads(out.stdout)
    assert not result.get("schema"), result.get("schema")
    tables = result["tables"]
    changed = {t: v for t, v in tables.items() if v.get("added") or v.get("removed") or v.get("changed")}
    assert all(not v.get("removed") and not v.get("changed") for v in changed.values()), changed
    assert changed["sources"]["added"] == ["src-cbs-putin-kim-sign-partnership-treaty"]
    assert changed["events"]["added"] == ["evt-2024-06-19-putin-kim-sign-partnership-treaty"]
    assert set(changed) == {"sources", "events", "participants", "evidence"}


def test_the_sources_row_keeps_retrieval_apart_from_the_page(curated):
    import pandas as pd

    sources = pd.read_csv(curated["tree"] / "dist" / "sources.csv", dtype=str).set_index("source_id")
    row = sources.loc["src-cbs-putin-kim-sign-partnership-treaty"]
    assert row.retrieved_url == "https://www.cbsnews.com/news/example-putin-kim-treaty/"
    assert row.date_retrieved == "2026-11-30" and row.retrieved_publisher == "CBS News"
    assert pd.isna(row.url)  # the page prints no URL
    assert row.title == "Putin and Kim Jong Un sign partnership treaty in Pyongyang"
    assert row.date_published == "2024-06-19" and row.authors == "Jane Roe"
    assert row.photo_credits == "Gavriil Grigorov/Sputnik via AP"


def test_only_the_seed_the_hand_map_and_the_outputs_changed(curated):
    before, after = curated["before"], snapshot(curated["tree"])
    changed = {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}
    allowed = ("seeds/", "builders/handmaps/", *OUTPUTS)
    assert changed and all(p.startswith(allowed) for p in changed), sorted(p for p in changed
                                                                          if not p.startswith(allowed))
    assert {p for p in changed if p.startswith(("seeds/", "builders/handmaps/"))} == {
        f"seeds/{curated['draft_path'].stem}.txt", f"builders/handmaps/{curated['draft_path'].name}"}


def test_check_names_line_column_and_a_suggestion(curated, tmp_path):
    """Misquote, unknown id and an unread paragraph, each at the line and column of the value."""
    tree = curated["tree"]
    path = curated["draft_path"]
    good = path.read_text(encoding="utf-8")
    bad = (good.replace('quote: "talks between Putin and Kim"}', 'quote: "talks between Putin and Kimm"}')
           .replace("who: per-kim-jong-un, role: signatory", "who: per-kim-jong-uun, role: signatory"))
    try:
        path.write_text(bad, encoding="utf-8")
        out = rusprk(tree, "check", str(path.relative_to(tree))).stdout
        lines = bad.splitlines()
        misquote = next(i for i, text in enumerate(lines, 1) if "Kimm" in text and "record:" in text)
        column = lines[misquote - 1].index('"talks between Putin and Kimm"') + 1
        assert f"{path.name}:{misquote}:{column} field quote: quote not found" in out
        assert "closest text in the seed (98% alike): 'talks between Putin and Kim'" in out
        who = next(i for i, text in enumerate(lines, 1) if "per-kim-jong-uun" in text)
        assert f":{who}:{lines[who - 1].index('per-kim-jong-uun') + 1} " in out
        assert "did you mean per-kim-jong-un" in out
        path.write_text(re.sub(r"no_facts:\n(  .*\n)+", "", good), encoding="utf-8")
        out = rusprk(tree, "check", str(path.relative_to(tree))).stdout
        assert "1 body paragraph(s)" in out and "seed line 17: 'Analysts have long debated" in out
    finally:
        path.write_text(good, encoding="utf-8")


@pytest.mark.parametrize("data, message", [
    (b"\xef\xbb\xbfTitle\n\nBody.\n", "byte-order mark"),
    ("Titre\n\nCorps é.\n".encode("latin-1"), "invalid UTF-8"),
    (b"Title\r\n\r\nBody.\r\n", "carriage return"),
    (b"Title\n\nBody \x07 bell.\n", "control character"),
])
def test_add_source_refuses_what_a_seed_may_not_be(tmp_path, data, message):
    tree = copy_build_inputs(tmp_path / "rusprk")
    article = tmp_path / "article.txt"
    article.write_bytes(data)
    before = snapshot(tree)
    out = rusprk(tree, "add-source", str(article))
    assert out.returncode == 1 and message in out.stderr and str(article) in out.stderr, out.stderr
    assert "Traceback" not in out.stderr
    assert snapshot(tree) == before


def test_add_source_refuses_a_duplicate(tmp_path):
    tree = copy_build_inputs(tmp_path / "rusprk")
    original = next((ROOT / "seeds").glob("003_*.txt"))
    before = snapshot(tree)
    again = tmp_path / "again.txt"
    again.write_bytes(original.read_bytes())
    out = rusprk(tree, "add-source", str(again))
    assert out.returncode == 1 and f"already a seed: seeds/{original.name} has the same bytes" in out.stderr
    reflowed = tmp_path / "reflowed.txt"
    reflowed.write_bytes(original.read_bytes().replace(b"\n\n", b"\n\n\n") + b"\n")
    out = rusprk(tree, "add-source", str(reflowed))
    assert out.returncode == 1 and "has the same text (up to white space)" in out.stderr
    assert snapshot(tree) == before


@given(st.integers(0, 999_999), st.binary(min_size=1, max_size=64))
def test_seed_names_allow_a_million_sources_in_number_order(number, data):
    name = seed_name(number, data)
    assert re.fullmatch(SEED_FILE_PATTERN, name)
    assert name.split("_")[1][:16] == hashlib.sha256(data).hexdigest()[:16]
    after = seed_name(number + 1, data)
    assert seed_order(Path(name)) < seed_order(Path(after))


def test_candidate_dates_resolve_against_the_page():
    from builders.handmap import LayoutEntry
    from builders.parse import parse_seed

    import yaml

    layout = [LayoutEntry.model_validate(e) for e in yaml.safe_load(ANSWER.read_text(encoding="utf-8"))["layout"]]
    found = candidate_dates(parse_seed(ARTICLE, layout), None)
    assert (13, "Wednesday", ["2024-06-19 (on or before the page's date)", "2024-06-26 (after it: a future tense)"]) \
        in found
