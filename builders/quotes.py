"""Finding a curator's quote in a seed.

Curators copy quotes from the seed; the build finds them and records where.
Matching is exact after one documented normalisation, applied to both quote
and seed: every run of white space (spaces, line breaks, tabs, no-break
spaces and other Unicode spaces) becomes one space, and leading and trailing
white space is dropped.  Nothing else is forgiven: not case, not curly versus
straight quotes, not a missing apostrophe.  The offsets stored are those of
the original, un-normalised seed text, so ``seed[start:end]`` is the quote as
printed.
"""

from __future__ import annotations

import difflib
import re
from array import array
from dataclasses import dataclass

_WS = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Collapse white space runs to one space and strip the ends (idempotent)."""
    return _WS.sub(" ", text).strip()


_NORMALISED: dict[str, "NormalisedText"] = {}


@dataclass(frozen=True)
class NormalisedText:
    """A text in normal form plus, for each of its characters, the original offset."""

    text: str
    origin: "array[int]"  # origin[i] = offset in the original of normalised char i
    original_length: int

    @classmethod
    def of(cls, original: str) -> "NormalisedText":
        """The text in normal form; a seed read twice in one process (``rusprk check``) is normalised once."""
        if original not in _NORMALISED:
            if len(_NORMALISED) >= 10_000:  # bounded: a long process (the tests) reads many texts
                _NORMALISED.clear()
            _NORMALISED[original] = cls._of(original)
        return _NORMALISED[original]

    @classmethod
    def _of(cls, original: str) -> "NormalisedText":
        # Offsets in a compact array, a run of text at a time (a tuple of ints per character took a
        # third of a large corpus's memory, and a loop per character most of this function's time).
        parts: list[str] = []
        origin = array("q")
        pending_space = None
        for m in re.finditer(r"\s+|\S+", original):
            if original[m.start()].isspace():
                pending_space = m.start()
                continue
            if pending_space is not None and parts:
                parts.append(" ")
                origin.append(pending_space)
            pending_space = None
            parts.append(m.group())
            origin.extend(range(m.start(), m.end()))
        return cls("".join(parts), origin, len(original))

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalised span [start, end) to the original text."""
        return self.origin[start], self.origin[end - 1] + 1


class QuoteNotFound(LookupError):
    def __init__(self, quote: str, near: str | None, near_score: float) -> None:
        self.quote = quote
        self.near = near
        self.near_score = near_score
        msg = f"quote not found: {quote!r}"
        if near:
            msg += f"; closest text in the seed ({near_score:.0%} alike): {near!r}"
        super().__init__(msg)


class QuoteAmbiguous(LookupError):
    def __init__(self, quote: str, offsets: list[int]) -> None:
        self.offsets = offsets
        super().__init__(
            f"quote occurs {len(offsets)} times (at characters {offsets}); "
            "lengthen it or give 'occurrence' to say which one"
        )


def locate(haystack: NormalisedText | str, quote: str, occurrence: int | None = None) -> tuple[int, int]:
    """Original-text offsets of ``quote`` in ``haystack``.

    A quote that occurs more than once must say which ``occurrence`` (1-based)
    it means; one that does not occur raises ``QuoteNotFound`` with the closest
    passage of the seed.
    """
    norm = haystack if isinstance(haystack, NormalisedText) else NormalisedText.of(haystack)
    needle = normalise(quote)
    if not needle:
        raise QuoteNotFound(quote, None, 0.0)
    hits = []
    pos = norm.text.find(needle)
    while pos != -1:
        hits.append(pos)
        pos = norm.text.find(needle, pos + 1)
    if not hits:
        near, score = closest(norm.text, needle)
        raise QuoteNotFound(quote, near, score)
    if occurrence is None:
        if len(hits) > 1:
            raise QuoteAmbiguous(quote, [norm.origin[h] for h in hits])
        chosen = hits[0]
    else:
        if not 1 <= occurrence <= len(hits):
            raise QuoteAmbiguous(quote, [norm.origin[h] for h in hits])
        chosen = hits[occurrence - 1]
    return norm.to_original(chosen, chosen + len(needle))


def closest(text: str, needle: str) -> tuple[str | None, float]:
    """The passage of ``text`` most like ``needle`` (for error messages).

    A coarse scan in steps of an eighth of the quote's length, then a fine
    scan around the best window, trying start and length one character at a
    time.
    """
    n = len(needle)
    if n == 0 or not text:
        return None, 0.0
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(needle)

    def score(start: int, length: int) -> float:
        matcher.set_seq1(text[start : start + length])
        return matcher.ratio()

    step = max(1, n // 8)
    best_start, best_len, best_score = 0, n, -1.0
    for start in range(0, max(1, len(text) - n + 1), step):
        matcher.set_seq1(text[start : start + n])
        if matcher.real_quick_ratio() <= best_score or matcher.quick_ratio() <= best_score:
            continue
        r = matcher.ratio()
        if r > best_score:
            best_start, best_score = start, r
    slack = max(2, n // 10)
    for start in range(max(0, best_start - step), min(len(text), best_start + step + 1)):
        for length in range(max(1, n - slack), n + slack + 1):
            r = score(start, length)
            if r > best_score:
                best_start, best_len, best_score = start, length, r
    return text[best_start : best_start + best_len], best_score
