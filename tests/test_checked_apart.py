"""Stages 1-3 in a child process (builders.checked_apart): the build gets the same tables and the same errors as
when it makes them itself, and a child that fails or a message cut short decides nothing."""

from __future__ import annotations

import io
import os
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builders import build, checked_apart
from builders.errors import BuildError
from conftest import copy_build_inputs

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the stages run in a child only where Linux forks")


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    return copy_build_inputs(tmp_path_factory.mktemp("apart") / "rusprk")


@pytest.fixture(scope="module")
def made(tree):
    return build.made_tables(tree)


def _same(got, made) -> None:
    rows, tables, origin = got
    assert rows == made[0]
    assert list(tables) == list(made[1])
    for name, table in tables.items():
        assert table.schema.equals(made[1][name].schema, check_metadata=True), name
        assert table.equals(made[1][name], check_metadata=True), name
        assert table.column(0).num_chunks == made[1][name].column(0).num_chunks, name
    assert dict(origin) == made[2]  # asked for: the stages are read again for it


def test_the_child_sends_back_exactly_what_the_stages_make(tree, made):
    got = checked_apart._in_child(tree, None)
    assert got is not None, "the child's result was not taken"
    assert isinstance(got[2], checked_apart.Origin)
    _same(got, made)


def test_a_build_error_in_the_child_is_raised_field_for_field(tmp_path):
    broken = copy_build_inputs(tmp_path / "rusprk")
    path = sorted((broken / "builders" / "handmaps").glob("*.yaml"))[1]
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("seed_sha256: ", "seed_sha256: 0", 1), encoding="utf-8")
    with pytest.raises(BuildError) as own:
        build.made_tables(broken)
    with pytest.raises(BuildError) as sent:
        checked_apart._in_child(broken, None)
    fields = ("where", "message", "line", "column", "row", "field")
    assert [getattr(sent.value, f) for f in fields] == [getattr(own.value, f) for f in fields]
    assert str(sent.value) == str(own.value)


def test_a_child_that_dies_leaves_the_stages_to_the_build(tree, made, monkeypatch):
    parent = os.getpid()
    original = build.made_tables

    def dies_in_the_child(*args, **kwargs):
        if os.getpid() != parent:
            os._exit(9)  # killed, as by the out-of-memory killer: no message at all
        return original(*args, **kwargs)

    monkeypatch.setattr(build, "made_tables", dies_in_the_child)
    assert checked_apart._in_child(tree, None) is None
    _same(checked_apart.made_tables(tree), made)


def test_a_child_that_fails_otherwise_leaves_the_stages_to_the_build(tree, made, monkeypatch):
    parent = os.getpid()
    original = build.made_tables

    def fails_in_the_child(*args, **kwargs):
        if os.getpid() != parent:
            raise MemoryError
        return original(*args, **kwargs)

    monkeypatch.setattr(build, "made_tables", fails_in_the_child)
    assert checked_apart._in_child(tree, None) is None
    _same(checked_apart.made_tables(tree), made)


@pytest.fixture(scope="module")
def message(made):
    out = io.BytesIO()
    checked_apart.encoded(made[0], made[1], out)
    return out.getvalue()


def test_a_whole_message_reads_back(message, made):
    rows, tables = checked_apart.decoded(message)
    assert rows == made[0]
    assert all(tables[n].equals(made[1][n], check_metadata=True) for n in made[1])


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_a_message_cut_short_or_run_on_is_never_read(message, data):
    cut = data.draw(st.integers(0, len(message) - 1))
    assert checked_apart.decoded(message[:cut]) is None
    assert checked_apart.decoded(message + data.draw(st.binary(min_size=1, max_size=16))) is None


def test_the_build_uses_the_child(tree, monkeypatch):
    """Not a test of a mock: the build's own process never makes the tables when a child can."""
    parent = os.getpid()
    original = build.made_tables
    calls = []

    def made_here(*args, **kwargs):
        if os.getpid() == parent:
            calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(build, "made_tables", made_here)
    rows, tables, origin = checked_apart.made_tables(tree)
    assert calls == [] and tables["events"].num_rows > 0




def test_an_empty_table_comes_back_as_it_was_made():
    """A corpus without gifts: the table has one empty chunk in-process, and so it has from the child."""
    from builders import publish

    made = {"sources": publish.to_arrow("sources", []), "gifts": publish.to_arrow("gifts", [])}
    out = io.BytesIO()
    checked_apart.encoded({"regions": {}}, made, out)
    _, tables = checked_apart.decoded(out.getvalue())
    for name, table in made.items():
        assert tables[name].equals(table, check_metadata=True)
        assert [c.num_chunks for c in tables[name].columns] == [c.num_chunks for c in table.columns]
