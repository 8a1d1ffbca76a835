"""Content-keyed caches of the costly, pure part of reading a hand-map.

``.cache/parts/`` holds each seed's part of the tables (``builders.seed_part``:
its hand-map validated, every quote located, its rows) under a key that
hashes the hand-map, the seed, their names and every line of the build's and
the package's code (``part_key``).  An edit re-reads one hand-map; the checks
across hand-maps then run on every part's rows (``builders.tables``).  Changed
code misses every part: a build never mixes parts read by two versions.

``.cache/handmaps/`` holds one step of that, the YAML reading of a hand-map:
checking its text, its depth and constructing it with line and column numbers
costs several times what validating it does.  It is keyed by the hand-map's
bytes and the code that reads them (``CODE``, PyYAML's version and whether
libyaml is used), so that after a change to other code the parts are read
again from the mappings, not from the YAML.

An entry is trusted only if it is whole: its first line is the SHA-256 of
the rest, and an entry that is missing, unreadable, or fails that check is
ignored and rewritten, so a corrupt cache can cost time but never change an
output.  Only the build writes here (``rusprk check`` reads and writes
nothing); entries the last build did not use are removed.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

# The code that shapes the cached mapping.
CODE = ("builders/handmap.py", "builders/handmap_yaml.py", "builders/limits.py", "builders/cache.py", "rusprk/limits.py")
_ROOT = Path(__file__).resolve().parent.parent


def _code_hash() -> str:
    import yaml

    h = hashlib.sha256(f"pyyaml {yaml.__version__} libyaml {hasattr(yaml, 'CSafeLoader')}".encode())
    for name in CODE:
        h.update((_ROOT / name).read_bytes())
    return h.hexdigest()


_CODE_HASH: str | None = None


def key(data: bytes) -> str:
    global _CODE_HASH
    if _CODE_HASH is None:
        _CODE_HASH = _code_hash()
    return hashlib.sha256(_CODE_HASH.encode() + b"\0" + data).hexdigest()


_PART_CODE_HASH: str | None = None


def _part_code_hash() -> str:
    """Every file of builders/ and rusprk/ that is code, and the versions of the libraries that read and
    validate hand-maps."""
    import pydantic
    import yaml

    h = hashlib.sha256(f"pyyaml {yaml.__version__} libyaml {hasattr(yaml, 'CSafeLoader')} "
                       f"pydantic {pydantic.VERSION}".encode())
    for folder in ("builders", "rusprk"):
        for path in sorted((_ROOT / folder).rglob("*.py")):
            if "__pycache__" not in path.parts:
                h.update(path.relative_to(_ROOT).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def part_code_hash() -> str:
    """``_part_code_hash()``, computed once per process."""
    global _PART_CODE_HASH
    if _PART_CODE_HASH is None:
        _PART_CODE_HASH = _part_code_hash()
    return _PART_CODE_HASH


def part_key(handmap_name: str, handmap: bytes, seed_name: str, seed: bytes) -> str:
    """The key of one seed's part: its hand-map and seed (names and bytes) and the code."""
    h = hashlib.sha256(part_code_hash().encode())
    for item in (handmap_name.encode(), handmap, seed_name.encode(), seed):
        h.update(len(item).to_bytes(8, "big") + item)
    return h.hexdigest()


def get(folder: Path, entry: str):
    """The cached value for ``entry``, or None when it is missing or not whole."""
    data = get_bytes(folder / f"{entry}.json")
    try:
        return None if data is None else json.loads(data.decode("utf-8"))
    except ValueError:
        return None


def dumps(value, default=None) -> str:
    """An entry's JSON text (``default`` as json.dumps takes it)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=default)


def put(folder: Path, entry: str, value, default=None) -> None:
    """Store ``value`` (JSON-able, with ``default`` as json.dumps takes it) for ``entry``; a value JSON cannot
    hold, or a cache that cannot be written, is only a miss next time."""
    try:
        payload = dumps(value, default)
    except (TypeError, ValueError):
        return
    put_text(folder, entry, payload)


def put_text(folder: Path, entry: str, payload: str) -> None:
    """Store an entry's JSON text as ``dumps`` made it."""
    put_bytes(folder / f"{entry}.json", payload.encode("utf-8"))


def get_bytes(path: Path) -> bytes | None:
    """A cache file's contents if it is whole (its first line is the SHA-256 of the rest), else None."""
    try:
        check, _, payload = path.read_bytes().partition(b"\n")
    except OSError:
        return None
    return payload if hashlib.sha256(payload).hexdigest().encode() == check else None


def put_bytes(path: Path, data: bytes) -> None:
    """Write one cache file, its checksum first, by rename and without fsync (a torn file fails its checksum
    and is a miss; a cache is not an output, so it is no part of a build's publish), or not at all if it
    cannot be written."""
    import os

    tmp = path.with_name(f".{path.name}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(hashlib.sha256(data).hexdigest().encode() + b"\n" + data)
        os.replace(tmp, path)
    except OSError:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:  # not even a folder there (``.cache`` a file): nothing was written
            pass


def prune(folder: Path, used: set[str]) -> None:
    """Remove the files whose name (less its extension) is not among ``used``: what the last build did not use."""
    try:
        for path in folder.iterdir():
            if path.is_file() and path.stem not in used:
                path.unlink()
    except OSError:
        pass
