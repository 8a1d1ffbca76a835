"""How to cite the exact version of RUSPRK in use.

The facts come from ``citation.json`` beside the tables, written by the build
from ``CITATION.cff``: nothing here repeats a title, a year or a version.
"""

from __future__ import annotations

STYLES = ("text", "apa", "bibtex")


def citation() -> dict:
    """The citation facts of this release: title, authors, version, year, url, doi (None until minted)."""
    import json

    from rusprk._load import data_dir

    return json.loads((data_dir() / "citation.json").read_text(encoding="utf-8"))


def cite(style: str = "text") -> str:
    """The citation for this version: style "text", "apa" or "bibtex"."""
    return cite_from(citation(), style)


def cite_from(c: dict, style: str) -> str:
    """Format citation facts (as in ``citation.json``) in one style."""
    if style not in STYLES:
        raise ValueError(f"unknown citation style {style!r}; choose {', '.join(STYLES)}")
    authors, v, year, title = " and ".join(c["authors"]), c["version"], c["year"], c["title"]
    link = f"https://doi.org/{c['doi']}" if c["doi"] else c["url"]
    if style == "bibtex":
        key = f"rusprk_{v.replace('.', '_')}"
        doi = f"  doi = {{{c['doi']}}},\n" if c["doi"] else ""
        return (f"@misc{{{key},\n  author = {{{{{authors}}}}},\n  title = {{{{{title}}}}},\n"
                f"  year = {{{year}}},\n  version = {{{v}}},\n  howpublished = {{Dataset}},\n"
                f"{doi}  url = {{{link}}},\n  note = {{Version {v}}}\n}}")
    if style == "apa":
        return f"{', '.join(c['authors'])}. ({year}). {title} (Version {v}) [Data set]. {link}"
    return f"{', '.join(c['authors'])} ({year}). {title}, version {v}. Dataset. {link}"
