"""The pipeline: seeds -> parse -> hand-map -> tables -> validate -> publish.

``rusprk build`` runs ``build(root)``.  Nothing is written until every check
has passed; ``dist/`` is then replaced as a whole (see ``builders.atomic``),
so a failed or killed build leaves the previous release untouched.  A build
whose inputs (by content hash) and outputs are unchanged since the last one
does nothing (see ``builders.stamp``).
"""

from __future__ import annotations

import contextlib
import gc
import json
import sys
from pathlib import Path

from builders import checked_apart, citation, release, stamp
from builders.errors import BuildError


def build(root: Path, log=print, force: bool = False) -> dict[str, int] | None:
    from builders.lock import build_lock

    root = Path(root).resolve()
    with build_lock(root), collector_paused():
        return _build(root, log, force)


@contextlib.contextmanager
def collector_paused():
    """Python's cyclic garbage collector off for the build, as it was after.  A build at scale allocates
    millions of long-lived objects (the rows as dicts, the parts, the pages' pieces) that form almost no cycles,
    and the collector traverses all of them each time the heap grows by a quarter: at 2,000 seeds, merging
    the cached parts took 7.0 s with it and 3.6-4.3 s without (docs/performance.md).  Reference counting still
    frees every object not in a cycle; what cycles there are wait for the end of the build (about 60 MB at the
    child's peak at 2,000 seeds, within the memory target).  Forked children inherit the setting."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def checked_tables(root: Path, drafts: bool = False, cache: str | None = None):
    """Stages 1-4, writing nothing: ({"sources": its rows, "regions": each seed's regions}, Arrow tables, pandas
    frames) by table; a BuildError at the first problem.  ``rusprk check`` runs exactly this (with ``drafts``,
    so that a draft's open todos do not hide its other problems; they are reported apart)."""
    rows, tables, origin = made_tables(root, drafts, cache)
    frames = frames_of(tables)
    validated(root, tables, frames, origin)
    return rows, tables, frames


def made_tables(root: Path, drafts: bool = False, cache: str | None = None):
    """Stages 1-3: (rows, Arrow tables, where each row was written: ``builders.tables.Tables.origin``)."""
    from builders import publish
    from builders.tables import build_tables
    from rusprk.metadata import RESOURCE_ORDER

    from builders.handmap import forget_readings

    built = build_tables(root, drafts, cache)  # stages 1-3: parse, hand-maps, tables
    forget_readings()  # the hand-maps' objects are not needed past here: at 2,000 seeds they hold 400 MB
    built.evidence.clear()  # the index of the evidence rows by id: it would keep every row alive past its table
    tables = {}
    for name in RESOURCE_ORDER:  # each table's dict rows go as soon as its Arrow table is made
        tables[name] = publish.to_arrow(name, built.rows.pop(name, []))
    return {"sources": tables["sources"].to_pylist(), "regions": built.regions}, tables, built.origin


def frames_of(tables: dict) -> dict:
    """Each Arrow table as the pandas frame of its declared dtypes."""
    from rusprk._types import arrow_to_pandas
    from rusprk.metadata import resource

    return {name: arrow_to_pandas(t, resource(name)) for name, t in tables.items()}


def validated(root: Path, tables: dict, frames: dict, origin) -> dict[str, list[dict]]:
    """Stage 4: the tables' form, then their meaning; a BuildError naming every problem.  The rows as dicts
    that the meaning rules read (which they do not change), by table, for the outputs that read them too."""
    from builders.validate import check_meaning_rows, validate_frames

    validate_frames(frames, root / "seeds")
    every = {name: t.to_pylist() for name, t in tables.items()}
    check_meaning_rows(every, origin, root / "seeds")
    return every


def _build(root: Path, log, force: bool) -> dict[str, int] | None:
    from builders import atomic, output_reuse

    done = atomic.repair(root)  # a build killed mid-publish left the tree to settle first
    if done:
        log(done)
    created = release.created_timestamp(root)
    inputs_hash = stamp.inputs_hash(root, created)
    if not force and stamp.up_to_date(root, inputs_hash):
        log("up to date: inputs and outputs unchanged since the last build")
        return None

    # The stages import pandas, pyarrow, pandera and pydantic: only when there is work.
    # Stages 1-3, hand-map readings cached, in a child process whose memory ends with it (builders.checked_apart),
    # then stage 4 here, on the tables alone.
    rows, tables, origin = checked_apart.made_tables(root, cache="write")
    frames = frames_of(tables)
    every = validated(root, tables, frames, origin)

    version = release.project_version(root)  # stage 5
    # dist/'s files go to disk as they are made (builders.atomic.Staging): the build holds one in memory at a time.
    files = atomic.Staging(root / "dist")
    try:
        reuse = output_reuse.Reuse(root, files, tables, version, created)
        outside = _publish_files(root, files, reuse, rows, tables, frames, every, version, created)
        atomic.publish(root, files, outside)  # dist/ and the files outside it, as one generation
    except BaseException:
        files.discard()
        raise
    reuse.save()
    stamp.record(root, inputs_hash)
    counts = {name: t.num_rows for name, t in tables.items()}
    log("built " + ", ".join(f"{n} {c}" for n, c in counts.items()))
    return counts


def _publish_files(root: Path, files, reuse, rows, tables, frames, every, version: str, created: str) -> dict[str, bytes]:
    """Stage every file of dist/ into ``files`` (through ``reuse`` those made from a few tables, taken from the
    last build when those did not change); the files outside it (schemas/, docs/, datapackage.json).  ``every``
    holds the rows as dicts by table (stage 4's): emptied once the outputs that read them are made."""
    import hashlib

    from builders import codebook, curation_log, publish
    from rusprk.metadata import RESOURCE_ORDER, resource

    for name, t in tables.items():  # a table's own files: made again only when its rows changed
        reuse.put(f"{name}.parquet", [name], lambda t=t: publish.parquet_bytes(t))
        reuse.write(f"{name}.csv", [name], lambda path, name=name, t=t: publish.write_csv_file(name, t, path))
    files.put("datapackage.json", publish.dumps(
        publish.descriptor(root, files, rows["sources"], prefix="", inline_schema=True)))
    outside = {f"schemas/{name}.json": publish.dumps(publish.table_schema(resource(name))) for name in RESOURCE_ORDER}
    outside["datapackage.json"] = publish.dumps(
        publish.descriptor(root, files, rows["sources"], prefix="dist/", inline_schema=False))
    outside["docs/codebook.md"] = codebook.render(version, frames, root).encode("utf-8")
    outside["docs/curation-log.md"] = curation_log.render(root).encode("utf-8")
    # The timeline figure for the README, drawn from the validated events (byte-reproducible).
    from builders.timeline import render_timeline

    outside["docs/timeline.png"], outside["docs/timeline.svg"], _ = render_timeline(
        frames["events"], cache=root / ".cache" / "timeline")  # redrawn only when the rows it shows change

    # The evidence browser (site/) and the quotes as W3C Web Annotations, from the same rows and seed texts,
    # made first, while stage 4's rows as dicts are there to read: the outputs after them read none of them.
    from builders import site
    from builders.formats import annotations, croissant
    from rusprk._cite import cite_from

    facts = citation.citation(root)
    descriptor = json.loads(files["datapackage.json"])

    texts = {s["source_id"]: (root / "seeds" / s["seed_file"]).read_text(encoding="utf-8") for s in rows["sources"]}
    jsonld = {"@context": {"@vocab": "https://schema.org/", "sc": "https://schema.org/"},
              **croissant.schema_org_dataset(descriptor, facts, cite_from(facts, "bibtex"))}
    files.read_ahead(*(f"site/{folder}" for folder in site.FOLDERS))  # the old pages, to compare the new with
    for name, data in site.site_files(every, texts, rows["regions"], descriptor=descriptor,
                                      citation_text=cite_from(facts, "text"), version=version, jsonld=jsonld):
        files.put(name, data)

    def write_annotations(path):
        with open(path, "wb") as fh:
            annotations.write(fh, version, len(every["evidence"]),
                              annotations.annotations_of(every, site.page_finder(every)))

    # What places a quote on a page: its record, an alias's entity, a participant's event; its source's title.
    reuse.write("annotations.jsonld", ["evidence", "aliases", "participants", "sources"], write_annotations)
    every.clear()  # the rows as dicts: at 2,000 seeds about 290 MB, not needed past here

    # The SQLite database for Datasette and SQL users, with its Datasette metadata.  Its bytes
    # depend on the SQLite library version as well as the data (recorded in its header).
    from rusprk.export_sqlite import datasette_metadata, export_sqlite

    reuse.write("rusprk.db", RESOURCE_ORDER, lambda path: export_sqlite(path, frames))
    files.put("datasette-metadata.json",
              publish.dumps(datasette_metadata("rusprk", descriptor)))  # (it only reads the descriptor)

    # The source articles travel with the tables, so quotes can be checked after download.
    for s in rows["sources"]:
        files.put(f"seeds/{s['seed_file']}", (root / "seeds" / s["seed_file"]).read_bytes())
    files.put("citation.json", publish.dumps(facts))

    # The same tables for Stata, Excel and Croissant users, derived from the metadata.
    from builders.formats import excel, stata

    for name in RESOURCE_ORDER:  # written straight to dist/'s staging: a .dta of a long table is large
        reuse.write(f"stata/{name}.dta", [name],
                    lambda path, name=name: stata.write_dta(name, frames[name], version, created, path))
    reuse.put(f"rusprk-{version}.xlsx", RESOURCE_ORDER,
              lambda: excel.workbook_bytes(tables, facts, created, publish.LICENCE_NOTE),
              extra=json.dumps(facts, sort_keys=True, default=str))  # its README sheet cites the release
    files.put("croissant.json", publish.dumps(croissant.croissant(descriptor, facts, cite_from(facts, "bibtex"), files)))

    # The release zip: every file above, the codebook and the repository's documents, and its own checksums.
    extra = {"codebook.md": outside["docs/codebook.md"]}
    for name in publish.RELEASE_DOCS:
        if (root / name).is_file():
            extra[name] = (root / name).read_bytes()
    hashes = {**files.hashes, **{name: hashlib.sha256(data).hexdigest() for name, data in extra.items()}}
    extra["SHA256SUMS"] = publish.sha256sums_of(hashes)  # the zip checks itself: sha256sum -c SHA256SUMS
    from builders import zip_cache

    zip_name = f"rusprk-{version}.zip"
    # Members unchanged since dist/'s zip are copied from it, not deflated again (builders.zip_cache).
    with zip_cache.earlier_zip(root, publish.ZIP_LEVEL) as earlier, open(files.path_for(zip_name), "wb") as fh:
        written = publish.release_zip(version, created, extra, out=fh, earlier=earlier,
                                      paths={name: files.dir / name for name in files}, path_hashes=files.hashes,
                                      path_crcs=files.crcs)
    files.adopt(zip_name)
    zip_cache.remember(root, zip_name, files.hashes[zip_name], written, publish.ZIP_LEVEL, keep=earlier)
    files.put("SHA256SUMS", publish.sha256sums_of(files.hashes))
    return outside


def main(argv: list[str] | None = None) -> int:
    args = list(argv or [])
    force = "--force" in args
    args = [a for a in args if a != "--force"]
    root = Path(args[0]) if args else Path.cwd()
    try:
        build(root, force=force)
    except BuildError as exc:
        print(f"build failed: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # a full disk, a read-only tree: nothing was published
        print(f"build failed: {exc.filename or root}: {exc.strerror or exc}; dist/ is unchanged", file=sys.stderr)
        return 1
    except (MemoryError, RecursionError) as exc:
        print(f"build failed: {type(exc).__name__}: an input is too large or too deeply nested; dist/ is unchanged",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
