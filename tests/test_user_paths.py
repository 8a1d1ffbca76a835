"""What a user touches first: the command line, the citation, the file paths, the release zip."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import zipfile

import pytest

import rusprk
from conftest import ROOT
from rusprk.metadata import RESOURCE_ORDER


def _cli(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "rusprk", *args], cwd=cwd, capture_output=True, text=True)


def test_version_and_tables():
    assert _cli("--version").stdout.strip() == f"rusprk {rusprk.__version__}"
    out = _cli("tables").stdout.splitlines()
    frames = rusprk.load_all()
    assert [line.split()[0] for line in out] == list(RESOURCE_ORDER)
    for line, name in zip(out, RESOURCE_ORDER):
        assert int(line.split()[1]) == len(frames[name]) and rusprk.tables()[name] in line


@pytest.mark.parametrize("command", ["build", "validate", "info", "tables", "cite", "export", "diff"])
def test_every_command_has_help_with_an_example_and_no_markup(command):
    out = _cli(command, "--help")
    assert out.returncode == 0, out.stderr
    assert "example:" in out.stdout and "``" not in out.stdout
    top = _cli("--help").stdout
    assert f"  {command} " in top and "``" not in top and "examples:" in top


def test_validate_a_missing_path_says_not_found_and_claims_no_checks(tmp_path):
    out = _cli("validate", str(tmp_path / "nothing-here"))
    assert out.returncode == 2
    assert "not found" in out.stderr and "quotes at offsets" not in out.stdout + out.stderr
    empty = _cli("validate", str(tmp_path))
    assert empty.returncode == 2 and "no datapackage.json" in empty.stderr


def test_validate_one_csv_says_what_it_needs_and_claims_no_checks():
    out = _cli("validate", "dist/events.csv")
    assert out.returncode == 2 and "datapackage.json" in out.stderr
    assert "valid" not in out.stdout and "quotes at offsets" not in out.stdout + out.stderr


def test_path_points_at_the_files_of_every_table():
    for name in RESOURCE_ORDER:
        for fmt in ("parquet", "csv"):
            assert rusprk.path(name, fmt).is_file()
    assert rusprk.path("datapackage").is_file() and rusprk.path("seeds").is_dir()
    with pytest.raises(KeyError, match="the tables are"):
        rusprk.path("meetings")
    with pytest.raises(ValueError, match="choose one of"):
        rusprk.path("events", "xlsx")


def test_polars_backend_without_polars_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "polars", None)  # as if polars were not installed
    with pytest.raises(ModuleNotFoundError, match=r"pip install 'rusprk\[polars\]'"):
        rusprk.load("events", backend="polars")


def test_evidence_gives_the_quotes_in_context_and_suggests_ids():
    q = rusprk.evidence("evt-2018-05-31-kim-receives-lavrov", context=30)
    ev = rusprk.load("evidence")
    assert len(q) == (ev.record_id == "evt-2018-05-31-kim-receives-lavrov").sum() > 0
    for row in q.itertuples():
        text = (rusprk.path("seeds") / row.seed_file).read_text(encoding="utf-8")
        assert text[row.char_start - len(row.before):row.char_end + len(row.after)] == row.before + row.quote + row.after
        assert len(row.before) <= 30 and len(row.after) <= 30 and "\n" not in row.before + row.after
    with pytest.raises(KeyError, match="did you mean evt-2018-05-31-kim-receives-lavrov"):
        rusprk.evidence("evt-2018-05-31-kim-receive-lavrov")


def test_citation_comes_from_the_cff_and_takes_a_doi_when_there_is_one(tmp_path):
    import yaml

    from builders.citation import citation
    from builders.errors import BuildError
    from rusprk._cite import cite_from

    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    facts = citation(ROOT)
    assert facts["version"] == rusprk.__version__ == str(cff["version"])
    assert facts["year"] == str(cff["date-released"])[:4] and facts["doi"] is None  # pending the first Zenodo release
    assert rusprk._cite.citation() == facts  # what the installed package reads is what the CFF says
    (tmp_path / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text(encoding="utf-8"), encoding="utf-8")
    cff["identifiers"] = [{"type": "doi", "value": "10.5281/zenodo.1234567"}]
    (tmp_path / "CITATION.cff").write_text(yaml.safe_dump(cff, allow_unicode=True), encoding="utf-8")
    with_doi = citation(tmp_path)
    assert "doi = {10.5281/zenodo.1234567}" in cite_from(with_doi, "bibtex")
    assert cite_from(with_doi, "apa").endswith("https://doi.org/10.5281/zenodo.1234567")
    cff["version"] = "9.9.9"
    (tmp_path / "CITATION.cff").write_text(yaml.safe_dump(cff, allow_unicode=True), encoding="utf-8")
    with pytest.raises(BuildError, match="differs from pyproject.toml"):
        citation(tmp_path)


def test_release_zip_checks_itself_and_carries_the_seeds_and_readme(tmp_path):
    (zpath,) = (ROOT / "dist").glob("rusprk-*.zip")
    with zipfile.ZipFile(zpath) as zf:
        zf.extractall(tmp_path)
    folder = tmp_path / zpath.stem
    files = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    for must in ("README.md", "R/rusprk.R", "croissant.json", "citation.json", "SHA256SUMS",
                 *(f"seeds/{p.name}" for p in (ROOT / "seeds").glob("*.txt"))):
        assert must in files, must
    sums = dict(reversed(line.split("  ", 1)) for line in (folder / "SHA256SUMS").read_text().splitlines())
    assert set(sums) == files - {"SHA256SUMS"}  # every other file, so `sha256sum -c` needs no --ignore-missing
    for name, digest in sums.items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, name
    out = _cli("validate", str(folder))  # run from the checkout, where python -m finds rusprk
    assert out.returncode == 0, out.stdout + out.stderr
    assert "valid (schemas, keys, hashes, quotes at offsets, meaning rules)" in out.stdout
