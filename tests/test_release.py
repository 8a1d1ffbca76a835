"""Release-grade package: one schema source, versions agree, artifacts, citation, CLI."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tomllib
import zipfile

import pyarrow.parquet as pq
import pytest
import yaml

import rusprk
from builders import codebook, publish
from builders.validate import pandera_schema
from conftest import ROOT
from rusprk._types import arrow_schema, pandas_dtypes
from rusprk.metadata import RESOURCE_ORDER, VOCABULARIES, resource

VERSION = rusprk.__version__


def test_version_is_the_same_everywhere():
    assert tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"] == VERSION
    for desc in (ROOT / "datapackage.json", ROOT / "dist" / "datapackage.json"):
        assert json.loads(desc.read_text())["version"] == VERSION
    assert yaml.safe_load((ROOT / "CITATION.cff").read_text())["version"] == VERSION
    assert json.loads((ROOT / ".zenodo.json").read_text())["version"] == VERSION
    assert (ROOT / "dist" / f"rusprk-{VERSION}.zip").is_file()
    assert f"## {VERSION} " in (ROOT / "CHANGELOG.md").read_text()
    assert f"version {VERSION}" in rusprk.cite("text")


def test_version_is_semver():
    import re

    assert re.fullmatch(r"\d+\.\d+\.\d+", VERSION)


@pytest.mark.parametrize("name", RESOURCE_ORDER)
def test_every_derived_schema_agrees_with_the_metadata(name):
    res = resource(name)
    fields = res.field_names
    # pandera
    schema = pandera_schema(res)
    assert list(schema.columns) == fields
    assert schema.unique == list(res.primary_key)
    for f in res.fields:
        assert schema.columns[f.name].nullable == (not f.required)
    # pandera's dtypes are the loader's dtypes: an empty frame of the loader's dtypes passes,
    # and the same frame with any one column as plain object fails.
    import pandas as pd

    empty = pd.DataFrame({n: pd.Series([], dtype=d) for n, d in pandas_dtypes(res).items()})
    schema.validate(empty)
    wrong = empty.astype({fields[-1]: object})
    with pytest.raises(Exception):
        schema.validate(wrong)
    # pyarrow: the committed Parquet files carry exactly the derived schema
    written = pq.read_schema(ROOT / "dist" / f"{name}.parquet")
    assert written.names == fields
    assert [str(t) for t in written.types] == [str(t) for t in arrow_schema(res).types]
    # Frictionless: schemas/ and the inline descriptor schema are the derived one
    on_disk = json.loads((ROOT / "schemas" / f"{name}.json").read_text())
    assert on_disk == publish.table_schema(res)
    assert [f["name"] for f in on_disk["fields"]] == fields
    assert on_disk["primaryKey"] == list(res.primary_key)
    types = {"string": "string", "integer": "integer", "boolean": "boolean", "date": "date"}
    for f, d in zip(res.fields, on_disk["fields"]):
        assert d["type"] == types[f.type]
        assert d.get("constraints", {}).get("required", False) == f.required
        if f.enum:
            assert d["constraints"]["enum"] == list(VOCABULARIES[f.enum])
            assert [c["value"] for c in d["categories"]] == list(VOCABULARIES[f.enum])
    fks = [(fk["fields"], fk["reference"]["resource"] or name, fk["reference"]["fields"])
           for fk in on_disk.get("foreignKeys", [])]
    assert fks == [(list(fk.fields), fk.resource, list(fk.reference_fields)) for fk in res.foreign_keys]
    inline = {r["name"]: r for r in json.loads((ROOT / "dist" / "datapackage.json").read_text())["resources"]}
    assert inline[name]["schema"] == on_disk
    # codebook: every field of the table is described
    book = (ROOT / "docs" / "codebook.md").read_text()
    assert f"## Table: {name}" in book
    for f in res.fields:
        assert f"| `{f.name}` | {f.type} | {f.description} |" in book


def test_every_foreign_key_names_a_real_table_and_field():
    for name in RESOURCE_ORDER:
        for fk in resource(name).foreign_keys:
            assert set(fk.reference_fields) <= set(resource(fk.resource).field_names)
            assert set(fk.fields) <= set(resource(name).field_names)


def test_codebook_is_not_stale(frames):
    assert codebook.render(VERSION, frames, ROOT) == (ROOT / "docs" / "codebook.md").read_text(encoding="utf-8"), \
        "docs/codebook.md is stale: run `rusprk build`"


def test_descriptor_is_data_package_v2_with_hashes():
    desc = json.loads((ROOT / "datapackage.json").read_text())
    for key in ("name", "id", "title", "description", "version", "licenses", "sources", "contributors",
                "keywords", "created", "resources"):
        assert desc[key], key
    assert desc["$schema"].endswith("/2.0/datapackage.json")
    formats = {}
    for r in desc["resources"]:
        data = (ROOT / r["path"]).read_bytes()
        assert r["bytes"] == len(data)
        assert r["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
        formats.setdefault(r["name"].removesuffix("-parquet"), set()).add(r["format"])
    assert formats == {name: {"csv", "parquet"} for name in RESOURCE_ORDER}


def test_frictionless_validates_the_package():
    frictionless = pytest.importorskip("frictionless")
    report = frictionless.validate(str(ROOT / "datapackage.json"))
    assert report.valid, report.flatten(["taskName", "rowNumber", "fieldName", "type", "note"])[:10]


def test_sha256sums_and_zip():
    dist = ROOT / "dist"
    sums = dict(line.split("  ")[::-1] for line in (dist / "SHA256SUMS").read_text().splitlines())
    # Every file of dist/, in sub-folders too (seeds/, stata/), so `sha256sum -c SHA256SUMS` needs nothing else.
    assert set(sums) == {p.relative_to(dist).as_posix() for p in dist.rglob("*") if p.is_file()} - {"SHA256SUMS"}
    for name, digest in sums.items():
        assert hashlib.sha256((dist / name).read_bytes()).hexdigest() == digest
    with zipfile.ZipFile(dist / f"rusprk-{VERSION}.zip") as zf:
        names = zf.namelist()
        assert names == sorted(names)
        assert len({i.date_time for i in zf.infolist()}) == 1
        folder = f"rusprk-{VERSION}/"
        for table in RESOURCE_ORDER:
            for ext in ("csv", "parquet"):
                assert zf.read(folder + f"{table}.{ext}") == (dist / f"{table}.{ext}").read_bytes()
        assert zf.read(folder + "datapackage.json") == (dist / "datapackage.json").read_bytes()
        assert zf.read(folder + "codebook.md") == (ROOT / "docs" / "codebook.md").read_bytes()
        entries = {n: zf.read(n) for n in names}
    stamp = json.loads((dist / "datapackage.json").read_text())["created"]
    again = publish.release_zip(VERSION, stamp, {n.removeprefix(folder): d for n, d in entries.items()})
    assert again == (dist / f"rusprk-{VERSION}.zip").read_bytes()


def test_citation_names_the_version():
    bib = rusprk.cite("bibtex")
    assert bib.startswith("@misc{") and f"version = {{{VERSION}}}" in bib
    assert f"(Version {VERSION})" in rusprk.cite("apa")
    with pytest.raises(ValueError):
        rusprk.cite("chicago")


def test_citation_cff_validates():
    exe = shutil.which("cffconvert") or str(ROOT / ".venv" / "bin" / "cffconvert")
    if not shutil.which(exe):
        pytest.skip("cffconvert not installed")
    out = subprocess.run([exe, "--validate", "-i", str(ROOT / "CITATION.cff")], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_tables_lists_every_table_with_a_description():
    t = rusprk.tables()
    assert list(t) == list(RESOURCE_ORDER)
    assert all(isinstance(v, str) and v for v in t.values())


@pytest.mark.parametrize("backend", ["pandas", "polars", "pyarrow"])
def test_every_backend_loads_every_table(backend):
    for name in RESOURCE_ORDER:
        t = rusprk.load(name, backend=backend)
        assert t.shape[0] == pq.ParquetFile(ROOT / "dist" / f"{name}.parquet").metadata.num_rows
    with pytest.raises(ValueError):
        rusprk.load("events", backend="spark")
    with pytest.raises(KeyError):
        rusprk.load("meetings")


def test_polars_types_are_declared():
    import polars as pl

    e = rusprk.load("events", backend="polars")
    assert e.schema["date_start"] == pl.Date
    assert isinstance(e.schema["event_type"], pl.Enum)
    assert e.schema["russia_dprk"] == pl.Boolean


def test_tampered_file_is_refused(tmp_path, monkeypatch):
    import rusprk._load as load

    data = tmp_path / "data"
    shutil.copytree(ROOT / "dist", data)
    raw = bytearray((data / "people.parquet").read_bytes())
    raw[100] ^= 0xFF
    (data / "people.parquet").write_bytes(bytes(raw))
    monkeypatch.setattr(load, "data_dir", lambda: data)
    load._descriptor.cache_clear()
    try:
        with pytest.raises(rusprk.DataIntegrityError, match="people.parquet"):
            rusprk.load("people")
        assert len(rusprk.load("events")) > 0  # untouched files still load
    finally:
        load._descriptor.cache_clear()


def test_import_is_light():
    code = ("import sys, rusprk; rusprk.load_all(); "
            "print(sorted(m for m in ('pandera','frictionless','hypothesis','builders','pydantic','yaml') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    code = "import sys, rusprk; print(sorted(m for m in ('pandas','pyarrow','polars','numpy') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def _cli(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "rusprk", *args], cwd=cwd, capture_output=True, text=True)


def test_cli_info_validate_cite():
    info = _cli("info")
    assert info.returncode == 0 and f"rusprk {VERSION}" in info.stdout
    assert "events" in info.stdout and "evidence" in info.stdout
    v = _cli("validate", "datapackage.json")
    assert v.returncode == 0 and "quotes at offsets" in v.stdout
    c = _cli("cite", "--style", "bibtex")
    assert c.returncode == 0 and VERSION in c.stdout


def test_changelog_records_every_change_since_0_1_0():
    """The changelog's record of changed records is `rusprk diff` between the 0.1.0 release zip and this build."""
    import hashlib
    import subprocess

    from rusprk.diff import diff_packages, format_markdown

    old = ROOT / "releases" / "rusprk-0.1.0.zip"
    # The kept zip is the one released: the bytes of dist/rusprk-0.1.0.zip at the 0.1.0 commit.
    at_release = subprocess.run(["git", "-C", str(ROOT), "show", "0fa402d7faaa7885f959a56aff39b83c14b48cd7:"
                                 "dist/rusprk-0.1.0.zip"], capture_output=True)
    if at_release.returncode == 0:
        assert hashlib.sha256(at_release.stdout).digest() == hashlib.sha256(old.read_bytes()).digest()
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    marker = "<!-- rusprk diff releases/rusprk-0.1.0.zip dist/ -->\n"
    block = text.split(marker, 1)[1].split("\n<!-- end of rusprk diff -->", 1)[0]
    assert block == format_markdown(diff_packages(old, ROOT / "dist")).rstrip("\n"), \
        "CHANGELOG.md's diff is stale: paste `rusprk diff releases/rusprk-0.1.0.zip dist/` again"
