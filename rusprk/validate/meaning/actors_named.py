"""A participant's, giver's or recipient's quote names them by one of their aliases.

Every name form a quote relies on is an alias of its actor, so a quote that
names its actor in a spelling nobody recorded fails here until the spelling
is added as a mention.  A quote that refers to the actor without a name
("the Declaration that you signed") is allowed when the record says so:
``actor_inferred`` (``recipient_inferred`` for a gift) with a rationale that
quotes the words standing for the actor; those words must occur in the quote
and must not themselves be a name (a name belongs in the aliases).
"""

from __future__ import annotations

from rusprk.validate.meaning.text import contains, looks_like_name, quoted_words
from rusprk.validate.report import Problem


def inferred_reference_problem(pkg, quotes: list[str], rationale: str | None) -> str | None:
    """Why a rationale does not show which words of the quotes stand for the actor (None: it does)."""
    words = quoted_words(rationale)
    standing = [w for w in words if any(contains(q, w) for q in quotes)]
    if not standing:
        return (f"the rationale must quote the words of the quote that stand for the actor (e.g. 'you'); it quotes "
                f"{words or 'nothing'}, none of which occurs in {quotes[0]!r}")
    names = [w for w in standing if looks_like_name(w) or w.strip() in pkg.names.names]
    if len(names) == len(standing):
        return (f"{names[0]!r} is a name, not a description: add it as a mention of the actor (so it becomes an "
                "alias) instead of marking the reference inferred")
    return None


def _participants(pkg) -> list[Problem]:
    out = []
    for p in pkg.rows["participants"]:
        actor, pid = pkg.actor(p), p["participant_id"]
        field = "person_id" if p.get("person_id") else "body_id"
        unnamed = [ev["quote"] for ev in pkg.quotes("participants", pid, context=False)
                   if not pkg.names.names_entity(ev["quote"], actor)]
        if unnamed and not p["actor_inferred"]:
            out.append(Problem("participants", pid, field,
                               f"{unnamed[0]!r} does not name {actor} by any of its aliases "
                               f"({', '.join(pkg.names.aliases_of(actor)) or 'none recorded'}): add the name form it "
                               "uses as a mention, give a quote that names them, or, if it refers to them without a "
                               "name, set actor_inferred and quote the words in actor_rationale"))
        elif unnamed:
            why = inferred_reference_problem(pkg, unnamed, p["actor_rationale"])
            if why:
                out.append(Problem("participants", pid, "actor_rationale", why))
        elif p["actor_inferred"] and pkg.quotes("participants", pid, context=False):
            out.append(Problem("participants", pid, "actor_inferred",
                               f"actor_inferred is true but every quote names {actor}: the reference is stated"))
    return out


def _gifts(pkg) -> list[Problem]:
    out = []
    for g in pkg.rows["gifts"]:
        quotes = [ev["quote"] for ev in pkg.quotes("gifts", g["gift_id"], context=False)]
        if not quotes:
            continue
        for side in ("giver", "recipient"):
            actor = pkg.actor(g, f"{side}_")
            if actor is None:
                continue
            named = any(pkg.names.names_entity(q, actor) for q in quotes)
            inferred, rationale = g[f"{side}_inferred"], g[f"{side}_rationale"]
            if not named and not inferred:
                out.append(Problem("gifts", g["gift_id"], f"{side}_{'person' if actor.startswith('per-') else 'body'}_id",
                                   f"no quote of the gift names its {side} {actor} by any of its aliases "
                                   f"({', '.join(pkg.names.aliases_of(actor)) or 'none recorded'}): add the name "
                                   f"form as a mention, quote a span that names them, or set {side}_inferred and "
                                   f"quote the words that stand for them in {side}_rationale"))
            elif not named:
                why = inferred_reference_problem(pkg, quotes, rationale)
                if why:
                    out.append(Problem("gifts", g["gift_id"], f"{side}_rationale", why))
            elif side == "recipient" and inferred:
                out.append(Problem("gifts", g["gift_id"], "recipient_inferred",
                                   f"recipient_inferred is true but a quote names {actor}: the recipient is stated"))
    return out


def check(pkg) -> list[Problem]:
    return _participants(pkg) + _gifts(pkg)
