"""The one place where RUSPRK's tables are described.

Every table, field, type, constraint, key and vocabulary is written here once.
Everything else is derived from it:

* the Frictionless table schemas in ``schemas/`` and ``datapackage.json``
  (``builders.publish``),
* the pandera checks (``builders.validate``),
* the pyarrow schemas used to write Parquet (``rusprk._arrow``),
* the pandas dtypes the loader returns (``rusprk.load``),
* the codebook in ``docs/codebook.md`` (``builders.codebook``),
* the meaning rules (``rusprk.validate.meaning``), which read the CAMEO codes, role patterns, party
  roles and naming conventions below as data.

A test proves they agree.  This module imports nothing but the standard
library so that ``import rusprk`` stays fast.
"""

from __future__ import annotations

from dataclasses import dataclass, field as _dc_field

__all__ = [
    "Field",
    "Resource",
    "VOCABULARIES",
    "RESOURCES",
    "RESOURCE_ORDER",
    "ID_PATTERN",
    "resource",
]

#: Stable, human-readable ids: a table prefix, then a lower-case slug.
#: Ids are chosen by curators in the hand-maps, never derived from row order,
#: and never reused for another record once published.
# Seed file names: a number (the next free one, at least three digits) and the first 16 hex digits of
# the SHA-256 of the file's bytes (the five original seeds' names predate the rule: their hex part is
# not their hash).  Up to six digits: a million sources.  Seeds are ordered by the number.
SEED_FILE_PATTERN = r"^[0-9]{3,6}_[0-9a-f]{16}\.txt$"
ID_PATTERN = r"^[a-z]{3}-[a-z0-9]+(-[a-z0-9]+)*$"

#: The value types a field may have.  Names follow Frictionless Table Schema.
TYPES = ("string", "integer", "boolean", "date")


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    description: str
    required: bool = False
    unique: bool = False
    enum: str | None = None  # key into VOCABULARIES
    pattern: str | None = None
    minimum: int | None = None
    maximum: int | None = None
    null_means: str | None = None  # what an empty value means, for the codebook
    verbatim: bool = False  # text as the seed prints it (a quote, a spelling): kept even if it starts like a formula

    def __post_init__(self) -> None:
        if self.type not in TYPES:
            raise ValueError(f"field {self.name}: unknown type {self.type!r}")
        if self.required and self.null_means:
            raise ValueError(f"field {self.name}: required fields are never null")


@dataclass(frozen=True)
class ForeignKey:
    fields: tuple[str, ...]
    resource: str
    reference_fields: tuple[str, ...]


@dataclass(frozen=True)
class Resource:
    name: str
    title: str
    description: str  # one line: what one row is
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...] = _dc_field(default_factory=tuple)

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"{self.name} has no field {name!r}")


def _fk(field: str, resource: str, ref: str | None = None) -> ForeignKey:
    return ForeignKey((field,), resource, (ref or field,))


# --------------------------------------------------------------------------
# Vocabularies: value -> definition.  Order is the order of categories.
# --------------------------------------------------------------------------

VOCABULARIES: dict[str, dict[str, str]] = {
    "date_precision": {
        "day": "The days are known: start is the first and end the last day (equal for one day). A side the "
               "text does not give is null, an open bound (a trip whose start is stated and whose end is not).",
        "month": "Only the month is known; start is the first and end the last day of the month(s).",
        "year": "Only the year is known; start is 1 January and end 31 December of the year(s).",
        "range": "It happened on some day(s) between start and end, which bound it but are not its exact days. "
                 "A side with no bound is null ('said before 31 May 2018': start null, end 2018-05-31).",
        "unknown": "The text gives no date and no bound that can be resolved; start and end are both null.",
    },
    "status": {
        "occurred": "Reported as having happened.",
        "planned": "Reported as planned or expected at the time of the report; not shown to have happened.",
        "alleged": "A claim by one party about another that the source reports without confirming.",
        "cancelled": "Reported as called off.",
    },
    "event_type": {
        "visit": "A trip by a guest to a host country, as a whole.",
        "arrival": "The guest's arrival in the host country or city.",
        "stop": "A stop at one place during a larger trip (always part of a visit).",
        "welcome": "A ceremonial welcome or escort by the host: airport greeting, honour guard, motorcade.",
        "meeting": "An in-person meeting or reception between officials.",
        "talks": "Official talks or negotiations between delegations or leaders.",
        "summit": "A meeting of leaders at a third location.",
        "phone_call": "A conversation by telephone.",
        "statement": "A public statement, confirmation or message, including posts on social media.",
        "publication": "A letter, article or set of photographs published in the media.",
        "praise": "Praise, congratulations or endorsement of another party.",
        "intent_to_negotiate": "An announced willingness to meet, talk or resume negotiations.",
        "intent_to_settle": "An announced intention to settle a dispute (e.g. to end a war formally).",
        "agreement_signed": "The signing of a formal agreement or declaration.",
        "meeting_rejected": "A refusal or cancellation of a proposed meeting or dialogue.",
        "military_aid": "The provision of weapons or other military aid.",
        "military_force": "The use of conventional military force, including war and invasion.",
        "election": "An election or re-election to office (no CAMEO equivalent).",
    },
    "participant_role": {
        "host": "Receives or welcomes the guest.",
        "guest": "Visits or is received.",
        "inviter": "Issued the invitation for the event.",
        "participant": "Takes part on an equal footing (talks, calls, summits, a war), or is present in no more "
                       "specific role the text states.",
        "speaker": "Makes the statement, or writes the letter, post or article.",
        "addressee": "The party a statement or message is addressed to.",
        "subject": "The party a statement is about.",
        "claimant": "Makes the allegation reported.",
        "provider": "Gives the aid or support.",
        "receiver": "Receives the aid or support.",
        "signatory": "Signs the agreement.",
        "initiator": "Carries out a one-sided action (attack, refusal).",
        "target": "The party a one-sided action is directed at.",
        "photographer": "Took the photographs published.",
        "publisher": "Publishes the letter, article or photographs (a newspaper, an agency).",
    },
    "gift_certainty": {
        "stated": "The text states that the recipient was given or received the item; a giver it does not name or describe stays null.",
        "probable": "The item and recipient are stated; the giver or occasion is read from context and marked inferred.",
        "unclear": "The text is ambiguous about what was given, by whom or to whom; notes explain the reading.",
    },
    "place_kind": {
        "country": "A sovereign state.",
        "region": "A region or province.",
        "city": "A city or town.",
        "village": "A village.",
        "site": "A named site: a cosmodrome, a demilitarised-zone village, a palace complex.",
        "building": "A named building or residence.",
        "airport": "An airport.",
    },
    "body_kind": {
        "state": "A state acting as a whole (as in 'Pyongyang', 'Moscow', 'Washington').",
        "ministry": "A government ministry or the presidential office.",
        "agency": "A news agency or other state agency.",
        "newspaper": "A newspaper.",
        "military": "A military formation.",
        "region_government": "A regional government.",
    },
    "place_precision": {
        "site": "The place is a named building, site or airport (place kinds building, site, airport).",
        "city": "The place is a city, town or village.",
        "region": "The place is a region or province.",
        "country": "Only the country is known: country_iso3 is set, place_id is null.",
        "unknown": "No place or country is stated or safely implied.",
    },
    "alias_kind": {
        "canonical": "The canonical name itself, where it occurs in a seed.",
        "variant": "Another spelling or transliteration (Sergey/Sergei, Kim Jong Un/Kim Jong-un).",
        "short": "A short form or acronym (Lavrov, Kim, DPRK, US).",
        "full": "A fuller or formal form (with patronymic or title; Russian Federation).",
        "garble": "A machine-translation garble of the name (Kim Jong-UN, Eun, Pakhlavon).",
    },
    "text_region": {
        "title": "The article's headline.",
        "header": "Lines between headline and body: byline, dateline, publisher line, URL.",
        "body": "The article body, page furniture removed.",
        "caption": "A photo caption or image description, kept apart from the body.",
        "credit": "A photo credit line: source metadata, not content.",
    },
    "record_table": {},  # filled below from the resource names that carry evidence
    "cameo_code": {},  # filled below from CAMEO_CODES
}


# --------------------------------------------------------------------------
# Reusable field definitions
# --------------------------------------------------------------------------

def _id(name: str, prefix: str, what: str) -> Field:
    return Field(
        name,
        "string",
        f"Stable id of the {what} ('{prefix}-' and a slug).",
        required=True,
        unique=True,
        pattern=rf"^{prefix}-[a-z0-9]+(-[a-z0-9]+)*$",
    )


_TABLE_OF_PREFIX = {"src": "sources", "per": "people", "plc": "places", "bod": "bodies", "evt": "events",
                    "gft": "gifts"}


def _ref(name: str, prefix: str, what: str, required: bool = False, null_means: str | None = None) -> Field:
    return Field(
        name,
        "string",
        f"The {what} (id in the {_TABLE_OF_PREFIX[prefix]} table).",
        required=required,
        pattern=rf"^{prefix}-[a-z0-9]+(-[a-z0-9]+)*$",
        null_means=None if required else (null_means or "Not applicable."),
    )


def _date_fields(what: str) -> tuple[Field, ...]:
    return (
        Field("date_start", "date", f"First day of the interval in which the {what} took place.",
              null_means="Date unknown (precision 'unknown')."),
        Field("date_end", "date", f"Last day of the interval in which the {what} took place.",
              null_means="Date unknown (precision 'unknown')."),
        Field("date_precision", "string", "How precisely the text dates it.", required=True, enum="date_precision"),
        Field("date_inferred", "boolean",
              "True when the date was resolved from a relative or partial date rather than stated in full.",
              required=True),
        Field("date_rationale", "string",
              "How an inferred date was resolved, naming what it was resolved against.",
              null_means="The date is stated in full, or unknown."),
    )


_COUNTRY = Field("country_iso3", "string", "Country (ISO 3166-1 alpha-3; id in the countries table).",
                 pattern=r"^[A-Z]{3}$", null_means="Country not stated and not safely inferable.")
def _place_fields(what: str) -> tuple[Field, ...]:
    return (
        Field("place_precision", "string", f"How precisely the {what}'s place is known (from the kind of place_id, "
              "or 'country' when only country_iso3 is set).", required=True, enum="place_precision"),
        Field("place_inferred", "boolean", f"True when the {what}'s place or country is read from context (an "
              "unnamed airport read as the city's, a gift given where its occasion took place) rather than stated.",
              required=True),
        Field("place_rationale", "string", "How an inferred place or country was read, naming what it rests on.",
              null_means="The place is stated, or unknown."),
    )


_NOTES = Field("notes", "string", "Curator's notes: ambiguities, unknowns and how they were read.",
               null_means="Nothing to add.")
_INFERRED = Field("identity_inferred", "boolean",
                  "True when the canonical name or identity rests on knowledge outside the seeds.", required=True)
_INFERRED_WHY = Field("identity_rationale", "string", "Why the identity was inferred.",
                      null_means="Identity is stated in the seeds.")


# --------------------------------------------------------------------------
# Resources
# --------------------------------------------------------------------------

_RESOURCES: tuple[Resource, ...] = (
    Resource(
        "sources", "Sources",
        "One row per seed article: its file, hash and publication metadata.",
        (
            _id("source_id", "src", "source"),
            Field("seed_file", "string", "File name of the seed in seeds/: its number and a hash of its bytes "
                  "(see the codebook's Sources).", required=True, unique=True, pattern=SEED_FILE_PATTERN),
            Field("sha256", "string", "SHA-256 of the seed file's bytes.", required=True, unique=True,
                  pattern=r"^[0-9a-f]{64}$"),
            Field("title", "string", "Headline as printed.", required=True, verbatim=True),
            Field("publisher", "string", "Outlet that published the article.",
                  null_means="The page does not state the outlet."),
            Field("publisher_inferred", "boolean", "True when the publisher is read from the body rather than stated.",
                  required=True),
            Field("authors", "string", "Byline names, separated by '; '.",
                  null_means="No byline.", verbatim=True),
            Field("url", "string", "URL printed on the page (rejoined if split over lines).",
                  null_means="No URL on the page.", verbatim=True),
            Field("date_published", "date", "Publication (or last update) date of the article.",
                  null_means="The page is undated."),
            Field("date_published_precision", "string", "Precision of date_published.", required=True,
                  enum="date_precision"),
            Field("date_published_note", "string", "The dateline as printed, or why the source is undated.",
                  null_means="Nothing to add."),
            Field("language", "string", "Language of the text as stored (BCP 47).", required=True,
                  pattern=r"^[a-z]{2}$"),
            Field("machine_translated", "boolean", "True when the text is a machine translation.", required=True),
            Field("machine_translated_inferred", "boolean",
                  "True when machine translation is read from the text's garbles rather than stated.", required=True),
            Field("original_language", "string", "Language translated from (BCP 47).", pattern=r"^[a-z]{2}$",
                  null_means="Not translated, or original language unknown."),
            Field("photo_credits", "string", "Photo credit lines, separated by '; ' (source metadata).",
                  null_means="No credited photos.", verbatim=True),
            Field("retrieved_url", "string", "URL the article was retrieved from, as recorded by the curator at "
                  "retrieval (not printed on the page).", null_means="Not recorded at retrieval.", verbatim=True),
            Field("date_retrieved", "date", "Date the article was retrieved, as recorded by the curator.",
                  null_means="Not recorded at retrieval."),
            Field("retrieved_publisher", "string", "Outlet the article was retrieved from, as recorded by the "
                  "curator at retrieval (not read from the page).", null_means="Not recorded at retrieval."),
            _NOTES,
        ),
        ("source_id",),
    ),
    Resource(
        "countries", "Countries",
        "One row per country an event, place, person or body belongs to.",
        (
            Field("country_iso3", "string", "ISO 3166-1 alpha-3 code.", required=True, unique=True,
                  pattern=r"^[A-Z]{3}$"),
            Field("name", "string", "Short English name.", required=True, unique=True),
            Field("iso2", "string", "ISO 3166-1 alpha-2 code.", pattern=r"^[A-Z]{2}$",
                  null_means="Not verified."),
            Field("cow_ccode", "integer", "Correlates of War state number (ccode).", minimum=1, maximum=999,
                  null_means="Not verified."),
            Field("cow_abb", "string", "Correlates of War state abbreviation (StateAbb).", pattern=r"^[A-Z]{3}$",
                  null_means="Not verified."),
        ),
        ("country_iso3",),
    ),
    Resource(
        "places", "Places",
        "One row per real place named in a seed (cities, sites, buildings).",
        (
            _id("place_id", "plc", "place"),
            Field("name", "string", "Canonical English name.", required=True),
            Field("kind", "string", "What sort of place.", required=True, enum="place_kind"),
            _ref("within_place_id", "plc", "place", null_means="Not inside another recorded place."),
            _COUNTRY,
            _INFERRED,
            _INFERRED_WHY,
            _NOTES,
        ),
        ("place_id",),
        (_fk("within_place_id", "places", "place_id"), _fk("country_iso3", "countries")),
    ),
    Resource(
        "bodies", "Bodies",
        "One row per organisation, institution or state acting as a whole.",
        (
            _id("body_id", "bod", "body"),
            Field("name", "string", "Canonical English name.", required=True),
            Field("kind", "string", "What sort of body.", required=True, enum="body_kind"),
            _COUNTRY,
            _INFERRED,
            _INFERRED_WHY,
            _NOTES,
        ),
        ("body_id",),
        (_fk("country_iso3", "countries"),),
    ),
    Resource(
        "people", "People",
        "One row per real person who acts in an event or gift or is named in a body with a role.",
        (
            _id("person_id", "per", "person"),
            Field("name", "string", "Canonical name (see the naming convention in the codebook).", required=True),
            _COUNTRY,
            Field("role", "string", "A role that holds at every event the person is recorded in, as the seeds give "
                  "it; a title that changed between events is in participants.title_as_reported.",
                  null_means="The seeds give no role."),
            _INFERRED,
            _INFERRED_WHY,
            _NOTES,
        ),
        ("person_id",),
        (_fk("country_iso3", "countries"),),
    ),
    Resource(
        "aliases", "Aliases",
        "One row per spelling of a person's, place's, body's or country's name that occurs in the seeds.",
        (
            Field("alias_id", "string", "Stable id: the entity id, ':' and the spelling.", required=True,
                  unique=True),
            _ref("person_id", "per", "person", null_means="The alias names a place, body or country."),
            _ref("place_id", "plc", "place", null_means="The alias names a person, body or country."),
            _ref("body_id", "bod", "body", null_means="The alias names a person, place or country."),
            Field("country_iso3", "string", "The country (ISO 3166-1 alpha-3; id in the countries table).",
                  pattern=r"^[A-Z]{3}$", null_means="The alias names a person, place or body."),
            Field("alias", "string", "The spelling exactly as it occurs.", required=True, verbatim=True),
            Field("kind", "string", "How the spelling relates to the canonical name.", required=True,
                  enum="alias_kind"),
        ),
        ("alias_id",),
        (_fk("person_id", "people"), _fk("place_id", "places"), _fk("body_id", "bodies"),
         _fk("country_iso3", "countries")),
    ),
    Resource(
        "events", "Events",
        "One row per dated or datable happening the seeds assert.",
        (
            _id("event_id", "evt", "event"),
            Field("title", "string", "Curator's one-line summary of the event.", required=True),
            Field("event_type", "string", "Kind of event (each type has a default CAMEO code).", required=True,
                  enum="event_type"),
            Field("cameo_code", "string", "CAMEO event code: the event type's default, or a more specific code the "
                  "text supports (then cameo_rationale says why).", enum="cameo_code",
                  null_means="No CAMEO equivalent (elections)."),
            Field("cameo_rationale", "string", "Why the event has a code other than its type's default.",
                  null_means="The code is the event type's default."),
            Field("cameo_counted", "boolean",
                  "False when the event is part (directly or further down) of a larger recorded event with the same "
                  "CAMEO code, which already counts it (an arrival or a stop within a visit, both 042). Count "
                  "events where this is true to count each CAMEO event once.", required=True),
            Field("plover_category", "string", "PLOVER category of cameo_code.",
                  null_means="PLOVER has no category for it."),
            *_date_fields("event"),
            Field("status", "string", "Whether it happened, as the sources report it.", required=True, enum="status"),
            _ref("place_id", "plc", "place", null_means="Place not stated."),
            *_place_fields("event"),
            _COUNTRY,
            Field("russia_dprk", "boolean",
                  "True for an exchange between Russia and the DPRK; false for a context event. True needs a "
                  "Russian and a North Korean party (see the codebook's inclusion criteria).", required=True),
            _ref("part_of_event_id", "evt", "event", null_means="Not part of a larger recorded event."),
            Field("reading_inferred", "boolean",
                  "True when the record rests on a reading of a garbled (machine-translated) or ambiguous sentence "
                  "for what it says, rather than on its literal words.", required=True),
            Field("reading_rationale", "string", "How the garbled or ambiguous sentence was read, and why.",
                  null_means="The sentence is read as it stands."),
            _NOTES,
        ),
        ("event_id",),
        (_fk("place_id", "places"), _fk("country_iso3", "countries"), _fk("part_of_event_id", "events", "event_id")),
    ),
    Resource(
        "participants", "Participants",
        "One row per person or body taking part in an event in a role.",
        (
            Field("participant_id", "string", "Stable id: event id, actor id and role joined by '/'.",
                  required=True, unique=True),
            _ref("event_id", "evt", "event", required=True),
            _ref("person_id", "per", "person", null_means="The participant is a body."),
            _ref("body_id", "bod", "body", null_means="The participant is a person."),
            Field("role", "string", "Role in the event.", required=True, enum="participant_role"),
            Field("title_as_reported", "string", "The participant's title or description in the supporting text, "
                  "as of the event.", null_means="No title given there.", verbatim=True),
            Field("actor_inferred", "boolean",
                  "True when the supporting quote refers to the actor without naming them (a pronoun such as 'you', "
                  "a title such as 'the President of the United States') and who it is was read from context.",
                  required=True),
            Field("actor_rationale", "string", "The words that stand for the actor, quoted, and how they were read.",
                  null_means="The quote names the actor by one of its aliases."),
        ),
        ("participant_id",),
        (_fk("event_id", "events"), _fk("person_id", "people"), _fk("body_id", "bodies")),
    ),
    Resource(
        "gifts", "Gifts",
        "One row per gift the seeds report.",
        (
            _id("gift_id", "gft", "gift"),
            Field("item", "string", "The item as reported.", required=True, verbatim=True),
            Field("quantity", "integer", "Number of items when the text states a number.", minimum=1,
                  null_means="No number stated."),
            Field("quantity_as_reported", "string", "How the text counts it ('a set of', 'a collection of').",
                  null_means="Not counted.", verbatim=True),
            _ref("giver_person_id", "per", "person", null_means="Giver is a body, unnamed or unknown."),
            _ref("giver_body_id", "bod", "body", null_means="Giver is a person, unnamed or unknown."),
            Field("giver_description", "string", "Unnamed giver as the text describes them.",
                  null_means="Giver is named, or the text says nothing of the giver."),
            Field("giver_inferred", "boolean", "True when the giver is read from context, not stated.",
                  required=True),
            Field("giver_rationale", "string", "How the giver was read from context.",
                  null_means="The giver is stated, or not known."),
            _ref("recipient_person_id", "per", "person", null_means="Recipient is a body or unnamed."),
            _ref("recipient_body_id", "bod", "body", null_means="Recipient is a person or unnamed."),
            Field("recipient_inferred", "boolean",
                  "True when no quote of the gift names the recipient and who it is was read from context.",
                  required=True),
            Field("recipient_rationale", "string", "The words that stand for the recipient, quoted, and how they "
                  "were read.", null_means="A quote of the gift names the recipient."),
            _ref("event_id", "evt", "event", null_means="Occasion not recorded as an event."),
            *_date_fields("gift"),
            _ref("place_id", "plc", "place", null_means="Place not stated."),
            *_place_fields("gift"),
            _COUNTRY,
            Field("certainty", "string", "How certain the reading of the gift is.", required=True,
                  enum="gift_certainty"),
            _NOTES,
        ),
        ("gift_id",),
        (
            _fk("giver_person_id", "people", "person_id"),
            _fk("giver_body_id", "bodies", "body_id"),
            _fk("recipient_person_id", "people", "person_id"),
            _fk("recipient_body_id", "bodies", "body_id"),
            _fk("event_id", "events"),
            _fk("place_id", "places"),
            _fk("country_iso3", "countries"),
        ),
    ),
    Resource(
        "evidence", "Evidence",
        "One row per verbatim quote supporting one record of another table.",
        (
            Field("evidence_id", "string", "Stable id: record id, '@', source id, ':', character span.",
                  required=True, unique=True),
            Field("record_table", "string", "Table of the record supported.", required=True, enum="record_table"),
            Field("record_id", "string", "Id of the record supported (its primary key).", required=True),
            _ref("source_id", "src", "source", required=True),
            Field("region", "string", "Part of the article the quote comes from.", required=True, enum="text_region"),
            Field("context", "boolean",
                  "True when the curator marks the quote as context: it supports the record without naming any of "
                  "its actors, its place or its object ('The two leaders greet each other with a handshake and a "
                  "hug.'). Every record also has evidence that is not context.", required=True),
            Field("quote", "string", "The quote exactly as it stands in the seed at the offsets.", required=True,
                  verbatim=True),
            Field("char_start", "integer", "Start offset in characters (Unicode code points) of the seed text "
                  "decoded as UTF-8, 0-based.", required=True, minimum=0),
            Field("char_end", "integer", "End offset (exclusive) in characters.", required=True, minimum=1),
            Field("byte_start", "integer", "Start offset in bytes of the seed file.", required=True, minimum=0),
            Field("byte_end", "integer", "End offset (exclusive) in bytes.", required=True, minimum=1),
            Field("prefix", "string", "The seed text just before the quote, as stored (the text the character "
                  "offsets index): the 32 characters before char_start, fewer when the quote starts nearer the "
                  "seed's start. With suffix it anchors the quote as a W3C TextQuoteSelector does, so a quote "
                  "can be found again in a changed seed (rusprk validate reports where it moved).",
                  null_means="Nothing before: the quote starts the seed (char_start is 0).", verbatim=True),
            Field("suffix", "string", "The seed text just after the quote, as stored: the 32 characters from "
                  "char_end, fewer when the quote ends nearer the seed's end.",
                  null_means="Nothing after: the quote ends the seed.", verbatim=True),
            Field("attributed_to", "string", "Who the source says made the claim (agency, ministry, person).",
                  null_means="The source asserts it in its own voice."),
        ),
        ("evidence_id",),
        (_fk("source_id", "sources"),),
    ),
)

RESOURCES: dict[str, Resource] = {r.name: r for r in _RESOURCES}
RESOURCE_ORDER: tuple[str, ...] = tuple(r.name for r in _RESOURCES)

#: Evidence may support a record of any table but itself.
VOCABULARIES["record_table"] = {
    name: f"A record of the {name} table." for name in RESOURCE_ORDER if name != "evidence"
}

#: The CAMEO codes RUSPRK uses: code -> (CAMEO name, PLOVER category).  Names from the CAMEO
#: codebook (version 1.1b3); PLOVER categories from PLOVER's mapping (openeventdata/PLOVER
#: cameo/CAMEO-PLOV.txt and CAMEO2PLOVER-2021.txt, which agree on every code here).  PLOVER drops
#: CAMEO 01 (statements): None.  A code is added here, verified the same way, before a curator uses it.
CAMEO_CODES: dict[str, tuple[str, str | None]] = {
    "010": ("Make statement, not specified below", None),
    "030": ("Express intent to cooperate, not specified below", "AGREE"),
    "0311": ("Express intent to cooperate economically", "AGREE"),
    "036": ("Express intent to meet or negotiate", "AGREE"),
    "037": ("Express intent to settle dispute", "AGREE"),
    "040": ("Consult, not specified below", "CONSULT"),
    "041": ("Discuss by telephone", "CONSULT"),
    "042": ("Make a visit", "CONSULT"),
    "043": ("Host a visit", "CONSULT"),
    "044": ("Meet at a 'third' location", "CONSULT"),
    "046": ("Engage in negotiation", "CONSULT"),
    "051": ("Praise or endorse", "SUPPORT"),
    "057": ("Sign formal agreement", "SUPPORT"),
    "072": ("Provide military aid", "AID"),
    "125": ("Reject proposal to meet, discuss, or negotiate", "REJECT"),
    "190": ("Use conventional military force, not specified below", "ASSAULT"),
}
VOCABULARIES["cameo_code"] = {code: name for code, (name, _) in CAMEO_CODES.items()}

#: The CAMEO code each event type gets unless the curator chooses a more specific one (with a
#: cameo_rationale): a leader receiving a visitor is 043, not the meeting default 040.
EVENT_TYPE_CAMEO: dict[str, str | None] = {
    "visit": "042", "arrival": "042", "stop": "042", "welcome": "043", "meeting": "040", "talks": "046",
    "summit": "044", "phone_call": "041", "statement": "010", "publication": "010", "praise": "051",
    "intent_to_negotiate": "036", "intent_to_settle": "037", "agreement_signed": "057", "meeting_rejected": "125",
    "military_aid": "072", "military_force": "190", "election": None,
}
#: (default CAMEO code, its PLOVER category) for each event type.
EVENT_TYPE_CODES: dict[str, tuple[str | None, str | None]] = {
    t: (code, CAMEO_CODES[code][1] if code else None) for t, code in EVENT_TYPE_CAMEO.items()
}


@dataclass(frozen=True)
class RolePattern:
    """The roles an event type takes: each (roles, n) of ``required`` needs n participants in one of
    those roles; no participant may have a role outside ``allowed``."""

    required: tuple[tuple[tuple[str, ...], int], ...]
    allowed: tuple[str, ...]

    def describe(self) -> str:
        need = "; ".join(f"{n} × {' or '.join(roles)}" for roles, n in self.required)
        return f"needs {need}; roles allowed: {', '.join(self.allowed)}"


def _pattern(required: dict[str, int], *others: str) -> RolePattern:
    req = tuple(((tuple(k.split("|")), n) for k, n in required.items()))
    allowed = tuple(dict.fromkeys([r for k in required for r in k.split("|")] + list(others)))
    return RolePattern(req, allowed)


#: One pattern of roles per kind of event: talks between two leaders are participant/participant
#: everywhere, a visit has a guest and may have a host, a statement has a speaker.
ROLE_PATTERNS: dict[str, RolePattern] = {
    "visit": _pattern({"guest": 1}, "host", "inviter"),
    "arrival": _pattern({"guest": 1}, "host"),
    "stop": _pattern({"guest": 1}, "host", "participant"),
    "welcome": _pattern({"host": 1, "guest": 1}),
    "meeting": _pattern({"host": 1, "guest": 1}),
    "talks": _pattern({"participant": 2}),
    "summit": _pattern({"participant": 2}),
    "phone_call": _pattern({"participant": 2}),
    "statement": _pattern({"speaker": 1}, "addressee", "subject"),
    "publication": _pattern({"speaker|photographer": 1}, "publisher", "addressee", "subject"),
    "praise": _pattern({"speaker": 1}, "addressee", "subject"),
    "intent_to_negotiate": _pattern({"speaker": 1}, "addressee", "subject"),
    "intent_to_settle": _pattern({"speaker": 1}, "addressee", "subject"),
    "agreement_signed": _pattern({"signatory": 2}),
    "meeting_rejected": _pattern({"initiator": 1}, "target"),
    "military_aid": _pattern({"provider": 1}, "receiver", "claimant"),
    "military_force": _pattern({"initiator|participant": 1}, "target"),
    "election": _pattern({"subject": 1}),
}

#: Roles that make an actor a party to an event for the russia_dprk flag (not: subject, claimant,
#: photographer, who are spoken about, allege or record).
PARTY_ROLES: tuple[str, ...] = ("host", "guest", "inviter", "participant", "speaker", "addressee", "provider",
                                "receiver", "signatory", "initiator", "target", "publisher")
#: Event types whose country is the host's side (a visit to North Korea has the DPRK as a party).
HOSTED_TYPES: tuple[str, ...] = ("visit", "arrival", "stop", "welcome")

#: place kind -> place_precision of an event or gift at such a place.
PLACE_KIND_PRECISION: dict[str, str] = {
    "country": "country", "region": "region", "city": "city", "village": "city", "site": "site",
    "building": "site", "airport": "site",
}

#: Canonical names of people, by their country: (pattern, the convention in words).  Checked by the
#: build and by ``rusprk validate``; the codebook prints them.
NAME_CONVENTIONS: dict[str, tuple[str, str]] = {
    "PRK": (r"^[A-Z][a-z]+( [A-Z][a-z]+){1,2}$",
            "North Korean names as North Korea's own English texts and most English-language outlets write "
            "them: family name first, each syllable of the given name capitalised, no hyphen (Kim Jong Un, "
            "Ri Yong Ho)."),
    "KOR": (r"^[A-Z][a-z]+ [A-Z][a-z]+-[a-z]+$",
            "South Korean names as South Korea's government and most English-language outlets write them "
            "(Revised Romanisation practice): family name first, the given name hyphenated with its second "
            "syllable in lower case (Moon Jae-in). The one exception to the unhyphenated North Korean form, "
            "because that is how the same outlets write South Korean names."),
    "RUS": (r"^(?!.*(iy|ei|yi)\b)[A-Z][a-z]+( [A-Z][a-z]+)+$",
            "Russian names as the Russian Foreign Ministry's and the Kremlin's English pages write them: "
            "-ей as -ey, -ий as -y (Sergey Lavrov, Valery Sharifulin; not Sergei, Valeriy), given name first."),
}


def resource(name: str) -> Resource:
    try:
        return RESOURCES[name]
    except KeyError:
        raise KeyError(f"unknown table {name!r}; tables are: {', '.join(RESOURCE_ORDER)}") from None
