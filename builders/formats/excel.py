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
import re
import zipfile

import pyarrow as pa
import xlsxwriter

from builders.formats import excel_rows

from rusprk.metadata import RESOURCE_ORDER, VOCABULARIES, resource

README_SHEET = "README"


def workbook_bytes(tables: dict[str, pa.Table], citation: dict, created: str, licence: str,
                   reference: bool = False) -> bytes:
    """The workbook of the validated Arrow tables.  ``reference``: every cell through XlsxWriter's own calls,
    the slow path the fast one (``builders.formats.excel_rows``) must equal byte for byte."""
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
    if reference:
        for name in RESOURCE_ORDER:
            _table(wb.add_worksheet(name), name, tables[name], bold, day)
        wb.close()
        return buf.getvalue()
    rows = {}
    for name in RESOURCE_ORDER:
        rows[f"xl/worksheets/sheet{len(rows) + 2}.xml"] = _header_and_cells(wb, wb.add_worksheet(name), name,
                                                                            tables[name], bold)
    # Formats get their style numbers when XlsxWriter writes the cells that use them, in sheet order: the README
    # sheet's bold title, then its wrapped rows, then the first date.  The date cells here are not XlsxWriter's,
    # so the numbers are taken in that same order before it writes.
    bold._get_xf_index()
    wrap._get_xf_index()
    date_style = day._get_xf_index() if any(has_dates for _, _, has_dates, _ in rows.values()) else None
    wb.close()
    return _with_rows(buf.getvalue(), rows, date_style)


def _header_and_cells(wb, ws, name: str, table: pa.Table, bold):
    """The header row through XlsxWriter, each text column's strings registered in its order; what the data rows
    need: (table, field kinds, string indices, whether any date is set)."""
    res = resource(name)
    strings = [None] * len(res.fields)
    for c, f in enumerate(res.fields):
        ws.write_string(0, c, f.name, bold)
        ws.set_column(c, c, 18)
        if f.type == "string":
            strings[c] = excel_rows.register_strings(wb.str_table, table.column(f.name))
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(table.num_rows, 1), len(res.fields) - 1)
    has_dates = any(f.type == "date" and table.column(f.name).null_count < table.num_rows for f in res.fields)
    return table, [f.type for f in res.fields], has_dates, strings


def _with_rows(package: bytes, rows: dict, date_style: int | None) -> bytes:
    """XlsxWriter's package with each table sheet's data rows after its header row, entries as XlsxWriter
    writes them (same order, 1980-01-01 stamps, deflated at zlib's default level); a sheet's rows are made
    and compressed a part at a time."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as src, \
            zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=False) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            entry = zipfile.ZipInfo(info.filename, (1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            if info.filename not in rows:
                dst.writestr(entry, data)
                continue
            table, kinds, _, strings = rows[info.filename]
            parts, last_row = excel_rows.sheet_rows(table, kinds, strings, date_style)
            xml = _DIMENSION.sub(f'<dimension ref="{excel_rows.dimension(last_row, table.num_columns)}"/>',
                                 data.decode("utf-8"), count=1)
            at = xml.index("</sheetData>")
            with dst.open(entry, "w") as sheet:
                sheet.write(xml[:at].encode("utf-8"))
                for part in parts:
                    sheet.write(part.encode("utf-8"))
                sheet.write(xml[at:].encode("utf-8"))
    return out.getvalue()


_DIMENSION = re.compile(r'<dimension ref="[^"]*"/>')


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


def _table(ws, name: str, table: pa.Table, bold, day) -> None:
    """The reference path: every cell through XlsxWriter's own calls."""
    res = resource(name)
    for c, f in enumerate(res.fields):
        ws.write_string(0, c, f.name, bold)
        ws.set_column(c, c, 18)
        for r, value in enumerate(table.column(f.name).to_pylist(), start=1):
            if value is None:
                continue
            if f.type == "boolean":
                ws.write_boolean(r, c, bool(value))
            elif f.type == "integer":
                ws.write_number(r, c, int(value))
            elif f.type == "date":
                ws.write_datetime(r, c, dt.datetime(value.year, value.month, value.day), day)
            else:
                ws.write_string(r, c, str(value))
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(table.num_rows, 1), len(res.fields) - 1)
