"""builders.read_ahead: the old release's files are brought into memory by a helper process, which ends, never
blocks on an odd file, is stopped with the staging, and changes nothing that is staged."""

from __future__ import annotations

import ctypes
import ctypes.util
import mmap
import os
import time
from pathlib import Path

import pytest

from builders import atomic, read_ahead

pytestmark = pytest.mark.skipif(not hasattr(os, "posix_fadvise"), reason="no posix_fadvise")


def _resident(path: Path) -> float:
    """The share of the file's pages in memory (``mincore`` of a mapping of it)."""
    libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
    size = path.stat().st_size
    pages = -(-size // mmap.PAGESIZE)
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), size, access=mmap.ACCESS_COPY) as mm:
        vec = (ctypes.c_ubyte * pages)()
        address = ctypes.addressof(ctypes.c_char.from_buffer(mm))  # the export ends with this statement
        if libc.mincore(ctypes.c_void_p(address), ctypes.c_size_t(size), vec) != 0:
            pytest.skip(f"mincore: {os.strerror(ctypes.get_errno())}")
        return sum(v & 1 for v in vec) / pages


def _evict(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)  # clean pages can be dropped
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def test_the_old_files_are_in_memory_after_the_helper(tmp_path):
    dist = tmp_path / "dist"
    pages = [dist / "site" / folder / f"{i}.html" for folder in ("sources", "events") for i in range(20)]
    for page in pages:
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_bytes(os.urandom(3 * mmap.PAGESIZE + 5))
    for page in pages:
        _evict(page)
    if max(_resident(p) for p in pages) > 0:
        pytest.skip("this file system keeps the pages in memory whatever is advised")
    helper = read_ahead.ReadAhead([dist / "site" / "sources", dist / "site"])
    assert helper.wait(60) == 0
    deadline = time.monotonic() + 20  # the reads were only queued: give the disk its time
    while min(_resident(p) for p in pages) < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    if min(_resident(p) for p in pages) < 1:  # what the helper asked is checked below, whatever the kernel did
        pytest.skip("the kernel has not acted on the hint (it may drop read-ahead when the disk is busy)")


def test_the_helper_advises_every_regular_file_in_the_order_asked(tmp_path, monkeypatch):
    """The helper's own code, run here with posix_fadvise recorded: each regular file once per folder given,
    folders in the order given and each sorted, nothing through a symlink, no FIFO."""
    if not Path("/proc/self/fd").is_dir():
        pytest.skip("names an open file through /proc")
    site = tmp_path / "site"
    for rel in ("sources/b.html", "sources/a.html", "events/x.html", "index.html"):
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_bytes(b"page")
    os.mkfifo(site / "events" / "pipe.html")
    (site / "events" / "link.html").symlink_to(site / "index.html")
    (site / "events" / "back").symlink_to(site)
    advised = []

    def record(fd, offset, length, advice):
        assert (offset, length, advice) == (0, 0, os.POSIX_FADV_WILLNEED)
        advised.append(os.readlink(f"/proc/self/fd/{fd}"))

    monkeypatch.setattr(os, "posix_fadvise", record)
    monkeypatch.setattr("sys.argv", ["-c", str(site / "sources"), str(site)])
    exec(compile(read_ahead._HELPER, "read_ahead._HELPER", "exec"), {"__name__": "__main__"})
    names = [str(site / rel) for rel in ("sources/a.html", "sources/b.html",
                                         "events/x.html", "index.html", "sources/a.html", "sources/b.html")]
    assert advised == names


def test_the_helper_ends_past_fifos_symlinks_and_missing_folders(tmp_path):
    folder = tmp_path / "site"
    (folder / "deep" / "er").mkdir(parents=True)
    (folder / "deep" / "er" / "page.html").write_bytes(b"page")
    os.mkfifo(folder / "pipe.html")  # opened for reading without a writer, it would wait for ever
    (folder / "loop").symlink_to(folder)  # followed, the walk would not end
    (folder / "gone.html").symlink_to(tmp_path / "nowhere")
    helper = read_ahead.ReadAhead([folder, tmp_path / "missing"])
    assert helper.wait(30) == 0


def test_no_folder_no_helper(tmp_path):
    helper = read_ahead.ReadAhead([tmp_path / "missing"])
    assert helper.wait() is None and not helper.running
    helper.stop()


def test_the_staging_stops_its_helper_and_stages_the_same(tmp_path, monkeypatch):
    dist = tmp_path / "dist"
    atomic.replace_dir(dist, {"site/events/a.html": b"old", "site/events/b.html": b"same"})
    monkeypatch.setattr(read_ahead, "_HELPER", "import time; time.sleep(120)")  # one that outlives the staging
    staging = atomic.Staging(dist)
    staging.read_ahead("site/sources", "site/events")
    helper = staging._reading
    assert helper is not None and helper.running
    staging.put("site/events/a.html", b"new")
    staging.put("site/events/b.html", b"same")
    started = time.monotonic()
    staging.swap_in()
    assert not helper.running and time.monotonic() - started < 30
    assert (dist / "site/events/a.html").read_bytes() == b"new"
    assert (dist / "site/events/b.html").read_bytes() == b"same"
    assert staging.written == 1

    staging = atomic.Staging(dist)
    staging.read_ahead("site")
    helper = staging._reading
    staging.discard()
    assert not helper.running


def test_the_site_folders_are_every_folder_of_the_site():
    """The build reads the old pages ahead in ``FOLDERS`` order: every folder of the site is among them."""
    from builders import site
    from conftest import ROOT

    present = {p.name for p in (ROOT / "dist" / "site").iterdir() if p.is_dir()}
    assert present and present == set(site.FOLDERS)
