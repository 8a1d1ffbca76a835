"""builders.atomic.Staging: a file is hard-linked from the old dist/ only when the old one is a regular file holding
exactly the new bytes; everything else is written, and every file's sha256 is recorded either way."""

from __future__ import annotations

import hashlib
import os
import threading
import zlib
from pathlib import Path

import pytest

from builders import atomic

BIG = bytes(range(256)) * (5 * 4096 + 7)  # about 5 MB: several of the blocks a comparison reads


def _stage(dist: Path, rel: str, data: bytes) -> tuple[atomic.Staging, Path]:
    staging = atomic.Staging(dist)
    staging.put(rel, data)
    return staging, staging.dir / rel


@pytest.mark.parametrize("old, new, linked", [
    (b"<p>same</p>", b"<p>same</p>", True),
    (b"", b"", True),
    (BIG, BIG, True),
    (BIG, BIG[:-1] + b"!", False),  # differs in the last byte of the last block
    (BIG, BIG[:len(BIG) // 2] + b"!" + BIG[len(BIG) // 2 + 1:], False),  # in a middle block
    (b"!" + BIG[1:], BIG, False),  # in the first byte
    (b"<p>same</p>", b"<p>same</p>\n", False),  # the old file is a prefix of the new bytes
    (b"<p>same</p>\n", b"<p>same</p>", False),  # the new bytes are a prefix of the old file
])
def test_a_file_is_linked_exactly_when_the_old_one_holds_its_bytes(tmp_path, old, new, linked):
    dist = tmp_path / "dist"
    (dist / "site" / "events").mkdir(parents=True)
    before = dist / "site" / "events" / "a.html"
    before.write_bytes(old)
    staging, staged = _stage(dist, "site/events/a.html", new)
    try:
        assert staged.read_bytes() == new and before.read_bytes() == old
        assert os.path.samefile(staged, before) is linked
        assert staging.written == (0 if linked else 1)
        assert staging.hashes["site/events/a.html"] == hashlib.sha256(new).hexdigest()
        assert staging.crcs["site/events/a.html"] == zlib.crc32(new)
    finally:
        staging.discard()


@pytest.mark.parametrize("old", [None, b"", b"<p>old</p>", BIG])
@pytest.mark.parametrize("new", [b"", b"<p>old</p>", BIG, BIG[:-1] + b"!"])
def test_every_way_of_staging_records_the_file_s_sha256_and_crc_32(tmp_path, old, new):
    """``put``, ``adopt`` (written or linked) and ``keep_old``: the digests of the bytes staged, which the release
    zip takes instead of reading the file again; ``drop`` forgets them."""
    dist = tmp_path / "dist"
    dist.mkdir()
    if old is not None:
        (dist / "a.bin").write_bytes(old)
        (dist / "b.bin").write_bytes(old)
        (dist / "c.bin").write_bytes(old)
    staging = atomic.Staging(dist)
    try:
        staging.put("a.bin", new)
        staging.path_for("b.bin").write_bytes(new)
        staging.adopt("b.bin")
        kept = staging.keep_old("c.bin")
        expect = {"a.bin": new, "b.bin": new} | ({"c.bin": old} if old is not None else {})
        assert kept == (hashlib.sha256(old).hexdigest() if old is not None else None)
        for rel, data in expect.items():
            assert (staging.dir / rel).read_bytes() == data
            assert staging.hashes[rel] == hashlib.sha256(data).hexdigest()
            assert staging.crcs[rel] == zlib.crc32(data)
        assert set(staging.crcs) == set(staging.hashes) == set(expect)
        staging.drop("a.bin")
        assert "a.bin" not in staging.crcs and "a.bin" not in staging.hashes
    finally:
        staging.discard()


def test_a_symlink_or_a_folder_in_the_old_dist_is_not_linked(tmp_path):
    """Not even when its size is that of the new bytes (a symlink's is its target's name's length)."""
    dist = tmp_path / "dist"
    dist.mkdir()
    outside = tmp_path / "outside.html"
    through_link = b"x" * len(os.fsencode(outside))
    outside.write_bytes(through_link)
    (dist / "via-link.html").symlink_to(outside)
    (dist / "folder.html").mkdir()
    as_big_as_the_folder = b"y" * os.lstat(dist / "folder.html").st_size
    staging = atomic.Staging(dist)
    try:
        for rel, data in (("via-link.html", through_link), ("folder.html", as_big_as_the_folder)):
            staging.put(rel, data)
            staged = staging.dir / rel
            assert staged.is_file() and not staged.is_symlink() and staged.read_bytes() == data
            assert not os.path.samefile(staged, outside)
        assert staging.written == 2
    finally:
        staging.discard()


def test_a_fifo_in_the_old_dist_is_never_opened(tmp_path):
    """Opening a FIFO for reading waits for a writer: the old file's type is checked before it is opened (an
    empty page, as big as a FIFO)."""
    dist = tmp_path / "dist"
    dist.mkdir()
    os.mkfifo(dist / "pipe.html")
    staging = atomic.Staging(dist)
    done = threading.Thread(target=staging.put, args=("pipe.html", b""), daemon=True)
    done.start()
    done.join(10)
    try:
        assert not done.is_alive(), "put opened the FIFO and waits for a writer"
        assert (staging.dir / "pipe.html").read_bytes() == b"" and staging.written == 1
    finally:
        if done.is_alive():  # let the blocked open return
            os.close(os.open(dist / "pipe.html", os.O_WRONLY | os.O_NONBLOCK))
        staging.discard()


def test_the_comparison_reads_to_the_end_of_the_file(tmp_path):
    """A file that grew after its size was checked holds more than the bytes: not equal."""
    path = tmp_path / "f"
    for content, data, equal in ((BIG, BIG, True), (BIG + b"!", BIG, False), (BIG, BIG + b"!", False),
                                 (b"a", b"", False), (b"", b"", True)):
        path.write_bytes(content)
        fd = os.open(path, os.O_RDONLY)
        try:
            assert atomic._fd_holds(fd, data) is equal
        finally:
            os.close(fd)


def test_files_in_new_and_nested_folders_are_staged_and_swapped_in(tmp_path):
    """Folders are made once per staging, whatever order their files come in."""
    dist = tmp_path / "dist"
    files = {"a.txt": b"1", "site/x/one.html": b"2", "site/x/two.html": b"3", "site/y/z/deep.html": b"4",
             "site/index.html": b"5"}
    atomic.replace_dir(dist, files)
    assert {p.relative_to(dist).as_posix(): p.read_bytes() for p in dist.rglob("*") if p.is_file()} == files
    staging = atomic.Staging(dist)
    try:
        with pytest.raises(ValueError, match="staged twice"):
            for rel in ("site/y/z/deep.html", "site/y/z/deep.html"):
                staging.put(rel, files[rel])
        assert staging.written == 0
        assert os.path.samefile(staging.dir / "site/y/z/deep.html", dist / "site/y/z/deep.html")
    finally:
        staging.discard()
