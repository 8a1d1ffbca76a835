"""A quote's anchors: the seed text just before and just after it, and how a quote is found again by them.

One rule, used everywhere: the build fills ``evidence.prefix`` and ``evidence.suffix`` with
``anchors``, ``rusprk validate`` checks them against the seeds, and ``dist/annotations.jsonld`` gives
them as the ``prefix`` and ``suffix`` of each W3C ``TextQuoteSelector``.  When a seed's text changes
(re-normalised, re-published with a typo fixed), ``refind`` looks for each quote in the new text: at
its old offsets, elsewhere (the occurrence whose anchors match best), or, when the quote itself
changed, between its prefix and suffix.

Standard library only: ``import rusprk`` stays light.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Characters of context kept on each side of a quote, as the Hypothesis client stores them.
ANCHOR_CHARS = 32


def anchors(text: str, start: int, end: int, chars: int = ANCHOR_CHARS) -> tuple[str | None, str | None]:
    """(prefix, suffix) of the quote at ``[start, end)`` of ``text``: the up-to-``chars`` characters
    before ``start`` and after ``end``; None where there are none (the quote starts or ends the text).
    None, not "": CSV cannot tell an empty cell from a null one."""
    return text[max(0, start - chars):start] or None, text[end:end + chars] or None


def anchor_fields(text: str, start: int, end: int) -> dict[str, str | None]:
    """``anchors`` as the evidence table's fields ``prefix`` and ``suffix``."""
    prefix, suffix = anchors(text, start, end)
    return {"prefix": prefix, "suffix": suffix}


def _common_tail(a: str, b: str) -> int:
    n = 0
    for x, y in zip(reversed(a), reversed(b)):
        if x != y:
            break
        n += 1
    return n


def _common_head(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


@dataclass(frozen=True)
class Refound:
    """Where a quote stands in a changed text.

    ``status``: ``"unmoved"`` (the quote still at its old offsets), ``"moved"`` (the quote found
    exactly elsewhere), ``"inexact"`` (the quote is gone, but its prefix and suffix are
    there: ``reads`` is the text between them now), ``"missing"`` (neither).  ``start``/``end`` are
    the new character offsets (None when missing); ``anchored`` says whether prefix and suffix both
    match there.
    """

    status: str
    start: int | None = None
    end: int | None = None
    reads: str | None = None
    anchored: bool = False


def refind(text: str, quote: str, start: int, end: int, prefix: str | None, suffix: str | None,
           chars: int = ANCHOR_CHARS) -> Refound:
    """Find the quote that stood at ``[start, end)`` of the old text, with ``prefix`` and ``suffix``
    (as ``anchors`` gave them), in ``text``.

    Every exact occurrence of the quote is scored by how much of its stored prefix and suffix the
    text around it still has; the best wins, the nearest to the old offset breaking ties.  Without
    an exact occurrence, the quote is looked for between an occurrence of its prefix and an
    occurrence of its suffix after it (the start or end of the text for a null one), not empty and
    no longer than twice the quote plus ``chars``; of several, the one whose length is nearest the
    quote's, then the nearest to the old offset.
    """
    prefix, suffix = prefix or "", suffix or ""
    if quote:
        best = None
        at = text.find(quote)
        while at != -1:
            stop = at + len(quote)
            before, after = text[max(0, at - chars):at], text[stop:stop + chars]
            # An anchor cut short by the old text's start or end matches a longer one it ends or begins.
            full = ((before == prefix or len(prefix) < chars and before.endswith(prefix))
                    + (after == suffix or len(suffix) < chars and after.startswith(suffix)))
            score = (full, _common_tail(before, prefix) + _common_head(after, suffix), -abs(at - start), -at)
            if best is None or score > best[0]:
                best = (score, at, stop)
            at = text.find(quote, at + 1)
        if best is not None:
            (full, *_), at, stop = best
            return Refound("unmoved" if (at, stop) == (start, end) else "moved", at, stop, quote, full == 2)
    # The quote is not in the text: what stands between its prefix and suffix now?
    limit = 2 * len(quote) + chars
    heads = [0] if not prefix else []
    at = text.find(prefix) if prefix else -1
    while at != -1:
        heads.append(at + len(prefix))
        at = text.find(prefix, at + 1)
    best = None
    for head in heads:
        tails = [len(text)] if not suffix else []
        at = text.find(suffix, head + 1) if suffix else -1
        while at != -1 and at - head <= limit:
            tails.append(at)
            at = text.find(suffix, at + 1)
        for tail in tails:
            if 0 < tail - head <= limit:
                score = (abs(tail - head - len(quote)), abs(head - start), head)
                if best is None or score < best[0]:
                    best = (score, head, tail)
    if best is None:
        return Refound("missing")
    _, head, tail = best
    return Refound("inexact", head, tail, text[head:tail], True)
