"""One error type for everything the build rejects.

Every message names where the problem is (a file and line, or a table and
row id) and the field, so a curator can go straight to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Pos:
    """Where a value is written in a hand-map: 1-based line and column."""

    line: int | None
    column: int | None = None


class BuildError(Exception):
    def __init__(self, where: str | Path, message: str, *, line: int | Pos | None = None,
                 row: str | None = None, field: str | None = None, column: int | None = None) -> None:
        if isinstance(line, Pos):
            line, column = line.line, line.column
        self.where = str(where)
        self.line = line
        self.column = column if line is not None else None
        self.row = row
        self.field = field
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        loc = self.where
        if self.line is not None:
            loc += f":{self.line}"
            if self.column is not None:
                loc += f":{self.column}"
        if self.row is not None:
            loc += f" [row {self.row}]"
        if self.field is not None:
            loc += f" field {self.field}"
        return f"{loc}: {self.message}"
