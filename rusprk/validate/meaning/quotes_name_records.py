"""A quote supports its event or gift by naming one of its actors, its place or its object.

An event's quote names one of its participants (by an alias, or by the
words an inferred reference declares: 'the DPRK leader'), its place (or a
place that contains it) or its country; a gift's quote names its giver or recipient, its
place or country, or a word of its item.  A quote that does none of these
("The two leaders greet each other with a handshake and a hug.") must be
marked ``context``, and no record rests on context quotes alone.
"""

from __future__ import annotations

from rusprk.validate.meaning.text import contains, quoted_words, words_of
from rusprk.validate.report import Problem


def _own(pkg, table: str, row: dict) -> set[str]:
    """The ids a quote of this record may name to support it."""
    own = set(pkg.places_up(row.get("place_id")))
    if row.get("country_iso3"):
        own.add(row["country_iso3"])
    if table == "events":
        own |= {pkg.actor(p) for p in pkg.participants_of.get(row["event_id"], [])}
    else:
        own |= {pkg.actor(row, "giver_"), pkg.actor(row, "recipient_")}
    own.discard(None)
    return own


def _standing_words(pkg, table: str, row: dict) -> list[str]:
    """The words that stand for an actor the text does not name, as the record's rationales quote them."""
    if table == "events":
        why = [p["actor_rationale"] for p in pkg.participants_of.get(row["event_id"], []) if p["actor_inferred"]]
    else:
        why = [row[f"{side}_rationale"] for side in ("giver", "recipient") if row[f"{side}_inferred"]]
    return [w for text in why for w in quoted_words(text)]


def names_record(pkg, table: str, row: dict, quote: str) -> bool:
    """Whether a quote names one of the record's actors (by an alias, or by the words an inferred
    reference declares), its place, or (a gift) its item."""
    if any(pkg.names.names_entity(quote, x) for x in _own(pkg, table, row)):
        return True
    if any(contains(quote, w) for w in _standing_words(pkg, table, row)):
        return True
    return table == "gifts" and bool(words_of(row["item"]) & words_of(quote))


def check(pkg) -> list[Problem]:
    out = []
    for table in ("events", "gifts"):
        pk = "event_id" if table == "events" else "gift_id"
        for row in pkg.rows[table]:
            named = 0
            for ev in pkg.quotes(table, row[pk], context=False):
                if names_record(pkg, table, row, ev["quote"]):
                    named += 1
                    continue
                what = "participants, place or country" if table == "events" else "giver, recipient, place or item"
                out.append(Problem("evidence", ev["evidence_id"], "quote",
                                   f"{ev['quote']!r} names none of {row[pk]}'s {what} by a recorded alias: quote the "
                                   "words that name them, add the name form it uses as a mention, or mark the quote "
                                   "context: true"))
            if pkg.quotes(table, row[pk]) and not named:
                out.append(Problem(table, row[pk], "evidence",
                                   "every quote of the record is context or names none of its actors: it needs one "
                                   "quote that names them"))
    return out
