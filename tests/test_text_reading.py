"""The quick test in ``is_bare_date`` gives the answer of its patterns alone, on any text."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from rusprk.validate.meaning import text


def bare_date_by_patterns(quote: str) -> bool:
    """What ``is_bare_date`` computed before its quick test: remove every date, then look at the words left."""
    rest = quote
    for pattern in text._DATE_PATTERNS:
        rest = pattern.sub(" ", rest)
    words = [w.lower() for w in re.findall(r"[^\W\d_]+", rest)]
    return not [w for w in words if w not in text._WEEKDAYS and w not in ("on", "of", "the")]


TOKENS = st.sampled_from([
    "May", "may", "June", "Jun", "Jun.", "sep", "September", "Sept", "of", "on", "the", "st", "nd", "th", "5", "19",
    "31", "2024", "2024-06-19", "19.06.2024", "Monday", "Mondays", ",", ".", "-", " ", "  ", "\n", "x", "ñ", "é",
    "Mayor", "Kim", "ſ", "K", "5th", "19thx", "(", ")", "’s",
])


@settings(max_examples=3000, deadline=None)
@given(st.lists(TOKENS, max_size=8), st.lists(st.sampled_from(["", " "]), min_size=8, max_size=8))
def test_quick_test_agrees_with_the_patterns(tokens, gaps):
    quote = "".join(t + g for t, g in zip(tokens, gaps))
    assert text.is_bare_date(quote) == bare_date_by_patterns(quote), repr(quote)


@given(st.text(max_size=30))
def test_quick_test_agrees_on_any_text(quote):
    assert text.is_bare_date(quote) == bare_date_by_patterns(quote)


def test_bare_dates_and_quotes():
    assert text.is_bare_date("19 June 2024") and text.is_bare_date("Wednesday, June 19, 2024")
    assert not text.is_bare_date("On 19 June 2024 the leaders met")
