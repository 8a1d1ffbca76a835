"""A hand-map's YAML in one pass over libyaml's events: plain objects with the line of every mapping.

``builders.handmap`` reads YAML with a SafeLoader subclass that records lines
(``_LineLoader``): libyaml scans and parses, then PyYAML's Python composer and
constructor build a node tree and the objects from it, after a separate event
pass that checks the depth.  This module builds the same objects straight from
the one event stream, checking the depth as it goes: 40-50 % of the cost.

It takes the YAML hand-maps are written in (block and flow mappings and
sequences, plain and quoted scalars).  Anything else (anchors and aliases,
explicit tags, merge keys, a key that is not a scalar, a repeated key, more
than one document, too deep, or any error) makes it return ``FALLBACK``, and
the caller reads the text with ``_LineLoader``, which gives the result or the
error exactly as before.  ``tests/test_handmap_yaml.py`` checks that both
readings are equal on every hand-map and on generated documents.
"""

from __future__ import annotations

import yaml

FALLBACK = object()

_STR = "tag:yaml.org,2002:str"
_PLAIN_TAGS = {"tag:yaml.org,2002:null", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int",
               "tag:yaml.org,2002:float"}
_PARSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read(text: str, loader_class, line_key: str, pos_key: str, max_depth: int):
    """The document's objects as ``loader_class`` (``_LineLoader``) builds them, or FALLBACK."""
    try:
        return _read(text, loader_class, line_key, pos_key, max_depth)
    except (yaml.YAMLError, _Unsupported):
        return FALLBACK


class _Unsupported(Exception):
    pass


_RESOLVERS: dict[type, object] = {}


def _resolver(loader_class):
    """One loader instance per class: it resolves plain scalars and constructs non-strings the loader's own way."""
    if loader_class not in _RESOLVERS:
        _RESOLVERS[loader_class] = loader_class("")
    return _RESOLVERS[loader_class]


def _read(text: str, loader_class, line_key: str, pos_key: str, max_depth: int):
    resolver = _resolver(loader_class)
    scalars: dict[tuple[str, str], object] = {}
    tags: dict[str, str] = {}  # a plain scalar's tag depends on its text alone

    def scalar(event) -> object:
        if event.anchor is not None or event.tag not in (None, "!"):
            raise _Unsupported
        if not event.implicit[0]:  # quoted: a string
            return event.value
        tag = tags.get(event.value)
        if tag is None:
            tag = tags[event.value] = resolver.resolve(yaml.ScalarNode, event.value, event.implicit)
        if tag == _STR:
            return event.value
        if tag not in _PLAIN_TAGS:
            raise _Unsupported
        key = (tag, event.value)
        if key not in scalars:
            scalars[key] = resolver.yaml_constructors[tag](resolver, yaml.ScalarNode(tag, event.value))
        return scalars[key]

    # One frame per open collection: [object, its node's (line, column), raw keys, pending key, value positions,
    # items' positions]
    stack: list[list] = []
    documents = 0
    result = None

    def pos(event) -> tuple[int, int]:
        return event.start_mark.line + 1, event.start_mark.column + 1

    def add(value, at: tuple[int, int]) -> None:
        nonlocal result
        if not stack:
            result = value
            return
        frame = stack[-1]
        obj = frame[0]
        if isinstance(obj, list):
            obj.append(_plain(value))
            frame[5].append(at)
        elif frame[3] is None:  # a key
            raise _Unsupported
        else:
            raw, key = frame[3]
            obj[key] = value
            frame[4][raw] = at
            frame[3] = None

    parser = _PARSER(text)
    try:
        while True:
            event = parser.get_event()
            kind = type(event)
            if kind is yaml.StreamEndEvent:
                break
            if kind is yaml.ScalarEvent:
                if stack and isinstance(stack[-1][0], dict) and stack[-1][3] is None:  # a mapping's key
                    frame = stack[-1]
                    key = scalar(event)
                    if event.value in frame[2]:
                        raise _Unsupported  # a repeated key: the loader names its line
                    frame[2].add(event.value)
                    frame[3] = (event.value, key)
                    continue
                add(scalar(event), pos(event))
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                if event.anchor is not None or event.tag not in (None, "!"):
                    raise _Unsupported
                if len(stack) + 1 > max_depth:
                    raise _Unsupported
                if stack and isinstance(stack[-1][0], dict) and stack[-1][3] is None:
                    raise _Unsupported  # a collection as a key
                obj = {} if kind is yaml.MappingStartEvent else []
                stack.append([obj, pos(event), set(), None, {}, []])
            elif kind is yaml.MappingEndEvent:
                obj, at, _, _, positions, _ = stack.pop()
                obj[line_key] = at[0]
                obj[pos_key] = {"": at, **positions}
                _bare_items(obj, positions, line_key, pos_key)
                add(obj, at)
            elif kind is yaml.SequenceEndEvent:
                obj, at, _, _, _, items = stack.pop()
                add(_Items(obj, items), at)
            elif kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise _Unsupported
            elif kind is yaml.AliasEvent:
                raise _Unsupported
    finally:
        parser.dispose()
    return _plain(result)


class _Items(list):
    """A sequence that remembers where each item starts, until its mapping has used it (``_bare_items``)."""

    def __init__(self, items: list, positions: list) -> None:
        super().__init__(items)
        self.positions = positions


def _bare_items(mapping: dict, positions: dict, line_key: str, pos_key: str) -> None:
    """A quote or todo written as a bare string keeps its own place, as ``_LineLoader`` records it."""
    for key, item_key in (("quotes", "quote"), ("todo", "todo")):
        value = mapping.get(key)
        if key in positions and isinstance(value, _Items):
            mapping[key] = [{item_key: v, line_key: at[0], pos_key: {item_key: at}} if isinstance(v, str) else v
                            for v, at in zip(value, value.positions)]
    for key, value in mapping.items():
        if isinstance(value, _Items):
            mapping[key] = list(value)


def _plain(value):
    return list(value) if isinstance(value, _Items) else value
