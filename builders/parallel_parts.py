"""Reading many seeds' parts on every core.

Reading a seed's part (its hand-map's YAML and validation, the seed parsed,
every quote located: ``builders.seed_part``) costs about 17 ms, on one core.
A clean build of a large corpus reads every part, so when many are missing
from the cache they are read in worker processes, one per core (forked, on
Linux: a fork server or a fresh interpreter would import the caller's main
script again, and a script that builds without a ``__main__`` guard would
build again in every worker).  Each returns its part as the JSON the part
cache stores, which
``Part.from_json`` reads back exactly (tested): the tables cannot depend on
how a part was read.  A worker that fails returns nothing and the build reads
that seed again itself, so an error is raised by the build's own process,
exactly as a build on one core raises it, at the first failing seed in seed
order.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path

#: Fewer missing parts than this are read in the build's own process: starting the workers costs about a
#: second, more than reading a few dozen parts.
MIN_PARTS = 64


def workers() -> int:
    """How many worker processes to use: the cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def read_parts(jobs: Sequence[tuple[Path, Path, bool, Path | None, bool]]) -> Iterator[str | None]:
    """Each job's part as cache JSON, in order as the workers finish them (the caller takes each while the
    workers read the next, and holds one at a time), or None where its worker failed; all None when the jobs
    are too few to be worth the workers, or the platform cannot start them (the build then reads every part
    itself).  A job is (seed file, hand-map, drafts, the hand-map reading cache's folder, whether to write
    it)."""
    import sys

    n = workers()
    if len(jobs) < MIN_PARTS or n < 2 or sys.platform != "linux":  # fork: Linux's safe, cheap start
        yield from (None for _ in jobs)
        return
    import multiprocessing

    with multiprocessing.get_context("fork").Pool(n) as pool:  # left early (an error): the workers are ended
        yield from pool.imap(part_json, jobs, chunksize=max(1, min(16, len(jobs) // (4 * n))))


def part_json(job: tuple[Path, Path, bool, Path | None, bool]) -> str | None:
    """One seed's part as the part cache's JSON, in a worker; None if reading it fails in any way (the build
    reads it again to report the failure)."""
    from builders.cache import dumps
    from builders.seed_part import SeedReader, json_default
    from builders.tables import read_seed

    seed, handmap, drafts, cache_dir, write = job
    try:
        return dumps(SeedReader(read_seed(seed, handmap, drafts, cache_dir, write)).read().to_json(), json_default)
    except Exception:  # noqa: BLE001 - reported by the build's own reading of the seed
        return None
