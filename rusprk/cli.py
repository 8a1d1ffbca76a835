"""Command line: ``rusprk build | validate | info | cite | export | diff`` (also ``python -m rusprk``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _find_root(start: Path) -> Path | None:
    for d in (start, *start.parents):
        if (d / "builders" / "build.py").is_file() and (d / "seeds").is_dir():
            return d
    return None


def cmd_build(args) -> int:
    root = _find_root(Path(args.root).resolve())
    if root is None:
        print("rusprk build runs in a source checkout (a folder with builders/ and seeds/)", file=sys.stderr)
        return 2
    sys.path.insert(0, str(root))
    from builders.build import main

    return main([str(root)] + (["--force"] if args.force else []))


def cmd_validate(args) -> int:
    from rusprk._load import data_dir
    from rusprk.validate import Mode, validate_package

    path = Path(args.path) if args.path else data_dir() / "datapackage.json"
    if path.is_dir():
        path = path / "datapackage.json"
    seeds = Path(args.seeds) if args.seeds else None
    if seeds is None:
        root = _find_root(path.resolve().parent)
        seeds = root / "seeds" if root else None
    import dataclasses

    mode = Mode.reference() if args.reference else Mode.fast()
    if args.workers is not None:
        mode = dataclasses.replace(mode, workers=args.workers)
    if args.form_only:
        mode = dataclasses.replace(mode, meaning=False)
    problems = validate_package(path, seeds, mode)
    for p in problems:
        print(p)
    checked = ("schemas, keys, hashes" + (", quotes at offsets" if seeds and seeds.is_dir() else "")
               + ("" if args.form_only else ", meaning rules"))
    if problems:
        print(f"{path}: INVALID, {len(problems)} problem(s) ({checked})", file=sys.stderr)
        return 1
    print(f"{path}: valid ({checked})")
    return 0


def cmd_info(args) -> int:
    import rusprk
    from rusprk._load import _descriptor, data_dir

    desc = _descriptor()
    print(f"rusprk {rusprk.__version__} (data {desc['version']}, created {desc['created']})")
    print(f"data: {data_dir()}")
    counts = {}
    import pyarrow.parquet as pq

    for r in desc["resources"]:
        if r["format"] == "parquet":
            counts[r["name"].removesuffix("-parquet")] = pq.ParquetFile(data_dir() / Path(r["path"]).name).metadata.num_rows
    for name, description in rusprk.tables().items():
        print(f"  {name:<13} {counts.get(name, 0):>6} rows  {description}")
    return 0


def cmd_cite(args) -> int:
    import rusprk

    print(rusprk.cite(args.style))
    return 0


def cmd_export_sqlite(args) -> int:
    from rusprk.export_sqlite import export_sqlite, write_datasette_metadata

    db = export_sqlite(args.path)
    print(f"wrote {db}")
    if not args.no_metadata:
        meta = write_datasette_metadata(db, args.metadata)
        print(f"wrote {meta}\nbrowse: datasette {db} -m {meta}")
    return 0


def cmd_diff(args) -> int:
    import json

    from rusprk.diff import PackageNotFound, diff_packages, format_markdown

    try:
        result = diff_packages(args.old, args.new)
    except (PackageNotFound, FileNotFoundError, ValueError) as exc:
        print(f"rusprk diff: {exc}", file=sys.stderr)
        return 2
    print((json.dumps(result, ensure_ascii=False, indent=2) if args.json else format_markdown(result)).rstrip("\n"))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="rusprk", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build dist/ from seeds and hand-maps (in a source checkout)")
    b.add_argument("--root", default=".", help="the source checkout (default: current folder)")
    b.add_argument("--force", action="store_true", help="rebuild even if inputs and outputs are unchanged")
    b.set_defaults(func=cmd_build)
    v = sub.add_parser("validate", help="check a data package: schemas, keys, hashes, quotes")
    v.add_argument("path", nargs="?", help="datapackage.json or its folder (default: the installed data)")
    v.add_argument("--seeds", help="folder of seed articles, to check quotes at their offsets")
    v.add_argument("--workers", type=int, metavar="N",
                   help="threads for the checks (default: the cores available, at most 4)")
    v.add_argument("--reference", action="store_true",
                   help="the slow reference path: one thread, whole tables, every CSV parsed (same verdicts)")
    v.add_argument("--form-only", action="store_true",
                   help="skip the meaning rules (for synthetic packages that are valid in form only)")
    v.set_defaults(func=cmd_validate)
    i = sub.add_parser("info", help="version, tables and row counts")
    i.set_defaults(func=cmd_info)
    c = sub.add_parser("cite", help="how to cite this version")
    c.add_argument("--style", default="text", choices=["text", "apa", "bibtex"])
    c.set_defaults(func=cmd_cite)
    x = sub.add_parser("export", help="export the tables to another format")
    xsub = x.add_subparsers(dest="format", required=True)
    xs = xsub.add_parser("sqlite", help="one SQLite database (keys, indexes, descriptions) and Datasette metadata")
    xs.add_argument("path", help="the database file to write, e.g. rusprk.db (replaced if it exists)")
    xs.add_argument("--metadata", help="where to write Datasette's metadata.json (default: beside the database)")
    xs.add_argument("--no-metadata", action="store_true", help="do not write metadata.json")
    xs.set_defaults(func=cmd_export_sqlite)
    d = sub.add_parser("diff", help="what changed between two releases (Markdown for CHANGELOG.md)")
    d.add_argument("old", help="datapackage.json, its folder, a release zip, or a git tag/revision (its dist/)")
    d.add_argument("new", help="the same kinds as OLD")
    d.add_argument("--json", action="store_true", help="print the full result as JSON instead of Markdown")
    d.set_defaults(func=cmd_diff)
    args = parser.parse_args(argv)
    return args.func(args)
