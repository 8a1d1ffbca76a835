"""``<table>/<id>.html``: a record's every field with its meaning, its linked records, its quotes in context."""

from __future__ import annotations

import re
from functools import lru_cache
from html import escape
from typing import NamedTuple

from builders.site.html import RECORD_TABLES, anchor, page, record_link, source_href
from rusprk.metadata import resource

CONTEXT_CHARS = 240  # at most this much of the region either side of a quote
_SENTENCE_END = re.compile(r"[.!?][\"”’)]*\s+")
_NULL = '<span class="muted">null</span>'


def context(text: str, region: tuple[int, int], start: int, end: int) -> tuple[str, str, str]:
    """(before, quote, after): the quote with the rest of its sentence and one sentence either side, within its
    region and CONTEXT_CHARS of it (cut at a word, marked "…", where a sentence is longer)."""
    r0, r1 = region
    lo, hi = max(r0, start - CONTEXT_CHARS), min(r1, end + CONTEXT_CHARS)
    before = text[lo:start]
    ends = [m.end() for m in _SENTENCE_END.finditer(before)]
    if len(ends) >= 2:
        before = before[ends[-2]:]
    elif lo > r0:
        before = before[ends[0]:] if ends else "…" + before.split(" ", 1)[-1]
    after = text[end:hi]
    stops = [m.start() + 1 for m in _SENTENCE_END.finditer(after)]
    if len(stops) >= 2:
        after = after[:stops[1]]
    elif hi < r1:
        after = after[:stops[0]] if stops else after.rsplit(" ", 1)[0] + "…"
    return before, text[start:end], after


class _FieldRow(NamedTuple):
    """A field's row of the fields table, less its value: the same on every page of the table."""
    name: str
    head: str  # up to the value's cell
    tail: str  # from the end of the value's cell: the field's meaning
    points_to: str | None  # the table whose page a value links to (the field's foreign key), if any


class _TableLayout(NamedTuple):
    """What every record page of one table shares, escaped once per table rather than once per page."""
    key: str
    title: str  # the table's title, escaped
    description: str  # what a row is, escaped
    fields: tuple[_FieldRow, ...]


@lru_cache(maxsize=None)
def _layout(table: str) -> _TableLayout:
    """Made from the table's metadata, which is fixed for the life of the process."""
    res = resource(table)
    return _TableLayout(RECORD_TABLES[table], escape(res.title), escape(res.description), tuple(
        _FieldRow(f.name, f'<tr><th scope="row"><code>{escape(f.name)}</code></th><td>',
                  f'</td><td class="meaning">{escape(f.description)}</td></tr>', _points_to(table, f.name))
        for f in res.fields))


def _points_to(table: str, field: str) -> str | None:
    """The first single-field foreign key of ``field`` into a table with record pages."""
    return next((fk.resource for fk in resource(table).foreign_keys
                 if fk.fields == (field,) and fk.resource in RECORD_TABLES), None)


def _value(value, points_to: str | None, names: dict) -> str:
    if value is None:
        return _NULL
    if isinstance(value, bool):
        return "true" if value else "false"
    text = value if type(value) is str else value.isoformat() if hasattr(value, "isoformat") else str(value)
    if points_to is not None:
        label = names.get((points_to, text))
        return record_link(points_to, text, text) + (f" ({escape(label)})" if label else "")
    return escape(text)


def record_page(table: str, row: dict, *, names: dict, linked: list[tuple[str, list[tuple[str, str, str]]]],
                quotes: list[tuple[dict, dict, str, tuple[int, int]]], spellings: list[str]) -> bytes:
    """``linked``: (heading, [(table, id, label)]) groups; ``quotes``: (evidence row, its source row, the
    source's text, the quote's region span); ``spellings``: its aliases."""
    layout = _layout(table)
    key = layout.key
    rows = "".join([f.head + _value(row[f.name], f.points_to, names) + f.tail for f in layout.fields])
    parts = [f'<p class="muted">{layout.title}: <code>{escape(row[key])}</code>. {layout.description}</p>',
             f'<section aria-labelledby="fields"><h2 id="fields">Fields</h2>\n<table><thead><tr>'
             f'<th scope="col">field</th><th scope="col">value</th><th scope="col">what it means</th></tr></thead>'
             f"<tbody>{rows}</tbody></table></section>"]
    for heading, items in linked:
        if items:
            li = "".join(f"<li>{record_link(t, i, i)}{' — ' + escape(label) if label else ''}</li>"
                         for t, i, label in items)
            parts.append(f"<section><h2>{escape(heading)}</h2><ul>{li}</ul></section>")
    if spellings:
        parts.append("<section><h2>Written in the sources as</h2><ul>"
                     + "".join(f"<li>{escape(a)}</li>" for a in spellings) + "</ul></section>")
    shown = []
    for ev, source, text, region in quotes:
        before, quote, after = context(text, region, ev["char_start"], ev["char_end"])
        where = f"{source['title']}, {ev['region']}, characters {ev['char_start']}–{ev['char_end']}"
        claim = f" (attributed to {ev['attributed_to']})" if ev["attributed_to"] else ""
        shown.append(f"<blockquote><p>{escape(before)}<q>{escape(quote)}</q>{escape(after)}</p>"
                     f'<p class="muted">— <a href="{source_href(source["source_id"])}#'
                     f'{anchor(ev["evidence_id"])}">{escape(where)}</a>{escape(claim)}'
                     f"{' · context' if ev['context'] else ''}</p></blockquote>")
    parts.append(f'<section aria-labelledby="evidence"><h2 id="evidence">Evidence ({len(quotes)})</h2>'
                 + ("".join(shown) or "<p>No quote of its own.</p>") + "</section>")
    return page(f"{names.get((table, row[key])) or row[key]}", "\n".join(parts), depth=1)
