"""Every body paragraph of a seed is read: quoted by some record, or declared empty under ``no_facts``.

A paragraph nobody quoted is a paragraph nobody read, so the build refuses a
hand-map that leaves one, and names them all (line and opening words), not
only the first.  ``no_facts`` takes a quote from the paragraph and the reason
it holds nothing to record.
"""

from __future__ import annotations

from builders.errors import BuildError
from builders.quotes import QuoteAmbiguous, QuoteNotFound, locate


def uncovered(seed, evidence: list[dict]) -> list:
    """The body paragraphs of ``seed`` that no evidence row (of its source, or of any source: ``evidence`` may
    be all rows or its own) and no ``no_facts`` quote touches."""
    spans = [(e["char_start"], e["char_end"]) for e in evidence if e["source_id"] == seed.source_id]
    for n in seed.handmap.no_facts:
        try:
            spans.append(locate(seed.norm, n.quote))
        except (QuoteNotFound, QuoteAmbiguous):
            continue  # reported with its line where no_facts quotes are located
    return [p for p in seed.parsed.body if not any(s < p.end and e > p.start for s, e in spans)]


def refusal(seed, evidence: list[dict]) -> BuildError | None:
    """The build's refusal of ``seed`` when a body paragraph is left unread, naming every gap; else None."""
    gaps = uncovered(seed, evidence)
    if not gaps:
        return None
    listed = "; ".join(f"seed line {p.line}: {p.text[:50]!r}" for p in gaps)
    return BuildError(seed.handmap_path, f"{len(gaps)} body paragraph(s) of {seed.parsed.path.name} neither "
                                         f"quoted nor declared under no_facts: {listed}",
                      line=seed.handmap.at("no_facts"), field="no_facts")
