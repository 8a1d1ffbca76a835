"""The code blocks of the README and the guides, with where each one runs.

A block is run as written.  The line before its fence says where, as an
HTML comment (invisible on GitHub):

    <!-- test: user -->          a user's folder, a fresh venv with the wheel installed ("user install": the
                                 block that installs it)
    <!-- test: release -->       the unzipped release zip, the same venv on PATH
    <!-- test: maintainer -->    a copy of the clone, its .venv the test interpreter's environment
    <!-- test: curator -->       another such copy, for the curator's guide: its blocks run there in order
    <!-- test: build -->         a copy of the clone with no .venv: the README's build command from nothing
    <!-- test: ci -->            the test command itself: .ci/run must run exactly this line
    <!-- test: server PORT -->   run in the user's folder; passes once PORT answers HTTP, then stopped

Blocks in ``text`` are not commands; ``yaml`` blocks must parse.  A command
block (sh, python, sql, r) without a test comment fails the suite, so no
documented command can go untested.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

#: The documents whose blocks are run: the README and the guides.
DOCUMENTS = ("README.md", "docs/datasette.md", "docs/curating.md", "builders/handmaps/README.md",
             "builders/review/blind-reading-brief.md")
COMMAND_LANGUAGES = ("sh", "python", "sql", "r")
KINDS = ("user", "release", "maintainer", "curator", "build", "ci", "server")

_FENCE = re.compile(r"^```(\S*)\s*$")
_TEST = re.compile(r"^<!--\s*test:\s*(\S+)(?:\s+(\S+))?\s*-->\s*$")


@dataclass(frozen=True)
class Block:
    document: str
    line: int  # of the opening fence, 1-based
    language: str
    code: str
    kind: str | None
    arg: str | None

    @property
    def id(self) -> str:
        return f"{self.document}:{self.line}"


def blocks(root: Path, document: str) -> list[Block]:
    lines = (root / document).read_text(encoding="utf-8").splitlines()
    found, i = [], 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        start, language = i, m.group(1)
        j = i + 1
        while j < len(lines) and lines[j].rstrip() != "```":
            j += 1
        prev = next((lines[k] for k in range(start - 1, -1, -1) if lines[k].strip()), "")
        t = _TEST.match(prev)
        found.append(Block(document, start + 1, language, "\n".join(lines[start + 1:j]) + "\n",
                           t.group(1) if t else None, t.group(2) if t else None))
        i = j + 1
    return found


def all_blocks(root: Path) -> list[Block]:
    return [b for doc in DOCUMENTS for b in blocks(root, doc)]


# ---------------------------------------------------------------------------
# Running a block
# ---------------------------------------------------------------------------



@dataclass
class Place:
    """Where a block runs: its folder and the folder of programs first on PATH."""
    cwd: Path
    bin: Path
    python: Path
    offline: bool = True


def environment(place: Place) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = os.pathsep.join([str(place.bin), str(Path(sys.executable).parent), env.get("PATH", "")])
    if place.offline:
        env["PIP_NO_INDEX"] = "1"  # everything a user block needs is installed: never download
    return env


def run(block: Block, place: Place, timeout: float = 600) -> subprocess.CompletedProcess:
    """Run one block where it belongs; a finished process (returncode, stdout, stderr)."""
    env = environment(place)
    script = place.cwd / f".block-{block.line}.{ {'python': 'py', 'r': 'R'}.get(block.language, 'txt') }"
    if block.language == "sh":
        cmd = ["bash", "-euo", "pipefail", "-c", block.code]
    elif block.language == "python":
        script.write_text(block.code, encoding="utf-8")
        cmd = [str(place.python), script.name]
    elif block.language == "r":
        script.write_text(block.code, encoding="utf-8")
        cmd = ["Rscript", script.name]
    elif block.language == "sql":
        return run_sql(block, place)
    else:
        raise ValueError(f"{block.id}: cannot run a {block.language!r} block")
    try:
        return subprocess.run(cmd, cwd=place.cwd, env=env, capture_output=True, text=True, timeout=timeout)
    finally:
        script.unlink(missing_ok=True)


def statements(sql: str) -> list[str]:
    """The block's statements, split where SQLite says a statement is complete."""
    out, current = [], ""
    for line in sql.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            out.append(current.strip())
            current = ""
    if current.strip() and not all(l.strip().startswith("--") or not l.strip() for l in current.splitlines()):
        out.append(current.strip())
    return out


def run_sql(block: Block, place: Place) -> subprocess.CompletedProcess:
    """Each statement in DuckDB (default) or, with ``sqlite:FILE``, in SQLite; each query must return rows."""
    driver = (
        "import json, sys\n"
        "stmts = json.loads(sys.argv[1]); engine = sys.argv[2]\n"
        "if engine.startswith('sqlite:'):\n"
        "    import sqlite3; con = sqlite3.connect(engine[7:])\n"
        "    results = [con.execute(s).fetchall() for s in stmts]\n"
        "else:\n"
        "    import duckdb; con = duckdb.connect()\n"
        "    results = [con.execute(s).fetchall() for s in stmts]\n"
        "for s, r in zip(stmts, results):\n"
        "    print(len(r), 'rows:', s.splitlines()[-1][:60])\n"
        "    if not r: sys.exit('no rows: ' + s)\n"
    )
    return subprocess.run([str(place.python), "-c", driver, json.dumps(statements(block.code)), block.arg or "duckdb"],
                          cwd=place.cwd, env=environment(place), capture_output=True, text=True, timeout=300)


def serve(block: Block, place: Place, port: int, timeout: float = 90) -> tuple[bool, str]:
    """Start the block (its last command a server), wait until PORT answers with HTTP 200, stop it."""
    proc = subprocess.Popen(["bash", "-euo", "pipefail", "-c", block.code], cwd=place.cwd, env=environment(place),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    ok, deadline = False, time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as resp:
                    ok = resp.status == 200
                    break
            except OSError:
                time.sleep(0.3)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, 15)
        try:
            out, _ = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            out, _ = proc.communicate()
    return ok, out


def copy_checkout(root: Path, dest: Path, with_venv: bool) -> Path:
    """A copy of the clone (its git history too), as a maintainer has it; never the checkout itself."""
    shutil.copytree(root, dest, symlinks=True, ignore=shutil.ignore_patterns(
        ".venv", ".cache", "build", "wheels", "*.egg-info", "__pycache__", ".hypothesis", ".pytest_cache"))
    if with_venv:
        (dest / ".venv").symlink_to(sys.prefix)  # the environment the tests run in has every requirement
    return dest
