"""The release zip's writer lays out exactly what Python's zipfile did (``builders.formats.zip_writer``).

``reference_zip`` below is ``builders.publish.release_zip`` as it was when it wrote with ``zipfile``: the
spec.  The writer must give the same bytes for any set of members (names with folders and non-ASCII
letters, empty files, stored and deflated, given as bytes or as files), past 65,535 members, and with
zipfile's ZIP64 limit lowered in both modules so that sizes and offsets pass it with small files; the zips
it writes must read back with zipfile and ``unzip -t``.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import shutil
import subprocess
import tempfile
import zipfile
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builders import publish
from builders.formats import zip_members, zip_writer

VERSION = "9.8.7"
CREATED = "2031-02-03T04:05:06Z"


def reference_zip(version: str, created: str, files, out=None, paths: dict | None = None) -> bytes | None:
    """The release zip as zipfile wrote it (the code this writer replaced, unchanged)."""
    stamp = dt.datetime.strptime(created, "%Y-%m-%dT%H:%M:%SZ")
    date_time = (max(stamp.year, 1980), stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)
    folder = f"rusprk-{version}"
    buf = out if out is not None else io.BytesIO()
    paths = paths or {}
    with zipfile.ZipFile(buf, "w") as zf:
        for name in sorted({*files, *paths}):
            info = zipfile.ZipInfo(f"{folder}/{name}", date_time=date_time)
            info.external_attr = 0o644 << 16
            info.create_system = 3
            compress = zipfile.ZIP_STORED if name.endswith((".parquet", ".xlsx")) else zipfile.ZIP_DEFLATED
            info.compress_type = compress
            if name in files:
                zf.writestr(info, files[name], compress_type=compress, compresslevel=6)
                continue
            info.file_size = Path(paths[name]).stat().st_size
            with open(paths[name], "rb") as src, zf.open(info, "w") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
    return buf.getvalue() if out is None else None


def both(files: dict[str, bytes], paths: dict[str, Path], created: str = CREATED) -> tuple[bytes, bytes]:
    """(zipfile's zip, the writer's zip) of the same members."""
    return reference_zip(VERSION, created, files, paths=paths), publish.release_zip(VERSION, created, files,
                                                                                 paths=paths)


def reads_back(data: bytes, want: dict[str, bytes]) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.testzip() is None
        assert {n.removeprefix(f"rusprk-{VERSION}/"): zf.read(n) for n in zf.namelist()} == want


def unzip_t(data: bytes, where: Path) -> None:
    if shutil.which("unzip") is None:
        pytest.skip("unzip is not installed")
    path = where / "check.zip"
    path.write_bytes(data)
    out = subprocess.run(["unzip", "-tq", str(path)], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def lower_limit(mp: pytest.MonkeyPatch, limit: int) -> None:
    """Lower zipfile's ZIP64 limit (2 GiB - 1) in zipfile and in the writer at once."""
    mp.setattr(zipfile, "ZIP64_LIMIT", limit)
    mp.setattr(zip_writer, "ZIP64_LIMIT", limit)


# -- members drawn at random --------------------------------------------------------------------------------

_segment = st.text(st.sampled_from("abcxyz019-_.é中ü Ж"), min_size=1, max_size=6).filter(
    lambda s: s not in (".", ".."))
_names = st.builds(lambda parts, ext: "/".join(parts) + ext, st.lists(_segment, min_size=1, max_size=3),
                   st.sampled_from(["", ".html", ".csv", ".parquet", ".xlsx", ".json"]))
_contents = st.one_of(
    st.just(b""),
    st.binary(max_size=3000),
    st.builds(lambda words, n: " ".join(words).encode() * n,
              st.lists(st.sampled_from(["<td>", "Kim", "Путин", "visit", "\n"]), max_size=40),
              st.integers(1, 200)),
)
_members = st.dictionaries(_names, st.tuples(_contents, st.booleans()), max_size=25)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(members=_members, limit=st.sampled_from([None, 150, 700, 5000]),
       window=st.sampled_from([None, (64, 40, 200, 100)]), created=st.sampled_from([CREATED, "1975-06-07T08:09:11Z"]))
def test_the_writer_lays_out_what_zipfile_does(members, limit, window, created, tmp_path):
    with pytest.MonkeyPatch.context() as mp, tempfile.TemporaryDirectory(dir=tmp_path) as folder:
        if limit is not None:
            lower_limit(mp, limit)
        if window is not None:  # tiny spools, jobs, window: spilled members, many jobs in flight, long ones first
            for name, value in zip(("SPOOL", "BATCH", "WINDOW", "LONG"), window):
                mp.setattr(zip_members, name, value)
        files, paths = {}, {}
        for i, (name, (data, as_path)) in enumerate(sorted(members.items())):
            if as_path:
                paths[name] = Path(folder) / f"{i}.bin"
                paths[name].write_bytes(data)
            else:
                files[name] = data
        expected, written = both(files, paths, created)
    assert written == expected
    reads_back(written, {name: data for name, (data, _) in members.items()})


def test_a_member_as_bytes_and_as_a_file_are_the_same_member(tmp_path):
    """Several blocks of a file (zipfile fed it 1 MiB at a time) and one call for bytes give the same zip."""
    data = b"".join(b"<tr><td>%d</td><td>Pyongyang</td></tr>\n" % random.Random(i).randrange(10**6)
                    for i in range(90_000))
    assert len(data) > 3 * (1 << 20)
    (tmp_path / "big.html").write_bytes(data)
    as_file = both({}, {"big.html": tmp_path / "big.html"})
    as_bytes = both({"big.html": data}, {})
    assert as_file[0] == as_file[1] == as_bytes[0] == as_bytes[1]


def test_names_that_zipfile_rewrites():
    """Non-ASCII names take the UTF-8 flag; a NUL ends a name, as ZipInfo cuts it."""
    files = {"Ким/карта.csv": b"a,b\n", "plain.txt": b"x", "cut\0after.txt": b"y", "中/文/件.html": b""}
    expected, written = both(files, {})
    assert written == expected
    with zipfile.ZipFile(io.BytesIO(written)) as zf:
        flags = {i.filename: i.flag_bits for i in zf.infolist()}
    assert flags[f"rusprk-{VERSION}/Ким/карта.csv"] & 0x800 and not flags[f"rusprk-{VERSION}/plain.txt"] & 0x800
    assert f"rusprk-{VERSION}/cut" in flags


# -- past zipfile's limits --------------------------------------------------------------------------------------

def test_more_than_65535_members_take_the_zip64_end_record(tmp_path):
    files = {f"site/p{i:05d}.html": (b"<p>%d</p>" % (i % 7)) * (i % 3) for i in range(65_540)}
    expected, written = both(files, {})
    assert written == expected
    tail = written[-200:]
    assert b"PK\x06\x06" in tail and b"PK\x06\x07" in tail  # the ZIP64 end record and its locator
    with zipfile.ZipFile(io.BytesIO(written)) as zf:
        assert len(zf.infolist()) == 65_540 and zf.testzip() is None
    unzip_t(written, tmp_path)


def test_sizes_and_offsets_past_the_limit_take_zip64_fields(monkeypatch, tmp_path):
    """With the limit at 1000 bytes: members whose size passes it (ZIP64 local headers, version 45), members
    whose offset does (ZIP64 in the central directory), and a central directory that starts past it."""
    lower_limit(monkeypatch, 1000)
    rng = random.Random(7)
    files = {"a.txt": b"short", "b.bin": rng.randbytes(990), "c.parquet": rng.randbytes(3000),
             "d.html": b"<p>page</p>" * 400, "e.txt": b""}
    (tmp_path / "f.xlsx").write_bytes(rng.randbytes(5000))
    expected, written = both(files, {"f.xlsx": tmp_path / "f.xlsx"})
    assert written == expected
    assert b"PK\x06\x06" in written[-200:]
    with zipfile.ZipFile(io.BytesIO(written)) as zf:
        infos = {i.filename.rsplit("/", 1)[1]: i for i in zf.infolist()}
    local = {name: written[i.header_offset + 4] for name, i in infos.items()}
    assert local["b.bin"] == local["c.parquet"] == 45 and local["a.txt"] == 20  # by size
    assert infos["e.txt"].header_offset > 1000 and infos["e.txt"].extract_version == 45  # by offset
    reads_back(written, {**files, "f.xlsx": (tmp_path / "f.xlsx").read_bytes()})
    unzip_t(written, tmp_path)


def test_the_release_zip_reads_back_with_unzip(tmp_path):
    files = {"README.md": "Пхеньян and Moscow\n".encode() * 50, "tables/events.csv": b"id\n1\n",
             "events.parquet": b"PAR1" + bytes(100) + b"PAR1", "empty": b""}
    _, written = both(files, {})
    unzip_t(written, tmp_path)
    reads_back(written, files)


# -- deflate and its input's blocks ---------------------------------------------------------------------------

def _deflate(data: bytes, cuts: list[int]) -> bytes:
    z = zlib.compressobj(6, zlib.DEFLATED, -15)
    bounds = [0, *sorted(c % (len(data) + 1) for c in cuts), len(data)]
    return b"".join(z.compress(data[a:b]) for a, b in zip(bounds, bounds[1:])) + z.flush()


@settings(max_examples=60, deadline=None)
@given(words=st.lists(st.sampled_from([b"<td>", b"Kim Jong Un", b"\xd0\x9f", b"visit ", b"\n", b"0123"]),
                      min_size=1, max_size=60),
       repeat=st.integers(1, 3000), noise=st.binary(max_size=500), cuts=st.lists(st.integers(0, 10**7), max_size=12))
def test_deflate_does_not_depend_on_how_its_input_is_cut(words, repeat, noise, cuts):
    """Why a member's compressed bytes can be taken from an earlier zip whatever way they were fed then:
    zlib's raw deflate gives the same stream for the same input however it is split into calls."""
    data = b"".join(words) * repeat + noise + b"".join(reversed(words)) * (repeat // 2)
    assert _deflate(data, cuts) == _deflate(data, [])


def test_deflate_of_a_large_input_in_blocks_of_any_size():
    rng = random.Random(3)
    data = b"".join(rng.choice([b"<li>Moscow</li>", b"<li>%d</li>" % rng.randrange(999), rng.randbytes(40)])
                    for _ in range(200_000))
    whole = _deflate(data, [])
    for step in (1 << 20, 65_536, 777_777):
        assert _deflate(data, list(range(step, len(data), step))) == whole
    assert _deflate(data, [rng.randrange(len(data)) for _ in range(300)]) == whole


# -- memory stays bounded ----------------------------------------------------------------------------------------

def test_what_is_prepared_ahead_of_the_writer_holds_at_most_a_window(monkeypatch):
    """Deflated members not yet written hold at most about ``WINDOW`` bytes; members copied from an earlier
    zip hold nothing, so the pool may check those far ahead."""
    monkeypatch.setattr(zip_members, "WINDOW", 10_000)
    monkeypatch.setattr(zip_members, "BATCH", 1_000)
    held: dict[str, int] = {}
    original = zip_members.prepare

    def counted(member, copy, level):
        ready = original(member, copy, level)
        held[member.name] = ready.spool.in_memory()
        return ready

    monkeypatch.setattr(zip_members, "prepare", counted)
    rng = random.Random(11)
    members = [zip_members.Member(f"p{i}.bin", zip_writer.DEFLATED, data=rng.randbytes(500)) for i in range(400)]
    written, ahead = 0, []
    for member, ready in zip_members.ready_members(members, 6):
        written += held[member.name]
        ahead.append(sum(held.values()) - written)
        b"".join(ready.blocks(None))
    assert len(held) == 400
    assert 0 < max(ahead) <= 10_000 + 2 * 1_000


def test_the_longest_deflates_start_first(monkeypatch):
    """A large member to deflate sets the pace of the whole zip: with one worker it is prepared before the
    members ahead of it, the larger of two first; the members still come back in their order."""
    monkeypatch.setattr(zip_members, "LONG", 1000)
    order = []
    original = zip_members.prepare
    monkeypatch.setattr(zip_members, "prepare", lambda m, c, level: order.append(m.name) or original(m, c, level))
    members = [zip_members.Member(name, method, data=b"x" * size) for name, method, size in
               [("a", zip_writer.DEFLATED, 10), ("b", zip_writer.DEFLATED, 2000), ("c", zip_writer.STORED, 5000),
                ("d", zip_writer.DEFLATED, 10), ("e", zip_writer.DEFLATED, 3000)]]
    assert [m.name for m, _ in zip_members.ready_members(members, 6, workers=1)] == list("abcde")
    assert order[:2] == ["e", "b"] and sorted(order) == list("abcde")


def test_a_spool_keeps_at_most_its_limit_in_memory(monkeypatch):
    monkeypatch.setattr(zip_members, "SPOOL", 5_000)
    spool = zip_members.Spool()
    rng = random.Random(5)
    pieces = [rng.randbytes(rng.randrange(1, 900)) for _ in range(100)]
    for piece in pieces:
        spool.write(piece)
        assert sum(map(len, spool.chunks)) <= 5_000
    assert spool.file is not None and spool.size == sum(map(len, pieces))
    assert b"".join(spool.blocks()) == b"".join(pieces)
