"""What changed between two releases: records by table and id, fields, schemas.

    >>> from rusprk.diff import diff_packages, format_markdown
    >>> print(format_markdown(diff_packages("v0.1.0", "dist")))   # also: rusprk diff v0.1.0 dist

OLD and NEW may each be a ``datapackage.json``, a folder holding one, a zip
holding one (a release archive), or, when no such path exists, a git
revision (tag, branch, commit) whose ``dist/`` is read from the repository
in the current folder.

Each package is read through its *own* descriptor and schemas, not through
``rusprk.metadata``, so releases with different schemas can be compared.
Values are compared in their CSV text form (dates ISO, booleans true/false,
null as None), which is exactly what the package publishes.  Hashes are not
checked: this is a comparison, not a validator (use ``rusprk validate``).
Only the standard library is needed, except pyarrow for a package that
ships Parquet without CSV (the installed wheel).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import subprocess
import tempfile
import zipfile
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

__all__ = ["diff_packages", "format_markdown", "PackageNotFound"]

#: Where a release keeps its package inside a git tree.
GIT_PACKAGE_DIR = "dist"


class PackageNotFound(ValueError):
    """OLD or NEW is neither a package path nor a git revision."""


# ---------------------------------------------------------------------------
# Locating a package
# ---------------------------------------------------------------------------

def _descriptor_in(folder: Path, where: str) -> Path:
    """The shallowest datapackage.json under ``folder`` (a release zip may wrap it in a folder)."""
    found = sorted(folder.rglob("datapackage.json"), key=lambda p: (len(p.parts), p.as_posix()))
    if not found:
        raise PackageNotFound(f"{where}: no datapackage.json inside")
    if len(found) > 1 and len(found[0].parts) == len(found[1].parts):
        raise PackageNotFound(f"{where}: several datapackage.json at the same depth "
                              f"({found[0].relative_to(folder)}, {found[1].relative_to(folder)})")
    return found[0]


def _git(repo: Path, *args: str) -> bytes:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=True).stdout


def _from_git(rev: str, repo: Path, tmp: Path) -> Path:
    try:
        _git(repo, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    except (OSError, subprocess.CalledProcessError):
        raise PackageNotFound(f"{rev}: no such file, folder or git revision (in {repo})") from None
    names = _git(repo, "ls-tree", "-r", "-z", "--name-only", rev, "--", GIT_PACKAGE_DIR).decode().split("\0")
    names = [n for n in names if n]
    if f"{GIT_PACKAGE_DIR}/datapackage.json" not in names:
        raise PackageNotFound(f"{rev}: git revision has no {GIT_PACKAGE_DIR}/datapackage.json")
    for name in names:
        out = tmp / name
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(_git(repo, "show", f"{rev}:{name}"))
    return tmp / GIT_PACKAGE_DIR / "datapackage.json"


@contextmanager
def _resolved(spec, repo: Path | None):
    """Yield (descriptor path, label) for a path, folder, zip or git revision."""
    path = Path(spec)
    if path.is_file() and zipfile.is_zipfile(path):
        from rusprk.limits import safe_extract

        with tempfile.TemporaryDirectory(prefix="rusprk-diff-") as d:
            safe_extract(path, Path(d))  # member by member, within limits; no links, nothing outside d
            yield _descriptor_in(Path(d), str(path)), str(spec)
    elif path.is_file():
        yield path, str(spec)
    elif path.is_dir():
        if not (path / "datapackage.json").is_file():
            raise PackageNotFound(f"{path}: folder has no datapackage.json")
        yield path / "datapackage.json", str(spec)
    else:
        with tempfile.TemporaryDirectory(prefix="rusprk-diff-") as d:
            yield _from_git(str(spec), Path(repo or Path.cwd()), Path(d)), str(spec)


# ---------------------------------------------------------------------------
# Reading a package through its own descriptor
# ---------------------------------------------------------------------------

def _inside(base: Path, rel: str, where: str) -> Path:
    """``base/rel`` when it stays inside the package (the validator's rule: no '..', URL or link out)."""
    from rusprk.validate.read import inside

    path, why = inside(base, str(rel))
    if path is None:
        raise ValueError(f"{where}: {why}")
    return path


def _text(v) -> str | None:
    """A Parquet value in the package's CSV text form."""
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    return str(v)


def _read_rows(base: Path, table: dict, parquet: dict | None, where: str) -> list[dict]:
    csv_path = _inside(base, table["path"], where)
    if csv_path.is_file():
        with csv_path.open(encoding="utf-8", newline="") as fh:
            return [{k: (v if v != "" else None) for k, v in row.items()} for row in csv.DictReader(fh)]
    pq_path = _inside(base, parquet["path"], where) if parquet else None
    if pq_path is not None and pq_path.is_file():
        import pyarrow.parquet as pq

        return [{k: _text(v) for k, v in row.items()} for row in pq.read_table(pq_path).to_pylist()]
    raise FileNotFoundError(f"{where}: table {table['name']}: neither {csv_path.name} nor its Parquet copy exists")


def _read_package(descriptor_path: Path, label: str) -> dict:
    from rusprk.limits import PackageInputError, read_descriptor

    base = descriptor_path.parent
    try:
        desc = read_descriptor(descriptor_path)
    except PackageInputError as exc:
        raise PackageNotFound(f"{label}: {exc}") from None
    by_name = {r.get("name"): r for r in desc.get("resources", [])}
    tables = {}
    for r in desc.get("resources", []):
        if r.get("type") != "table":
            continue  # the Parquet copies are "file" resources of the same rows
        schema = r.get("schema", {})
        if isinstance(schema, str):
            schema = json.loads(_inside(base, schema, label).read_text(encoding="utf-8"))
        where = f"{label}: table {r['name']}"
        tables[r["name"]] = {"schema": schema,
                             "rows": _read_rows(base, r, by_name.get(f"{r['name']}-parquet"), where)}
    return {"version": desc.get("version"), "tables": tables}


# ---------------------------------------------------------------------------
# Comparing
# ---------------------------------------------------------------------------

def _vocabulary(field: dict) -> dict[str, str | None]:
    """Allowed value -> definition (categories carry the definitions)."""
    labels = {c["value"]: c.get("label") for c in field.get("categories", []) if isinstance(c, dict)}
    return {v: labels.get(v) for v in field.get("constraints", {}).get("enum", [])}


def _other_constraints(field: dict) -> dict:
    return {k: v for k, v in field.get("constraints", {}).items() if k != "enum"}


def _schema_changes(table: str, old: dict, new: dict) -> list[dict]:
    """Column, type, vocabulary, constraint and key changes, in the new schema's column order."""
    out: list[dict] = []
    of = {f["name"]: f for f in old.get("fields", [])}
    nf = {f["name"]: f for f in new.get("fields", [])}

    def add(field, change, before=None, after=None):
        out.append({"table": table, "field": field, "change": change, "old": before, "new": after})

    for name in of:
        if name not in nf:
            add(name, "column removed", of[name].get("type"), None)
    for name in nf:
        if name not in of:
            add(name, "column added", None, nf[name].get("type"))
            continue
        a, b = of[name], nf[name]
        if a.get("type") != b.get("type"):
            add(name, "column retyped", a.get("type"), b.get("type"))
        va, vb = _vocabulary(a), _vocabulary(b)
        for v in va:
            if v not in vb:
                add(name, "vocabulary value removed", v, None)
        for v in vb:
            if v not in va:
                add(name, "vocabulary value added", None, v)
            elif va[v] != vb[v]:
                add(name, f"vocabulary value {v!r} redefined", va[v], vb[v])
        if _other_constraints(a) != _other_constraints(b):
            add(name, "constraints changed", _other_constraints(a), _other_constraints(b))
        if a.get("description") != b.get("description"):
            add(name, "description changed", a.get("description"), b.get("description"))
    if [f for f in of if f in nf] != [f for f in nf if f in of]:
        add(None, "columns reordered", list(of), list(nf))
    if old.get("primaryKey") != new.get("primaryKey"):
        add(None, "primary key changed", old.get("primaryKey"), new.get("primaryKey"))
    if old.get("foreignKeys", []) != new.get("foreignKeys", []):
        add(None, "foreign keys changed", old.get("foreignKeys", []), new.get("foreignKeys", []))
    return out


def _keyed(rows: list[dict], pk: list[str], where: str) -> dict[str, dict]:
    out = {}
    for row in rows:
        missing = [k for k in pk if k not in row]
        if missing:
            raise ValueError(f"{where}: primary-key column {missing[0]} missing")
        rid = ",".join(str(row[k]) for k in pk)
        if rid in out:
            raise ValueError(f"{where} [row {rid}]: primary key is not unique")
        out[rid] = row
    return out


def _table_changes(name: str, old: dict, new: dict) -> dict:
    # Records are matched by the new release's primary key; a changed key
    # makes every record removed and added, which is the truth for citers.
    pk = new["schema"].get("primaryKey", [])
    pk = [pk] if isinstance(pk, str) else list(pk)
    old_fields = {f["name"] for f in old["schema"].get("fields", [])}
    b = _keyed(new["rows"], pk, f"new table {name}")
    if set(pk) <= old_fields:
        a = _keyed(old["rows"], pk, f"old table {name}")
    else:
        a = {f"(old row {i + 1})": r for i, r in enumerate(old["rows"])}
    shared_fields = [f["name"] for f in new["schema"].get("fields", []) if f["name"] in old_fields]
    changed = {}
    for rid in sorted(a.keys() & b.keys()):
        fields = {f: (a[rid].get(f), b[rid].get(f)) for f in shared_fields if a[rid].get(f) != b[rid].get(f)}
        if fields:
            changed[rid] = fields
    return {"added": sorted(b.keys() - a.keys()), "removed": sorted(a.keys() - b.keys()), "changed": changed,
            "rows": (len(old["rows"]), len(new["rows"]))}


def diff_packages(old, new, repo: Path | None = None) -> dict:
    """Compare two packages.  Returns a JSON-ready dict::

        {"old": {"label", "version"}, "new": {...},
         "tables_added": [...], "tables_removed": [...],
         "schema": [{"table", "field", "change", "old", "new"}, ...],
         "tables": {table: {"added": [ids], "removed": [ids],
                            "changed": {id: {field: (old, new)}}, "rows": (n_old, n_new)}}}

    Only tables with a change appear under "tables".  ``repo`` is the git
    repository for revisions (default: the current folder).
    """
    with _resolved(old, repo) as (od, ol), _resolved(new, repo) as (nd, nl):
        a, b = _read_package(od, ol), _read_package(nd, nl)
    result: dict = {
        "old": {"label": ol, "version": a["version"]},
        "new": {"label": nl, "version": b["version"]},
        "tables_added": sorted(b["tables"].keys() - a["tables"].keys()),
        "tables_removed": sorted(a["tables"].keys() - b["tables"].keys()),
        "schema": [],
        "tables": {},
    }
    order = [t for t in b["tables"] if t in a["tables"]]  # the new release's table order
    for name in order:
        result["schema"] += _schema_changes(name, a["tables"][name]["schema"], b["tables"][name]["schema"])
        t = _table_changes(name, a["tables"][name], b["tables"][name])
        if t["added"] or t["removed"] or t["changed"]:
            result["tables"][name] = t
    return result


# ---------------------------------------------------------------------------
# Markdown for CHANGELOG.md
# ---------------------------------------------------------------------------

def _code(s) -> str:
    """A Markdown code span that survives backticks in the value."""
    s = str(s)
    run = longest = 0
    for ch in s:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    fence = "`" * (longest + 1)
    pad = " " if s.startswith("`") or s.endswith("`") else ""
    return f"{fence}{pad}{s}{pad}{fence}"


def _val(v) -> str:
    # JSON spelling: strings quoted, null for a missing value; unambiguous.
    return _code(json.dumps(v, ensure_ascii=False))


def format_markdown(result: dict) -> str:
    """The diff as a CHANGELOG.md section (Markdown, deterministic)."""
    o, n = result["old"], result["new"]
    lines = [f"### Changes from {o['version'] or o['label']} to {n['version'] or n['label']}", ""]
    if not (result["tables_added"] or result["tables_removed"] or result["schema"] or result["tables"]):
        return "\n".join(lines + ["No changes to schemas or records.", ""])
    if result["tables_added"] or result["tables_removed"] or result["schema"]:
        lines += ["#### Schema", ""]
        lines += [f"- table {_code(t)} added" for t in result["tables_added"]]
        lines += [f"- table {_code(t)} removed" for t in result["tables_removed"]]
        for c in result["schema"]:
            where = _code(c["table"] + ("." + c["field"] if c["field"] else ""))
            if c["change"] in ("column added", "column removed"):
                lines.append(f"- {where}: {c['change']} ({c['new'] or c['old']})")
            elif c["change"] == "vocabulary value added":
                lines.append(f"- {where}: vocabulary value {_code(c['new'])} added")
            elif c["change"] == "vocabulary value removed":
                lines.append(f"- {where}: vocabulary value {_code(c['old'])} removed")
            else:
                lines.append(f"- {where}: {c['change']}: {_val(c['old'])} → {_val(c['new'])}")
        lines.append("")
    if result["tables"]:
        lines += ["#### Records", "", "| table | rows | added | removed | changed |", "|---|---:|---:|---:|---:|"]
        for name, t in result["tables"].items():
            rows = f"{t['rows'][0]} → {t['rows'][1]}" if t["rows"][0] != t["rows"][1] else str(t["rows"][1])
            lines.append(f"| {name} | {rows} | {len(t['added'])} | {len(t['removed'])} | {len(t['changed'])} |")
        lines.append("")
        for name, t in result["tables"].items():
            lines += [f"##### {name}", ""]
            lines += [f"- added {_code(rid)}" for rid in t["added"]]
            lines += [f"- removed {_code(rid)}" for rid in t["removed"]]
            for rid, fields in t["changed"].items():
                lines.append(f"- changed {_code(rid)}:")
                lines += [f"  - {_code(f)}: {_val(a)} → {_val(b)}" for f, (a, b) in fields.items()]
            lines.append("")
    return "\n".join(lines)
