"""Stage 2: load and check a curator's hand-map.

One YAML file per seed in ``builders/handmaps/``.  In it a curator records
each fact with the verbatim quote that supports it.  A record (person, place,
body, event, gift) is defined in exactly one hand-map; any other hand-map
whose seed reports it too adds quotes under ``cite``.  The full format is in
``builders/handmaps/README.md``.

YAML is read with ``yaml.SafeLoader`` (no code execution) extended only to
remember the line of every mapping, so that every error names file and line.
Pydantic checks shapes, types, vocabularies and date rules.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import sys
from array import array
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, PlainValidator, ValidationError, field_validator, model_validator

from builders.errors import BuildError, Pos
from builders.layout import REGIONS
from rusprk.metadata import EVENT_TYPE_CAMEO, ID_PATTERN, SEED_FILE_PATTERN, VOCABULARIES

LINE_KEY = "__line__"
POS_KEY = "__pos__"  # key -> (line, column) of its value, so a problem names the value, not only its record


class _LineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """SafeLoader that records the 1-based line of each mapping under LINE_KEY (and each value's line and
    column under POS_KEY).  libyaml's scanner and parser where PyYAML has it: the pure-Python ones cost
    most of a hand-map's load; the constructors below are the same Python either way."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    keys = [k.value for k, _ in node.value]
    for k in set(keys):
        if keys.count(k) > 1:
            dup = [kn for kn, _ in node.value if kn.value == k][1]
            raise BuildError("", f"key {k!r} given twice in one mapping", line=dup.start_mark.line + 1, field=k)
    mapping[LINE_KEY] = node.start_mark.line + 1
    mapping[POS_KEY] = {"": _pos(node), **{k.value: _pos(v) for k, v in node.value if isinstance(k.value, str)}}
    # A quote written as a bare string keeps its own place too, so a problem with it names that place.
    for key_node, value_node in node.value:
        key, item_key = key_node.value, {"quotes": "quote", "todo": "todo"}.get(key_node.value)
        if item_key and isinstance(value_node, yaml.SequenceNode) and isinstance(mapping.get(key), list):
            mapping[key] = [{item_key: v, LINE_KEY: item.start_mark.line + 1, POS_KEY: {item_key: _pos(item)}}
                            if isinstance(v, str) else v for v, item in zip(mapping[key], value_node.value)]
    return mapping


def _pos(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
# Dates stay strings for pydantic to parse, so a bad date (2018-02-30) is
# reported with its hand-map line like any other invalid value.
_LineLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _vocab(name: str) -> Any:
    return Literal[tuple(VOCABULARIES[name])]  # type: ignore[valid-type]


Id = Annotated[str, Field(pattern=ID_PATTERN)]
Iso3 = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
Text = Annotated[str, Field(min_length=1)]


class Positions:
    """Where each value of a mapping is written: key -> (line, column), packed (one shared tuple of keys and one
    array of numbers per mapping), since a corpus's hand-maps hold millions of them and they are only read to
    report a problem."""

    __slots__ = ("keys", "numbers")

    def __init__(self, keys: tuple[str, ...], numbers: array) -> None:
        self.keys, self.numbers = keys, numbers

    def get(self, key: str) -> tuple[int, int] | None:
        try:
            i = self.keys.index(key)
        except ValueError:
            return None
        return self.numbers[2 * i], self.numbers[2 * i + 1]

    def __contains__(self, key: str) -> bool:
        return key in self.keys


_KEY_SETS: dict[tuple[str, ...], tuple[str, ...]] = {}  # the same keys, in the same order, shared


def _packed(value: Any) -> Positions:
    if isinstance(value, Positions):
        return value
    if not isinstance(value, dict):
        raise ValueError("positions are a mapping")
    keys = tuple(value)
    shared = _KEY_SETS.get(keys)
    if shared is None:
        shared = _KEY_SETS[keys] = tuple(sys.intern(str(k)) for k in keys)
    return Positions(shared, array("I", [n for pair in value.values() for n in pair]))


_PackedPositions = Annotated[Any, PlainValidator(_packed)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)
    line: int = Field(0, alias=LINE_KEY)
    positions: _PackedPositions = Field(default_factory=lambda: _packed({}), alias=POS_KEY, exclude=True, repr=False)

    def at(self, key: str) -> Pos:
        """Line and column of ``key``'s value (the record's line when the key is not written)."""
        found = self.positions.get(key)
        return Pos(*found) if found is not None else Pos(self.line or None)


def _pairs(model, *pairs: tuple[str, str]):
    """Each flag and its rationale go together: an inferred value says why, and only then."""
    for flag, why in pairs:
        if bool(getattr(model, flag)) != bool(getattr(model, why)):
            raise ValueError(f"{flag} and {why} go together: an inferred value needs its rationale, and a "
                             f"rationale is only for an inferred value")
    return model


class Quote(_Model):
    quote: Text
    occurrence: int | None = Field(None, ge=1)
    attributed_to: Text | None = None
    # Supports the record without naming its actors, place or object ("The two leaders greet each
    # other with a handshake and a hug."); the record needs other quotes that do name them.
    context: bool = False


def _quotes(value: Any) -> Any:
    """Allow a bare string where a quote mapping is expected."""
    if isinstance(value, list):
        return [{"quote": v} if isinstance(v, str) else v for v in value]
    return value


class Dating(_Model):
    start: dt.date | None = None
    end: dt.date | None = None
    precision: _vocab("date_precision")
    inferred: bool = False
    rationale: Text | None = None

    @model_validator(mode="after")
    def _consistent(self) -> "Dating":
        s, e, p = self.start, self.end, self.precision
        if p == "unknown":
            if s or e:
                raise ValueError("precision 'unknown' takes no start or end")
        else:
            if p in ("month", "year") and (s is None or e is None):
                raise ValueError(f"a {p} interval needs both start and end")
            if s is None and e is None:
                raise ValueError(f"precision {p!r} needs a start or an end (a side the text does not give stays "
                                 "empty); an undated record has precision 'unknown'")
            if s is not None and e is not None and s > e:
                raise ValueError(f"start {s} is after end {e}")
            if p == "month" and (s.day != 1 or e.day != calendar.monthrange(e.year, e.month)[1]):
                raise ValueError("a month interval runs from the first to the last day of its month(s)")
            if p == "year" and ((s.month, s.day) != (1, 1) or (e.month, e.day) != (12, 31)):
                raise ValueError("a year interval runs from 1 January to 31 December")
        if self.inferred and not self.rationale:
            raise ValueError("an inferred date needs a rationale naming what it was resolved against")
        if not self.inferred and self.rationale:
            raise ValueError("a rationale is only for inferred dates: set inferred: true or drop it")
        return self


class Retrieval(_Model):
    """What the curator knows from where the article was retrieved, not from the page (owid's Origin)."""

    url: Annotated[str, Field(pattern=r"^https?://\S+$")] | None = None
    date: dt.date | None = None
    publisher: Text | None = None

    @model_validator(mode="after")
    def _given(self) -> "Retrieval":
        if self.url is None and self.date is None and self.publisher is None:
            raise ValueError("retrieved: gives a url, a date or a publisher (or is left out)")
        if self.date is not None and self.date > dt.date.today():
            raise ValueError(f"retrieval date {self.date} is in the future")
        return self


class Source(_Model):
    id: Id
    retrieved: Retrieval | None = None
    publisher: Text | None = None
    publisher_inferred: bool = False
    publisher_quote: Text | None = None
    language: Annotated[str, Field(pattern=r"^[a-z]{2}$")]
    machine_translated: bool
    machine_translated_inferred: bool = False
    original_language: Annotated[str, Field(pattern=r"^[a-z]{2}$")] | None = None
    date_published_note: Text | None = None
    notes: Text | None = None

    @model_validator(mode="after")
    def _publisher(self) -> "Source":
        if self.publisher_inferred and not (self.publisher and self.publisher_quote):
            raise ValueError("an inferred publisher needs the publisher and the publisher_quote it is read from")
        return self


class _Identified(_Model):
    identity_inferred: bool = False
    identity_rationale: Text | None = None

    @model_validator(mode="after")
    def _why(self):
        if self.identity_inferred != bool(self.identity_rationale):
            raise ValueError("identity_inferred and identity_rationale go together")
        return self


class Person(_Identified):
    id: Id
    name: Text
    country: Iso3 | None = None
    role: Text | None = None
    notes: Text | None = None


class Place(_Identified):
    id: Id
    name: Text
    kind: _vocab("place_kind")
    within: Id | None = None
    country: Iso3 | None = None
    notes: Text | None = None


class Body(_Identified):
    id: Id
    name: Text
    kind: _vocab("body_kind")
    country: Iso3 | None = None
    notes: Text | None = None


class Mention(_Model):
    """A name as written in this seed, and the quote it stands in."""

    of: Annotated[str, Field(pattern=r"^([a-z]{3}-[a-z0-9-]+|[A-Z]{3})$")]
    name: Text  # exactly as written
    kind: _vocab("alias_kind")
    quote: Text
    occurrence: int | None = Field(None, ge=1)
    attributed_to: Text | None = None  # whose words the quote is, when they are someone's (the analysts')

    @model_validator(mode="after")
    def _name_in_quote(self):
        if self.name not in self.quote:
            raise ValueError(f"name {self.name!r} does not occur in its quote")
        return self


class Participant(_Model):
    who: Annotated[str, Field(pattern=r"^(per|bod)-[a-z0-9-]+$")]
    role: _vocab("participant_role")
    title: Text | None = None
    quote: Text | None = None  # default: the event's quotes that name the participant
    occurrence: int | None = Field(None, ge=1)
    # The quote refers to the actor without naming them ("you"): say which words, and how read.
    actor_inferred: bool = False
    actor_rationale: Text | None = None

    @model_validator(mode="after")
    def _why(self):
        return _pairs(self, ("actor_inferred", "actor_rationale"))


class Event(_Model):
    id: Id
    title: Text
    type: _vocab("event_type")
    cameo: _vocab("cameo_code") | None = None  # default: the type's (EVENT_TYPE_CAMEO)
    cameo_rationale: Text | None = None
    date: Dating | None = None  # default: bounded by the event it is part of, marked inferred
    status: _vocab("status")
    place: Id | None = None
    country: Iso3 | None = None
    place_inferred: bool = False
    place_rationale: Text | None = None
    russia_dprk: bool
    part_of: Id | None = None
    reading_inferred: bool = False
    reading_rationale: Text | None = None
    notes: Text | None = None
    quotes: Annotated[list[Quote], Field(min_length=1)]
    participants: list[Participant] = []

    _q = field_validator("quotes", mode="before")(_quotes)

    @model_validator(mode="after")
    def _rules(self):
        if self.date is None and self.part_of is None:
            raise ValueError("an event needs a date (precision 'unknown' if none), unless it is part_of a larger "
                             "event, whose interval then bounds it")
        if self.cameo is not None and self.cameo == EVENT_TYPE_CAMEO[self.type]:
            raise ValueError(f"cameo {self.cameo} is already the default of type {self.type}: drop it")
        if (self.cameo is not None) != bool(self.cameo_rationale):
            raise ValueError("cameo and cameo_rationale go together: a code other than the type's default says why")
        if self.place_inferred and not (self.place or self.country):
            raise ValueError("place_inferred needs a place or a country")
        return _pairs(self, ("place_inferred", "place_rationale"), ("reading_inferred", "reading_rationale"))


class Gift(_Model):
    id: Id
    item: Text
    quantity: int | None = Field(None, ge=1)
    quantity_as_reported: Text | None = None
    giver: Annotated[str, Field(pattern=r"^(per|bod)-[a-z0-9-]+$")] | None = None
    giver_description: Text | None = None
    giver_inferred: bool = False
    giver_rationale: Text | None = None
    recipient: Annotated[str, Field(pattern=r"^(per|bod)-[a-z0-9-]+$")] | None = None
    recipient_inferred: bool = False
    recipient_rationale: Text | None = None
    event: Id | None = None
    date: Dating | None = None  # default: bounded by the occasion's interval, marked inferred
    place: Id | None = None  # default: the occasion's place, marked inferred
    country: Iso3 | None = None  # default: the occasion's country
    place_inferred: bool = False
    place_rationale: Text | None = None
    certainty: _vocab("gift_certainty")
    notes: Text | None = None
    quotes: Annotated[list[Quote], Field(min_length=1)]

    _q = field_validator("quotes", mode="before")(_quotes)

    @model_validator(mode="after")
    def _giver(self):
        if self.giver and self.giver_description:
            raise ValueError("give either a named giver or a giver_description, not both")
        if self.giver_inferred and not self.giver:
            raise ValueError("giver_inferred needs a giver")
        if self.date is None and self.event is None:
            raise ValueError("a gift needs a date (precision 'unknown' if none) or an occasion event")
        if self.recipient_inferred and not self.recipient:
            raise ValueError("recipient_inferred needs a recipient")
        return _pairs(self, ("giver_inferred", "giver_rationale"), ("recipient_inferred", "recipient_rationale"),
                      ("place_inferred", "place_rationale"))


class Cite(_Model):
    """A record defined in another hand-map that this seed reports too."""

    record: Id
    quote: Text
    occurrence: int | None = Field(None, ge=1)
    attributed_to: Text | None = None
    context: bool = False


class NoFacts(_Model):
    """A body paragraph the curator read and found no recordable fact in, and why."""

    quote: Text
    reason: Text


class LayoutEntry(_Model):
    """Lines of the seed (a number, a range "a-b", or a pattern the whole line matches) given a region."""

    lines: Annotated[int, Field(ge=1)] | Annotated[str, Field(pattern=r"^[0-9]+-[0-9]+$")] | None = None
    pattern: Text | None = None
    region: Literal[REGIONS] = Field(alias="as")  # type: ignore[valid-type]
    credit: Text | None = None  # a caption line: its credit, as printed at the line's end
    date: Text | None = None  # a dateline: the date as printed, when the line holds more than one

    @model_validator(mode="after")
    def _rules(self) -> "LayoutEntry":
        if (self.lines is None) == (self.pattern is None):
            raise ValueError("a layout entry gives lines or a pattern, not both")
        if self.pattern is not None:
            try:
                re.compile(self.pattern)
            except re.error as exc:
                raise ValueError(f"pattern is not a regular expression: {exc}") from None
        first, last = self.span() if self.lines is not None else (1, 1)
        if first < 1 or first > last:
            raise ValueError(f"line range {self.lines} runs backwards or from line 0")
        if self.credit is not None and self.region != "caption":
            raise ValueError("credit: is for a caption line whose credit is printed at its end")
        if self.date is not None and self.region != "dateline":
            raise ValueError("date: is for a dateline")
        return self

    def span(self) -> tuple[int, int]:
        if isinstance(self.lines, int):
            return self.lines, self.lines
        first, last = str(self.lines).split("-")
        return int(first), int(last)


class Todo(_Model):
    """Work a draft hand-map still needs; the build refuses a hand-map with any."""

    todo: Text


def _todos(value: Any) -> Any:
    if isinstance(value, list):
        return [{"todo": v} if isinstance(v, str) else v for v in value]
    return value


class HandMap(_Model):
    seed: Annotated[str, Field(pattern=SEED_FILE_PATTERN)]
    seed_sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    source: Source
    people: list[Person] = []
    places: list[Place] = []
    bodies: list[Body] = []
    mentions: list[Mention] = []
    events: list[Event] = []
    gifts: list[Gift] = []
    cite: list[Cite] = []
    no_facts: list[NoFacts] = []
    layout: list[LayoutEntry] = []
    todo: list[Todo] = []

    _t = field_validator("todo", mode="before")(_todos)


def open_todos(path: Path, hm: HandMap) -> BuildError | None:
    """A hand-map with open todos is a draft: the build refuses it, ``rusprk check`` reports it."""
    if not hm.todo:
        return None
    lines = ", ".join(str(t.line) for t in hm.todo)
    return BuildError(path, f"{len(hm.todo)} open todo(s) at line(s) {lines}: a draft is finished when its todo: "
                            "list is empty (then delete the list)", line=hm.todo[0].at("todo"), field="todo")


def _line_at(raw: Any, loc: tuple[Any, ...]) -> Pos:
    """Line and column of the value at the path ``loc`` into the raw YAML data (or of the deepest mapping
    on that path that exists)."""
    pos = Pos(raw.get(LINE_KEY) if isinstance(raw, dict) else None)
    node = raw
    for key in loc:
        if isinstance(node, dict) and isinstance(key, str) and key in node.get(POS_KEY, {}):
            pos = Pos(*node[POS_KEY][key])
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, dict) and LINE_KEY in node:
            pos = Pos(*node[POS_KEY][""]) if "" in node.get(POS_KEY, {}) else Pos(node[LINE_KEY])
    return pos


def _check_depth(path: Path, text: str) -> None:
    """Refuse YAML nested deeper than MAX_YAML_DEPTH, from its events, before building any object."""
    from builders.limits import MAX_YAML_DEPTH

    depth = 0
    # libyaml's event parser where PyYAML has it (16x faster: this pass must not cost what the load does).
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_YAML_DEPTH:
                raise BuildError(path, f"nested more than {MAX_YAML_DEPTH} levels deep",
                                 line=event.start_mark.line + 1, field="yaml")
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


def load_handmap(path: Path, cache: Path | None = None, write_cache: bool = True) -> HandMap:
    """The hand-map at ``path``, validated; a BuildError at its first problem (``handmap_problems`` gives all).
    With ``cache`` (a folder, the build's), the YAML reading of an unchanged hand-map is reused
    (``builders.cache``), and stored unless ``write_cache`` is false; validation runs every time."""
    hm, problems = _load(Path(path), cache, write_cache)
    if problems:
        first = problems[0]
        if len(problems) > 1:  # a new error: the remembered reading (``_READ``) keeps its own
            first = BuildError(first.where, f"{first.message} (and {len(problems) - 1} more problem(s): "
                               "`rusprk check` lists them)", line=first.line, column=first.column,
                               row=first.row, field=first.field)
        raise first
    return hm


def handmap_problems(path: Path, cache: Path | None = None) -> tuple[HandMap | None, list[BuildError]]:
    """The hand-map (None if it does not validate) and every problem of its form, each at its value; with
    ``cache``, read from it but never written (``rusprk check`` writes nothing)."""
    return _load(Path(path), cache, write_cache=False)


# One process reads a hand-map once: `rusprk check` asks for each in three stages.  Keyed by path and
# content, so an edited file is read again.
_READ: dict[tuple[str, str], tuple[HandMap | None, list[BuildError]]] = {}


def forget_readings() -> None:
    """Drop the remembered readings (the build calls this once the tables are made)."""
    _READ.clear()


def _load(path: Path, cache: Path | None = None, write_cache: bool = True) -> tuple[HandMap | None, list[BuildError]]:
    import hashlib

    from builders import cache as entries
    from builders.limits import MAX_HANDMAP_BYTES, read_regular

    data = read_regular(path, MAX_HANDMAP_BYTES, "hand-map")
    memo = (str(path), hashlib.sha256(data).hexdigest())
    if memo in _READ:
        hm, problems = _READ[memo]
        return hm, list(problems)
    entry = entries.key(data) if cache is not None else None
    raw = entries.get(cache, entry) if cache is not None else None
    if raw is None:
        raw = _read_yaml(path, data)
        if cache is not None and write_cache:
            entries.put(cache, entry, raw)
    if not isinstance(raw, dict):
        raise BuildError(path, "a hand-map is a YAML mapping", line=1)
    try:
        result: tuple[HandMap | None, list[BuildError]] = _shared_fields_sets(HandMap.model_validate(raw)), []
    except ValidationError as exc:
        result = None, [_problem(path, raw, err) for err in exc.errors()]
    _READ[memo] = result
    return result[0], list(result[1])


_FIELDS_SETS: dict[frozenset, frozenset] = {}


def _shared_fields_sets(model: BaseModel) -> BaseModel:
    """Give each model of the hand-map a shared, frozen copy of pydantic's per-instance set of the fields it was
    given (nothing here reads it): a set per record was 40 % of a hand-map's memory."""
    stack = [model]
    while stack:
        m = stack.pop()
        given = frozenset(m.__pydantic_fields_set__)
        object.__setattr__(m, "__pydantic_fields_set__", _FIELDS_SETS.setdefault(given, given))
        for value in m.__dict__.values():
            if isinstance(value, BaseModel):
                stack.append(value)
            elif isinstance(value, (list, tuple)):
                stack.extend(v for v in value if isinstance(v, BaseModel))
    return model


def _read_yaml(path: Path, data: bytes):
    """The hand-map's YAML, with lines and columns: its text checked at the door, its depth, then the load."""
    from builders.limits import check_text, decode_strict

    text = decode_strict(path, data, "hand-map")
    check_text(path, text, "hand-map")
    from builders import handmap_yaml
    from builders.limits import MAX_YAML_DEPTH

    fast = handmap_yaml.read(text, _LineLoader, LINE_KEY, POS_KEY, MAX_YAML_DEPTH)  # one pass over the events
    if fast is not handmap_yaml.FALLBACK:
        return fast
    try:  # what the one pass does not take, and every error, as the loader reads it
        _check_depth(path, text)
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
    except BuildError as exc:
        raise BuildError(path, exc.message, line=exc.line, field=exc.field) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise BuildError(path, f"not valid YAML: {getattr(exc, 'problem', exc)}",
                         line=mark.line + 1 if mark else None, column=mark.column + 1 if mark else None) from None


def _problem(path: Path, raw: dict, err: dict) -> BuildError:
    loc = tuple(err["loc"])
    # pydantic reports model-level errors at the model; name the field path.
    field = ".".join(str(p) for p in loc if not isinstance(p, int)) or None
    msg = err["msg"]
    if err["type"] == "extra_forbidden":  # say what the mapping does take
        model = _model_at(loc[:-1])
        if model is not None:
            allowed = [f.alias or name for name, f in model.model_fields.items() if name not in ("line", "positions")]
            msg = f"{loc[-1]!r} is not a field here; this mapping takes: {', '.join(allowed)}"
    return BuildError(path, msg, line=_line_at(raw, loc), field=field)


def _model_at(loc: tuple) -> type[BaseModel] | None:
    """The model that validates the mapping at ``loc`` inside a hand-map."""
    import typing

    model: Any = HandMap
    for key in loc:
        if isinstance(key, int):
            continue
        field = model.model_fields.get(key) if isinstance(model, type) and issubclass(model, BaseModel) else None
        if field is None:
            return None
        found = None
        for arg in (field.annotation, *typing.get_args(field.annotation)):
            for inner in (arg, *typing.get_args(arg)):
                if isinstance(inner, type) and issubclass(inner, BaseModel):
                    found = inner
        if found is None:
            return None
        model = found
    return model
