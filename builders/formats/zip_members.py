"""The members of a zip, made ready for ``builders.formats.zip_writer``: deflated on both cores, or taken from
an earlier zip that already holds the same bytes.

Each member is read (from memory, or from its file a block at a time), its CRC-32 computed, and then either
matched with an earlier zip's copy of the same content (``Earlier``: found by the content's sha256, accepted
only if its CRC-32, size and method agree with what was just read) or compressed into a spool.  zlib releases
the GIL while it deflates or sums, so a small thread pool keeps both cores busy; the members are handed back
in their order, and at most ``WINDOW`` bytes of members (each counted up to ``SPOOL``, past which its
compressed bytes go to a temporary file) are in flight, so memory stays bounded whatever the release's size.

Deflate's output does not depend on how its input is cut into calls (checked in tests/test_zip_writer.py);
the members are fed as zipfile feeds them all the same: bytes in one call, files in 1 MiB blocks.
"""

from __future__ import annotations

import os
import tempfile
import zlib
from collections import deque
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Protocol

from builders.formats.zip_writer import DEFLATED, Written, ZipWriter

BLOCK = 1 << 20  # a file is read this much at a time, as the zipfile-based release_zip copied it
SPOOL = 8 << 20  # a member's compressed bytes past this go to a temporary file, not memory
WINDOW = 256 << 20  # memory the members prepared ahead of the writer may hold
WORKERS = 2  # the cores of the machines this project builds on
BATCH = 1 << 20  # bytes of members in one job of the pool
BATCH_MEMBERS = 256
LONG = 8 << 20  # a member to deflate this large is started first: it sets the pace of the whole zip


@dataclass(frozen=True)
class Member:
    """One file of the archive: its name, STORED or DEFLATED, its bytes or the file that holds them, its
    content's sha256 when known (what an earlier zip's copy is found by) and its CRC-32 when known (taken as
    the file was staged, so that accepting an earlier copy does not read the file again)."""

    name: str
    method: int
    data: bytes | None = None
    path: str | os.PathLike | None = None
    sha256: str | None = None
    crc: int | None = None

    def size(self) -> int:
        return len(self.data) if self.data is not None else os.stat(self.path).st_size

    def blocks(self) -> Iterator[bytes]:
        if self.data is not None:
            yield self.data  # one call, as zipfile.writestr makes it
            return
        with open(self.path, "rb") as fh:
            while block := fh.read(BLOCK):
                yield block


@dataclass(frozen=True)
class OldCopy:
    """A member's compressed bytes in an earlier zip, as that zip's own local header describes them."""

    method: int
    crc: int
    file_size: int
    compress_size: int
    data_offset: int


class Earlier(Protocol):
    """An earlier zip whose members can be copied (``builders.zip_cache.EarlierZip``)."""

    def find(self, sha256: str) -> OldCopy | None: ...

    def blocks(self, copy: OldCopy) -> Iterator[bytes]: ...


class Spool:
    """A member's compressed bytes: in memory up to ``SPOOL``, then in a temporary file."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.size = 0
        self.file = None

    def write(self, data: bytes) -> None:
        if self.file is None and self.size + len(data) > SPOOL:
            self.file = tempfile.TemporaryFile()
            self.file.writelines(self.chunks)
            self.chunks = []
        if self.file is None:
            self.chunks.append(data)
        else:
            self.file.write(data)
        self.size += len(data)

    def blocks(self) -> Iterator[bytes]:
        if self.file is None:
            yield from self.chunks
            return
        with self.file:
            self.file.seek(0)
            while block := self.file.read(BLOCK):
                yield block

    def in_memory(self) -> int:
        return self.size if self.file is None else 0

    def close(self) -> None:
        if self.file is not None:
            self.file.close()


@dataclass
class Ready:
    """A member ready to write: its CRC-32 and size, and its compressed bytes, in ``spool`` or, when that is
    None, in the earlier zip at ``copy``."""

    crc: int
    file_size: int
    compress_size: int
    spool: Spool | None = None
    copy: OldCopy | None = None

    def blocks(self, earlier: Earlier | None) -> Iterator[bytes]:
        return self.spool.blocks() if self.spool is not None else earlier.blocks(self.copy)


def _content_check(member: Member) -> tuple[int, int]:
    crc = size = 0
    for block in member.blocks():
        crc = zlib.crc32(block, crc)
        size += len(block)
    return crc, size


def _compressed(member: Member, level: int) -> Ready:
    spool = Spool()
    deflate = zlib.compressobj(level, zlib.DEFLATED, -15) if member.method == DEFLATED else None
    crc = size = 0
    try:
        for block in member.blocks():
            crc = zlib.crc32(block, crc)
            size += len(block)
            spool.write(deflate.compress(block) if deflate else block)
        if deflate:
            spool.write(deflate.flush())
    except BaseException:
        spool.close()
        raise
    return Ready(crc, size, spool.size, spool=spool)


def prepare(member: Member, copy: OldCopy | None, level: int) -> Ready:
    """The earlier zip's copy when it holds exactly these bytes (the content's sha256 found it; its CRC-32,
    size and method must agree too, so a wrong manifest costs a deflate, not a wrong member); else the member
    compressed afresh.  The CRC-32 is the member's own when known (a staged file's, summed from the bytes
    staged), else summed here by reading it."""
    if copy is not None and copy.method == member.method:
        crc, size = _content_check(member) if member.crc is None else (member.crc, member.size())
        if (crc, size) == (copy.crc, copy.file_size):
            return Ready(crc, size, copy.compress_size, copy=copy)
    return _compressed(member, level)


def _prepare_batch(batch: list[tuple[Member, OldCopy | None]], level: int) -> list[Ready]:
    ready: list[Ready] = []
    try:
        for member, copy in batch:
            ready.append(prepare(member, copy, level))
    except BaseException:
        _close(ready)
        raise
    return ready


def _close(ready: list[Ready]) -> None:
    for r in ready:
        if r.spool is not None:
            r.spool.close()


@dataclass(eq=False)
class _Job:
    """Members prepared together on the pool: consecutive small ones, or one long deflate."""

    batch: list[tuple[Member, OldCopy | None]]
    estimate: int  # the memory its results may hold: each member's size, up to SPOOL
    long: bool = False
    future: Future | None = None
    counted: int = 0  # what it holds against the window: the estimate while it runs, then what it holds


def _jobs(members: list[Member], earlier: Earlier | None) -> list[_Job]:
    """The members in order, in jobs of about ``BATCH`` bytes (a job per member would cost the pool more than
    deflating a small page does); a member of ``LONG`` bytes or more that has no earlier copy and is to be
    deflated is a job of its own, flagged ``long``."""
    jobs: list[_Job] = []
    batch: list[tuple[Member, OldCopy | None]] = []
    size = 0
    for member in members:
        copy = earlier.find(member.sha256) if earlier is not None and member.sha256 else None
        member_size = member.size()
        if copy is None and member.method == DEFLATED and member_size >= LONG:
            if batch:  # the jobs stay in the members' order
                jobs.append(_Job(batch, size))
                batch, size = [], 0
            jobs.append(_Job([(member, None)], min(member_size, SPOOL), long=True))
            continue
        batch.append((member, copy))
        size += min(member_size, SPOOL)
        if size >= BATCH or len(batch) >= BATCH_MEMBERS:
            jobs.append(_Job(batch, size))
            batch, size = [], 0
    if batch:
        jobs.append(_Job(batch, size))
    return jobs


class _Window:
    """The memory that prepared but unwritten members hold: estimated while their job runs, then counted from
    their spools (nothing for a member copied from the earlier zip or spilled to disk)."""

    def __init__(self, pool: ThreadPoolExecutor, level: int) -> None:
        self.pool, self.level = pool, level
        self.held = 0
        self.running: set[_Job] = set()

    def submit(self, job: _Job) -> None:
        job.future = self.pool.submit(_prepare_batch, job.batch, self.level)
        job.counted = job.estimate
        self.held += job.counted
        self.running.add(job)

    def settle(self) -> None:
        for job in [j for j in self.running if j.future.done()]:
            self.running.discard(job)
            ready = [] if job.future.exception() else job.future.result()
            actual = sum(r.spool.in_memory() for r in ready if r.spool is not None)
            self.held += actual - job.counted
            job.counted = actual

    def release(self, job: _Job) -> None:
        self.running.discard(job)
        self.held -= job.counted


def ready_members(members: list[Member], level: int, earlier: Earlier | None = None,
                  workers: int = WORKERS) -> Iterator[tuple[Member, Ready]]:
    """Each member with its ``Ready``, in the members' order, prepared on ``workers`` threads.

    The long deflates start first, longest first: one core spends seconds on a large database, and the other
    prepares everything else meanwhile.  The other jobs are submitted in order while what the unwritten ones
    hold stays under ``WINDOW`` (the next one always); the writer wakes whenever a job finishes, so the pool
    runs far ahead through the members it only has to check: those copied from the earlier zip hold nothing."""
    jobs = _jobs(members, earlier)
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="zip")
    window = _Window(pool, level)
    in_order = (job for job in jobs if not job.long)
    following = next(in_order, None)
    written = 0
    try:
        for job in sorted((j for j in jobs if j.long), key=lambda j: j.batch[0][0].size(), reverse=True):
            window.submit(job)
        for written, job in enumerate(jobs):
            while True:
                window.settle()
                while following is not None and (following is job or window.held < WINDOW):
                    window.submit(following)
                    following = next(in_order, None)
                if job.future.done():
                    break
                wait([j.future for j in window.running], return_when=FIRST_COMPLETED)
            for (member, _), ready in zip(job.batch, job.future.result()):
                yield member, ready
            window.release(job)
        written = len(jobs)
    finally:
        for job in jobs[written:]:  # stopped early (an error): drop what was prepared
            if job.future is not None and not job.future.cancel() and not job.future.exception():
                _close(job.future.result())
        pool.shutdown(wait=True)


def write_zip(out, members: list[Member], date_time: tuple[int, ...], level: int, earlier: Earlier | None = None,
              workers: int = WORKERS) -> list[Written]:
    """``members`` written to the binary file ``out`` as zipfile writes them; how each was laid out."""
    writer = ZipWriter(out, date_time)
    for member, ready in ready_members(members, level, earlier, workers):
        writer.add(member.name, member.method, ready.crc, ready.file_size, ready.compress_size,
                   ready.blocks(earlier), member.sha256)
    return writer.close()
