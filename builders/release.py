"""Release facts: the version and the date a build stamps on the package.

Standard library only, so that a no-op build can decide quickly.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import tomllib
from pathlib import Path

from builders.errors import BuildError

#: Files whose content determines the build output (for ``created``).
BUILD_INPUTS = ("seeds", "builders", "rusprk/metadata.py", "rusprk/_cite.py", "pyproject.toml", "README.md",
                "CHANGELOG.md", "LICENSE", "CITATION.cff", "R")


def project_version(root: Path) -> str:
    return tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def created_timestamp(root: Path) -> str:
    """SOURCE_DATE_EPOCH, else the commit time of the last commit touching the build inputs."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is None:
        try:
            out = subprocess.run(["git", "log", "-1", "--format=%ct", "--", *BUILD_INPUTS], cwd=root,
                                 capture_output=True, text=True, check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            out = ""
        if not out:
            raise BuildError(root, "cannot date the build: set SOURCE_DATE_EPOCH (no git history of the inputs)",
                             field="created")
        epoch = out
    try:
        stamp = dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc)
    except ValueError:
        raise BuildError("SOURCE_DATE_EPOCH", f"not a Unix time: {epoch!r}", field="created") from None
    return stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
