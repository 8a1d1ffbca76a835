"""Every corruption in the catalogue is rejected, naming table, row id (or file) and field."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from corruptions import CATALOGUE, DOC, Package, expected, render_doc
from rusprk.validate import Mode, validate_package

NAMES = [c.name for c in CATALOGUE]
BY_NAME = {c.name: c for c in CATALOGUE}
#: Run through the command line as well, as a user would (one per kind of fault).
CLI_SAMPLE = ["duplicate_primary_key", "quote_absent_from_seed", "tampered_parquet_bytes", "path_escapes_package",
              "csv_parquet_disagree", "event_after_its_only_source"]


def _package(tmp_path: Path) -> Package:
    return Package.copy_of(ROOT / "dist", tmp_path / "package")


def test_catalogue_has_at_least_25_named_corruptions():
    assert len(NAMES) >= 25
    assert len(set(NAMES)) == len(NAMES)
    assert set(CLI_SAMPLE) <= set(NAMES)


def test_the_uncorrupted_copy_is_valid(tmp_path):
    """The control: without a corruption the copy has no problem, so each problem below is the corruption's."""
    pkg = _package(tmp_path)
    pkg.rehash()
    assert validate_package(pkg.descriptor, pkg.seeds) == []


@pytest.mark.parametrize("name", NAMES)
def test_corruption_is_rejected(name, tmp_path):
    c = BY_NAME[name]
    pkg = _package(tmp_path)
    want = expected(c, pkg)
    problems = validate_package(pkg.descriptor, pkg.seeds)
    assert problems, f"{name}: validate found nothing"
    for e in want:
        hits = [p for p in problems if (p.table, p.row, p.field) == (e.table, e.row, e.field)]
        assert hits, f"{name}: no problem at {e.table} [row {e.row}] field {e.field}; got:\n" + "\n".join(
            map(str, problems))
        assert any(e.message in p.message for p in hits), f"{name}: {hits} do not say {e.message!r}"
    if c.seeds:  # and it takes the seeds to see it
        assert not any((p.table, p.row, p.field) == (e.table, e.row, e.field)
                       for p in validate_package(pkg.descriptor, None) for e in want)


@pytest.mark.parametrize("name", CLI_SAMPLE)
def test_cli_rejects_corruption(name, tmp_path):
    pkg = _package(tmp_path)
    want = expected(BY_NAME[name], pkg)
    run = subprocess.run([sys.executable, "-m", "rusprk", "validate", str(pkg.dir), "--seeds", str(pkg.seeds)],
                         capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert run.returncode != 0
    assert "INVALID" in run.stderr
    for e in want:
        assert f"{e.table} [row {e.row}] field {e.field}: " in run.stdout, run.stdout


def test_docs_list_the_catalogue():
    stale = "docs/corruptions.md is stale: run python tests/corruptions.py"
    assert DOC.read_text(encoding="utf-8") == render_doc(), stale


#: The fast path at its most fragmented: batches of 4 rows on two threads, CSV rendered 3 rows at a time,
#: quotes compared 5 at a time, so that every table is split and every merge of named rows is exercised.
SMALL_BATCHES = Mode(workers=2, batch_rows=4, csv_shortcut=True)


@pytest.mark.parametrize("name", NAMES)
def test_fast_path_agrees_with_the_reference_path(name, tmp_path, monkeypatch):
    """Batches, threads and the CSV shortcut change nothing in what is reported: the problems are identical
    to the slow reference path's (one thread, whole tables, every CSV parsed and compared cell by cell)."""
    import rusprk.validate.quotes as quotes
    import rusprk.validate.read as read

    pkg = _package(tmp_path)
    expected(BY_NAME[name], pkg)
    slow = validate_package(pkg.descriptor, pkg.seeds, Mode.reference())
    assert slow, f"{name}: the reference path found nothing"
    assert validate_package(pkg.descriptor, pkg.seeds) == slow  # the default, Mode.fast()
    monkeypatch.setattr(read, "CSV_SLICE", 3)
    monkeypatch.setattr(quotes, "QUOTE_BATCH", 5)
    assert validate_package(pkg.descriptor, pkg.seeds, SMALL_BATCHES) == slow


def test_the_csv_shortcut_renders_what_the_build_writes():
    """The validator recognises a byte-canonical CSV by rendering the Parquet rows as the build writes them;
    should the two writers drift apart, every CSV would be parsed (slow, still correct): guard it here."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from builders import publish
    from rusprk.metadata import RESOURCE_ORDER
    from rusprk.validate.read import csv_rows

    for name in RESOURCE_ORDER:
        t = pq.read_table(ROOT / "dist" / f"{name}.parquet")
        header, _, body = publish.csv_bytes(name, t).partition(b"\n")
        assert csv_rows(name, t).equals(pa.py_buffer(body)), name
