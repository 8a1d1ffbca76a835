"""One Stata ``.dta`` file per table, with labels from the metadata (pandas' ``to_stata``, format 118).

What a Stata (or SPSS, which imports ``.dta``) user gets:

* variable labels: the field descriptions.  Stata allows 80 characters, so a
  longer description is cut at a word and ends in "…" (``variable_label``);
  the full text is in the codebook.  This is the only thing shortened.
* vocabulary fields and flags: numeric, with value labels that are the
  vocabulary's codes (``visit``, ``042``) and ``false``/``true``, so decoding
  gives back exactly the CSV's values; each value label is named after its
  column.
* dates: Stata dates (``%td``); integers: doubles (Stata's only way to keep
  a missing count missing in a pandas-written file; the values are whole).
* strings: never truncated: a value longer than Stata's 2,045-byte ``str``
  limit makes its column a ``strL``.  Stata has no null string: null is "".

The timestamp Stata files carry is the package's ``created`` date, so the
bytes are reproducible.
"""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import pandas as pd

from rusprk.metadata import RESOURCE_ORDER, VOCABULARIES, resource

VARIABLE_LABEL_MAX = 80  # Stata's limit on a variable label, in characters
STR_MAX_BYTES = 2045  # Stata's longest fixed-width string; longer goes to strL
BOOL_LABELS = ("false", "true")  # codes 0 and 1


def variable_label(description: str) -> str:
    """The description, or its first words that fit with an ellipsis."""
    if len(description) <= VARIABLE_LABEL_MAX:
        return description
    cut = description[: VARIABLE_LABEL_MAX - 1].rsplit(" ", 1)[0].rstrip(" ,;:(")
    return cut + "…"


def stata_frame(name: str, frame: pd.DataFrame) -> tuple[pd.DataFrame, dict, list[str], list[str]]:
    """(the frame as Stata stores it, value labels by column, date columns, strL columns)."""
    res = resource(name)
    cols, labels, dates, strl = {}, {}, [], []
    for f in res.fields:
        col = frame[f.name]
        if f.enum:
            cols[f.name] = pd.Series(col.cat.codes.astype("int16"), index=col.index).where(col.notna())
            labels[f.name] = dict(enumerate(VOCABULARIES[f.enum]))
        elif f.type == "boolean":
            cols[f.name] = pd.Series(col.to_numpy(dtype="float32", na_value=np.nan), index=col.index)
            labels[f.name] = dict(enumerate(BOOL_LABELS))
        elif f.type == "integer":
            cols[f.name] = col.astype("float64")  # missing stays missing (a nullable long needs a float carrier)
        elif f.type == "date":
            cols[f.name] = pd.to_datetime(col)
            dates.append(f.name)
        else:
            values = col.astype(object).where(col.notna(), "")
            cols[f.name] = values.astype(object)
            if max((len(s.encode("utf-8")) for s in values), default=0) > STR_MAX_BYTES:
                strl.append(f.name)
    return pd.DataFrame(cols, columns=res.field_names), labels, dates, strl


def dta_bytes(name: str, frame: pd.DataFrame, version: str, created: str) -> bytes:
    buf = io.BytesIO()
    write_dta(name, frame, version, created, buf)
    return buf.getvalue()


def write_dta(name: str, frame: pd.DataFrame, version: str, created: str, target) -> None:
    """The table's ``.dta`` written to ``target`` (a path or a binary file): what ``DataFrame.to_stata(version=118)``
    writes, with less held at once (``_LeanWriter``)."""
    res = resource(name)
    data, labels, dates, strl = stata_frame(name, frame)
    stamp = dt.datetime.strptime(created, "%Y-%m-%dT%H:%M:%SZ")
    writer = _lean_writer()(target, data, write_index=False, version=118, convert_dates={c: "td" for c in dates},
                            data_label=f"RUSPRK {version}: {res.title}"[:80], time_stamp=stamp,
                            variable_labels={f.name: variable_label(f.description) for f in res.fields},
                            value_labels=labels, convert_strl=strl)
    del data  # the writer holds its own copy, its strings encoded: ours would only double the strings held
    writer.write_file()


def _lean_writer():
    """pandas' format-118 writer, minus two whole copies of the data section: its padded frame is dropped once
    the record array is made from it, and the record array is written a slice at a time instead of through
    one ``tobytes()`` of it all (the slices' bytes, in order, are exactly that copy's).  At 189,000 evidence
    rows each copy is over 100 MB, and the build's peak memory was this writer's."""
    from pandas.io.stata import StataWriterUTF8

    class _LeanWriter(StataWriterUTF8):
        def _prepare_data(self):
            records = super()._prepare_data()
            self.data = None  # nothing after this step reads it
            return records

        def _write_data(self, records) -> None:
            self._update_map("data")
            self._write_bytes(b"<data>")
            step = 1 << 14
            for at in range(0, len(records), step):
                self._write_bytes(records[at:at + step].tobytes())
            self._write_bytes(b"</data>")

    return _LeanWriter


def stata_files(frames: dict[str, pd.DataFrame], version: str, created: str) -> dict[str, bytes]:
    """``stata/<table>.dta`` for every table."""
    return {f"stata/{name}.dta": dta_bytes(name, frames[name], version, created) for name in RESOURCE_ORDER}
