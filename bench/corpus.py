"""A synthetic source tree of N seeds made from the real ones, for the build-scaling benchmark.

    python bench/corpus.py 2000 OUT

writes ``OUT`` as a copy of the build inputs whose ``seeds/`` and
``builders/handmaps/`` hold N seeds (N a multiple of 5): the five real seeds
and their hand-maps, then copies in groups of five.  In group g every id the
real hand-maps define is renamed (``per-kim-jong-un`` -> ``per-kim-jong-un-g7``)
wherever it occurs, so each group's references resolve inside it, and each
copied seed gains one unique closing paragraph (declared under ``no_facts``)
so its bytes and sha256 are its own.  The hand-maps are full size and every
quote is found: the build does for each copy all it does for a real seed.

Never part of a release or the test suite.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

_ID = re.compile(r"(?<![a-z0-9-])(?:src|per|plc|bod|evt|gft)-[a-z0-9]+(?:-[a-z0-9]+)*(?![a-z0-9-])")


def defined_ids(maps: list[Path]) -> set[str]:
    import yaml

    ids = set()
    for path in maps:
        hm = yaml.safe_load(path.read_text(encoding="utf-8"))
        ids.add(hm["source"]["id"])
        for section in ("people", "places", "bodies", "events", "gifts"):
            ids.update(r["id"] for r in hm.get(section) or [])
    return ids


def make(n: int, out: Path, root: Path = ROOT) -> Path:
    if n < 5 or n % 5:
        raise SystemExit("N must be a multiple of 5 (whole groups of the five real seeds)")
    from builders.release import BUILD_INPUTS

    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    # What a build reads, and the package that runs it.
    for name in sorted({"rusprk", *(n.split("/")[0] for n in BUILD_INPUTS)}):
        src = root / name
        if src.is_dir():
            shutil.copytree(src, out / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif src.is_file():
            shutil.copy2(src, out / name)
    seeds = sorted((root / "seeds").glob("*.txt"))[:5]
    maps = [root / "builders" / "handmaps" / f"{s.stem}.yaml" for s in seeds]
    ids = defined_ids(maps)
    number = len(list((out / "seeds").glob("*.txt")))
    for group in range(1, n // 5):
        for seed, handmap in zip(seeds, maps):
            paragraph = f"Synthetic closing paragraph {number} for the build benchmark, group {group}."
            data = seed.read_bytes().rstrip(b"\n") + f"\n\n{paragraph}\n".encode()
            name = f"{number:03d}_{hashlib.sha256(data).hexdigest()[:16]}"
            (out / "seeds" / f"{name}.txt").write_bytes(data)
            text = _ID.sub(lambda m: f"{m.group()}-g{group}" if m.group() in ids else m.group(),
                           handmap.read_text(encoding="utf-8"))
            text = re.sub(r"^seed: .*$", f"seed: {name}.txt", text, count=1, flags=re.M)
            text = re.sub(r"^seed_sha256: .*$", f"seed_sha256: {hashlib.sha256(data).hexdigest()}", text, count=1,
                          flags=re.M)
            entry = f"  - quote: {paragraph}\n    reason: Synthetic paragraph of the benchmark corpus.\n"
            if re.search(r"^no_facts:\s*\[\]\s*$", text, flags=re.M):
                text = re.sub(r"^no_facts:\s*\[\]\s*$", "no_facts:\n" + entry.rstrip("\n"), text, count=1, flags=re.M)
            elif re.search(r"^no_facts:\s*$", text, flags=re.M):
                text = re.sub(r"^no_facts:\s*$", "no_facts:\n" + entry.rstrip("\n"), text, count=1, flags=re.M)
            else:
                text = text.rstrip("\n") + "\n\nno_facts:\n" + entry
            (out / "builders" / "handmaps" / f"{name}.yaml").write_text(text, encoding="utf-8")
            number += 1
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="number of seeds (a multiple of 5)")
    parser.add_argument("out", type=Path, help="folder to write (replaced)")
    args = parser.parse_args(argv)
    make(args.n, args.out)
    print(f"{args.out}: {args.n} seeds")
    return 0


if __name__ == "__main__":
    sys.exit(main())
