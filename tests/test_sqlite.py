"""The SQLite export: schema from rusprk.metadata, every row, clean keys, reproducible bytes, browsable in Datasette."""

from __future__ import annotations

import asyncio
import csv
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from rusprk.export_sqlite import LINKED_TABLES, SQLITE_TYPES, datasette_metadata, export_sqlite
from rusprk.metadata import RESOURCE_ORDER, RESOURCES, VOCABULARIES


@pytest.fixture(scope="module")
def db_path(tmp_path_factory, frames):
    return export_sqlite(tmp_path_factory.mktemp("sqlite") / "rusprk.db", frames)


@pytest.fixture()
def con(db_path):
    c = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    yield c
    c.close()


def test_tables_are_the_package_tables_and_their_evidence_links(con):
    got = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert got == set(RESOURCE_ORDER) | {f"{t}_evidence" for t in LINKED_TABLES}


@pytest.mark.parametrize("table", LINKED_TABLES)
def test_each_link_table_is_the_evidence_of_its_table_with_real_keys(con, table):
    pk = RESOURCES[table].primary_key[0]
    link = f"{table}_evidence"
    got = con.execute(f'SELECT evidence_id, "{pk}", quote FROM "{link}" ORDER BY evidence_id').fetchall()
    want = con.execute("SELECT evidence_id, record_id, quote FROM evidence WHERE record_table = ? "
                       "ORDER BY evidence_id", (table,)).fetchall()
    assert got == want
    fks = {(r[3], r[2]) for r in con.execute(f'PRAGMA foreign_key_list("{link}")')}
    assert {("evidence_id", "evidence"), (pk, table)} <= fks
    assert ("source_id", "sources") in fks or pk == "source_id"


@pytest.mark.parametrize("name", RESOURCE_ORDER)
def test_columns_types_nullability_and_primary_key(con, name):
    res = RESOURCES[name]
    info = con.execute(f'PRAGMA table_info("{name}")').fetchall()  # cid, name, type, notnull, default, pk
    assert [r[1] for r in info] == res.field_names
    for (_, col, decl, notnull, _, pk), f in zip(info, res.fields):
        assert decl == SQLITE_TYPES[f.type], f"{name}.{col}"
        assert bool(notnull) == f.required, f"{name}.{col}"
        assert pk == (res.primary_key.index(col) + 1 if col in res.primary_key else 0), f"{name}.{col}"


@pytest.mark.parametrize("name", RESOURCE_ORDER)
def test_foreign_keys_match_metadata(con, name):
    rows = con.execute(f'PRAGMA foreign_key_list("{name}")').fetchall()  # id, seq, table, from, to, ...
    got = {(r[3], r[2], r[4]) for r in rows}
    want = {(fk.fields[0], fk.resource, fk.reference_fields[0]) for fk in RESOURCES[name].foreign_keys}
    assert got == want


def test_foreign_key_check_is_clean(con):
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    # ...and the check can fail: a dangling reference is reported.
    mem = sqlite3.connect(":memory:")
    con.backup(mem)
    mem.execute("UPDATE participants SET event_id = 'evt-nonexistent' WHERE rowid = 1")
    assert [r[2] for r in mem.execute("PRAGMA foreign_key_check")] == ["events"]


def _indexed_first_columns(con, name) -> set[str]:
    out = set()
    for idx in con.execute(f'PRAGMA index_list("{name}")').fetchall():
        cols = con.execute(f'PRAGMA index_info("{idx[1]}")').fetchall()
        out.add(cols[0][2])
    return out


@pytest.mark.parametrize("name", RESOURCE_ORDER)
def test_every_key_column_is_indexed(con, name):
    res = RESOURCES[name]
    keys = {res.primary_key[0]} | {fk.fields[0] for fk in res.foreign_keys}
    missing = keys - _indexed_first_columns(con, name)
    assert not missing, f"{name}: no index on {sorted(missing)}"
    if name == "evidence":
        assert "record_table" in _indexed_first_columns(con, name)


def _as_csv_text(value, decl: str) -> str:
    if value is None:
        return ""
    if decl == "BOOLEAN":
        return {1: "true", 0: "false"}[value]
    return str(value)


@pytest.mark.parametrize("name", RESOURCE_ORDER)
def test_rows_equal_the_published_csv_in_order(con, frames, name):
    """Every value, in primary-key order, as the independently written CSV in dist/ has it."""
    res = RESOURCES[name]
    decls = [SQLITE_TYPES[f.type] for f in res.fields]
    got = [[_as_csv_text(v, d) for v, d in zip(row, decls)]
           for row in con.execute(f'SELECT * FROM "{name}" ORDER BY rowid')]
    with (ROOT / "dist" / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
        want = list(csv.reader(fh))[1:]
    assert len(got) == len(frames[name])
    assert got == want


def test_stored_types(con):
    """Dates are ISO text, booleans and integers are integers (not text)."""
    for name in RESOURCE_ORDER:
        for f in RESOURCES[name].fields:
            kinds = {r[0] for r in con.execute(f'SELECT DISTINCT typeof("{f.name}") FROM "{name}"')} - {"null"}
            want = {"string": {"text"}, "date": {"text"}, "integer": {"integer"}, "boolean": {"integer"}}[f.type]
            assert kinds <= want, f"{name}.{f.name}: {kinds}"


def test_vocabularies_are_enforced(db_path):
    mem = sqlite3.connect(":memory:")
    sqlite3.connect(db_path).backup(mem)
    field = next(f for f in RESOURCES["events"].fields if f.enum)
    assert "not-a-value" not in VOCABULARIES[field.enum]
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        mem.execute(f'UPDATE events SET "{field.name}" = \'not-a-value\' WHERE rowid = 1')
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        mem.execute("UPDATE events SET russia_dprk = 2 WHERE rowid = 1")


def test_dangling_reference_names_table_and_row(tmp_path, frames):
    broken = dict(frames)
    p = frames["participants"].copy()
    p.loc[p.index[0], "event_id"] = "evt-nonexistent"
    broken["participants"] = p
    with pytest.raises(ValueError, match=re.escape(f"participants [row {p.loc[p.index[0], 'participant_id']}]")):
        export_sqlite(tmp_path / "x.db", broken)
    assert not (tmp_path / "x.db").exists()


def test_bytes_are_reproducible(tmp_path, db_path, frames):
    # Another process, and rows handed over in another order: the same bytes.
    shuffled = {n: df.sample(frac=1, random_state=7) for n, df in frames.items()}
    export_sqlite(tmp_path / "shuffled.db", shuffled)
    assert (tmp_path / "shuffled.db").read_bytes() == db_path.read_bytes()
    code = "import sys; from rusprk.export_sqlite import export_sqlite; export_sqlite(sys.argv[1])"
    subprocess.run([sys.executable, "-c", code, str(tmp_path / "again.db")], cwd=ROOT, check=True)
    assert (tmp_path / "again.db").read_bytes() == db_path.read_bytes()


# ---------------------------------------------------------------------------
# Datasette
# ---------------------------------------------------------------------------

def test_metadata_is_derived(frames):
    import rusprk
    from rusprk._load import _descriptor

    meta = datasette_metadata("rusprk")
    desc = _descriptor()
    assert desc["version"] in meta["title"] and meta["license"] == desc["licenses"][0]["name"]
    tables = meta["databases"]["rusprk"]["tables"]
    assert list(tables) == list(RESOURCE_ORDER) + [f"{t}_evidence" for t in LINKED_TABLES]
    for name in RESOURCE_ORDER:
        res = RESOURCES[name]
        assert tables[name]["description"].startswith(res.description) and res.description == rusprk.tables()[name]
        # Column notes live in the schema (below the rows), not in a list Datasette puts above them.
        assert "columns" not in tables[name]


def _first_pk(con, name) -> str:
    pk = RESOURCES[name].primary_key[0]
    return con.execute(f'SELECT "{pk}" FROM "{name}" ORDER BY rowid LIMIT 1').fetchone()[0]


@pytest.fixture()
def links_plugin():
    """The plugin the wheel registers through its entry point, registered by hand (the checkout is not installed)."""
    from datasette.plugins import pm

    import rusprk.datasette_links as plugin

    pm.register(plugin, name="rusprk-links-test")
    yield plugin
    pm.unregister(name="rusprk-links-test")


def test_the_wheel_registers_the_plugin_for_datasette():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["entry-points"]["datasette"] == {"rusprk": "rusprk.datasette_links"}


def test_datasette_serves_every_table_and_a_row_of_each(db_path, con, links_plugin):
    from datasette.app import Datasette
    from datasette.utils import tilde_encode
    from markupsafe import escape

    meta = datasette_metadata(db_path.stem)
    pks = {name: _first_pk(con, name) for name in RESOURCE_ORDER}

    async def run():
        ds = Datasette([str(db_path)], metadata=meta)
        await ds.invoke_startup()
        for name in RESOURCE_ORDER:
            res = RESOURCES[name]
            r = await ds.client.get(f"/{db_path.stem}/{name}")
            assert r.status_code == 200, name
            assert str(escape(res.description)) in r.text, name
            n = con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
            assert f"{n:,} row" in r.text, name
            # The rows come first; every column's note follows them (the schema's comments).
            rows_at = r.text.index('class="rows-and-columns"')
            for f in res.fields:
                assert r.text.index(str(escape(f"-- {f.description}"))) > rows_at, (name, f.name)
            row_url = f"/{db_path.stem}/{name}/{tilde_encode(pks[name])}"
            r = await ds.client.get(row_url)
            assert r.status_code == 200, row_url
            assert str(escape(pks[name])) in r.text, row_url
            r = await ds.client.get(row_url + ".json?_shape=objects")
            assert r.status_code == 200, row_url
            assert r.json()["rows"][0][res.primary_key[0]] == pks[name]

    asyncio.run(run())


def test_a_records_page_links_to_its_quotes_their_sources_and_every_reference(db_path, con, links_plugin):
    """One click from an event's page to its evidence quotes, each linked to its source; its place is a link."""
    import re

    from datasette.app import Datasette
    from markupsafe import escape

    event = "evt-2018-05-31-kim-receives-lavrov"
    place, country = con.execute("SELECT place_id, country_iso3 FROM events WHERE event_id = ?", (event,)).fetchone()
    quotes = con.execute("SELECT quote, source_id FROM evidence WHERE record_table = 'events' AND record_id = ?",
                         (event,)).fetchall()

    async def run():
        ds = Datasette([str(db_path)], metadata=datasette_metadata(db_path.stem))
        await ds.invoke_startup()
        page = (await ds.client.get(f"/rusprk/events/{event}")).text
        evidence_link = f"/rusprk/events_evidence?event_id={event}"
        assert f'href="{evidence_link}"' in page
        assert re.search(rf'href="{re.escape(evidence_link)}">\s*{len(quotes)} rows</a>', page)
        assert f'href="/rusprk/places/{place}"' in page and f'href="/rusprk/countries/{country}"' in page
        listing = (await ds.client.get(evidence_link)).text
        for quote, source in quotes:
            assert str(escape(quote)) in listing
            assert f'href="/rusprk/sources/{source}"' in listing
        # The evidence table itself links each row to the record it supports.
        table = (await ds.client.get("/rusprk/evidence?record_table=events&record_id=" + event)).text
        assert f'href="/rusprk/events/{event}"' in table

    asyncio.run(run())


def test_plain_datasette_shows_descriptions_from_the_schema(db_path):
    """`datasette rusprk.db` with no metadata.json still shows each column's description (SQL comments)."""
    from datasette.app import Datasette
    from markupsafe import escape

    async def run():
        ds = Datasette([str(db_path)])
        await ds.invoke_startup()
        r = await ds.client.get(f"/{db_path.stem}/events")
        assert r.status_code == 200
        for f in RESOURCES["events"].fields:
            assert str(escape(f"-- {f.description}")) in r.text, f.name

    asyncio.run(run())


def test_metadata_json_beside_the_database_is_found_by_datasette_folder_mode(db_path, tmp_path):
    """`rusprk export sqlite DIR/rusprk.db` writes DIR/metadata.json; `datasette DIR` picks both up."""
    import json
    import shutil

    from datasette.app import Datasette
    from markupsafe import escape

    from rusprk.export_sqlite import write_datasette_metadata

    folder = tmp_path / "browse"
    folder.mkdir()
    db = Path(shutil.copy(db_path, folder / "rusprk.db"))
    meta_path = write_datasette_metadata(db)
    assert meta_path == folder / "metadata.json"
    assert json.loads(meta_path.read_text(encoding="utf-8")) == datasette_metadata("rusprk")

    async def run():
        ds = Datasette([str(db)], config_dir=folder)
        await ds.invoke_startup()
        r = await ds.client.get("/rusprk/gifts")
        assert r.status_code == 200
        title = datasette_metadata("rusprk")["databases"]["rusprk"]["tables"]["gifts"]["title"]
        assert str(escape(title)) in r.text

    asyncio.run(run())


def test_cli_export_sqlite_writes_database_and_metadata(tmp_path, db_path):
    import json

    import rusprk.cli as cli

    if '"export"' not in Path(cli.__file__).read_text(encoding="utf-8"):
        pytest.skip("`rusprk export sqlite` is not wired into rusprk/cli.py yet")
    assert cli.main(["export", "sqlite", str(tmp_path / "rusprk.db")]) == 0
    assert (tmp_path / "rusprk.db").read_bytes() == db_path.read_bytes()
    assert json.loads((tmp_path / "metadata.json").read_text(encoding="utf-8")) == datasette_metadata("rusprk")


# ---------------------------------------------------------------------------
# Writing only what it was asked to write (issue 12)
# ---------------------------------------------------------------------------

def _export(*args, cwd):
    import os

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "rusprk", "export", "sqlite", *args], cwd=cwd, env=env,
                          capture_output=True, text=True)


def test_export_refuses_to_replace_a_file_it_did_not_write(tmp_path):
    paper = tmp_path / "paper.tex"
    paper.write_text("\\\\documentclass{article}\n")
    out = _export("paper.tex", cwd=tmp_path)
    assert out.returncode == 2 and "is not a RUSPRK database" in out.stderr and "Traceback" not in out.stderr
    assert paper.read_text() == "\\\\documentclass{article}\n" and not (tmp_path / "metadata.json").exists()
    # Its own database it replaces; another's with --force only.
    assert _export("rusprk.db", cwd=tmp_path).returncode == 0
    assert _export("rusprk.db", cwd=tmp_path).returncode == 0
    assert _export("paper.tex", "--force", "--no-metadata", cwd=tmp_path).returncode == 0
    assert paper.read_bytes().startswith(b"SQLite format 3\x00")


def test_export_refuses_an_unrelated_metadata_json_before_writing_anything(tmp_path):
    (tmp_path / "metadata.json").write_text('{"title": "my own Datasette"}\n')
    out = _export("rusprk.db", cwd=tmp_path)
    assert out.returncode == 2 and "metadata.json exists and is not a RUSPRK Datasette metadata" in out.stderr
    assert not (tmp_path / "rusprk.db").exists()
    assert (tmp_path / "metadata.json").read_text() == '{"title": "my own Datasette"}\n'


def test_export_never_replaces_a_folder_a_link_or_a_device(tmp_path):
    (tmp_path / "folder").mkdir()
    (tmp_path / "link.db").symlink_to(tmp_path / "elsewhere.db")
    for target in ("folder", "link.db", "/dev/null"):
        out = _export(target, "--force", cwd=tmp_path)
        assert out.returncode == 2 and "Traceback" not in out.stderr, out.stderr
        assert "is a folder" in out.stderr or "not a regular file" in out.stderr
    assert (tmp_path / "folder").is_dir() and (tmp_path / "link.db").is_symlink()
    assert not (tmp_path / "elsewhere.db").exists()


def test_export_keeps_the_users_umask(tmp_path):
    import os

    code = ("import os, sys; os.umask(0o027); from rusprk.cli import main; "
            "sys.exit(main(['export', 'sqlite', 'x.db']))")
    subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True)
    assert (tmp_path / "x.db").stat().st_mode & 0o777 == 0o640
    assert (tmp_path / "metadata.json").stat().st_mode & 0o777 == 0o640


@pytest.mark.parametrize("slice_rows", [1, 7, 100])
def test_the_database_does_not_depend_on_how_many_rows_go_in_at_once(frames, monkeypatch, slice_rows):
    """Rows are converted and inserted a slice at a time (memory); the bytes are those of one slice."""
    import rusprk.export_sqlite as export

    # Shuffled rows: the slices must come from the primary-key order, not the frame's.
    shuffled = {name: df.sample(frac=1, random_state=3).reset_index(drop=True) for name, df in frames.items()}
    monkeypatch.setattr(export, "SLICE_ROWS", 10 ** 9)
    whole = export.sqlite_bytes(shuffled)
    assert whole == export.sqlite_bytes(frames)
    monkeypatch.setattr(export, "SLICE_ROWS", slice_rows)
    assert export.sqlite_bytes(shuffled) == whole


def test_a_bad_row_in_a_later_slice_is_named(frames, monkeypatch):
    import rusprk.export_sqlite as export

    monkeypatch.setattr(export, "SLICE_ROWS", 50)
    evidence = frames["evidence"].copy()
    last = evidence["evidence_id"].sort_values().iloc[-1]
    evidence.loc[evidence["evidence_id"] == last, "source_id"] = None  # NOT NULL, in the last slice
    with pytest.raises(ValueError, match=rf"table evidence \[row {re.escape(last)}\]: breaks the schema"):
        export.sqlite_bytes({**frames, "evidence": evidence})
