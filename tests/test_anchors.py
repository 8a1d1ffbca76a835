"""A quote's anchors (evidence.prefix and suffix): one rule fills them, the validator checks them, and a quote
of a changed seed is found again by them (rusprk._anchors)."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import assume, given, settings, strategies as st

from conftest import ROOT
from rusprk._anchors import ANCHOR_CHARS, anchor_fields, anchors, refind
from rusprk.validate.quotes import REFIND_MESSAGES, Seeds
from rusprk.validate.report import MAX_REPORTED_PER_CHECK, settle

#: Few letters, so that quotes and anchors repeat and the choice between occurrences is exercised; a
#: non-ASCII letter, a CJK one and an emoji, so that characters and bytes differ.
ALPHABET = "abcd é中😀\n"
TEXTS = st.text(ALPHABET, min_size=1, max_size=200)


@st.composite
def quoted(draw, min_len: int = 1):
    """(text, start, end): a text and a non-empty span of it."""
    text = draw(TEXTS.filter(lambda t: len(t) >= min_len))
    start = draw(st.integers(0, len(text) - min_len))
    end = draw(st.integers(start + min_len, min(len(text), start + 40)))
    return text, start, end


@given(quoted())
def test_anchors_are_the_text_either_side_and_null_at_the_edges(case):
    text, start, end = case
    prefix, suffix = anchors(text, start, end)
    assert (prefix or "") + text[start:end] + (suffix or "") in text
    assert text[:start].endswith(prefix or "") and text[end:].startswith(suffix or "")
    assert len(prefix or "") == min(ANCHOR_CHARS, start) and len(suffix or "") == min(ANCHOR_CHARS, len(text) - end)
    assert (prefix is None) == (start == 0) and (suffix is None) == (end == len(text))
    assert prefix != "" and suffix != ""  # CSV cannot tell "" from null: there is one way to say "nothing"
    assert anchor_fields(text, start, end) == {"prefix": prefix, "suffix": suffix}


def _count(text: str, part: str) -> int:
    """Occurrences of ``part`` in ``text``, overlapping ones included (str.count skips them)."""
    return sum(text.startswith(part, i) for i in range(len(text)))


def _edit(draw, text: str, lo: int, hi: int) -> tuple[str, int]:
    """``text`` with up to three insertions or deletions at positions in [lo, hi] (none crossing ``hi``), and how
    far a position at ``hi`` moved."""
    shift = 0
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(lo, hi + shift))
        if draw(st.booleans()):
            piece = draw(st.text(ALPHABET, min_size=1, max_size=20))
            text, shift = text[:at] + piece + text[at:], shift + len(piece)
        else:
            n = draw(st.integers(1, 10))
            n = min(n, hi + shift - at)
            text, shift = text[:at] + text[at + n:], shift - n
    return text, shift


@settings(max_examples=300)
@given(quoted(min_len=3), st.data())
def test_a_quote_moved_by_edits_outside_it_is_found_exactly_at_its_new_offsets(case, data):
    text, start, end = case
    quote, (prefix, suffix) = text[start:end], anchors(text, start, end)
    # edits before the quote shift it; edits after it do not
    before, shift = _edit(data.draw, text[:start], 0, start)
    after, _ = _edit(data.draw, text[end:], 0, len(text) - end)
    new = before + quote + after
    assume(_count(new, quote) == 1)  # else which occurrence is the quote is a guess (the anchors decide)
    got = refind(new, quote, start, end, prefix, suffix)
    assert (got.start, got.end) == (start + shift, end + shift)
    assert got.status == ("unmoved" if shift == 0 else "moved") and got.reads == quote


@settings(max_examples=300)
@given(quoted(min_len=3), st.data())
def test_of_repeated_quotes_the_one_whose_anchors_match_is_chosen(case, data):
    text, start, end = case
    quote, (prefix, suffix) = text[start:end], anchors(text, start, end)
    pad = data.draw(st.text(ALPHABET, max_size=50))
    new = pad + text
    # the quote with its anchors is the only one so anchored: edits outside the anchors keep it the best
    assume(_count(new, (prefix or "") + quote + (suffix or "")) == 1 and prefix is not None and suffix is not None)
    got = refind(new, quote, start, end, prefix, suffix)
    assert (got.start, got.end, got.anchored) == (start + len(pad), end + len(pad), True)


@settings(max_examples=300)
@given(quoted(min_len=3), st.data())
def test_an_edit_inside_the_quote_is_found_between_its_anchors_and_reported_inexact(case, data):
    text, start, end = case
    quote, (prefix, suffix) = text[start:end], anchors(text, start, end)
    at = data.draw(st.integers(1, len(quote) - 1))
    piece = data.draw(st.text(ALPHABET, min_size=1, max_size=3))
    changed = quote[:at] + piece + quote[at:]
    new = text[:start] + changed + text[end:]
    assume(quote not in new)
    got = refind(new, quote, start, end, prefix, suffix)
    assert got.status == "inexact"
    if (prefix is None or _count(new, prefix) == 1) and (suffix is None or _count(new, suffix) == 1):
        assert (got.start, got.end, got.reads) == (start, start + len(changed), changed)


def test_a_quote_gone_with_its_anchors_is_missing():
    text = "The delegations met in Pyongyang on Thursday and talked for two hours about the railway."
    start = text.index("talked")
    prefix, suffix = anchors(text, start, start + 6)
    assert refind("Something else entirely.", "talked", start, start + 6, prefix, suffix).status == "missing"
    # the quote between its anchors deleted: nothing stands between them now, which is not a quote
    new = text[:start] + text[start + 6:]
    assert refind(new, "talked", start, start + 6, prefix, suffix).status == "missing"


# -- the validator: fill and check agree ----------------------------------------------------------

def _seeds(directory: Path, text: str, stated: str | None = None):
    """A one-seed Seeds: the seed file holds ``text``; the sources table states ``stated``'s sha256."""
    (directory / "001_0000000000000000.txt").write_bytes(text.encode("utf-8"))
    sha = hashlib.sha256((text if stated is None else stated).encode("utf-8")).hexdigest()
    sources = pa.table({"source_id": ["src-a"], "seed_file": ["001_0000000000000000.txt"], "sha256": [sha]})
    return Seeds(sources, directory)


def _row(text: str, start: int, end: int, **change) -> dict:
    """An evidence row for [start, end) of ``text``, as the build makes it."""
    byte_start = len(text[:start].encode("utf-8"))
    row = {"evidence_id": f"src-a@src-a:{start}-{end}", "source_id": "src-a", "quote": text[start:end],
           "char_start": start, "char_end": end, "byte_start": byte_start,
           "byte_end": byte_start + len(text[start:end].encode("utf-8")), **anchor_fields(text, start, end)}
    return {**row, **change}


def _problems(seeds: Seeds, rows: list[dict]):
    schema = pa.schema([("evidence_id", pa.string()), ("source_id", pa.string()), ("quote", pa.string()),
                        ("char_start", pa.int64()), ("char_end", pa.int64()), ("byte_start", pa.int64()),
                        ("byte_end", pa.int64()), ("prefix", pa.string()), ("suffix", pa.string())])
    return settle(seeds.problems + list(seeds.check(pa.Table.from_pylist(rows, schema))))


@settings(max_examples=200, deadline=None)
@given(quoted(), st.data())
def test_a_row_built_is_valid_and_a_changed_anchor_is_not(case, data):
    text, start, end = case
    row = _row(text, start, end)
    field = data.draw(st.sampled_from(["prefix", "suffix"]))
    wrong = data.draw(st.none() | st.text(ALPHABET, min_size=1, max_size=ANCHOR_CHARS + 1))
    assume(wrong != row[field])
    with tempfile.TemporaryDirectory() as d:
        seeds = _seeds(Path(d), text)
        assert _problems(seeds, [row]) == []
        got = _problems(seeds, [{**row, field: wrong}])
    assert [(p.table, p.row, p.field) for p in got] == [("evidence", row["evidence_id"], field)]
    assert got[0].message.startswith(f"{field} is not the seed's text")


def test_the_quotes_of_a_changed_seed_are_found_again_and_reported():
    old = "Lavrov arrived in Pyongyang. He was met by Vice Foreign Minster Sin Hong Chol. They talked.\n"
    new = "Updated.\n" + old.replace("Minster", "Minister")
    spans = [(old.index(q), old.index(q) + len(q)) for q in ("Lavrov arrived", "Minster Sin", "They talked")]
    rows = [_row(old, *span) for span in spans]
    with tempfile.TemporaryDirectory() as d:
        unchanged = _problems(_seeds(Path(d), old), rows)
        got = _problems(_seeds(Path(d), new, stated=old), rows)
    assert unchanged == []
    by_field = {(p.row, p.field): p.message for p in got}
    assert by_field[("src-a", "sha256")] == "seed 001_0000000000000000.txt does not match its sha256"
    s = new.index("Lavrov arrived")
    # (it started the seed, so had no prefix: a line put before it does not unsettle it)
    assert by_field[(rows[0]["evidence_id"], "char_start")] == (
        f"{REFIND_MESSAGES['moved'][1]}: it now stands at characters {s}..{s + 14}, bytes {s}..{s + 14} "
        "(was 0..14, bytes 0..14)")
    s = new.index("Minister Sin")
    assert by_field[(rows[1]["evidence_id"], "quote")] == (
        f"{REFIND_MESSAGES['inexact'][1]}: between its prefix and suffix, at characters {s}..{s + 12}, "
        f"bytes {s}..{s + 12} (was {spans[1][0]}..{spans[1][1]}, bytes {spans[1][0]}..{spans[1][1]}), "
        "the seed now reads 'Minister Sin' where the quote reads 'Minster Sin'")
    s = new.index("They talked")
    # (the typo fixed lies in its prefix, which it says)
    assert by_field[(rows[2]["evidence_id"], "char_start")] == (
        f"{REFIND_MESSAGES['moved'][1]}: it now stands at characters {s}..{s + 11}, bytes {s}..{s + 11} "
        f"(was {spans[2][0]}..{spans[2][1]}, bytes {spans[2][0]}..{spans[2][1]}); the text around it no longer "
        "matches its prefix and suffix")
    assert len(got) == 4


def test_a_changed_seed_reports_a_bounded_number_of_rows():
    old = "".join(f"Sentence {i:03d} of the article.\n" for i in range(40))
    new = "A new first line.\n" + old
    rows = [_row(old, old.index(f"Sentence {i:03d}"), old.index(f"Sentence {i:03d}") + 12) for i in range(40)]
    with tempfile.TemporaryDirectory() as d:
        got = _problems(_seeds(Path(d), new, stated=old), rows)
    moved = [p for p in got if p.field == "char_start"]
    assert len(moved) == MAX_REPORTED_PER_CHECK + 1
    assert moved[0].row is None and moved[0].message == f"{REFIND_MESSAGES['moved'][1]} (and 35 more rows)"


def test_an_unreadable_changed_seed_is_reported_once():
    rows = [_row("Kim met Putin.", 0, 3)]
    with tempfile.TemporaryDirectory() as d:
        (Path(d) / "001_0000000000000000.txt").write_bytes(b"\xff\xfe not UTF-8")
        sources = pa.table({"source_id": ["src-a"], "seed_file": ["001_0000000000000000.txt"],
                            "sha256": [hashlib.sha256(b"Kim met Putin.").hexdigest()]})
        got = _problems(Seeds(sources, Path(d)), rows)
    assert [(p.table, p.field) for p in got] == [("sources", "sha256")]


def test_the_published_anchors_are_the_rule_applied_to_the_seeds():
    sources = {s["source_id"]: s for s in pq.read_table(ROOT / "dist" / "sources.parquet").to_pylist()}
    rows = pq.read_table(ROOT / "dist" / "evidence.parquet").to_pylist()
    assert rows and any(r["prefix"] is None for r in rows) and any(r["suffix"] is None for r in rows)
    for r in rows:
        text = (ROOT / "seeds" / sources[r["source_id"]]["seed_file"]).read_text(encoding="utf-8")
        assert (r["prefix"], r["suffix"]) == anchors(text, r["char_start"], r["char_end"]), r["evidence_id"]
