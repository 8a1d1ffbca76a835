"""Reading a package: descriptor, files, hashes, Parquet in batches, and the CSV twin.

``read_tables`` yields one ``TableInput`` per table in RESOURCE_ORDER: the
problems found reading it, its rows as Arrow batches of the types
``rusprk.metadata`` declares (from the Parquet copy, or the CSV when it is
alone), and a ``CsvTwin`` that checks the CSV copy against those batches as
they stream by.  Nothing here checks rules; ``rusprk.validate.stream`` does.
"""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Callable, Iterator

from rusprk.metadata import RESOURCE_ORDER, RESOURCES, resource
from rusprk.validate.report import Problem, flat as _flat, report as _report

#: Rows per batch the Parquet copy is read in (half a row group as pyarrow writes them: 1 << 20 rows).
PARQUET_BATCH = 1 << 19
#: Rows the CSV twin renders at once.
CSV_SLICE = 1 << 16


def column_problems(name: str, got: list[str], where: str | None) -> list[Problem]:
    want = resource(name).field_names
    out = [Problem(name, where, c, "column missing") for c in want if c not in got]
    out += [Problem(name, where, c, "unexpected column") for c in got if c not in want]
    out += [Problem(name, where, c, "column given twice") for c in sorted({c for c in got if got.count(c) > 1})]
    if not out and got != want:
        first = next(w for g, w in zip(got, want) if g != w)
        out.append(Problem(name, where, first, f"columns out of order: expected {', '.join(want)}"))
    return out


def from_pandas(name: str, df) -> tuple[object | None, list[Problem]]:
    import pyarrow as pa

    from rusprk._types import arrow_schema

    if isinstance(df, pa.Table):
        got = df.column_names
    else:
        got = [str(c) for c in df.columns]
    problems = column_problems(name, got, None)
    if any(not p.message.startswith("columns out of order") for p in problems):
        return None, problems  # missing or unexpected columns: the rules cannot be applied
    schema = arrow_schema(resource(name))
    arrays = []
    for field in schema:
        col = df.column(field.name) if isinstance(df, pa.Table) else df[field.name]
        try:
            if isinstance(df, pa.Table):
                arr = col.combine_chunks()
            else:
                arr = pa.array(col.astype(object) if str(col.dtype) == "category" else col, from_pandas=True)
            arrays.append(arr if arr.type == field.type else arr.cast(field.type))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError, TypeError, ValueError) as exc:
            problems.append(Problem(name, None, field.name, f"column cannot be read as {field.type}: {exc}"))
    if len(arrays) != len(schema):
        return None, problems
    return nullable_table(arrays, schema), problems


def single_chunks(t):
    """The same table with one chunk per column, so the checks take columns without copying."""
    import pyarrow as pa

    return pa.Table.from_arrays([_flat(c) for c in t.columns], schema=t.schema)


def nullable_table(arrays, schema):
    import pyarrow as pa

    return pa.Table.from_arrays(arrays, schema=pa.schema([f.with_nullable(True) for f in schema]))


def inside(base: Path, rel: str) -> tuple[Path | None, str | None]:
    """``base/rel`` if it stays inside ``base`` (no absolute path, '..', URL or escaping symlink)."""
    if not rel or "://" in rel or "\\" in rel or PureWindowsPath(rel).drive:
        return None, f"path {rel!r} is not a relative POSIX path inside the package"
    p = PurePosixPath(rel)
    if p.is_absolute() or ".." in p.parts:
        return None, f"path {rel!r} escapes the package"
    path = base / Path(*p.parts)
    try:
        if not path.resolve().is_relative_to(base.resolve()):
            return None, f"path {rel!r} resolves outside the package (symlink)"
    except OSError as exc:
        return None, f"path {rel!r} cannot be resolved: {exc}"
    return path, None


def utf8_problem(name: str, data: bytes, label: str) -> Problem | None:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return Problem(name, f"{label}:{line}", "encoding", f"invalid UTF-8 at byte {exc.start} (line {line})")
    return None


def parse_column(f, text):
    """Text cells -> (values of the field's Arrow type, cells that are not valid values)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if f.type == "integer":
        ok = pc.match_substring_regex(text, r"^-?[0-9]{1,19}$")
        try:
            value = pc.cast(pc.if_else(ok, text, pa.scalar(None, pa.string())), pa.int64())
        except pa.ArrowInvalid:  # beyond int64: only 19-digit numbers can be, so look at those alone
            long = pc.indices_nonzero(pc.and_(ok, pc.greater_equal(pc.utf8_length(text), 19))).to_pylist()
            fits = [-(2**63) <= int(text[i].as_py()) < 2**63 for i in long]
            mask = [True] * len(text)
            for i, fit in zip(long, fits):
                mask[i] = fit
            ok = pc.and_(ok, pa.array(mask))
            value = pc.cast(pc.if_else(ok, text, pa.scalar(None, pa.string())), pa.int64())
    elif f.type == "boolean":  # the descriptor's trueValues / falseValues
        ok = pc.is_in(text, value_set=pa.array(["true", "false"]))
        value = pc.if_else(ok, pc.equal(text, "true"), pa.scalar(None, pa.bool_()))
    else:  # date: ISO 8601 calendar dates that exist
        ok = pc.match_substring_regex(text, r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
        candidates = pc.if_else(ok, text, pa.scalar(None, pa.string()))
        try:  # the fast, strict cast fails on the whole column if one day does not exist (2018-02-30) ...
            value = pc.cast(candidates, pa.date32())
        except pa.ArrowInvalid:  # ... then strptime (which rolls 02-30 over to 03-02) finds which
            stamp = pc.strptime(candidates, format="%Y-%m-%d", unit="s", error_is_null=True)
            day = pc.cast(pc.utf8_slice_codeunits(candidates, 8, 10), pa.int64())
            ok = pc.and_(ok, pc.fill_null(pc.equal(pc.day(stamp), day), False))
            value = pc.cast(pc.if_else(ok, stamp, pa.scalar(None, stamp.type)), pa.date32())
    return value, pc.and_(pc.is_valid(text), pc.invert(pc.fill_null(ok, False)))


def read_csv(name: str, data: bytes, label: str):
    """CSV bytes -> (Arrow table with the metadata's types or None, cells that failed to convert, problems)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    from rusprk._types import arrow_schema

    res, problems = resource(name), []
    if data.startswith(b"\xef\xbb\xbf"):
        problems.append(Problem(name, label, "encoding", "file starts with a byte-order mark"))
        data = data[3:]
    end = data.find(b"\n")
    header = next(csv.reader([data[: end if end >= 0 else len(data)].decode("utf-8", "replace")]), [])
    problems += column_problems(name, header, label)
    if any(f not in header for f in res.field_names) or len(set(header)) != len(header):
        return None, {}, problems
    options = dict(parse_options=pacsv.ParseOptions(newlines_in_values=True),
                   convert_options=pacsv.ConvertOptions(
                       column_types={c: pa.string() for c in header}, strings_can_be_null=True, null_values=[""],
                       quoted_strings_can_be_null=True))
    try:  # pyarrow checks UTF-8 itself; Python decodes only to locate a bad byte
        raw = pacsv.read_csv(pa.BufferReader(data), **options)
    except (pa.ArrowInvalid, ValueError) as exc:
        bad_utf8 = utf8_problem(name, data, label)
        if bad_utf8 is None:
            problems.append(Problem(name, label, None, f"cannot parse CSV: {exc}"))
            return None, {}, problems
        problems.append(bad_utf8)
        # Go on with replacement characters: the text checks then name the row and field.
        raw = pacsv.read_csv(pa.BufferReader(data.decode("utf-8", "replace").encode("utf-8")), **options)
    del data
    arrays, bad_cells = [], {}
    for f in res.fields:
        text = raw.column(f.name)
        if f.type == "string":
            arrays.append(text)
            continue
        value, bad = parse_column(f, text)
        if pc.any(bad).as_py():
            bad_cells[f.name] = bad
            _report(problems, name, raw, bad, f.name, f"value is not a valid {f.type}", text)
        arrays.append(value)
    return nullable_table(arrays, arrow_schema(res)), bad_cells, problems


def compare(name: str, pq_t, csv_t, csv_bad: dict, label: str) -> list[Problem]:
    """The CSV and Parquet copies of a table hold the same values (cells the CSV could not convert excepted)."""
    import pyarrow.compute as pc

    if pq_t.num_rows != csv_t.num_rows:
        pk = resource(name).primary_key[0]
        return [Problem(name, label, pk, f"CSV has {csv_t.num_rows} rows, Parquet {pq_t.num_rows}")]
    out: list[Problem] = []
    for f in resource(name).fields:
        a, b = pq_t.column(f.name), csv_t.column(f.name)
        same = pc.fill_null(pc.or_kleene(pc.equal(a, b), pc.and_(pc.is_null(a), pc.is_null(b))), False)
        differ = pc.invert(same)
        if f.name in csv_bad:
            differ = pc.and_(differ, pc.invert(csv_bad[f.name]))
        _report(out, name, pq_t, differ, f.name, "CSV and Parquet copies disagree; CSV has", b)
    return out


def check_schema(name: str, entry: dict, base: Path, label: str) -> list[Problem]:
    """The table schema the descriptor gives (inline or by path) names the metadata's fields and types."""
    schema = entry.get("schema")
    if isinstance(schema, str):
        path, why = inside(base, schema)
        if path is None or not path.is_file():
            return [Problem(name, label, "schema", why or f"schema file {schema} missing")]
        try:
            schema = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            return [Problem(name, label, "schema", f"cannot read schema {schema}: {exc}")]
    if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list):
        return [Problem(name, label, "schema", "no table schema with fields")]
    res = resource(name)
    got = [(f.get("name"), f.get("type")) for f in schema["fields"] if isinstance(f, dict)]
    want = [(f.name, f.type) for f in res.fields]
    out = []
    if got != want:
        diff = next(((g, w) for g, w in zip(got, want) if g != w), (got[len(want):] or [None], want[len(got):]))
        out.append(Problem(name, label, "schema", f"schema fields differ from rusprk.metadata: {diff[0]} "
                                                  f"where {diff[1]} is expected"))
    if schema.get("primaryKey") != list(res.primary_key):
        out.append(Problem(name, label, "schema", f"primaryKey must be {list(res.primary_key)}"))
    return out


def hash_ok(problems: list, name: str, label: str, entry: dict, digest, size: int) -> bool:
    want, have = str(entry.get("hash", "")), "sha256:" + digest.hexdigest()
    if want != have:
        problems.append(Problem(name, label, "hash", f"sha256 mismatch: descriptor {want}, file {have}"))
        return False
    if entry.get("bytes") != size:
        problems.append(Problem(name, label, "bytes", f"size mismatch: descriptor {entry.get('bytes')}, file {size}"))
    return True


def csv_rows(name: str, t):
    """Rows as ``builders.publish.csv_bytes`` writes them (minimal quoting, LF, ISO dates, true/false, empty
    for null), column-wise in Arrow, as an Arrow buffer; None when no CSV holds exactly these values (an
    empty string, which CSV cannot tell from null).  Used only to recognise a CSV that needs no parsing:
    whenever the bytes differ the CSV is parsed and compared cell by cell instead, so nothing is missed."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    cols = []
    fields = resource(name).fields
    for i, (field, c) in enumerate(zip(fields, t.columns)):
        c = _flat(c)
        if pa.types.is_boolean(c.type):
            c = pc.if_else(c, "true", "false")
        elif pa.types.is_string(c.type):
            if c.null_count < len(c) and pc.any(pc.equal(pc.binary_length(c), 0)).as_py():
                return None
            specials = csv_specials(c)  # a cheap scan first: most columns hold no comma, quote or line break
            if specials:
                needs = pc.match_substring_regex(c, '[,"\r\n]')
                escaped = pc.replace_substring(c, '"', '""') if b'"' in specials else c
                c = pc.if_else(needs, pc.binary_join_element_wise('"', escaped, '"', ""), c)
        else:
            c = pc.cast(c, pa.string())
        if c.null_count:
            c = pc.fill_null(c, "")
        if i == len(fields) - 1:  # the line break joins the last cell alone, not each whole line again
            c = pc.binary_join_element_wise(c, "\n", "")
        cols.append(c)
    lines = _flat(pc.binary_join_element_wise(*cols, ","))
    if not len(lines):
        return pa.py_buffer(b"")
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32, count=len(lines) + 1, offset=lines.offset * 4)
    return lines.buffers()[2].slice(int(offsets[0]), int(offsets[-1] - offsets[0]))  # no copy


def csv_specials(c) -> set:
    """Which of comma, quote and line breaks occur in string array ``c`` (a scan of its bytes)."""
    import numpy as np

    if not len(c) or c.buffers()[2] is None:
        return set()
    offsets = np.frombuffer(c.buffers()[1], dtype=np.int32, count=len(c) + 1, offset=c.offset * 4)
    data = bytes(memoryview(c.buffers()[2])[offsets[0]:offsets[-1]])
    return {ch for ch in (b",", b'"', b"\n", b"\r") if ch in data}


class ParquetReadError(Exception):
    """The Parquet copy failed part-way (a page that does not decode, a value that does not cast)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(map(str, problems)))


class ParquetSource:
    """A Parquet file's rows as batches with the metadata's column order and types."""

    def __init__(self, name: str, path: Path, label: str) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        from rusprk._types import arrow_schema

        self.name, self.label, self.path = name, label, path
        self.schema = arrow_schema(resource(name))
        self.problems: list[Problem] = []
        self.usable = False
        try:  # ParquetFile: pq.read_table would import pyarrow.dataset for nothing
            got = pq.ParquetFile(str(path)).schema_arrow
        except (pa.ArrowException, OSError, ValueError) as exc:
            self.problems.append(Problem(name, label, None, f"cannot read Parquet: {exc}"))
            return
        self.problems += column_problems(name, got.names, label)
        res = resource(name)
        if any(f not in got.names for f in res.field_names) or len(set(got.names)) != len(got.names):
            return
        for field in self.schema:
            have = got.field(field.name).type
            if have != field.type:
                self.problems.append(Problem(name, label, field.name, f"Parquet column has type {have}, "
                                                                    f"expected {field.type}"))
        self.usable = True

    def batches(self) -> Iterator:
        """Arrow tables of PARQUET_BATCH rows (one chunk per column); ParquetReadError if one fails."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        names = [f.name for f in self.schema]
        try:
            reader = pq.ParquetFile(str(self.path))
            for rb in reader.iter_batches(batch_size=PARQUET_BATCH, columns=names):
                arrays = []
                for field in self.schema:
                    c = rb.column(field.name)
                    try:
                        arrays.append(c if c.type == field.type else c.cast(field.type))
                    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                        raise ParquetReadError([]) from exc  # the type problem is already reported
                yield nullable_table(arrays, self.schema)
        except (pa.ArrowException, OSError, ValueError) as exc:  # (a ParquetReadError above passes through)
            raise ParquetReadError([Problem(self.name, self.label, None, f"cannot read Parquet: {exc}")]) from exc

    def whole(self):
        """All rows as one table."""
        return concat(list(self.batches()), self.schema)


def concat(batches: list, schema):
    """One table with one chunk per column from Arrow tables of ``schema`` (empty when there are none)."""
    return join_columns({f.name: [_flat(b.column(f.name)) for b in batches] for f in schema}, schema)


def join_columns(pieces: dict, schema):
    """One table from each column's arrays (column name -> list), the fields typed as in ``schema``.

    The lists are emptied as each column is joined, so a caller that hands
    over its only references never holds two copies of every column at once.
    """
    import pyarrow as pa

    names, arrays = list(pieces), []
    for c in names:
        chunks = pieces.pop(c)
        arrays.append(chunks[0] if len(chunks) == 1 else pa.concat_arrays(chunks) if chunks
                      else pa.array([], schema.field(c).type))
        del chunks
    return pa.Table.from_arrays(arrays, schema=pa.schema([schema.field(c).with_nullable(True) for c in names]))


def slices(t, rows: int | None) -> Iterator:
    """A table as consecutive slices of ``rows`` rows (the whole table when rows is None)."""
    if rows is None or t.num_rows <= rows:
        yield t
        return
    for lo in range(0, t.num_rows, rows):
        yield t.slice(lo, rows)


class CsvTwin:
    """A table's CSV copy checked against its Parquet rows as they stream by, hashing the file in the same
    pass.  With ``shortcut``, each batch is written as CSV the way the build writes it and compared with
    the file's next bytes; a file that equals that rendering holds exactly the Parquet rows and is never
    parsed.  Otherwise (or if the bytes differ anywhere), ``finish`` parses it and compares cell by cell."""

    def __init__(self, name: str, path: Path, label: str, entry: dict, check_hashes: bool, shortcut: bool,
                 parquet: ParquetSource) -> None:
        self.name, self.path, self.label, self.entry = name, path, label, entry
        self.check_hashes, self.parquet = check_hashes, parquet
        self.digest, self.size = hashlib.sha256(), 0
        self.fh = open(path, "rb")  # noqa: SIM115 (closed by finish)
        self.scratch = bytearray()
        self.same = shortcut
        if self.same:
            import pyarrow as pa

            self._expect(pa.py_buffer((",".join(resource(name).field_names) + "\n").encode("utf-8")))

    def _expect(self, piece) -> None:
        """Read as many bytes as ``piece`` (an Arrow buffer) holds, hash them and compare."""
        import pyarrow as pa

        if piece is None:  # rows no CSV can hold exactly: parse the file to say what it holds
            self.same = False
            return
        if len(self.scratch) < piece.size:  # one buffer read into again and again: no fresh pages each time
            self.scratch = bytearray(piece.size)
        view = memoryview(self.scratch)[: piece.size]
        got = self.fh.readinto(view)
        self.digest.update(view[:got])
        self.size += got
        if got != piece.size or not pa.py_buffer(view).equals(piece):
            self.same = False

    def feed(self, batch, pool=None) -> None:
        """Compare the next rows of the file with ``batch``; the pool (if any) renders slices meanwhile."""
        if not self.same:
            return
        parts = list(slices(batch, CSV_SLICE))
        # Queued last slice first: the pool's threads start from the end, this thread from the start.
        futures = {i: pool.submit(csv_rows, self.name, parts[i]) for i in reversed(range(len(parts)))} if pool else {}
        for i, part in enumerate(parts):
            f = futures.get(i)
            piece = f.result() if f is not None and not f.cancel() else csv_rows(self.name, part)
            self._expect(piece)
            if not self.same:
                for g in futures.values():
                    g.cancel()
                return

    def finish(self) -> list[Problem]:
        """Hash the rest of the file; the problems of the CSV copy."""
        problems: list[Problem] = []
        try:
            while block := self.fh.read(1 << 22):
                self.digest.update(block)
                self.size += len(block)
                self.same = False
        finally:
            self.fh.close()
        if self.check_hashes and not hash_ok(problems, self.name, self.label, self.entry, self.digest, self.size):
            return problems
        if self.same:
            return problems
        csv_t, bad, p = read_csv(self.name, self.path.read_bytes(), self.label)
        problems += p
        if csv_t is not None:
            problems += compare(self.name, self.parquet.whole(), csv_t, bad, self.label)
        return problems

    def close(self) -> None:
        self.fh.close()


@dataclass
class TableInput:
    """One table as read from a package (``name`` None: problems of the descriptor itself)."""
    name: str | None
    problems: list
    batches: Iterator | None = None  # Arrow tables of the metadata's schema, in row order
    csv: CsvTwin | None = None  # to be fed every batch, then finished
    fallback: Callable[[list], "TableInput"] | None = None  # the table from its CSV, should the Parquet fail

    def from_csv_instead(self, error: "ParquetReadError") -> "TableInput":
        """The table read from its CSV copy alone, after its Parquet copy failed part-way."""
        if self.csv is not None:
            self.csv.close()
        return self.fallback(error.problems)


def _file_hash(path: Path):
    """(sha256 of the file, its size), read in blocks."""
    with open(path, "rb") as fh:
        digest = hashlib.file_digest(fh, "sha256")
    return digest, path.stat().st_size


def _from_csv(name: str, path: Path, label: str, entry: dict, check_hashes: bool, problems: list) -> TableInput:
    data = path.read_bytes()
    if check_hashes and not hash_ok(problems, name, label, entry, hashlib.sha256(data), len(data)):
        return TableInput(name, problems)  # an untrusted file is not read further
    csv_t, _bad, p = read_csv(name, data, label)
    problems += p
    return TableInput(name, problems, None if csv_t is None else iter([single_chunks(csv_t)]))


def read_tables(descriptor_path: Path, check_hashes: bool = True, formats=("parquet", "csv"),
                shortcut: bool = True) -> Iterator[TableInput]:
    """One TableInput per table in RESOURCE_ORDER, after one with the descriptor's own problems.

    A table comes from its Parquet copy, checked against its CSV twin, or from the CSV when it is alone.
    """
    descriptor_path = Path(descriptor_path)
    base, dname = descriptor_path.parent, descriptor_path.name
    from rusprk.limits import PackageInputError, read_descriptor

    try:
        desc = read_descriptor(descriptor_path)
    except PackageInputError as exc:
        yield TableInput(None, [Problem("datapackage", dname, None, f"cannot read descriptor: {exc}")])
        return
    entries = desc.get("resources") if isinstance(desc, dict) else None
    if not isinstance(entries, list):
        yield TableInput(None, [Problem("datapackage", dname, "resources", "descriptor has no list of resources")])
        return
    problems: list[Problem] = []
    found: dict[tuple[str, str], dict] = {}
    for i, r in enumerate(entries):
        rname = str(r.get("name")) if isinstance(r, dict) else f"#{i + 1}"
        table = rname.removesuffix("-parquet")
        fmt = "parquet" if rname.endswith("-parquet") else "csv"
        if not isinstance(r, dict) or table not in RESOURCES:
            problems.append(Problem("datapackage", rname, "name", "resource is not a RUSPRK table"))
            continue
        path_text = str(r.get("path", ""))
        if r.get("format") != fmt or not path_text.endswith("." + fmt):
            problems.append(Problem(table, path_text, "format", f"resource {rname} must be a .{fmt} file "
                                                                f"with format {fmt!r}"))
            continue
        if (table, fmt) in found:
            problems.append(Problem(table, path_text, "name", f"resource {rname} listed twice"))
            continue
        found[(table, fmt)] = r
    yield TableInput(None, problems)
    for name in RESOURCE_ORDER:
        problems, parquet, csv_file = [], None, None
        for fmt in ("parquet", "csv"):  # Parquet first: its rows are what the CSV must hold
            if fmt not in formats:
                continue
            r = found.get((name, fmt))
            if r is None:
                problems.append(Problem(name, dname, "resources", f"the descriptor lists no {fmt} resource"))
                continue
            label = str(r.get("path"))
            if fmt == "csv":
                problems += check_schema(name, r, base, label)
            path, why = inside(base, label)
            if path is None:
                problems.append(Problem(name, label, "path", why))
                continue
            if not path.is_file():
                problems.append(Problem(name, label, "path", "file missing"))
                continue
            if fmt == "csv":
                csv_file = (path, label, r)
                continue
            if check_hashes and not hash_ok(problems, name, label, r, *_file_hash(path)):
                continue  # an untrusted file is not read further
            # Read from the file a row group at a time (not held whole in memory); it was hashed just now.
            source = ParquetSource(name, path, label)
            problems += source.problems
            parquet = source if source.usable else None
        if parquet is None:
            yield (_from_csv(name, *csv_file, check_hashes, problems) if csv_file else TableInput(name, problems))
            continue
        twin = CsvTwin(name, *csv_file, check_hashes, shortcut, parquet) if csv_file else None

        def fallback(more: list, name=name, csv_file=csv_file, problems=problems) -> TableInput:
            if csv_file is None:
                return TableInput(name, problems + more)
            return _from_csv(name, *csv_file, check_hashes, problems + more)

        yield TableInput(name, problems, parquet.batches(), twin, fallback)
