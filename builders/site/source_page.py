"""``sources/<id>.html``: the article as stored, its regions labelled, every evidence quote highlighted."""

from __future__ import annotations

from collections import defaultdict
from html import escape
from typing import NamedTuple

from builders.site.highlight import pieces
from builders.site.html import anchor, link, page, record_href

REGION_LABELS = {"title": "title", "header": "header", "body": "body", "caption": "caption", "credit": "credit",
                 "furniture": "page furniture — not content"}


class _Marks(NamedTuple):
    """One quote's markup, made once per page: every piece of text it covers and its row in the list use it."""
    anchor: str  # the id of its first piece, where links to the quote land
    first: str  # its first piece's opening tag, with that id
    again: str  # the opening tag of its other pieces
    to_record: str  # the opening of a link to the page of the record it supports


def _marks(evidence: list[dict], page_of) -> dict[str, _Marks]:
    out = {}
    for ev in evidence:
        eid, to = ev["evidence_id"], anchor(ev["evidence_id"])
        opening = f'<mark class="ev" data-evidence-id="{escape(eid)}"'
        title = f'title="{escape(ev["record_table"])} {escape(ev["record_id"])}">'
        out[eid] = _Marks(to, f'{opening} id="{to}" {title}', f"{opening} {title}",
                          f'<a href="{record_href(*page_of(ev))}">')
    return out


def article_html(text: str, regions: list[tuple[int, int, str]], evidence: list[dict],
                 marks: dict[str, _Marks]) -> str:
    """The seed text in order: each region a labelled block, each quote's pieces in ``mark`` elements carrying
    ``data-evidence-id`` (the first one also the quote's ``id``), the innermost linking to the record."""
    inside: dict[int, list[dict]] = defaultdict(list)  # region index -> its quotes
    spans = sorted(regions)
    for ev in evidence:
        for i, (start, end, _) in enumerate(spans):
            if start <= ev["char_start"] and ev["char_end"] <= end:
                inside[i].append(ev)
                break
        else:
            raise ValueError(f"evidence {ev['evidence_id']} lies in no region of its source")
    first_seen: set[str] = set()
    out, at = [], 0
    for i, (start, end, region) in enumerate(spans):
        out.append(escape(text[at:start]))
        out.append(f'<span class="region region-{region}" data-region="{region}">'
                   f'<span class="region-label">{escape(REGION_LABELS[region])}</span>')
        quotes = [(ev["char_start"], ev["char_end"], ev["evidence_id"]) for ev in inside[i]]
        for piece in pieces(start, end, quotes):
            words = escape(text[piece.start:piece.end])
            if not piece.quotes:
                out.append(words)
                continue
            for eid in piece.quotes:  # outermost first, as they nest
                if eid in first_seen:
                    out.append(marks[eid].again)
                else:
                    out.append(marks[eid].first)
                    first_seen.add(eid)
            out.append(f'{marks[piece.quotes[-1]].to_record}{words}</a>{"</mark>" * len(piece.quotes)}')
        out.append("</span>")
        at = end
    out.append(escape(text[at:]))
    return "".join(out)


def source_page(source: dict, text: str, regions: list[tuple[int, int, str]], evidence: list[dict],
                page_of) -> bytes:
    """``page_of(evidence row)``: the (table, id) of the page that shows the record the row supports."""
    facts = [("Seed file", f"seeds/{source['seed_file']}"), ("SHA-256", source["sha256"]),
             ("Publisher", source["publisher"] or "not stated"),
             ("Published", source["date_published"].isoformat() if source["date_published"] else "undated"),
             ("Language", source["language"])]
    rows = "".join(f'<tr><th scope="row">{escape(k)}</th><td>{escape(str(v))}</td></tr>' for k, v in facts)
    if source["url"]:
        rows += f'<tr><th scope="row">URL</th><td>{link(source["url"], source["url"])}</td></tr>'
    marks = _marks(evidence, page_of)
    listed = "".join(
        f'<tr><td><a href="#{marks[ev["evidence_id"]].anchor}">{escape(ev["quote"])}</a></td>'
        f'<td>{marks[ev["evidence_id"]].to_record}{escape(ev["record_table"] + " " + ev["record_id"])}</a></td>'
        f'<td>{escape(ev["region"])}</td></tr>'
        for ev in sorted(evidence, key=lambda e: (e["char_start"], -e["char_end"], e["evidence_id"])))
    body = (f'<p class="muted">Source <code>{escape(source["source_id"])}</code>. Highlighted: every quote an '
            f"evidence row rests on; each links to the record it supports. Regions are as the build reads them; "
            f"page furniture is not content and supports nothing.</p>\n"
            f'<table aria-label="About this source">{rows}</table>\n'
            f'<section aria-labelledby="article"><h2 id="article">The article as stored</h2>\n'
            f'<div class="article">{article_html(text, regions, evidence, marks)}</div></section>\n'
            f'<section aria-labelledby="listed"><h2 id="listed">Evidence in this source ({len(evidence)})</h2>\n'
            f'<table><thead><tr><th scope="col">quote</th><th scope="col">supports</th><th scope="col">region</th>'
            f"</tr></thead><tbody>{listed}</tbody></table></section>")
    return page(source["title"], body, depth=1)
