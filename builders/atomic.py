"""Write outputs so that a failed or killed build never leaves half a release.

``dist/`` is written in full into a fresh sibling directory, then swapped in
by renames; a stale swap left by a killed build is repaired on the next run.
Single files are written to a temporary sibling and ``os.replace``d.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


def write_file(path: Path, data: bytes) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.read_bytes() == data:
        return
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def recover(target: Path) -> None:
    """Undo a swap interrupted between its two renames."""
    old = target.with_name(f".{target.name}.old")
    if old.exists():
        if target.exists():
            shutil.rmtree(old)
        else:
            os.rename(old, target)


def replace_dir(target: Path, files: dict[str, bytes]) -> None:
    target = Path(target)
    recover(target)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.new-"))
    try:
        for rel, data in sorted(files.items()):
            p = staging / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(data)
        if target.exists() and _same(target, files):
            shutil.rmtree(staging)
            return
        old = target.with_name(f".{target.name}.old")
        if target.exists():
            os.rename(target, old)
        os.rename(staging, target)
        if old.exists():
            shutil.rmtree(old)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        recover(target)
        raise


def _same(target: Path, files: dict[str, bytes]) -> bool:
    present = {p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()}
    if present != set(files):
        return False
    return all((target / rel).read_bytes() == data for rel, data in files.items())
