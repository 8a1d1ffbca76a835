"""What the last release zip holds, so the next build copies its unchanged members instead of deflating them.

After writing the release zip the build leaves ``.cache/release-zip/<sha256 of the zip>.json``, a cache file
as ``builders.cache`` writes them (its first line the checksum of the rest): the zip's name and sha256,
zlib's runtime version and level, and for each member its content's sha256 and where and how its compressed
bytes lie (``MANIFEST_FIELDS``).  The next build opens ``dist/``'s zip only if a manifest is
named after that file's sha256 (so a build that failed after writing a manifest cannot make it describe the
zip ``dist/`` still has), was written for the same zlib and level (deflate's bytes depend on both), and every
member it lists is confirmed by the zip's own local header at the offset given.  Each member then found by
its content's sha256 is still checked against the bytes being zipped (``zip_members.prepare``: CRC-32, size,
method) before its copy is taken.  A manifest that is missing, stale, unreadable or wrong in any way is
ignored and the zip deflated in full: the cache can cost time, never change a byte.  ``.cache/`` may vanish
at any moment: reading and writing it never fails a build.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import zlib
from collections.abc import Iterator
from pathlib import Path

from builders import cache
from builders.formats.zip_members import BLOCK, OldCopy
from builders.formats.zip_writer import DEFLATED, LOCAL_HEADER, STORED, Written

FOLDER = Path(".cache") / "release-zip"
FORMAT = 1
#: What each entry of a manifest's "members" lists, in this order.
MANIFEST_FIELDS = ("sha256", "offset", "method", "crc", "compress_size", "file_size")
_SHA256 = re.compile(r"[0-9a-f]{64}")


class EarlierZip:
    """A previous release zip, open (the file that was hashed and checked is the one read), whose members are
    found by their content's sha256 and copied a block at a time."""

    def __init__(self, fd: int, path: Path, sha256: str, copies: dict[str, OldCopy]) -> None:
        self.fd = fd
        self.path = path
        self.sha256 = sha256
        self.copies = copies

    def find(self, sha256: str) -> OldCopy | None:
        return self.copies.get(sha256)

    def blocks(self, copy: OldCopy) -> Iterator[bytes]:
        at, left = copy.data_offset, copy.compress_size
        while left:
            block = os.pread(self.fd, min(left, BLOCK), at)
            if not block:  # cut short since it was checked: fail rather than write a wrong member
                raise OSError(errno.EIO, "changed while the build copied from it", str(self.path))
            at += len(block)
            left -= len(block)
            yield block

    def close(self) -> None:
        os.close(self.fd)


@contextlib.contextmanager
def earlier_zip(root: Path, level: int) -> Iterator[EarlierZip | None]:
    """``dist/``'s release zip when a manifest in ``.cache/`` vouches for it, else None; closed on exit."""
    earlier = _find(Path(root), level)
    try:
        yield earlier
    finally:
        if earlier is not None:
            earlier.close()


def _find(root: Path, level: int) -> EarlierZip | None:
    try:
        names = {p.stem for p in (root / FOLDER).glob("*.json")}
        for path in sorted((root / "dist").glob("rusprk-*.zip")) if names else []:
            fd = os.open(path, os.O_RDONLY)
            earlier = None
            try:
                with open(fd, "rb", closefd=False) as fh:
                    digest = hashlib.file_digest(fh, "sha256").hexdigest()
                if digest in names:
                    copies = _vouched(root / FOLDER / f"{digest}.json", fd, path.name, digest, level)
                    earlier = EarlierZip(fd, path, digest, copies) if copies is not None else None
            finally:
                if earlier is None:
                    os.close(fd)
            if earlier is not None:
                return earlier
    except OSError:  # .cache/ or dist/ changing under us: no reuse
        pass
    return None


def _vouched(manifest: Path, fd: int, zip_name: str, digest: str, level: int) -> dict[str, OldCopy] | None:
    """The members of the zip open at ``fd`` (named ``zip_name``, whose sha256 is ``digest``) by their
    content's sha256, as its manifest lists them; None unless the manifest is whole and every fact it states
    holds."""
    data = cache.get_bytes(manifest)  # None when missing or torn (its checksum line fails)
    try:
        m = json.loads(data) if data is not None else None
        if not (isinstance(m, dict) and m.get("format") == FORMAT and m.get("zip") == zip_name
                and m.get("sha256") == digest and m.get("zlib") == zlib.ZLIB_RUNTIME_VERSION
                and m.get("level") == level and m.get("fields") == list(MANIFEST_FIELDS)
                and isinstance(m.get("members"), list)):
            return None
        return _confirmed(fd, m["members"])
    except (OSError, ValueError, RecursionError):  # unreadable, not JSON, or nested past reading
        return None


def _confirmed(fd: int, members: list) -> dict[str, OldCopy] | None:
    """Each listed member by its content's sha256, once the zip's local header at its offset agrees with the
    manifest on method, CRC-32 and sizes; None if any entry is malformed or any header disagrees."""
    copies: dict[str, OldCopy] = {}
    size = os.fstat(fd).st_size
    for entry in members:
        if not (isinstance(entry, list) and len(entry) == len(MANIFEST_FIELDS)
                and isinstance(entry[0], str) and _SHA256.fullmatch(entry[0])
                and all(type(v) is int and 0 <= v < 1 << 63 for v in entry[1:])):
            return None
        digest, offset, method, crc, compress_size, file_size = entry
        header = os.pread(fd, LOCAL_HEADER.size, offset)
        if len(header) != LOCAL_HEADER.size:
            return None
        sig, _, _, _, h_method, _, _, h_crc, h_compress, h_file, name_len, extra_len = LOCAL_HEADER.unpack(header)
        data_offset = offset + LOCAL_HEADER.size + name_len + extra_len
        if (sig != b"PK\003\004" or method not in (STORED, DEFLATED)
                or (h_method, h_crc, h_compress, h_file) != (method, crc, compress_size, file_size)
                or data_offset + compress_size > size):
            return None
        copies.setdefault(digest, OldCopy(method, crc, file_size, compress_size, data_offset))
    return copies


def remember(root: Path, zip_name: str, zip_sha256: str, written: list[Written], level: int,
             keep: EarlierZip | None) -> None:
    """The manifest of the zip just written, named after its sha256; every other manifest is removed but
    ``keep``'s (the zip ``dist/`` holds until this build is published: a build that fails from here on leaves
    the next one a manifest for it)."""
    # A member with a ZIP64 local header (about 2 GiB and more) keeps its sizes in an extra field: not listed,
    # so deflated again, and the headers checked are all of one form.
    members = [[w.sha256, w.offset, w.method, w.crc, w.compress_size, w.file_size]
               for w in written if w.sha256 and not w.zip64_local]
    manifest = {"format": FORMAT, "zip": zip_name, "sha256": zip_sha256, "zlib": zlib.ZLIB_RUNTIME_VERSION,
                "level": level, "fields": list(MANIFEST_FIELDS), "members": members}
    folder = Path(root) / FOLDER
    # Written as every cache file is (by rename, its checksum first, no fsync: a torn manifest is a miss), and
    # never failing the build.
    cache.put_bytes(folder / f"{zip_sha256}.json", json.dumps(manifest, separators=(",", ":")).encode())
    cache.prune(folder, {zip_sha256, keep.sha256 if keep is not None else None})
