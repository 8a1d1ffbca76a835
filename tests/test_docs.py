"""Documentation that runs: every code block of the README and the guides, as written.

Where each block runs is given by the comment above it (see ``tests/docs.py``):
a user's fresh venv with only the wheel, the unzipped release, a copy of the
clone.  A command block with no such comment fails here, so the README can
never again show a command nobody ran.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest
import yaml

import docs
from conftest import ROOT, run_once

BLOCKS = docs.all_blocks(ROOT)
COMMANDS = [b for b in BLOCKS if b.language in docs.COMMAND_LANGUAGES]


def _failed(block, out) -> str:
    return f"{block.id} ({block.kind}) exited {out.returncode}:\n{block.code}\n--- stdout\n{out.stdout[-3000:]}\n--- stderr\n{out.stderr[-3000:]}"


def _needs_r():
    if shutil.which("Rscript") is None:
        pytest.skip("R is not installed (apt-get install r-base-core r-cran-jsonlite r-cran-readr; .ci/run does)")
    probe = subprocess.run(["Rscript", "-e", "library(jsonlite); library(readr)"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip("R lacks jsonlite or readr (apt-get install r-cran-jsonlite r-cran-readr)")


@pytest.mark.parametrize("block", COMMANDS, ids=lambda b: b.id)
def test_block_runs_as_written(block, request):
    assert block.kind in docs.KINDS, (
        f"{block.id}: a {block.language} block needs a '<!-- test: KIND -->' line before it, KIND one of "
        f"{', '.join(docs.KINDS)}")
    if block.language == "r":
        _needs_r()
    if block.kind == "ci":
        lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
        assert block.code.strip() in lines, f"{block.id}: .ci/run does not run this line as written"
        return
    if block.kind == "server":  # "server PORT" in the user's folder, "server PORT:PLACE" in another place
        port, _, where = block.arg.partition(":")
        ok, out = docs.serve(block, request.getfixturevalue(where or "user"), int(port))
        assert ok, f"{block.id}: nothing answered on port {port}:\n{out[-3000:]}"
        return
    if block.kind == "build":
        place = docs.Place(cwd=docs.copy_checkout(ROOT, request.getfixturevalue("tmp_path") / "rusprk",
                                                  with_venv=False),
                           bin=request.getfixturevalue("tmp_path"), python=sys.executable, offline=False)
        out = docs.run(block, place, timeout=1500)
        assert out.returncode == 0, _failed(block, out)
        assert (place.cwd / "dist" / "datapackage.json").is_file()
        return
    place = request.getfixturevalue(block.kind)
    out = run_once(block, place) if block.kind in ("user", "maintainer", "curator") else docs.run(block, place)
    assert out.returncode == 0, _failed(block, out)


@pytest.mark.parametrize("block", [b for b in BLOCKS if b.language == "yaml"], ids=lambda b: b.id)
def test_yaml_blocks_parse(block):
    assert isinstance(yaml.safe_load(block.code), dict), block.id


def test_every_block_says_what_it_is():
    unlabelled = [b.id for b in BLOCKS if not b.language]
    assert not unlabelled, f"fenced blocks without a language (use text for a listing): {unlabelled}"


def test_readme_versions_are_the_current_one():
    import rusprk

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    # Earlier releases are named only as the files kept in releases/.
    mentioned = set(re.findall(r"(?<!releases/)rusprk-(\d+\.\d+\.\d+)", text)) | set(re.findall(r"\bv(\d+\.\d+\.\d+)", text))
    mentioned |= set(re.findall(r"version (\d+\.\d+\.\d+)", text, flags=re.I))
    assert mentioned == {rusprk.__version__}, mentioned
    for old in re.findall(r"releases/(rusprk-\d+\.\d+\.\d+\.zip)", text):
        assert (ROOT / "releases" / old).is_file(), old


def test_readme_citation_is_what_cite_prints():
    import rusprk

    assert rusprk.cite("text") in (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_output_of_the_first_example_shows_exchanges_and_quotes(user):
    """The first example does more than exit 0: it prints the exchanges, the quotes and the file's place."""
    block = next(b for b in COMMANDS if b.kind == "user" and "rusprk.evidence" in b.code)
    out = run_once(block, user)
    assert out.returncode == 0, _failed(block, out)
    assert "date_start" in out.stdout and "src-000-cnn-kim-lavrov-residence" in out.stdout
    assert "site-packages/rusprk/data/events.parquet" in out.stdout


def test_readme_coverage_counts_are_the_built_ones(frames):
    text = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    for table, noun in (("events", "events"), ("people", "people"), ("gifts", "gifts"), ("evidence", "evidence quotes")):
        assert f"{len(frames[table])} {noun}" in text, f"README's coverage: {len(frames[table])} {noun} expected"


def test_first_example_runs_in_a_venv_with_only_the_wheel_and_its_dependencies(tmp_path, wheel):
    """Not the test environment's packages: a venv that pip fills from the wheel's own requirements."""
    import os

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py = venv / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PIP_NO_INDEX")}
    got = subprocess.run([str(py), "-m", "pip", "install", "-q", str(wheel)], capture_output=True, text=True, env=env,
                         timeout=600)
    if got.returncode != 0 and ("No matching distribution" in got.stderr or "connection" in got.stderr.lower()):
        pytest.skip(f"no package index reachable to install the wheel's dependencies: {got.stderr[-300:]}")
    assert got.returncode == 0, got.stderr[-3000:]
    installed = subprocess.run([str(py), "-m", "pip", "list", "--format=freeze"], capture_output=True, text=True,
                               env=env).stdout
    assert "polars" not in installed and "duckdb" not in installed  # nothing but the wheel and what it requires
    block = next(b for b in COMMANDS if b.kind == "user" and "rusprk.evidence" in b.code)
    (tmp_path / "example.py").write_text(block.code, encoding="utf-8")
    out = subprocess.run([str(py), "example.py"], cwd=tmp_path, capture_output=True, text=True, env=env)
    assert out.returncode == 0, _failed(block, out)
    assert "site-packages/rusprk/data/events.parquet" in out.stdout
