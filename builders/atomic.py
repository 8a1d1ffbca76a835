"""Write outputs so that a failed or killed build never leaves half a release.

``dist/`` is written in full into a fresh sibling directory and swapped in
with one atomic ``renameat2(RENAME_EXCHANGE)`` system call (Linux): at every
instant ``dist/`` is either the complete old release or the complete new one.
Where that call is missing, two renames are used and a swap interrupted
between them is repaired at the start of the next build.  Single files are
written to a temporary sibling and ``os.replace``d.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import shutil
import tempfile
from pathlib import Path

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths; False when the platform cannot."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


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
        os.chmod(tmp, 0o644)  # mkstemp makes files private; outputs are for everyone to read
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def recover(target: Path) -> None:
    """Clean up after a killed build: finish or undo a two-rename swap, drop stale staging."""
    old = target.with_name(f".{target.name}.old")
    if old.exists():
        if target.exists():
            shutil.rmtree(old)
        else:
            os.rename(old, target)
    for stale in target.parent.glob(f".{target.name}.new-*"):
        shutil.rmtree(stale, ignore_errors=True)


def replace_dir(target: Path, files: dict[str, bytes]) -> None:
    target = Path(target)
    recover(target)
    if target.exists() and _same(target, files):
        return
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.new-"))
    try:
        for rel, data in sorted(files.items()):
            p = staging / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            if _link_unchanged(target / rel, p, data):
                continue  # the same bytes as the previous release: linked, not rewritten
            with open(p, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        if not target.exists():
            os.rename(staging, target)
        elif _exchange(staging, target):
            shutil.rmtree(staging)  # now holds the previous release
        else:
            old = target.with_name(f".{target.name}.old")
            os.rename(target, old)
            os.rename(staging, target)
            shutil.rmtree(old)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _link_unchanged(old: Path, new: Path, data: bytes) -> bool:
    """Hard-link ``old`` at ``new`` when it is a regular file holding exactly ``data``: an unchanged output
    keeps its file (and its modification time) instead of being written again."""
    try:
        if old.is_symlink() or not old.is_file() or old.stat().st_size != len(data) or old.read_bytes() != data:
            return False
        os.link(old, new)
        return True
    except OSError:
        return False


def _same(target: Path, files: dict[str, bytes]) -> bool:
    present = {p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()}
    if present != set(files):
        return False
    return all((target / rel).read_bytes() == data for rel, data in files.items())


# ---------------------------------------------------------------------------
# One generation: dist/ and the files outside it, replaced as one set
# ---------------------------------------------------------------------------

JOURNAL = Path(".cache") / "publish-journal.json"


def publish(root: Path, dist_files: dict[str, bytes], outside: dict[str, bytes]) -> None:
    """Replace ``dist/`` and the ``outside`` files (schemas/, docs/, datapackage.json) as one generation.

    Every outside file is first written beside its target under a temporary
    name and listed in a journal, with the checksums the new ``dist/`` will
    have; then ``dist/`` is swapped in; then the outside files are moved into
    place and the journal removed.  A build killed anywhere leaves either the
    old generation (nothing moved yet: ``repair`` drops the staged files) or
    a journal that ``repair`` completes, so the tree always settles on one
    complete generation.  Caller holds the build lock.
    """
    import hashlib
    import json

    root = Path(root)
    repair(root)
    staged = []
    try:
        for rel, data in sorted(outside.items()):
            target = root / rel
            if target.is_file() and target.read_bytes() == data:
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".gen")
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o644)
            staged.append([os.path.relpath(tmp, root), rel])
        sums = hashlib.sha256(dist_files.get("SHA256SUMS", b"")).hexdigest()
        write_file(root / JOURNAL, (json.dumps({"dist_sha256sums": sums, "moves": staged}, indent=1) + "\n").encode())
    except BaseException:
        for tmp, _ in staged:
            (root / tmp).unlink(missing_ok=True)
        raise
    replace_dir(root / "dist", dist_files)
    _finish(root, staged)


def _finish(root: Path, moves: list) -> None:
    for tmp, rel in moves:
        if (root / tmp).exists():
            os.replace(root / tmp, root / rel)
    (root / JOURNAL).unlink(missing_ok=True)


def repair(root: Path) -> str | None:
    """Settle a tree a killed build left half-published; what was done, or None if nothing was needed."""
    import hashlib
    import json

    root = Path(root)
    recover(root / "dist")
    journal = root / JOURNAL
    if not journal.exists():
        return None
    try:
        plan = json.loads(journal.read_text(encoding="utf-8"))
        moves = [(str(t), str(r)) for t, r in plan["moves"]]
        want = plan["dist_sha256sums"]
    except (OSError, ValueError, KeyError, TypeError):
        journal.unlink(missing_ok=True)  # unreadable: written by a build killed while writing it, before any swap
        return "dropped an unreadable publish journal"
    sums = root / "dist" / "SHA256SUMS"
    swapped = sums.is_file() and hashlib.sha256(sums.read_bytes()).hexdigest() == want
    if swapped:  # dist/ is the new generation: move the rest into place
        _finish(root, moves)
        return "completed the files outside dist/ of an interrupted build"
    for tmp, _ in moves:  # dist/ is still the old generation: drop what was staged
        (root / tmp).unlink(missing_ok=True)
    journal.unlink(missing_ok=True)
    return "dropped the staged files of an interrupted build"
