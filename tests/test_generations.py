"""One writer at a time, one generation at a time: concurrent and killed builds never leave a mixed tree."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT, copy_build_inputs

EPOCH = "1717000000"
OUTPUTS = ("dist", "schemas", "docs", "datapackage.json")

# Runs a build that kills itself (SIGKILL: no cleanup of any kind) at the K-th write, swap or rename of the
# publish stage, the moments a real kill or power cut can fall between.
_KILLER = """
import os, signal, sys
sys.path.insert(0, sys.argv[1])
import builders.atomic as atomic
k, seen = int(sys.argv[2]), []
def at_point(name, real):
    def wrapped(*a, **kw):
        seen.append(name)
        if len(seen) == k:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(*a, **kw)
    return wrapped
atomic.os = type(os)("os_for_the_test")
atomic.os.__dict__.update({n: getattr(os, n) for n in dir(os) if not n.startswith("__")})
for name in ("fsync", "replace", "rename"):
    setattr(atomic.os, name, at_point(name, getattr(os, name)))
atomic._exchange = at_point("exchange", atomic._exchange)
from builders.build import main
code = main([sys.argv[1], "--force"])
print("points:", " ".join(seen))  # with K = 0: the publish points, in order
sys.exit(code)
"""


def _build(work: Path, *args, driver: str | None = None):
    env = {"SOURCE_DATE_EPOCH": EPOCH, "PATH": "/usr/bin:/bin"}
    cmd = [sys.executable, "-c", driver, str(work), *args] if driver else [sys.executable, "-m", "rusprk", "build", "--force"]
    return subprocess.run(cmd, cwd=work, env=env, capture_output=True, text=True, timeout=600)


def consistent(root: Path) -> str:
    """The generation the tree holds (dist/SHA256SUMS's digest); fails if the files outside dist/ disagree."""
    dist = root / "dist"
    inner = json.loads((dist / "datapackage.json").read_text(encoding="utf-8"))
    outer = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    for entry in outer["resources"]:
        data = (root / entry["path"]).read_bytes()
        assert "sha256:" + hashlib.sha256(data).hexdigest() == entry["hash"], f"{entry['path']}: another generation"
    for entry in inner["resources"]:
        if entry.get("schema"):
            on_disk = json.loads((root / "schemas" / f"{entry['name']}.json").read_text(encoding="utf-8"))
            assert on_disk == entry["schema"], f"schemas/{entry['name']}.json: another generation"
    (zpath,) = dist.glob("rusprk-*.zip")
    with zipfile.ZipFile(zpath) as zf:
        assert zf.read(f"{zpath.stem}/codebook.md") == (root / "docs" / "codebook.md").read_bytes(), \
            "docs/codebook.md: another generation"
    assert not (root / ".cache" / "publish-journal.json").exists()
    return hashlib.sha256((dist / "SHA256SUMS").read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def generations(tmp_path_factory):
    """A tree built as generation A, and the outputs of generation B (one event's title edited)."""
    work = copy_build_inputs(tmp_path_factory.mktemp("gens") / "work")
    out = _build(work)
    assert out.returncode == 0, out.stderr
    a = tmp_path_factory.mktemp("gen-a")
    for rel in OUTPUTS:
        (shutil.copytree if (work / rel).is_dir() else shutil.copy2)(work / rel, a / rel)
    hm = next((work / "builders" / "handmaps").glob("001_*.yaml"))
    hm.write_text(hm.read_text(encoding="utf-8").replace("announces the agenda of", "makes known the agenda of"),
                  encoding="utf-8")
    return work, a


def _restore(work: Path, a: Path) -> None:
    for rel in OUTPUTS:
        target = work / rel
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
        (shutil.copytree if (a / rel).is_dir() else shutil.copy2)(a / rel, target)
    (work / ".cache" / "publish-journal.json").unlink(missing_ok=True)


def test_a_build_killed_at_any_publish_point_leaves_one_generation(generations):
    from builders import atomic

    work, a = generations
    gen_a = consistent(a)
    _restore(work, a)
    dry = _build(work, "0", driver=_KILLER).stdout  # a run to the end: where the publish stage writes
    points = next(line for line in dry.splitlines() if line.startswith("points:")).split()[1:]
    gen_b = consistent(work)
    swap = points.index("exchange") + 1 if "exchange" in points else points.index("rename") + 1
    # The last points write the build stamp, which a later run may skip (same bytes): stop before them.
    # The first staged file, the last file of the new dist/, the swap itself, the first file moved after it.
    ks = sorted({1, swap - 1, swap, swap + 1})
    seen, repairs = set(), set()
    for k in ks:
        _restore(work, a)
        out = _build(work, str(k), driver=_KILLER)
        assert out.returncode == -9, (k, points, out.stdout[-2000:], out.stderr[-2000:])
        repairs.add(atomic.repair(work))  # what the next build does first
        seen.add(consistent(work))
    assert gen_b != gen_a and seen <= {gen_a, gen_b}
    assert len(seen) == 2, "the kill points never reached the middle of the publish stage"
    # Killed before dist/ was swapped, the staged files were dropped; killed after, the rest was moved in.
    assert any(r and r.startswith("dropped the staged") for r in repairs), repairs
    assert any(r and r.startswith("completed") for r in repairs), repairs


def test_a_second_build_at_the_same_time_refuses_and_the_tree_stays_whole(generations):
    work, a = generations
    _restore(work, a)
    env = {"SOURCE_DATE_EPOCH": EPOCH, "PATH": "/usr/bin:/bin"}
    cmd = [sys.executable, "-m", "rusprk", "build", "--force"]
    first = subprocess.Popen(cmd, cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    import time

    lock, deadline = work / ".cache" / "build.lock", time.monotonic() + 60
    while time.monotonic() < deadline:  # until the first build holds the lock (it writes its pid there)
        if lock.exists() and lock.read_text().strip() == str(first.pid):
            break
        time.sleep(0.01)
    second = subprocess.run(cmd, cwd=work, env=env, capture_output=True, text=True, timeout=600)
    _, err = first.communicate(timeout=600)
    assert first.returncode == 0, err
    assert second.returncode == 1 and "another build (pid" in second.stderr and "is running" in second.stderr, \
        second.stdout + second.stderr
    assert "Traceback" not in second.stderr
    consistent(work)
    out = _build(work)  # the lock was released when the first build ended
    assert out.returncode == 0, out.stderr


def test_validate_says_when_a_build_was_interrupted_mid_publish(generations):
    work, a = generations
    _restore(work, a)
    journal = work / ".cache" / "publish-journal.json"
    journal.parent.mkdir(exist_ok=True)
    journal.write_text('{"dist_sha256sums": "0", "moves": []}\n')
    try:
        out = subprocess.run([sys.executable, "-m", "rusprk", "validate", "datapackage.json"], cwd=work,
                             capture_output=True, text=True)
        assert out.returncode == 1 and "a build was interrupted while publishing" in out.stdout
    finally:
        journal.unlink()
