"""Release diffs: added, removed and changed records, schema changes, any way a package is given."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import ROOT, copy_build_inputs

from builders import publish
from rusprk.diff import PackageNotFound, diff_packages, format_markdown


# ---------------------------------------------------------------------------
# Writing a consistent modified package (files, sizes, hashes, schema)
# ---------------------------------------------------------------------------

def _copy_dist(dest: Path) -> Path:
    shutil.copytree(ROOT / "dist", dest)
    return dest


def _rows(pkg: Path, table: str) -> list[dict]:
    return pq.read_table(pkg / f"{table}.parquet").to_pylist()


def _rewrite(pkg: Path, table: str, rows: list[dict], schema_edit=None, types: dict | None = None) -> None:
    """Write both copies of ``table`` and update the descriptor so the package stays consistent."""
    desc = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    entry = next(r for r in desc["resources"] if r["name"] == table)
    if schema_edit:
        schema_edit(entry["schema"])
    names = [f["name"] for f in entry["schema"]["fields"]]
    old_schema = pq.read_schema(pkg / f"{table}.parquet")
    types = types or {}
    fields = [pa.field(n, types[n]) if n in types else old_schema.field(n) if n in old_schema.names
              else pa.field(n, pa.string()) for n in names]
    t = pa.Table.from_pylist([{n: r.get(n) for n in names} for r in rows], schema=pa.schema(fields))
    files = {f"{table}.parquet": publish.parquet_bytes(t), f"{table}.csv": publish.csv_bytes(table, t)}
    for fname, data in files.items():
        (pkg / fname).write_bytes(data)
        res = next(r for r in desc["resources"] if r["path"] == fname)
        res["bytes"], res["hash"] = len(data), "sha256:" + hashlib.sha256(data).hexdigest()
    (pkg / "datapackage.json").write_bytes(publish.dumps(desc))


def _package_is_consistent(pkg: Path) -> None:
    desc = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    for r in desc["resources"]:
        data = (pkg / r["path"]).read_bytes()
        assert r["hash"] == "sha256:" + hashlib.sha256(data).hexdigest(), r["path"]


@pytest.fixture(scope="module")
def packages(tmp_path_factory):
    """old = dist/ as built; new = one event added, one gift removed, one field of one person changed,
    bodies.notes dropped, places.wikidata_id added, a vocabulary value added."""
    base = tmp_path_factory.mktemp("diff")
    old, new = _copy_dist(base / "old"), _copy_dist(base / "new")

    events = _rows(new, "events")
    added = dict(events[0], event_id="evt-test-added-record")
    _rewrite(new, "events", events + [added])

    gifts = _rows(new, "gifts")
    removed = gifts[-1]["gift_id"]
    _rewrite(new, "gifts", gifts[:-1])

    people = _rows(new, "people")
    person = people[1]
    changed = {"id": person["person_id"], "field": "role", "old": person["role"],
               "new": f"{person['role'] or ''} (edited)"}
    people[1] = dict(person, role=changed["new"])
    _rewrite(new, "people", people)

    def drop_notes(schema):
        schema["fields"] = [f for f in schema["fields"] if f["name"] != "notes"]

    _rewrite(new, "bodies", _rows(new, "bodies"), drop_notes)

    def add_column(schema):
        schema["fields"].append({"name": "wikidata_id", "type": "string", "description": "Wikidata item."})

    _rewrite(new, "places", _rows(new, "places"), add_column)

    def add_value(schema):
        f = next(f for f in schema["fields"] if f["name"] == "role")
        f["constraints"]["enum"].append("mediator")
        f["categories"].append({"value": "mediator", "label": "Brokers the exchange."})

    _rewrite(new, "participants", _rows(new, "participants"), add_value)
    for pkg in (old, new):
        _package_is_consistent(pkg)
    return old, new, {"added": added["event_id"], "removed": removed, "changed": changed}


def test_add_remove_change_are_named_exactly(packages):
    old, new, facts = packages
    d = diff_packages(old, new)
    assert set(d["tables"]) == {"events", "gifts", "people"}
    assert d["tables"]["events"]["added"] == [facts["added"]]
    assert d["tables"]["events"]["removed"] == [] and d["tables"]["events"]["changed"] == {}
    assert d["tables"]["gifts"]["removed"] == [facts["removed"]]
    assert d["tables"]["gifts"]["added"] == [] and d["tables"]["gifts"]["changed"] == {}
    c = facts["changed"]
    assert d["tables"]["people"]["changed"] == {c["id"]: {c["field"]: (c["old"], c["new"])}}
    assert d["tables"]["people"]["added"] == d["tables"]["people"]["removed"] == []


def test_schema_changes(packages):
    old, new, _ = packages
    d = diff_packages(old, new)
    got = {(c["table"], c["field"], c["change"], c["old"], c["new"]) for c in d["schema"]}
    assert got == {
        ("bodies", "notes", "column removed", "string", None),
        ("places", "wikidata_id", "column added", None, "string"),
        ("participants", "role", "vocabulary value added", None, "mediator"),
    }
    # A dropped or added column is a schema change, not a change to every record.
    assert "bodies" not in d["tables"] and "places" not in d["tables"]


def test_retyped_column_and_redefined_value(tmp_path):
    old, new = _copy_dist(tmp_path / "old"), _copy_dist(tmp_path / "new")

    def edit(schema):
        f = next(f for f in schema["fields"] if f["name"] == "cow_ccode")
        f["type"] = "string"
        f.pop("constraints", None)

    rows = [dict(r, cow_ccode=None if r["cow_ccode"] is None else str(r["cow_ccode"])) for r in _rows(new, "countries")]
    _rewrite(new, "countries", rows, edit, types={"cow_ccode": pa.string()})
    assert pq.read_schema(new / "countries.parquet").field("cow_ccode").type == pa.string()
    d = diff_packages(old, new)
    changes = {(c["table"], c["field"], c["change"]) for c in d["schema"]}
    assert ("countries", "cow_ccode", "column retyped") in changes
    assert "countries" not in d["tables"], "the values read the same, so no record changed"


def test_identical_packages_have_no_changes():
    d = diff_packages(ROOT / "dist", ROOT / "dist" / "datapackage.json")
    assert d["schema"] == [] and d["tables"] == {} and not d["tables_added"] and not d["tables_removed"]
    assert "No changes" in format_markdown(d)


def test_zip_csv_only_parquet_only_and_root_descriptor_agree(packages, tmp_path):
    old, new, _ = packages
    want = diff_packages(old, new)
    z = tmp_path / "rusprk-old.zip"
    with zipfile.ZipFile(z, "w") as zf:  # a release zip wraps the package in a folder
        for p in sorted(old.iterdir()):
            zf.write(p, f"rusprk-0.1.0/{p.name}")
    parquet_only = shutil.copytree(new, tmp_path / "parquet-only")
    for p in parquet_only.glob("*.csv"):
        p.unlink()
    for o, n in [(z, new), (old, parquet_only)]:
        got = diff_packages(o, n)
        assert (got["schema"], got["tables"]) == (want["schema"], want["tables"])
    # The repository-root descriptor (paths dist/..., schemas in schemas/) reads the same as dist/'s.
    root_vs_dist = diff_packages(ROOT / "datapackage.json", ROOT / "dist")
    assert root_vs_dist["schema"] == [] and root_vs_dist["tables"] == {}


def test_git_revision(packages, tmp_path):
    old, new, facts = packages
    repo = tmp_path / "repo"
    shutil.copytree(old, repo / "dist")
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "dist"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "release"], check=True)
    subprocess.run([*git, "tag", "v0.1.0"], check=True)
    d = diff_packages("v0.1.0", new, repo=repo)
    assert d["tables"]["events"]["added"] == [facts["added"]]
    with pytest.raises(PackageNotFound, match="no-such-tag"):
        diff_packages("no-such-tag", new, repo=repo)


def test_markdown_names_record_field_and_values(packages):
    old, new, facts = packages
    md = format_markdown(diff_packages(old, new))
    c = facts["changed"]
    line = next(ln for ln in md.splitlines() if f"`{c['id']}`" in ln)
    assert line.startswith("- changed")
    detail = md.splitlines()[md.splitlines().index(line) + 1]
    assert f"`{c['field']}`" in detail and json.dumps(c["old"]) in detail and json.dumps(c["new"]) in detail
    assert f"- added `{facts['added']}`" in md and f"- removed `{facts['removed']}`" in md
    assert "`bodies.notes`: column removed" in md and "`participants.role`: vocabulary value `mediator` added" in md
    assert md == format_markdown(diff_packages(old, new))  # deterministic
    json.dumps(diff_packages(old, new))  # JSON-ready


# ---------------------------------------------------------------------------
# Done when: two builds that differ by one edited fact
# ---------------------------------------------------------------------------

def _build(work: Path) -> Path:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}
    subprocess.run([sys.executable, "-m", "rusprk", "build"], cwd=work, env=env, check=True, capture_output=True,
                   text=True)
    return work / "dist"


def test_two_builds_differing_by_one_edited_fact(tmp_path):
    a = copy_build_inputs(tmp_path / "a")
    b = shutil.copytree(a, tmp_path / "b")
    # Edit one curated fact in one hand-map: the title of an event whose title line occurs exactly once.
    import csv

    with (ROOT / "dist" / "events.csv").open(encoding="utf-8", newline="") as fh:
        events = list(csv.DictReader(fh))
    handmaps = sorted((b / "builders" / "handmaps").glob("*.yaml"))
    for ev in events:
        line = f"    title: {ev['title']}\n"
        hits = [(p, p.read_text(encoding="utf-8")) for p in handmaps if line in p.read_text(encoding="utf-8")]
        if len(hits) == 1 and hits[0][1].count(line) == 1:
            path, text = hits[0]
            path.write_text(text.replace(line, f"    title: {ev['title']} (edited)\n"), encoding="utf-8")
            break
    else:
        pytest.skip("no event title occurs exactly once in the hand-maps")
    d = diff_packages(_build(a), _build(b))
    assert d["schema"] == []
    assert d["tables"] == {"events": {"added": [], "removed": [], "rows": (len(events), len(events)),
                                      "changed": {ev["event_id"]: {"title": (ev["title"], ev["title"] + " (edited)")}}}}


def test_cli_diff_prints_the_markdown(packages, capsys):
    import rusprk.cli as cli

    if '"diff"' not in Path(cli.__file__).read_text(encoding="utf-8"):
        pytest.skip("`rusprk diff` is not wired into rusprk/cli.py yet")
    old, new, _ = packages
    assert cli.main(["diff", str(old), str(new)]) == 0
    assert capsys.readouterr().out.strip() == format_markdown(diff_packages(old, new)).strip()
    assert cli.main(["diff", str(old), str(new), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["tables"]["gifts"]["removed"] == diff_packages(old, new)[
        "tables"]["gifts"]["removed"]
    assert cli.main(["diff", str(old / "no-such-thing"), str(new)]) == 2
