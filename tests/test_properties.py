"""Properties of RUSPRK packages, checked with hypothesis (issue 4).

(a) Any valid package written as Parquet and CSV loads back equal, with the declared dtypes, in both.
(b) ``rusprk validate`` accepts every generated valid package.
(c) The build is deterministic and independent of the order of hand-map entries and of seeds.
(d) Date invariants hold on the real data, and the validator enforces them on generated data.
(e) Every reference resolves and ids are unique on the real data, ids are stable across rebuilds,
    and the validator catches a dangling reference or a duplicate id in generated data.
(f) Quote location for any substring of any seed: tests/test_quotes.py.

Generated packages come from tests/strategies.py; the writers are builders.publish's own.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from unittest import mock

import pandas.testing as pdt
import pytest
import yaml
from hypothesis import HealthCheck, Phase, assume, example, given, settings, strategies as st

import rusprk
import rusprk._load as loader
import conftest
from conftest import ROOT
from rusprk._types import pandas_dtypes
from rusprk.metadata import RESOURCE_ORDER, RESOURCES, VOCABULARIES, resource
from rusprk.validate import Mode, check_frames, derived_id, read_package, references, validate_package
from strategies import frames_of, packages, write_package

FORM_ONLY = dataclasses.replace(Mode.fast(), meaning=False)


def slow(examples: int) -> settings:
    """Settings for tests whose examples write packages or run builds: no deadline, few examples."""
    return settings(max_examples=examples, deadline=None, suppress_health_check=[
        HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture])


def _problems_at(problems, table, row, field) -> bool:
    return any(p.table == table and p.row == row and p.field == field for p in problems)


# ---------------------------------------------------------------------------
# The strategies reach what they claim to
# ---------------------------------------------------------------------------

@slow(2)
@given(packages(cover=True))
def test_cover_packages_reach_every_value(rows):
    """Every vocabulary value, both booleans, and null and set for every optional field occur."""
    assert not check_frames(frames_of(rows))
    for name in RESOURCE_ORDER:
        res = resource(name)
        assert rows[name], f"{name} is empty"
        for f in res.fields:
            values = [r[f.name] for r in rows[name]]
            if f.enum:
                assert set(values) - {None} == set(VOCABULARIES[f.enum]), (name, f.name)
            if f.type == "boolean":
                assert set(values) == {False, True}, (name, f.name)
            if not f.required:
                assert None in values and any(v is not None for v in values), (name, f.name)
    for name in ("events", "gifts"):
        assert {r["date_precision"] for r in rows[name]} == set(VOCABULARIES["date_precision"])


def test_packages_include_empty_tables():
    """The empty package, and packages with each table empty while others are not, are drawn too."""
    seen: set[str] = set()
    optional = [t for t in RESOURCE_ORDER if t not in ("sources", "evidence")]  # no record without those

    @settings(max_examples=120, phases=[Phase.generate], database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(packages())
    def draw(rows):
        if not any(rows.values()):
            seen.add("all")
        for name in optional:
            if rows["sources"] and not rows[name] and any(rows[t] for t in optional if t != name):
                seen.add(name)

    draw()
    assert seen == {"all", *optional}


# ---------------------------------------------------------------------------
# (a) Round trip through both formats, (b) the validator accepts valid packages
# ---------------------------------------------------------------------------

def _load_through_rusprk(directory: Path) -> dict:
    """rusprk.load_all() on another package: the loader reads data_dir(), pointed here for the call."""
    with mock.patch.object(loader, "data_dir", lambda: directory):
        loader._descriptor.cache_clear()
        try:
            return rusprk.load_all()
        finally:
            loader._descriptor.cache_clear()


_CR = {name: [] for name in RESOURCE_ORDER}  # a lone carriage return in a value must survive the CSV
_CR["sources"] = [{
    "source_id": "src-cr", "seed_file": "000_0000000000000000.txt", "sha256": "0" * 64, "title": "a\rb",
    "publisher": None, "publisher_inferred": False, "authors": None, "url": None, "date_published": None,
    "date_published_precision": "unknown", "date_published_note": "\r", "language": "en",
    "machine_translated": False, "machine_translated_inferred": False, "original_language": None,
    "photo_credits": None, "notes": None}]
_CR["evidence"] = [{"record_table": "sources", "record_id": "src-cr", "source_id": "src-cr", "region": "title", "context": False,
                    "quote": "a\rb", "char_start": 0, "char_end": 3, "byte_start": 0, "byte_end": 3,
                    "attributed_to": None}]
_CR["evidence"][0]["evidence_id"] = derived_id("evidence", _CR["evidence"][0])


@slow(30)
@example(_CR)
@given(packages())
def test_parquet_and_csv_round_trip(rows):
    with tempfile.TemporaryDirectory() as d:
        write_package(rows, Path(d))
        want = frames_of(rows)
        from_parquet = _load_through_rusprk(Path(d))
        from_csv, problems = read_package(Path(d) / "datapackage.json", formats=("csv",))
        assert not problems
        for name in RESOURCE_ORDER:
            declared = pandas_dtypes(resource(name))
            for got in (from_parquet[name], from_csv[name]):
                assert {c: got[c].dtype for c in got.columns} == declared, name
                pdt.assert_frame_equal(got, want[name], check_exact=True)


@slow(30)
@given(packages())
def test_validator_accepts_generated_packages(rows):
    """Generated packages are valid in form (their quotes are random text that names nobody), so the
    validator's form checks accept them all; the meaning rules are tested on the real hand-maps
    (tests/test_meaning_rules.py) and the corruption catalogue."""
    assert check_frames(frames_of(rows)) == []
    with tempfile.TemporaryDirectory() as d:
        assert validate_package(write_package(rows, Path(d)), None, FORM_ONLY) == []


@slow(2)
@given(packages(cover=True))
def test_cli_accepts_generated_packages(rows):
    with tempfile.TemporaryDirectory() as d:
        write_package(rows, Path(d))
        run = subprocess.run([sys.executable, "-m", "rusprk", "validate", d, "--form-only"], capture_output=True, text=True,
                             cwd=d, env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert run.returncode == 0, run.stdout + run.stderr


# ---------------------------------------------------------------------------
# (c) Deterministic, order-independent builds
# ---------------------------------------------------------------------------

BUILD_INPUTS = [*conftest.BUILD_INPUTS, "requirements.lock"]
OUTPUTS = ["dist", "schemas", "datapackage.json"]
EPOCH = "1700000000"

# Runs the build with the seeds handed to the builder in a shuffled order.
_DRIVER = """
import random, sys
sys.path.insert(0, sys.argv[1])
import builders.tables as tables
load = tables.load_parts
def shuffled(root, *args, **kwargs):
    parts = load(root, *args, **kwargs)
    random.Random(int(sys.argv[2])).shuffle(parts)
    return parts
tables.load_parts = shuffled
from builders.build import main
sys.exit(main([sys.argv[1]]))
"""


def _copy_inputs(work: Path) -> Path:
    work.mkdir(parents=True)
    for name in BUILD_INPUTS:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, work / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif src.is_file():
            shutil.copy2(src, work / name)
    return work


def _build(work: Path, seed_order: int | None = None) -> None:
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    cmd = ([sys.executable, "-c", _DRIVER, str(work), str(seed_order)] if seed_order is not None
           else [sys.executable, "-m", "rusprk", "build"])
    run = subprocess.run(cmd, cwd=work, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def _tree(base: Path) -> dict[str, bytes]:
    out = {}
    for rel in OUTPUTS:
        p = base / rel
        files = [p] if p.is_file() else sorted(q for q in p.rglob("*") if q.is_file())
        out.update({q.relative_to(base).as_posix(): q.read_bytes() for q in files})
    return out


@pytest.fixture(scope="module")
def baseline(tmp_path_factory) -> Path:
    work = _copy_inputs(tmp_path_factory.mktemp("baseline") / "work")
    _build(work)
    return work


def _shuffle_lists(node, rng: random.Random) -> bool:
    """Shuffle every list in a parsed hand-map in place; True if any order changed."""
    changed = False
    if isinstance(node, dict):
        for v in node.values():
            changed |= _shuffle_lists(v, rng)
    elif isinstance(node, list):
        before = list(node)
        rng.shuffle(node)
        changed |= any(a is not b for a, b in zip(before, node))
        for v in node:
            changed |= _shuffle_lists(v, rng)
    return changed


@slow(3)
@given(st.integers(0, 2**32 - 1))
def test_build_ignores_handmap_and_seed_order(baseline, seed):
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as d:
        work = _copy_inputs(Path(d) / "work")
        changed = False
        for path in sorted((work / "builders" / "handmaps").glob("*.yaml")):
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            changed |= _shuffle_lists(data, rng)
            path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10**6),
                            encoding="utf-8")
        assume(changed)
        _build(work, seed_order=seed)
        built, want = _tree(work), _tree(baseline)
        assert sorted(built) == sorted(want)
        for rel in want:
            if rel.endswith(".zip") or rel.endswith("SHA256SUMS"):
                continue  # compared below: the codebook inside quotes the hand-maps as written
            assert built[rel] == want[rel], f"{rel} depends on the order of hand-map entries or seeds"
        zips = [rel for rel in want if rel.endswith(".zip")]
        for rel in zips:
            a, b = _members(built[rel]), _members(want[rel])
            assert sorted(a) == sorted(b)
            for name in a:
                if name.endswith("/codebook.md"):
                    # Only the worked example quotes the hand-map entry, in the order it is written.
                    assert _without_example(a[name]) == _without_example(b[name]), name
                elif name.endswith("/SHA256SUMS"):  # the zip's own checksums: the codebook's line aside
                    def keep(data):
                        return [line for line in data.splitlines() if not line.endswith(b"codebook.md")]
                    assert keep(a[name]) == keep(b[name]), name
                else:
                    assert a[name] == b[name], f"{rel}:{name} depends on the order of hand-map entries or seeds"
        sums = [line for line in want["dist/SHA256SUMS"].splitlines() if not line.endswith(b".zip")]
        assert [line for line in built["dist/SHA256SUMS"].splitlines() if not line.endswith(b".zip")] == sums


def _members(data: bytes) -> dict[str, bytes]:
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def _without_example(book: bytes) -> bytes:
    start, end = book.index(b"## Worked example"), book.index(b"## Tables")
    return book[:start] + book[end:]


# ---------------------------------------------------------------------------
# (d) Dates
# ---------------------------------------------------------------------------

def test_real_dates_hold(frames):
    """Checked here in pandas, independently of rusprk.validate."""
    checked = 0
    for name in ("events", "gifts"):
        df = frames[name]
        s, e, p = df["date_start"], df["date_end"], df["date_precision"].astype(str)
        # Undated exactly when 'unknown'; a month or year is closed; a day or range may leave one side open.
        assert ((p == "unknown") == (s.isna() & e.isna())).all(), name
        assert (s.notna() & e.notna())[p.isin(["month", "year"])].all(), name
        both = df[s.notna() & e.notna()]
        assert (both["date_start"] <= both["date_end"]).all(), name
        dated = df[s.notna() | e.notna()]
        month = dated[dated["date_precision"] == "month"]
        assert (month["date_start"].dt.day == 1).all() and month["date_end"].dt.is_month_end.all(), name
        year = dated[dated["date_precision"] == "year"]
        assert ((year["date_start"].dt.strftime("%m-%d") == "01-01").all()
                and (year["date_end"].dt.strftime("%m-%d") == "12-31").all()), name
        checked += len(dated)
    src = frames["sources"]
    assert ((src["date_published_precision"] == "unknown") == src["date_published"].isna()).all()
    ev = frames["evidence"]
    links = ev[ev["record_table"] == "events"].merge(frames["events"], left_on="record_id", right_on="event_id")
    links = links.merge(src, on="source_id")
    occurred = links[(links["status"] == "occurred") & links["date_published"].notna()]
    late = occurred[occurred["date_start"] > occurred["date_published"]]
    assert late.empty, late[["event_id", "source_id"]]
    assert checked and len(occurred), "nothing was checked"


_DATE_FAULTS = {
    # name: (precision, start, end, field the validator must name)
    "start_after_end": ("day", dt.date(2020, 5, 2), dt.date(2020, 5, 1), "date_start"),
    "month_not_whole": ("month", dt.date(2020, 5, 2), dt.date(2020, 5, 31), "date_precision"),
    "year_not_whole": ("year", dt.date(2020, 1, 1), dt.date(2020, 6, 30), "date_precision"),
    "unknown_but_dated": ("unknown", dt.date(2020, 1, 1), dt.date(2020, 1, 1), "date_precision"),
    "month_without_end": ("month", dt.date(2020, 1, 1), None, "date_end"),
    "day_with_no_side": ("day", None, None, "date_precision"),
}


@slow(30)
@given(packages(), st.sampled_from(sorted(_DATE_FAULTS)), st.data())
def test_validator_enforces_dates(rows, fault, data):
    tables = [t for t in ("events", "gifts") if rows[t]]
    assume(tables)
    table = data.draw(st.sampled_from(tables))
    row = data.draw(st.sampled_from(rows[table]))
    precision, start, end, field = _DATE_FAULTS[fault]
    row.update(date_precision=precision, date_start=start, date_end=end)
    pk = resource(table).primary_key[0]
    assert _problems_at(check_frames(frames_of(rows)), table, row[pk], field)


@slow(30)
@given(packages(), st.data())
def test_validator_enforces_occurred_not_after_source(rows, data):
    dated = {s["source_id"]: s["date_published"] for s in rows["sources"] if s["date_published"]}
    reported = [(e["record_id"], e["source_id"]) for e in rows["evidence"]
                if e["record_table"] == "events" and e["source_id"] in dated]
    assume(reported)
    event_id, source_id = data.draw(st.sampled_from(reported))
    event = next(e for e in rows["events"] if e["event_id"] == event_id)
    later = dated[source_id] + dt.timedelta(days=data.draw(st.integers(1, 400)))
    event.update(status="occurred", date_precision="day", date_start=later, date_end=later)
    assert _problems_at(check_frames(frames_of(rows)), "events", event_id, "date_start")


# ---------------------------------------------------------------------------
# (e) Keys
# ---------------------------------------------------------------------------

def test_real_references_resolve_and_ids_are_unique(frames):
    """Checked here in pandas, independently of rusprk.validate's checks."""
    for name in RESOURCE_ORDER:
        pk = RESOURCES[name].primary_key[0]
        ids = frames[name][pk]
        assert ids.notna().all() and ids.is_unique, name
        for field, target, target_field in references(name):
            values = frames[name][field].dropna()
            missing = set(values) - set(frames[target][target_field])
            assert not missing, f"{name}.{field} -> {target}: {sorted(missing)[:5]}"
    ev = frames["evidence"]
    known = {(t, i) for t in RESOURCE_ORDER if t != "evidence" for i in frames[t][RESOURCES[t].primary_key[0]]}
    claimed = set(zip(ev["record_table"].astype(str), ev["record_id"]))
    assert claimed <= known, sorted(claimed - known)[:5]
    assert known <= claimed, f"records without evidence: {sorted(known - claimed)[:5]}"


def test_ids_are_stable_across_rebuilds(baseline):
    """A fresh build from the committed inputs gives every record the id it has in the committed release."""
    built = read_package(baseline / "dist" / "datapackage.json")[0]
    committed = rusprk.load_all()
    for name in RESOURCE_ORDER:
        pk = RESOURCES[name].primary_key[0]
        assert list(built[name][pk]) == list(committed[name][pk]), name


def _references_in(rows):
    for name in RESOURCE_ORDER:
        for field, target, target_field in references(name):
            for row in rows[name]:
                yield name, field, target, target_field, row


@slow(30)
@given(packages(), st.data())
def test_validator_catches_dangling_references(rows, data):
    candidates = list(_references_in(rows))
    assume(candidates)
    name, field, target, target_field, row = data.draw(st.sampled_from(candidates))
    taken = {r[target_field] for r in rows[target]}
    absent = "ZZZ" if target == "countries" else f"{RESOURCES[target].field(target_field).pattern[1:4]}-absent"
    assume(absent not in taken)
    row[field] = absent
    pk = resource(name).primary_key[0]
    assert _problems_at(check_frames(frames_of(rows)), name, row[pk], field)


@slow(30)
@given(packages(), st.data())
def test_validator_catches_duplicate_ids(rows, data):
    tables = [t for t in RESOURCE_ORDER if rows[t]]
    assume(tables)
    name = data.draw(st.sampled_from(tables))
    row = data.draw(st.sampled_from(rows[name]))
    rows[name].append(dict(row))
    pk = resource(name).primary_key[0]
    assert _problems_at(check_frames(frames_of(rows)), name, row[pk], pk)


@slow(40)
@given(packages(), st.data(), st.integers(1, 6))
def test_batched_checks_report_what_whole_tables_do(rows, data, batch_rows):
    """Checking tables in batches of a few rows on two threads reports exactly what checking them whole
    does, the first rows named and the rest counted, however many rows a fault touches."""
    candidates = list(_references_in(rows))
    for name, field, target, _target_field, row in data.draw(st.lists(st.sampled_from(candidates), max_size=12)
                                                            if candidates else st.just([])):
        row[field] = "ZZZ" if target == "countries" else f"{RESOURCES[target].field(_target_field).pattern[1:4]}-gone"
    filled = [t for t in RESOURCE_ORDER if rows[t]]
    for name in data.draw(st.lists(st.sampled_from(filled), max_size=3)) if filled else []:
        rows[name].append(dict(data.draw(st.sampled_from(rows[name]))))  # a duplicate id
    frames = frames_of(rows)
    whole = check_frames(frames)
    assert check_frames(frames, mode=Mode(workers=2, batch_rows=batch_rows)) == whole


@pytest.mark.parametrize("rows_at_a_time", [1, 3, 50])
def test_csv_written_a_slice_at_a_time_is_the_csv_written_at_once(rows_at_a_time, monkeypatch):
    """The build writes each CSV a slice of rows at a time: the slices' size never shows in the bytes."""
    import pyarrow.parquet as pq

    from builders import publish

    for name in RESOURCE_ORDER:
        table = pq.read_table(ROOT / "dist" / f"{name}.parquet")
        whole = publish.csv_bytes(name, table)
        assert whole == (ROOT / "dist" / f"{name}.csv").read_bytes()
        monkeypatch.setattr(publish, "CSV_SLICE_ROWS", rows_at_a_time)
        assert publish.csv_bytes(name, table) == whole, name
        monkeypatch.undo()
