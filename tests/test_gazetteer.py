"""The gazetteer's fast reading of names gives exactly what reading every spelling one by one gives."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from rusprk.validate.meaning.text import Gazetteer


def reference_spans(names: dict[str, set[str]], text: str) -> list[tuple[int, int, str]]:
    """Every occurrence of every spelling, overlapping ones included, then the longest first."""
    candidates = []
    for name in (n for n in names if n):
        for m in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", text):
            candidates.append((m.start(), m.end(), name))
    candidates.sort(key=lambda c: (c[0] - c[1], c[0]))
    taken: list[tuple[int, int, str]] = []
    for s, e, name in candidates:
        if all(e <= ts or s >= te for ts, te, _ in taken):
            taken.append((s, e, name))
    return sorted(taken)


WORDS = ["Kim", "Kim Jong Un", "Jong", "Un", "Putin", "Russia", "Russian Federation", "@MID_RF", "Pyongyang",
         "Kim Yong Chol", "North Korea", "Korea", "Moscow", "Lavrov’s", "Ri"]
spelling = st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(" ".join)
text = st.lists(st.sampled_from(WORDS + [" ", ", ", ".", "’s", "the", "said", "-", "_", "é", "\n"]),
                max_size=25).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(spelling, st.sets(st.sampled_from(["per-a", "per-b", "plc-c", "PRK"]), min_size=1),
                       max_size=8), text)
def test_spans_are_the_reference_reading(names, text):
    g = Gazetteer(names)
    assert g.spans(text) == reference_spans(names, text)
    assert g.spans(text) == reference_spans(names, text)  # and again, from its memo
