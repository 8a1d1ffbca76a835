"""Recognise a build whose inputs and outputs have not changed.

The stamp (``.cache/build-stamp.json``, not committed) records the content
hash of every build input and the size, modification time and inode of every
output written.  When both still
match, the build has nothing to do.  A fresh clone has no stamp and builds.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

STAMP = Path(".cache") / "build-stamp.json"
# Everything whose bytes can change an output.
INPUT_GLOBS = ("seeds/*.txt", "builders/**/*.py", "builders/**/*.yaml", "builders/**/*.md", "rusprk/**/*.py",
               "pyproject.toml", "README.md", "R/*.R",
               "CHANGELOG.md", "LICENSE", "CITATION.cff", "requirements.lock")
OUTPUTS = ("dist", "schemas", "datapackage.json", "docs/codebook.md", "docs/curation-log.md", "docs/timeline.png",
           "docs/timeline.svg")


def _files(root: Path, patterns) -> list[Path]:
    found = set()
    for pattern in patterns:
        found.update(p for p in root.glob(pattern) if p.is_file() and "__pycache__" not in p.parts)
    return sorted(found)


def _digest(root: Path, paths: list[Path], extra: str = "") -> str:
    h = hashlib.sha256(extra.encode())
    for p in paths:
        h.update(p.relative_to(root).as_posix().encode() + b"\0")
        with open(p, "rb") as fh:  # streamed: the database alone can be hundreds of MB
            h.update(hashlib.file_digest(fh, "sha256").digest())
    return h.hexdigest()


def inputs_hash(root: Path, created: str) -> str:
    return _digest(root, _files(root, INPUT_GLOBS), created + os.environ.get("SOURCE_DATE_EPOCH", ""))


def outputs_hash(root: Path) -> str:
    """The outputs as they stand on disk: each file's path, size, modification time and inode.  Any write to an
    output changes one of them, and reading tens of thousands of site pages to hash them would make a no-op
    build cost seconds (the inputs, which the build reads anyway, are hashed by content)."""
    h = hashlib.sha256("|".join(OUTPUTS).encode())
    for rel in OUTPUTS:
        p = root / rel
        for q in sorted(q for q in p.rglob("*") if q.is_file()) if p.is_dir() else ([p] if p.is_file() else []):
            st = q.stat()
            h.update(f"{q.relative_to(root).as_posix()}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ino}\n".encode())
    return h.hexdigest()


def up_to_date(root: Path, inputs: str) -> bool:
    try:
        saved = json.loads((root / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return saved.get("inputs") == inputs and saved.get("outputs") == outputs_hash(root)


def record(root: Path, inputs: str) -> None:
    from builders.atomic import write_file

    data = json.dumps({"inputs": inputs, "outputs": outputs_hash(root)}, indent=2) + "\n"
    write_file(root / STAMP, data.encode())
