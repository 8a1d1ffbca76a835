"""The quotes behind one record, each shown in its place in the article.

The seeds travel with the tables (``rusprk.path("seeds")``), so a reader can
check a record against its source offline: ``rusprk.evidence(record_id)``
gives every evidence row of that record with the text just before and just
after the quote.  A seed whose sha256 differs from the sources table is
refused, as the loader refuses a tampered table.
"""

from __future__ import annotations

#: Characters of the article shown on each side of a quote by default.
CONTEXT_CHARS = 60


def evidence(record_id: str, context: int = CONTEXT_CHARS):
    """Every quote supporting ``record_id``, with ``before`` and ``after``: the article around it.

    A pandas DataFrame, one row per evidence row, in the evidence table's order, with the
    evidence columns plus ``seed_file``, ``before`` and ``after`` (at most ``context`` characters
    each, cut at the paragraph: a quote never lies across one).
    """
    import difflib
    import hashlib

    from rusprk._load import DataIntegrityError, load, path

    if context < 0:
        raise ValueError("context must be zero or more characters")
    ev = load("evidence")
    rows = ev[ev.record_id == record_id]
    if rows.empty:
        near = difflib.get_close_matches(record_id, sorted(set(ev.record_id)), n=3)
        hint = f"; did you mean {', '.join(near)}?" if near else ""
        raise KeyError(f"no evidence for {record_id!r}: not a record id of RUSPRK{hint}")
    sources = load("sources").set_index("source_id")
    texts: dict[str, str] = {}
    for source_id in rows.source_id.unique():
        seed = path("seeds") / sources.at[source_id, "seed_file"]
        data = seed.read_bytes()
        if hashlib.sha256(data).hexdigest() != sources.at[source_id, "sha256"]:
            raise DataIntegrityError(f"{seed}: sha256 does not match the sources table; reinstall rusprk")
        texts[source_id] = data.decode("utf-8")
    rows = rows.copy()
    rows["seed_file"] = [sources.at[s, "seed_file"] for s in rows.source_id]
    rows["before"] = [_before(texts[s], int(a), context) for s, a in zip(rows.source_id, rows.char_start)]
    rows["after"] = [_after(texts[s], int(b), context) for s, b in zip(rows.source_id, rows.char_end)]
    return rows.reset_index(drop=True)


def _before(text: str, start: int, n: int) -> str:
    piece = text[max(0, start - n):start]
    return piece[piece.rfind("\n") + 1:]


def _after(text: str, end: int, n: int) -> str:
    piece = text[end:end + n]
    cut = piece.find("\n")
    return piece if cut < 0 else piece[:cut]
