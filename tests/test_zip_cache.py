"""A release zip copies the members the previous one already holds (``builders.zip_cache``), and only those.

``zip_step`` does what the build does at its zip step: stage the files (their sha256 known), write the zip
with ``dist/``'s zip as the earlier one when ``.cache/`` vouches for it, leave the manifest, and publish the
zip into ``dist/``.  Whatever happened to the manifest or to the old zip, the new zip must be byte for byte
the zip written from nothing; and with an intact cache only the changed members are deflated.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import random
import shutil
import zlib
from pathlib import Path

import pytest

from builders import cache, publish, zip_cache
from builders.formats import zip_members

CREATED = "2030-05-06T07:08:09Z"


def corpus(seed: int = 1) -> dict[str, bytes]:
    rng = random.Random(seed)
    files = {f"site/events/evt-{i:03d}.html": b"<h1>Visit %d</h1>%s" % (i, b"<p>Kim</p>" * rng.randrange(400))
             for i in range(40)}
    files["events.csv"] = b"event_id,title\n" + b"".join(b"evt-%d,Visit %d\n" % (i, i) for i in range(60_000))
    files["events.parquet"] = rng.randbytes(2_500_000)
    files["copy.html"] = files["site/events/evt-003.html"]  # two members, one content
    files["empty.txt"] = b""
    files["seeds/Пхеньян.txt"] = "Пхеньян, Москва.\n".encode() * 100
    assert len(files["events.csv"]) > zip_members.BLOCK  # read in blocks
    assert len(files["events.parquet"]) > 2 * zip_members.BLOCK  # stored: copied from the old zip in blocks
    return files


def stage(folder: Path, files: dict[str, bytes]) -> tuple[dict[str, Path], dict[str, str]]:
    shutil.rmtree(folder, ignore_errors=True)
    paths = {}
    for name, data in files.items():
        paths[name] = folder / name
        paths[name].parent.mkdir(parents=True, exist_ok=True)
        paths[name].write_bytes(data)
    return paths, {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}


def zip_step(root: Path, files: dict[str, bytes], version: str = "1.0.0", publish_it: bool = True,
             crcs: bool = True) -> bytes:
    """The build's zip step on ``files``; the zip, then in ``dist/`` unless ``publish_it`` is false (a build
    that failed after it).  The files' CRC-32s are given, as the build's staging gives them, unless ``crcs`` is
    false (then the zip step reads each file for it)."""
    paths, hashes = stage(root / "staging", files)
    name = f"rusprk-{version}.zip"
    new = root / "staging" / name
    sums = {name: zlib.crc32(data) for name, data in files.items()} if crcs else None
    with zip_cache.earlier_zip(root, publish.ZIP_LEVEL) as earlier, open(new, "wb") as fh:
        written = publish.release_zip(version, CREATED, {"SHA256SUMS": publish.sha256sums_of(hashes)}, out=fh,
                                      paths=paths, path_hashes=hashes, earlier=earlier, path_crcs=sums)
    data = new.read_bytes()
    zip_cache.remember(root, name, hashlib.sha256(data).hexdigest(), written, publish.ZIP_LEVEL, keep=earlier)
    if publish_it:
        shutil.rmtree(root / "dist", ignore_errors=True)
        (root / "dist").mkdir()
        (root / "dist" / name).write_bytes(data)
    return data


def from_nothing(tmp_path: Path, files: dict[str, bytes], version: str = "1.0.0") -> bytes:
    paths, hashes = stage(tmp_path / "clean", files)
    return publish.release_zip(version, CREATED, {"SHA256SUMS": publish.sha256sums_of(hashes)}, paths=paths)


@pytest.fixture
def deflated(monkeypatch):
    """The names of the members deflated (not copied) from here on."""
    names: list[str] = []
    original = zip_members._compressed
    monkeypatch.setattr(zip_members, "_compressed", lambda member, level: names.append(member.name.split("/", 1)[1])
                        or original(member, level))
    return names


def edited(files: dict[str, bytes]) -> dict[str, bytes]:
    return {**files, "site/events/evt-007.html": files["site/events/evt-007.html"] + b"<p>Edited</p>",
            "site/new.html": b"<p>a new page</p>"}


def test_only_the_changed_members_are_deflated(tmp_path, deflated):
    root = tmp_path / "root"
    files = corpus()
    zip_step(root, files)
    assert len(deflated) == len(files) + 1  # the first zip deflates (or stores) every member, SHA256SUMS too
    deflated.clear()
    again = zip_step(root, edited(files))
    assert sorted(deflated) == ["SHA256SUMS", "site/events/evt-007.html", "site/new.html"]
    deflated.clear()
    assert again == from_nothing(tmp_path, edited(files))
    assert len(deflated) == len(edited(files)) + 1  # (the spy sees a zip from nothing deflate everything)


def test_with_the_crc_32s_given_a_copied_member_s_file_is_not_read(tmp_path, deflated, monkeypatch):
    """The build's staging sums each file's CRC-32 with its sha256; the zip step then reads only the files it
    deflates (an edit build's unchanged site pages were each read again for their CRC-32)."""
    root = tmp_path / "root"
    zip_step(root, corpus())
    read: list[str] = []
    original = zip_members.Member.blocks
    monkeypatch.setattr(zip_members.Member, "blocks", lambda m: read.append(m.name.split("/", 1)[1]) or original(m))
    deflated.clear()
    again = zip_step(root, edited(corpus()))
    assert sorted(read) == sorted(deflated) == ["SHA256SUMS", "site/events/evt-007.html", "site/new.html"]
    read.clear()
    assert zip_step(tmp_path / "summed", corpus(), crcs=False) and zip_step(tmp_path / "summed", edited(corpus()),
                                                                            crcs=False) == again
    assert len(read) == len(corpus()) + 1 + len(edited(corpus())) + 1  # without them, every member is read
    monkeypatch.undo()
    assert again == from_nothing(tmp_path, edited(corpus()))


def test_a_new_version_copies_from_the_last_version_s_zip(tmp_path, deflated):
    """The folder inside the zip is named after the version; the members' compressed bytes are the same."""
    root = tmp_path / "root"
    zip_step(root, corpus())
    deflated.clear()
    bumped = zip_step(root, corpus(), version="1.1.0")
    assert deflated == []  # SHA256SUMS too: it lists the same files with the same hashes
    assert bumped == from_nothing(tmp_path, corpus(), version="1.1.0")


def _manifest(root: Path) -> Path:
    [path] = (root / zip_cache.FOLDER).glob("*.json")
    return path


def _rewrite(path: Path, change) -> None:
    """A changed manifest, its checksum line made again: whole, so only what it says can refuse it."""
    m = json.loads(cache.get_bytes(path))
    change(m)
    cache.put_bytes(path, json.dumps(m).encode())


def _rotate(column: int):
    def change(m):
        values = [e[column] for e in m["members"]]
        for e, v in zip(m["members"], values[1:] + values[:1]):
            e[column] = v
    return change


def _set_all(column: int, value):
    def change(m):
        for e in m["members"]:
            e[column] = value
    return change


MANIFEST_DAMAGE = {
    "garbage": lambda p: p.write_bytes(os.urandom(p.stat().st_size)),
    "truncated": lambda p: p.write_bytes(p.read_bytes()[: p.stat().st_size // 2]),
    "emptied": lambda p: p.write_bytes(b""),
    "checksum line lost": lambda p: p.write_bytes(p.read_bytes().partition(b"\n")[2]),
    "not an object": lambda p: cache.put_bytes(p, b"[1, 2, 3]"),
    "not JSON": lambda p: cache.put_bytes(p, b"{members: []}"),
    "nested past reading": lambda p: cache.put_bytes(p, b"[" * 200_000),
    "offsets moved": lambda p: _rewrite(p, lambda m: [e.__setitem__(1, e[1] + 1) for e in m["members"]]),
    "offsets swapped": lambda p: _rewrite(p, _rotate(1)),
    "offsets past the end": lambda p: _rewrite(p, _set_all(1, 10**12)),
    "offsets too large to read": lambda p: _rewrite(p, _set_all(1, 2**70)),
    "negative offsets": lambda p: _rewrite(p, _set_all(1, -30)),
    "offsets not numbers": lambda p: _rewrite(p, _set_all(1, "0")),
    "offsets true": lambda p: _rewrite(p, _set_all(1, True)),
    "hashes rotated": lambda p: _rewrite(p, _rotate(0)),  # every header agrees: only the CRC check refuses
    "hashes made up": lambda p: _rewrite(p, _set_all(0, "ab" * 32)),
    "hashes not hex": lambda p: _rewrite(p, _set_all(0, "not a hash")),
    "sizes lie": lambda p: _rewrite(p, lambda m: [e.__setitem__(4, e[4] + 1) for e in m["members"]]),
    "crc lies": lambda p: _rewrite(p, lambda m: [e.__setitem__(3, e[3] ^ 1) for e in m["members"]]),
    "short entries": lambda p: _rewrite(p, lambda m: [e.pop() for e in m["members"]]),
    "another zlib": lambda p: _rewrite(p, lambda m: m.__setitem__("zlib", "0.9.0")),
    "another level": lambda p: _rewrite(p, lambda m: m.__setitem__("level", 9)),
    "another zip's": lambda p: _rewrite(p, lambda m: m.__setitem__("sha256", "0" * 64)),
    "renamed": lambda p: p.rename(p.with_name("0" * 64 + ".json")),
    "removed": lambda p: p.unlink(),
    "cache folder removed": lambda p: shutil.rmtree(p.parent.parent),
}


@pytest.mark.parametrize("crcs", [True, False], ids=["crc-32s given", "crc-32s summed"])
@pytest.mark.parametrize("damage", sorted(MANIFEST_DAMAGE))
def test_a_damaged_manifest_cannot_change_the_zip(tmp_path, damage, crcs, deflated):
    root = tmp_path / "root"
    zip_step(root, corpus())
    MANIFEST_DAMAGE[damage](_manifest(root))
    deflated.clear()
    again = zip_step(root, edited(corpus()), crcs=crcs)
    count = len(deflated)
    assert again == from_nothing(tmp_path, edited(corpus()))
    if damage == "hashes rotated":  # taken as a manifest, but no member's copy holds its bytes
        assert count >= len(corpus()) - 2
    else:  # refused as a whole
        assert count == len(edited(corpus())) + 1


def _flip_in_member(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 3] ^= 0xFF
    path.write_bytes(bytes(data))


ZIP_DAMAGE = {
    "a byte changed": _flip_in_member,
    "cut short": lambda p: p.write_bytes(p.read_bytes()[:-100]),
    "removed": lambda p: p.unlink(),
    "another zip": lambda p: p.write_bytes(from_nothing(p.parent.parent, corpus(2))),
}


@pytest.mark.parametrize("damage", sorted(ZIP_DAMAGE))
def test_a_damaged_old_zip_cannot_change_the_zip(tmp_path, damage, deflated):
    root = tmp_path / "root"
    zip_step(root, corpus())
    ZIP_DAMAGE[damage](root / "dist" / "rusprk-1.0.0.zip")
    deflated.clear()
    again = zip_step(root, edited(corpus()))
    assert len(deflated) == len(edited(corpus())) + 1
    assert again == from_nothing(tmp_path, edited(corpus()))


def test_a_build_that_fails_after_its_zip_leaves_the_old_zip_s_manifest(tmp_path, deflated):
    root = tmp_path / "root"
    zip_step(root, corpus())
    zip_step(root, edited(corpus()), publish_it=False)  # its manifest is written; dist/ keeps the first zip
    assert len(list((root / zip_cache.FOLDER).glob("*.json"))) == 2
    deflated.clear()
    again = zip_step(root, edited(corpus()))
    assert sorted(deflated) == ["SHA256SUMS", "site/events/evt-007.html", "site/new.html"]
    assert again == from_nothing(tmp_path, edited(corpus()))
    assert len(list((root / zip_cache.FOLDER).glob("*.json"))) == 2  # dist/'s zip's and the new one's
    zip_step(root, edited(corpus()))
    assert len(list((root / zip_cache.FOLDER).glob("*.json"))) == 1  # the same zip again: only its own


def test_an_unwritable_cache_never_fails_the_zip(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    (root / ".cache").write_text("a file where the cache folder would be")
    assert zip_step(root, corpus()) == from_nothing(tmp_path, corpus())
    assert zip_step(root, edited(corpus())) == from_nothing(tmp_path, edited(corpus()))


def test_the_manifest_names_zlib_and_its_zip(tmp_path):
    root = tmp_path / "root"
    data = zip_step(root, corpus())
    path = _manifest(root)
    m = json.loads(cache.get_bytes(path))
    assert path.stem == m["sha256"] == hashlib.sha256(data).hexdigest()
    assert (m["zip"], m["zlib"], m["level"]) == ("rusprk-1.0.0.zip", zlib.ZLIB_RUNTIME_VERSION, publish.ZIP_LEVEL)
    assert len(m["members"]) == len(corpus()) + 1


def test_an_old_zip_cut_short_while_copying_fails_the_step_cleanly(tmp_path):
    """An OSError naming the file (the build reports it in one line and publishes nothing), not a wrong zip."""
    root = tmp_path / "root"
    zip_step(root, corpus())
    paths, hashes = stage(root / "staging", edited(corpus()))
    old = root / "dist" / "rusprk-1.0.0.zip"
    with zip_cache.earlier_zip(root, publish.ZIP_LEVEL) as earlier:
        assert earlier is not None
        os.truncate(old, 1000)
        with pytest.raises(OSError) as caught:
            publish.release_zip("1.0.0", CREATED, {}, out=io.BytesIO(), paths=paths, path_hashes=hashes,
                                earlier=earlier)
    assert caught.value.filename == str(old)
