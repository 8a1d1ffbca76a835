"""A seed's layout is data: the parser's reading is a default that a hand-map's layout: section corrects."""

from __future__ import annotations

from collections import Counter

import pytest
import yaml

from builders.errors import BuildError
from builders.handmap import LayoutEntry, _LineLoader
from builders.layout import render
from builders.parse import _lines, _strip, heuristic_reading, parse_seed
from conftest import ROOT

ARTICLE = ROOT / "tests" / "articles" / "new-layout-article.txt"
ANSWER = ROOT / "tests" / "articles" / "new-layout-article.answer.yaml"
FIELDS = ("title", "body", "captions", "credits", "header", "furniture", "authors", "byline", "dateline",
          "date_published", "publisher_printed", "url", "url_spans", "section", "language", "mt_signals")


def lines_of(text: str) -> dict[int, str]:
    return {s.line: s.text for s in (_strip(x) for x in _lines(text)) if s.text}


def entries(yaml_text: str) -> list[LayoutEntry]:
    """Layout entries read as the build reads a hand-map (so each knows its line and column)."""
    return [LayoutEntry.model_validate(e) for e in yaml.load(yaml_text, Loader=_LineLoader)["layout"]]


def same_reading(a, b) -> bool:
    return all(getattr(a, f) == getattr(b, f) for f in FIELDS)


@pytest.mark.parametrize("path", sorted((ROOT / "seeds").glob("*.txt")), ids=lambda p: p.name[:3])
def test_a_reading_written_as_a_layout_section_reads_the_same(path):
    """What add-source writes into a draft is the reading itself: applying it changes nothing."""
    parsed = parse_seed(path)
    section = render(parsed.reading, lines_of(parsed.text))
    assert same_reading(parse_seed(path, entries(section)), parsed)


# The five original seeds keep the regions the heuristics gave them before layouts were data.
ORIGINAL_READINGS = {
    "000": {"title": 1, "byline": 1, "dateline": 1, "caption": 1, "credit": 1, "body": 9, "furniture": 10},
    "001": {"title": 1, "header": 1, "dateline": 2, "body": 11, "url": 2, "furniture": 1},
    "002": {"title": 1, "furniture": 8, "body": 4},
    "003": {"dateline": 2, "title": 1, "caption": 22, "body": 5},
    "004": {"title": 1, "credit": 1, "body": 10},
}


@pytest.mark.parametrize("prefix", sorted(ORIGINAL_READINGS))
def test_original_seeds_keep_their_readings(prefix):
    path = next((ROOT / "seeds").glob(f"{prefix}_*.txt"))
    reading = parse_seed(path).reading
    assert dict(Counter(r.region for r in reading)) == ORIGINAL_READINGS[prefix]
    # Every non-blank line has exactly one region.
    assert [r.line for r in reading] == sorted(lines_of(path.read_text(encoding="utf-8")))


def test_the_heuristics_misread_the_new_layout_and_the_layout_section_corrects_it():
    wrong = parse_seed(ARTICLE)
    assert wrong.title.text == "Watch CBS News"  # the misreading: the banner as title
    assert any("Video player" in b.text for b in wrong.body) and wrong.date_published is None
    answer = yaml.safe_load(ANSWER.read_text(encoding="utf-8"))
    right = parse_seed(ARTICLE, [LayoutEntry.model_validate(e) for e in answer["layout"]])
    assert right.title.text == "Putin and Kim Jong Un sign partnership treaty in Pyongyang"
    assert right.authors == ["Jane Roe"]
    assert str(right.date_published) == "2024-06-19"
    assert [c.text for c in right.captions] == [
        "Russian President Vladimir Putin and North Korean leader Kim Jong Un sign a treaty in Pyongyang."]
    assert [c.text for c in right.credits] == ["Gavriil Grigorov/Sputnik via AP"]
    assert [b.line for b in right.body] == [13, 15, 17]
    assert {f.text for f in right.furniture} == {"Watch CBS News", "Video player: Putin arrives in North Korea 01:58",
                                                 "Up next", "More from CBS News", "Ukraine war news this week"}
    for s in [right.title, *right.body, *right.captions, *right.credits, *right.furniture]:
        assert right.text[s.start:s.end] == s.text


@pytest.mark.parametrize("layout, message", [
    ("[{lines: 99, as: body}]", "the seed has 21 lines"),
    ("[{pattern: '^Nothing like this$', as: furniture}]", "matches no non-blank line"),
    ("[{lines: 11, as: caption, credit: 'Somebody Else/AP'}]", "is not printed at the end of seed line 11"),
    ("[{lines: 13, as: title}]", "exactly one title line"),
    ("[{lines: 13, as: dateline}]", "give the date as printed with date:"),
    ("[{lines: 6, as: dateline, date: 'June 20, 2024'}]", "is not printed on seed line 6"),
    ("[{lines: 13, as: url}]", "is read as a url but is not one"),
])
def test_a_wrong_layout_fails_with_its_place(layout, message):
    with pytest.raises(BuildError) as err:
        parse_seed(ARTICLE, entries(f"seed: x\nlayout: {layout}\n"), handmap=ANSWER)
    assert message in err.value.message
    # A layout entry's own mistake is reported at the entry in the hand-map; a reading that cannot stand
    # (two titles, no date) at the seed line it concerns.
    assert (err.value.where, err.value.line) in ((str(ANSWER), 2), (str(ARTICLE), 13), (str(ARTICLE), 6))


@pytest.mark.parametrize("entry, message", [
    ({"lines": 3, "pattern": "x", "as": "body"}, "lines or a pattern, not both"),
    ({"as": "body"}, "lines or a pattern, not both"),
    ({"lines": "9-3", "as": "body"}, "runs backwards"),
    ({"pattern": "(", "as": "body"}, "not a regular expression"),
    ({"lines": 3, "as": "body", "credit": "AP"}, "credit: is for a caption"),
    ({"lines": 3, "as": "body", "date": "May 1, 2020"}, "date: is for a dateline"),
    ({"lines": 3, "as": "sidebar"}, "Input should be"),
])
def test_a_malformed_layout_entry_is_refused(entry, message):
    with pytest.raises(Exception) as err:
        LayoutEntry.model_validate(entry)
    assert message in str(err.value)


def test_the_layout_is_read_from_the_hand_map(tmp_path):
    """The build takes a seed's layout from its hand-map: the same entries, written there, read the same."""
    from builders.handmap import load_handmap

    handmap = next((ROOT / "builders" / "handmaps").glob("000_*.yaml"))
    text = handmap.read_text(encoding="utf-8") + "\nlayout:\n  - {lines: 27, as: furniture}\n"
    copy = tmp_path / handmap.name
    copy.write_text(text, encoding="utf-8")
    hm = load_handmap(copy)
    seed = ROOT / "seeds" / hm.seed
    parsed = parse_seed(seed, hm.layout)
    assert 27 in {f.line for f in parsed.furniture} and 27 not in {b.line for b in parsed.body}
    assert parsed.reading[[r.line for r in parsed.reading].index(27)].how.startswith("layout entry at line")


def test_heuristic_reading_is_what_parse_seed_starts_from():
    text = ARTICLE.read_text(encoding="utf-8")
    assert parse_seed(ARTICLE).reading == heuristic_reading(text)


def test_layout_regions_are_in_the_curators_guide():
    """The regions a layout may give are documented in the curator's guide."""
    from builders.layout import REGIONS

    guide = (ROOT / "docs" / "curating.md").read_text(encoding="utf-8")
    for region in REGIONS:
        assert f"`{region}`" in guide, region

