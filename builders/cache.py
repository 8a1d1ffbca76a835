"""A content-keyed cache of the costly, pure part of reading a hand-map, in ``.cache/handmaps/``.

Reading a hand-map is mostly YAML: checking its text, its depth and
constructing it with line and column numbers costs several times what
validating it does.  The build keeps what that produces (the mapping, as
JSON) under a key that hashes the hand-map's bytes together with the code
that reads them (``CODE``, PyYAML's version and whether libyaml is used), so
an unchanged hand-map is never re-read and a changed one, or changed code,
misses.  Validation (pydantic), the seed's parse and every check after it
run on every build, on the cached mapping as on a fresh one.

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


def get(folder: Path, entry: str):
    """The cached value for ``entry``, or None when it is missing or not whole."""
    data = get_bytes(folder / f"{entry}.json")
    try:
        return None if data is None else json.loads(data.decode("utf-8"))
    except ValueError:
        return None


def put(folder: Path, entry: str, value) -> None:
    """Store ``value`` (JSON-able) for ``entry``; a value JSON cannot hold, or a cache that cannot be
    written, is only a miss next time."""
    try:
        payload = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError):
        return
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
        tmp.unlink(missing_ok=True)


def prune(folder: Path, used: set[str]) -> None:
    """Remove the files whose name (less its extension) is not among ``used``: what the last build did not use."""
    try:
        for path in folder.iterdir():
            if path.is_file() and path.stem not in used:
                path.unlink()
    except OSError:
        pass
