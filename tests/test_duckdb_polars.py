"""DuckDB and polars read the published Parquet in dist/ directly, with the declared types."""

from __future__ import annotations

import pytest
from conftest import ROOT

from rusprk.metadata import RESOURCE_ORDER, RESOURCES

DIST = ROOT / "dist"
EVENT = "evt-2018-05-31-kim-receives-lavrov"


def _pq(name: str) -> str:
    return str(DIST / f"{name}.parquet")


@pytest.fixture(scope="module")
def duck():
    import duckdb

    con = duckdb.connect()
    yield con
    con.close()


@pytest.mark.parametrize("name", RESOURCE_ORDER)
def test_duckdb_reads_each_table_with_declared_types(duck, frames, name):
    want = {"string": "VARCHAR", "integer": "BIGINT", "boolean": "BOOLEAN", "date": "DATE"}
    described = duck.execute("DESCRIBE SELECT * FROM read_parquet(?)", [_pq(name)]).fetchall()
    assert [(r[0], r[1]) for r in described] == [(f.name, want[f.type]) for f in RESOURCES[name].fields]
    assert duck.execute("SELECT count(*) FROM read_parquet(?)", [_pq(name)]).fetchone()[0] == len(frames[name])


def test_duckdb_joins_events_to_people_through_participants(duck, frames):
    got = duck.execute(
        """
        SELECT pe.person_id, pe.name, p.role
        FROM read_parquet(?) AS e
        JOIN read_parquet(?) AS p ON p.event_id = e.event_id
        JOIN read_parquet(?) AS pe ON pe.person_id = p.person_id
        WHERE e.event_id = ?
        ORDER BY pe.person_id, p.role
        """,
        [_pq("events"), _pq("participants"), _pq("people"), EVENT],
    ).fetchall()
    ev, parts, people = frames["events"], frames["participants"], frames["people"]
    m = (ev.loc[ev.event_id == EVENT, ["event_id"]]
         .merge(parts[["event_id", "person_id", "role"]], on="event_id")
         .merge(people[["person_id", "name"]], on="person_id"))
    want = sorted((str(a), str(b), str(c)) for a, b, c in zip(m.person_id, m.name, m.role))
    assert want, f"{EVENT} has no person participants: the test would prove nothing"
    assert [tuple(map(str, r)) for r in got] == want


@pytest.mark.parametrize("name", RESOURCE_ORDER)
def test_polars_reads_each_table_directly(frames, name):
    import polars as pl

    import rusprk

    df = pl.read_parquet(_pq(name))
    res = RESOURCES[name]
    want = {"string": pl.String, "integer": pl.Int64, "boolean": pl.Boolean, "date": pl.Date}
    assert df.columns == res.field_names
    assert df.dtypes == [want[f.type] for f in res.fields]
    # The same values the loader returns (its vocabularies are Enums; read directly they are strings).
    loaded = rusprk.load(name, backend="polars")
    loaded = loaded.with_columns([pl.col(f.name).cast(pl.String) for f in res.fields if f.enum])
    assert df.equals(loaded)
    assert df.height == len(frames[name])
