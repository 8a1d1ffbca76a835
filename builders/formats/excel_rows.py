"""A table sheet's data rows as XlsxWriter writes them, built a column at a time in Arrow.

XlsxWriter is called once per cell and keeps every cell as a Python object
until it writes the sheet: at 2,000 seeds (three million cells) that was
40 % of the build's time and hundreds of MB.  Here XlsxWriter still writes
the package (styles, shared strings, README sheet, each table's header row,
column widths, panes, filters); only the data rows of the table sheets are
built column-wise, in XlsxWriter's own form:

* every text is registered in the workbook's shared-string table in the order
  XlsxWriter's cell-by-cell calls would register it (column by column, top
  to bottom), so XlsxWriter itself escapes and writes ``sharedStrings.xml``;
* cells are ``<c r="B7" t="s"><v>12</v></c>`` (text), ``<c r="B7"><v>3</v></c>``
  (number), ``<c r="B7" s="N"><v>45462</v></c>`` (date, N the date style),
  ``<c r="B7" t="b"><v>1</v></c>`` (flag); an empty cell is left out;
* each ``<row>`` carries the ``spans`` XlsxWriter computes per block of 16
  rows, and the sheet's ``<dimension>`` covers the rows written.

What Arrow cannot do exactly the way XlsxWriter does (a text over 32,767
UTF-16 units, a date before 1900-03-01, a number of 16 digits or more) is
done for those cells by XlsxWriter's own functions.  ``excel.workbook_bytes``
with ``reference=True`` writes every cell through XlsxWriter, and the tests
require both workbooks to be the same bytes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from xlsxwriter.utility import _datetime_to_excel_datetime, xl_col_to_name, xl_rowcol_to_cell

_EXCEL_DAY_ZERO = 25569  # 1970-01-01 as an Excel serial day (after 1900-03-01, past Excel's 1900 leap-day bug)
_FIRST_PLAIN_DAY = (dt.date(1900, 3, 1) - dt.date(1970, 1, 1)).days
_STRMAX = 32767  # XlsxWriter's longest text (UTF-16 units); longer ones it truncates


def register_strings(str_table, column: pa.ChunkedArray) -> pa.Array:
    """Add the column's texts to the workbook's shared strings, in XlsxWriter's order; their indices as text."""
    column = _truncated(pc.cast(column, pa.string()))
    present = column.drop_null()
    uniques = pc.unique(present)  # in order of first occurrence, as XlsxWriter meets them
    index = [str_table._get_shared_string_index(v) for v in uniques.to_pylist()]
    str_table.count += len(present) - len(uniques)  # each later occurrence counts once more, as in XlsxWriter
    return pc.cast(pc.take(pa.array(index, pa.int64()), pc.index_in(column, value_set=uniques)), pa.string())


def _truncated(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Texts over XlsxWriter's limit cut as it cuts them (a text under half the limit cannot be over it)."""
    from xlsxwriter.utility import _utf16_len, _utf16_truncate

    long = pc.fill_null(pc.greater(pc.utf8_length(column), _STRMAX // 2), False)
    if not pc.any(long).as_py():
        return column
    values = column.to_pylist()
    for i in np.flatnonzero(long.to_numpy(zero_copy_only=False)):
        if _utf16_len(values[i]) > _STRMAX:
            values[i] = _utf16_truncate(values[i], _STRMAX)
    return pa.chunked_array([pa.array(values, pa.string())])


def _numbers(column: pa.ChunkedArray) -> pa.Array:
    """Integers as XlsxWriter prints them (``{:.16G}``): Arrow's digits, but 16 digits or more by Python."""
    text = pc.cast(column, pa.string())
    big = pc.fill_null(pc.greater_equal(pc.abs(column), 10**16), False)
    if pc.any(big).as_py():
        values = text.to_pylist()
        for i, v in zip(np.flatnonzero(big.to_numpy(zero_copy_only=False)), column.filter(big).to_pylist()):
            values[i] = f"{v:.16G}"
        text = pa.array(values, pa.string())
    return text


def _dates(column: pa.ChunkedArray) -> pa.Array:
    """Dates as Excel serial days; before 1900-03-01 by XlsxWriter's own conversion."""
    days = pc.cast(column, pa.int32()).combine_chunks() if isinstance(column, pa.ChunkedArray) else pc.cast(column, pa.int32())
    text = pc.cast(pc.add(pc.cast(days, pa.int64()), _EXCEL_DAY_ZERO), pa.string())
    early = pc.fill_null(pc.less(days, _FIRST_PLAIN_DAY), False)
    if pc.any(early).as_py():
        values = text.to_pylist()
        for i, d in zip(np.flatnonzero(early.to_numpy(zero_copy_only=False)), column.filter(early).to_pylist()):
            values[i] = f"{_datetime_to_excel_datetime(dt.datetime(d.year, d.month, d.day), False, False):.16G}"
        text = pa.array(values, pa.string())
    return text


def cells(table: pa.Table, kinds: list[str], strings: list[pa.Array | None], date_style: int | None,
          first: int = 0) -> list[pa.Array]:
    """Each column's cells as XML (empty where the value is null) for data rows ``first`` onward of the table
    (``table`` is that slice); ``kinds`` per field: string, integer, boolean, date; ``strings`` the slice's
    shared-string indices of the text columns (``register_strings``)."""
    rows = pc.cast(pa.array(np.arange(first + 2, first + table.num_rows + 2)), pa.string())
    out = []
    for c, (kind, name) in enumerate(zip(kinds, table.column_names)):
        column = table.column(name)
        ref = pc.binary_join_element_wise('<c r="', xl_col_to_name(c), rows, "")
        if kind == "string":
            xml = pc.binary_join_element_wise(ref, '" t="s"><v>', strings[c], "</v></c>", "")
        elif kind == "integer":
            xml = pc.binary_join_element_wise(ref, '"><v>', _numbers(column), "</v></c>", "")
        elif kind == "boolean":
            flag = pc.if_else(column, "1", "0")
            xml = pc.binary_join_element_wise(ref, '" t="b"><v>', flag, "</v></c>", "")
        elif kind == "date":
            xml = pc.binary_join_element_wise(ref, f'" s="{date_style}"><v>', _dates(column), "</v></c>", "")
        else:
            raise ValueError(f"no Excel cell for a {kind} field")
        out.append(pc.fill_null(xml, ""))
    return out


ROWS_PER_PART = 16_384


def sheet_rows(table: pa.Table, kinds: list[str], strings: list[pa.Array | None], date_style: int | None,
               rows_per_part: int | None = None) -> tuple[Iterator[str], int | None]:
    """The data rows' XML (rows 2 onward, each with XlsxWriter's spans), in parts of ``rows_per_part`` rows so
    that a long table is never held as one string; and the last sheet row written (0-based), None when no data
    row has a value."""
    n, width = table.num_rows, table.num_columns
    if n == 0:
        return iter(()), None
    present = np.column_stack([table.column(name).is_valid().to_numpy(zero_copy_only=False)
                               for name in table.column_names]) if width else np.zeros((n, 0), bool)
    written = present.any(axis=1)
    first = np.where(written, present.argmax(axis=1), width)
    last = np.where(written, width - 1 - present[:, ::-1].argmax(axis=1), -1)
    # Sheet row r (0-based; the header is row 0, full width) falls in block r // 16.
    sheet_row = np.arange(1, n + 1)
    block = sheet_row // 16
    lo = np.full(block[-1] + 1, width, dtype=np.int64)
    hi = np.full(block[-1] + 1, -1, dtype=np.int64)
    np.minimum.at(lo, block, first)
    np.maximum.at(hi, block, last)
    lo[0], hi[0] = 0, width - 1  # the header row
    spans = pa.array([f"{a + 1}:{b + 1}" for a, b in zip(lo, hi)], pa.string())
    last_row = int(sheet_row[np.flatnonzero(written)[-1]]) if written.any() else None
    step = rows_per_part or ROWS_PER_PART

    def parts() -> Iterator[str]:
        for a in range(0, n, step):
            b = min(a + step, n)
            part = table.slice(a, b - a)
            columns = cells(part, kinds, [s.slice(a, b - a) if s is not None else None for s in strings],
                            date_style, first=a)
            body = pc.binary_join_element_wise(*columns, "") if columns else pa.array([""] * (b - a))
            xml = pc.binary_join_element_wise('<row r="', pc.cast(pa.array(sheet_row[a:b] + 1), pa.string()),
                                              '" spans="', pc.take(spans, pa.array(block[a:b])), '">', body,
                                              "</row>", "")
            if not written[a:b].all():
                xml = pc.filter(xml, pa.array(written[a:b]))
            yield "".join(xml.to_pylist())

    return parts(), last_row


def dimension(last_row: int | None, width: int) -> str:
    """XlsxWriter's ``<dimension ref>`` for a sheet whose header spans ``width`` columns."""
    end = xl_rowcol_to_cell(last_row if last_row is not None else 0, width - 1)
    return "A1" if end == "A1" else f"A1:{end}"
