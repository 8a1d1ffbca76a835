"""Shared fixtures: the repository root and the built tables."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SEEDS = sorted((ROOT / "seeds").glob("*.txt"))

#: What a build reads: copy these to build somewhere other than the checkout.
BUILD_INPUTS = ["seeds", "builders", "rusprk", "R", "pyproject.toml", "README.md", "CHANGELOG.md", "LICENSE",
                "CITATION.cff"]


def copy_build_inputs(dest: Path) -> Path:
    """Copy the build inputs into ``dest`` (created), so a test can build or corrupt them freely."""
    import shutil

    dest.mkdir(parents=True, exist_ok=True)
    for name in BUILD_INPUTS:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, dest / name)
    return dest


def package_rows() -> dict[str, list[dict]]:
    """The installed tables as plain rows (None for null), as the meaning rules read them."""
    import rusprk

    return {n: rusprk.load(n).astype(object).where(lambda d: d.notna(), None).to_dict("records")
            for n in rusprk.tables()}


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def frames():
    import rusprk

    return rusprk.load_all()


# ---------------------------------------------------------------------------
# Where users and maintainers stand: a copy of the clone, the wheel its README
# builds, a fresh venv with that wheel installed, the unzipped release.
# Each block of the README is run in one of these (tests/docs.py).
# ---------------------------------------------------------------------------

_RUNS: dict = {}  # block id -> its finished process: a block with side effects runs once per session


def run_once(block, place):
    import docs

    if block.id not in _RUNS:
        _RUNS[block.id] = docs.run(block, place)
    return _RUNS[block.id]


def readme_block(kind: str, needle: str):
    import docs

    found = [b for b in docs.blocks(ROOT, "README.md") if b.kind == kind and needle in b.code]
    assert len(found) == 1, f"README.md: expected one '{kind}' block containing {needle!r}, found {len(found)}"
    return found[0]


@pytest.fixture(scope="session")
def maintainer(tmp_path_factory):
    """A copy of the clone, with the test environment as its .venv."""
    import docs

    import subprocess

    import rusprk

    clone = docs.copy_checkout(ROOT, tmp_path_factory.mktemp("maintainer") / "rusprk", with_venv=True)
    # The README tags the release; once it has been tagged for real, the copy must not have the tag yet.
    subprocess.run(["git", "tag", "-d", f"v{rusprk.__version__}"], cwd=clone, capture_output=True)
    return docs.Place(cwd=clone, bin=clone / ".venv" / "bin", python=clone / ".venv" / "bin" / "python",
                      offline=False)


@pytest.fixture(scope="session")
def curator(tmp_path_factory):
    """Another copy of the clone, where the curator's guide adds a source, builds it and diffs it."""
    import docs

    clone = docs.copy_checkout(ROOT, tmp_path_factory.mktemp("curator") / "rusprk", with_venv=True)
    return docs.Place(cwd=clone, bin=clone / ".venv" / "bin", python=clone / ".venv" / "bin" / "python",
                      offline=False)


@pytest.fixture(scope="session")
def wheel(maintainer):
    """The wheel, built by the README's release commands in the maintainer's copy."""
    out = run_once(readme_block("maintainer", "--wheel"), maintainer)
    if out.returncode != 0:
        pytest.fail("README's wheel build failed:\n" + out.stdout[-2000:] + out.stderr[-2000:])
    return next((maintainer.cwd / "wheels").glob("rusprk-*.whl"))


@pytest.fixture(scope="session")
def user(tmp_path_factory, wheel):
    """A user's folder holding the wheel, and a fresh venv in which the README's install block ran.

    Offline: the wheel's dependencies (pandas, pyarrow, polars, duckdb) are those of the test
    environment, made visible to the venv by a .pth file, so pip installs only the wheel.
    """
    import shutil
    import site
    import subprocess

    import docs

    tmp = tmp_path_factory.mktemp("user")
    venv, home = tmp / "venv", tmp / "home"
    home.mkdir()
    shutil.copy2(wheel, home / wheel.name)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py = venv / "bin" / "python"
    purelib = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    Path(purelib, "outer-deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    place = docs.Place(cwd=home, bin=venv / "bin", python=py)
    out = run_once(readme_block("user", "pip install"), place)
    if out.returncode != 0:
        pytest.fail("README's install block failed:\n" + out.stdout[-2000:] + out.stderr[-2000:])
    return place


@pytest.fixture(scope="session")
def release(tmp_path_factory, user):
    """The release zip of dist/, unzipped, with the user's venv on PATH."""
    import zipfile

    import docs

    zips = sorted((ROOT / "dist").glob("rusprk-*.zip"))
    assert len(zips) == 1, zips
    tmp = tmp_path_factory.mktemp("release")
    with zipfile.ZipFile(zips[0]) as zf:
        zf.extractall(tmp)
    folder = tmp / zips[0].stem
    return docs.Place(cwd=folder, bin=user.bin, python=user.python)
