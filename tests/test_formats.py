"""The tables in the users' own tools: Stata, R, Excel, Croissant, each read back by that tool or its reader."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builders.formats.stata import BOOL_LABELS, variable_label
from conftest import ROOT
from rusprk.metadata import RESOURCE_ORDER, VOCABULARIES, resource

DIST = ROOT / "dist"


def _csv(name):
    return pd.read_csv(DIST / f"{name}.csv", dtype=str, keep_default_na=False)


# -- Stata ---------------------------------------------------------------------

@pytest.mark.parametrize("name", RESOURCE_ORDER)
def test_stata_file_has_the_metadata_labels_and_the_csv_values(name):
    reader = pd.io.stata.StataReader(io.BytesIO((DIST / "stata" / f"{name}.dta").read_bytes()))
    data = reader.read(convert_categoricals=False)
    labels, values = reader.variable_labels(), reader.value_labels()
    res, csv = resource(name), _csv(name)
    assert list(data.columns) == res.field_names and len(data) == len(csv)
    for f in res.fields:
        assert labels[f.name] == variable_label(f.description), f.name
        assert f.description.startswith(labels[f.name].rstrip("…")), f.name  # shortened only, never changed
        col = data[f.name]
        if f.enum or f.type == "boolean":
            codes = list(VOCABULARIES[f.enum]) if f.enum else list(BOOL_LABELS)
            assert values[f.name] == dict(enumerate(codes)), f.name
            decoded = [("" if pd.isna(v) else codes[int(v)]) for v in col]
        elif f.type == "date":
            decoded = ["" if pd.isna(v) else pd.Timestamp(v).date().isoformat() for v in col]
        elif f.type == "integer":
            decoded = ["" if pd.isna(v) else str(int(v)) for v in col]
        else:
            decoded = list(col)
        assert decoded == list(csv[f.name]), f"{name}.{f.name}: the .dta value differs from the CSV"


@pytest.mark.parametrize("copies", [1, 40])  # 40 copies of the evidence rows: the data section spans many slices
def test_the_lean_stata_writer_writes_exactly_what_to_stata_writes(copies):
    import datetime as dt

    from builders.formats import stata
    from rusprk import load

    for name in RESOURCE_ORDER if copies == 1 else ["evidence"]:
        frame = load(name)
        frame = pd.concat([frame] * copies, ignore_index=True)
        lean = io.BytesIO()
        stata.write_dta(name, frame, "9.9.9", "2026-01-02T03:04:05Z", lean)
        data, labels, dates, strl = stata.stata_frame(name, frame)
        res, plain = resource(name), io.BytesIO()
        data.to_stata(plain, write_index=False, version=118, convert_dates={c: "td" for c in dates},
                      data_label=f"RUSPRK 9.9.9: {res.title}"[:80], time_stamp=dt.datetime(2026, 1, 2, 3, 4, 5),
                      variable_labels={f.name: stata.variable_label(f.description) for f in res.fields},
                      value_labels=labels, convert_strl=strl)
        assert copies == 1 or len(frame) > 1 << 14  # more rows than the writer's slice
        assert lean.getvalue() == plain.getvalue(), name


def test_stata_labels_are_shortened_only_where_stata_requires():
    for name in RESOURCE_ORDER:
        for f in resource(name).fields:
            label = variable_label(f.description)
            assert len(label) <= 80
            assert (label == f.description) == (len(f.description) <= 80)


def test_haven_reads_the_stata_files_with_their_labels():
    if shutil.which("Rscript") is None:
        pytest.skip("R is not installed (apt-get install r-base-core r-cran-haven; .ci/run does)")
    if subprocess.run(["Rscript", "-e", "library(haven)"], capture_output=True).returncode != 0:
        pytest.skip("R lacks haven (apt-get install r-cran-haven)")
    script = """
        e <- haven::read_dta("dist/stata/events.dta")
        stopifnot(inherits(e$date_start, "Date"), inherits(e$event_type, "haven_labelled"))
        cat(nrow(e), "\\n", attr(e$event_type, "label"), "\\n", sep = "")
        cat(paste(names(attr(e$event_type, "labels")), collapse = ","), "\\n", sep = "")
    """
    out = subprocess.run(["Rscript", "-e", script], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    n, label, levels = out.stdout.splitlines()[:3]
    events = resource("events")
    assert int(n) == len(_csv("events"))
    assert label == variable_label(events.field("event_type").description)
    assert levels.split(",") == list(VOCABULARIES["event_type"])


# -- R -------------------------------------------------------------------------

def test_r_reader_gives_declared_types_levels_labels_and_counts():
    if shutil.which("Rscript") is None:
        pytest.skip("R is not installed (apt-get install r-base-core r-cran-jsonlite r-cran-readr; .ci/run does)")
    if subprocess.run(["Rscript", "-e", "library(jsonlite); library(readr)"], capture_output=True).returncode != 0:
        pytest.skip("R lacks jsonlite or readr (apt-get install r-cran-jsonlite r-cran-readr)")
    script = f"""
        source("{ROOT / 'R' / 'rusprk.R'}")
        tables <- rusprk_read_all("{DIST}")
        out <- list()
        for (name in names(tables)) {{
          t <- tables[[name]]
          out[[name]] <- list(rows = nrow(t), classes = lapply(t, function(c) class(c)[1]),
                              labels = lapply(t, function(c) attr(c, "label")),
                              levels = lapply(Filter(is.factor, t), levels),
                              nas = lapply(t, function(c) sum(is.na(c))))
        }}
        cat(jsonlite::toJSON(out, auto_unbox = TRUE))
    """
    out = subprocess.run(["Rscript", "-e", script], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    r_class = {"string": "character", "integer": "integer", "boolean": "logical", "date": "Date"}
    assert list(got) == list(RESOURCE_ORDER)
    for name in RESOURCE_ORDER:
        res, csv = resource(name), _csv(name)
        assert got[name]["rows"] == len(csv), name
        for f in res.fields:
            assert got[name]["classes"][f.name] == ("factor" if f.enum else r_class[f.type]), (name, f.name)
            assert got[name]["labels"][f.name] == f.description, (name, f.name)
            assert got[name]["nas"][f.name] == int((csv[f.name] == "").sum()), (name, f.name)
            if f.enum:
                levels = got[name]["levels"][f.name]
                assert (levels if isinstance(levels, list) else [levels]) == list(VOCABULARIES[f.enum])


# -- Excel ---------------------------------------------------------------------

def _workbook():
    import openpyxl

    (path,) = DIST.glob("rusprk-*.xlsx")
    return openpyxl.load_workbook(path)


def test_workbook_has_a_readme_sheet_and_one_sheet_per_table_with_the_csv_values():
    import rusprk

    wb = _workbook()
    assert wb.sheetnames == ["README", *RESOURCE_ORDER]
    readme = [[c for c in row if c is not None] for row in wb["README"].iter_rows(values_only=True)]
    flat = [str(c) for row in readme for c in row]
    assert rusprk.cite("text") in flat and rusprk.__version__ in flat
    assert any("CC BY 4.0" in c for c in flat)
    described = {(r[0], r[1]): r[3] for r in readme if len(r) >= 4 and r[0] in RESOURCE_ORDER}
    for name in RESOURCE_ORDER:
        for f in resource(name).fields:
            assert described[(name, f.name)] == f.description
        rows = list(wb[name].iter_rows(values_only=True))
        csv = _csv(name)
        assert list(rows[0]) == resource(name).field_names and len(rows) - 1 == len(csv)
        for f_i, f in enumerate(resource(name).fields):
            cells = [r[f_i] for r in rows[1:]]
            as_text = ["" if v is None else ("true" if v is True else "false" if v is False else
                       v.date().isoformat() if hasattr(v, "date") else str(v)) for v in cells]
            assert as_text == list(csv[f.name]), f"{name}.{f.name}"


def test_workbook_has_no_formula_cells_and_codes_stay_text():
    wb = _workbook()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} is a formula"
    codes = [r[0] for r in wb["events"].iter_rows(min_row=2, min_col=4, max_col=4, values_only=True)]
    assert all(isinstance(c, str) for c in codes if c is not None) and "042" in codes


def test_a_note_that_looks_like_a_formula_is_written_as_text():
    import openpyxl

    from builders.formats.excel import workbook_bytes
    import rusprk

    import pyarrow as pa

    tables = rusprk.load_all(backend="pyarrow")
    events = tables["events"]
    at = events.schema.get_field_index("notes")
    notes = ['=HYPERLINK("http://example.org","click")', *events.column("notes").to_pylist()[1:]]
    tables["events"] = events.set_column(at, events.schema.field(at), pa.array(notes, pa.string()))
    facts = json.loads((DIST / "citation.json").read_text(encoding="utf-8"))
    data = workbook_bytes(tables, facts, "2026-12-01T00:00:00Z", "licence")
    cell = openpyxl.load_workbook(io.BytesIO(data))["events"].cell(row=2, column=resource("events").field_names.index("notes") + 1)
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in zf.infolist())  # reproducible entries


# -- Croissant -----------------------------------------------------------------

def test_mlcroissant_validates_the_croissant_file():
    # The venv's own command first: the test command runs .venv/bin/python without activating the venv.
    exe = shutil.which("mlcroissant", path=str(Path(sys.executable).parent)) or shutil.which("mlcroissant")
    if exe is None:
        pytest.skip("mlcroissant is not installed (it is in requirements.lock)")
    out = subprocess.run([exe, "validate", "--jsonld", "croissant.json"], cwd=DIST, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert "Done" in out.stderr + out.stdout


def test_croissant_describes_every_table_field_and_file_from_the_metadata():
    import hashlib

    import rusprk

    doc = json.loads((DIST / "croissant.json").read_text(encoding="utf-8"))
    assert doc["conformsTo"] == "http://mlcommons.org/croissant/1.0"
    assert doc["version"] == rusprk.__version__ and doc["citeAs"] == rusprk.cite("bibtex")
    assert doc["license"] == "https://creativecommons.org/licenses/by/4.0/"
    files = {d["@id"]: d for d in doc["distribution"]}
    for name in RESOURCE_ORDER:
        entry = files[f"{name}.csv"]
        assert entry["sha256"] == hashlib.sha256((DIST / f"{name}.csv").read_bytes()).hexdigest()
    sets = {r["@id"]: r for r in doc["recordSet"]}
    assert list(sets) == list(RESOURCE_ORDER)
    for name in RESOURCE_ORDER:
        res = resource(name)
        fields = {f["name"]: f for f in sets[name]["field"]}
        assert list(fields) == res.field_names
        for fk in res.foreign_keys:
            assert fields[fk.fields[0]]["references"]["field"]["@id"] == f"{fk.resource}/{fk.reference_fields[0]}"


# The workbook's data rows are built column-wise (builders.formats.excel_rows); XlsxWriter writing every cell
# itself (``reference=True``) is what they must equal, byte for byte, whatever the values.
_AWKWARD_TEXT = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", " leading", "trailing ", "\u00a0nbsp", "tab\t", "a\nb", "_x0041_", "ctl\x01\x1f", "<r>x</r>",
                     "a & b < c > d \"q\"", "\ufffe\uffff", "=1+1", "042", "x" * 40_000, "é" * 16_400 + "😀" * 10]),
)


def _awkward_tables(draw) -> dict:
    import datetime as dt

    import pyarrow as pa

    from builders.publish import arrow_schema

    out = {}
    long = draw(st.sampled_from(RESOURCE_ORDER))  # one table long enough for several 16-row span blocks
    for name in RESOURCE_ORDER:
        schema = arrow_schema(resource(name))
        n = draw(st.integers(0, 40) if name == long else st.integers(0, 2))
        arrays = []
        for f in resource(name).fields:
            value = {"string": _AWKWARD_TEXT, "integer": st.integers(-10**17, 10**17), "boolean": st.booleans(),
                     "date": st.dates(dt.date(1899, 12, 1), dt.date(2100, 1, 1))}[f.type]
            arrays.append(pa.array(draw(st.lists(st.one_of(st.none(), value), min_size=n, max_size=n)),
                                   type=schema.field(f.name).type))
        out[name] = pa.Table.from_arrays(arrays, names=[f.name for f in resource(name).fields])
    return out


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.data_too_large, HealthCheck.too_slow])
@given(st.data())
def test_workbook_rows_built_column_wise_equal_xlsxwriters_own(data):
    from builders.formats.excel import workbook_bytes

    from unittest import mock

    from builders.formats import excel_rows

    tables = _awkward_tables(data.draw)
    facts = json.loads((DIST / "citation.json").read_text(encoding="utf-8"))
    part = data.draw(st.sampled_from([excel_rows.ROWS_PER_PART, 1, 7, 16]))  # parts across 16-row span blocks
    with mock.patch.object(excel_rows, "ROWS_PER_PART", part):
        fast = workbook_bytes(tables, facts, "2026-12-01T00:00:00Z", "licence")
    reference = workbook_bytes(tables, facts, "2026-12-01T00:00:00Z", "licence", reference=True)
    assert fast == reference, _first_difference(fast, reference)


def _first_difference(a: bytes, b: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(a)) as za, zipfile.ZipFile(io.BytesIO(b)) as zb:
        for name in zb.namelist():
            x, y = za.read(name), zb.read(name)
            if x != y:
                at = next((i for i in range(min(len(x), len(y))) if x[i] != y[i]), min(len(x), len(y)))
                return f"{name} at byte {at}: {x[max(0, at - 120):at + 60]!r} vs {y[max(0, at - 120):at + 60]!r}"
    return "same entries, different zip bytes"


def test_shipped_workbook_is_what_xlsxwriter_writes_cell_by_cell():
    import rusprk
    from builders.formats.excel import workbook_bytes
    from builders.publish import LICENCE_NOTE

    tables = rusprk.load_all(backend="pyarrow")
    facts = json.loads((DIST / "citation.json").read_text(encoding="utf-8"))
    created = json.loads((DIST / "datapackage.json").read_text(encoding="utf-8"))["created"]
    (path,) = DIST.glob("rusprk-*.xlsx")
    assert workbook_bytes(tables, facts, created, LICENCE_NOTE, reference=True) == path.read_bytes()
