"""A deterministic zip writer: byte for byte the file CPython's ``zipfile`` writes to a seekable file.

Why our own: the release zip holds tens of thousands of files, nearly all unchanged from one build to the
next, and ``zipfile`` deflates every one of them again, on one core.  This module only lays members out;
their compressed bytes come from ``builders.formats.zip_members`` (deflated on a thread pool, or copied from
the previous release zip), so the layout can be checked on its own against ``zipfile``
(tests/test_zip_writer.py keeps ``zipfile``-based code as the reference).

The layout is what CPython 3.11's ``ZipFile.writestr(info, data)`` and ``ZipFile.open(info, "w")`` write for a
``ZipInfo`` with ``create_system`` 3, external attributes 0o644, no extra field and no comment:

* a local header, the data (no data descriptor: the file is seekable), for each member in the order given;
  version 20 needed, flag 0x800 when the name is not ASCII (then UTF-8), zipfile's DOS date and time;
* ZIP64 in a local header when ``file_size * 1.05 > ZIP64_LIMIT``: zipfile decides before it knows the
  compressed size, allowing 5 % for deflate's growth.  The extra then holds both sizes, the header 0xFFFFFFFF,
  and the member's versions (needed and made by) become 45 in both headers;
* in the central directory, a ZIP64 extra with both sizes when either passes the limit and the header's
  offset when it does, version 45 when there is one;
* the ZIP64 end record and locator when there are more than 65,535 members or the central directory's
  offset or size passes the limit.

``ZIP64_LIMIT`` is zipfile's, 2 GiB - 1 (not the format's 4 GiB); tests lower it in both modules at once.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from dataclasses import dataclass

STORED = 0
DEFLATED = 8

ZIP64_LIMIT = (1 << 31) - 1
FILECOUNT_LIMIT = (1 << 16) - 1
DEFAULT_VERSION = 20
ZIP64_VERSION = 45
UNIX = 3
FILE_MODE = 0o644 << 16
UTF8_NAME = 0x800

#: A local file header (its fixed part), as written here and read back by ``builders.zip_cache``.
LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_END = struct.Struct("<4s4H2LH")
_END64 = struct.Struct("<4sQ2H2L4Q")
_LOCATOR64 = struct.Struct("<4sLQL")


@dataclass(frozen=True)
class Written:
    """One member as laid out: what its central directory record needs, and (``sha256``, the offsets) what
    a later build needs to find and copy its compressed bytes."""

    name: str
    method: int
    crc: int
    file_size: int
    compress_size: int
    offset: int  # of its local header
    data_offset: int  # of its compressed bytes
    zip64_local: bool
    sha256: str | None = None


def dos_date_time(date_time: tuple[int, ...]) -> tuple[int, int]:
    """zipfile's (time, date) words: two-second resolution."""
    year, month, day, hour, minute, second = date_time
    return hour << 11 | minute << 5 | second // 2, (year - 1980) << 9 | month << 5 | day


def encoded_name(name: str) -> tuple[bytes, int]:
    """The name's bytes and flag bits, as ``ZipInfo`` makes them: cut at a NUL, ASCII or else UTF-8 with its
    flag."""
    name = name.split("\0", 1)[0]
    try:
        return name.encode("ascii"), 0
    except UnicodeEncodeError:
        return name.encode("utf-8"), UTF8_NAME


def local_zip64(file_size: int) -> bool:
    """Whether zipfile gives a member of this size a ZIP64 local header (its own rule, float and all)."""
    return file_size * 1.05 > ZIP64_LIMIT


def local_header(name: str, method: int, crc: int, file_size: int, compress_size: int,
                 date_time: tuple[int, ...]) -> bytes:
    raw, flags = encoded_name(name)
    extra = b""
    version = DEFAULT_VERSION
    if local_zip64(file_size):
        extra = struct.pack("<HHQQ", 1, 16, file_size, compress_size)
        file_size = compress_size = 0xFFFFFFFF
        version = ZIP64_VERSION
    dostime, dosdate = dos_date_time(date_time)
    return LOCAL_HEADER.pack(b"PK\003\004", version, 0, flags, method, dostime, dosdate, crc, compress_size,
                       file_size, len(raw), len(extra)) + raw + extra


def central_record(w: Written, date_time: tuple[int, ...]) -> bytes:
    raw, flags = encoded_name(w.name)
    large: list[int] = []
    file_size, compress_size, offset = w.file_size, w.compress_size, w.offset
    if file_size > ZIP64_LIMIT or compress_size > ZIP64_LIMIT:
        large += [file_size, compress_size]
        file_size = compress_size = 0xFFFFFFFF
    if offset > ZIP64_LIMIT:
        large.append(offset)
        offset = 0xFFFFFFFF
    extra = struct.pack(f"<HH{len(large)}Q", 1, 8 * len(large), *large) if large else b""
    # zipfile raises the member's versions when it writes the local header, so they stay raised here.
    version = ZIP64_VERSION if large or w.zip64_local else DEFAULT_VERSION
    dostime, dosdate = dos_date_time(date_time)
    return _CENTRAL.pack(b"PK\001\002", version, UNIX, version, 0, flags, w.method, dostime, dosdate, w.crc,
                         compress_size, file_size, len(raw), len(extra), 0, 0, 0, FILE_MODE, offset) + raw + extra


def end_records(count: int, directory_offset: int, directory_size: int) -> bytes:
    """The end of central directory record, after the ZIP64 ones when zipfile needs them."""
    records = b""
    if count > FILECOUNT_LIMIT or directory_offset > ZIP64_LIMIT or directory_size > ZIP64_LIMIT:
        end64_at = directory_offset + directory_size
        records = (_END64.pack(b"PK\006\006", 44, 45, 45, 0, 0, count, count, directory_size, directory_offset)
                   + _LOCATOR64.pack(b"PK\006\007", 0, end64_at, 1))
        count = min(count, 0xFFFF)
        directory_size = min(directory_size, 0xFFFFFFFF)
        directory_offset = min(directory_offset, 0xFFFFFFFF)
    return records + _END.pack(b"PK\005\006", 0, 0, count, count, directory_size, directory_offset, 0)


class ZipWriter:
    """Members appended one after another to ``out`` (a binary file, written from where it stands, as zipfile
    does), then the central directory on ``close``."""

    def __init__(self, out, date_time: tuple[int, ...]) -> None:
        self.out = out
        self.date_time = date_time
        self.at = out.tell()
        self.written: list[Written] = []

    def add(self, name: str, method: int, crc: int, file_size: int, compress_size: int, data: Iterable[bytes],
            sha256: str | None = None) -> Written:
        """A member whose compressed bytes ``data`` yields: exactly ``compress_size`` of them (a spool's, or a
        copy ``builders.zip_cache.EarlierZip`` reads in full or fails)."""
        header = local_header(name, method, crc, file_size, compress_size, self.date_time)
        self.out.write(header)
        for block in data:
            self.out.write(block)
        w = Written(name, method, crc, file_size, compress_size, self.at, self.at + len(header),
                    local_zip64(file_size), sha256)
        self.at += len(header) + compress_size
        self.written.append(w)
        return w

    def close(self) -> list[Written]:
        start = self.at
        for w in self.written:
            record = central_record(w, self.date_time)
            self.out.write(record)
            self.at += len(record)
        self.out.write(end_records(len(self.written), start, self.at - start))
        return self.written
