"""The timeline figure: reproducible bytes, valid files, and marks that are the dated events as the data dates them."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
from conftest import ROOT

from builders.timeline import CONTEXT, EXCHANGE, draw_timeline, render_timeline

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def drawn(frames, tmp_path_factory):
    """(PNG bytes, SVG bytes, counts) as draw_timeline writes and returns them."""
    out = tmp_path_factory.mktemp("timeline")
    counts = draw_timeline(frames["events"], out / "t.png", out / "t.svg")
    return (out / "t.png").read_bytes(), (out / "t.svg").read_bytes(), counts


def test_two_draws_give_identical_bytes(tmp_path, drawn):
    # A fresh process (fresh font cache, id counters, hash seed) draws the same bytes.
    code = ("import sys, rusprk; from builders.timeline import draw_timeline; "
            "print(draw_timeline(rusprk.load('events'), sys.argv[1], sys.argv[2]))")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "u.png"), str(tmp_path / "u.svg")],
                         cwd=ROOT, check=True, capture_output=True, text=True).stdout
    assert (tmp_path / "u.png").read_bytes() == drawn[0]
    assert (tmp_path / "u.svg").read_bytes() == drawn[1]
    assert out.strip() == str(drawn[2])


def test_the_users_matplotlib_style_does_not_leak_in(frames, drawn):
    import matplotlib as mpl

    with mpl.rc_context({"font.size": 17, "lines.markersize": 20, "axes.facecolor": "yellow",
                         "svg.hashsalt": "other"}):
        png, svg, counts = render_timeline(frames["events"])  # a second draw, in the same process
        assert mpl.rcParams["font.size"] == 17  # and the figure left the caller's style alone
    assert (png, svg, counts) == drawn


def test_files_are_valid_and_carry_no_timestamp_or_version(drawn):
    from PIL import Image

    png, svg, _ = drawn
    img = Image.open(io.BytesIO(png))
    img.verify()
    assert img.format == "PNG"
    assert not {"Software", "Creation Time", "date:create"} & set(Image.open(io.BytesIO(png)).info)
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert b"<dc:date>" not in svg and b"Matplotlib v" not in svg


def _marks(svg: bytes) -> dict[str, ET.Element]:
    root = ET.fromstring(svg)
    return {g.get("id"): g for g in root.iter(f"{SVG}g") if re.match(r"^(exchange|context)/", g.get("id") or "")}


def _arrows(svg: bytes) -> set[str]:
    root = ET.fromstring(svg)
    return {g.get("id") for g in root.iter(f"{SVG}g") if (g.get("id") or "").startswith("open/")}


def test_marks_are_exactly_the_dated_events(frames, drawn):
    ev = frames["events"]
    dated = ev[ev.date_start.notna() | ev.date_end.notna()]
    marks = _marks(drawn[1])
    want = {f"{'exchange' if x else 'context'}/{i}" for i, x in zip(dated.event_id, dated.russia_dprk)}
    assert set(marks) == want
    n_exchanges = int(dated.russia_dprk.sum())
    assert n_exchanges > 0 and sum(k.startswith("exchange/") for k in marks) == n_exchanges
    counts = drawn[2]
    assert counts["exchanges"] == n_exchanges
    assert counts["context"] == len(dated) - n_exchanges
    undated = ev[ev.date_start.isna() & ev.date_end.isna()]
    assert counts["undated_exchanges"] == int(undated.russia_dprk.sum())
    assert counts["undated_context"] == len(undated) - int(undated.russia_dprk.sum())


def test_precision_and_status_are_drawn_honestly(frames, drawn):
    """A single day is a dot; several known days a solid bar; month/year/range a hatched span; not-occurred hollow."""
    marks = _marks(drawn[1])
    seen = set()
    arrows = _arrows(drawn[1])
    for r in frames["events"].itertuples():
        start_known, end_known = r.date_start == r.date_start, r.date_end == r.date_end  # NaT != NaT
        if not (start_known or end_known):
            continue
        g = marks[f"{'exchange' if r.russia_dprk else 'context'}/{r.event_id}"]
        uses = list(g.iter(f"{SVG}use"))
        styles = " ".join(e.get("style", "") for e in g.iter() if e.tag in (f"{SVG}path", f"{SVG}use"))
        color = EXCHANGE if r.russia_dprk else CONTEXT
        assert f"stroke: {color}" in styles, r.event_id
        assert (f"open/{r.event_id}" in arrows) == (start_known != end_known), f"{r.event_id}: open side as an arrow"
        if start_known != end_known:
            kind = "open"
            assert uses, f"{r.event_id}: the known bound of an open interval is a marker"
            assert ("fill: #ffffff" in styles) == (r.status != "occurred"), r.event_id
        elif r.date_precision == "day" and r.date_start == r.date_end:
            kind = "dot"
            assert uses, f"{r.event_id}: a one-day event is a marker"
            assert ("fill: #ffffff" in styles) == (r.status != "occurred"), r.event_id
        elif r.date_precision == "day":
            kind = "bar"
            assert not uses and "url(#h" not in styles, f"{r.event_id}: known days are a plain bar"
        else:
            kind = "within"
            assert not uses and "fill: url(#h" in styles, f"{r.event_id}: {r.date_precision} must be hatched"
        if kind not in ("dot", "open"):  # a marker shows status by its fill
            assert ("stroke-dasharray" in styles) == (r.status != "occurred"), r.event_id
        seen.add(kind)
    assert {"dot", "within", "open"} <= seen  # the data exercises more than one style


def test_committed_figure_is_the_drawing_of_the_committed_data(drawn):
    """docs/timeline.* are drawn by the build; a stale figure means the build was not run after a data change."""
    png, svg = ROOT / "docs" / "timeline.png", ROOT / "docs" / "timeline.svg"
    if not (png.exists() and svg.exists()):
        pytest.skip("docs/timeline.png and .svg not drawn yet: run `rusprk build`")
    assert png.read_bytes() == drawn[0], "docs/timeline.png is stale: run `rusprk build`"
    assert svg.read_bytes() == drawn[1], "docs/timeline.svg is stale: run `rusprk build`"
