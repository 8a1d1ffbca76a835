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
import stat
import tempfile
from collections.abc import Mapping
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


def recover(target: Path, keep: Path | None = None) -> None:
    """Clean up after a killed build: finish or undo a two-rename swap, drop stale staging."""
    old = target.with_name(f".{target.name}.old")
    if old.exists():
        if target.exists():
            shutil.rmtree(old)
        else:
            os.rename(old, target)
    for stale in target.parent.glob(f".{target.name}.new-*"):
        if keep is None or stale != keep:  # ``keep``: this build's own staging
            shutil.rmtree(stale, ignore_errors=True)


class Staging(Mapping):
    """The next ``dist/``, written file by file into a fresh sibling directory as the build makes each file,
    so the build holds one output in memory at a time, not the release.  A file whose bytes equal the current
    ``dist/``'s is hard-linked from it instead of written.  Read back as a mapping of name to bytes (one file
    read at a time); ``swap_in`` makes it ``dist/`` in one step, ``discard`` drops it."""

    def __init__(self, target: Path) -> None:
        self.target = Path(target)
        recover(self.target)
        self.dir = Path(tempfile.mkdtemp(dir=self.target.parent, prefix=f".{self.target.name}.new-"))
        self.hashes: dict[str, str] = {}  # name -> sha256 of its bytes
        # name -> CRC-32 of its bytes, summed with the sha256 from the same bytes: the release zip needs it for
        # every member, and reading 40,000 files again for it cost an edit build seconds (docs/performance.md).
        self.crcs: dict[str, int] = {}
        self.written = 0  # files written rather than linked
        self._root = str(self.dir)
        self._folders = {self._root}  # staging folders known to exist: made once, not checked per file
        self._reading = None  # the helper reading old files ahead (``read_ahead``)

    def read_ahead(self, *folders: str) -> None:
        """Have the current ``dist/``'s files under ``folders`` (in that order) read into memory by a helper
        process while the caller makes their new versions, so that comparing each with its old file does not
        wait for the disk (``builders.read_ahead``: a hint, it cannot change what is staged)."""
        from builders.read_ahead import ReadAhead

        self._stop_reading()
        self._reading = ReadAhead([self.target / f for f in folders])

    def _stop_reading(self) -> None:
        if self._reading is not None:
            self._reading.stop()
            self._reading = None

    def put(self, rel: str, data: bytes) -> None:
        """Stage ``data`` as ``rel``.  Tens of thousands of site pages go through here in every build, nearly all
        the same as before, so it works on path strings and plain file descriptors: an unchanged page costs an
        ``lstat``, an ``open``, its ``read``s and a ``link`` (see ``_link_unchanged``)."""
        import hashlib
        import zlib

        new = self._new(rel)
        if not _link_unchanged(os.path.join(self.target, rel), new, data):
            with open(new, "wb") as fh:  # made durable all at once before the swap (``_sync``)
                fh.write(data)
            self.written += 1
        self.hashes[rel] = hashlib.sha256(data).hexdigest()
        self.crcs[rel] = zlib.crc32(data)

    def path_for(self, rel: str) -> Path:
        """Where a file the caller writes itself goes; ``adopt`` it once written."""
        return Path(self._new(rel))

    def adopt(self, rel: str) -> None:
        """Take a file written at ``path_for(rel)``, or a link to an identical old one in its place."""

        p = self.dir / rel
        self.hashes[rel], self.crcs[rel] = _file_digests(p)
        old = self.target / rel
        if old.is_file() and not old.is_symlink() and old.stat().st_size == p.stat().st_size \
                and _file_digests(old) == (self.hashes[rel], self.crcs[rel]):
            p.unlink()
            os.link(old, p)
        else:
            self.written += 1

    def keep_old(self, rel: str) -> str | None:
        """Stage the current ``dist/``'s ``rel`` as it is (a hard link); its sha256, hashed here from the linked
        file, or None (nothing staged) when there is no such regular file."""
        old = self.target / rel
        try:
            if old.is_symlink() or not old.is_file():
                return None
            new = self._new(rel)
            os.link(old, new)
        except OSError:
            return None
        self.hashes[rel], self.crcs[rel] = _file_digests(new)
        return self.hashes[rel]

    def drop(self, rel: str) -> None:
        """Un-stage ``rel`` (so that it can be staged again)."""
        del self.hashes[rel], self.crcs[rel]
        os.unlink(os.path.join(self.dir, rel))

    def _new(self, rel: str) -> str:
        """Where ``rel`` goes in the staging folder, its folder made (a string: cheaper than a Path, per page)."""
        if rel in self.hashes:
            raise ValueError(f"{rel} staged twice")
        p = os.path.join(self._root, rel)
        folder = os.path.dirname(p)
        if folder not in self._folders:
            os.makedirs(folder, exist_ok=True)
            self._folders.add(folder)
        return p

    def __getitem__(self, rel: str) -> bytes:
        if rel not in self.hashes:
            raise KeyError(rel)
        return (self.dir / rel).read_bytes()

    def __iter__(self):
        return iter(sorted(self.hashes))

    def __len__(self) -> int:
        return len(self.hashes)

    def swap_in(self) -> None:
        """Make the staged files ``dist/`` (kept as it is when every file is the same as before)."""
        self._stop_reading()
        target = self.target
        try:
            if target.exists() and not self.written and _present(target) == set(self.hashes):
                shutil.rmtree(self.dir)
                return
            self._sync()
            if not target.exists():
                os.rename(self.dir, target)
            elif _exchange(self.dir, target):
                shutil.rmtree(self.dir)  # now holds the previous release
            else:
                old = target.with_name(f".{target.name}.old")
                os.rename(target, old)
                os.rename(self.dir, target)
                shutil.rmtree(old)
        except BaseException:
            self.discard()
            raise

    def _sync(self) -> None:
        """Every staged file on disk before the swap: one ``syncfs`` of the staging folder's file system where
        Linux has it (tens of thousands of site pages made one ``fsync`` each cost more than making them),
        else an ``fsync`` of each file."""
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
            syncfs = libc.syncfs
        except (OSError, AttributeError):
            syncfs = None
        if syncfs is not None:
            fd = os.open(self.dir, os.O_RDONLY)
            try:
                if syncfs(fd) == 0:
                    os.fsync(fd)  # the folder's own entries, as before
                    return
            finally:
                os.close(fd)
        for p in sorted(self.dir.rglob("*")):
            if p.is_file() and not p.is_symlink():
                with open(p, "rb+") as fh:
                    os.fsync(fh.fileno())

    def discard(self) -> None:
        self._stop_reading()
        shutil.rmtree(self.dir, ignore_errors=True)


def replace_dir(target: Path, files: dict[str, bytes]) -> None:
    """Replace ``target`` with a directory holding exactly ``files`` (name -> bytes), as one step."""
    staging = Staging(target)
    try:
        for rel, data in sorted(files.items()):
            staging.put(rel, data)
    except BaseException:
        staging.discard()
        raise
    staging.swap_in()


_BLOCK = 1 << 20
# An old output, opened for comparing: bytes as they are (O_BINARY, where text mode exists), not through a
# symlink, not inherited by a child process; each flag where the platform has it.
_READ_OLD = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def _fd_holds(fd: int, data: bytes) -> bool:
    """Whether the open file ``fd`` holds, from here to its end, exactly ``data``: read at most a block at a time,
    each compared with the bytes of ``data`` it should equal (a slice of ``bytes``: a ``memoryview`` compares byte
    by byte, a hundred times slower)."""
    at, size = 0, len(data)
    while True:
        block = os.read(fd, min(_BLOCK, size - at + 1))  # one byte more than is left: a longer file shows
        if not block:
            return at == size
        if data[at:at + len(block)] != block:
            return False
        at += len(block)


def _file_digests(path: Path) -> tuple[str, int]:
    """The file's sha256 (hex) and CRC-32, from one read of it a block at a time."""
    import hashlib
    import zlib

    digest, crc = hashlib.sha256(), 0
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
            crc = zlib.crc32(block, crc)
    return digest.hexdigest(), crc


def _present(target: Path) -> set[str]:
    return {p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()}


def _link_unchanged(old: str, new: str, data: bytes) -> bool:
    """Hard-link ``old`` at ``new`` when it is a regular file holding exactly ``data``: an unchanged output
    keeps its file (and its modification time) instead of being written again.  Only a regular file is opened
    (``lstat`` first: never a symlink, a FIFO or a device), and not through a symlink put in its place since."""
    try:
        st = os.lstat(old)
        if not stat.S_ISREG(st.st_mode) or st.st_size != len(data):
            return False
        fd = os.open(old, _READ_OLD)
        try:
            if not _fd_holds(fd, data):
                return False
        finally:
            os.close(fd)
        os.link(old, new)
        return True
    except OSError:
        return False


# ---------------------------------------------------------------------------
# One generation: dist/ and the files outside it, replaced as one set
# ---------------------------------------------------------------------------

JOURNAL = Path(".cache") / "publish-journal.json"


def publish(root: Path, dist_files: "Staging | dict[str, bytes]", outside: dict[str, bytes]) -> None:
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
    repair(root, keep=dist_files.dir if isinstance(dist_files, Staging) else None)
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
        sums = (dist_files.hashes.get("SHA256SUMS") if isinstance(dist_files, Staging)
                else hashlib.sha256(dist_files.get("SHA256SUMS", b"")).hexdigest())
        write_file(root / JOURNAL, (json.dumps({"dist_sha256sums": sums, "moves": staged}, indent=1) + "\n").encode())
    except BaseException:
        for tmp, _ in staged:
            (root / tmp).unlink(missing_ok=True)
        raise
    if isinstance(dist_files, Staging):
        dist_files.swap_in()
    else:
        replace_dir(root / "dist", dist_files)
    _finish(root, staged)


def _finish(root: Path, moves: list) -> None:
    for tmp, rel in moves:
        if (root / tmp).exists():
            os.replace(root / tmp, root / rel)
    (root / JOURNAL).unlink(missing_ok=True)


def repair(root: Path, keep: Path | None = None) -> str | None:
    """Settle a tree a killed build left half-published; what was done, or None if nothing was needed
    (``keep``: the calling build's own staging folder, left alone)."""
    import hashlib
    import json

    root = Path(root)
    recover(root / "dist", keep)
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
