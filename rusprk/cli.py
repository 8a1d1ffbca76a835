"""Command line: rusprk build | add-source | check | ids | validate | info | tables | cite | export | diff
(also python -m rusprk)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _find_root(start: Path) -> Path | None:
    for d in (start, *start.parents):
        if (d / "builders" / "build.py").is_file() and (d / "seeds").is_dir():
            return d
    return None


def _checkout(args, command: str) -> Path | None:
    """The source checkout a curator's command runs in (importable from here on), or None with a message."""
    root = _find_root(Path(args.root).resolve())
    if root is None:
        print(f"rusprk {command} runs in a source checkout (a folder with builders/ and seeds/)", file=sys.stderr)
        return None
    sys.path.insert(0, str(root))
    return root


def cmd_build(args) -> int:
    root = _checkout(args, "build")
    if root is None:
        return 2
    from builders.build import main

    return main([str(root)] + (["--force"] if args.force else []))


def cmd_check(args) -> int:
    root = _checkout(args, "check")
    if root is None:
        return 2
    from builders.check import check

    return check(root, [Path(h) for h in args.handmaps] or None)


def cmd_ids(args) -> int:
    root = _checkout(args, "ids")
    if root is None:
        return 2
    from builders.check import ids

    return ids(root, args.prefix or "")


def cmd_add_source(args) -> int:
    root = _checkout(args, "add-source")
    if root is None:
        return 2
    from builders.add_source import add_source
    from builders.errors import BuildError

    try:
        add_source(root, Path(args.file), url=args.url, retrieved=args.retrieved, publisher=args.publisher)
    except BuildError as exc:
        print(f"rusprk add-source: {exc}", file=sys.stderr)
        return 1
    return 0


def cmd_validate(args) -> int:
    from rusprk._load import data_dir
    from rusprk.validate import Mode, validate_package

    path = Path(args.path) if args.path else data_dir() / "datapackage.json"
    if not path.exists():
        print(f"rusprk validate: {path}: not found (give a datapackage.json or the folder that holds one)",
              file=sys.stderr)
        return 2
    if path.is_dir():
        path = path / "datapackage.json"
        if not path.is_file():
            print(f"rusprk validate: {path}: not found (the folder holds no datapackage.json)", file=sys.stderr)
            return 2
    elif path.suffix in (".csv", ".parquet"):
        print(f"rusprk validate: {path} is one table; tables are checked together, with their keys, "
              f"references and quotes: give the datapackage.json beside it (or its folder)", file=sys.stderr)
        return 2
    seeds = Path(args.seeds) if args.seeds else None
    if seeds is None:
        beside = path.resolve().parent / "seeds"  # a release, an unzipped zip, the installed data
        root = _find_root(path.resolve().parent)
        seeds = beside if beside.is_dir() else (root / "seeds" if root else None)
    import dataclasses

    mode = Mode.reference() if args.reference else Mode.fast()
    if args.workers is not None:
        mode = dataclasses.replace(mode, workers=args.workers)
    if args.form_only:
        mode = dataclasses.replace(mode, meaning=False)
    from rusprk.limits import MAX_PRINTED

    problems = validate_package(path, seeds, mode)
    root = _find_root(path.resolve().parent)
    if root is not None and (root / ".cache" / "publish-journal.json").exists():
        from rusprk.validate import Problem

        problems = [Problem("datapackage", str(root), None, "a build was interrupted while publishing: dist/ and "
                            "the files outside it may be of two generations; run `rusprk build` to settle them"),
                    *problems]
    for p in problems[:MAX_PRINTED]:
        print(p)
    if len(problems) > MAX_PRINTED:
        print(f"… and {len(problems) - MAX_PRINTED:,} more problem(s)")
    checked = ("schemas, keys, hashes" + (", quotes at offsets" if seeds and seeds.is_dir() else "")
               + ("" if args.form_only else ", meaning rules"))
    if problems:
        print(f"{path}: INVALID, {len(problems)} problem(s) (checked: {checked})", file=sys.stderr)
        return 1
    print(f"{path}: valid ({checked})")
    return 0


def cmd_info(args) -> int:
    import rusprk
    from rusprk._load import _descriptor, data_dir

    desc = _descriptor()
    print(f"rusprk {rusprk.__version__} (data {desc['version']}, created {desc['created']})")
    print(f"data: {data_dir()}")
    print(f"seeds: {rusprk.path('seeds')}")
    for name, description in rusprk.tables().items():
        print(f"  {name:<13} {_row_count(name):>6} rows  {description}")
    return 0


def cmd_tables(args) -> int:
    import rusprk

    for name, description in rusprk.tables().items():
        print(f"{name:<13} {_row_count(name):>6} rows  {description}")
    return 0


def _row_count(name: str) -> int:
    import pyarrow.parquet as pq

    import rusprk

    return pq.ParquetFile(rusprk.path(name)).metadata.num_rows


def cmd_cite(args) -> int:
    import rusprk

    print(rusprk.cite(args.style))
    return 0


def cmd_export_sqlite(args) -> int:
    from rusprk.export_sqlite import ExportRefused, check_target, _is_own_metadata, export_sqlite, \
        write_datasette_metadata

    db = Path(args.path)
    try:
        if not args.no_metadata:  # refuse before writing anything, not after the database
            meta_target = Path(args.metadata) if args.metadata else db.with_name("metadata.json")
            check_target(meta_target, _is_own_metadata, "Datasette metadata file", args.force)
        export_sqlite(db, force=args.force)
        print(f"wrote {db}")
        if not args.no_metadata:
            meta = write_datasette_metadata(db, args.metadata, force=args.force)
            print(f"wrote {meta}\nbrowse: datasette {db} -m {meta}")
    except ExportRefused as exc:
        print(f"rusprk export sqlite: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"rusprk export sqlite: {exc.filename or db}: {exc.strerror}", file=sys.stderr)
        return 2
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


EXAMPLES = """examples:
  rusprk info                               version, where the data is, tables and row counts
  rusprk tables                             the tables: name, row count, what one row is
  rusprk validate                           check the installed data
  rusprk validate rusprk-0.2.0/             check an unzipped release (quotes too: it has seeds/)
  rusprk cite --style bibtex                the citation of this version
  rusprk export sqlite rusprk.db            a SQLite database for Datasette and SQL tools
  rusprk diff rusprk-0.1.0.zip dist/        what changed between two releases
  rusprk build                              rebuild dist/ in a source checkout
  rusprk add-source article.txt             a new article into seeds/, with a draft hand-map (curators)
  rusprk check                              what the build would refuse, writing nothing (curators)
  rusprk ids per-                           the ids the hand-maps define, to refer to (curators)
"""


def main(argv: list[str] | None = None) -> int:
    import rusprk

    parser = argparse.ArgumentParser(
        prog="rusprk", formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EXAMPLES,
        description="RUSPRK: Russia-North Korea high-level exchanges, every record traced to verbatim quotes.")
    parser.add_argument("--version", action="version", version=f"rusprk {rusprk.__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name, help, example, func):
        p = sub.add_parser(name, help=help, description=help[0].upper() + help[1:] + ".",
                           epilog=f"example:\n  {example}", formatter_class=argparse.RawDescriptionHelpFormatter)
        p.set_defaults(func=func)
        return p

    b = command("build", "build dist/ from seeds and hand-maps (in a source checkout)", "rusprk build", cmd_build)
    b.add_argument("--root", default=".", help="the source checkout (default: current folder)")
    b.add_argument("--force", action="store_true", help="rebuild even if inputs and outputs are unchanged")
    k = command("check", "everything the build checks, for a curator after each edit; writes nothing",
                "rusprk check builders/handmaps/001_e6929dbc36b7e812.yaml", cmd_check)
    k.add_argument("handmaps", nargs="*", help="the hand-maps to list every misquote of (default: all)")
    k.add_argument("--root", default=".", help="the source checkout (default: current folder)")
    a = command("add-source", "copy a new article into seeds/ and write its draft hand-map (curators)",
                "rusprk add-source article.txt --url https://example.org/a --retrieved 2026-12-01", cmd_add_source)
    a.add_argument("file", help="the article as UTF-8 text (LF line endings)")
    a.add_argument("--url", help="where it was retrieved from (recorded as known from retrieval)")
    a.add_argument("--retrieved", metavar="YYYY-MM-DD", help="the date it was retrieved")
    a.add_argument("--publisher", help="the outlet it was retrieved from, when the page does not say")
    a.add_argument("--root", default=".", help="the source checkout (default: current folder)")
    n = command("ids", "the ids the hand-maps define, with names, titles and dates", "rusprk ids per-", cmd_ids)
    n.add_argument("prefix", nargs="?", help="only ids that begin so (per-, evt-2018-, ...)")
    n.add_argument("--root", default=".", help="the source checkout (default: current folder)")
    v = command("validate", "check a data package: schemas, keys, hashes, quotes at offsets, meaning rules",
                "rusprk validate rusprk-0.2.0/datapackage.json", cmd_validate)
    v.add_argument("path", nargs="?", help="datapackage.json or its folder (default: the installed data)")
    v.add_argument("--seeds", help="folder of seed articles (default: seeds/ beside the descriptor)")
    v.add_argument("--workers", type=int, metavar="N",
                   help="threads for the checks (default: the cores available, at most 4)")
    v.add_argument("--reference", action="store_true",
                   help="the slow reference path: one thread, whole tables, every CSV parsed (same verdicts)")
    v.add_argument("--form-only", action="store_true",
                   help="skip the meaning rules (for synthetic packages that are valid in form only)")
    command("info", "version, where the data is, tables and row counts", "rusprk info", cmd_info)
    command("tables", "the tables: name, row count, what one row is", "rusprk tables", cmd_tables)
    c = command("cite", "how to cite this version", "rusprk cite --style bibtex", cmd_cite)
    c.add_argument("--style", default="text", choices=["text", "apa", "bibtex"])
    x = command("export", "export the tables to another format", "rusprk export sqlite rusprk.db",
                lambda args: 2)
    xsub = x.add_subparsers(dest="format", required=True, metavar="FORMAT")
    xs = xsub.add_parser("sqlite", help="one SQLite database (keys, indexes, descriptions) and Datasette metadata",
                         epilog="example:\n  rusprk export sqlite rusprk.db && datasette rusprk.db -m metadata.json",
                         formatter_class=argparse.RawDescriptionHelpFormatter)
    xs.add_argument("path", help="the database file to write, e.g. rusprk.db (replaced only if an earlier export wrote it)")
    xs.add_argument("--force", action="store_true",
                    help="replace an existing regular file at PATH (or at --metadata) even if RUSPRK did not write it")
    xs.add_argument("--metadata", help="where to write Datasette's metadata.json (default: beside the database)")
    xs.add_argument("--no-metadata", action="store_true", help="do not write metadata.json")
    xs.set_defaults(func=cmd_export_sqlite)
    d = command("diff", "what changed between two releases (Markdown for CHANGELOG.md)",
                "rusprk diff releases/rusprk-0.1.0.zip dist/", cmd_diff)
    d.add_argument("old", help="datapackage.json, its folder, a release zip, or a git tag/revision (its dist/)")
    d.add_argument("new", help="the same kinds as OLD")
    d.add_argument("--json", action="store_true", help="print the full result as JSON instead of Markdown")
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except BrokenPipeError:  # `rusprk tables | head`: the reader left; say nothing more
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - whatever the input, a message, never a traceback
        import os

        if os.environ.get("RUSPRK_DEBUG"):
            raise
        print(f"rusprk {args.command}: {describe(exc)}", file=sys.stderr)
        return 2


def describe(exc: BaseException) -> str:
    """One line for what went wrong: the file and the reason where the error knows them."""
    import zipfile

    if isinstance(exc, OSError):
        where = exc.filename or ""
        return f"{where}: {exc.strerror or exc}" if where else str(exc.strerror or exc)
    if isinstance(exc, RecursionError):
        return "input nested too deeply to read"
    if isinstance(exc, MemoryError):
        return "out of memory: the input is too large"
    if isinstance(exc, UnicodeDecodeError):
        return f"not UTF-8 (byte {exc.start}): {exc.reason}"
    if isinstance(exc, zipfile.BadZipFile):
        return f"not a readable zip: {exc}"
    if isinstance(exc, (ValueError, KeyError, LookupError)):
        return str(exc).strip("'\"")
    return f"{type(exc).__name__}: {exc} (set RUSPRK_DEBUG=1 for the traceback, and please report it)"
