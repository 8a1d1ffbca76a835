"""The timeline figure: docs/timeline.png and docs/timeline.svg, drawn from the events table.

One row per dated event, labelled with its title, in chronological order
(sub-events, ``part_of_event_id``, follow their parent, indented).  A page
shows at most ``MAX_ROWS`` rows: beyond that the figure shows the top-level
exchanges only, then those counted by month or year (``bounded``), so it
stays legible and its cost bounded however large the corpus grows; and a
build redraws it only when the rows it shows change (a content-keyed cache).  The
events cluster in a few short windows over 75 years, so the time axis is
*broken*: each column is one window holding events, on its own linear scale,
headed by its dates; nothing between windows is drawn.

Precision is drawn as the data states it, never sharper:

* a single known day is a dot;
* several known days (precision 'day', start < end) are a solid bar;
* a date known only to a month, a year or a range is a hatched bar over the
  whole interval: it happened somewhere within, not throughout;
* an interval with one side open (a trip whose start is stated and whose end
  is not; a statement made 'before 31 May') is its known bound, a dot for a
  known day or a bar end for a bound, with an arrow towards the open side:
  the figure claims nothing about how far it goes.

Russia–DPRK exchanges are dark blue; context events (``russia_dprk`` false)
are grey, with grey labels.  Events not reported as having happened
(planned, alleged, cancelled) are drawn hollow.  Events the sources do not
date are listed by title under the figure, with their count.

Output is byte-reproducible: Matplotlib's default style (not the user's),
DejaVu Sans (bundled with Matplotlib), glyphs as paths, a fixed SVG hash
salt, no date or software version in the files, English month names
regardless of locale.  Every mark carries an SVG id ``exchange/<event_id>``
or ``context/<event_id>`` (an open side's arrow ``open/<event_id>``) so tests
can count what was drawn.
"""

from __future__ import annotations

import datetime as dt
import io
import textwrap
from pathlib import Path

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
EXCHANGE, CONTEXT = "#1b4f8a", "#8f8f8f"
DPI = 120
#: Events closer than this share a window (column).
WINDOW_GAP = dt.timedelta(days=120)
LABEL_WIDTH = 64  # characters per label line
ROW_HEIGHT = 0.3  # inches
ARROW_IN = 0.28  # length of an open side's arrow, inches
MAX_ROWS = 60  # rows a page shows legibly: beyond it the figure draws fewer, coarser rows (``bounded``)
MAX_UNDATED_LISTED = 12  # undated events named under the figure; the rest are counted

RC = {
    "font.family": "DejaVu Sans",
    "font.size": 8,
    "svg.fonttype": "path",  # glyphs as paths: the same picture whatever fonts the viewer has
    "svg.hashsalt": "rusprk-timeline",  # stable ids for clip paths, markers, hatches
    "hatch.linewidth": 0.6,
    "axes.linewidth": 0.6,
}


# ---------------------------------------------------------------------------
# Data: rows, windows
# ---------------------------------------------------------------------------

def _date(v) -> dt.date | None:
    import pandas as pd

    return None if pd.isna(v) else pd.Timestamp(v).date()


def _records(events_df) -> list[dict]:
    recs = []
    for r in events_df.itertuples(index=False):
        start, end = _date(r.date_start), _date(r.date_end)
        # An open side is drawn as an arrow from the known bound: the row sits at that bound.
        open_side = "end" if start is not None and end is None else "start" if end is not None and start is None else None
        start, end = start or end, end or start
        recs.append({
            "id": str(r.event_id), "title": str(r.title), "start": start, "end": end, "open": open_side,
            "precision": str(r.date_precision), "status": str(r.status),
            "exchange": bool(r.russia_dprk),
            "parent": None if _is_null(r.part_of_event_id) else str(r.part_of_event_id),
        })
    return recs


def _is_null(v) -> bool:
    import pandas as pd

    return v is None or (not isinstance(v, str) and pd.isna(v))


def _tree_order(dated: list[dict]) -> list[tuple[dict, int]]:
    """Chronological, with each event's dated sub-events right after it: (record, depth)."""
    by_id = {r["id"]: r for r in dated}
    children: dict[str | None, list[dict]] = {}
    for r in dated:
        parent = r["parent"] if r["parent"] in by_id else None  # an undated parent: drawn as a root
        children.setdefault(parent, []).append(r)
    key = lambda r: (r["start"], r["end"], r["id"])  # noqa: E731
    out: list[tuple[dict, int]] = []

    def walk(parent, depth):
        for r in sorted(children.get(parent, []), key=key):
            out.append((r, depth))
            walk(r["id"], depth + 1)

    walk(None, 0)
    return out


def _windows(dated: list[dict]) -> list[tuple[dt.date, dt.date]]:
    """Merge event intervals closer than WINDOW_GAP into windows (the columns)."""
    spans = sorted((r["start"], r["end"]) for r in dated)
    windows: list[list[dt.date]] = []
    for s, e in spans:
        if windows and s <= windows[-1][1] + WINDOW_GAP:
            windows[-1][1] = max(windows[-1][1], e)
        else:
            windows.append([s, e])
    return [(s, e) for s, e in windows]


def _window_label(s: dt.date, e: dt.date) -> str:
    if (e - s).days >= 300:  # year-scale window
        return str(s.year) if s.year == e.year else f"{s.year}–{e.year}"
    if (s.year, s.month) == (e.year, e.month):
        return f"{MONTHS[s.month - 1]} {s.year}"
    if s.year == e.year:
        return f"{MONTHS[s.month - 1]}–{MONTHS[e.month - 1]} {s.year}"
    return f"{MONTHS[s.month - 1]} {s.year}–{MONTHS[e.month - 1]} {e.year}"


# ---------------------------------------------------------------------------
# Drawing
# ---------------------------------------------------------------------------

def _day_ticks(days: list[dt.date], days_per_inch: float, min_gap_in: float = 0.1) -> list[dt.date]:
    """Label the days events start on: busiest first, skipping any too close to one already kept."""
    count: dict[dt.date, int] = {}
    for d in days:
        count[d] = count.get(d, 0) + 1
    kept: list[dt.date] = []
    for d in sorted(count, key=lambda d: (-count[d], d)):
        if all(abs((d - k).days) / days_per_inch >= min_gap_in for k in kept):
            kept.append(d)
    return sorted(kept)


def _style_axis(ax, s: dt.date, e: dt.date, starts: list[dt.date], width_in: float) -> None:
    from matplotlib.dates import YearLocator, date2num
    from matplotlib.ticker import NullFormatter

    span = (e - s).days + 1
    pad = max(2.0, 0.06 * span)
    lo, hi = date2num(s) - pad, date2num(e) + 1 + pad
    ax.set_xlim(lo, hi)
    if span >= 300:
        ax.xaxis.set_major_locator(YearLocator())
        ax.xaxis.set_major_formatter(NullFormatter())  # the column heading names the years
    else:
        # Ticks at the middle of the days events start on, labelled in English whatever the locale.
        ticks = _day_ticks(starts, (hi - lo) / width_in)
        ax.set_xticks([date2num(d) + 0.5 for d in ticks])
        ax.set_xticklabels([f"{d.day} {MONTHS[d.month - 1]}" for d in ticks], rotation=90)
    ax.tick_params(axis="x", labelsize=6.5, length=2.5)
    ax.tick_params(axis="y", length=0)
    ax.set_title(_window_label(s, e), fontsize=7.5, pad=4)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _mark(ax, rec: dict, y: float) -> None:
    from matplotlib.dates import date2num
    from matplotlib.patches import Rectangle

    color = EXCHANGE if rec["exchange"] else CONTEXT
    happened = rec["status"] == "occurred"
    gid = f"{'exchange' if rec['exchange'] else 'context'}/{rec['id']}"
    s, e = date2num(rec["start"]), date2num(rec["end"]) + 1  # a day covers [start, start + 1)
    if rec["open"]:
        # The known bound, and an arrow towards the side nobody reports (a fixed share of the column).
        lo, hi = ax.get_xlim()
        axis_in = ax.get_position().width * ax.figure.get_figwidth()
        at = s + 0.5 if rec["precision"] == "day" else (s if rec["open"] == "end" else e)
        reach = ARROW_IN * (hi - lo) / axis_in * (1 if rec["open"] == "end" else -1)
        (line,) = ax.plot([at], [y], marker="o" if rec["precision"] == "day" else "|", markersize=5.5,
                          linestyle="none", color=color, markerfacecolor=color if happened else "white",
                          markeredgewidth=1.1)
        line.set_gid(gid)
        # One line with an arrowhead at its far end (a Line2D: far cheaper to draw than an annotation).
        (arrow,) = ax.plot([at + 0.15 * reach, at + reach], [y, y], color=color, linewidth=0.9,
                           linestyle="-" if happened else "--", marker=">" if reach > 0 else "<", markersize=4,
                           markevery=[1], clip_on=False)
        arrow.set_gid(f"open/{rec['id']}")
        return
    if rec["precision"] == "day" and rec["start"] == rec["end"]:
        (line,) = ax.plot([s + 0.5], [y], marker="o", markersize=5.5, linestyle="none", color=color,
                          markerfacecolor=color if happened else "white", markeredgewidth=1.1)
        line.set_gid(gid)
        return
    known_days = rec["precision"] == "day"
    patch = Rectangle((s, y - 0.22), e - s, 0.44, edgecolor=color, linewidth=0.9,
                      facecolor=(color if known_days and happened else "none"),
                      hatch=None if known_days else "////", linestyle="-" if happened else "--")
    patch.set_gid(gid)
    ax.add_patch(patch)


def _legend(fig) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles = [
        Patch(facecolor=EXCHANGE, edgecolor=EXCHANGE, label="Russia–DPRK exchange"),
        Patch(facecolor=CONTEXT, edgecolor=CONTEXT, label="context event (grey label)"),
        Line2D([], [], marker="o", linestyle="none", color="black", markersize=5, label="one known day"),
        Patch(facecolor="black", edgecolor="black", label="several known days"),
        Patch(facecolor="none", edgecolor="black", hatch="////", label="sometime within (month, year or range)"),
        Line2D([], [], marker=r"$\rightarrow$", linestyle="none", color="black", markersize=9,
               label="arrow: a start or end not reported (open)"),
        Line2D([], [], marker="o", linestyle="none", color="black", markerfacecolor="white", markersize=5,
               label="hollow: planned, alleged or cancelled"),
    ]
    fig.legend(handles=handles, loc="upper left", ncol=3, fontsize=7, frameon=False,
               bbox_to_anchor=(0.01, 1 - 0.62 / fig.get_figheight()), handlelength=1.6, columnspacing=1.5)


def bounded(dated: list[dict]) -> tuple[list[dict], str]:
    """The rows to draw, at most MAX_ROWS, and what they are (for the subtitle).

    Every dated event while they fit; else the top-level exchanges (no dated parent); else those counted
    by month, then by year.  So the figure stays readable, and its cost bounded, at any corpus size."""
    if len(dated) <= MAX_ROWS:
        return dated, "One row per dated event"
    ids = {r["id"] for r in dated}
    top = [r for r in dated if r["exchange"] and r["parent"] not in ids]
    if len(top) <= MAX_ROWS:
        return top, f"One row per top-level exchange ({len(top)} of {len(dated)} dated events; the parts of " \
                    "visits and the context events are in the tables)"
    for unit in ("month", "year"):
        groups: dict[tuple, int] = {}
        for r in top:
            key = (r["start"].year, r["start"].month if unit == "month" else 1)
            groups[key] = groups.get(key, 0) + 1
        if len(groups) <= MAX_ROWS or unit == "year":
            break
    rows = []
    for (year, month), n in sorted(groups.items())[:MAX_ROWS]:
        start = dt.date(year, month, 1)
        end = (dt.date(year, month, 28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1) \
            if unit == "month" else dt.date(year, 12, 31)
        rows.append({"id": f"{unit}-{start:%Y-%m}", "title": f"{n} top-level exchange{'s' * (n != 1)}",
                     "start": start, "end": end, "open": None, "precision": unit, "status": "occurred",
                     "exchange": True, "parent": None})
    return rows, f"Top-level exchanges counted by {unit} ({len(top)} of {len(dated)} dated events)"


def render_timeline(events_df, cache: Path | None = None) -> tuple[bytes, bytes, dict]:
    """(PNG bytes, SVG bytes, counts) for the events table (a pandas frame as rusprk.load returns).

    With ``cache`` (a folder), a figure already drawn for the same rows by the same code is reused: its
    files are checked against their checksums (``builders.cache``), and redrawn if either is not whole."""
    recs = _records(events_df)
    all_dated = [r for r in recs if r["start"] is not None]
    undated = [r for r in recs if r["start"] is None]
    if not all_dated:
        raise ValueError("events: no dated event to draw")
    dated, shown = bounded(all_dated)
    windows = _windows(dated)
    counts = {
        "exchanges": sum(r["exchange"] for r in all_dated),
        "context": sum(not r["exchange"] for r in all_dated),
        "undated_exchanges": sum(r["exchange"] for r in undated),
        "undated_context": sum(not r["exchange"] for r in undated),
        "windows": [(s.isoformat(), e.isoformat()) for s, e in windows],
        "rows": len(dated),
    }
    key = _key(dated, undated, shown, counts)
    if cache is not None and (hit := _cached(cache, key)):
        return (*hit, counts)
    png, svg = _draw(dated, undated, shown, counts, windows)
    if cache is not None:
        _store(cache, key, png, svg)
    return png, svg, counts


def _key(dated, undated, shown, counts) -> str:
    """What the figure depends on: the rows drawn, the undated note, this module's code, Matplotlib."""
    import hashlib
    import json

    import matplotlib

    facts = {"rows": dated, "undated": [(r["title"], r["exchange"]) for r in undated], "shown": shown,
             "counts": counts, "code": Path(__file__).read_text(encoding="utf-8"), "mpl": matplotlib.__version__}
    return hashlib.sha256(json.dumps(facts, default=str, sort_keys=True).encode()).hexdigest()


def _cached(cache: Path, key: str) -> tuple[bytes, bytes] | None:
    """The cached PNG and SVG for ``key`` if both are there and whole (``builders.cache``)."""
    from builders.cache import get_bytes

    png, svg = get_bytes(cache / f"{key}.png"), get_bytes(cache / f"{key}.svg")
    return None if png is None or svg is None else (png, svg)


def _store(cache: Path, key: str, png: bytes, svg: bytes) -> None:
    from builders.cache import prune, put_bytes

    prune(cache, {key})  # one figure is kept: the latest
    put_bytes(cache / f"{key}.png", png)
    put_bytes(cache / f"{key}.svg", svg)


def _draw(dated, undated, shown, counts, windows) -> tuple[bytes, bytes]:
    import matplotlib as mpl
    from matplotlib.figure import Figure

    rows = _tree_order(dated)

    labels = []
    for r, depth in rows:
        prefix = "    " * depth + ("↳ " if depth else "")
        wrapped = textwrap.wrap(r["title"], LABEL_WIDTH - len(prefix)) or [""]
        labels.append("\n".join([prefix + wrapped[0]] + ["    " * depth + "  " + w for w in wrapped[1:]]))
    undated_note = _undated_note(undated)

    width, label_in, top_in = 11.0, 3.9, 1.25
    bottom_in = 0.75 + 0.14 * undated_note.count("\n")
    height = top_in + ROW_HEIGHT * len(rows) + bottom_in
    with mpl.rc_context():
        mpl.rcdefaults()  # Matplotlib's own defaults, not the user's matplotlibrc
        mpl.rcParams.update(RC)
        fig = Figure(figsize=(width, height))
        # Windows with many events get more room; year-scale windows stay narrow.
        n_in = [sum(1 for r in dated if s <= r["start"] <= e) for s, e in windows]
        ratios = [min(0.9 * (e.year - s.year + 1), 1.6) if (e - s).days >= 300 else 1.0 + 0.3 * n
                  for n, (s, e) in zip(n_in, windows)]
        gs = fig.add_gridspec(1, len(windows), width_ratios=ratios, left=label_in / width, right=0.985,
                              top=1 - top_in / height, bottom=bottom_in / height, wspace=0.08)
        axes = [fig.add_subplot(gs[0, i]) for i in range(len(windows))]
        for i, (ax, (s, e)) in enumerate(zip(axes, windows)):
            # Faint row lines lead the eye from label to mark (one collection: fast to draw).
            ax.hlines(range(len(rows)), 0, 1, transform=ax.get_yaxis_transform(), color="#e8e8e8",
                      linewidth=0.5, zorder=0)
            # Only known days get a day tick; a month or range is named by the column heading.
            starts = [r["start"] for r in dated if s <= r["start"] <= e and r["precision"] == "day"]
            _style_axis(ax, s, e, starts, ax.get_position().width * width)  # first: marks use its limits
            for y, (r, _) in enumerate(rows):
                if s <= r["start"] <= e:
                    _mark(ax, r, y)
            ax.set_ylim(len(rows) - 0.5, -0.5)
            if i == 0:
                ax.set_yticks(range(len(rows)), labels, fontsize=7)
                for t, (r, _) in zip(ax.get_yticklabels(), rows):
                    t.set_color("black" if r["exchange"] else "#6f6f6f")
            else:
                ax.set_yticks([])
                ax.spines["left"].set_visible(False)
        fig.text(0.01, 1 - 0.22 / height, "RUSPRK: Russia–DPRK exchanges and context events", fontsize=11,
                 fontweight="bold", va="top")
        fig.text(0.01, 1 - 0.45 / height,
                 (f"One row per dated event ({counts['exchanges']} exchanges, {counts['context']} context events). "
                  if shown == "One row per dated event" else f"{shown}. ")
                 + "The time axis is broken: each column is a window holding events, on its own scale.",
                 fontsize=7.5, va="top")
        _legend(fig)
        fig.text(0.01, 0.12 / height, undated_note, fontsize=6.5, va="bottom", color="#333333")
        png, svg = io.BytesIO(), io.BytesIO()
        fig.savefig(png, format="png", dpi=DPI, metadata={"Software": None})
        fig.savefig(svg, format="svg", metadata={"Date": None, "Creator": None})
    return png.getvalue(), svg.getvalue()


def _undated_note(undated: list[dict]) -> str:
    if not undated:
        return "Every event is dated."
    ex = sorted(r["title"] for r in undated if r["exchange"])
    cx = sorted(r["title"] for r in undated if not r["exchange"])
    text = (f"Not drawn: {len(undated)} events the sources do not date "
            f"({len(ex)} exchanges, {len(cx)} context). ")

    def listed(titles):  # a bounded note: the first few, and how many more
        more = len(titles) - MAX_UNDATED_LISTED
        return "; ".join(titles[:MAX_UNDATED_LISTED]) + (f"; and {more} more" if more > 0 else "")

    if ex:
        text += "Exchanges: " + listed(ex) + ". "
    if cx:
        text += "Context: " + listed(cx) + "."
    return "\n".join(textwrap.wrap(text, 190))


def draw_timeline(events_df, out_png, out_svg) -> dict:
    """Write the PNG and SVG (atomically, only if changed); return what was drawn (counts, windows)."""
    from builders.atomic import write_file

    png, svg, counts = render_timeline(events_df)
    write_file(Path(out_png), png)
    write_file(Path(out_svg), svg)
    return counts


if __name__ == "__main__":  # python -m builders.timeline: redraw from the installed/built tables
    import rusprk

    here = Path(__file__).resolve().parent.parent / "docs"
    print(draw_timeline(rusprk.load("events"), here / "timeline.png", here / "timeline.svg"))
