"""One Excel workbook: a README sheet, then one sheet per table (XlsxWriter).

Every text cell is written as text (``write_string``), so a note that begins
with "=" stays a note and codes like ``cameo_code`` "042" keep their zeros:
the workbook holds no formula cell.  Dates are Excel dates shown as
yyyy-mm-dd, flags Excel booleans, counts numbers, null an empty cell.  The
workbook's creation date is the package's ``created``, which XlsxWriter also
uses for the zip entries, so the bytes are reproducible.
"""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import xlsxwriter

from rusprk.metadata import RESOURCE_ORDER, VOCABULARIES, resource

README_SHEET = "README"


def workbook_bytes(frames: dict[str, pd.DataFrame], citation: dict, created: str, licence: str) -> bytes:
    stamp = dt.datetime.strptime(created, "%Y-%m-%dT%H:%M:%SZ")
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
                                   "strings_to_urls": False})
    wb.set_properties({"title": citation["title"], "author": ", ".join(citation["authors"]),
                       "comments": f"Version {citation['version']}", "created": stamp})
    bold = wb.add_format({"bold": True})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    day = wb.add_format({"num_format": "yyyy-mm-dd"})
    _readme(wb.add_worksheet(README_SHEET), citation, licence, bold, wrap)
    for name in RESOURCE_ORDER:
        _table(wb.add_worksheet(name), name, frames[name], bold, day)
    wb.close()
    return buf.getvalue()


def readme_rows(citation: dict, licence: str) -> list[tuple[str, ...]]:
    """The README sheet: what this is, how to cite it, then every field with its description."""
    from rusprk._cite import cite_from

    rows = [
        (citation["title"],),
        ("Version", citation["version"]),
        ("Released", citation["date_released"]),
        ("Cite as", cite_from(citation, "text")),
        ("Licence", licence),
        ("Home", citation["url"]),
        ("Sheets", "one per table; the codebook (codebook.md) explains every field and convention"),
        (),
        ("table", "field", "type", "description", "allowed values"),
    ]
    for name in RESOURCE_ORDER:
        for f in resource(name).fields:
            allowed = ", ".join(VOCABULARIES[f.enum]) if f.enum else ("true, false" if f.type == "boolean" else "")
            rows.append((name, f.name, f.type, f.description, allowed))
    return rows


def _readme(ws, citation, licence, bold, wrap) -> None:
    rows = readme_rows(citation, licence)
    header = rows.index(("table", "field", "type", "description", "allowed values"))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            ws.write_string(r, c, value, bold if r in (0, header) else wrap)
    ws.set_column(0, 0, 14)
    ws.set_column(1, 1, 24)
    ws.set_column(3, 3, 90)
    ws.set_column(4, 4, 40)


def _table(ws, name: str, frame: pd.DataFrame, bold, day) -> None:
    res = resource(name)
    for c, f in enumerate(res.fields):
        ws.write_string(0, c, f.name, bold)
        ws.set_column(c, c, 18)
        for r, value in enumerate(frame[f.name].tolist(), start=1):
            if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value):
                continue
            if f.type == "boolean":
                ws.write_boolean(r, c, bool(value))
            elif f.type == "integer":
                ws.write_number(r, c, int(value))
            elif f.type == "date":
                ws.write_datetime(r, c, pd.Timestamp(value).to_pydatetime(), day)
            else:
                ws.write_string(r, c, str(value))
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(len(frame), 1), len(res.fields) - 1)
