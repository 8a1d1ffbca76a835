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
    from builders.build import collector_paused

    with collector_paused():  # the build's stages, at the build's pace (builders.build.collector_paused)
        return _check(Path(root).resolve(), handmaps, log)


def _check(root: Path, handmaps: list[Path] | None, log) -> int:
    from builders import check_handmap
    from builders.build import checked_tables

    paths = handmaps or sorted((root / "builders" / "handmaps").glob("*.yaml"))
    problems = [p for path in paths for p in check_handmap.check(Path(path), root)]
    problems += _references(root, paths)
    if all(p.field == "todo" for p in problems):  # a draft's open todos do not stop the rest of the checks
        try:
            # The build's stages 1-4, the same functions; the build's cache is read, nothing is written.
            checked_tables(root, drafts=True, cache="read")
        except BuildError as exc:
            problems.append(exc)
    for p in problems:
        log(str(p))
    log(f"{len(problems)} problem(s)" if problems else
        f"ok: {len(paths)} hand-map(s) pass every check the build makes (nothing written)")
    return 1 if problems else 0


def _references(root: Path, paths) -> list[BuildError]:
    """Every unknown id in the named hand-maps, against the ids all the hand-maps define (builders.references)."""
    from builders import references

    loaded = references.loadable_handmaps(root, root / ".cache" / "handmaps")
    defined = references.defined_ids(loaded.values())
    countries = references.country_codes(root)
    return [p for path in paths if Path(path).resolve() in loaded
            for p in references.problems(Path(path), loaded[Path(path).resolve()], defined, countries)]


def ids(root: Path, prefix: str = "", log=print) -> int:
    """Every id the hand-maps define, with its name or title (and an event's start), read from the hand-maps
    themselves so that it works while a draft is unfinished (one that does not load is left out: `rusprk check`
    names its problem)."""
    from builders import references

    root = Path(root).resolve()
    labels: dict[str, str] = {}
    for hm in references.loadable_handmaps(root).values():
        labels[hm.source.id] = f"seeds/{hm.seed}"
        for r in (*hm.people, *hm.places, *hm.bodies):
            labels[r.id] = r.name
        for e in hm.events:
            labels[e.id] = e.title + (f" ({e.date.start})" if e.date and e.date.start else "")
        for g in hm.gifts:
            labels[g.id] = g.item
    labels.update({c["iso3"]: c["name"] for c in references.countries(root)})
    shown = [i for i in sorted(labels) if i.startswith(prefix)]
    for i in shown:
        log(f"{i:<58} {labels[i]}")
    return 0 if shown else 1
