"""What the build reads, and how much of it: checked before anything is parsed.

A seed or a hand-map is a file a curator (or anyone sending one) supplies.
Each must be a regular file (not a device, a pipe or a link to one: a
hand-map linked to /dev/zero never ends), within a size, with lines within a
length and YAML nested within a depth, and free of control characters.  Each
refusal is one line naming the file, the line and the column where it can.
The limits are far above any real article or hand-map (the largest seed is
4 kB, the largest hand-map 40 kB) and are listed in docs/security.md.
"""

from __future__ import annotations

import re
from pathlib import Path

from builders.errors import BuildError
from rusprk.validate.rules import CONTROL_CHARS

MAX_SEED_BYTES = 2_000_000
MAX_HANDMAP_BYTES = 2_000_000
MAX_LINE_CHARS = 100_000
MAX_YAML_DEPTH = 40

_CONTROL = re.compile(CONTROL_CHARS)


def read_regular(path: Path, limit: int, what: str) -> bytes:
    """``rusprk.limits.read_regular``, refusing as the build does (a BuildError naming the file)."""
    from rusprk.limits import PackageInputError, read_regular as read

    try:
        return read(path, limit, what)
    except PackageInputError as exc:
        raise BuildError(path, exc.reason, field="file") from None


def decode_strict(path: Path, data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise BuildError(path, f"the {what} is not valid UTF-8 at byte {exc.start} (column {column}): {exc.reason}",
                         line=line, field="encoding") from None


def check_text(path: Path, text: str, what: str) -> None:
    """No control character but TAB and LF, and no line longer than MAX_LINE_CHARS."""
    m = _CONTROL.search(text)
    if m:
        line = text.count("\n", 0, m.start()) + 1
        column = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
        raise BuildError(path, f"the {what} holds a control character U+{ord(m.group()):04X} at column {column}: "
                               "only TAB and LF are allowed", line=line, field="text")
    for n, line in enumerate(text.split("\n"), start=1):
        if len(line) > MAX_LINE_CHARS:
            raise BuildError(path, f"line is {len(line):,} characters long; the limit is {MAX_LINE_CHARS:,}",
                             line=n, field="text")
