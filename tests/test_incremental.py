"""Incremental builds: the caches save time and never change an output.

The build caches each seed's part of the tables (``builders.seed_part``: its
hand-map validated, its quotes located, its rows), each hand-map's YAML
reading (``builders.cache``), the timeline figure (keyed by the rows it
shows) and where the release zip's members lie (``builders.zip_cache``).  A
build that uses them must write the same bytes as a build from nothing, an
edit must re-read only the hand-map it touched, and a cache entry that is
corrupt (garbage, cut short, altered, not a part) is ignored, never trusted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builders.timeline import MAX_ROWS, bounded, render_timeline
from conftest import ROOT, copy_build_inputs

OUTPUTS = ("dist", "schemas", "datapackage.json", "docs/codebook.md", "docs/curation-log.md", "docs/timeline.png",
           "docs/timeline.svg")


def build(tree: Path, *extra: str) -> None:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1764547200"}
    out = subprocess.run([sys.executable, "-m", "rusprk", "build", *extra], cwd=tree, env=env, capture_output=True,
                         text=True, timeout=600)
    assert out.returncode == 0, out.stderr


def outputs(tree: Path) -> dict[str, str]:
    files = {}
    for name in OUTPUTS:
        path = tree / name
        for p in ([path] if path.is_file() else sorted(path.rglob("*"))):
            if p.is_file():
                files[str(p.relative_to(tree))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return files


def clean(tree: Path) -> None:
    for name in (".cache", *OUTPUTS):
        path = tree / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    tree = copy_build_inputs(tmp_path_factory.mktemp("incremental") / "rusprk")
    (tree / "docs").mkdir(exist_ok=True)
    build(tree)
    return tree


def _edit(tree: Path) -> Path:
    """Change one hand-map's notes (a change that reaches the tables)."""
    path = next((tree / "builders" / "handmaps").glob("002_*.yaml"))
    text = path.read_text(encoding="utf-8")
    marker = "  notes: >-\n"
    assert marker in text
    path.write_text(text.replace(marker, marker + "    Edited for the incremental-build test.\n", 1), encoding="utf-8")
    return path


def test_an_incremental_build_equals_a_clean_one(tree):
    assert list((tree / ".cache" / "handmaps").glob("*.json")), "the build caches the hand-map readings"
    seeds = len(list((tree / "seeds").glob("*.txt")))
    assert len(list((tree / ".cache" / "parts").glob("*.json"))) == seeds, "the build caches every seed's part"
    before = {p.name: p.stat().st_ino for p in (tree / "dist").iterdir() if p.is_file()}
    _edit(tree)
    build(tree)  # incremental: four hand-maps, the timeline and the zip's unchanged members from the cache
    incremental = outputs(tree)
    # The zip was written from the last one (whose manifest is kept until the new zip is dist/'s).
    assert len(list((tree / ".cache" / "release-zip").glob("*.json"))) == 2
    # Outputs whose bytes did not change are kept (the same file), the changed ones are new files.
    after = {p.name: p.stat().st_ino for p in (tree / "dist").iterdir() if p.is_file()}
    assert after["countries.csv"] == before["countries.csv"]
    assert after["sources.csv"] != before["sources.csv"]
    clean(tree)
    build(tree)  # from nothing
    assert outputs(tree) == incremental


@pytest.mark.parametrize("damage", ["garbage", "truncated", "altered", "emptied"])
def test_a_corrupt_cache_entry_cannot_change_the_output(tree, damage):
    build(tree, "--force")
    expected = outputs(tree)
    entries = [p for name in ("parts", "handmaps", "timeline", "release-zip")
               for p in sorted((tree / ".cache" / name).glob("*"))]
    entries.append(tree / ".cache" / "outputs.json")  # the record of which files the next build may take
    assert entries and {"parts", "release-zip"} <= {p.parent.name for p in entries} and entries[-1].is_file()
    for entry in entries:
        data = entry.read_bytes()
        if damage == "garbage":
            entry.write_bytes(os.urandom(len(data)))
        elif damage == "truncated":
            entry.write_bytes(data[: len(data) // 2])
        elif damage == "altered":  # a plausible entry whose content no longer matches its checksum
            entry.write_bytes(data.replace(b"Kim", b"Kum").replace(b"PNG", b"PNX").replace(b"svg", b"svx"))
        else:
            entry.write_bytes(b"")
    build(tree, "--force")
    assert outputs(tree) == expected


def test_a_whole_entry_that_is_not_a_part_is_not_trusted(tree):
    """An entry whose checksum holds but whose content is no part (an older layout, a hand-edited file) is a
    miss: the part is read again."""
    from builders import cache

    build(tree, "--force")
    expected = outputs(tree)
    for n, entry in enumerate(sorted((tree / ".cache" / "parts").glob("*.json"))):
        value = [{"source_id": 1}, {"rows": None}, [], "part", {}][n % 5]
        cache.put_bytes(entry, json.dumps(value).encode())
        assert cache.get(entry.parent, entry.stem) == value  # whole, so only its content can refuse it
    build(tree, "--force")
    assert outputs(tree) == expected


def _build_in_process(tree: Path, monkeypatch, force: bool = False) -> dict[str, list[str]]:
    """Build ``tree`` in this process; which tables' CSV and .dta files were made, and which files were taken
    from the last build."""
    from builders import build as build_module, output_reuse, publish
    from builders.formats import stata

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764547200")
    made = {"csv": [], "dta": [], "taken": []}
    write_csv, write_dta, save = publish.write_csv_file, stata.write_dta, output_reuse.Reuse.save
    monkeypatch.setattr(publish, "write_csv_file", lambda name, *a: made["csv"].append(name) or write_csv(name, *a))
    monkeypatch.setattr(stata, "write_dta", lambda name, *a: made["dta"].append(name) or write_dta(name, *a))
    monkeypatch.setattr(output_reuse.Reuse, "save", lambda self: made["taken"].extend(self.taken) or save(self))
    build_module.build(tree, log=lambda *_: None, force=force)
    monkeypatch.undo()
    return made


def test_an_edit_remakes_only_the_files_of_the_tables_it_changed(tmp_path, monkeypatch):
    """A table's CSV, Parquet and .dta files are made from its rows alone: after an edit, exactly the tables
    whose rows changed have theirs made again; the others' are taken from the last build (checked by hash),
    and the result is a clean build's, byte for byte."""
    from rusprk.metadata import RESOURCE_ORDER

    tree = copy_build_inputs(tmp_path / "rusprk")
    (tree / "docs").mkdir(exist_ok=True)
    first = _build_in_process(tree, monkeypatch)
    assert sorted(first["csv"]) == sorted(RESOURCE_ORDER) and first["taken"] == []
    before = {name: (tree / "dist" / f"{name}.csv").read_bytes() for name in RESOURCE_ORDER}
    _edit(tree)
    second = _build_in_process(tree, monkeypatch)
    changed = sorted(n for n in RESOURCE_ORDER if (tree / "dist" / f"{n}.csv").read_bytes() != before[n])
    assert changed and len(changed) < len(RESOURCE_ORDER)
    assert sorted(second["csv"]) == changed and sorted(second["dta"]) == changed
    kept = set(RESOURCE_ORDER) - set(changed)
    assert {f"{n}.csv" for n in kept} | {f"{n}.parquet" for n in kept} | {f"stata/{n}.dta" for n in kept} \
        <= set(second["taken"])
    incremental = outputs(tree)
    # A dist/ file changed by hand (same length, same name) is never taken: it is made again.
    kept_csv = tree / "dist" / f"{sorted(kept)[0]}.csv"
    data = kept_csv.read_bytes()
    kept_csv.unlink()  # a new file, not the linked one the cache's copy shares
    kept_csv.write_bytes(data[:-2] + b"x\n")
    third = _build_in_process(tree, monkeypatch, force=True)
    assert sorted(kept)[0] in third["csv"] and f"{sorted(kept)[0]}.csv" not in third["taken"]
    assert outputs(tree) == incremental
    clean(tree)
    build(tree)
    assert outputs(tree) == incremental


def test_an_edit_rereads_only_the_hand_map_it_touches(tmp_path, monkeypatch):
    from builders import tables

    tree = copy_build_inputs(tmp_path / "rusprk")
    read = []
    original = tables.read_seed
    monkeypatch.setattr(tables, "read_seed", lambda sf, path, *a, **k: read.append(path.name) or original(sf, path, *a, **k))
    first = tables.build_tables(tree, cache="write")
    seeds = sorted(p.name for p in (tree / "builders" / "handmaps").glob("*.yaml"))
    assert sorted(read) == seeds
    read.clear()
    again = tables.build_tables(tree, cache="write")
    assert read == [] and dict(again.rows) == dict(first.rows) and again.origin == first.origin
    edited = _edit(tree)
    read.clear()
    incremental = tables.build_tables(tree, cache="write")
    assert read == [edited.name]
    read.clear()
    fresh = tables.build_tables(tree)  # no cache at all
    assert len(read) == len(seeds)
    assert dict(incremental.rows) == dict(fresh.rows) and incremental.origin == fresh.origin
    assert incremental.regions == fresh.regions
    assert dict(incremental.rows) != dict(first.rows)


def test_a_part_survives_its_json(project_seeds):
    """What the cache stores gives back exactly the part it was made from, dates and all."""
    from builders.seed_part import Part, SeedReader, json_default

    for seed in project_seeds:
        part = SeedReader(seed).read()
        again = Part.from_json(json.loads(json.dumps(part.to_json(), default=json_default)))
        assert again == part
        assert list(again.evidence) == list(part.evidence)
        assert any(isinstance(r.get("date_published"), dt.date) for r in again.rows["sources"]) or \
            all(r.get("date_published") is None for r in part.rows["sources"])


@pytest.fixture(scope="module")
def project_seeds():
    from builders.tables import load_seeds

    return load_seeds(ROOT)


def test_check_writes_no_cache(tmp_path):
    tree = copy_build_inputs(tmp_path / "rusprk")
    out = subprocess.run([sys.executable, "-m", "rusprk", "check"], cwd=tree, capture_output=True, text=True,
                         timeout=600)
    assert out.returncode == 0, out.stdout + out.stderr
    assert not (tree / ".cache").exists()


# -- the timeline stays bounded -------------------------------------------------

def _events(n: int, parts_per_visit: int = 0, months: int = 1) -> pd.DataFrame:
    rows = []
    for i in range(n):
        day = dt.date(2000 + (i % months) // 12, 1 + (i % months) % 12, 1 + i % 28)
        rows.append({"event_id": f"evt-visit-{i}", "title": f"Visit {i}", "date_start": pd.Timestamp(day),
                     "date_end": pd.Timestamp(day), "date_precision": "day", "status": "occurred",
                     "russia_dprk": True, "part_of_event_id": None})
        for k in range(parts_per_visit):
            rows.append({"event_id": f"evt-visit-{i}-part-{k}", "title": f"Part {k} of visit {i}",
                         "date_start": pd.Timestamp(day), "date_end": pd.Timestamp(day), "date_precision": "day",
                         "status": "occurred", "russia_dprk": True, "part_of_event_id": f"evt-visit-{i}"})
    return pd.DataFrame(rows)


def test_the_real_timeline_draws_every_dated_event(frames):
    _, _, counts = render_timeline(frames["events"])
    dated = frames["events"].date_start.notna() | frames["events"].date_end.notna()
    assert counts["rows"] == int(dated.sum()) <= MAX_ROWS


@pytest.mark.parametrize("n, parts, months, what", [
    (40, 4, 1, "top-level"),  # 200 events: the 40 visits
    (3000, 0, 30, "month"),  # 3000 visits over 30 months: counted by month
    (3000, 0, 600, "year"),  # over 50 years: counted by year
])
def test_a_large_corpus_draws_a_bounded_timeline(n, parts, months, what):
    from builders.timeline import _records

    recs = _records(_events(n, parts, months))
    rows, shown = bounded(recs)
    assert len(rows) <= MAX_ROWS
    assert what in shown
    if what == "top-level":
        assert {r["id"] for r in rows} == {f"evt-visit-{i}" for i in range(n)}
    else:  # every top-level exchange is counted once
        assert sum(int(r["title"].split()[0]) for r in rows) == n
    png, svg, counts = render_timeline(_events(n, parts, months))
    assert counts["rows"] == len(rows) and png[:4] == b"\x89PNG"


def test_the_timeline_is_redrawn_only_when_its_rows_change(frames, tmp_path):
    first = render_timeline(frames["events"], cache=tmp_path)
    stored = sorted(p.name for p in tmp_path.iterdir())
    assert first[:2] == render_timeline(frames["events"])[:2]
    assert render_timeline(frames["events"], cache=tmp_path) == first  # from the cache
    changed = frames["events"].copy()
    changed.loc[changed.index[0], "title"] = "A changed title"
    render_timeline(changed, cache=tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) != stored


def test_a_no_op_build_notices_any_change_to_an_output(tree):
    """Outputs are recognised by their files' size, time and inode: rewriting one (even with bytes of the same
    length), removing one or adding one makes the next build rebuild and put the release back."""
    build(tree)
    want = outputs(tree)
    page = sorted((tree / "dist" / "site" / "events").glob("*.html"))[0]
    for change in (lambda: page.write_bytes(page.read_bytes().replace(b"<main", b"<mai_", 1)),
                   lambda: page.unlink(),
                   lambda: (tree / "dist" / "stray.txt").write_text("x")):
        change()
        env = {**os.environ, "SOURCE_DATE_EPOCH": "1764547200"}
        out = subprocess.run([sys.executable, "-m", "rusprk", "build"], cwd=tree, env=env, capture_output=True,
                             text=True, timeout=600)
        assert out.returncode == 0 and "up to date" not in out.stdout, out.stdout
        assert outputs(tree) == want
    again = subprocess.run([sys.executable, "-m", "rusprk", "build"], cwd=tree,
                           env={**os.environ, "SOURCE_DATE_EPOCH": "1764547200"}, capture_output=True, text=True)
    assert "up to date" in again.stdout



@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=12)), min_size=1, max_size=30), st.data())
def test_a_table_digest_follows_the_rows_not_how_they_were_made(values, data):
    """Equal rows give equal digests however each table was built; any changed value changes it."""
    import pyarrow as pa

    from builders.output_reuse import table_digest

    a = pa.table({"v": pa.array(values, pa.string())})
    b = pa.Table.from_pylist([{"v": v} for v in values], schema=a.schema)
    assert table_digest(a) == table_digest(b)
    i = data.draw(st.integers(0, len(values) - 1))
    other = list(values)
    other[i] = data.draw(st.one_of(st.none(), st.text(max_size=12)).filter(lambda v: v != values[i]))
    assert table_digest(pa.table({"v": pa.array(other, pa.string())})) != table_digest(a)


def _parts_read(tree: Path, monkeypatch, parallel: bool):
    """build_tables(tree) with every missing part read by worker processes (``parallel``) or in this one; the
    tables, and how many parts the workers returned."""
    from builders import parallel_parts, tables

    monkeypatch.setattr(parallel_parts, "MIN_PARTS", 1 if parallel else 10 ** 9)
    monkeypatch.setattr(parallel_parts, "workers", lambda: 2)
    returned = []
    original = parallel_parts.read_parts

    def read_parts(jobs):
        for text in original(jobs):
            if text is not None:
                returned.append(text)
            yield text

    monkeypatch.setattr(parallel_parts, "read_parts", read_parts)
    try:
        return tables.build_tables(tree, cache="write"), len(returned)
    finally:
        monkeypatch.undo()


@pytest.mark.skipif(sys.platform != "linux", reason="parts are read in forked workers on Linux only")
def test_parts_read_on_every_core_give_the_tables_and_cache_of_one_core(tmp_path, monkeypatch):
    one, many = copy_build_inputs(tmp_path / "one"), copy_build_inputs(tmp_path / "many")
    serial, by_workers = _parts_read(one, monkeypatch, False), _parts_read(many, monkeypatch, True)
    seeds = len(list((one / "seeds").glob("*.txt")))
    assert serial[1] == 0 and by_workers[1] == seeds  # every part came from a worker
    a, b = serial[0], by_workers[0]
    assert dict(a.rows) == dict(b.rows) and a.regions == b.regions
    assert {k: (Path(p).name, n) for k, (p, n) in a.origin.items()} == \
        {k: (Path(p).name, n) for k, (p, n) in b.origin.items()}
    for entry in sorted((one / ".cache" / "parts").glob("*.json")):  # the cache holds the same entries
        assert (many / ".cache" / "parts" / entry.name).read_bytes() == entry.read_bytes()
    assert len(list((many / ".cache" / "parts").glob("*.json"))) == seeds


@pytest.mark.skipif(sys.platform != "linux", reason="parts are read in forked workers on Linux only")
def test_a_part_a_worker_cannot_read_fails_as_on_one_core(tmp_path, monkeypatch):
    from builders.errors import BuildError

    messages = []
    for parallel in (False, True):
        tree = copy_build_inputs(tmp_path / str(parallel))
        for n, path in enumerate(sorted((tree / "builders" / "handmaps").glob("*.yaml"))[1:3]):  # two bad ones
            text = path.read_text(encoding="utf-8")
            path.write_text(text.replace("quote: ", f"quote: No such words {n} ", 1), encoding="utf-8")
        with pytest.raises(BuildError) as caught:
            _parts_read(tree, monkeypatch, parallel)
        messages.append(str(caught.value).replace(str(tree), "TREE"))
    assert messages[0] == messages[1] and "No such words 0" in messages[0]


@pytest.mark.parametrize("enabled", [True, False])
def test_the_build_pauses_the_cyclic_collector_and_restores_it(tmp_path, monkeypatch, enabled):
    """The collector is off while the build runs (it only traversed millions of acyclic rows) and as it was
    afterwards, whether the build succeeds or fails."""
    import gc

    from builders import build as build_module
    from builders.errors import BuildError

    seen = []

    def spy(root, log, force):
        seen.append(gc.isenabled())
        if len(seen) == 2:
            raise BuildError("x", "a failing build")

    monkeypatch.setattr(build_module, "_build", spy)
    (gc.enable if enabled else gc.disable)()
    try:
        build_module.build(tmp_path)
        assert gc.isenabled() is enabled
        with pytest.raises(BuildError):
            build_module.build(tmp_path)
        assert gc.isenabled() is enabled and seen == [False, False]
    finally:
        gc.enable()


def test_rusprk_check_pauses_the_collector_as_the_build_does(tmp_path, monkeypatch):
    import gc

    from builders import check as check_module

    seen = []
    monkeypatch.setattr(check_module, "_check", lambda root, handmaps, log: seen.append(gc.isenabled()) or 0)
    gc.enable()
    assert check_module.check(tmp_path) == 0
    assert seen == [False] and gc.isenabled()
