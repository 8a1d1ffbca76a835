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
    """The pieces of ``[start, end)``: ``quotes`` are (start, end, id), each inside ``[start, end)``.

    One sweep over the cuts: the quotes covering a piece are those begun at or before it and not yet ended,
    kept in (start, -end, id) order by adding each at its start (quotes come in start order) and dropping it
    at its end, rather than every quote tested for every piece."""
    order = sorted(quotes, key=lambda q: (q[0], -q[1], q[2]))
    cuts = sorted({start, end, *(q[0] for q in order), *(q[1] for q in order)})
    out, covering, next_quote = [], [], 0
    for a, b in zip(cuts, cuts[1:]):
        while next_quote < len(order) and order[next_quote][0] <= a:
            covering.append(order[next_quote])
            next_quote += 1
        covering = [q for q in covering if q[1] > a]
        out.append(Piece(a, b, tuple(q[2] for q in covering)))
    return out
