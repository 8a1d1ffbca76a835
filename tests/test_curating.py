"""The curator's guide lists every rule with its message, and its example is what add-source writes."""

from __future__ import annotations

import hashlib
import re
import shutil

import docs
from builders import rules
from conftest import ROOT

GUIDE = ROOT / "docs" / "curating.md"


def test_the_guide_lists_every_rule_with_its_message():
    text = GUIDE.read_text(encoding="utf-8")
    block = text[text.index(rules.START):text.index(rules.END) + len(rules.END)]
    assert block == rules.render(ROOT), "docs/curating.md's rules are stale: run `python -m builders.rules docs/curating.md`"


def test_a_new_rule_changes_the_list(tmp_path):
    """A refusal added to the code appears in the list (so the test above fails until the guide has it)."""
    for path in rules.modules(ROOT):
        dest = tmp_path / path.relative_to(ROOT)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, dest)
    coverage = tmp_path / "builders" / "coverage.py"
    coverage.write_text(coverage.read_text(encoding="utf-8") + '''

def _new_rule(seed):
    raise BuildError(seed, f"a paragraph of {seed} is shouting")
''', encoding="utf-8")
    assert "`` a paragraph of … is shouting ``" in rules.render(tmp_path)
    assert "is shouting" not in rules.render(ROOT)


def test_every_meaning_rule_is_in_the_list():
    from rusprk.validate.meaning import RULES

    listed = rules.render(ROOT)
    for rule in RULES:
        name = rule.__name__.rsplit(".", 1)[-1]
        assert f"rusprk/validate/meaning/{name}.py" in listed, name


def test_the_guides_draft_is_what_add_source_writes():
    """The draft shown in the guide is, line for line, the start of the draft add-source writes."""
    import datetime as dt

    from builders.add_source import draft_handmap

    article = ROOT / "tests" / "articles" / "new-layout-article.txt"
    data = article.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    yaml_blocks = [b for b in docs.blocks(ROOT, "docs/curating.md") if b.language == "yaml"]
    shown = yaml_blocks[0].code
    name = re.search(r"^seed: (\S+)$", shown, re.M).group(1)
    draft = draft_handmap(ROOT, name, data.decode("utf-8"), sha, "https://www.cbsnews.com/news/example-putin-kim-treaty/",
                          dt.date(2026, 11, 30), "CBS News")
    assert shown in draft
    assert f"seed_sha256: {sha}" in shown


def test_the_readme_links_the_guide():
    assert "(docs/curating.md)" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_guide_shows_the_whole_prepared_answer():
    """The worked example's finished hand-map, as the guide shows it, is the one the tests build."""
    answer = (ROOT / "tests" / "articles" / "new-layout-article.answer.yaml").read_text(encoding="utf-8")
    assert answer in [b.code for b in docs.blocks(ROOT, "docs/curating.md") if b.language == "yaml"]
