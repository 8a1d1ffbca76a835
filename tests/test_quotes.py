"""Quote location: any substring of any seed is found at its true offsets."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings, strategies as st

from builders.quotes import NormalisedText, QuoteAmbiguous, QuoteNotFound, locate, normalise
from conftest import SEEDS

TEXTS = [p.read_text(encoding="utf-8") for p in SEEDS]


@given(st.text())
def test_normalise_is_idempotent(s):
    assert normalise(normalise(s)) == normalise(s)


@given(st.text())
def test_normalise_leaves_no_double_or_edge_space(s):
    n = normalise(s)
    assert "  " not in n and n == n.strip()
    assert all(not c.isspace() or c == " " for c in n)


@settings(max_examples=300)
@given(st.data())
def test_any_substring_is_located_at_its_offsets(data):
    text = data.draw(st.sampled_from(TEXTS))
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, min(len(text), start + 400)))
    quote = text[start:end]
    # A quote is what a curator copies: it starts and ends on a visible character.
    assume(not quote[0].isspace() and not quote[-1].isspace())
    norm = NormalisedText.of(text)
    needle = normalise(quote)
    hits, pos = [], norm.text.find(needle)
    while pos != -1:
        hits.append(norm.origin[pos])
        pos = norm.text.find(needle, pos + 1)
    occurrence = hits.index(start) + 1
    found = locate(norm, quote, occurrence if len(hits) > 1 else None)
    assert found == (start, end)
    assert text[found[0]:found[1]] == quote


def test_whitespace_differences_are_forgiven():
    text = TEXTS[3]  # contains a no-break space
    s, e = locate(text, "talks last September at the Vostochny")
    assert text[s:e] == "talks last September\u00a0at the Vostochny"


def test_missing_quote_names_the_closest_passage():
    with pytest.raises(QuoteNotFound) as exc:
        locate(TEXTS[1], "Lavrov was met by Vice Foreign Minster Sin Hong Chol")
    assert "Lavrov was met by Vice Foreign Minister Sin Hong Chol" in str(exc.value)


def test_repeated_quote_needs_an_occurrence():
    with pytest.raises(QuoteAmbiguous):
        locate(TEXTS[2], "No time to read?")
    s, _ = locate(TEXTS[2], "No time to read?", occurrence=2)
    assert s > TEXTS[2].index("No time to read?")
