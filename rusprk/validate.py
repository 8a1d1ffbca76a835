"""Check a RUSPRK data package: schemas, keys, hashes and quotes.

Every check is derived from ``rusprk.metadata`` and runs column-wise
(vectorised), so a million rows take seconds.  Each problem names the table,
the row id (or file) and the field.  Used by ``rusprk validate`` and, after
the pandera checks, by the build.
"""

from __future__ import annotations

import calendar
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from rusprk.metadata import RESOURCE_ORDER, RESOURCES, VOCABULARIES, resource

MAX_REPORTED_PER_CHECK = 5  # rows named per failed check; the count says how many more

# Typical UTF-8-read-as-Latin-1/CP1252 sequences ("â€™", "Ã©", "Â ").
_MOJIBAKE = re.compile("[\u00c2\u00c3][\u0080-\u00bf]|\u00e2\u20ac|\u00e2\u0080|\ufffd")


@dataclass(frozen=True, order=True)
class Problem:
    table: str
    row: str | None  # row id, file name, or None for the whole table
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.table
        if self.row is not None:
            where += f" [row {self.row}]"
        if self.field is not None:
            where += f" field {self.field}"
        return f"{where}: {self.message}"


class ValidationFailed(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = [str(p) for p in problems]
        super().__init__(f"{len(problems)} problem(s):\n" + "\n".join(lines))


def _ids(df, res, mask) -> list[str]:
    pk = res.primary_key[0]
    rows = df.loc[mask, pk] if pk in df.columns else df.index[mask]
    return [str(x) for x in list(rows)]


def _report(problems, table, df, res, mask, field, message) -> None:
    if not mask.any():
        return
    ids = _ids(df, res, mask)
    for rid in ids[:MAX_REPORTED_PER_CHECK]:
        problems.append(Problem(table, rid, field, message))
    if len(ids) > MAX_REPORTED_PER_CHECK:
        problems.append(Problem(table, None, field, f"{message} (and {len(ids) - MAX_REPORTED_PER_CHECK} more rows)"))


def check_columns(name: str, df) -> list[Problem]:
    res = resource(name)
    got, want = list(df.columns), res.field_names
    problems = []
    for col in want:
        if col not in got:
            problems.append(Problem(name, None, col, "column missing"))
    for col in got:
        if col not in want:
            problems.append(Problem(name, None, col, "unexpected column"))
    if not problems and got != want:
        problems.append(Problem(name, None, None, f"columns out of order: expected {want}"))
    return problems


def check_fields(name: str, df) -> list[Problem]:
    """Per-field constraints: required, unique, enum, pattern, range, type, text sanity."""
    import pandas as pd

    res = resource(name)
    problems: list[Problem] = []
    for f in res.fields:
        if f.name not in df.columns:
            continue
        col = df[f.name]
        null = col.isna()
        if f.required:
            _report(problems, name, df, res, null, f.name, "required value is missing")
        present = ~null
        if f.type == "string":
            s = col.astype("string")
            if f.enum:
                allowed = list(VOCABULARIES[f.enum])
                _report(problems, name, df, res, present & ~s.isin(allowed), f.name,
                        f"value not in vocabulary {f.enum} ({', '.join(allowed)})")
            if f.pattern:
                ok = s.str.fullmatch(f.pattern.strip("^$")).fillna(True).astype(bool)
                _report(problems, name, df, res, present & ~ok, f.name, f"value does not match {f.pattern}")
            bad_text = s.str.contains(_MOJIBAKE.pattern, regex=True).fillna(False).astype(bool)
            _report(problems, name, df, res, present & bad_text, f.name,
                    "text looks mis-decoded (mojibake or replacement character)")
        elif f.type == "integer":
            if f.minimum is not None:
                _report(problems, name, df, res, present & (col < f.minimum).fillna(False).astype(bool), f.name,
                        f"value below minimum {f.minimum}")
            if f.maximum is not None:
                _report(problems, name, df, res, present & (col > f.maximum).fillna(False).astype(bool), f.name,
                        f"value above maximum {f.maximum}")
        if f.unique:
            _report(problems, name, df, res, present & col.duplicated(keep=False), f.name, "value is not unique")
    if set(res.primary_key) <= set(df.columns):
        dup = df.duplicated(subset=list(res.primary_key), keep=False)
        _report(problems, name, df, res, dup, ",".join(res.primary_key), "primary key is not unique")
    return problems


def _last_day(ts) -> bool:
    return ts.day == calendar.monthrange(ts.year, ts.month)[1]


def check_dates(name: str, df) -> list[Problem]:
    """start <= end; the interval matches the precision; inferred dates carry a rationale."""
    res = resource(name)
    prefix = "date_" if "date_start" in df.columns else None
    if prefix is None:
        return []
    problems: list[Problem] = []
    start, end, prec = df["date_start"], df["date_end"], df["date_precision"].astype("string")
    has_s, has_e = start.notna(), end.notna()
    known = prec != "unknown"
    _report(problems, name, df, res, (~known & (has_s | has_e)).fillna(False), "date_start",
            "precision 'unknown' but a date is given")
    _report(problems, name, df, res, (known & ~(has_s & has_e)).fillna(False), "date_start",
            "a known precision needs both date_start and date_end")
    both = has_s & has_e
    _report(problems, name, df, res, (both & (start > end)).fillna(False), "date_end", "date_start is after date_end")
    month = (prec == "month").fillna(False) & both
    if month.any():
        bad = month & ~((start.dt.day == 1) & end.dt.is_month_end)
        _report(problems, name, df, res, bad.fillna(False), "date_precision",
                "a month interval must run from the first to the last day of a month")
    year = (prec == "year").fillna(False) & both
    if year.any():
        bad = year & ~((start.dt.month == 1) & (start.dt.day == 1) & (end.dt.month == 12) & (end.dt.day == 31))
        _report(problems, name, df, res, bad.fillna(False), "date_precision",
                "a year interval must run from 1 January to 31 December")
    inferred = df["date_inferred"].fillna(False).astype(bool)
    rationale = df["date_rationale"].notna()
    _report(problems, name, df, res, inferred & ~rationale, "date_rationale", "an inferred date needs a rationale")
    _report(problems, name, df, res, ~inferred & rationale, "date_rationale",
            "a rationale is given but the date is not marked inferred")
    return problems


def check_keys(frames: dict) -> list[Problem]:
    """Foreign keys, evidence references, and evidence for every record."""
    import pandas as pd

    problems: list[Problem] = []
    for name, res in RESOURCES.items():
        if name not in frames:
            continue
        df = frames[name]
        for fk in res.foreign_keys:
            (col,), (ref_col,) = fk.fields, fk.reference_fields
            if fk.resource not in frames or col not in df.columns:
                continue
            ref = frames[fk.resource]
            if ref_col not in ref.columns:
                continue
            values = df[col]
            bad = values.notna() & ~values.isin(set(ref[ref_col].dropna()))
            _report(problems, name, df, res, bad.fillna(False), col,
                    f"refers to a missing {fk.resource}.{ref_col}")
    # Exactly one actor column on polymorphic link rows.
    for name, cols in {"aliases": ["person_id", "place_id", "body_id"], "participants": ["person_id", "body_id"]}.items():
        if name in frames and set(cols) <= set(frames[name].columns):
            df = frames[name]
            n = df[cols].notna().sum(axis=1)
            _report(problems, name, df, resource(name), n != 1, cols[0], f"exactly one of {', '.join(cols)} must be set")
    if "gifts" in frames:
        df = frames["gifts"]
        both = df["giver_person_id"].notna() & df["giver_body_id"].notna()
        _report(problems, "gifts", df, resource("gifts"), both, "giver_person_id", "two givers given")
    if "evidence" in frames:
        ev = frames["evidence"]
        eres = resource("evidence")
        pk_sets = {}
        for t in RESOURCE_ORDER:
            if t != "evidence" and t in frames:
                pk = RESOURCES[t].primary_key[0]
                if pk in frames[t].columns:
                    pk_sets[t] = frames[t][pk]
        keys = pd.Series(list(zip(ev["record_table"].astype("string"), ev["record_id"].astype("string"))),
                         index=ev.index, dtype=object)
        known = set()
        for t, ids in pk_sets.items():
            known.update((t, i) for i in ids.dropna())
        bad = ~keys.isin(known)
        _report(problems, "evidence", ev, eres, bad, "record_id", "refers to a record that does not exist")
        supported = set(keys)
        for t, ids in pk_sets.items():
            df = frames[t]
            unsupported = ~pd.Series([(t, i) in supported for i in ids], index=df.index, dtype=bool)
            _report(problems, t, df, RESOURCES[t], unsupported, None, "record has no evidence row")
        order = ev["char_end"] <= ev["char_start"]
        _report(problems, "evidence", ev, eres, order.fillna(False), "char_end", "char_end is not after char_start")
        border = ev["byte_end"] <= ev["byte_start"]
        _report(problems, "evidence", ev, eres, border.fillna(False), "byte_end", "byte_end is not after byte_start")
    if "events" in frames and "evidence" in frames and "sources" in frames:
        problems += _occurred_after_report(frames)
    return problems


def _occurred_after_report(frames) -> list[Problem]:
    """An event reported as occurred cannot start after the source that reports it."""
    import pandas as pd

    ev, events, sources = frames["evidence"], frames["events"], frames["sources"]
    links = ev.loc[ev["record_table"].astype("string") == "events", ["record_id", "source_id"]]
    m = links.merge(events[["event_id", "date_start", "status"]], left_on="record_id", right_on="event_id")
    m = m.merge(sources[["source_id", "date_published"]], on="source_id")
    bad = (m["status"].astype("string") == "occurred") & (m["date_start"] > m["date_published"])
    bad = bad.fillna(False).astype(bool)
    out = []
    for _, r in m[bad].drop_duplicates("event_id").head(MAX_REPORTED_PER_CHECK).iterrows():
        out.append(Problem("events", str(r["event_id"]), "date_start",
                           f"occurred event dated after its source {r['source_id']} was published"))
    return out


def check_quotes(frames: dict, seeds_dir: Path) -> list[Problem]:
    """Each quote stands in its seed at its offsets (character and byte)."""
    problems: list[Problem] = []
    ev, sources = frames["evidence"], frames["sources"]
    eres = resource("evidence")
    texts = {}
    for _, s in sources.iterrows():
        path = Path(seeds_dir) / str(s["seed_file"])
        if not path.exists():
            problems.append(Problem("sources", str(s["source_id"]), "seed_file", f"seed {path} not found"))
            continue
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != s["sha256"]:
            problems.append(Problem("sources", str(s["source_id"]), "sha256", f"seed {path.name} does not match its sha256"))
            continue
        texts[str(s["source_id"])] = (data.decode("utf-8"), data)
    bad_rows = []
    for i, sid, q, cs, ce, bs, be in zip(ev.index, ev["source_id"], ev["quote"], ev["char_start"], ev["char_end"],
                                         ev["byte_start"], ev["byte_end"]):
        if sid not in texts:
            continue
        text, data = texts[sid]
        try:
            ok = text[int(cs):int(ce)] == q and data[int(bs):int(be)] == str(q).encode("utf-8")
        except (TypeError, ValueError):
            ok = False
        if not ok:
            bad_rows.append(i)
    import pandas as pd

    mask = pd.Series(False, index=ev.index)
    mask[bad_rows] = True
    _report(problems, "evidence", ev, eres, mask, "quote", "quote is not found in its seed at its offsets")
    return problems


def check_frames(frames: dict, seeds_dir: Path | None = None) -> list[Problem]:
    problems: list[Problem] = []
    for name in RESOURCE_ORDER:
        if name not in frames:
            problems.append(Problem(name, None, None, "table missing"))
            continue
        cols = check_columns(name, frames[name])
        problems += cols
        problems += check_fields(name, frames[name])
        if not cols:
            problems += check_dates(name, frames[name])
    if not any(p.message == "table missing" for p in problems):
        problems += check_keys(frames)
        if seeds_dir is not None and Path(seeds_dir).is_dir():
            problems += check_quotes(frames, seeds_dir)
    return sorted(set(problems), key=lambda p: (RESOURCE_ORDER.index(p.table) if p.table in RESOURCE_ORDER else 99,
                                               p.row or "", p.field or "", p.message))


# ---------------------------------------------------------------------------
# Reading a package from disk
# ---------------------------------------------------------------------------

def _safe_path(base: Path, rel: str) -> Path | None:
    p = PurePosixPath(rel)
    if p.is_absolute() or ".." in p.parts or "\\" in rel or ":" in rel:
        return None
    return base / Path(*p.parts)


def read_package(descriptor_path: Path, check_hashes: bool = True):
    """Read every table of a package in both formats; return (frames, problems)."""
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    from rusprk._types import arrow_schema, arrow_to_pandas

    descriptor_path = Path(descriptor_path)
    base = descriptor_path.parent
    problems: list[Problem] = []
    try:
        desc = json.loads(descriptor_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return {}, [Problem("datapackage", descriptor_path.name, None, f"cannot read descriptor: {exc}")]
    frames: dict = {}
    csv_frames: dict = {}
    for r in desc.get("resources", []):
        rname = str(r.get("name"))
        table = rname.removesuffix("-parquet")
        if table not in RESOURCES:
            problems.append(Problem("datapackage", rname, "name", "resource is not a RUSPRK table"))
            continue
        path = _safe_path(base, str(r.get("path", "")))
        if path is None:
            problems.append(Problem(table, str(r.get("path")), "path", "resource path escapes the package"))
            continue
        if not path.exists():
            problems.append(Problem(table, str(r.get("path")), "path", "file missing"))
            continue
        data = path.read_bytes()
        if check_hashes:
            want = str(r.get("hash", ""))
            got = "sha256:" + hashlib.sha256(data).hexdigest()
            if want != got:
                problems.append(Problem(table, path.name, "hash", f"sha256 mismatch: descriptor {want}, file {got}"))
                continue
            if r.get("bytes") != len(data):
                problems.append(Problem(table, path.name, "bytes", f"size mismatch: descriptor {r.get('bytes')}, file {len(data)}"))
        res = RESOURCES[table]
        try:
            if r.get("format") == "parquet":
                t = pq.read_table(path)
                if t.schema.names != res.field_names:
                    frames[table] = t.to_pandas()
                    continue
                frames[table] = arrow_to_pandas(t.cast(arrow_schema(res)), res)
            else:
                t = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(
                    column_types={n: "string" for n in res.field_names}, strings_can_be_null=True))
                csv_frames[table] = _csv_to_pandas(t, res, problems)
        except Exception as exc:  # noqa: BLE001 - any reader error is a problem to report
            problems.append(Problem(table, path.name, None, f"cannot read file: {exc}"))
    for table, cdf in csv_frames.items():
        if table in frames and cdf is not None:
            problems += _compare(table, frames[table], cdf)
        elif cdf is not None:
            frames[table] = cdf
    return frames, problems


def _csv_to_pandas(t, res, problems):
    import pandas as pd

    from rusprk._types import pandas_dtypes

    if t.schema.names != res.field_names:
        return t.to_pandas()
    dtypes = pandas_dtypes(res)
    cols = {}
    for f in res.fields:
        raw = pd.Series(t.column(f.name).to_pandas(), name=f.name).astype("string")
        if f.type == "integer":
            conv = pd.to_numeric(raw, errors="coerce")
            bad = raw.notna() & (conv.isna() | (conv != conv.round()))
            conv = conv.astype("Float64").round().astype("Int64") if not bad.any() else conv.where(~bad).astype("Float64").astype("Int64")
        elif f.type == "boolean":
            mapping = {"true": True, "false": False}
            conv = raw.map(mapping, na_action="ignore")
            bad = raw.notna() & conv.isna()
            conv = conv.astype("boolean")
        elif f.type == "date":
            conv = pd.to_datetime(raw, format="%Y-%m-%d", errors="coerce")
            bad = raw.notna() & conv.isna()
            conv = conv.astype("datetime64[s]")
        else:
            conv = raw.astype(dtypes[f.name]) if not f.enum else raw
            bad = pd.Series(False, index=raw.index)
            if f.enum:
                conv = raw.astype("object").astype(dtypes[f.name]) if raw.dropna().isin(list(VOCABULARIES[f.enum])).all() else raw
        if bad.any():
            tmp = pd.DataFrame({res.primary_key[0]: t.column(res.primary_key[0]).to_pandas()})
            _report(problems, res.name, tmp, res, bad.fillna(False), f.name, f"value is not a valid {f.type}")
        cols[f.name] = conv
    return pd.DataFrame(cols, columns=res.field_names)


def _compare(table, pq_df, csv_df) -> list[Problem]:
    """The CSV and Parquet copies of a table must hold the same values."""
    res = RESOURCES[table]
    if list(pq_df.columns) != list(csv_df.columns) or len(pq_df) != len(csv_df):
        return [Problem(table, None, None, "CSV and Parquet copies differ in shape")]
    problems = []
    for f in res.fields:
        a = pq_df[f.name].astype("object").where(pq_df[f.name].notna(), None)
        b = csv_df[f.name].astype("object").where(csv_df[f.name].notna(), None)
        diff = [x != y for x, y in zip(a.tolist(), b.tolist())]
        import pandas as pd

        mask = pd.Series(diff, index=pq_df.index, dtype=bool)
        _report(problems, table, pq_df, res, mask, f.name, "CSV and Parquet copies disagree")
    return problems


def validate_package(descriptor_path: Path, seeds_dir: Path | None = None) -> list[Problem]:
    frames, problems = read_package(descriptor_path)
    if not frames:
        return problems or [Problem("datapackage", None, None, "no tables found")]
    return sorted(set(problems)) + check_frames(frames, seeds_dir)
