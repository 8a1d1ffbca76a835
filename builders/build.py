"""The pipeline: seeds -> parse -> hand-map -> tables -> validate -> publish.

``rusprk build`` runs ``build(root)``.  Nothing is written until every check
has passed; ``dist/`` is then replaced as a whole (see ``builders.atomic``),
so a failed or killed build leaves the previous release untouched.
"""

from __future__ import annotations

import sys
from pathlib import Path

from builders import atomic, publish
from builders.errors import BuildError
from builders.tables import build_rows
from builders.validate import validate_frames
from rusprk._types import arrow_to_pandas
from rusprk.metadata import RESOURCE_ORDER, resource


def build(root: Path, log=print) -> dict[str, int]:
    root = Path(root).resolve()
    rows = build_rows(root)  # stages 1-3: parse, hand-maps, tables
    tables = {name: publish.to_arrow(name, rows.get(name, [])) for name in RESOURCE_ORDER}
    frames = {name: arrow_to_pandas(t, resource(name)) for name, t in tables.items()}
    validate_frames(frames, root / "seeds")  # stage 4

    files: dict[str, bytes] = {}  # stage 5
    for name, t in tables.items():
        files[f"{name}.parquet"] = publish.parquet_bytes(t)
        files[f"{name}.csv"] = publish.csv_bytes(name, t)
    dist_desc = publish.descriptor(root, files, rows["sources"], prefix="", inline_schema=True)
    files["datapackage.json"] = publish.dumps(dist_desc)
    outside = {f"schemas/{name}.json": publish.dumps(publish.table_schema(resource(name))) for name in RESOURCE_ORDER}
    outside["datapackage.json"] = publish.dumps(
        publish.descriptor(root, files, rows["sources"], prefix="dist/", inline_schema=False))
    atomic.replace_dir(root / "dist", files)
    for rel, data in sorted(outside.items()):
        atomic.write_file(root / rel, data)
    counts = {name: t.num_rows for name, t in tables.items()}
    log("built " + ", ".join(f"{n} {c}" for n, c in counts.items()))
    return counts


def main(argv: list[str] | None = None) -> int:
    root = Path(argv[0]) if argv else Path.cwd()
    try:
        build(root)
    except BuildError as exc:
        print(f"build failed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
