"""Stage 5: write the validated tables and their descriptions.

Byte-reproducible by construction: rows sorted by primary key, columns in the
metadata's order, Parquet written with the explicit pyarrow schema, fixed
compression and no pandas metadata, CSV written by hand (UTF-8, LF, minimal
quoting, ISO dates, lower-case booleans, empty for null), JSON with sorted
keys, and no wall-clock time anywhere: ``created`` comes from
``SOURCE_DATE_EPOCH`` or the last commit that touched the build inputs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import uuid
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from builders.release import created_timestamp, project_version
from rusprk._types import arrow_schema
from rusprk.metadata import RESOURCE_ORDER, VOCABULARIES, Resource, resource

PARQUET_COMPRESSION = "zstd"
PARQUET_COMPRESSION_LEVEL = 9

LICENSES = [
    {"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/",
     "title": "Creative Commons Attribution 4.0 (the curated data)"},
    {"name": "MIT", "path": "https://opensource.org/license/mit/", "title": "MIT License (the code)"},
]


# ---------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------

def sort_rows(name: str, rows: list[dict]) -> list[dict]:
    pk = resource(name).primary_key
    return sorted(rows, key=lambda r: tuple(r[k] for k in pk))


def to_arrow(name: str, rows: list[dict]) -> pa.Table:
    res = resource(name)
    rows = sort_rows(name, rows)
    schema = arrow_schema(res)
    arrays = [pa.array([r.get(f.name) for r in rows], type=schema.field(f.name).type) for f in res.fields]
    return pa.Table.from_arrays(arrays, schema=schema)


def parquet_bytes(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table.replace_schema_metadata(None), sink, compression=PARQUET_COMPRESSION,
                   compression_level=PARQUET_COMPRESSION_LEVEL, use_dictionary=False, write_statistics=True,
                   version="2.6", store_schema=False)
    return sink.getvalue()


def _csv_value(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


# A field is quoted when it holds a delimiter, a quote or any line break (a
# lone "\r" included, which Python's csv writer leaves bare with "\n" endings).
_NEEDS_QUOTES = re.compile(r'[,"\r\n]')


def _csv_field(v) -> str:
    s = _csv_value(v)
    return '"' + s.replace('"', '""') + '"' if _NEEDS_QUOTES.search(s) else s


def csv_bytes(name: str, table: pa.Table) -> bytes:
    out = io.BytesIO()
    write_csv(name, table, out)
    return out.getvalue()


CSV_SLICE_ROWS = 8192  # rows turned into text at a time: the whole evidence table's text is hundreds of MB


def write_csv(name: str, table: pa.Table, out) -> None:
    """The table as CSV to the binary file ``out``, a slice of rows at a time."""
    out.write((",".join(table.column_names) + "\n").encode("utf-8"))
    for at in range(0, table.num_rows, CSV_SLICE_ROWS):
        part = table.slice(at, CSV_SLICE_ROWS)
        cols = [part.column(n).to_pylist() for n in table.column_names]
        out.write("".join(",".join(_csv_field(v) for v in row) + "\n" for row in zip(*cols)).encode("utf-8"))


def write_csv_file(name: str, table: pa.Table, path: Path) -> None:
    with open(path, "wb") as fh:
        write_csv(name, table, fh)


# ---------------------------------------------------------------------------
# Frictionless descriptors, derived from rusprk.metadata
# ---------------------------------------------------------------------------

def table_schema(res: Resource) -> dict:
    fields = []
    for f in res.fields:
        d: dict = {"name": f.name, "type": f.type, "description": f.description}
        if f.type == "date":
            d["format"] = "default"
        constraints: dict = {}
        if f.required:
            constraints["required"] = True
        if f.unique:
            constraints["unique"] = True
        if f.enum:
            constraints["enum"] = list(VOCABULARIES[f.enum])
            d["categories"] = [{"value": k, "label": v} for k, v in VOCABULARIES[f.enum].items()]
        if f.pattern:
            constraints["pattern"] = f.pattern.strip("^$")
        if f.minimum is not None:
            constraints["minimum"] = f.minimum
        if f.maximum is not None:
            constraints["maximum"] = f.maximum
        if constraints:
            d["constraints"] = constraints
        if f.type == "boolean":
            d["trueValues"] = ["true"]
            d["falseValues"] = ["false"]
        fields.append(d)
    schema = {
        "$schema": "https://datapackage.org/profiles/2.0/tableschema.json",
        "fields": fields,
        "missingValues": [""],
        "primaryKey": list(res.primary_key),
    }
    fks = []
    for fk in res.foreign_keys:
        ref = {"resource": "" if fk.resource == res.name else fk.resource, "fields": list(fk.reference_fields)}
        fks.append({"fields": list(fk.fields), "reference": ref})
    if fks:
        schema["foreignKeys"] = fks
    return schema


def _resource_entries(prefix: str, files, inline_schema: bool) -> list[dict]:
    entries = []
    for name in RESOURCE_ORDER:
        res = resource(name)
        schema = table_schema(res) if inline_schema else f"schemas/{name}.json"
        for fmt in ("csv", "parquet"):
            fname = f"{name}.{fmt}"
            data = files[fname]
            # Frictionless reads Parquet through pandas and loses nulls and byte counts, so the
            # Parquet copies are described as files (bytes, hash) that hold the same rows as the
            # CSV table resource; `rusprk validate` checks their schema and that both agree.
            entry = {
                "name": name if fmt == "csv" else f"{name}-parquet",
                "type": "table" if fmt == "csv" else "file",
                "title": res.title + (" (Parquet)" if fmt == "parquet" else ""),
                "description": res.description if fmt == "csv" else (
                    f"{res.description} The same rows as resource '{name}', in Parquet with its schema."),
                "path": prefix + fname,
                "format": fmt,
                "mediatype": "text/csv" if fmt == "csv" else "application/vnd.apache.parquet",
                "encoding": "utf-8" if fmt == "csv" else None,
                "bytes": len(data),
                "hash": "sha256:" + hashlib.sha256(data).hexdigest(),
                "schema": schema if fmt == "csv" else None,
            }
            if fmt == "csv":
                entry["dialect"] = {"$schema": "https://datapackage.org/profiles/2.0/tabledialect.json",
                                    "delimiter": ",", "lineTerminator": "\n", "quoteChar": "\"",
                                    "doubleQuote": True, "header": True}
            entries.append({k: v for k, v in entry.items() if v is not None})
    return entries


def descriptor(root: Path, files, sources_rows: list[dict], *, prefix: str,
               inline_schema: bool) -> dict:
    version = project_version(root)
    sources = []
    for s in sort_rows("sources", sources_rows):
        entry = {"title": s["title"]}
        if s["url"]:
            entry["path"] = s["url"]
        entry["description"] = (
            f"Seed seeds/{s['seed_file']} (sha256 {s['sha256']}); "
            f"publisher: {s['publisher'] or 'not stated'}; "
            f"published: {s['date_published'].isoformat() if s['date_published'] else 'undated'}"
        )
        sources.append(entry)
    return {
        "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
        "name": "rusprk",
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/rusprk/rusprk")),
        "title": "RUSPRK: Russia–North Korea high-level exchanges",
        "description": (
            "Who met whom, when and where, and which gifts changed hands between Russia and the DPRK, "
            "curated from news articles. Every record rests on verbatim quotes located by character "
            "offsets in the source articles (the evidence table). Context events that are not "
            "Russia–DPRK exchanges are included and flagged (events.russia_dprk = false)."
        ),
        "version": version,
        "created": created_timestamp(root),
        "homepage": "https://github.com/rusprk/rusprk",
        "keywords": ["Russia", "North Korea", "DPRK", "diplomacy", "international relations", "event data",
                     "CAMEO", "PLOVER", "gifts", "state visits"],
        "licenses": LICENSES,
        "contributors": [
            {"title": "RUSPRK curators", "roles": ["creator", "dataCurator"]},
        ],
        "sources": sources,
        "resources": _resource_entries(prefix, files, inline_schema),
    }


def dumps(obj) -> bytes:
    return (json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=False) + "\n").encode("utf-8")



# ---------------------------------------------------------------------------
# Release artifacts
# ---------------------------------------------------------------------------

#: Files of the repository that travel in the release zip beside the data.
RELEASE_DOCS = ("README.md", "CHANGELOG.md", "LICENSE", "CITATION.cff", "R/rusprk.R")

#: The licence in one line, for formats that carry it beside the data (the Excel README sheet).
LICENCE_NOTE = ("Data: CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/). Code: MIT. The seed articles "
                "are third-party texts kept verbatim so every quote can be verified; their copyright stays "
                "with their publishers.")


#: zlib's level for the release zip's deflated members: its default (level 9 took twice as long for a file a few
#: per cent smaller).  Part of what lets a build copy a member from the previous zip (``builders.zip_cache``).
ZIP_LEVEL = 6


def release_zip(version: str, created: str, files, out=None, paths: dict | None = None,
                path_hashes: dict[str, str] | None = None, earlier=None, path_crcs: dict[str, int] | None = None):
    """A byte-reproducible zip: sorted entries, fixed timestamps and permissions, laid out exactly as Python's
    ``zipfile`` lays them out (``builders.formats.zip_writer``).  ``files`` maps name to bytes, ``paths`` name to
    a file whose bytes are read a block at a time (a large database need not be held in memory), and
    ``path_hashes`` and ``path_crcs`` name to that file's sha256 and CRC-32 where known.  ``earlier`` is the previous release zip
    (``builders.zip_cache.EarlierZip``): a member whose content it holds is copied from it, not deflated again.
    Written to the binary file ``out`` if given, returning how each member was laid out (for the next build's
    manifest), else the zip's bytes returned."""
    from builders.formats.zip_members import Member, write_zip
    from builders.formats.zip_writer import DEFLATED, STORED

    stamp = dt.datetime.strptime(created, "%Y-%m-%dT%H:%M:%SZ")
    date_time = (max(stamp.year, 1980), stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)
    folder = f"rusprk-{version}"
    paths, path_hashes, path_crcs = paths or {}, path_hashes or {}, path_crcs or {}
    members = []
    for name in sorted({*files, *paths}):
        # Parquet and the workbook are compressed already.
        method = STORED if name.endswith((".parquet", ".xlsx")) else DEFLATED
        if name in files:
            data = files[name]
            members.append(Member(f"{folder}/{name}", method, data=data, sha256=hashlib.sha256(data).hexdigest()))
        else:
            members.append(Member(f"{folder}/{name}", method, path=paths[name], sha256=path_hashes.get(name),
                                  crc=path_crcs.get(name)))
    buf = out if out is not None else io.BytesIO()
    written = write_zip(buf, members, date_time, ZIP_LEVEL, earlier)
    return buf.getvalue() if out is None else written


def sha256sums(files: dict[str, bytes]) -> bytes:
    return sha256sums_of({name: hashlib.sha256(data).hexdigest() for name, data in files.items()})


def sha256sums_of(hashes: dict[str, str]) -> bytes:
    """``sha256sum -c``'s input from each file's sha256."""
    return "".join(f"{digest}  {name}\n" for name, digest in sorted(hashes.items())).encode("utf-8")
