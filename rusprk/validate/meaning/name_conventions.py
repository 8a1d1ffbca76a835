"""Canonical names follow the documented convention for their country (``NAME_CONVENTIONS``)."""

from __future__ import annotations

import re

from rusprk.metadata import NAME_CONVENTIONS
from rusprk.validate.report import Problem


def check(pkg) -> list[Problem]:
    out = []
    for p in pkg.rows["people"]:
        rule = NAME_CONVENTIONS.get(p["country_iso3"])
        if rule and not re.match(rule[0], p["name"]):
            out.append(Problem("people", p["person_id"], "name",
                               f"{p['name']!r} does not follow the naming convention for {p['country_iso3']}: "
                               f"{rule[1]} Keep the other spelling as an alias."))
    return out
