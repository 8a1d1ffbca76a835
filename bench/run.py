"""RUSPRK benchmarks: one command, one table in docs/performance.md.

    python bench/run.py            # full run, ~10 minutes on 2 cores
    python bench/run.py --quick    # fewer runs, no 1 000 000-row package

Every measurement is a whole fresh process (interpreter start included),
timed by this script from spawn to exit, repeated and reported as the median;
variants that are compared run interleaved (A B A B ...) after one discarded
warm-up each, so drift in the machine's load hits both alike.  Each is shown
as a ratio against a baseline timed in the same run.  Peak memory is the
child's own ``ru_maxrss`` (``os.wait4``), so it covers only that process,
except for builds, whose forked helpers are counted too: there it is the
larger of that and the process group's summed PSS, sampled.

Nothing here touches the repository: builds run in a copy under the work
folder (``--work``, default ``$TMPDIR/rusprk-bench``), synthetic packages are
generated there by ``bench/synth.py`` (and reused while the generator, the
metadata and the writers are unchanged), and palmerpenguins, the peer
loader, is installed there into a throwaway venv, never into the lock file.
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import pstats
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
DOC = ROOT / "docs" / "performance.md"
#: The rusprk/ package before issue 5 (the "before" columns).
BEFORE_REV = "de73274"
#: What a build copy needs (builders.stamp hashes these; the rest is not read).
BUILD_INPUTS = ("seeds", "builders", "rusprk", "pyproject.toml", "CHANGELOG.md", "LICENSE", "CITATION.cff",
                "requirements.lock")
TARGETS = {"import_ms": 15.0, "load_ratio": 1.15, "build_s": 5.0, "noop_s": 0.5, "validate_s": 10.0,
           "validate_mb": 2048.0}
EPOCH_FALLBACK = "1700000000"


def build_epoch() -> str:
    """The `created` time of the repository's dist/, as SOURCE_DATE_EPOCH, so a copy can rebuild it byte for byte."""
    import datetime as dt

    try:
        created = json.loads((ROOT / "dist" / "datapackage.json").read_text(encoding="utf-8"))["created"]
        stamp = dt.datetime.strptime(created, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc)
        return str(int(stamp.timestamp()))
    except (OSError, ValueError, KeyError):
        return EPOCH_FALLBACK


# ---------------------------------------------------------------------------
# Running and timing child processes
# ---------------------------------------------------------------------------

class Run:
    def __init__(self, seconds: float, rss_mb: float, code: int, out: str, err: str, timed_out: bool,
                 group_mb: float = 0.0):
        self.seconds, self.rss_mb, self.code, self.out, self.err, self.timed_out = (
            seconds, rss_mb, code, out, err, timed_out)
        self.group_mb = group_mb  # the process group's summed PSS at its sampled peak (0: not sampled)

    @property
    def peak_mb(self) -> float:
        """The larger of the largest single process (``ru_maxrss``) and the whole group's sampled sum."""
        return max(self.rss_mb, self.group_mb)


def group_pss_mb(pgid: int) -> float:
    """The proportional set size (shared pages divided among their sharers) summed over a process group: what
    a build's processes hold together, a forked child's copy-on-write pages counted once."""
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                stat = fh.read()
            if int(stat[stat.rindex(")") + 2:].split()[2]) != pgid:  # field 5, after the (name)
                continue
            with open(f"/proc/{entry}/smaps_rollup", encoding="ascii") as fh:
                total += next(int(line.split()[1]) for line in fh if line.startswith("Pss:"))
        except (OSError, ValueError, StopIteration):  # ended meanwhile, or not ours to read
            continue
    return total / 1024


def run(cmd: list[str], cwd: Path, env: dict | None = None, timeout: float | None = None,
        sample_group: bool = False) -> Run:
    """Spawn, wait with os.wait4 (exit status and this child's own rusage), kill the group on timeout; with
    ``sample_group``, the group's summed PSS is sampled every 50 ms (Linux) for its peak."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                             start_new_session=True)
        killed = threading.Event()

        def kill() -> None:
            killed.set()
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        timer = threading.Timer(timeout, kill) if timeout else None
        if timer:
            timer.start()
        peak = [0.0]
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.05):
                peak[0] = max(peak[0], group_pss_mb(p.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        if sample_group and os.path.exists("/proc/self/smaps_rollup"):
            sampler.start()
        _, status, usage = os.wait4(p.pid, 0)
        seconds = time.perf_counter() - t0
        done.set()
        if sampler.is_alive():
            sampler.join()
        if timer:
            timer.cancel()
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Run(seconds, usage.ru_maxrss / 1024, p.returncode, out.read().decode("utf-8", "replace"),
                   err.read().decode("utf-8", "replace"), killed.is_set(), peak[0])


def interleaved(variants: dict[str, tuple], reps: int, timeout: float | None = None) -> dict[str, list[Run]]:
    """Run each variant (cmd, cwd[, env]) ``reps`` times, round-robin, after one discarded warm-up each."""
    results: dict[str, list[Run]] = {k: [] for k in variants}
    for k, v in variants.items():
        warm = run(*v, timeout=timeout)
        if warm.code != 0 and not warm.timed_out:
            raise SystemExit(f"bench: {k} failed ({warm.code}):\n{warm.err[-2000:]}")
    for _ in range(reps):
        for k, v in variants.items():
            results[k].append(run(*v, timeout=timeout))
    return results


def med(runs: list[Run]) -> float:
    return statistics.median(r.seconds for r in runs)


def env(**extra: str) -> dict:
    """This environment, less what would make the children unlike a user's: no PYTHONPATH, and bytecode
    caching on (a sandbox's PYTHONDONTWRITEBYTECODE would make every run recompile the project's modules)."""
    drop = ("PYTHONPATH", "PYTHONSTARTUP", "PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")
    e = {k: v for k, v in os.environ.items() if k not in drop}
    e.update(extra)
    return e


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------
# Fixtures: the "before" package, palmerpenguins, synthetic packages, build copies
# ---------------------------------------------------------------------------

def before_package(work: Path, rev: str) -> Path | None:
    """rusprk/ as of ``rev``, beside a link to today's dist/ (so both read the same files)."""
    ok = subprocess.run(["git", "cat-file", "-e", f"{rev}:rusprk/_load.py"], cwd=ROOT, capture_output=True)
    if ok.returncode != 0:
        return None
    dest = work / f"before-{rev}"
    if not (dest / "rusprk" / "_load.py").is_file():
        dest.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "archive", rev, "rusprk"], cwd=ROOT, capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True)
    link = dest / "dist"
    if not link.exists():
        link.symlink_to(ROOT / "dist")
    return dest


def penguins_python(work: Path) -> tuple[Path | None, str]:
    """A throwaway venv that sees this interpreter's packages (same pandas) plus palmerpenguins."""
    venv = work / "penguins-venv"
    py = venv / "bin" / "python"
    probe = [str(py), "-c", "import palmerpenguins, sys; print(palmerpenguins.__version__ if hasattr(palmerpenguins, '__version__') else '?')"]
    if py.exists() and subprocess.run(probe, capture_output=True).returncode == 0:
        return py, "installed earlier in this work folder"
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([PY, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    ours = [p for p in sys.path if p.endswith("site-packages")]
    Path(site, "_rusprk_bench_parent.pth").write_text("\n".join(ours) + "\n")
    got = subprocess.run([PY, "-m", "pip", "--python", str(py), "install", "--quiet", "--no-deps",
                          "--disable-pip-version-check", "palmerpenguins"], capture_output=True, text=True,
                         timeout=300)
    if got.returncode != 0 or subprocess.run(probe, capture_output=True).returncode != 0:
        return None, "pip install palmerpenguins failed: " + (got.stderr.strip().splitlines() or ["?"])[-1]
    return py, "installed with pip into a throwaway venv"


def synth_package(work: Path, n_events: int) -> tuple[Path, dict]:
    """The synthetic package with ``n_events`` event rows (cached while its inputs are unchanged)."""
    key = hashlib.sha256()
    for rel in ("bench/synth.py", "rusprk/metadata.py", "rusprk/_types.py", "builders/publish.py"):
        key.update((ROOT / rel).read_bytes())
    dest = work / "synth" / f"{n_events}-{key.hexdigest()[:12]}"
    marker = dest / "rows.json"
    if not marker.is_file():
        for old in (work / "synth").glob(f"{n_events}-*"):
            shutil.rmtree(old, ignore_errors=True)
        log(f"  generating synthetic package with {n_events} events ...")
        t0 = time.perf_counter()
        r = run([PY, str(ROOT / "bench" / "synth.py"), str(dest), "--events", str(n_events)], ROOT,
                env(SOURCE_DATE_EPOCH=EPOCH_FALLBACK))
        if r.code != 0:
            raise SystemExit(f"bench: synth.py failed:\n{r.err[-3000:]}")
        import pyarrow.parquet as pq

        rows = {p.stem: pq.ParquetFile(p).metadata.num_rows for p in sorted(dest.glob("*.parquet"))}
        marker.write_text(json.dumps({"rows": rows, "generate_s": time.perf_counter() - t0}))
    info = json.loads(marker.read_text())
    info["mb"] = sum(p.stat().st_size for p in dest.iterdir() if p.is_file()) / 1e6
    return dest, info


def fresh_build_copy(dest: Path) -> None:
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    skip = shutil.ignore_patterns("__pycache__", "*.pyc")
    for rel in BUILD_INPUTS:
        src = ROOT / rel
        if src.is_dir():
            shutil.copytree(src, dest / rel, ignore=skip)
        elif src.is_file():
            shutil.copy2(src, dest / rel)


def clean_outputs(copy: Path) -> None:
    """Back to a checkout that was never built: no outputs and no build stamp (inputs and bytecode stay)."""
    for rel in (".cache", "dist", "schemas", "datapackage.json", "docs"):
        p = copy / rel
        if p.is_dir():
            shutil.rmtree(p)
        elif p.exists():
            p.unlink()


# ---------------------------------------------------------------------------
# The measurements
# ---------------------------------------------------------------------------

# The floors keep every frame, as load_all() does (freeing each one would let the allocator reuse pages).
FLOOR = ("import sys, pandas, pyarrow, pyarrow.parquet as pq\n"
         "frames = [pq.read_table(p).to_pandas() for p in sys.argv[1:]]\n")
STRICT_FLOOR = ("import sys, pandas, pyarrow, pyarrow.parquet as pq\n"
                "frames = [pq.ParquetFile(p).read().to_pandas() for p in sys.argv[1:]]\n")
LOAD_FROM = ("import sys\nfrom pathlib import Path\nimport rusprk, rusprk._load as L\n"
             "L.data_dir = lambda: Path(sys.argv[1])\nrusprk.load_all()\n")
READ_FLOOR = ("import sys, hashlib, pyarrow.csv as c, pyarrow.parquet as pq\nfrom pathlib import Path\n"
              "for p in sorted(Path(sys.argv[1]).glob('*.*')):\n"
              "    if p.suffix in ('.csv', '.parquet'): hashlib.sha256(p.read_bytes())\n"
              "    if p.suffix == '.parquet': pq.read_table(p)\n"
              "    if p.suffix == '.csv': c.read_csv(p, parse_options=c.ParseOptions(newlines_in_values=True))\n")


def parquet_files(pkg: Path) -> list[str]:
    sys.path.insert(0, str(ROOT))
    from rusprk.metadata import RESOURCE_ORDER

    return [str(pkg / f"{n}.parquet") for n in RESOURCE_ORDER]


def bench_import(reps: int, before: Path | None) -> dict:
    v = {"pass": ([PY, "-c", "pass"], ROOT, env()), "import rusprk": ([PY, "-c", "import rusprk"], ROOT, env())}
    if before:
        v["import rusprk (before)"] = ([PY, "-c", "import rusprk"], before, env())
    res = interleaved(v, reps)
    return {k: med(r) for k, r in res.items()} | {"reps": reps}


def bench_load(reps: int, before: Path | None, penguins: Path | None) -> dict:
    files = parquet_files(ROOT / "dist")
    v = {
        "floor": ([PY, "-c", FLOOR, *files], ROOT, env()),
        "strict floor": ([PY, "-c", STRICT_FLOOR, *files], ROOT, env()),
        "rusprk.load_all()": ([PY, "-c", "import rusprk; rusprk.load_all()"], ROOT, env()),
    }
    if before:
        v["rusprk.load_all() (before)"] = ([PY, "-c", "import rusprk; rusprk.load_all()"], before, env())
    if penguins:
        v["palmerpenguins.load_penguins()"] = (
            [str(penguins), "-c", "from palmerpenguins import load_penguins; load_penguins()"], ROOT, env())
    res = interleaved(v, reps)
    return {k: med(r) for k, r in res.items()} | {"reps": reps}


def bench_load_scale(pkg: Path, reps: int, before: Path | None, timeout: float) -> dict:
    files = parquet_files(pkg)
    v = {"floor": ([PY, "-c", FLOOR, *files], ROOT, env()),
         "rusprk.load_all()": ([PY, "-c", LOAD_FROM, str(pkg)], ROOT, env())}
    res = interleaved(v, reps)
    out = {k: med(r) for k, r in res.items()}
    out["rss_mb"] = statistics.median(r.rss_mb for r in res["rusprk.load_all()"])
    if before:  # once: the old loader converted through Python lists
        r = run([PY, "-c", LOAD_FROM, str(pkg)], before, env(), timeout=timeout)
        out["before"] = None if r.timed_out else r.seconds
    return out


def bench_build(work: Path, reps: int) -> dict:
    copy = work / "build" / "repo"
    fresh_build_copy(copy)
    e = env(SOURCE_DATE_EPOCH=build_epoch())
    clean, noop, clean_out, noop_out = [], [], "", ""
    for i in range(reps + 1):  # the first round compiles the copy's bytecode and is discarded
        clean_outputs(copy)
        a = run([PY, "-m", "rusprk", "build"], copy, e)
        if a.code != 0:
            raise SystemExit(f"bench: build failed in {copy}:\n{a.err[-3000:]}")
        b = run([PY, "-m", "rusprk", "build"], copy, e)
        if b.code != 0:
            raise SystemExit(f"bench: second build failed in {copy}:\n{b.err[-3000:]}")
        if i:
            clean.append(a.seconds)
            noop.append(b.seconds)
        clean_out, noop_out = (a.out + a.err).strip(), (b.out + b.err).strip()
    ours, theirs = sorted((copy / "dist").iterdir()), sorted((ROOT / "dist").iterdir())
    same = [p.name for p in ours] == [p.name for p in theirs] and all(
        a.read_bytes() == b.read_bytes() for a, b in zip(ours, theirs))
    base = interleaved({"pass": ([PY, "-c", "pass"], ROOT, env())}, reps)
    return {"clean": statistics.median(clean), "noop": statistics.median(noop), "pass": med(base["pass"]),
            "epoch": e["SOURCE_DATE_EPOCH"],
            "clean_out": clean_out.splitlines()[-1:] or [""], "noop_out": noop_out.splitlines()[-1:] or [""],
            "same_as_repo": same, "reps": reps}


SCALING_SIZES = (5, 50, 500, 2000)
SCALING_TARGETS = {"clean_ratio": 12.0, "peak_mb": 1000.0, "edit_ratio": 1.5, "noop_ratio": 0.5}
SCALING_START, SCALING_END = "<!-- build scaling: python bench/run.py --only scaling -->", "<!-- end of build scaling -->"


SITE_START, SITE_END = "<!-- site cost: python bench/run.py --only site -->", "<!-- end of site cost -->"

# In one process: the tables of a corpus (checked, as the build makes them), then the evidence browser's pages
# and the annotations made from them, each timed (best of 2) and counted.
SITE_COST = """
import io, json, sys, time
from pathlib import Path
root = Path(sys.argv[1])
sys.path.insert(0, str(root))
from builders.build import checked_tables
from builders import site
from builders.formats import annotations
rows, tables, frames = checked_tables(root, cache="write")
every = {name: t.to_pylist() for name, t in tables.items()}
texts = {s["source_id"]: (root / "seeds" / s["seed_file"]).read_text(encoding="utf-8") for s in rows["sources"]}
about = {"title": "t", "description": "d", "licenses": [{"path": "x"}], "keywords": []}
def pages():
    n = size = 0
    for _, data in site.site_files(every, texts, rows["regions"], descriptor=about, citation_text="c", version="v",
                                   jsonld={}):
        n, size = n + 1, size + len(data)
    return n, size
def notes():
    out = io.BytesIO()
    annotations.write(out, "v", len(every["evidence"]), annotations.annotations_of(every, site.page_finder(every)))
    return len(every["evidence"]), out.tell()
res = {}
for name, f in (("site", pages), ("annotations", notes)):
    best = None
    for _ in range(2):
        t = time.perf_counter(); count, size = f(); s = time.perf_counter() - t
        best = s if best is None else min(best, s)
    res[name] = {"seconds": best, "files_or_rows": count, "bytes": size}
res["records"] = sum(len(every[t]) for t in ("events", "people", "places", "bodies", "gifts", "countries", "sources"))
res["evidence"] = len(every["evidence"])
print(json.dumps(res))
"""


def bench_site(work: Path, sizes: list[int], timeout: float) -> dict:
    """The evidence browser's and the annotations' cost at each corpus size (bench/corpus.py)."""
    sys.path.insert(0, str(ROOT))
    from bench.corpus import make

    out = {}
    for n in sizes:
        tree = make(n, work / "site" / str(n))
        r = run([PY, "-c", SITE_COST, str(tree)], ROOT, env(SOURCE_DATE_EPOCH=build_epoch()), timeout)
        if r.code != 0:
            raise SystemExit(f"bench: site cost at {n} seeds failed:\n{r.err[-3000:]}")
        out[n] = json.loads(r.out.strip().splitlines()[-1])
        log(f"  {n} seeds: site {out[n]['site']['seconds']:.1f} s, annotations {out[n]['annotations']['seconds']:.1f} s")
    return out


def render_site(res: dict) -> list[str]:
    L = [SITE_START, "", "## The evidence browser's cost", ""]
    L.append("The pages of `dist/site/` and `dist/annotations.jsonld`, made in one process from the checked tables of "
             "the synthetic corpora above (best of two; writing them to disk is the build's, not counted here).")
    L += ["", "| seeds | records | evidence rows | site: pages | MB | time | ms per page | annotations: MB | time | "
          "µs per row |", "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    sizes = sorted(res)
    for n in sizes:
        r = res[n]
        site, notes = r["site"], r["annotations"]
        L.append(f"| {n:,} | {r['records']:,} | {r['evidence']:,} | {site['files_or_rows']:,} | "
                 f"{site['bytes'] / 1e6:.1f} | {site['seconds']:.2f} s | {site['seconds'] / site['files_or_rows'] * 1000:.2f} | "
                 f"{notes['bytes'] / 1e6:.1f} | {notes['seconds']:.2f} s | "
                 f"{notes['seconds'] / max(notes['files_or_rows'], 1) * 1e6:.1f} |")
    if len(sizes) > 1:
        a, b = res[sizes[0]], res[sizes[-1]]
        grow = (b["site"]["seconds"] / a["site"]["seconds"]) / (b["site"]["files_or_rows"] / a["site"]["files_or_rows"])
        L += ["", f"From {sizes[0]:,} to {sizes[-1]:,} seeds the site's time per page changes by a factor of "
              f"{grow:.2f} (1.00 is linear in pages)."]
    L += ["", SITE_END]
    return L


LOAD_COSTS = """
import json, shutil, sys, tempfile, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from builders.handmap import _READ, load_handmap
from builders.parse import parse_seed
from builders.quotes import _NORMALISED, NormalisedText
tree = Path(sys.argv[1])
maps = sorted((tree / "builders" / "handmaps").glob("*.yaml"))
cache = Path(tempfile.mkdtemp())
def per_map(f):
    best = None
    for _ in range(3):
        _READ.clear(); _NORMALISED.clear()
        t = time.perf_counter(); f(); s = (time.perf_counter() - t) / len(maps) * 1000
        best = s if best is None else min(best, s)
    return best
out = {"read without cache (YAML with lines, limits, depth, pydantic)": per_map(lambda: [load_handmap(m) for m in maps])}
[load_handmap(m, cache) for m in maps]
out["read from the cache (JSON, pydantic)"] = per_map(lambda: [load_handmap(m, cache) for m in maps])
hms = [load_handmap(m) for m in maps]
seeds = [tree / "seeds" / h.seed for h in hms]
out["parse the seed (heuristics, layout, assemble)"] = per_map(lambda: [parse_seed(s, h.layout) for s, h in zip(seeds, hms)])
texts = [s.read_text(encoding="utf-8") for s in seeds]
out["normal form for quote location"] = per_map(lambda: [NormalisedText.of(t) for t in texts])
from builders.tables import load_parts
load_parts(tree, cache="write")  # fills tree/.cache/parts (the bench's own copy of the corpus)
out["all of the above, and every quote located: the part from the cache (JSON)"] = per_map(
    lambda: load_parts(tree, cache="read"))
shutil.rmtree(cache)
print(json.dumps(out))
"""

_NOTES = re.compile(r"^(\s+notes: [^>|\"'\n][^\n]*)$", re.M)  # a one-line plain notes value


def edit_notes(handmap: Path, words: str) -> None:
    """A curator's edit that reaches the tables: words added to the first one-line notes of a record."""
    text = handmap.read_text(encoding="utf-8")
    handmap.write_text(_NOTES.sub(lambda m: f"{m.group(1)} {words}", text, count=1), encoding="utf-8")


def bench_scaling(work: Path, sizes: list[int], timeout: float) -> dict:
    """Clean, no-op and one-edited-hand-map builds of synthetic corpora (bench/corpus.py) of each size.

    Sizes up to 50 seeds are timed three times (the median is kept), larger ones once: they take minutes.
    Ratios are against the 5-seed clean build of this same run."""
    sys.path.insert(0, str(ROOT))
    from bench.corpus import make

    e = env(SOURCE_DATE_EPOCH=build_epoch())
    out: dict = {}
    for n in sizes:
        tree = make(n, work / "scaling" / str(n))
        reps = 3 if n <= 50 else 1
        maps = sorted((tree / "builders" / "handmaps").glob("*.yaml"))
        edited = next(m for m in maps[n // 2:] + maps if _NOTES.search(m.read_text(encoding="utf-8")))
        runs: dict[str, list[Run]] = {"clean": [], "noop": [], "check": [], "edit": []}
        for i in range(reps + (1 if n <= 50 else 0)):  # small sizes: one discarded warm-up (bytecode)
            clean_outputs(tree)
            round_ = {"clean": run([PY, "-m", "rusprk", "build"], tree, e, timeout, sample_group=True),
                      "noop": run([PY, "-m", "rusprk", "build"], tree, e, timeout, sample_group=True)}
            edit_notes(edited, f"Benchmark edit {i}.")
            # What a curator runs after each edit (docs/curating.md), before building: every check, nothing written.
            round_["check"] = run([PY, "-m", "rusprk", "check", str(edited.relative_to(tree))], tree, e, timeout,
                                  sample_group=True)
            round_["edit"] = run([PY, "-m", "rusprk", "build"], tree, e, timeout, sample_group=True)
            for k, r in round_.items():
                if r.code != 0:
                    raise SystemExit(f"bench: {k} build of {n} seeds failed:\n{r.err[-3000:]}")
            if n > 50 or i:
                for k, r in round_.items():
                    runs[k].append(r)
        counts = runs["clean"][-1].out.strip().splitlines()[-1]
        out[n] = {k: {"seconds": statistics.median(r.seconds for r in v), "mb": max(r.peak_mb for r in v),
                      "largest_process_mb": max(r.rss_mb for r in v)} for k, v in runs.items()}
        out[n]["built"] = counts
        out[n]["reps"] = reps
        log(f"  {n} seeds: clean {out[n]['clean']['seconds']:.1f} s, no-op {out[n]['noop']['seconds']:.2f} s, "
            f"check {out[n]['check']['seconds']:.1f} s, edit {out[n]['edit']['seconds']:.1f} s")
    # What reading one hand-map costs, and its seed's parse and normal form (in one process, per hand-map).
    n = max([m for m in sizes if m <= 500] or sizes[:1])
    r = run([PY, "-c", LOAD_COSTS, str(work / "scaling" / str(n))], ROOT, e, timeout)
    out["load_costs"] = json.loads(r.out) if r.code == 0 else {"error": r.err[-300:]}
    out["load_costs_seeds"] = n
    # Where an edit's time goes, at the largest size of at most 500 seeds (cProfile doubles the time).
    n = max([m for m in sizes if m <= 500] or sizes[:1])
    tree = work / "scaling" / str(n)
    maps = sorted((tree / "builders" / "handmaps").glob("*.yaml"))
    edit_notes(next(m for m in maps[n // 2:] + maps if _NOTES.search(m.read_text(encoding="utf-8"))),
               "Benchmark edit, profiled.")
    out["profile"] = profile(["build"], tree, work / "scaling.prof", e)
    out["profile_seeds"] = n
    (work / "scaling.json").write_text(json.dumps(out, indent=2, default=str))
    return out


def render_scaling(sc: dict) -> list[str]:
    import math

    L = [SCALING_START, "", "## Build scaling", ""]
    add = L.append
    sizes = sorted(k for k in sc if isinstance(k, int))
    base = sc[sizes[0]]["clean"]["seconds"]
    add(f"Synthetic corpora from `python bench/corpus.py N OUT`: the five real seeds and hand-maps, then copies in "
        "groups of five with every defined id renamed and one unique closing paragraph per seed, so every "
        f"reference resolves and every quote is found. Ratios are to the {sizes[0]}-seed clean build of this run "
        f"({sec(base)}). Clean: no outputs, no `.cache/`. No-op: built again, nothing changed. Edit: one "
        "record's notes changed in one hand-map, then built (the other seeds' parts of the tables, every hand-map "
        "validated and every quote located, and the timeline come from `.cache/`); `rusprk check HANDMAP` is run "
        "on the edited hand-map after the edit and before that build, as a curator runs it after each edit "
        "(docs/curating.md: every check the build makes, nothing written; it reads the cache and writes none, so "
        "the edited hand-map is read by both). "
        "Peak memory is the build's "
        "processes' together: the larger of its largest process's `ru_maxrss` and the peak of their summed "
        "proportional set size (a forked child's shared pages counted once), sampled every 50 ms.")
    add("")
    add("| seeds | rows built | clean | ratio | peak | no-op | ratio | check after the edit | ratio | one edit "
        "| ratio | peak |")
    add("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for n in sizes:
        r = sc[n]
        built = dict(part.split(" ", 1) for part in r["built"].replace("built ", "").split(", "))
        rows = f"{int(built.get('events', 0)):,} events, {int(built.get('evidence', 0)):,} evidence rows"
        add(f"| {n:,} | {rows} | {sec(r['clean']['seconds'])} | "
            f"{r['clean']['seconds'] / base:.1f}× | {r['clean']['mb']:.0f} MB | {sec(r['noop']['seconds'])} | "
            f"{r['noop']['seconds'] / base:.2f}× | " + (f"{sec(r['check']['seconds'])} | {r['check']['seconds'] / base:.1f}× | "
                                                       if "check" in r else "— | — | ")
            + f"{sec(r['edit']['seconds'])} | {r['edit']['seconds'] / base:.1f}× | {r['edit']['mb']:.0f} MB |")
    add("")
    if len(sizes) >= 2:
        grow = []
        for a, b in zip(sizes, sizes[1:]):
            k = math.log(sc[b]["clean"]["seconds"] / sc[a]["clean"]["seconds"]) / math.log(b / a)
            grow.append(f"{a:,} → {b:,} seeds: clean time × {sc[b]['clean']['seconds'] / sc[a]['clean']['seconds']:.1f} "
                        f"for seeds × {b / a:.0f} (exponent {k:.2f}; 1.00 is linear)")
        add("How cost grows: " + "; ".join(grow) + ".")
        add("")
    big = sizes[-1]
    r = sc[big]
    add("| target (ratios to the 5-seed clean build) | measured | verdict |")
    add("| --- | --- | --- |")
    add(f"| {big:,} seeds from clean ≤ {SCALING_TARGETS['clean_ratio']:.0f}× | {r['clean']['seconds'] / base:.1f}× "
        f"({sec(r['clean']['seconds'])}) | {verdict(r['clean']['seconds'] / base <= SCALING_TARGETS['clean_ratio'])} |")
    worst = max(r[k]["mb"] for k in ("clean", "noop", "edit"))
    add(f"| … within 1 GB peak (clean, no-op and edit builds) | {r['clean']['mb']:.0f} MB clean, {r['edit']['mb']:.0f} MB "
        f"edit | {verdict(worst <= SCALING_TARGETS['peak_mb'])} |")
    if "check" in r:  # not a target of the issue: what a curator waits for after an edit, beside the build's
        add(f"| (not a target) `rusprk check` after one edit at {big:,} seeds | {r['check']['seconds'] / base:.1f}× "
            f"({sec(r['check']['seconds'])}), {r['check']['mb']:.0f} MB | — |")
    add(f"| one edited hand-map at {big:,} seeds ≤ {SCALING_TARGETS['edit_ratio']}× | {r['edit']['seconds'] / base:.1f}× "
        f"({sec(r['edit']['seconds'])}) | {verdict(r['edit']['seconds'] / base <= SCALING_TARGETS['edit_ratio'])} |")
    add(f"| no-op at {big:,} seeds ≤ {SCALING_TARGETS['noop_ratio']}× | {r['noop']['seconds'] / base:.2f}× "
        f"({sec(r['noop']['seconds'])}) | {verdict(r['noop']['seconds'] / base <= SCALING_TARGETS['noop_ratio'])} |")
    add("")
    costs = sc.get("load_costs") or {}
    if costs and "error" not in costs:
        add(f"Reading one hand-map and its seed, in ms per hand-map (best of 3 over the {sc['load_costs_seeds']:,}-seed "
            "corpus, one process):")
        add("")
        add("| step | ms per hand-map |")
        add("| --- | ---: |")
        for step, v in costs.items():
            add(f"| {step} | {v:.2f} |")
        add("")
    if sc.get("profile"):
        profile_table(add, f"Where a one-edit build of {sc['profile_seeds']:,} seeds spends its time (one cProfile "
                           "run)", sc["profile"])
    L.append(SCALING_END)
    return L


def bench_validate(pkg: Path, reps: int, timeout: float, before: Path | None) -> dict:
    # Synthetic packages are valid in form only (random quotes name nobody): the meaning rules are skipped.
    cmd = [PY, "-m", "rusprk", "validate", str(pkg / "datapackage.json"), "--seeds", str(pkg / "seeds"),
           "--form-only"]
    res = interleaved({"validate": (cmd, ROOT, env()),
                       "one thread": (cmd + ["--workers", "1"], ROOT, env()),
                       "read floor": ([PY, "-c", READ_FLOOR, str(pkg)], ROOT, env())}, reps, timeout)
    runs = res["validate"]
    out = {"validate": med(runs), "rss_mb": max(r.rss_mb for r in runs), "read floor": med(res["read floor"]),
           "one thread": med(res["one thread"]), "one_thread_rss_mb": max(r.rss_mb for r in res["one thread"]),
           "verdict": "valid" if runs[0].code == 0 else f"INVALID ({(runs[0].out + runs[0].err).strip()[-300:]})"}
    ref = run(cmd + ["--reference"], ROOT, env(), timeout=timeout)  # the slow path, once
    out["reference"] = None if ref.timed_out else ref.seconds
    out["reference_rss_mb"] = None if ref.timed_out else ref.rss_mb
    out["reference_verdict"] = None if ref.timed_out else ("valid" if ref.code == 0 else "INVALID")
    # frictionless: repeated only while it is quick enough to repeat
    fl, fl_runs = [], 0
    while fl_runs < reps:
        r = run([str(Path(PY).parent / "frictionless"), "validate", "datapackage.json"], pkg, env(),
                timeout=timeout)
        fl_runs += 1
        if r.timed_out:
            fl = None
            break
        fl.append(r)
        if r.seconds > 30:
            break
    out["frictionless"] = None if fl is None else statistics.median(x.seconds for x in fl)
    out["frictionless_rss_mb"] = None if fl is None else max(x.rss_mb for x in fl)
    out["frictionless_runs"] = fl_runs
    out["frictionless_verdict"] = None if fl is None else ("valid" if fl[0].code == 0 else "INVALID")
    if before:
        r = run([PY, "-m", "rusprk", "validate", str(pkg / "datapackage.json"), "--seeds", str(pkg / "seeds")],
                before, env(), timeout=timeout)
        out["before"] = None if r.timed_out else r.seconds
        out["before_rss_mb"] = None if r.timed_out else r.rss_mb
        out["before_verdict"] = None if r.timed_out else ("valid" if r.code == 0 else "INVALID")
    return out


AGREEMENT = """
import json, sys, tempfile
from pathlib import Path
sys.path.insert(0, str(Path.cwd() / "tests"))
from corruptions import CATALOGUE, Package, SEEDS, expected
from rusprk.validate import Mode, validate_package
same = []
for c in CATALOGUE:
    with tempfile.TemporaryDirectory() as d:
        pkg = Package.copy_of(Path("dist"), Path(d) / "package")
        expected(c, pkg)
        fast, slow = (validate_package(pkg.descriptor, SEEDS, m) for m in (Mode.fast(), Mode.reference()))
        same.append([c.name, fast == slow, len(fast), len(slow)])
print(json.dumps(same))
"""


def bench_agreement() -> dict:
    """Both paths of `rusprk validate` on every corruption of the catalogue: are their problems identical?"""
    r = run([PY, "-c", AGREEMENT], ROOT, env())
    try:
        rows = json.loads(r.out.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {"error": (r.out + r.err)[-300:]}
    return {"total": len(rows), "identical": sum(1 for _, same, _, _ in rows if same),
            "differ": [name for name, same, _, _ in rows if not same],
            "problems": sum(n for _, _, n, _ in rows), "seconds": r.seconds}


PROFILE = ("import cProfile, sys\nfrom rusprk.cli import main\n"
           "out, args = sys.argv[1], sys.argv[2:]\ncProfile.run('main(args)', out)\n")


def profile(args: list[str], cwd: Path, out: Path, e: dict | None = None, top: int = 14) -> list[tuple]:
    """One cProfile run of ``rusprk ARGS``: (function, cumulative s, own s) for the project's
    functions that take at least 2 % of the run, then the six biggest by own time (kernels, imports)."""
    out.unlink(missing_ok=True)
    r = run([PY, "-c", PROFILE, str(out), *args], cwd, e or env())
    if not out.is_file():
        return [("profile failed: " + r.err[-300:].replace("|", "/").replace("\n", " "), 0.0, 0.0)]
    rows = [(file, fn, ct, tt) for (file, line, fn), (cc, nc, tt, ct, callers) in pstats.Stats(str(out)).stats.items()]
    total = max(r[2] for r in rows)

    def label(file: str, fn: str) -> str:
        p = Path(file)
        return f"{p.parent.name}/{p.name}:{fn}" if p.suffix == ".py" else f"{file}:{fn}"

    ours = sorted((r for r in rows if ("/rusprk/" in r[0] or "/builders/" in r[0]) and r[1] != "<module>"
                   and not r[0].endswith(("cli.py", "__main__.py"))), key=lambda r: -r[2])
    pick = [(label(f, fn), ct, tt) for f, fn, ct, tt in ours if ct >= 0.02 * total][:top]
    pick += [("(own time) " + label(f, fn), ct, tt) for f, fn, ct, tt in sorted(rows, key=lambda r: -r[3])[:6]]
    return [("whole run", total, 0.0)] + pick


def import_costs(args: list[str], cwd: Path, e: dict, top: int = 8) -> list[tuple[str, float]]:
    """`python -X importtime -m rusprk ARGS`: the top-level imports that cost most (name, seconds)."""
    r = run([PY, "-X", "importtime", "-m", "rusprk", *args], cwd, e)
    costs = []
    for line in r.err.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = line.split("|")
        if cumulative.strip().isdigit() and name.startswith(" ") and not name.startswith("  "):
            costs.append((name.strip(), int(cumulative) / 1e6))
    return sorted(costs, key=lambda c: -c[1])[:top]


# ---------------------------------------------------------------------------
# The report
# ---------------------------------------------------------------------------

def ms(s: float | None) -> str:
    return "—" if s is None else f"{s * 1000:.0f} ms"


def sec(s: float | None) -> str:
    return "—" if s is None else f"{s:.2f} s"


def ratio(a: float | None, b: float | None) -> str:
    return "—" if a is None or b is None or b == 0 else f"{a / b:.2f}×"


def verdict(ok: bool) -> str:
    return "**met**" if ok else "**NOT met**"


def git_state() -> str:
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    dirty = subprocess.run(["git", "status", "--porcelain", "--", "rusprk", "builders", "bench"], cwd=ROOT,
                           capture_output=True, text=True).stdout.strip()
    return head.strip() + (" with uncommitted changes to rusprk/, builders/ or bench/" if dirty else "")


def machine() -> str:
    import numpy
    import pandas
    import pyarrow

    cpu = "?"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return (f"{os.cpu_count()} cores ({cpu}), {platform.system()} {platform.release()}, Python "
            f"{platform.python_version()}, pandas {pandas.__version__}, pyarrow {pyarrow.__version__}, "
            f"numpy {numpy.__version__}")


def profile_table(add, title: str, rows: list[tuple]) -> None:
    add(f"### {title}")
    add("")
    add("cProfile slows the run; read the shares, not the absolute times. \"Own time\" rows are the biggest "
        "single functions, wherever they are (Arrow kernels, imports).")
    add("")
    add("| function | cumulative | own |")
    add("| --- | --- | --- |")
    for name, ct, tt in rows:
        add(f"| `{name}` | {sec(ct)} | {sec(tt) if tt else '—'} |")
    add("")


def render(r: dict, args) -> str:
    imp, load, build, val = r["import"], r["load"], r["build"], r["validate"]
    L = []
    add = L.append
    add("# Performance")
    add("")
    add("Written by `python bench/run.py` (the numbers below are from one run of it; run it again to "
        "reproduce them on your machine). Not part of the test suite.")
    add("")
    before_text = (f"\"Before\" is the `rusprk/` package at commit {args.before} (before issue 5), run in the same "
                   "session on the same files." if not r.get("before_note") else f"No \"before\" columns: {r['before_note']}.")
    add(f"Machine: {machine()}. Code: {git_state()}. {before_text} The run took "
        f"{r['minutes']:.0f} minutes; 1-minute load average {r['loadavg'][0]:.1f} at its start and "
        f"{r['loadavg'][1]:.1f} at its end (2.0 means both cores busy).")
    add("")
    add("Every time is the median of several runs, each a fresh process timed from spawn to exit "
        "(interpreter start included); compared commands run interleaved after a discarded warm-up. "
        "Peak memory is the child process's own maximum resident set size (`ru_maxrss` from `wait4`).")
    add("")

    # -- targets
    big = max(val) if val else None
    add("## Targets")
    add("")
    add("| target | measured | verdict |")
    add("| --- | --- | --- |")
    d_imp = imp["import rusprk"] - imp["pass"]
    add(f"| `import rusprk` adds ≤ {TARGETS['import_ms']:.0f} ms to interpreter start | "
        f"+{d_imp * 1000:.1f} ms ({ms(imp['import rusprk'])} vs {ms(imp['pass'])}) | "
        f"{verdict(d_imp * 1000 <= TARGETS['import_ms'])} |")
    lr = load["rusprk.load_all()"] / load["floor"]
    lr2 = load["rusprk.load_all()"] / load["strict floor"]
    add(f"| `load_all()` ≤ {TARGETS['load_ratio']}× the floor | {lr:.2f}× the floor, {lr2:.2f}× the strict floor "
        f"({ms(load['rusprk.load_all()'])} vs {ms(load['floor'])} / {ms(load['strict floor'])}) | "
        f"{verdict(max(lr, lr2) <= TARGETS['load_ratio'])} |")
    add(f"| full build ≤ {TARGETS['build_s']:.0f} s | {sec(build['clean'])} | "
        f"{verdict(build['clean'] <= TARGETS['build_s'])} |")
    add(f"| no-op build ≤ {TARGETS['noop_s']} s | {sec(build['noop'])} | {verdict(build['noop'] <= TARGETS['noop_s'])} |")
    if big:
        v = val[big]
        add(f"| validate {big:,} event rows ≤ {TARGETS['validate_s']:.0f} s | {sec(v['validate'])} (reading "
            f"both copies of the {r['mb'][big]:.0f} MB package without any check: {sec(v['read floor'])}) | "
            f"{verdict(v['validate'] <= TARGETS['validate_s'])} |")
        add(f"| … and ≤ 2 GB peak memory | {v['rss_mb']:.0f} MB | {verdict(v['rss_mb'] <= TARGETS['validate_mb'])} |")
        sizes = sorted(val)
        if len(sizes) >= 2:
            a, b = sizes[-2], sizes[-1]
            growth = (val[b]["validate"] / val[a]["validate"]) / (r["rows"][b] / r["rows"][a])
            add(f"| cost linear in rows | {a:,} → {b:,} events: time × {val[b]['validate'] / val[a]['validate']:.1f} "
                f"for rows × {r['rows'][b] / r['rows'][a]:.1f} (growth {growth:.2f} of linear) | "
                f"{verdict(growth <= 1.25)} |")
    ag = r.get("agreement") or {}
    if "total" in ag:
        differ = f"; differ: {', '.join(ag['differ'])}" if ag["differ"] else ""
        add(f"| verdicts identical to the slower path on the corruption catalogue | `rusprk validate` and "
            f"`--reference` report identical problems on {ag['identical']} of {ag['total']} corruptions "
            f"({ag['problems']} problems in all{differ}) | {verdict(ag['identical'] == ag['total'])} |")
    else:
        add(f"| verdicts identical to the slower path on the corruption catalogue | not measured: "
            f"{ag.get('error', 'not run')} | — |")
    add("")

    # -- import
    add("## Import")
    add("")
    add(f"{imp['reps']} runs of each.")
    add("")
    add("| command | median | vs `python -c pass` |")
    add("| --- | --- | --- |")
    for k in ("pass", "import rusprk", "import rusprk (before)"):
        if k in imp:
            cmd = "python -c pass" if k == "pass" else f"python -c \"import rusprk\"{' (before)' if 'before' in k else ''}"
            add(f"| `{cmd.split(' (')[0]}`{' before' if 'before' in k else ''} | {ms(imp[k])} | "
                f"{ratio(imp[k], imp['pass'])}, +{(imp[k] - imp['pass']) * 1000:.1f} ms |")
    add("")

    # -- load
    add("## Loading the shipped data")
    add("")
    add(f"{load['reps']} runs of each. The floor imports pandas and pyarrow and reads the same ten Parquet files "
        "with `pq.read_table(path).to_pandas()`, no checks; the strict floor uses `pq.ParquetFile(path).read()` "
        "(which skips `pyarrow.dataset`). `load_all()` also checks every file's sha256 and returns the declared "
        "dtypes (categoricals, Int64, boolean, datetime64[s], string).")
    add("")
    add("| command | median | vs floor | vs strict floor |")
    add("| --- | --- | --- | --- |")
    for k in ("floor", "strict floor", "rusprk.load_all()", "rusprk.load_all() (before)",
              "palmerpenguins.load_penguins()"):
        if k in load:
            add(f"| {k} | {ms(load[k])} | {ratio(load[k], load['floor'])} | {ratio(load[k], load['strict floor'])} |")
    if "palmerpenguins.load_penguins()" in load:
        add("")
        add(f"palmerpenguins ({r['penguins_note']}) loads one 344-row CSV with `pandas.read_csv`; "
            f"`rusprk.load_all()` takes {ratio(load['rusprk.load_all()'], load['palmerpenguins.load_penguins()'])} "
            "its time for ten typed, hash-checked tables.")
    else:
        add("")
        add(f"palmerpenguins: not measured ({r['penguins_note']}).")
    add("")
    if r.get("load_scale"):
        add(f"At scale (the synthetic packages below; same floor, {r['load_scale_reps']} runs each; \"before\" "
            f"once, bounded by {args.timeout:.0f} s):")
        add("")
        add("| event rows | all rows | floor | `load_all()` | vs floor | peak memory | before | before vs floor |")
        add("| --- | --- | --- | --- | --- | --- | --- | --- |")
        for n, s in sorted(r["load_scale"].items()):
            b = s.get("before", "absent")
            add(f"| {n:,} | {r['rows'][n]:,} | {sec(s['floor'])} | {sec(s['rusprk.load_all()'])} | "
                f"{ratio(s['rusprk.load_all()'], s['floor'])} | {s['rss_mb']:.0f} MB | "
                f"{'—' if b == 'absent' else (sec(b) if b is not None else f'> {args.timeout:.0f} s')} | "
                f"{ratio(b, s['floor']) if isinstance(b, float) else '—'} |")
        add("")

    # -- build
    add("## Build")
    add("")
    add(f"`python -m rusprk build` in a copy of the build inputs ({', '.join(BUILD_INPUTS)}) with "
        f"SOURCE_DATE_EPOCH={build['epoch']} (the `created` time of the repository's dist/). \"From clean\" "
        "removes every output and the build stamp first (dist/, schemas/, datapackage.json, docs/, .cache/); "
        f"{build['reps']} rounds after a discarded warm-up that compiles the copy's bytecode, as in a checkout "
        "that has run Python before. The no-op build is a second `python -m rusprk build` in the same copy.")
    add("")
    add("| command | median | vs `python -c pass` | last line of output |")
    add("| --- | --- | --- | --- |")
    add(f"| build from clean | {sec(build['clean'])} | {ratio(build['clean'], build['pass'])} | "
        f"`{build['clean_out'][0][:90]}` |")
    add(f"| build again, inputs unchanged | {sec(build['noop'])} | {ratio(build['noop'], build['pass'])} | "
        f"`{build['noop_out'][0][:90]}` |")
    add("")
    add(f"The copy's `dist/` is byte-identical to the repository's: {'yes' if build['same_as_repo'] else 'no'} "
        "(every file compared; they differ whenever the working tree's build inputs differ from the last "
        "commit's).")
    add("")
    if r.get("build_profile"):
        profile_table(add, "Where the build from clean spends its time (one cProfile run)", r["build_profile"])
    if r.get("build_imports"):
        add("Imports alone (`python -X importtime -m rusprk build` from clean, top-level modules by "
            "cumulative import time): " + ", ".join(f"{n} {ms(t)}" for n, t in r["build_imports"]) + ".")
        add("")

    # -- validate
    add("## Validate")
    add("")
    add("Synthetic packages from `bench/synth.py` (generated from `rusprk.metadata`, written by "
        "`builders.publish`; every rule holds, quotes stand in generated seed files). Rows per event: "
        "participants 2, people 0.35, gifts 0.14 (as in the seeds), aliases 0.5, places 0.1, bodies 0.05, one "
        "seed per 2 000 events (at least 5), 50 countries, and one evidence row per record of every other table "
        "(the least the rules allow).")
    add("")
    add("| event rows | all rows | package | `rusprk validate` | peak memory | s per million rows | one thread | "
        "`--reference` | read floor | `frictionless validate` | vs frictionless | before | "
        "verdicts (rusprk / reference / frictionless / before) |")
    add("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for n, v in sorted(val.items()):
        rows = r["rows"][n]
        fl = v["frictionless"]
        fl_txt = (f"did not finish within {args.timeout:.0f} s" if fl is None
                  else f"{sec(fl)} ({v['frictionless_runs']} run{'s' if v['frictionless_runs'] > 1 else ''}, "
                       f"{v['frictionless_rss_mb']:.0f} MB)")
        b = v.get("before", "absent")
        b_txt = "—" if b == "absent" else (f"> {args.timeout:.0f} s" if b is None
                                           else f"{sec(b)} ({v['before_rss_mb']:.0f} MB)")
        verdicts = " / ".join(str(x) for x in (v["verdict"], v.get("reference_verdict") or "—",
                                                v["frictionless_verdict"] or "—", v.get("before_verdict") or "—"))
        rf = v.get("reference", "absent")
        rf_txt = "—" if rf == "absent" else (f"> {args.timeout:.0f} s" if rf is None
                                             else f"{sec(rf)} ({v['reference_rss_mb']:.0f} MB)")
        one = v.get("one thread")
        one_txt = "—" if one is None else f"{sec(one)} ({v['one_thread_rss_mb']:.0f} MB)"
        add(f"| {n:,} | {rows:,} | {r['mb'][n]:.0f} MB | {sec(v['validate'])} | {v['rss_mb']:.0f} MB | "
            f"{v['validate'] / rows * 1e6:.2f} | {one_txt} | {rf_txt} | {sec(v['read floor'])} | {fl_txt} | "
            f"{ratio(v['validate'], fl)} | "
            f"{b_txt} | {verdicts} |")
    add("")
    add("`rusprk validate` uses the cores available (at most 4; here 2); \"one thread\" is `--workers 1`. "
        "`--reference` is the slow path the fast one is tested against: one thread, each table whole, every "
        "CSV parsed and compared cell by cell (run once). The read floor hashes every CSV and Parquet file and "
        "parses both with pyarrow (on all cores), no checks: the least any validator that reads both copies "
        "must spend.")
    add("")
    if r.get("profile"):
        profile_table(add, f"Where `rusprk validate` spends its time ({max(val):,} event rows, one cProfile run "
                           "with `--workers 1`, since cProfile sees one thread)", r["profile"])
    if r.get("scaling"):
        L += render_scaling(r["scaling"])
    if r.get("site"):
        L += ["", *render_site(r["site"])]
        add("")
    notes = ROOT / "bench" / "NOTES.md"
    if notes.is_file():
        add(notes.read_text(encoding="utf-8").strip())
        add("")
    return "\n".join(L)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer runs and no 1 000 000-row package")
    ap.add_argument("--sizes", default=None, help="event rows of the synthetic packages (default 10000,100000,1000000)")
    ap.add_argument("--timeout", type=float, default=120.0, help="bound for frictionless and the old code (s)")
    ap.add_argument("--before", default=BEFORE_REV, help=f"git revision of the 'before' rusprk/ (default {BEFORE_REV})")
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "rusprk-bench")
    ap.add_argument("--out", type=Path, default=DOC)
    ap.add_argument("--scaling-sizes", default=None,
                    help=f"seeds of the build-scaling corpora (default {','.join(map(str, SCALING_SIZES))})")
    ap.add_argument("--only", choices=["scaling", "site"],
                    help="run only this part and replace its section of the existing --out file")
    args = ap.parse_args(argv)
    scaling_sizes = [int(s) for s in (args.scaling_sizes or ",".join(map(str, SCALING_SIZES))).split(",")]
    if args.only:
        args.work.mkdir(parents=True, exist_ok=True)
        log(f"{args.only} ...")
        if args.only == "scaling":
            start, end = SCALING_START, SCALING_END
            section = "\n".join(render_scaling(bench_scaling(args.work, scaling_sizes, 3600)))
        else:
            start, end = SITE_START, SITE_END
            section = "\n".join(render_site(bench_site(args.work, [m for m in scaling_sizes if m >= 50], 3600)))
        text = args.out.read_text(encoding="utf-8")
        if start in text:
            head, rest = text.split(start, 1)
            text = head + section + rest.split(end, 1)[1]
        else:
            text = text.replace(SCALING_END, SCALING_END + "\n\n" + section, 1) if SCALING_END in text else \
                text.rstrip("\n") + "\n\n" + section + "\n"
        args.out.write_text(text, encoding="utf-8")
        log(f"wrote the {args.only} section of {args.out}")
        return 0
    sizes = [int(s) for s in (args.sizes or ("10000,100000" if args.quick else "10000,100000,1000000")).split(",")]
    reps = {"import": 10 if args.quick else 40, "load": 5 if args.quick else 15, "build": 2 if args.quick else 5,
            "validate": 2 if args.quick else 3, "load_scale": 2 if args.quick else 5}
    args.work.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    r: dict = {"rows": {}, "mb": {}, "validate": {}, "load_scale": {}, "loadavg": [os.getloadavg()[0]]}
    before = before_package(args.work, args.before)
    r["before_note"] = None
    if before is None:
        r["before_note"] = f"revision {args.before} not found"
    elif run([PY, "-c", "import rusprk; rusprk.load_all()"], before, env()).code != 0:
        # The old loader checks today's files against its own schema: once fields are added, it refuses them.
        r["before_note"] = (f"the `rusprk/` package at {args.before} cannot read this release's tables (fields "
                            "were added since)")
        before = None
    if r["before_note"]:
        log(f"bench: {r['before_note']}")
    penguins, r["penguins_note"] = penguins_python(args.work)
    log("import ...")
    r["load_scale_reps"] = reps["load_scale"]
    r["import"] = bench_import(reps["import"], before)
    log("load_all ...")
    r["load"] = bench_load(reps["load"], before, penguins)
    log("build ...")
    r["build"] = bench_build(args.work, reps["build"])
    for n in sizes:
        pkg, info = synth_package(args.work, n)
        r["rows"][n] = sum(info["rows"].values())
        r["mb"][n] = info["mb"]
        log(f"validate {n} events ({r['rows'][n]} rows) ...")
        r["validate"][n] = bench_validate(pkg, reps["validate"], args.timeout, before)
        if n >= 100_000:
            log(f"load_all at {n} events ...")
            r["load_scale"][n] = bench_load_scale(pkg, reps["load_scale"], before, args.timeout)
    log("build scaling ...")
    r["scaling"] = bench_scaling(args.work, scaling_sizes, 3600)
    log("site cost ...")
    r["site"] = bench_site(args.work, [m for m in scaling_sizes if m >= 50], 3600)
    log("verdicts on the corruption catalogue ...")
    r["agreement"] = bench_agreement()
    log("profile ...")
    pkg = synth_package(args.work, max(sizes))[0]
    r["profile"] = profile(["validate", str(pkg / "datapackage.json"), "--seeds", str(pkg / "seeds"),
                            "--workers", "1", "--form-only"], ROOT, args.work / "validate.prof")
    copy = args.work / "build" / "repo"
    clean_outputs(copy)
    r["build_profile"] = profile(["build"], copy, args.work / "build.prof", env(SOURCE_DATE_EPOCH=build_epoch()))
    clean_outputs(copy)
    r["build_imports"] = import_costs(["build"], copy, env(SOURCE_DATE_EPOCH=build_epoch()))
    r["loadavg"].append(os.getloadavg()[0])
    r["minutes"] = (time.perf_counter() - t0) / 60
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(render(r, args) + "\n", encoding="utf-8")
    (args.work / "results.json").write_text(json.dumps(r, indent=2, default=str))
    log(f"wrote {args.out} ({time.perf_counter() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
