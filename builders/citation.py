"""The citation facts, read from ``CITATION.cff``: the one place title, authors, year, version and DOI live.

The build writes them to ``dist/citation.json``, which travels in the wheel
and the release, so ``rusprk.cite()`` formats them without a YAML parser and
without a year or version written anywhere else.  The version must agree with
``pyproject.toml`` (the build refuses a mismatch).
"""

from __future__ import annotations

from pathlib import Path

import yaml

from builders.errors import BuildError
from builders.release import project_version


def citation(root: Path) -> dict:
    cff_path = root / "CITATION.cff"
    try:
        cff = yaml.safe_load(cff_path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise BuildError(cff_path, f"cannot read the citation file: {exc}", field="CITATION.cff") from None
    version = str(cff.get("version", ""))
    if version != project_version(root):
        raise BuildError(cff_path, f"version {version!r} differs from pyproject.toml's "
                                   f"{project_version(root)!r}: change both", field="version")
    released = str(cff.get("date-released", ""))
    dois = [i["value"] for i in cff.get("identifiers", []) if i.get("type") == "doi"]
    if cff.get("doi"):
        dois.insert(0, cff["doi"])
    return {
        "title": cff["title"],
        "authors": [a.get("name") or " ".join(x for x in (a.get("given-names"), a.get("family-names")) if x)
                    for a in cff["authors"]],
        "version": version,
        "date_released": released,
        "year": released[:4],
        "url": cff.get("url") or cff.get("repository-code"),
        "doi": dois[0] if dois else None,  # none until the first Zenodo release has minted one
        "license": cff.get("license"),
    }
