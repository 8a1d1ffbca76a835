"""Stage 1b: the reading of a seed's page, line by line, as data.

The parser's heuristics (``builders.parse``) give every non-blank line of a
seed a region: title, byline, dateline, url, header, body, caption, credit or
furniture.  That reading is only a default: a hand-map's ``layout:`` section
reassigns lines, by number, by range or by pattern, so a page in a layout the
heuristics do not know is read right without touching code.  The seed is
then assembled from the final reading (``assemble``), and the five original
seeds give exactly their heuristic reading (tests pin it).

``render`` writes a reading as a ``layout:`` section; ``rusprk add-source``
puts it in every draft so the curator corrects what the heuristics got wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from builders.errors import BuildError

# Regions a line can be given.  byline, dateline and url are header lines that also carry a fact.
REGIONS = ("title", "byline", "dateline", "url", "header", "body", "caption", "credit", "furniture")
@dataclass(frozen=True)
class LineReading:
    """What one non-blank line of the seed is."""

    line: int  # 1-based
    region: str
    credit: str | None = None  # a caption line's own credit, as printed at its end
    date: str | None = None  # a dateline's date as printed, when the line says more than the date
    how: str = "parser"  # 'parser' or the hand-map position of the layout entry that set it


def apply(reading: list[LineReading], layout, lines: dict[int, str], n_lines: int, path: Path) -> list[LineReading]:
    """The reading with the hand-map's ``layout`` entries applied in order (a later entry wins)."""
    by_line = {r.line: r for r in reading}
    for entry in layout:
        at = entry.at("lines" if entry.lines is not None else "pattern")
        if entry.lines is not None:
            first, last = entry.span()
            if last > n_lines:
                raise BuildError(path, f"layout names seed line {last}, but the seed has {n_lines} lines", line=at,
                                 field="layout.lines")
            hit = [n for n in range(first, last + 1) if n in by_line]
        else:
            rx = re.compile(entry.pattern)
            hit = [n for n, text in lines.items() if rx.fullmatch(text)]
        if not hit:
            raise BuildError(path, "layout entry matches no non-blank line of the seed", line=at,
                             field="layout.lines" if entry.lines is not None else "layout.pattern")
        for n in hit:
            if entry.credit is not None and not _credit_at_end(lines[n], entry.credit):
                raise BuildError(path, f"credit {entry.credit!r} is not printed at the end of seed line {n}",
                                 line=entry.at("credit"), field="layout.credit")
            by_line[n] = LineReading(n, entry.region, credit=entry.credit, date=entry.date,
                                     how=f"layout entry at line {entry.line}")
    return [by_line[n] for n in sorted(by_line)]


def _credit_at_end(text: str, credit: str) -> bool:
    i = text.rfind(credit)
    return i > 0 and not text[i + len(credit):].strip(" ])")


def assemble(path: Path, text: str, sha256: str, reading: list[LineReading]):
    """The ParsedSeed the final reading describes: its parts, and the facts its header lines print."""
    from builders.parse import (_BYLINE, _PUBLISHER_LINE, _SECTION_DATE, _URL, _URL_CONTINUATION, ParsedSeed, Span,
                                _lines, _strip, content_language)

    spans = {s.line: s for s in (_strip(x) for x in _lines(text)) if s.text}
    parts: dict[str, list[Span]] = {r: [] for r in REGIONS}
    credits: list[Span] = []
    dates: list[tuple[Span, date]] = []
    authors: list[str] = []
    byline = publisher = section = url = None
    url_spans: list[Span] = []
    titles = []
    previous = None  # the region of the line before, in the reading
    for r in reading:
        s = spans[r.line]
        previous, r_prev = r.region, previous
        if r.region == "caption" and r.credit:
            i = s.text.rfind(r.credit)
            caption = s.text[:i].rstrip().rstrip("[(|").rstrip()
            parts["caption"].append(Span(s.start, s.start + len(caption), caption, s.line))
            credits.append(Span(s.start + i, s.start + i + len(r.credit), r.credit, s.line))
            continue
        if r.region == "credit":
            credits.append(s)
            continue
        if r.region == "title":
            titles.append((r, s))
            continue
        parts[r.region if r.region in ("body", "caption", "furniture") else "header"].append(s)
        if r.region == "byline":
            byline = byline or s
            m = _BYLINE.match(s.text)
            names = m["names"] if m else s.text
            authors += [a.strip() for a in re.split(r",\s*|\s+and\s+", names) if a.strip()]
        elif r.region == "dateline":
            dates.append((s, _date_in(path, s, r)))
            if m := _PUBLISHER_LINE.match(s.text):
                publisher = m["publisher"].strip()
            if m := _SECTION_DATE.match(s.text):
                section = m["section"].strip()
        elif r.region == "url":
            if m := _URL.match(s.text):
                url = m["url"]
                url_spans.append(s)
            elif url_spans and r_prev == "url" and _URL_CONTINUATION.match(s.text):
                url += s.text  # a URL broken over two lines: the next line continues it
                url_spans.append(s)
            else:
                raise BuildError(path, f"seed line {s.line} is read as a url but is not one: {s.text[:60]!r}",
                                 line=s.line, field="layout")
    if len(titles) != 1:
        where = ", ".join(str(s.line) for _, s in titles) or "none"
        raise BuildError(path, f"a seed has exactly one title line; this reading gives {where} (say which in the "
                               "hand-map's layout: section)", line=titles[1][1].line if titles else 1, field="title")
    title = titles[0][1]

    published = dateline = None
    for span, d in dates:
        if published is not None and d != published:
            raise BuildError(path, f"datelines disagree: {published} and {d}", line=span.line, field="date_published")
        published, dateline = d, dateline or span

    language, mt_signals = content_language([title.text, *(b.text for b in parts["body"])])
    return ParsedSeed(
        path=path, text=text, sha256=sha256, title=title, body=parts["body"],
        captions=sorted(parts["caption"], key=lambda s: s.start), credits=credits, header=parts["header"],
        furniture=parts["furniture"], authors=authors, byline=byline, dateline=dateline,
        date_published=published, publisher_printed=publisher, url=url, url_spans=url_spans,
        section=section, language=language, mt_signals=mt_signals, reading=reading)


def _date_in(path: Path, s, r: LineReading) -> date:
    """The date a dateline prints: in a form the heuristics know, else the one full date written on it (or in
    its layout entry's ``date:``), read as the meaning rules read dates."""
    from builders.parse import _DATED_LINE, _SECTION_DATE, _parse_date
    from rusprk.validate.meaning.text import date_matches

    text = s.text
    if r.date is not None:
        if r.date not in s.text:
            raise BuildError(path, f"date {r.date!r} is not printed on seed line {s.line}", line=s.line,
                             field="layout.date")
        text = r.date
    else:
        for rx in (*_DATED_LINE, _SECTION_DATE):
            if m := rx.match(s.text):
                try:
                    return _parse_date(m["date"])
                except ValueError:
                    raise BuildError(path, f"unreadable date {m['date']!r} ({r.how})", line=s.line,
                                     field="date_published") from None
    found = {(y, m, d) for _, y, m, d in date_matches(text) if y}
    if len(found) == 1:
        return date(*found.pop())
    if r.date is not None:
        raise BuildError(path, f"unreadable date {r.date!r} ({r.how})", line=s.line, field="layout.date")
    raise BuildError(path, f"seed line {s.line} is read as a dateline but holds {len(found)} dates; give the date "
                           "as printed with date: in its layout entry", line=s.line, field="layout.date")


# -- writing a reading as a layout section ------------------------------------

def render(reading: list[LineReading], lines: dict[int, str]) -> str:
    """A ``layout:`` section giving every non-blank line its region, runs of one region as a range, each entry
    with the line's opening words as a comment (for a draft hand-map)."""
    out = ["layout:"]
    i = 0
    while i < len(reading):
        r = reading[i]
        j = i
        while (r.credit is None and r.date is None and j + 1 < len(reading) and reading[j + 1].region == r.region
               and reading[j + 1].credit is None and reading[j + 1].date is None):
            j += 1
        lines_value = str(r.line) if j == i else f"{r.line}-{reading[j].line}"
        extra = f", credit: {_yaml_str(r.credit)}" if r.credit else ""
        opening = lines[r.line][:50].replace("\n", " ")
        out.append(f"  - {{lines: {_yaml_str(lines_value)}, as: {r.region}{extra}}}  # {opening}")
        i = j + 1
    return "\n".join(out) + "\n"


def _yaml_str(value: str) -> str:
    import json

    return value if re.fullmatch(r"[0-9]+(-[0-9]+)?", value) else json.dumps(value, ensure_ascii=False)
