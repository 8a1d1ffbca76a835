"""``sources/<id>.html``: the article as stored, its regions labelled, every evidence quote highlighted."""

from __future__ import annotations

from collections import defaultdict
from html import escape

from builders.site.highlight import pieces
from builders.site.html import anchor, link, page, record_href, record_link

REGION_LABELS = {"title": "title", "header": "header", "body": "body", "caption": "caption", "credit": "credit",
                 "furniture": "page furniture — not content"}


def article_html(text: str, regions: list[tuple[int, int, str]], evidence: list[dict], page_of) -> str:
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
    # Per quote, escaped once rather than once per piece it covers: its opening tags (with the quote's id, for
    # its first piece; without, for the rest) and the link of a piece it is innermost in.
    first_open, again_open, innermost_href = {}, {}, {}
    for ev in evidence:
        eid = ev["evidence_id"]
        tail = f'title="{escape(ev["record_table"])} {escape(ev["record_id"])}">'
        again_open[eid] = f'<mark class="ev" data-evidence-id="{escape(eid)}" {tail}'
        first_open[eid] = f'<mark class="ev" data-evidence-id="{escape(eid)}" id="{anchor(eid)}" {tail}'
        innermost_href[eid] = f'<a href="{record_href(*page_of(ev))}">'
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
            opens = []
            for eid in piece.quotes:  # outermost first, as they nest
                if eid in first_seen:
                    opens.append(again_open[eid])
                else:
                    opens.append(first_open[eid])
                    first_seen.add(eid)
            out.append(f'{"".join(opens)}{innermost_href[piece.quotes[-1]]}{words}</a>'
                       f'{"</mark>" * len(piece.quotes)}')
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
    listed = "".join(
        f'<tr><td><a href="#{anchor(ev["evidence_id"])}">{escape(ev["quote"])}</a></td>'
        f'<td>{record_link(*page_of(ev), ev["record_table"] + " " + ev["record_id"])}</td>'
        f'<td>{escape(ev["region"])}</td></tr>'
        for ev in sorted(evidence, key=lambda e: (e["char_start"], -e["char_end"], e["evidence_id"])))
    body = (f'<p class="muted">Source <code>{escape(source["source_id"])}</code>. Highlighted: every quote an '
            f"evidence row rests on; each links to the record it supports. Regions are as the build reads them; "
            f"page furniture is not content and supports nothing.</p>\n"
            f'<table aria-label="About this source">{rows}</table>\n'
            f'<section aria-labelledby="article"><h2 id="article">The article as stored</h2>\n'
            f'<div class="article">{article_html(text, regions, evidence, page_of)}</div></section>\n'
            f'<section aria-labelledby="listed"><h2 id="listed">Evidence in this source ({len(evidence)})</h2>\n'
            f'<table><thead><tr><th scope="col">quote</th><th scope="col">supports</th><th scope="col">region</th>'
            f"</tr></thead><tbody>{listed}</tbody></table></section>")
    return page(source["title"], body, depth=1)
