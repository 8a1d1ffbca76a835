"""The evidence browser (dist/site/) and the Web Annotations (dist/annotations.jsonld)."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builders.site.highlight import pieces
from builders.site.html import RECORD_TABLES, STYLE, TEXT_COLOURS, page_name
from conftest import ROOT

DIST = ROOT / "dist"
SITE = DIST / "site"


class Page(HTMLParser):
    """What a test needs of a page: links, ids, and the text of every highlight element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.assets: list[str] = []
        self.ids: set[str] = set()
        self.open: list[tuple[str, str | None]] = []  # (tag, data-evidence-id)
        self.highlights: dict[str, list[str]] = defaultdict(list)  # evidence id -> its elements' texts
        self.lang = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        if tag in ("link", "script", "img", "iframe") and (a.get("href") or a.get("src")):
            self.assets.append(a.get("href") or a.get("src"))
        if tag in ("meta", "link", "br", "img", "input"):
            return
        eid = a.get("data-evidence-id")
        self.open.append((tag, eid))
        if eid is not None:
            self.highlights[eid].append("")

    def handle_endtag(self, tag):
        while self.open:
            t, _ = self.open.pop()
            if t == tag:
                break

    def handle_data(self, data):
        seen = set()
        for _, eid in self.open:  # the text belongs to every open highlight (each once per element)
            if eid is not None and eid not in seen:
                seen.add(eid)
                self.highlights[eid][-1] += data


def read(path: Path) -> Page:
    p = Page()
    p.feed(path.read_text(encoding="utf-8"))
    return p


def _rows(name: str) -> list[dict]:
    import rusprk

    return rusprk.load(name, backend="pyarrow").to_pylist()


@given(st.text(max_size=20))
def test_names_and_anchors_are_percent_encoded_as_urllib_does(text):
    from urllib.parse import quote

    from builders.site.html import percent_encoded

    assert percent_encoded(text) == quote(text, safe="-._~")


@given(st.sampled_from(sorted(RECORD_TABLES)), st.text(max_size=20), st.integers(0, 2))
def test_hrefs_and_anchors_need_no_html_escaping(table, text, depth):
    """Pages put these into attributes unescaped (builders/site/html.py): escaping must change nothing."""
    from html import escape

    from builders.site.html import anchor, record_href, source_href

    for made in (record_href(table, text, depth), source_href(text, depth), anchor(text)):
        assert escape(made) == made


def test_every_evidence_row_is_highlighted_in_its_source_page_as_its_quote():
    sources = {s["source_id"]: s for s in _rows("sources")}
    by_source = defaultdict(list)
    for ev in _rows("evidence"):
        by_source[ev["source_id"]].append(ev)
    for sid, evidence in by_source.items():
        page = read(SITE / "sources" / f"{page_name(sid)}.html")
        for ev in evidence:
            texts = page.highlights.get(ev["evidence_id"])
            assert texts, f"{ev['evidence_id']} is not highlighted in {sid}"
            assert "".join(texts) == ev["quote"], ev["evidence_id"]
        assert set(page.highlights) == {ev["evidence_id"] for ev in evidence}, sid
        assert sources[sid]["title"] in (SITE / "sources" / f"{page_name(sid)}.html").read_text(encoding="utf-8")


def _internal(href: str) -> bool:
    return not urlsplit(href).scheme and not href.startswith("//")


def test_every_link_resolves_and_every_record_is_reachable_from_the_index():
    pages = sorted(SITE.rglob("*.html"))
    parsed = {p: read(p) for p in pages}
    reached, todo = {SITE / "index.html"}, [SITE / "index.html"]
    while todo:
        here = todo.pop()
        for href in parsed[here].links:
            if not _internal(href):
                continue
            parts = urlsplit(href)
            target = (here.parent / unquote(parts.path)).resolve() if parts.path else here
            assert target.is_file() and SITE.resolve() in target.parents, f"{here.relative_to(SITE)}: {href}"
            if parts.fragment:
                assert parts.fragment in parsed[target].ids, f"{here.relative_to(SITE)}: {href} has no target"
            if target not in reached:
                reached.add(target)
                todo.append(target)
    for table, key in RECORD_TABLES.items():
        for r in _rows(table):
            assert SITE / table / f"{page_name(r[key])}.html" in reached, (table, r[key])
    for s in _rows("sources"):
        assert SITE / "sources" / f"{page_name(s['source_id'])}.html" in reached
    assert reached == set(pages), sorted(p.relative_to(SITE).as_posix() for p in set(pages) - reached)[:5]


def test_pages_have_no_external_asset_a_language_and_landmarks():
    for path in SITE.rglob("*.html"):
        page = read(path)
        assert page.lang == "en", path
        assert all(_internal(a) for a in page.assets), (path, page.assets)
        html = path.read_text(encoding="utf-8")
        assert "<main" in html and "<header>" in html and "<h1>" in html and "<script src" not in html, path
    assert "url(" not in STYLE and "@import" not in STYLE


def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def test_text_colours_meet_wcag_aa_and_highlights_do_not_rest_on_colour():
    for fg, bg in TEXT_COLOURS:
        hi, lo = sorted((_luminance(fg), _luminance(bg)), reverse=True)
        assert (hi + 0.05) / (lo + 0.05) >= 4.5, (fg, bg)
        assert fg in STYLE and bg in STYLE
    mark = STYLE[STYLE.index("mark.ev {"):]
    assert "text-decoration: underline" in mark[:mark.index("}")]
    assert ":focus-visible" in STYLE


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 40).flatmap(lambda n: st.tuples(
    st.just(n), st.lists(st.tuples(st.integers(0, n - 1), st.integers(1, n)).filter(lambda q: q[0] < q[1]),
                         max_size=6))))
def test_pieces_join_to_every_quote_whatever_the_overlaps(case):
    n, spans = case
    text = "".join(chr(ord("a") + i % 26) for i in range(n))
    quotes = [(a, b, f"q{i}") for i, (a, b) in enumerate(spans)]
    got = pieces(0, n, quotes)
    assert "".join(text[p.start:p.end] for p in got) == text  # the pieces tile the region
    for a, b, qid in quotes:
        assert "".join(text[p.start:p.end] for p in got if qid in p.quotes) == text[a:b]
    for p in got:  # outermost first: each covering quote contains the next one's start
        starts = [next(q for q in quotes if q[2] == qid)[0] for qid in p.quotes]
        assert starts == sorted(starts)


def test_annotations_one_per_evidence_row_anchored_in_the_seed():
    doc = json.loads((DIST / "annotations.jsonld").read_text(encoding="utf-8"))
    assert doc["@context"] == "http://www.w3.org/ns/anno.jsonld" and doc["type"] == "AnnotationCollection"
    items = doc["first"]["items"]
    evidence = {ev["evidence_id"]: ev for ev in _rows("evidence")}
    sources = {s["source_id"]: s for s in _rows("sources")}
    assert doc["total"] == len(items) == len(evidence)
    ids = set()
    for a in items:
        assert {"id", "type", "target", "body", "motivation"} <= set(a) and a["type"] == "Annotation"
        ids.add(a["id"])
        eid = unquote(a["id"].removeprefix("urn:rusprk:evidence:"))
        ev, src = evidence[eid], sources[evidence[eid]["source_id"]]
        text = (DIST / "seeds" / src["seed_file"]).read_text(encoding="utf-8")
        stored = a["target"][0]
        assert stored["type"] == "SpecificResource" and stored["source"] == f"urn:sha256:{src['sha256']}"
        quote, position = stored["selector"]
        assert quote["type"] == "TextQuoteSelector" and position["type"] == "TextPositionSelector"
        assert quote["exact"] == text[position["start"]:position["end"]] == ev["quote"]
        assert (position["start"], position["end"]) == (ev["char_start"], ev["char_end"])
        assert text[:position["start"]].endswith(quote["prefix"]) and text[position["end"]:].startswith(quote["suffix"])
        assert len(quote["prefix"]) == min(32, position["start"])
        assert (quote["prefix"], quote["suffix"]) == (ev["prefix"] or "", ev["suffix"] or "")  # the row's anchors
        if src["url"]:
            assert a["target"][1] == {"type": "SpecificResource", "source": src["url"], "selector": quote}
        assert (DIST / a["body"]["id"]).is_file()
    assert len(ids) == len(items)


def test_the_site_and_annotations_are_in_the_release_zip_and_checksums():
    (zpath,) = DIST.glob("rusprk-*.zip")
    with zipfile.ZipFile(zpath) as zf:
        names = {n.split("/", 1)[1] for n in zf.namelist()}
    site = {p.relative_to(DIST).as_posix() for p in SITE.rglob("*") if p.is_file()}
    assert site and site <= names and "annotations.jsonld" in names
    sums = (DIST / "SHA256SUMS").read_text(encoding="utf-8")
    assert all(f"  {name}\n" in sums for name in site)


# -- in a real browser ----------------------------------------------------------

@pytest.fixture(scope="module")
def browser():
    from cdp import Browser, chromium

    exe = chromium()
    if exe is None:
        pytest.skip("Debian's chromium is not installed (.ci/run installs it with apt)")
    b = Browser(exe, width=1100, height=700)
    yield b
    b.close()


def _pages_to_open() -> list[Path]:
    source = SITE / "sources" / f"{page_name(_rows('sources')[-1]['source_id'])}.html"
    event = SITE / "events" / f"{page_name(_rows('events')[0]['event_id'])}.html"
    return [SITE / "index.html", source, event]


_HIGHLIGHTS = """(() => { const out = {}; for (const m of document.querySelectorAll('[data-evidence-id]')) {
  const k = m.dataset.evidenceId; out[k] = (out[k] || '') + m.textContent; } return out; })()"""


def test_chromium_renders_each_page_without_console_errors(browser):
    from io import BytesIO

    from PIL import Image

    for path in _pages_to_open():
        browser.events.clear()
        browser.open(path.as_uri())
        shot = Image.open(BytesIO(browser.screenshot())).convert("RGB")
        assert len(shot.resize((64, 64)).getcolors(64 * 64)) > 3, f"{path.name} renders blank"
        assert browser.errors() == [], (path.name, browser.errors())
        assert browser.evaluate("document.documentElement.lang") == "en"
        assert browser.evaluate("getComputedStyle(document.body).color") == "rgb(26, 26, 26)"  # the style sheet loaded
        if "/sources/" in path.as_posix():  # as the browser reads it, every highlight joins to its quote
            sid = _rows("sources")[-1]["source_id"]
            quotes = {ev["evidence_id"]: ev["quote"] for ev in _rows("evidence") if ev["source_id"] == sid}
            assert browser.evaluate(_HIGHLIGHTS) == quotes


def test_a_quote_link_on_a_record_page_lands_on_its_highlight(browser):
    """Following each quote link of a record page opens the source page with that quote's first highlight as
    the target, inside the window."""
    event = _pages_to_open()[2]
    browser.open(event.as_uri())
    hrefs = browser.evaluate("[...document.querySelectorAll('blockquote a')].map(a => a.href)")
    assert hrefs
    for href in hrefs:
        browser.open("about:blank")  # each link opened afresh, not as a jump within the page already open
        browser.open(href)
        got = browser.evaluate("""(() => { const t = document.querySelector(':target'); if (!t) return null;
          const r = t.getBoundingClientRect();
          return {eid: t.dataset.evidenceId, top: r.top, bottom: r.bottom, height: innerHeight}; })()""")
        want = unquote(urlsplit(href).fragment).removeprefix("ev-")
        assert got is not None and got["eid"] == want, (href, got)
        assert 0 <= got["top"] < got["height"] and got["bottom"] > 0, (href, got)
