"""Stage 1: read a seed article into its parts.

A seed is a news page saved as text.  The parser splits it into lines and
labels each one: title, header (byline, dateline, publisher line, URL, photo
credit), body, caption, or page furniture.  Furniture (related-article lists,
previous/next teasers, "No time to read? Get a summary", aggregator labels) is
dropped: it never reaches a table.  Every part keeps its character span in the
decoded seed so that quotes can be traced back.

The rules recognise page features, not file names, so a new seed with a known
layout parses without code changes; tests pin the result for each seed.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from builders.errors import BuildError

# A line that starts trailing page furniture: it and everything after it go.
_FURNITURE_START = re.compile(
    r"^(Original Article|Related Articles|Previous Article|Next Article|Kaynak/Source:)\s*$"
)
# Lines that are furniture wherever they occur.
_FURNITURE_LINE = re.compile(r"^(No time to read\?|Get a summary)\s*$")

_BYLINE = re.compile(r"^(?:Produced by|By)\s+(?P<names>.+)$")
_UPDATED = re.compile(r"^Updated \d{4} GMT \(\d{4} HKT\) (?P<date>[A-Z][a-z]+ \d{1,2}, \d{4})$")
_PUBLISHED_ON = re.compile(r"^Published On (?P<date>\d{1,2} [A-Z][a-z]{2} \d{4})$")
_DOTTED_DATE = re.compile(r"^(?P<date>\d{2}\.\d{2}\.\d{4})$")
_SECTION_DATE = re.compile(r"^\s*date (?P<date>\d{4}-\d{2}-\d{2})\s+(?P<section>.+)$")
_PUBLISHER_LINE = re.compile(r"^(?P<publisher>[A-Za-z][A-Za-z .&]+) \((?P<date>\d{1,2} [A-Z][a-z]+ \d{4})\)$")
_SEPARATOR = re.compile(r"^[-\u2013\u2014]$")
_PHOTO_CREDIT = re.compile(r"^Photo: (?P<credit>.+)$")
# "Valery Sharifulin/TASS via Getty Images": a credit line under a photo.
_CREDIT_LINE = re.compile(r"^[A-Z][\w.'-]+(?: [A-Z][\w.'-]+)*/[A-Z][\w ,.'-]+$")
# "caption text [Credit/Agency via Agency]": caption with its credit in brackets.
_BRACKET_CAPTION = re.compile(r"^(?P<caption>.+?)\s*\[(?P<credit>[^\[\]]+)\]$")
# Signs of machine translation: month names in lower case beside a day
# number ("31 may 2018"), and a romanised syllable in capitals ("Kim Jong-UN").
_MT_SIGNALS = (
    re.compile(r"\b\d{1,2} (?:january|february|march|april|may|june|july|august|september|october|november"
               r"|december)\b|\b(?:january|february|march|april|may|june|july|august|september|october"
               r"|november|december) \d{1,2}\b"),
    re.compile(r"\b[A-Z][a-z]+-[A-Z]{2,}\b"),
)
_URL = re.compile(r"^<?(?P<url>https?://[^\s>]+)>?$")
_URL_CONTINUATION = re.compile(r"^[a-z0-9][a-z0-9/_.-]*$")
# Header lines after the title that print the publication date (a publisher line too).
_DATED_LINE = (_UPDATED, _PUBLISHED_ON, _DOTTED_DATE, _PUBLISHER_LINE)


@dataclass(frozen=True)
class Span:
    """A piece of the seed text with its place in it."""

    start: int  # character offset in the decoded seed
    end: int  # exclusive
    text: str
    line: int  # 1-based line number, for messages


@dataclass
class ParsedSeed:
    path: Path
    text: str  # the whole seed decoded as UTF-8, verbatim
    sha256: str
    title: Span
    body: list[Span] = field(default_factory=list)
    captions: list[Span] = field(default_factory=list)
    credits: list[Span] = field(default_factory=list)
    header: list[Span] = field(default_factory=list)
    furniture: list[Span] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    byline: Span | None = None
    dateline: Span | None = None
    date_published: date | None = None
    publisher_printed: str | None = None
    url: str | None = None
    url_spans: list[Span] = field(default_factory=list)
    section: str | None = None
    language: str | None = None  # guessed from the script of the text
    mt_signals: list[str] = field(default_factory=list)
    reading: list = field(default_factory=list)  # builders.layout.LineReading for every non-blank line

    @property
    def name(self) -> str:
        return self.path.name

    def region_of(self, start: int, end: int) -> str | None:
        """Which region ('title', 'header', 'body', 'caption', 'credit') holds [start, end)."""
        for region, spans in (
            ("title", [self.title]),
            ("body", self.body),
            ("caption", self.captions),
            ("credit", self.credits),
            ("header", self.header),
        ):
            for s in spans:
                if s.start <= start and end <= s.end:
                    return region
        return None

    @property
    def body_text(self) -> str:
        return "\n\n".join(s.text for s in self.body)


def decode_seed(path: Path, data: bytes) -> str:
    """Decode a seed strictly; bad bytes are an error naming file, line and byte."""
    if data.startswith(b"\xef\xbb\xbf"):
        raise BuildError(path, "seed starts with a UTF-8 byte-order mark; seeds are stored without one",
                         line=1, field="encoding")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise BuildError(path, f"invalid UTF-8 at byte {exc.start}: {exc.reason}", line=line,
                         field="encoding") from None
    if "\r" in text:
        line = text[: text.index("\r")].count("\n") + 1
        raise BuildError(path, "carriage return found: seeds use LF line endings", line=line, field="encoding")
    from builders.limits import check_text

    check_text(path, text, "seed")
    if not text.strip():
        raise BuildError(path, "seed is empty", line=1, field="text")
    return text


def _lines(text: str) -> list[Span]:
    spans, pos = [], 0
    for number, raw in enumerate(text.split("\n"), start=1):
        spans.append(Span(pos, pos + len(raw), raw, number))
        pos += len(raw) + 1
    return spans


def _strip(span: Span) -> Span:
    """The same line without surrounding white space (offsets adjusted)."""
    lead = len(span.text) - len(span.text.lstrip())
    trail = len(span.text) - len(span.text.rstrip())
    return Span(span.start + lead, span.end - trail, span.text.strip(), span.line)


def _parse_date(text: str) -> date:
    for fmt in ("%B %d, %Y", "%d %b %Y", "%d %B %Y", "%d.%m.%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def parse_seed(path: Path, layout=(), handmap: Path | None = None) -> ParsedSeed:
    """Read a seed: the heuristics' reading of each line, then the ``layout`` entries of its hand-map (at
    ``handmap``, named in their errors) over it, then the parts assembled from that reading."""
    from builders.layout import apply, assemble
    from builders.limits import MAX_SEED_BYTES, read_regular

    data = read_regular(Path(path), MAX_SEED_BYTES, "seed")
    text = decode_seed(Path(path), data)
    reading = heuristic_reading(text)
    if layout:
        lines = {s.line: s.text for s in (_strip(x) for x in _lines(text)) if s.text}
        reading = apply(reading, layout, lines, text.count("\n") + 1, Path(handmap or path))
    return assemble(Path(path), text, hashlib.sha256(data).hexdigest(), reading)


def heuristic_reading(text: str) -> list:
    """The parser's default reading: a region for every non-blank line (``builders.layout.LineReading``)."""
    from builders.layout import LineReading

    lines = [_strip(s) for s in _lines(text)]
    content = [s for s in lines if s.text]
    region: dict[int, str] = {}
    credit_of: dict[int, str] = {}

    # Trailing furniture: from the first line that starts it to the end.
    cut = next((i for i, s in enumerate(content) if _FURNITURE_START.match(s.text)), len(content))
    for s in content[cut:]:
        region[s.line] = "furniture"
    content = content[:cut]
    for s in content:
        if _FURNITURE_LINE.match(s.text):
            region[s.line] = "furniture"
    content = [s for s in content if s.line not in region]

    title = None
    last_body = None  # line of the latest body paragraph (a credit line below turns it into a caption)
    i = 0
    while i < len(content):
        s = content[i]
        prev = content[i - 1] if i else None
        if title is None and _SECTION_DATE.match(s.text):
            region[s.line] = "dateline"
        elif title is None:
            title = s
            region[s.line] = "title"
        elif _BYLINE.match(s.text):
            region[s.line] = "byline"
        elif any(rx.match(s.text) for rx in _DATED_LINE):
            region[s.line] = "dateline"
        elif _SEPARATOR.match(s.text):
            region[s.line] = "header"
        elif _PHOTO_CREDIT.match(s.text):
            region[s.line] = "credit"
        elif m := _URL.match(s.text):
            region[s.line] = "url"
            # A URL broken over two lines: the next line continues it.
            if m["url"].endswith("-") and i + 1 < len(content) and _URL_CONTINUATION.match(content[i + 1].text):
                i += 1
                region[content[i].line] = "url"
        elif _CREDIT_LINE.match(s.text) and i > 0:
            # The paragraph just before a credit line is its photo's caption.
            region[s.line] = "credit"
            if last_body is not None and prev is not None and last_body == prev.line:
                region[prev.line] = "caption"
                last_body = None
        elif m := _BRACKET_CAPTION.match(s.text):
            region[s.line] = "caption"
            credit_of[s.line] = m["credit"]
            # An image description printed on the line right above, in the same block.
            if prev is not None and prev.line == s.line - 1 and last_body == prev.line:
                region[prev.line] = "caption"
                last_body = None
        else:
            region[s.line] = "body"
            last_body = s.line
        i += 1
    return [LineReading(n, region[n], credit=credit_of.get(n)) for n in sorted(region)]


def content_language(texts: list[str]) -> tuple[str | None, list[str]]:
    """The language the content's script reads as (only 'en' is recognised) and its machine-translation signs."""
    content_text = "\n".join(texts)
    letters = [c for c in content_text if c.isalpha()]
    latin = sum(1 for c in letters if c.isascii())
    language = "en" if letters and latin / len(letters) > 0.98 else None
    return language, sorted({m.group() for rx in _MT_SIGNALS for m in rx.finditer(content_text)})
