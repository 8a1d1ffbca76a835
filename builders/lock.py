"""One build at a time in one tree.

``rusprk build`` holds an exclusive ``flock`` on ``.cache/build.lock`` for its
whole run.  The kernel releases the lock when the process ends, however it
ends, so a lock is never stale; the file records the holder's pid only so the
refusal can say who holds it.  A second build refuses at once with that
message (it does not wait: a curator should see that another build is
running, not a hang).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

from builders.errors import BuildError

LOCK = Path(".cache") / "build.lock"


@contextlib.contextmanager
def build_lock(root: Path):
    path = Path(root) / LOCK
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            raise BuildError(path, f"another build (pid {holder}) is running in this tree; try again when it "
                                   "has finished", field="lock") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock
