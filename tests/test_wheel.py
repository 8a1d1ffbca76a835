"""The built wheel, installed in a fresh virtual environment, loads every table and its quotes offline."""

from __future__ import annotations

import json
import os
import subprocess
import textwrap

import pytest

from rusprk.metadata import RESOURCE_ORDER


@pytest.fixture(scope="module")
def installed(user):
    """The wheel the README's release commands build, installed by its install block (conftest.user)."""
    return user.python, user.cwd


def _run(py, tmp, code):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run([str(py), "-c", textwrap.dedent(code)], cwd=tmp, env=env, capture_output=True, text=True)


def test_wheel_loads_every_table_with_declared_dtypes(installed):
    py, tmp = installed
    out = _run(py, tmp, f"""
        import rusprk, pandas as pd
        assert 'site-packages' in rusprk.__file__, rusprk.__file__
        frames = rusprk.load_all()
        assert list(frames) == {list(RESOURCE_ORDER)!r}
        e = frames['events']
        assert str(e.date_start.dtype).startswith('datetime64')
        assert isinstance(e.event_type.dtype, pd.CategoricalDtype)
        assert str(e.russia_dprk.dtype) == 'boolean'
        assert str(frames['gifts'].quantity.dtype) == 'Int64'
        import json; print(json.dumps({{k: len(v) for k, v in frames.items()}}))
    """)
    assert out.returncode == 0, out.stderr
    counts = json.loads(out.stdout.strip())
    assert all(counts[name] > 0 for name in RESOURCE_ORDER)


def test_installed_cli_validates_its_own_data(installed):
    py, tmp = installed
    out = subprocess.run([str(py), "-m", "rusprk", "validate"], cwd=tmp, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    # The wheel carries the seeds, so the installed data is checked down to its quotes.
    assert "valid (schemas, keys, hashes, quotes at offsets, meaning rules)" in out.stdout


def test_wheel_refuses_a_tampered_file(installed):
    py, tmp = installed
    out = _run(py, tmp, """
        import pathlib, rusprk
        from rusprk._load import data_dir
        p = pathlib.Path(data_dir()) / 'gifts.parquet'
        good = p.read_bytes()
        b = bytearray(good); b[50] ^= 1; p.write_bytes(bytes(b))
        try:
            rusprk.load('gifts')
        except rusprk.DataIntegrityError as exc:
            print('refused:', exc)
        finally:
            p.write_bytes(good)  # the venv is shared with the README's blocks
    """)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("refused:") and "gifts.parquet" in out.stdout


def test_wheel_gives_a_records_quotes_in_their_context(installed):
    py, tmp = installed
    out = _run(py, tmp, """
        import rusprk
        q = rusprk.evidence("gft-2024-roses-to-putin")
        assert len(q) > 0
        for row in q.itertuples():
            seed = (rusprk.path("seeds") / row.seed_file).read_text(encoding="utf-8")
            assert seed[row.char_start:row.char_end] == row.quote
            assert seed[row.char_start - len(row.before):row.char_start] == row.before
            assert seed[row.char_end:row.char_end + len(row.after)] == row.after
        print(q.iloc[0].before + "[" + q.iloc[0].quote + "]" + q.iloc[0].after)
    """)
    assert out.returncode == 0, out.stderr
    assert "[" in out.stdout and "]" in out.stdout


def test_datasette_beside_the_wheel_loads_its_links_plugin(installed):
    py, tmp = installed
    out = _run(py, tmp, """
        from datasette.plugins import pm
        print(sorted(name for name, _ in pm.list_name_plugin()))
    """)
    assert out.returncode == 0, out.stderr
    assert "'rusprk'" in out.stdout, out.stdout
