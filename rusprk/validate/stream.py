"""Running the checks over a package's tables, batch by batch, on a thread pool.

Tables come in RESOURCE_ORDER.  Each batch of a table's rows goes to the
checks of single rows (fields, dates, rules, quotes) on the pool while this
thread compares it with the CSV twin (the pool renders CSV slices too); of
each table only the columns the checks across tables need are kept, and
those checks run once every table is in, one lookup per key column.  One
batch and the kept columns are in memory at a time.

``Mode.reference()`` is the slow path the fast one must agree with: one
thread, each table whole, every CSV parsed and compared cell by cell.  The
test suite checks that both give identical problems on the corruption
catalogue.
"""

from __future__ import annotations

import os
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

from rusprk.metadata import RESOURCE_ORDER, RESOURCES, resource
from rusprk.validate.across import KEPT, check_across
from rusprk.validate.checks import check_dates, check_fields, check_keys, check_rules, key_columns
from rusprk.validate.quotes import Seeds
from rusprk.validate.read import (PARQUET_BATCH, ParquetReadError, TableInput, concat, from_pandas,
                                  join_columns, read_tables, single_chunks, slices)
from rusprk.validate.report import Problem, flat, settle
from rusprk.validate.rules import references


@dataclass(frozen=True)
class Mode:
    workers: int = 1  # threads for the checks (1: all on this thread)
    batch_rows: int | None = None  # rows checked at once (None: each table whole)
    csv_shortcut: bool = True  # recognise a CSV equal to the Parquet rows written as CSV without parsing it
    meaning: bool = True  # run the meaning rules (rusprk.validate.meaning) on a package whose form is valid

    @classmethod
    def fast(cls) -> "Mode":
        try:
            cores = len(os.sched_getaffinity(0))
        except AttributeError:  # not on Linux
            cores = os.cpu_count() or 1
        return cls(workers=max(1, min(cores, 4)), batch_rows=PARQUET_BATCH, csv_shortcut=True, meaning=True)

    @classmethod
    def reference(cls) -> "Mode":
        return cls(workers=1, batch_rows=None, csv_shortcut=False)


class _Inline:
    """An executor that runs each call at once, on this thread (Mode.workers == 1)."""

    def submit(self, fn, *args) -> Future:
        f: Future = Future()
        try:
            f.set_result(fn(*args))
        except BaseException as exc:  # noqa: BLE001 (handed to whoever asks for the result, as a pool does)
            f.set_exception(exc)
        return f

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None


def _pool(workers: int):
    if workers <= 1:
        return _Inline()
    from concurrent.futures import ThreadPoolExecutor

    return ThreadPoolExecutor(max_workers=workers, thread_name_prefix="rusprk-validate")


def kept_columns(name: str) -> list[str]:
    """Columns of a table the checks across tables (and the key checks) need."""
    cols = [*key_columns(name), *(f for f, _, _ in references(name)), *KEPT.get(name, ())]
    return list(dict.fromkeys(cols))


def _check_table(tab: TableInput, seeds: Future | None, mode: Mode, pool) -> tuple[list, object]:
    """(what the table's own checks found, its kept columns); ``seeds``: the Seeds, for evidence."""
    name, found = tab.name, list(tab.problems)
    if name == "evidence" and seeds is not None:
        seeds = seeds.result()
        found += seeds.problems
    else:
        seeds = None
    batches = tab.batches if mode.batch_rows else iter([concat(list(tab.batches), _schema(name))])
    cols = kept_columns(name)
    pieces, offset = {c: [] for c in cols}, 0  # the kept columns of each batch
    for b in batches:  # (reading the next batch while this one is checked saved no time and cost memory)
        for part in slices(b, mode.batch_rows):
            futures = [pool.submit(check, name, part, offset) for check in (check_fields, check_dates, check_rules)]
            if seeds is not None:
                futures.append(pool.submit(seeds.check, part, offset))
            if tab.csv is not None:
                tab.csv.feed(part, pool if mode.workers > 1 else None)
            for f in futures:
                found += f.result()
            for c in cols:
                pieces[c].append(flat(part.column(c)))
            offset += part.num_rows
            del part
        del b  # before the next batch is read
    if tab.csv is not None:
        found += tab.csv.finish()
    keep = join_columns(pieces, _schema(name))
    found += check_keys(name, keep)
    return found, keep


def _schema(name: str):
    from rusprk._types import arrow_schema

    return arrow_schema(resource(name))


def _check_stream(tables, seeds_dir: Path | None, mode: Mode) -> tuple[list, dict]:
    """(Problems and Hits, kept columns by table) for TableInputs in RESOURCE_ORDER."""
    found: list = []
    kept: dict = {}
    seeds: Future | None = None  # read and indexed on the pool while the tables between come in
    with _pool(mode.workers) as pool:
        for tab in tables:
            if tab.name is None or tab.batches is None:
                found += tab.problems
                continue
            try:
                own, keep = _check_table(tab, seeds, mode, pool)
            except ParquetReadError as exc:  # the Parquet copy failed part-way: the table from its CSV instead
                tab = tab.from_csv_instead(exc)
                if tab.batches is None:
                    found += tab.problems
                    continue
                own, keep = _check_table(tab, seeds, mode, pool)
            found += own
            kept[tab.name] = keep
            if tab.name == "sources" and seeds_dir is not None:
                seeds = pool.submit(Seeds, keep, seeds_dir)
        found += check_across(kept, pool)
    return found, kept


# ---------------------------------------------------------------------------
# Public entry points
# ---------------------------------------------------------------------------

def check_frames(frames: dict, seeds_dir: Path | None = None, mode: Mode | None = None) -> list[Problem]:
    """Check tables given as pandas DataFrames (or Arrow tables) by name."""
    problems = [Problem(name, None, None, "not a RUSPRK table") for name in frames if name not in RESOURCES]

    def tables():
        for name in RESOURCE_ORDER:
            if name not in frames:
                yield TableInput(name, [Problem(name, None, None, "table missing")])
                continue
            t, found = from_pandas(name, frames[name])
            yield TableInput(name, found, None if t is None else iter([single_chunks(t)]))

    return settle(problems + _check_stream(tables(), seeds_dir, mode or Mode())[0])


def validate_package(descriptor_path: Path, seeds_dir: Path | None = None, mode: Mode | None = None) -> list[Problem]:
    """Every problem found in the package; empty when it is valid.

    The meaning rules run once the form is valid (they read the rows whole: the package is one row
    per curated fact).  ``Mode(meaning=False)`` checks form alone, for synthetic packages that are
    valid in form only (the benchmarks' and the property tests').
    """
    mode = mode or Mode.fast()
    found, tables = _check_stream(read_tables(descriptor_path, shortcut=mode.csv_shortcut), seeds_dir, mode)
    if not tables and not found:
        found = [Problem("datapackage", Path(descriptor_path).name, None, "no tables found")]
    problems = settle(found)
    if not problems and mode.meaning:
        from rusprk.validate.meaning import check_meaning

        problems = check_meaning(_rows(descriptor_path), seeds_dir)
    return problems


def _rows(descriptor_path: Path) -> dict[str, list[dict]]:
    """Every table of a package whose form is valid, as plain rows."""
    rows = {}
    for tab in read_tables(descriptor_path, check_hashes=False):
        if tab.name is not None and tab.batches is not None:
            rows[tab.name] = concat(list(tab.batches), _schema(tab.name)).to_pylist()
    return rows


def read_package(descriptor_path: Path, check_hashes: bool = True, formats=("parquet", "csv")):
    """(pandas frames by name, problems), the frames typed as ``rusprk.load`` types them.

    With both formats the frames come from Parquet and the CSV is compared
    with it; ``formats=("csv",)`` reads the CSV copies alone.
    """
    from rusprk._types import arrow_to_pandas

    frames, found = {}, []
    for tab in read_tables(descriptor_path, check_hashes, formats):
        if tab.name is None or tab.batches is None:
            found += tab.problems
            continue
        try:
            batches = list(tab.batches)
        except ParquetReadError as exc:
            tab = tab.from_csv_instead(exc)
            if tab.batches is None:
                found += tab.problems
                continue
            batches = list(tab.batches)
        for b in batches:
            if tab.csv is not None:
                tab.csv.feed(b)
        found += tab.problems
        if tab.csv is not None:
            found += tab.csv.finish()
        frames[tab.name] = arrow_to_pandas(concat(batches, _schema(tab.name)), resource(tab.name))
    return frames, settle(found)
