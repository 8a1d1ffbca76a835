"""Outputs made again only when what they are made from has changed.

Most of ``dist/`` is made from a few tables: a table's Parquet, CSV and
``.dta`` files from its rows alone, the annotations from the evidence and the
tables that place a quote on a page.  Each such file is recorded in
``.cache/outputs.json`` under a key that hashes what it is made from (the
SHA-256 of each of those tables' Arrow data), the release's version and
``created``, every line of ``builders/`` and ``rusprk/``, and the versions
of the libraries that write the formats.  A later build whose key for the
file is the same takes the file from the current ``dist/`` (a hard link)
instead of making it, after checking that the file there still has the
recorded SHA-256.  An edit to one record's notes thus rewrites the events
table's files, not the evidence table's.

The record is trusted only as a whole (``builders.cache``'s checksum), and
a file is taken only after its bytes are hashed again, so a missing or
garbled record, or a ``dist/`` file changed by hand, means the file is made
again: never a different output from a clean build's.  The record is
written only after ``dist/`` is published, and lists only what that build
staged.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from pathlib import Path

RECORD = Path(".cache") / "outputs.json"


def table_digest(table) -> str:
    """The SHA-256 of an Arrow table's schema and data, as Arrow's IPC stream writes them (the same rows and
    chunks give the same stream, whatever made them)."""
    import pyarrow as pa

    h = hashlib.sha256()

    class _Sink:  # pyarrow writes its stream straight into the hash, never the whole stream in memory
        closed = False

        def write(self, data) -> int:
            h.update(data)
            return len(data)

        def flush(self) -> None:
            pass

    with pa.ipc.new_stream(pa.PythonFile(_Sink(), mode="w"), table.schema) as writer:
        writer.write_table(table)
    return h.hexdigest()


def _code_digest() -> str:
    """Every file of builders/ and rusprk/ that is code, and the libraries whose versions shape a format's
    bytes."""
    import sqlite3
    import sys
    import zlib

    import numpy
    import pandas
    import pyarrow
    import xlsxwriter

    from builders.cache import part_code_hash

    versions = (f"python {sys.version} pyarrow {pyarrow.__version__} pandas {pandas.__version__} "
                f"numpy {numpy.__version__} xlsxwriter {xlsxwriter.__version__} sqlite {sqlite3.sqlite_version} "
                f"zlib {zlib.ZLIB_RUNTIME_VERSION}")
    return hashlib.sha256((part_code_hash() + "\0" + versions).encode()).hexdigest()


class Reuse:
    """The files of one build's ``dist/`` (an ``atomic.Staging``) that can be taken from the last build's."""

    def __init__(self, root: Path, files, tables: dict, version: str, created: str) -> None:
        from builders import cache

        self.root, self.files = Path(root), files
        self._tables = tables
        self._digests: dict[str, str] = {}
        self._salt = f"{_code_digest()}\0{version}\0{created}"
        old = cache.get(self.root / RECORD.parent, RECORD.stem)
        self._old = old if isinstance(old, dict) else {}
        self._new: dict[str, dict] = {}
        self.taken: list[str] = []  # what this build took from the last one, for tests and the curious

    def _key(self, rel: str, tables: Iterable[str], extra: str) -> str:
        h = hashlib.sha256(f"{self._salt}\0{rel}\0{extra}".encode())
        for name in tables:
            if name not in self._digests:
                self._digests[name] = table_digest(self._tables[name])
            h.update(f"\0{name}\0{self._digests[name]}".encode())
        return h.hexdigest()

    def _take(self, rel: str, key: str) -> bool:
        """Link the last build's ``rel`` into the staging if it was made from the same key and still holds
        what it held then."""
        entry = self._old.get(rel)
        if not isinstance(entry, dict) or entry.get("key") != key or not isinstance(entry.get("sha256"), str):
            return False
        # The linked file is hashed: the recorded SHA-256 is never taken on trust.
        digest = self.files.keep_old(rel)
        if digest is None:
            return False
        if digest != entry["sha256"]:  # changed since that build: made again in its place
            self.files.drop(rel)
            return False
        self.taken.append(rel)
        return True

    def put(self, rel: str, tables: Iterable[str], make: Callable[[], bytes], extra: str = "") -> None:
        """Stage ``rel``: the last build's file if its key is unchanged, else ``make()``'s bytes."""
        key = self._key(rel, tables, extra)
        if not self._take(rel, key):
            self.files.put(rel, make())
        self._new[rel] = {"key": key, "sha256": self.files.hashes[rel]}

    def write(self, rel: str, tables: Iterable[str], write: Callable[[Path], None], extra: str = "") -> None:
        """As ``put``, for a file made by ``write(path)`` straight to disk (a large one)."""
        key = self._key(rel, tables, extra)
        if not self._take(rel, key):
            write(self.files.path_for(rel))
            self.files.adopt(rel)
        self._new[rel] = {"key": key, "sha256": self.files.hashes[rel]}

    def save(self) -> None:
        """Record what this build staged; called once its ``dist/`` is published."""
        from builders import cache

        cache.put(self.root / RECORD.parent, RECORD.stem, self._new)
