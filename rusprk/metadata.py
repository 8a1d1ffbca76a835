"""The one place where RUSPRK's tables are described.

Every table, field, type, constraint, key and vocabulary is written here once.
Everything else is derived from it:

* the Frictionless table schemas in ``schemas/`` and ``datapackage.json``
  (``builders.publish``),
* the pandera checks (``builders.validate``),
* the pyarrow schemas used to write Parquet (``rusprk._arrow``),
* the pandas dtypes the loader returns (``rusprk.load``),
* the codebook in ``docs/codebook.md`` (``builders.codebook``).

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
        "day": "The days are known: start is the first and end the last day reported (equal for one day).",
        "month": "Only the month is known; start is the first and end the last day of the month(s).",
        "year": "Only the year is known; start is 1 January and end 31 December of the year(s).",
        "range": "It happened on some day(s) between start and end, which bound it but are not its exact days.",
        "unknown": "The text gives no date that can be resolved; start and end are null.",
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
        "participant": "Takes part on an equal footing (talks, calls, summits).",
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
    "alias_kind": {
        "canonical": "The canonical name itself, where it occurs in a seed.",
        "variant": "Another spelling or transliteration (Sergey/Sergei, Kim Jong Un/Kim Jong-un).",
        "short": "A short form used after first mention (Lavrov, Kim).",
        "full": "A fuller form (with patronymic, title or article).",
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
            Field("seed_file", "string", "File name of the seed in seeds/.", required=True, unique=True,
                  pattern=r"^[0-9]{3}_[0-9a-f]{16}\.txt$"),
            Field("sha256", "string", "SHA-256 of the seed file's bytes.", required=True, unique=True,
                  pattern=r"^[0-9a-f]{64}$"),
            Field("title", "string", "Headline as printed.", required=True),
            Field("publisher", "string", "Outlet that published the article.",
                  null_means="The page does not state the outlet."),
            Field("publisher_inferred", "boolean", "True when the publisher is read from the body rather than stated.",
                  required=True),
            Field("authors", "string", "Byline names, separated by '; '.",
                  null_means="No byline."),
            Field("url", "string", "URL printed on the page (rejoined if split over lines).",
                  null_means="No URL on the page."),
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
                  null_means="No credited photos."),
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
            Field("role", "string", "Title or role at the time of the events recorded, as the seeds give it.",
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
        "One row per spelling of a person's, place's or body's name that occurs in the seeds.",
        (
            Field("alias_id", "string", "Stable id: the entity id, ':' and the spelling.", required=True,
                  unique=True),
            _ref("person_id", "per", "person", null_means="The alias names a place or body."),
            _ref("place_id", "plc", "place", null_means="The alias names a person or body."),
            _ref("body_id", "bod", "body", null_means="The alias names a person or place."),
            Field("alias", "string", "The spelling exactly as it occurs.", required=True),
            Field("kind", "string", "How the spelling relates to the canonical name.", required=True,
                  enum="alias_kind"),
        ),
        ("alias_id",),
        (_fk("person_id", "people"), _fk("place_id", "places"), _fk("body_id", "bodies")),
    ),
    Resource(
        "events", "Events",
        "One row per dated or datable happening the seeds assert.",
        (
            _id("event_id", "evt", "event"),
            Field("title", "string", "Curator's one-line summary of the event.", required=True),
            Field("event_type", "string", "Kind of event (maps to a CAMEO code).", required=True, enum="event_type"),
            Field("cameo_code", "string", "CAMEO event code for event_type.", pattern=r"^[0-9]{3,4}$",
                  null_means="No CAMEO equivalent (elections)."),
            Field("plover_category", "string", "PLOVER category for event_type.",
                  null_means="PLOVER has no category for it."),
            *_date_fields("event"),
            Field("status", "string", "Whether it happened, as the sources report it.", required=True, enum="status"),
            _ref("place_id", "plc", "place", null_means="Place not stated."),
            _COUNTRY,
            Field("russia_dprk", "boolean",
                  "True for an exchange between Russia and the DPRK; false for a context event.", required=True),
            _ref("part_of_event_id", "evt", "event", null_means="Not part of a larger recorded event."),
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
            Field("title_as_reported", "string", "The participant's title or description in the supporting text.",
                  null_means="No title given there."),
        ),
        ("participant_id",),
        (_fk("event_id", "events"), _fk("person_id", "people"), _fk("body_id", "bodies")),
    ),
    Resource(
        "gifts", "Gifts",
        "One row per gift the seeds report.",
        (
            _id("gift_id", "gft", "gift"),
            Field("item", "string", "The item as reported.", required=True),
            Field("quantity", "integer", "Number of items when the text states a number.", minimum=1,
                  null_means="No number stated."),
            Field("quantity_as_reported", "string", "How the text counts it ('a set of', 'a collection of').",
                  null_means="Not counted."),
            _ref("giver_person_id", "per", "person", null_means="Giver is a body, unnamed or unknown."),
            _ref("giver_body_id", "bod", "body", null_means="Giver is a person, unnamed or unknown."),
            Field("giver_description", "string", "Unnamed giver as the text describes them.",
                  null_means="Giver is named, or the text says nothing of the giver."),
            Field("giver_inferred", "boolean", "True when the giver is read from context, not stated.",
                  required=True),
            _ref("recipient_person_id", "per", "person", null_means="Recipient is a body or unnamed."),
            _ref("recipient_body_id", "bod", "body", null_means="Recipient is a person or unnamed."),
            _ref("event_id", "evt", "event", null_means="Occasion not recorded as an event."),
            *_date_fields("gift"),
            _ref("place_id", "plc", "place", null_means="Place not stated."),
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
            Field("quote", "string", "The quote exactly as it stands in the seed at the offsets.", required=True),
            Field("char_start", "integer", "Start offset in characters (Unicode code points) of the seed text "
                  "decoded as UTF-8, 0-based.", required=True, minimum=0),
            Field("char_end", "integer", "End offset (exclusive) in characters.", required=True, minimum=1),
            Field("byte_start", "integer", "Start offset in bytes of the seed file.", required=True, minimum=0),
            Field("byte_end", "integer", "End offset (exclusive) in bytes.", required=True, minimum=1),
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

# CAMEO code and PLOVER category for each event type.  Verified against the
# CAMEO event code list (GDELT's CAMEO.eventcodes.txt) and PLOVER's mapping
# (openeventdata/PLOVER cameo/CAMEO-PLOV.txt and CAMEO2PLOVER-2021.txt, which
# agree on every code here).  PLOVER drops CAMEO 01 (statements): None.
EVENT_TYPE_CODES: dict[str, tuple[str | None, str | None]] = {
    "visit": ("042", "CONSULT"),
    "arrival": ("042", "CONSULT"),
    "welcome": ("043", "CONSULT"),
    "meeting": ("040", "CONSULT"),
    "talks": ("046", "CONSULT"),
    "summit": ("044", "CONSULT"),
    "phone_call": ("041", "CONSULT"),
    "statement": ("010", None),
    "publication": ("010", None),
    "praise": ("051", "SUPPORT"),
    "intent_to_negotiate": ("036", "AGREE"),
    "intent_to_settle": ("037", "AGREE"),
    "agreement_signed": ("057", "SUPPORT"),
    "meeting_rejected": ("125", "REJECT"),
    "military_aid": ("072", "AID"),
    "military_force": ("190", "ASSAULT"),
    "election": (None, None),
}


def resource(name: str) -> Resource:
    try:
        return RESOURCES[name]
    except KeyError:
        raise KeyError(f"unknown table {name!r}; tables are: {', '.join(RESOURCE_ORDER)}") from None
