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
BUILD_INPUTS = ["seeds", "builders", "rusprk", "pyproject.toml", "CHANGELOG.md", "LICENSE", "CITATION.cff"]


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


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def frames():
    import rusprk

    return rusprk.load_all()
