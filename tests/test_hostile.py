"""Hostile and faulty input: every command answers with a message, never a traceback, and writes nothing it
was not asked to (dist/ unchanged, the input folder unchanged, no leftovers in TMPDIR)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT

MAX_OUTPUT = 100_000  # bytes a refusal may print: "bounded output"


def _tree(d: Path) -> dict[str, str]:
    out = {}
    for p in sorted(d.rglob("*")):
        if p.is_symlink():
            out[p.relative_to(d).as_posix()] = "link:" + os.readlink(p)
        elif p.is_file():
            out[p.relative_to(d).as_posix()] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def _zip(path: Path, members: list[tuple[str, bytes, int | None]]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data, mode in members:
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            if mode is not None:
                info.external_attr = mode << 16
            zf.writestr(info, data)
    return path


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """A folder of hostile inputs, by name."""
    d = tmp_path_factory.mktemp("hostile")
    cases = {}
    cases["missing"] = d / "no-such-thing"
    (d / "empty.json").write_bytes(b"")
    cases["empty descriptor"] = d / "empty.json"
    (d / "garbage.json").write_bytes(os.urandom(4096))
    cases["binary garbage"] = d / "garbage.json"
    (d / "bad-utf8.json").write_bytes(b'{"resources": ["\xff\xfe"]}')
    cases["invalid UTF-8"] = d / "bad-utf8.json"
    (d / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    cases["nested 100 000 deep"] = d / "deep.json"
    (d / "many.json").write_text(json.dumps({"resources": [{"name": f"r{i}", "path": "x.csv"} for i in range(50_000)]}))
    cases["50 000 bogus resources"] = d / "many.json"
    (d / "zero").mkdir()
    (d / "zero" / "datapackage.json").symlink_to("/dev/zero")
    cases["descriptor linked to /dev/zero"] = d / "zero"
    (d / "nodesc").mkdir()
    cases["folder without descriptor"] = d / "nodesc"
    # A real package whose descriptor points elsewhere: a remote URL, a path out, a link out.
    for kind in ("remote", "escape", "link"):
        pkg = d / kind
        shutil.copytree(ROOT / "dist", pkg, ignore=shutil.ignore_patterns("*.zip", "stata", "*.xlsx", "*.db"))
        desc = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
        for r in desc["resources"]:
            if r["name"] == "events":
                if kind == "remote":
                    r["path"] = "https://example.org/events.csv"
                elif kind == "escape":
                    r["path"] = "../../../../etc/passwd"
        (pkg / "datapackage.json").write_text(json.dumps(desc), encoding="utf-8")
        if kind == "link":
            (pkg / "events.csv").unlink()
            (pkg / "events.csv").symlink_to("/etc/passwd")
        cases[f"descriptor with a {kind} path"] = pkg
    nul = d / "nul"
    shutil.copytree(ROOT / "dist", nul, ignore=shutil.ignore_patterns("*.zip", "stata", "*.xlsx", "*.db"))
    text = (nul / "people.csv").read_text(encoding="utf-8")
    (nul / "people.csv").write_text(text.replace("Kim", "Ki\x00m", 1), encoding="utf-8")
    cases["NUL in a CSV cell"] = nul
    cases["zip bomb"] = _zip(d / "bomb.zip", [("p/datapackage.json", b"{}", None), ("p/events.csv", bytes(60_000_000), None)])
    cases["zip name both file and folder"] = _zip(d / "clash.zip", [("p/datapackage.json", b"{}", None),
                                                                     ("p/events.csv", b"a", None),
                                                                     ("p/events.csv/x", b"b", None)])
    cases["zip with a link member"] = _zip(d / "link.zip", [("p/datapackage.json", b"{}", None),
                                                             ("p/events.csv", b"/etc/passwd", 0o120777)])
    (d / "truncated.zip").write_bytes((ROOT / "dist" / "rusprk-0.2.0.zip").read_bytes()[:5000]
                                      if (ROOT / "dist" / "rusprk-0.2.0.zip").exists() else b"PK\x03\x04")
    cases["truncated zip"] = d / "truncated.zip"
    return d, cases


COMMANDS = {
    "validate": lambda x: ["validate", str(x)],
    "diff old": lambda x: ["diff", str(x), str(ROOT / "dist")],
    "diff new": lambda x: ["diff", str(ROOT / "dist"), str(x)],
}


@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_hostile_input_gets_a_message_and_changes_nothing(hostile, command, tmp_path):
    folder, cases = hostile
    before, dist_before = _tree(folder), _tree(ROOT / "dist")
    tmpdir = tmp_path / "TMPDIR"
    tmpdir.mkdir()
    env = {**os.environ, "TMPDIR": str(tmpdir), "PYTHONPATH": str(ROOT)}
    env.pop("RUSPRK_DEBUG", None)
    for name, target in cases.items():
        out = subprocess.run([sys.executable, "-m", "rusprk", *COMMANDS[command](target)], cwd=tmp_path, env=env,
                             capture_output=True, text=True, timeout=300)
        said = out.stdout + out.stderr
        assert "Traceback" not in said, f"{command} on {name}:\n{said[-3000:]}"
        # diff compares and need not judge: a NUL is shown, escaped, as the change it is; all else is refused.
        if not (command.startswith("diff") and name == "NUL in a CSV cell"):
            assert out.returncode != 0, f"{command} accepted {name}:\n{said[-2000:]}"
        assert "\x00" not in said and "\x1b" not in said, f"{command} on {name} printed a control character"
        assert len(said.encode()) < MAX_OUTPUT, f"{command} on {name} printed {len(said):,} characters"
        assert out.stderr.strip() or out.stdout.strip(), f"{command} on {name}: no message"
        assert list(tmpdir.iterdir()) == [], f"{command} on {name} left {list(tmpdir.iterdir())} in TMPDIR"
    assert _tree(folder) == before and _tree(ROOT / "dist") == dist_before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["TMPDIR"], "a command wrote into its working folder"


def test_the_installed_loader_refuses_a_remote_path_in_its_descriptor(tmp_path, monkeypatch):
    import rusprk
    import rusprk._load as loader

    data = tmp_path / "data"
    shutil.copytree(ROOT / "dist", data, ignore=shutil.ignore_patterns("*.zip", "stata", "*.xlsx", "*.db"))
    desc = json.loads((data / "datapackage.json").read_text(encoding="utf-8"))
    for r in desc["resources"]:
        if r["name"] == "events-parquet":
            r["path"] = "https://example.org/events.parquet"
    (data / "datapackage.json").write_text(json.dumps(desc), encoding="utf-8")
    monkeypatch.setattr(loader, "data_dir", lambda: data)
    loader._descriptor.cache_clear()
    try:
        with pytest.raises(rusprk.DataIntegrityError, match="never a remote or other path"):
            rusprk.load("events")
    finally:
        loader._descriptor.cache_clear()


def test_security_doc_states_the_limits_in_force():
    """docs/security.md quotes the limits: a changed limit must be changed there too."""
    import builders.limits as build_limits
    import rusprk.limits as package_limits

    doc = " ".join((ROOT / "docs" / "security.md").read_text(encoding="utf-8").split())
    for value in (build_limits.MAX_SEED_BYTES, build_limits.MAX_HANDMAP_BYTES, build_limits.MAX_LINE_CHARS,
                  package_limits.MAX_DESCRIPTOR_BYTES, package_limits.MAX_RESOURCES, package_limits.MAX_ZIP_MEMBERS,
                  package_limits.MAX_MEMBER_BYTES, package_limits.MAX_ZIP_BYTES, package_limits.MAX_PRINTED):
        assert f"{value:,}" in doc, value
    assert f"nest at most {build_limits.MAX_YAML_DEPTH} levels" in doc
    assert f"more than {package_limits.MAX_RATIO} to 1" in doc
