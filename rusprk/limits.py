"""How much of a package anyone may hand to rusprk: checked before anything is parsed or extracted.

``rusprk validate`` and ``rusprk diff`` read packages that other people made:
a descriptor may be huge, nested without end or list a million resources; a
zip may hold a member that inflates to gigabytes, a name that is both a file
and a folder, or a link.  Every limit here is far above a real RUSPRK release
(a 40 kB descriptor with 20 resources, a 1 MB zip) and each refusal is one
line.  docs/security.md lists them with the build's own (builders/limits.py).
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

MAX_DESCRIPTOR_BYTES = 10_000_000
MAX_RESOURCES = 1_000
MAX_ZIP_MEMBERS = 10_000
MAX_MEMBER_BYTES = 500_000_000  # one file inflated
MAX_ZIP_BYTES = 2_000_000_000  # all files inflated
MAX_RATIO = 200  # inflated / compressed, for members over 1 MB
MAX_PRINTED = 200  # problems printed by the command line; the rest are counted


class PackageInputError(ValueError):
    """Input refused before it was parsed: the message names the file and what is wrong."""

    def __init__(self, message: str, reason: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason or message  # what is wrong, without the file's name


def read_regular(path: Path, limit: int, what: str) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes, never read past the limit (nor from a device)."""
    path = Path(path)

    def refuse(reason: str):
        return PackageInputError(f"{path}: {reason}", reason)

    try:
        st = os.stat(path)
    except OSError as exc:
        raise refuse(f"cannot read the {what}: {exc.strerror}") from None
    if not stat.S_ISREG(st.st_mode):
        raise refuse(f"the {what} is not a regular file (a device, pipe or folder)")
    if st.st_size > limit:
        raise refuse(f"the {what} is {st.st_size:,} bytes; the limit is {limit:,}")
    try:
        with open(path, "rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise refuse(f"cannot read the {what}: {exc.strerror}") from None
    if len(data) > limit:
        raise refuse(f"the {what} is over {limit:,} bytes")
    return data


def read_descriptor(path: Path) -> dict:
    """A descriptor within the limits, as a dict with a list of resources."""
    data = read_regular(path, MAX_DESCRIPTOR_BYTES, "descriptor")
    try:
        desc = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise PackageInputError(f"{path}: the descriptor is not UTF-8 (byte {exc.start})") from None
    except RecursionError:
        raise PackageInputError(f"{path}: the descriptor is nested too deeply to be a data package") from None
    except ValueError as exc:
        raise PackageInputError(f"{path}: the descriptor is not JSON: {exc}") from None
    if not isinstance(desc, dict):
        raise PackageInputError(f"{path}: the descriptor is not a JSON object")
    resources = desc.get("resources")
    if isinstance(resources, list) and len(resources) > MAX_RESOURCES:
        raise PackageInputError(f"{path}: the descriptor lists {len(resources):,} resources; a RUSPRK package has "
                                f"a few dozen (limit {MAX_RESOURCES:,})")
    return desc


def safe_extract(zip_path: Path, dest: Path) -> None:
    """Extract a zip member by member within the limits; no links, no name both a file and a folder."""
    import zipfile

    try:
        zf = zipfile.ZipFile(zip_path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise PackageInputError(f"{zip_path}: not a readable zip: {exc}") from None
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_ZIP_MEMBERS:
            raise PackageInputError(f"{zip_path}: {len(infos):,} members; the limit is {MAX_ZIP_MEMBERS:,}")
        files = {i.filename.rstrip("/") for i in infos if not i.is_dir()}
        folders = {str(Path(n).parent) for n in files} | {i.filename.rstrip("/") for i in infos if i.is_dir()}
        clash = sorted(files & folders)
        if clash:
            raise PackageInputError(f"{zip_path}: {clash[0]!r} is both a file and a folder in the zip")
        total = 0
        for info in infos:
            name = info.filename
            if stat.S_ISLNK(info.external_attr >> 16):
                raise PackageInputError(f"{zip_path}: member {name!r} is a symbolic link; a package holds files only")
            parts = Path(name).parts
            if name.startswith("/") or ".." in parts or "\\" in name or ":" in name:
                raise PackageInputError(f"{zip_path}: member {name!r} would be written outside the folder")
            if info.is_dir():
                continue
            if info.file_size > MAX_MEMBER_BYTES:
                raise PackageInputError(f"{zip_path}: member {name!r} inflates to {info.file_size:,} bytes; the "
                                        f"limit is {MAX_MEMBER_BYTES:,}")
            if info.file_size > 1_000_000 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise PackageInputError(f"{zip_path}: member {name!r} is compressed {info.file_size // max(info.compress_size, 1):,}"
                                        f" to 1; the limit is {MAX_RATIO} (a zip bomb?)")
            target = dest / Path(*parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            written = 0
            with zf.open(info) as src, open(target, "wb") as out:  # the sizes a member declares may lie
                while chunk := src.read(1 << 20):
                    written += len(chunk)
                    total += len(chunk)
                    if written > max(info.file_size, 0) or written > MAX_MEMBER_BYTES or total > MAX_ZIP_BYTES:
                        raise PackageInputError(f"{zip_path}: member {name!r} inflates beyond what it declares "
                                                "or beyond the limits")
                    out.write(chunk)
