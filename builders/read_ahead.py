"""Read the old release's files into memory in a helper process while the build makes the new ones.

The build compares every output with the old release's file before it hard-links it
(``builders.atomic.Staging.put``): at 2,000 seeds, 38,000 site pages.  Where the old pages have left
memory since the last build (on this project's machines the kernel pages out file data unused for a
minute), each comparison waits for the disk: 250 µs a page, 9.6 s for the site, against 40 µs from memory.
Asking the kernel to read them ahead (``posix_fadvise(WILLNEED)``) costs a few system calls a file, but the
requests queue behind the disk, so the asking is done by a helper process: a thread would wait for the
interpreter lock after every call, and this process would wait for the disk.  The helper reads nothing
itself and the build reads nothing from it: a hint, which can change how long a build takes, never what it
writes, and a build without it (no ``posix_fadvise``, the helper failing to start, stopped early) is the
same build.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

# The helper: every regular file under each folder in turn (sorted, not through symlinks), opened without
# waiting (a FIFO would otherwise block) and advised.  Run with -I -S: no site-packages, nothing imported.
_HELPER = r"""
import os, sys

def advise(folder):
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            advise(entry.path)
        elif entry.is_file(follow_symlinks=False):
            try:
                fd = os.open(entry.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
            except OSError:
                continue
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_WILLNEED)
            except OSError:
                pass
            finally:
                os.close(fd)

for folder in sys.argv[1:]:
    advise(folder)
"""


class ReadAhead:
    """The helper for ``folders`` (in that order), started at once; ``stop`` ends it if it is still running."""

    def __init__(self, folders: list[Path]) -> None:
        self._child: subprocess.Popen | None = None
        present = [str(f) for f in folders if os.path.isdir(f)]
        if not present or not hasattr(os, "posix_fadvise") or not sys.executable:
            return
        try:
            self._child = subprocess.Popen([sys.executable, "-I", "-S", "-c", _HELPER, *present],
                                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                           stderr=subprocess.DEVNULL)
        except OSError:
            self._child = None

    @property
    def running(self) -> bool:
        return self._child is not None and self._child.poll() is None

    def wait(self, timeout: float | None = None) -> int | None:
        """The helper's exit status once it has ended (None if it never started)."""
        return None if self._child is None else self._child.wait(timeout)

    def stop(self) -> None:
        if self._child is None:
            return
        if self._child.poll() is None:
            self._child.kill()
        self._child.wait()
