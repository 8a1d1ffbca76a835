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


def check(path: Path, root: Path = ROOT) -> list[str]:
    """Every problem of one hand-map on its own: its form and each quote's place in its seed."""
    problems = []
    try:
        hm = load_handmap(path)
    except BuildError as exc:
        return [str(exc)]
    seed = Path(root) / "seeds" / hm.seed
    try:
        data = seed.read_bytes()
    except OSError as exc:
        return [f"{path}: its seed {seed}: {exc.strerror}"]
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
