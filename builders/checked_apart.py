"""Stages 1-3 in a child process, so that their working memory ends with it.

Merging a large corpus's parts and checking its rows leaves the build's heap
far larger than the tables it makes: at 2,000 seeds the tables are about
100 MB of Arrow data, but the rows they were made from, as Python dicts, and
the readings of the hand-maps raise the process to about 950 MB, which
Python's allocator keeps after they are freed, and every later step of the
build stood on top of it.  Here the stages run in a forked child, which sends
back only what the build needs from them: each table as an Arrow IPC stream,
and each seed's regions as JSON.  Where each row was written (a hand-map and
line) is needed only to report a meaning rule's problem: it is not sent, and
a build that has one to report runs the stages again in its own process to
find it, from the parts the child has just cached.  The build's own process
never holds the rows as dicts otherwise.

The result cannot depend on where it was made: the tables come back exactly
as they were made (the IPC stream keeps the schema and its metadata; tested),
and a child that fails does not decide anything.  Its BuildError is raised
again, field for field, in the build's process, and any other failure (the
child killed, a message cut short) makes the build run the stages itself,
which then raises whatever the stages raise, exactly as a build without a
child does.  Where fork is not Linux's (the build needs its cheap, safe fork
of a process with no threads) the stages run in-process.
"""

from __future__ import annotations

import json
import os
import struct
import sys
from collections.abc import Mapping
from pathlib import Path

from builders.errors import BuildError

_LENGTH = struct.Struct("<Q")
#: The BuildError fields that are sent back, as its constructor takes them.
_ERROR_FIELDS = ("where", "message", "line", "column", "row", "field")
_OK, _BUILD_ERROR = 0, 3


def made_tables(root: Path, cache: str | None = None) -> tuple[dict, dict, Mapping]:
    """``builders.build.made_tables(root, cache=cache)``'s (rows, tables, origin), made in a child process where
    one can be forked."""
    from builders import build

    if sys.platform != "linux" or not hasattr(os, "fork"):
        return build.made_tables(root, cache=cache)
    got = _in_child(root, cache)
    return got if got is not None else build.made_tables(root, cache=cache)


def _in_child(root: Path, cache: str | None):
    read_end, write_end = os.pipe()
    _flush()  # nothing buffered before the fork is written twice
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(read_end)
        _child(root, cache, write_end)
    os.close(write_end)
    reaped = False
    try:
        with os.fdopen(read_end, "rb") as fh:
            data = fh.read()
        _, status = os.waitpid(pid, 0)
        reaped = True
        code = os.waitstatus_to_exitcode(status)
        if code == _BUILD_ERROR:
            error = _decoded_error(data)
            if error is not None:
                raise error
        got = decoded(data) if code == _OK else None
        if got is None:
            return None
        rows, tables = got
        # Where each row was written: the stages read again (their parts now cached) if a rule has a problem.
        from builders import build

        return rows, tables, Origin(lambda: build.made_tables(root, cache=cache)[2])
    finally:
        if not reaped:  # interrupted while the child works: it is not left running
            try:
                os.kill(pid, 9)
                os.waitpid(pid, 0)
            except (ChildProcessError, ProcessLookupError):
                pass


def _child(root: Path, cache: str | None, fd: int) -> None:
    code = 1
    try:
        from builders import build

        try:
            rows, tables, _ = build.made_tables(root, cache=cache)
        except BuildError as exc:
            with os.fdopen(fd, "wb") as fh:
                fh.write(json.dumps({name: getattr(exc, name) for name in _ERROR_FIELDS}).encode("utf-8"))
            code = _BUILD_ERROR
        else:
            with os.fdopen(fd, "wb") as fh:
                encoded(rows, tables, fh)
            code = _OK
    except BaseException:  # noqa: BLE001 - the build's process runs the stages again and reports it
        code = 1
    finally:
        _flush()
        os._exit(code)  # not the parent's exit handlers, nor its buffers


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001 - a closed stream: nothing to keep
            pass


def encoded(rows: dict, tables: dict, out) -> None:
    """Write the result to the binary file ``out``: its JSON (the sources' rows are made again from their
    table), then each table's IPC stream, each after its length.  A stream is measured
    first (``MockOutputStream`` keeps nothing) and then written straight to ``out``, so that no table is
    held twice."""
    import pyarrow as pa

    head = json.dumps({"regions": rows["regions"], "tables": list(tables)}).encode("utf-8")
    out.write(_LENGTH.pack(len(head)) + head)
    sink = pa.PythonFile(out, mode="w")
    for table in tables.values():
        size = pa.MockOutputStream()
        for stream in (size, sink):
            if stream is sink:
                out.write(_LENGTH.pack(size.size()))
            with pa.ipc.new_stream(stream, table.schema) as writer:
                writer.write_table(table)
    sink.flush()


def decoded(data: bytes) -> tuple[dict, dict] | None:
    """``encoded``'s (rows, tables) again, or None if the bytes are not a whole message."""
    import pyarrow as pa

    try:
        view = memoryview(data)
        (n,), at = _LENGTH.unpack_from(view, 0), _LENGTH.size
        head = json.loads(bytes(view[at:at + n]))
        at += n
        buffer = pa.py_buffer(data)
        tables = {}
        for name in head["tables"]:
            (n,) = _LENGTH.unpack_from(view, at)
            at += _LENGTH.size
            if at + n > len(data):
                return None
            table = pa.ipc.open_stream(buffer.slice(at, n)).read_all()
            # An empty table comes back with no chunks; made in-process it has one empty chunk.
            tables[name] = table if table.num_rows else table.schema.empty_table()
            at += n
        if at != len(data):
            return None
        regions = {sid: [tuple(r) for r in spans] for sid, spans in head["regions"].items()}
    except (ValueError, KeyError, TypeError, struct.error, pa.ArrowException):
        return None
    return {"sources": tables["sources"].to_pylist(), "regions": regions}, tables


class Origin(Mapping):
    """(table, row id) -> (hand-map, line), as ``builders.tables.Tables.origin``, made by ``load`` when first
    asked: a build whose rows pass the meaning rules never asks."""

    def __init__(self, load) -> None:
        self._load, self._dict = load, None

    def _mapping(self) -> dict:
        if self._dict is None:
            self._dict = self._load()
        return self._dict

    def __getitem__(self, key):
        return self._mapping()[key]

    def __iter__(self):
        return iter(self._mapping())

    def __len__(self) -> int:
        return len(self._mapping())


def _decoded_error(data: bytes) -> BuildError | None:
    try:
        fields = json.loads(data)
        where, message = fields.pop("where"), fields.pop("message")
        return BuildError(where, message, **{k: fields[k] for k in _ERROR_FIELDS[2:]})
    except (ValueError, KeyError, TypeError):
        return None
