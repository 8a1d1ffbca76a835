"""Bad input to the builders gets an error naming file, line and field; builds are atomic and offline."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from builders.build import build
from builders.errors import BuildError
from conftest import ROOT, copy_build_inputs

SEED = "001_e6929dbc36b7e812"


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A copy of the build inputs, built once so that dist/ holds a good release."""
    copy_build_inputs(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1717000000")
    build(tmp_path, log=lambda *_: None)
    return tmp_path


def _hashes(d: Path) -> dict[str, str]:
    return {p.relative_to(d).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(d.rglob("*")) if p.is_file()}


def _edit_seed(project: Path, data: bytes) -> None:
    """Change a seed and record its new sha256 in the hand-map, isolating the seed check under test."""
    (project / "seeds" / f"{SEED}.txt").write_bytes(data)
    hm = project / "builders" / "handmaps" / f"{SEED}.yaml"
    text = re.sub(r"seed_sha256: [0-9a-f]{64}", f"seed_sha256: {hashlib.sha256(data).hexdigest()}", hm.read_text())
    hm.write_text(text)


def _fails(project: Path, *expected: str) -> BuildError:
    before = _hashes(project / "dist")
    with pytest.raises(BuildError) as exc:
        build(project, log=lambda *_: None)
    message = str(exc.value)
    for part in expected:
        assert part in message, message
    assert _hashes(project / "dist") == before, "a failed build changed dist/"
    return exc.value


def test_invalid_utf8_names_seed_line_and_byte(project):
    data = (ROOT / "seeds" / f"{SEED}.txt").read_bytes()
    bad = data.replace(b"Pyongyang", b"Py\xffongyang", 1)
    _edit_seed(project, bad)
    err = _fails(project, f"{SEED}.txt", "invalid UTF-8", "field encoding")
    assert err.line == data[: data.index(b"Pyongyang")].count(b"\n") + 1


def test_byte_order_mark_is_refused(project):
    _edit_seed(project, b"\xef\xbb\xbf" + (ROOT / "seeds" / f"{SEED}.txt").read_bytes())
    _fails(project, f"{SEED}.txt:1", "byte-order mark")


def test_crlf_line_endings_are_refused(project):
    _edit_seed(project, (ROOT / "seeds" / f"{SEED}.txt").read_bytes().replace(b"\n", b"\r\n"))
    _fails(project, f"{SEED}.txt:1", "carriage return")


def test_empty_seed_is_refused(project):
    _edit_seed(project, b"\n\n")
    _fails(project, f"{SEED}.txt", "seed is empty")


def test_seed_changed_since_its_hand_map(project):
    p = project / "seeds" / f"{SEED}.txt"
    p.write_bytes(p.read_bytes() + b" ")
    err = _fails(project, f"{SEED}.yaml", "has changed since this hand-map was written", "field seed_sha256")
    assert err.line == 2


def _edit_handmap(project: Path, old: str, new: str) -> int:
    hm = project / "builders" / "handmaps" / f"{SEED}.yaml"
    text = hm.read_text()
    assert old in text
    hm.write_text(text.replace(old, new, 1))
    return text[: text.index(old)].count("\n") + 1


def test_unknown_id_names_hand_map_line_and_field(project):
    line = _edit_handmap(project, "who: per-sin-hong-chol", "who: per-nobody")
    err = _fails(project, f"{SEED}.yaml", "per-nobody", "participants.who")
    assert err.line is not None and abs(err.line - line) <= 2


def test_duplicate_id_names_both_places(project):
    _edit_handmap(project, "id: per-kim-yong-chol", "id: per-kim-jong-un")
    _fails(project, f"{SEED}.yaml", "per-kim-jong-un is already defined at", "000_ed6cf87c63c72e2f.yaml")


def test_malformed_date_names_line(project):
    hm = (project / "builders" / "handmaps" / f"{SEED}.yaml").read_text()
    first = re.search(r"start: (\d{4}-\d{2}-\d{2})", hm).group(1)
    line = _edit_handmap(project, f"start: {first}", "start: 2018-02-30")
    err = _fails(project, f"{SEED}.yaml", "date")
    assert err.line is not None and abs(err.line - line) <= 3


def test_quote_not_found_names_line_and_near_match(project):
    line = _edit_handmap(project, "Lavrov was met by Vice Foreign Minister", "Lavrov was met by Vice Foreign Minster")
    err = _fails(project, f"{SEED}.yaml", "quote not found", "Lavrov was met by Vice Foreign Minister", "field quote")
    assert err.line == line


def test_kill_during_build_leaves_dist_untouched(project):
    """SIGKILL a build while it writes the new release: dist/ stays byte-identical."""
    before = _hashes(project / "dist")
    (project / "CHANGELOG.md").write_text((project / "CHANGELOG.md").read_text() + "\nA change.\n")
    script = (
        "import os, sys, time, builtins\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "real_open = builtins.open\n"
        "def slow_open(path, mode='r', *a, **k):\n"
        "    if 'wb' in mode and '.dist.new-' in str(path):\n"
        "        print('WRITING', flush=True); time.sleep(30)\n"
        "    return real_open(path, mode, *a, **k)\n"
        "builtins.open = slow_open\n"
        "from builders.build import build\n"
        f"build({str(project)!r})\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "SOURCE_DATE_EPOCH": "1717000000"})
    assert proc.stdout.readline().strip() == "WRITING"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert _hashes(project / "dist") == before
    # The next build cleans up the half-written staging folder and succeeds.
    build(project, log=lambda *_: None)
    assert not list(project.glob(".dist.new-*"))
    assert _hashes(project / "dist") != before  # CHANGELOG travels in the release zip


def test_interrupted_two_rename_swap_is_repaired(project):
    from builders import atomic

    dist = project / "dist"
    before = _hashes(dist)
    os.rename(dist, project / ".dist.old")  # killed between the two renames
    atomic.recover(dist)
    assert _hashes(dist) == before


def test_build_validate_load_need_no_network(project, monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    shutil.rmtree(project / ".cache")
    build(project, log=lambda *_: None)
    from rusprk.validate import validate_package

    assert validate_package(project / "datapackage.json", project / "seeds") == []
    import rusprk

    assert len(rusprk.load("events")) > 0


def test_no_code_execution_from_data():
    """No pickle, no eval/exec, YAML only through safe loaders, in anything that reads data."""
    for path in [*ROOT.joinpath("rusprk").rglob("*.py"), *ROOT.joinpath("builders").rglob("*.py")]:
        text = path.read_text()
        assert "pickle" not in text, path
        assert not re.search(r"(?<![\w.])(eval|exec)\(", text), path
        for line in text.splitlines():
            if "yaml.load(" in line:
                assert "Loader=_LineLoader" in line or "SafeLoader" in line, (path, line)
        assert "yaml.unsafe_load" not in text and "yaml.full_load" not in text, path
    import yaml

    from builders.handmap import _LineLoader

    # SafeLoader or libyaml's CSafeLoader: the safe constructor only, never the full or unsafe one.
    assert issubclass(_LineLoader, yaml.constructor.SafeConstructor)
    assert not issubclass(_LineLoader, yaml.constructor.FullConstructor)


# -- text hygiene and limits at the door (issue 12) -----------------------------

def test_a_nul_in_a_seed_is_refused_with_line_and_column(project):
    data = (ROOT / "seeds" / f"{SEED}.txt").read_bytes()
    line = data[: data.index(b"Pyongyang")].count(b"\n") + 1
    _edit_seed(project, data.replace(b"Pyongyang", b"Pyong\x00yang", 1))
    err = _fails(project, "control character U+0000", "only TAB and LF")
    assert err.line == line and "column" in str(err)


def test_a_control_character_in_a_hand_map_is_refused_with_line_and_column(project):
    hm = project / "builders" / "handmaps" / f"{SEED}.yaml"
    text = hm.read_text(encoding="utf-8")
    line = text[: text.index("publisher:")].count("\n") + 1
    hm.write_text(text.replace("publisher:", "publisher:\x1b[31m", 1), encoding="utf-8")
    err = _fails(project, "control character U+001B at column")
    assert err.line == line and str(hm) in str(err)


def test_invalid_utf8_in_a_hand_map_names_line_not_a_traceback(project):
    hm = project / "builders" / "handmaps" / f"{SEED}.yaml"
    data = hm.read_bytes()
    line = data[: data.index(b"publisher:")].count(b"\n") + 1
    hm.write_bytes(data.replace(b"publisher:", b"publ\xffisher:", 1))
    err = _fails(project, "not valid UTF-8 at byte", "column")
    assert err.line == line


def test_a_hand_map_linked_to_an_endless_device_is_refused(project):
    hm = project / "builders" / "handmaps" / f"{SEED}.yaml"
    hm.unlink()
    hm.symlink_to("/dev/zero")
    _fails(project, "not a regular file")


def test_a_hand_map_nested_ten_thousand_deep_is_refused(project):
    hm = project / "builders" / "handmaps" / f"{SEED}.yaml"
    hm.write_text(hm.read_text(encoding="utf-8") + "deep: " + "[" * 10_000 + "]" * 10_000 + "\n", encoding="utf-8")
    _fails(project, "nested more than 40 levels deep")


def test_a_seed_with_an_endless_line_is_refused_before_it_is_indexed(project):
    data = (ROOT / "seeds" / f"{SEED}.txt").read_bytes()
    _edit_seed(project, data + b"x" * 1_000_000 + b"\n")
    _fails(project, "characters long; the limit is 100,000")


def test_a_title_that_a_spreadsheet_reads_as_a_formula_is_refused(project):
    hm = project / "builders" / "handmaps" / f"{SEED}.yaml"
    text = hm.read_text(encoding="utf-8")
    old = "    title: Russia says Kim Jong Un received Sergey Lavrov\n"
    assert old in text
    hm.write_text(text.replace(old, "    title: '=HYPERLINK(\"http://example.org\",\"Kim Jong Un\")'\n"), encoding="utf-8")
    _fails(project, "evt-2018-05-31-russia-says-kim-received-lavrov", "title", "reads as a formula")


def test_a_full_disk_during_publish_is_a_message_and_dist_stays(project):
    """ENOSPC while the new dist/ is written: one line, exit 1, the previous release intact."""
    before = _hashes(project / "dist")
    driver = (
        "import errno, os, sys\n"
        "sys.path.insert(0, sys.argv[1])\n"
        "import builders.atomic as atomic\n"
        "real = os.fsync\n"
        "def full(fd):\n"
        "    raise OSError(errno.ENOSPC, 'No space left on device', 'dist/events.parquet')\n"
        "atomic.os = type(os)('os_full'); atomic.os.__dict__.update(vars(os)); atomic.os.fsync = full\n"
        "from builders.build import main\n"
        "sys.exit(main([sys.argv[1], '--force']))\n")
    out = subprocess.run([sys.executable, "-c", driver, str(project)], capture_output=True, text=True,
                         env={**os.environ, "SOURCE_DATE_EPOCH": "1717000000"})
    assert out.returncode == 1 and "Traceback" not in out.stderr, out.stderr
    assert "No space left on device; dist/ is unchanged" in out.stderr
    assert _hashes(project / "dist") == before
    from builders import atomic

    atomic.repair(project)
    assert not list(project.rglob(".*.gen")) and not (project / ".cache" / "publish-journal.json").exists()


# -- rusprk check and rusprk ids: the build's checks for a curator, writing nothing (issue 13) ----------

def _cli(project, *args):
    return subprocess.run([sys.executable, "-m", "rusprk", *args], cwd=project, capture_output=True, text=True,
                          env={**os.environ, "SOURCE_DATE_EPOCH": "1717000000"})


def test_check_finds_an_unknown_id_with_a_suggestion_and_writes_nothing(project):
    before = _hashes(project)
    assert _cli(project, "check").returncode == 0
    line = _edit_handmap(project, "who: per-sin-hong-chol", "who: per-sin-hong-cho")
    edited = _hashes(project)
    out = _cli(project, "check", f"builders/handmaps/{SEED}.yaml")
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert f"{SEED}.yaml:" in out.stdout and "did you mean per-sin-hong-chol" in out.stdout, out.stdout
    # At the line and column of the value itself.
    text = (project / "builders" / "handmaps" / f"{SEED}.yaml").read_text().splitlines()[line - 1]
    assert f"{SEED}.yaml:{line}:{text.index('per-sin-hong-cho') + 1} " in out.stdout, out.stdout
    assert _hashes(project) == edited and set(before) == set(edited)


def test_check_lists_every_misquote_of_a_hand_map(project):
    _edit_handmap(project, "Lavrov was met by Vice Foreign Minister Sin Hong Chol at the airport",
                  "Lavrov was met by Vice-Foreign Minister Sin Hong Chol at the airport")
    _edit_handmap(project, "KCNA news agency said in a brief dispatch", "KCNA agency said in a brief dispatch")
    out = _cli(project, "check")
    assert out.returncode == 1 and out.stdout.count("not found") >= 2, out.stdout


def test_ids_lists_the_defined_ids_with_their_names(project):
    out = _cli(project, "ids", "per-")
    assert out.returncode == 0
    assert any(line.startswith("per-kim-jong-un ") and "Kim Jong Un" in line for line in out.stdout.splitlines())
    assert all(line.startswith("per-") for line in out.stdout.splitlines())
