"""Cut a region's text where quotes start and end, so that every quote is a run of whole pieces.

Quotes may overlap or nest.  Each piece of text between two consecutive boundaries is covered by some
set of quotes; a page wraps it in one element per covering quote, outermost first, so that for every
quote the texts of its elements, in order, join to exactly the quote.
"""

from __future__ import annotations

from typing import NamedTuple


class Piece(NamedTuple):
    start: int
    end: int
    quotes: tuple[str, ...]  # the covering quotes' ids, outermost first ((start, -end, id) order)


def pieces(start: int, end: int, quotes: list[tuple[int, int, str]]) -> list[Piece]:
    """The pieces of ``[start, end)``: ``quotes`` are (start, end, id), each inside ``[start, end)``."""
    order = sorted(quotes, key=lambda q: (q[0], -q[1], q[2]))
    cuts = sorted({start, end, *(q[0] for q in order), *(q[1] for q in order)})
    out = []
    for a, b in zip(cuts, cuts[1:]):
        out.append(Piece(a, b, tuple(q[2] for q in order if q[0] <= a and b <= q[1])))
    return out
