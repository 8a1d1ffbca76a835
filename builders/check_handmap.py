"""Curator's quick check: ``python -m builders.check_handmap builders/handmaps/X.yaml``.

Validates one hand-map and locates each of its quotes in its seed, printing
every problem (not only the first) with file and line.  The full build runs
the same checks plus the cross-file ones (ids defined once, references
resolve).
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from builders.errors import BuildError
from builders.handmap import load_handmap
from builders.quotes import NormalisedText, QuoteAmbiguous, QuoteNotFound, locate

ROOT = Path(__file__).resolve().parent.parent


def quotes_of(hm) -> list[tuple[int, str, int | None]]:
    """(line, quote, occurrence) for every quote in a hand-map."""
    out = []
    if hm.source.publisher_quote:
        out.append((hm.source.line, hm.source.publisher_quote, None))
    for m in hm.mentions:
        out.append((m.line, m.quote, m.occurrence))
    for e in [*hm.events, *hm.gifts]:
        for q in e.quotes:
            out.append((q.line or e.line, q.quote, q.occurrence))
    for e in hm.events:
        for p in e.participants:
            if p.quote:
                out.append((p.line, p.quote, p.occurrence))
    for c in hm.cite:
        out.append((c.line, c.quote, c.occurrence))
    for n in hm.no_facts:
        out.append((n.line, n.quote, None))
    return out


def check(path: Path) -> list[str]:
    problems = []
    try:
        hm = load_handmap(path)
    except BuildError as exc:
        return [str(exc)]
    seed = ROOT / "seeds" / hm.seed
    data = seed.read_bytes()
    if hashlib.sha256(data).hexdigest() != hm.seed_sha256:
        problems.append(f"{path}: seed_sha256 does not match {seed}")
    text = NormalisedText.of(data.decode("utf-8"))
    for line, quote, occurrence in quotes_of(hm):
        try:
            locate(text, quote, occurrence)
        except (QuoteNotFound, QuoteAmbiguous) as exc:
            problems.append(f"{path}:{line}: {exc}")
    return problems


def main(argv: list[str]) -> int:
    problems = [p for arg in argv for p in check(Path(arg))]
    for p in problems:
        print(p)
    print(f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
