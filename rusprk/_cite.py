"""How to cite the exact version of RUSPRK in use."""

from __future__ import annotations

TITLE = "RUSPRK: Russia–North Korea high-level exchanges"
AUTHOR = "RUSPRK curators"
YEAR = "2026"
URL = "https://github.com/rusprk/rusprk"


def cite(style: str = "text") -> str:
    """The citation for this version: style "text", "apa" or "bibtex"."""
    from rusprk import __version__ as v

    if style == "bibtex":
        key = f"rusprk_{v.replace('.', '_')}"
        return (f"@misc{{{key},\n  author = {{{{{AUTHOR}}}}},\n  title = {{{{{TITLE}}}}},\n"
                f"  year = {{{YEAR}}},\n  version = {{{v}}},\n  howpublished = {{Dataset}},\n"
                f"  url = {{{URL}}},\n  note = {{Version {v}}}\n}}")
    if style == "apa":
        return f"{AUTHOR}. ({YEAR}). {TITLE} (Version {v}) [Data set]. {URL}"
    if style == "text":
        return f"{AUTHOR} ({YEAR}). {TITLE}, version {v}. Dataset. {URL}"
    raise ValueError(f"unknown citation style {style!r}; choose text, apa or bibtex")
