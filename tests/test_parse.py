"""The parser reads each seed's metadata and keeps furniture out of the content."""

from __future__ import annotations

import datetime as dt

import pytest

from builders.parse import parse_seed
from conftest import ROOT


def seed(prefix: str):
    return parse_seed(next((ROOT / "seeds").glob(f"{prefix}_*.txt")))


def test_seeds_are_byte_identical_to_shared():
    shared = ROOT.parent / "shared" / "seeds"
    if not shared.is_dir():
        pytest.skip("../shared/seeds not present")
    # The originals stay byte-identical; the dataset grows by adding seeds, which nothing here pins.
    originals = sorted(p.name for p in shared.glob("*.txt"))
    assert originals and set(originals) <= {p.name for p in (ROOT / "seeds").glob("*.txt")}
    for name in originals:
        assert (ROOT / "seeds" / name).read_bytes() == (shared / name).read_bytes(), name


def test_000_cnn_metadata_and_caption():
    p = seed("000")
    assert p.title.text == "Rare glimpse inside residence where Kim met Lavrov"
    assert p.authors == ["Euan McKirdy", "Sarah Tilotta"]
    assert p.date_published == dt.date(2018, 6, 4)
    assert p.url is None
    assert [c.text for c in p.captions] == [
        "An exterior view of a residence where Kim Jong Un met Sergey Lavrov last week."]
    assert [c.text for c in p.credits] == ["Valery Sharifulin/TASS via Getty Images"]
    assert p.body[0].text.startswith("Images published in Russian state media")
    assert p.body[-1].text.endswith("images that come out of the country.")


def test_001_straits_times_url_rejoined():
    p = seed("001")
    assert p.publisher_printed == "StraitsTimes"
    assert p.date_published == dt.date(2018, 5, 31)
    assert p.url == ("https://www.straitstimes.com/asia/east-asia/"
                     "russian-foreign-minister-lavrov-in-pyongyang-ahead-of-trump-kim-summit-kcna")
    assert p.authors == []
    assert len(p.body) == 11


def test_002_undated_and_widgets_removed():
    p = seed("002")
    assert p.title.text == "Diplomatic Exchanges and Gifts Feature on Kim Jong-un’s Russia Visit"
    assert p.date_published is None and p.publisher_printed is None and p.url is None
    assert len(p.body) == 4
    assert p.body[0].text.startswith("Russian Ambassador to North Korea Alexander Matsegora")


def test_003_gallery_captions_kept_apart():
    p = seed("003")
    assert p.date_published == dt.date(2024, 6, 19)
    assert p.section == "In Pictures"
    assert len(p.body) == 5
    assert len(p.captions) == 22
    assert "Gavriil Grigorov/Sputnik, Kremlin Pool via AP Photo" in [c.text for c in p.credits]
    assert all("[" not in c.text for c in p.captions)
    body = p.body_text
    assert "hanbok" not in body and "Honour guards" not in body


def test_004_machine_translation_undated():
    p = seed("004")
    assert p.title.text.startswith("Eun adopted Lavrov")
    assert p.date_published is None
    assert [c.text for c in p.credits] == ["Photo: foreign Ministry / Twitter"]
    assert p.body[-1].text.endswith("will be held in Singapore on June 12.")


FURNITURE = [
    "Original Article", "Related Articles", "Joshua Wong", "Bihar", "1MDB", "Unlock 5.0",
    "Kaynak/Source", "No time to read?", "Get a summary", "Previous Article", "Next Article",
    "Nikolai Dobronravov", "PLCG2",
]


@pytest.mark.parametrize("path", sorted((ROOT / "seeds").glob("*.txt")), ids=lambda p: p.name[:3])
def test_no_furniture_in_content(path):
    p = parse_seed(path)
    content = "\n".join([p.title.text, p.body_text, *(c.text for c in p.captions)])
    for word in FURNITURE:
        assert word not in content
    # Every line of the seed is accounted for exactly once.
    spans = [p.title, *p.header, *p.body, *p.captions, *p.furniture]
    assert len({(s.start, s.end) for s in spans}) == len(spans)
    for s in spans + p.credits:
        assert p.text[s.start:s.end] == s.text


@pytest.mark.parametrize("path", sorted((ROOT / "seeds").glob("*.txt")), ids=lambda p: p.name[:3])
def test_language_and_machine_translation(path):
    p = parse_seed(path)
    assert p.language == "en"
    # Only the Russian report (004) reads as a machine translation.
    assert bool(p.mt_signals) == path.name.startswith("004")


def test_machine_translation_signals_are_the_garbles():
    p = seed("004")
    assert "Jong-UN" in p.mt_signals and "31 may" in p.mt_signals
