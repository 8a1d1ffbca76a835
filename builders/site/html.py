"""The page shell every site page shares: escaping, names, links, the style sheet."""

from __future__ import annotations

import re
from html import escape
from urllib.parse import quote

#: The tables with a page per record, and the key that names it.
RECORD_TABLES = {"events": "event_id", "people": "person_id", "places": "place_id", "bodies": "body_id",
                 "gifts": "gift_id", "countries": "country_iso3"}


_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_ASCII_ESCAPES = {chr(c): f"%{c:02X}" for c in range(128) if chr(c) not in _UNRESERVED}
_RESERVED = re.compile("[^" + re.escape("".join(sorted(_UNRESERVED))) + "]")


def _escaped(match: re.Match) -> str:
    return _ASCII_ESCAPES[match[0]]


def percent_encoded(text: str) -> str:
    """``urllib.parse.quote(text, safe="-._~")``.  Most ids need no escaping, and a check says so faster than
    anything rewrites them; an ASCII id with a few reserved characters (an evidence id's ``:``, ``@``,
    spaces) is rewritten at those characters only, several times faster than ``quote`` or a ``str.translate``
    that visits every character."""
    if not _RESERVED.search(text):
        return text
    return _RESERVED.sub(_escaped, text) if text.isascii() else quote(text, safe="-._~")


def page_name(record_id: str) -> str:
    """A record's file name without ``.html``: its id percent-encoded, so any id is one safe path segment."""
    return percent_encoded(record_id)


def anchor(evidence_id: str) -> str:
    """The HTML id of an evidence row's first highlight in its source page."""
    return "ev-" + percent_encoded(evidence_id)


# The hrefs and anchors below are made of percent-encoded ids, table names, "/", "." and "#": no character that
# HTML escapes (tests/test_site.py checks it), so pages put them into attributes as they are, not escaped again.
def record_href(table: str, record_id: str, depth: int = 1) -> str:
    """The link to a record's page from a page ``depth`` folders below the site's root."""
    return "../" * depth + f"{table}/{page_name(record_id)}.html"


def source_href(source_id: str, depth: int = 1) -> str:
    return "../" * depth + f"sources/{page_name(source_id)}.html"


def link(href: str, text: str) -> str:
    return f'<a href="{escape(href)}">{escape(text)}</a>'


def record_link(table: str, record_id: str, text: str, depth: int = 1) -> str:
    """``link(record_href(table, record_id, depth), text)``, without escaping an href that needs none."""
    return f'<a href="{record_href(table, record_id, depth)}">{escape(text)}</a>'


def page(title: str, body: str, depth: int, *, head: str = "") -> bytes:
    """A whole page: ``lang``, landmarks, one ``h1``, the shared style sheet, a way home."""
    up = "../" * depth
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{escape(title)} · RUSPRK</title>\n"
            f'<link rel="stylesheet" href="{up}style.css">\n{head}</head>\n<body>\n'
            f'<a class="skip" href="#main">Skip to content</a>\n'
            f'<header><nav aria-label="Site"><a href="{up}index.html">RUSPRK evidence browser</a></nav></header>\n'
            f'<main id="main">\n<h1>{escape(title)}</h1>\n{body}\n</main>\n'
            f"<footer><p>RUSPRK: every record rests on verbatim quotes of its sources. Data CC BY 4.0.</p></footer>\n"
            f"</body>\n</html>\n").encode("utf-8")


# Colours meet WCAG AA for text (4.5:1; tests/test_site.py computes every pair of TEXT_COLOURS): the
# highlights are underlined and outlined as well as coloured, so they do not rest on colour alone.
TEXT_COLOURS = [("#1a1a1a", "#ffffff"), ("#0b4f9c", "#ffffff"), ("#595959", "#ffffff"), ("#1a1a1a", "#fff0a8"),
                ("#0b4f9c", "#fff0a8"), ("#1a1a1a", "#ffd966")]
#: The outline of the highlight a link has opened (``:target``): a colour nothing else on a page uses, so the
#: browser test can see that following a quote link brings its highlight into the window.
TARGET_OUTLINE = "#c2185b"

STYLE = """\
:root { color-scheme: light; }
body { font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1a1a1a;
       background: #ffffff; margin: 0 auto; max-width: 62rem; padding: 0 1rem 3rem; }
a { color: #0b4f9c; }
a:focus-visible, mark:focus-visible { outline: 3px solid #1a1a1a; outline-offset: 2px; }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 1rem; top: 1rem; background: #ffffff; padding: .25rem .5rem; }
header, footer { border-bottom: 1px solid #595959; padding: .5rem 0; }
footer { border-top: 1px solid #595959; border-bottom: 0; color: #595959; margin-top: 3rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; border-bottom: 1px solid #d0d0d0; padding: .3rem .5rem; }
th[scope=row] { white-space: nowrap; }
.meaning, .muted { color: #595959; font-size: .9em; }
.article { white-space: pre-wrap; font-family: Georgia, "Times New Roman", serif; }
.region { display: block; border-left: 4px solid #d0d0d0; padding-left: .6rem; margin: .2rem 0; }
.region-label { display: block; font: .75rem/1.4 system-ui, sans-serif; color: #595959;
                text-transform: uppercase; letter-spacing: .05em; }
.region-furniture { color: #595959; border-left-style: dashed; }
.region-title { font-size: 1.3em; font-weight: bold; }
mark.ev { background: #fff0a8; color: #1a1a1a; text-decoration: underline; text-decoration-thickness: 2px;
          text-underline-offset: 3px; box-shadow: inset 0 0 0 1px #8a6d00; }
mark.ev mark.ev { background: #ffd966; }
mark.ev a { color: inherit; text-decoration: none; }
:target { outline: 3px solid TARGET_OUTLINE; outline-offset: 2px; }
blockquote { margin: .4rem 0 .8rem; padding-left: .8rem; border-left: 4px solid #d0d0d0; }
blockquote q { background: #fff0a8; text-decoration: underline; quotes: none; }
""".replace("TARGET_OUTLINE", TARGET_OUTLINE)
