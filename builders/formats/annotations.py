"""``annotations.jsonld``: every evidence row as a W3C Web Annotation, so annotation tools can show the quotes.

One ``Annotation`` per evidence row, in one ``AnnotationCollection`` (Web Annotation Data Model,
https://www.w3.org/TR/annotation-model/).  Its targets are the source: the seed as stored, named by its
SHA-256 (``urn:sha256:…``), with a ``TextQuoteSelector`` (the quote and the evidence row's ``prefix`` and
``suffix``: up to ``rusprk._anchors.ANCHOR_CHARS`` characters either side) and a ``TextPositionSelector``
(code-point offsets, as in the evidence table); and, where the source's URL is known, the page there,
with the quote selector only: offsets into the stored text do not hold on the live page, the quote and its
context do.  Its body is the page of the record it supports.
"""

from __future__ import annotations

from urllib.parse import quote

CONTEXT = "http://www.w3.org/ns/anno.jsonld"


def _quote_selector(ev: dict) -> dict:
    """The row's quote and its anchors (``rusprk._anchors.anchors``, stored in the evidence table's ``prefix``
    and ``suffix``; a null one is the empty string here: nothing before or after)."""
    return {"type": "TextQuoteSelector", "exact": ev["quote"], "prefix": ev["prefix"] or "",
            "suffix": ev["suffix"] or ""}


def annotation(ev: dict, source: dict, page: str) -> dict:
    quote_selector = _quote_selector(ev)
    targets = [{"type": "SpecificResource", "source": f"urn:sha256:{source['sha256']}",
                "selector": [quote_selector,
                             {"type": "TextPositionSelector", "start": ev["char_start"], "end": ev["char_end"]}]}]
    if source["url"]:
        targets.append({"type": "SpecificResource", "source": source["url"], "selector": quote_selector})
    return {"id": "urn:rusprk:evidence:" + quote(ev["evidence_id"], safe="-._~"), "type": "Annotation",
            "motivation": "linking", "body": {"id": page, "type": "Text", "format": "text/html"},
            "target": targets}


def collection(version: str, total: int) -> dict:
    return {"@context": CONTEXT, "id": f"urn:rusprk:{version}:annotations", "type": "AnnotationCollection",
            "label": f"RUSPRK {version}: the evidence quotes", "total": total,
            "first": {"type": "AnnotationPage", "startIndex": 0, "items": []}}


def write(out, version: str, total: int, items) -> None:
    """The collection as JSON to the binary file ``out``, one annotation per line, taken from ``items`` one at a
    time (at 2,000 seeds there are 189,000 of them)."""
    import json

    head = json.dumps(collection(version, total), ensure_ascii=False)
    at = head.rindex("[]")
    out.write(head[:at + 1].encode("utf-8") + b"\n")
    for i, item in enumerate(items):
        out.write((",\n" if i else "").encode() + json.dumps(item, ensure_ascii=False).encode("utf-8"))
    out.write(("\n" + head[at + 1:] + "\n").encode("utf-8"))


def annotations_of(rows: dict[str, list[dict]], page_of):
    """Every evidence row's annotation, one at a time: ``page_of`` as ``builders.site.page_finder`` gives it
    (a row carries its quote's anchors, so the seeds are not read)."""
    from builders.site.html import record_href

    sources = {s["source_id"]: s for s in rows["sources"]}
    for ev in rows["evidence"]:
        yield annotation(ev, sources[ev["source_id"]], "site/" + record_href(*page_of(ev), depth=0))

