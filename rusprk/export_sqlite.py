"""Export the tables to one SQLite database (for Datasette, sqlite3, any SQL tool).

    >>> from rusprk.export_sqlite import export_sqlite, datasette_metadata
    >>> export_sqlite("rusprk.db")          # also: rusprk export sqlite rusprk.db
    >>> write_datasette_metadata("rusprk.db")   # metadata.json beside it

Everything in the database schema is derived from ``rusprk.metadata``:
declared types, NOT NULL, UNIQUE, PRIMARY KEY, FOREIGN KEY clauses, CHECK
constraints for vocabularies, booleans and integer ranges, and an index on
every key column.  Each CREATE TABLE carries the table and column
descriptions as SQL comments, so plain ``datasette rusprk.db`` (which shows
the schema on each table page) already explains every column; the Datasette
``metadata.json`` from ``datasette_metadata`` adds titles, licence and
source.

The file is byte-reproducible: rows go in in primary-key order into an
in-memory database that is then written out with ``VACUUM INTO`` (a compact,
freshly laid-out copy), and nothing time-dependent is stored.  The same data
and the same SQLite library give the same bytes (the file header records
the SQLite version that wrote it).
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from rusprk.metadata import ForeignKey, RESOURCE_ORDER, RESOURCES, VOCABULARIES, Field, Resource

__all__ = ["export_sqlite", "sqlite_bytes", "datasette_metadata", "write_datasette_metadata", "create_table_sql",
           "SQLITE_TYPES"]

#: Declared column types.  DATE and BOOLEAN have NUMERIC affinity in SQLite:
#: ISO dates stay text and booleans are stored as 0/1 (CHECKed below), while
#: the declared type (``PRAGMA table_info``, the schema Datasette shows) still
#: says what the column means.
SQLITE_TYPES = {"string": "TEXT", "integer": "INTEGER", "boolean": "BOOLEAN", "date": "DATE"}

#: Keys metadata cannot express as foreign keys: evidence points at a record
#: of any table through (record_table, record_id), so it gets an index only.
EXTRA_INDEXES: dict[str, tuple[tuple[str, ...], ...]] = {"evidence": (("record_table", "record_id"),)}

#: The evidence columns each link table repeats, so its page shows the quotes themselves.
LINK_COLUMNS = ("evidence_id", "source_id", "quote", "context", "attributed_to", "char_start", "char_end")


def evidence_link(table: str) -> Resource:
    """``<table>_evidence``: the evidence rows of one table, with real foreign keys.

    ``evidence.record_id`` points into whichever table ``record_table`` names,
    which SQL cannot declare; tools that follow foreign keys (Datasette links
    a row to the rows that refer to it) need one table per target.  Derived
    from the evidence table and the metadata: never a second source of truth.
    """
    res, ev = RESOURCES[table], RESOURCES["evidence"]
    pk = res.primary_key[0]
    fields = [ev.field("evidence_id"),
              Field(pk, "string", f"The {table} record the quote supports (evidence.record_id).", required=True)]
    fields += [ev.field(c) for c in LINK_COLUMNS[1:] if c != pk]
    fks = [ForeignKey(("evidence_id",), "evidence", ("evidence_id",)), ForeignKey((pk,), table, (pk,))]
    if pk != "source_id":
        fks.append(ForeignKey(("source_id",), "sources", ("source_id",)))
    return Resource(f"{table}_evidence", f"Evidence of {table}",
                    f"One row per quote supporting a {table} record (the evidence rows whose record_table is "
                    f"{table}), so that each record links to its quotes.", tuple(fields), ("evidence_id",),
                    tuple(fks))


#: Every table a quote can support gets its link table.
LINKED_TABLES = tuple(n for n in RESOURCE_ORDER if n != "evidence")


def _q(name: str) -> str:
    """Quote an identifier."""
    return '"' + name.replace('"', '""') + '"'


def _lit(value: str) -> str:
    """Quote a string literal."""
    return "'" + value.replace("'", "''") + "'"


def _comment(text: str) -> str:
    # A "--" comment runs to the end of the line, so the text must be one line.
    return "-- " + " ".join(text.split())


def _checks(f: Field) -> list[str]:
    col = _q(f.name)
    out = []
    if f.enum:
        out.append(f"{col} IN ({', '.join(_lit(v) for v in VOCABULARIES[f.enum])})")
    if f.type == "boolean":
        out.append(f"{col} IN (0, 1)")
    if f.type == "date":
        out.append(f"{col} = date({col})")  # an ISO 8601 calendar date, nothing else
    if f.type == "integer":
        out.append(f"typeof({col}) IN ('integer', 'null')")
        if f.minimum is not None:
            out.append(f"{col} >= {int(f.minimum)}")
        if f.maximum is not None:
            out.append(f"{col} <= {int(f.maximum)}")
    return out


def create_table_sql(res: Resource) -> str:
    """The CREATE TABLE statement for one table, with descriptions as comments."""
    lines = [f"CREATE TABLE {_q(res.name)} ( {_comment(res.description)}"]
    for f in res.fields:
        parts = [_q(f.name), SQLITE_TYPES[f.type]]
        if f.required:
            parts.append("NOT NULL")
        if f.unique and (f.name,) != tuple(res.primary_key):
            parts.append("UNIQUE")
        checks = _checks(f)
        if checks:
            parts.append("CHECK (" + " AND ".join(checks) + ")")
        lines.append("  " + " ".join(parts) + ", " + _comment(_column_description(f)))
    tail = [f"PRIMARY KEY ({', '.join(_q(k) for k in res.primary_key)})"]
    for fk in res.foreign_keys:
        tail.append(f"FOREIGN KEY ({', '.join(_q(c) for c in fk.fields)}) REFERENCES {_q(fk.resource)} "
                    f"({', '.join(_q(c) for c in fk.reference_fields)})")
    lines += ["  " + t + ("," if i < len(tail) - 1 else "") for i, t in enumerate(tail)]
    return "\n".join(lines) + "\n)"


def _index_sql(res: Resource) -> list[str]:
    """An index on every foreign-key column (the primary key has SQLite's own)."""
    keys: list[tuple[str, ...]] = [tuple(fk.fields) for fk in res.foreign_keys]
    keys += list(EXTRA_INDEXES.get(res.name, ()))
    out = []
    for cols in dict.fromkeys(keys):  # unique, in declaration order
        name = f"idx_{res.name}_{'_'.join(cols)}"
        out.append(f"CREATE INDEX {_q(name)} ON {_q(res.name)} ({', '.join(_q(c) for c in cols)})")
    return out


def _column_values(series, f: Field) -> list:
    """One pandas column as Python values SQLite stores: str, int, 0/1, ISO date, None."""
    import pandas as pd

    values = series.astype(object).where(series.notna(), None).tolist()
    if f.type == "date":
        return [None if v is None else pd.Timestamp(v).date().isoformat() for v in values]
    if f.type == "boolean":
        return [None if v is None else int(bool(v)) for v in values]
    if f.type == "integer":
        return [None if v is None else int(v) for v in values]
    return [None if v is None else str(v) for v in values]


#: Rows converted to Python values and inserted this many at a time: a table's rows as Python objects at once
#: (the evidence table's, at 2,000 seeds) would cost 150 MB.
SLICE_ROWS = 8192


def _rows(res: Resource, df) -> Iterator[list[tuple]]:
    """The table's rows as SQLite values, in primary-key order, a slice at a time."""
    if list(df.columns) != res.field_names:
        raise ValueError(f"table {res.name}: columns {list(df.columns)} are not the declared {res.field_names}")
    # Primary-key order, as in the published files; SQLite's default BINARY
    # collation orders UTF-8 text as Python orders str, so a scan agrees.
    keys = [_column_values(df[k], res.field(k)) for k in res.primary_key]
    order = sorted(range(len(df)), key=lambda i: tuple(col[i] for col in keys))
    del keys
    for at in range(0, len(order), SLICE_ROWS):
        part = df.iloc[order[at:at + SLICE_ROWS]]
        yield list(zip(*(_column_values(part[f.name], f) for f in res.fields)))


def _raise_first_bad_row(con: sqlite3.Connection, name: str, insert: str, slices: Iterable[list[tuple]]):
    """Name the row (by primary key) that the bulk insert stumbled on."""
    con.rollback()
    res = RESOURCES[name]
    pk = [res.field_names.index(k) for k in res.primary_key]
    con.execute(f"DELETE FROM {_q(name)}")
    for rows in slices:
        for row in rows:
            try:
                con.execute(insert, row)
            except sqlite3.IntegrityError as exc:
                rid = ",".join(str(row[i]) for i in pk)
                raise ValueError(f"table {name} [row {rid}]: breaks the schema: {exc}") from None
    raise AssertionError("unreachable: the bulk insert failed but no single row does")


def _fill(con: sqlite3.Connection, frames: dict) -> None:
    missing = [n for n in RESOURCE_ORDER if n not in frames]
    if missing:
        raise ValueError(f"tables missing from frames: {', '.join(missing)}")
    # Rows are checked as a whole afterwards: the events table refers to
    # itself (part_of_event_id), so row-by-row enforcement would depend on
    # insertion order rather than on the data.
    con.execute("PRAGMA foreign_keys = OFF")
    for name in RESOURCE_ORDER:
        con.execute(create_table_sql(RESOURCES[name]))
    for name in RESOURCE_ORDER:
        res = RESOURCES[name]
        insert = f"INSERT INTO {_q(name)} VALUES ({', '.join('?' for _ in res.fields)})"
        try:
            for rows in _rows(res, frames[name]):
                con.executemany(insert, rows)
        except sqlite3.IntegrityError:
            _raise_first_bad_row(con, name, insert, _rows(res, frames[name]))
    for table in LINKED_TABLES:
        link = evidence_link(table)
        con.execute(create_table_sql(link))
        cols = ", ".join("record_id" if f.name == RESOURCES[table].primary_key[0] else _q(f.name) for f in link.fields)
        con.execute(f"INSERT INTO {_q(link.name)} SELECT {cols} FROM evidence WHERE record_table = ? "
                    "ORDER BY evidence_id", (table,))
    for res in [RESOURCES[n] for n in RESOURCE_ORDER] + [evidence_link(t) for t in LINKED_TABLES]:
        for stmt in _index_sql(res):  # after the inserts: a fresh, compact index
            con.execute(stmt)
    bad = con.execute("PRAGMA foreign_key_check").fetchall()
    if bad:
        table, rowid, parent, _ = bad[0]
        pk = RESOURCES[table].primary_key[0]
        rid = con.execute(f"SELECT {_q(pk)} FROM {_q(table)} WHERE rowid = ?", (rowid,)).fetchone()[0]
        raise ValueError(f"table {table} [row {rid}]: refers to a missing {parent} record "
                         f"({len(bad)} foreign-key violation(s) in all)")
    con.commit()


#: ``PRAGMA application_id`` of every database written here ("RUSP"): how a later export knows the file
#: at its path is one of its own, which it may replace, and not someone's paper or database.
APPLICATION_ID = 0x52555350


class ExportRefused(Exception):
    """The export would replace something it did not make, or cannot write where it was asked to."""


def _is_own_database(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            header = fh.read(100)
    except OSError:
        return False
    return (len(header) == 100 and header.startswith(b"SQLite format 3\x00")
            and int.from_bytes(header[68:72], "big") == APPLICATION_ID)


def _is_own_metadata(path: Path) -> bool:
    try:
        meta = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(meta, dict) and "databases" in meta and str(meta.get("source", "")).startswith("RUSPRK ")


def check_target(path: Path, own, what: str, force: bool) -> None:
    """Refuse to write over anything but a regular file of our own making (any regular file with --force)."""
    import stat

    path = Path(path)
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        parent = path.parent
        if parent.exists() and not parent.is_dir():
            raise ExportRefused(f"{parent} is not a folder") from None
        if parent.is_dir() and not os.access(parent, os.W_OK):
            raise ExportRefused(f"{parent}: the folder is not writable") from None
        return  # a missing folder is made, as asked
    except OSError as exc:
        raise ExportRefused(f"{path}: {exc.strerror}") from None
    if stat.S_ISDIR(st.st_mode):
        raise ExportRefused(f"{path} is a folder: give a file name, e.g. {path / ('rusprk.db' if what == 'database' else 'metadata.json')}")
    if not stat.S_ISREG(st.st_mode):
        raise ExportRefused(f"{path} is not a regular file (a link, device or pipe): it is never replaced")
    if not force and not own(path):
        raise ExportRefused(f"{path} exists and is not a RUSPRK {what} written by this command: choose another "
                            "name, or give --force to replace it")
    if not os.access(path.parent, os.W_OK):
        raise ExportRefused(f"{path.parent}: the folder is not writable")


def _default_mode() -> int:
    """0o666 less the user's umask: the mode a plain ``open(..., "w")`` would give."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def export_sqlite(path, frames: dict | None = None, force: bool = False) -> Path:
    """Write every table to the SQLite database at ``path`` (replaced atomically); return the path.

    ``frames`` maps table name to a pandas DataFrame with the declared columns
    (as ``rusprk.load_all()`` returns, the default).  An existing file at
    ``path`` is replaced only if it is a database this function wrote
    (``APPLICATION_ID``), or with ``force``; a folder, link or device never.
    """
    path = Path(path)
    check_target(path, _is_own_database, "database", force)
    if frames is None:
        import rusprk

        frames = rusprk.load_all()
    path.parent.mkdir(parents=True, exist_ok=True)
    # Filled in a scratch file beside the target, not in memory: at 2,000 seeds the database is hundreds of
    # MB.  VACUUM INTO then writes a fresh, compact copy whose bytes depend only on the rows.
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=f".{path.name}.") as scratch:
        con = sqlite3.connect(Path(scratch) / "fill.db")
        try:
            con.execute("PRAGMA journal_mode = OFF")  # a scratch file: nothing to recover if the export stops
            con.execute("PRAGMA synchronous = OFF")
            _fill(con, frames)
            con.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            con.commit()
            tmp = Path(scratch) / "out.db"  # VACUUM INTO needs a path that does not exist yet
            con.execute("VACUUM INTO ?", (str(tmp),))
            os.chmod(tmp, _default_mode())
            os.replace(tmp, path)
        finally:
            con.close()
    return path


def sqlite_bytes(frames: dict | None = None) -> bytes:
    """The database as bytes (what ``export_sqlite`` writes), e.g. for a release folder."""
    with tempfile.TemporaryDirectory() as d:
        return export_sqlite(Path(d) / "rusprk.db", frames).read_bytes()


# ---------------------------------------------------------------------------
# Datasette metadata
# ---------------------------------------------------------------------------

def _column_description(f: Field) -> str:
    text = f.description
    if f.enum:
        text += " One of: " + ", ".join(VOCABULARIES[f.enum]) + "."
    if f.type == "boolean":
        text += " Stored as 1 (true) or 0 (false)."
    if f.null_means:
        text += " Empty: " + f.null_means
    return text


COLUMN_NOTES = " What each column means: below the rows (the schema) and in the codebook."


def datasette_metadata(db_name: str = "rusprk", descriptor: dict | None = None) -> dict:
    """Datasette's metadata.json for a database named ``db_name`` (the file name without .db).

    Title, description, licence and source come from the package descriptor
    (the installed ``datapackage.json`` by default); table and column
    descriptions from ``rusprk.metadata``.
    """
    if descriptor is None:
        from rusprk._load import _descriptor

        descriptor = _descriptor()
    licence = descriptor["licenses"][0]  # the data licence comes first (the code's is second)
    tables = {}
    for name in RESOURCE_ORDER:
        res = RESOURCES[name]
        # No per-column "columns" entry: Datasette would list every column's note above the rows.  The
        # notes are the schema's comments, shown below the rows, and in the codebook.
        table: dict = {"title": res.title, "description": res.description + COLUMN_NOTES}
        facets = [f.name for f in res.fields if f.enum]
        if facets:
            table["facets"] = facets
        tables[name] = table
    for name in LINKED_TABLES:
        link = evidence_link(name)
        tables[link.name] = {"title": link.title, "description": link.description + COLUMN_NOTES}
    n_sources = len(descriptor.get("sources", []))
    return {
        "title": f"{descriptor['title']} (version {descriptor['version']})",
        "description": descriptor["description"],
        "license": licence["name"],
        "license_url": licence["path"],
        "source": f"RUSPRK {descriptor['version']}, curated from {n_sources} news articles (see the sources table)",
        "source_url": descriptor["homepage"],
        "databases": {db_name: {"tables": tables}},
    }


def write_datasette_metadata(db_path, out=None, descriptor: dict | None = None, force: bool = False) -> Path:
    """Write Datasette's metadata.json for ``db_path`` (default: beside it, where
    ``datasette FOLDER`` finds it); return its path.  An existing file there is
    replaced only if it is RUSPRK's Datasette metadata, or with ``force``."""
    db_path = Path(db_path)
    out = Path(out) if out is not None else db_path.with_name("metadata.json")
    if out.resolve() == db_path.resolve():
        raise ExportRefused(f"{out}: the metadata cannot be written over the database")
    check_target(out, _is_own_metadata, "Datasette metadata file", force)
    meta = datasette_metadata(db_path.stem, descriptor)
    data = (json.dumps(meta, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, _default_mode())
        os.replace(tmp, out)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return out
