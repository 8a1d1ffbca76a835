"""One error type for everything the build rejects.

Every message names where the problem is (a file and line, or a table and
row id) and the field, so a curator can go straight to it.
"""

from __future__ import annotations

from pathlib import Path


class BuildError(Exception):
    def __init__(self, where: str | Path, message: str, *, line: int | None = None,
                 row: str | None = None, field: str | None = None) -> None:
        self.where = str(where)
        self.line = line
        self.row = row
        self.field = field
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        loc = self.where
        if self.line is not None:
            loc += f":{self.line}"
        if self.row is not None:
            loc += f" [row {self.row}]"
        if self.field is not None:
            loc += f" field {self.field}"
        return f"{loc}: {self.message}"
