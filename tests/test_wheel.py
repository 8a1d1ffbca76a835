"""The built wheel, installed in a fresh virtual environment, loads every table offline."""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import ROOT
from rusprk.metadata import RESOURCE_ORDER


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    # Build from a copy so that setuptools' build/ and egg-info never touch the checkout.
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(".git", ".venv", "build", "*.egg-info", "__pycache__",
                                                             ".cache", ".hypothesis", ".pytest_cache"))
    out = subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(tmp / "wh"),
                          str(src)], capture_output=True, text=True)
    if out.returncode != 0:
        pytest.fail(out.stdout[-2000:] + out.stderr[-2000:])
    wheel = next((tmp / "wh").glob("rusprk-*.whl"))
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py = venv / "bin" / "python"
    subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)], check=True)
    # Offline: the wheel's dependencies (pandas, pyarrow, polars) come from this environment.
    purelib = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    Path(purelib, "outer-deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    return py, tmp


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
    assert "valid (schemas, keys, hashes, meaning rules)" in out.stdout


def test_wheel_refuses_a_tampered_file(installed):
    py, tmp = installed
    out = _run(py, tmp, """
        import pathlib, rusprk
        from rusprk._load import data_dir
        p = pathlib.Path(data_dir()) / 'gifts.parquet'
        b = bytearray(p.read_bytes()); b[50] ^= 1; p.write_bytes(bytes(b))
        try:
            rusprk.load('gifts')
        except rusprk.DataIntegrityError as exc:
            print('refused:', exc)
    """)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("refused:") and "gifts.parquet" in out.stdout
