"""The one-pass YAML reading of hand-maps (builders.handmap_yaml) equals the line-recording loader's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from builders import handmap, handmap_yaml
from builders.limits import MAX_YAML_DEPTH

ROOT = Path(__file__).resolve().parent.parent


def fast(text: str):
    return handmap_yaml.read(text, handmap._LineLoader, handmap.LINE_KEY, handmap.POS_KEY, MAX_YAML_DEPTH)


def loader(text: str):
    return yaml.load(text, Loader=handmap._LineLoader)  # noqa: S506 - the SafeLoader subclass under test


def same(a, b) -> bool:
    # json keeps key order and tells 1 from True and "1" from 1; tuples (positions) become lists on both sides
    return json.dumps(a) == json.dumps(b)


HANDMAPS = sorted((ROOT / "builders" / "handmaps").glob("*.yaml")) + sorted((ROOT / "tests" / "articles").glob("*.yaml"))


@pytest.mark.parametrize("path", HANDMAPS, ids=lambda p: p.name)
def test_every_handmap_reads_the_same_in_one_pass(path):
    text = path.read_text(encoding="utf-8")
    got = fast(text)
    assert got is not handmap_yaml.FALLBACK
    assert same(got, loader(text))


scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**6),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=30),
    st.sampled_from(["yes", "No", "~", "null", "0x1F", "1_000", "2024-06-19", "1:30", ".inf", "-", "'", "a: b",
                     "# not a comment", "quotes", "todo", "="]),
)
keys = st.one_of(st.sampled_from(["id", "quote", "quotes", "todo", "notes", "line", "__x", "yes", "1"]),
                 st.text("abcdefgh_", min_size=1, max_size=6))
documents = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4)), max_leaves=25)


@settings(max_examples=300, deadline=None)
@given(documents, st.booleans(), st.integers(1, 4))
def test_generated_documents_read_the_same(doc, flow, indent):
    # safe_dump writes no anchor, tag or repeated key here, so the one pass must take every document
    text = yaml.safe_dump(doc, default_flow_style=flow, indent=indent + 1, allow_unicode=True, sort_keys=False)
    got = fast(text)
    assert got is not handmap_yaml.FALLBACK
    assert same(got, loader(text))


def test_plain_documents_take_the_one_pass():
    """The fallback is for what hand-maps do not use: a plain generated mapping must not fall back."""
    text = yaml.safe_dump({"events": [{"id": "evt-a", "quotes": ["one", {"quote": "two", "occurrence": 2}],
                                       "flag": True, "n": None}]}, sort_keys=False)
    got = fast(text)
    assert got is not handmap_yaml.FALLBACK
    assert same(got, loader(text))
    quote = got["events"][0]["quotes"][0]
    assert quote["quote"] == "one"
    assert quote[handmap.LINE_KEY] == text.splitlines().index("  - one") + 1  # a bare quote keeps its own line


@pytest.mark.parametrize("text", [
    "a: &x 1\nb: *x\n",                      # anchors and aliases
    "a: !!str 1\n",                          # an explicit tag
    "base: &b {x: 1}\nc:\n  <<: *b\n",       # a merge key
    "a: 1\na: 2\n",                          # a repeated key
    "? [a, b]\n: 1\n",                       # a collection as a key
    "a: 1\n---\nb: 2\n",                     # two documents
    "a: [\n",                                # not YAML
    "x: " + "[" * (MAX_YAML_DEPTH + 1) + "]" * (MAX_YAML_DEPTH + 1) + "\n",  # too deep
])
def test_what_it_does_not_take_falls_back(text):
    assert fast(text) is handmap_yaml.FALLBACK


def test_errors_are_the_loaders(tmp_path):
    """Through the fallback, a repeated key and a too-deep document give the loader's errors at their lines."""
    from builders.errors import BuildError

    path = tmp_path / "m.yaml"
    for text, line, words in [("a: 1\nb: 2\na: 3\n", 3, "given twice"),
                              ("x:\n  " + "[" * (MAX_YAML_DEPTH + 1) + "]" * (MAX_YAML_DEPTH + 1) + "\n", 2, "nested")]:
        path.write_text(text, encoding="utf-8")
        with pytest.raises(BuildError) as err:
            handmap._read_yaml(path, path.read_bytes())
        assert err.value.line == line and words in err.value.message
