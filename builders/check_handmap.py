"""One hand-map on its own: ``python -m builders.check_handmap builders/handmaps/X.yaml``.

Validates one hand-map and locates each of its quotes in its seed, printing
every problem (not only the first) with file and line.  ``rusprk check``
runs this first and then everything else the build checks (references
across hand-maps, coverage, the form and meaning rules).
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from builders.errors import BuildError, Pos
from builders.handmap import handmap_problems, open_todos
from builders.quotes import NormalisedText, QuoteAmbiguous, QuoteNotFound, locate

ROOT = Path(__file__).resolve().parent.parent


def quotes_of(hm) -> list[tuple[Pos, str, int | None]]:
    """(where, quote, occurrence) for every quote in a hand-map; where is the quote's own line and column."""
    out = []
    if hm.source.publisher_quote:
        out.append((hm.source.at("publisher_quote"), hm.source.publisher_quote, None))
    for m in hm.mentions:
        out.append((m.at("quote"), m.quote, m.occurrence))
    for e in [*hm.events, *hm.gifts]:
        for q in e.quotes:
            out.append((q.at("quote"), q.quote, q.occurrence))
    for e in hm.events:
        for p in e.participants:
            if p.quote:
                out.append((p.at("quote"), p.quote, p.occurrence))
    for c in hm.cite:
        out.append((c.at("quote"), c.quote, c.occurrence))
    for n in hm.no_facts:
        out.append((n.at("quote"), n.quote, None))
    return out


def check(path: Path, root: Path = ROOT) -> list[BuildError]:
    """Every problem of one hand-map on its own: its form and each quote's place in its seed."""
    problems = []
    try:
        hm, found = handmap_problems(path, Path(root) / ".cache" / "handmaps")
    except BuildError as exc:
        return [exc]
    if hm is None:
        return found
    seed = Path(root) / "seeds" / hm.seed
    try:
        data = seed.read_bytes()
    except OSError as exc:
        return [BuildError(path, f"its seed {seed}: {exc.strerror}", line=hm.at("seed"), field="seed")]
    if hashlib.sha256(data).hexdigest() != hm.seed_sha256:
        problems.append(BuildError(path, f"seed_sha256 does not match {seed}", line=hm.at("seed_sha256"),
                                   field="seed_sha256"))
    todo = open_todos(path, hm)
    if todo:
        problems.append(todo)
    text = NormalisedText.of(data.decode("utf-8"))
    for where, quote, occurrence in quotes_of(hm):
        try:
            locate(text, quote, occurrence)
        except (QuoteNotFound, QuoteAmbiguous) as exc:
            problems.append(BuildError(path, str(exc), line=where, field="quote"))
    return problems


def main(argv: list[str]) -> int:
    """As ``rusprk check``: these hand-maps' own problems, their references across all hand-maps, then the rest."""
    from builders.check import check as check_all

    return check_all(ROOT, [Path(a) for a in argv] or None)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
