"""A gift rated 'stated' has no giver or recipient read from context.

The vocabulary calls a gift whose giver or recipient is read from context
'probable' (or 'unclear'): a gift with ``giver_inferred`` or
``recipient_inferred`` cannot be 'stated'. (A giver the text does not name or
describe stays null, which a 'stated' gift allows.)
"""

from __future__ import annotations

from rusprk.validate.report import Problem


def check(pkg) -> list[Problem]:
    out = []
    for g in pkg.rows["gifts"]:
        if g["certainty"] == "stated" and (g["giver_inferred"] or g["recipient_inferred"]):
            side = "giver" if g["giver_inferred"] else "recipient"
            out.append(Problem("gifts", g["gift_id"], "certainty",
                               f"'stated', but the {side} is read from context ({side}_inferred): the vocabulary "
                               "calls that 'probable'"))
    return out
