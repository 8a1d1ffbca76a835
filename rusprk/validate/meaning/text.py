"""Reading quotes and rationales: names, dates, quoted words.  Plain Python, no dependencies.

The meaning rules need to know which recorded names a quote contains, which
days a text states, and which words a rationale quotes.  Each reading lives
here once, so the build and ``rusprk validate`` read a text the same way.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict

_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december")
_MONTH = r"(?P<{g}>" + "|".join(f"{m[:3]}(?:{m[3:]})?" if len(m) > 3 else m for m in _MONTHS) + r")\.?"
_DAY = r"(?P<{g}>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s+(?P<{g}>\d{{4}}))?"
_DATE_PATTERNS = (
    # 31 May 2018, 31 may, 19 Jun 2024
    re.compile(r"(?<!\d)" + _DAY.format(g="d") + r"\s+(?:of\s+)?" + _MONTH.format(g="m") + _YEAR.format(g="y")
               + r"(?![a-z])", re.IGNORECASE),
    # May 31, 2018; September 12; June 4, 2018
    re.compile(r"(?<![a-z])" + _MONTH.format(g="m") + r"\s+" + _DAY.format(g="d") + r"(?!\d)" + _YEAR.format(g="y"),
               re.IGNORECASE),
    # 2018-05-31
    re.compile(r"(?<!\d)(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?!\d)"),
    # 31.05.2018
    re.compile(r"(?<!\d)(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})(?!\d)"),
)
_WORD = re.compile(r"\w")
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def has_content(text: str) -> bool:
    """A letter or a digit: a separator line or punctuation alone supports nothing."""
    return any(ch.isalnum() for ch in text)


def _month(token: str) -> int:
    if token.isdigit():
        return int(token)
    return next(i for i, m in enumerate(_MONTHS, start=1) if m.startswith(token.lower().rstrip(".")[:3]))


def date_matches(text: str) -> list[tuple[str, int | None, int, int]]:
    """(as written, year or None, month, day) of every calendar date the text writes out, in text order."""
    found = []
    for pattern in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            try:
                month, day = _month(m.group("m")), int(m.group("d"))
                year = int(m.group("y")) if m.group("y") else None
                dt.date(year or 2000, month, day)  # a real day (2000 is a leap year)
            except (ValueError, StopIteration):
                continue
            found.append((m.start(), m.group(), year, month, day))
    return [f[1:] for f in sorted(found)]


def dates_in(text: str) -> set[tuple[int | None, int, int]]:
    """(year or None, month, day) of every calendar date the text writes out."""
    return {(year, month, day) for _, year, month, day in date_matches(text)}


def states_day(texts, day: dt.date) -> bool:
    """Whether one of the texts writes out ``day`` (with its year, or with no year at all)."""
    return any((y in (None, day.year)) and (m, d) == (day.month, day.day) for t in texts for y, m, d in dates_in(t))


# The words a bare date may hold: what the date patterns consume (month names and their three-letter forms,
# "of", ordinal suffixes) and what may stand beside a date.
_DATE_WORDS = frozenset((*_MONTHS, *(m[:3] for m in _MONTHS), *_WEEKDAYS, "on", "of", "the", "st", "nd", "rd", "th"))


_LETTERS = re.compile(r"[^\W\d_]+")


def _no_date_word(m: re.Match, text: str) -> bool:
    """Whether the word ``m`` is one no date holds, however the patterns take it: whole, or less an ordinal
    suffix they take with the digits before it."""
    word = m.group().casefold()  # as the patterns' IGNORECASE matches: 'ſt' is 'st'
    if word in _DATE_WORDS:
        return False
    glued = m.start() > 0 and text[m.start() - 1].isdigit() and word[:2] in ("st", "nd", "rd", "th")
    return not (glued and (word[2:] in _DATE_WORDS or not word[2:]))


def is_bare_date(text: str) -> bool:
    """Only a date (and punctuation or weekday names): a bare date supports nothing but a dateline."""
    # A word no date can hold (nearly every quote has one) settles it without running the patterns: they only
    # remove whole month names, "of" and ordinal suffixes (which may run into the next word: "5thof").
    if any(_no_date_word(m, text) for m in _LETTERS.finditer(text)):
        return False
    rest = text
    for pattern in _DATE_PATTERNS:
        rest = pattern.sub(" ", rest)
    words = [w.lower() for w in re.findall(r"[^\W\d_]+", rest)]
    return not [w for w in words if w not in _WEEKDAYS and w not in ("on", "of", "the")]


_QUOTED = re.compile(r"“([^”]+)”|\"([^\"]+)\"|(?<![\w’'])'([^']+)'(?![\w])|‘([^’]+)’")


def quoted_words(text: str | None) -> list[str]:
    """The phrases a rationale quotes ('you', "the North Korean leader", “...”)."""
    if not text:
        return []
    return [next(g for g in m.groups() if g) for m in _QUOTED.finditer(text)]


_ARTICLES = {"the", "a", "an"}
_PRONOUNS = {"i", "you", "he", "she", "it", "we", "they", "him", "her", "us", "them", "his", "its", "their", "our"}


def looks_like_name(words: str) -> bool:
    """A proper name rather than a description: an acronym or a run of capitalised words.

    'DPRK', 'the DPRK', 'Kim Jong-UN', 'Russian Federation' are names (they belong in the aliases);
    'you', 'the North Korean leader', 'the President of the United States' are descriptions.
    """
    tokens = re.findall(r"[^\W_][\w’'.-]*", words)
    while tokens and tokens[0].lower() in _ARTICLES:
        tokens = tokens[1:]
    if tokens and all(t.lower() in _PRONOUNS for t in tokens):  # 'He' at the start of a sentence
        return False
    return bool(tokens) and all(t[0].isupper() for t in tokens)


class Gazetteer:
    """Which recorded entities a text names, by their aliases (exact spelling, whole words).

    Where spellings overlap, the longest wins: "Kim" (Kim Jong Un) inside "Kim Yong Chol" names
    Kim Yong Chol only.  One spelling may name several entities ("Russia": the country and the
    state acting as a whole); then a match names all of them.
    """

    def __init__(self, names: dict[str, set[str]]) -> None:
        self.names = {n: set(ids) for n, ids in names.items() if n}
        alternation = "|".join(re.escape(n) for n in sorted(self.names, key=len, reverse=True))
        # Where some spelling starts (zero-width, so overlapping ones are all found, in one pass in C).
        self._pattern = re.compile(rf"(?<!\w)(?=(?:{alternation})(?!\w))") if alternation else None
        self._by_first: dict[str, list[str]] = defaultdict(list)
        for n in self.names:
            self._by_first[n[0]].append(n)
        self._seen: dict[str, list[tuple[int, int, str]]] = {}  # the same quote is read many times

    @classmethod
    def of_aliases(cls, aliases: list[dict]) -> "Gazetteer":
        names: dict[str, set[str]] = defaultdict(set)
        for a in aliases:
            entity = a.get("person_id") or a.get("place_id") or a.get("body_id") or a.get("country_iso3")
            if entity:
                names[a["alias"]].add(entity)
        return cls(names)

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, spelling) of every name in the text, longest first where they overlap."""
        if self._pattern is None:
            return []
        if text in self._seen:
            return list(self._seen[text])
        candidates = []
        for m in self._pattern.finditer(text):  # every occurrence of every spelling, overlapping ones included
            i = m.start()
            for name in self._by_first[text[i]]:
                j = i + len(name)
                if text.startswith(name, i) and not (j < len(text) and _WORD.match(text, j)):
                    candidates.append((i, j, name))
        candidates.sort(key=lambda c: (c[0] - c[1], c[0]))
        taken: list[tuple[int, int, str]] = []
        for s, e, name in candidates:
            if all(e <= ts or s >= te for ts, te, _ in taken):
                taken.append((s, e, name))
        self._seen[text] = sorted(taken)
        return list(self._seen[text])

    def named(self, text: str) -> set[str]:
        """The ids of every entity the text names."""
        return {entity for _, _, name in self.spans(text) for entity in self.names[name]}

    def names_entity(self, text: str, entity: str) -> bool:
        """Whether the text names ``entity`` (``entity in named(text)``, without building the set: one spelling
        may name many entities)."""
        return any(entity in self.names[name] for _, _, name in self.spans(text))

    def aliases_of(self, entity: str) -> list[str]:
        return sorted(n for n, ids in self.names.items() if entity in ids)


def words_of(item: str) -> set[str]:
    """The content words of a gift's item ('a bulletproof vest' -> {'bulletproof', 'vest'})."""
    stop = {"a", "an", "the", "of", "to", "from", "with", "set", "collection", "for", "and", "present"}
    return {w.lower() for w in re.findall(r"[^\W\d_]+", item) if len(w) > 2 and w.lower() not in stop}


def contains(text: str, words: str) -> bool:
    """Whether ``words`` occur in ``text`` as whole words ('you' is not in 'your')."""
    return re.search(rf"(?<!\w){re.escape(words)}(?!\w)", text) is not None
