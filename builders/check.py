"""``rusprk check [HANDMAP...]``: everything the build checks, without writing anything; ``rusprk ids``.

A curator runs ``check`` after every edit.  It runs the build's own stages
on the whole tree in memory -- every hand-map parsed and validated, every
quote located, references across all hand-maps, coverage of every body
paragraph, the form and the meaning rules -- through the same functions the
build calls, and writes nothing.  For the hand-maps named (all by default) it
first lists every quote that is not found, with the closest passage, not
only the first; then the first problem of the whole (the build stops at the
first: fix it and run again).
"""

from __future__ import annotations

from pathlib import Path

from builders.errors import BuildError


def check(root: Path, handmaps: list[Path] | None = None, log=print) -> int:
    from builders import check_handmap
    from builders.build import checked_tables

    root = Path(root).resolve()
    paths = handmaps or sorted((root / "builders" / "handmaps").glob("*.yaml"))
    problems = [p for path in paths for p in check_handmap.check(Path(path), root)]
    if not problems:
        try:
            checked_tables(root)  # the build's stages 1-4, the same functions, nothing written
        except BuildError as exc:
            problems.append(str(exc))
    for p in problems:
        log(p)
    log(f"{len(problems)} problem(s)" if problems else
        f"ok: {len(paths)} hand-map(s) pass every check the build makes (nothing written)")
    return 1 if problems else 0


def ids(root: Path, prefix: str = "", log=print) -> int:
    """Every id the hand-maps define, with its name or title and where it is defined."""
    from builders.tables import build_tables

    built = build_tables(Path(root).resolve())
    labels = {}
    for table, key, label in (("people", "person_id", "name"), ("places", "place_id", "name"),
                              ("bodies", "body_id", "name"), ("events", "event_id", "title"),
                              ("gifts", "gift_id", "item"), ("sources", "source_id", "title"),
                              ("countries", "country_iso3", "name")):
        for r in built.rows.get(table, []):
            extra = f" ({r['date_start']})" if table == "events" and r.get("date_start") else ""
            labels[r[key]] = f"{r[label]}{extra}"
    shown = [i for i in sorted(labels) if i.startswith(prefix)]
    for i in shown:
        log(f"{i:<58} {labels[i]}")
    return 0 if shown else 1

