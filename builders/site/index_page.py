"""``index.html`` (what the dataset is, how to cite it, a timeline of the exchanges) and one list page per table."""

from __future__ import annotations

import json
from html import escape

from builders.site.html import RECORD_TABLES, link, page, record_href, source_href
from rusprk.metadata import RESOURCE_ORDER, resource

LISTED = ("events", "people", "places", "bodies", "gifts", "countries", "sources")


def _when(e: dict) -> str:
    start, end = e["date_start"], e["date_end"]
    if start is None:
        return "undated"
    text = start.isoformat() if e["date_precision"] == "day" else f"{start.isoformat()} ({e['date_precision']})"
    return text if end in (None, start) else f"{text} to {end.isoformat()}"


def index_page(*, descriptor: dict, citation_text: str, version: str, counts: dict[str, int],
               events: list[dict], people: list[dict], gifts: list[dict], jsonld: dict) -> bytes:
    top = sorted((e for e in events if e["part_of_event_id"] is None),
                 key=lambda e: (e["date_start"] is None, e["date_start"] or 0, e["event_id"]))
    timeline, year = [], None
    for e in top:
        y = e["date_start"].year if e["date_start"] else "Undated"
        if y != year:
            if year is not None:
                timeline.append("</ol>")
            timeline.append(f"<h3>{y}</h3><ol>")
            year = y
        tag = "" if e["russia_dprk"] else ' <span class="muted">(context, not a Russia–DPRK exchange)</span>'
        timeline.append(f"<li><time>{escape(_when(e))}</time>: {link(record_href('events', e['event_id'], 0), e['title'])}"
                        f"{tag}</li>")
    if year is not None:
        timeline.append("</ol>")
    table_rows = "".join(
        f"<tr><td>{link(f'{name}/index.html', name)}</td><td>{counts[name]:,}</td>"
        f'<td class="meaning">{escape(resource(name).description)}</td></tr>' for name in LISTED)
    other = "".join(f"<tr><td>{escape(name)}</td><td>{counts[name]:,}</td>"
                    f'<td class="meaning">{escape(resource(name).description)}</td></tr>'
                    for name in RESOURCE_ORDER if name not in LISTED)
    exchanges = [e for e in top if e["russia_dprk"]]
    body = "\n".join([
        f"<p>{escape(descriptor['description'])}</p>",
        f"<p>Version <strong>{escape(version)}</strong>. Every record below links to the sentences it rests on, "
        "highlighted in the article they come from.</p>",
        f'<section aria-labelledby="cite"><h2 id="cite">How to cite</h2><p>{escape(citation_text)}</p></section>',
        f'<section aria-labelledby="counts"><h2 id="counts">What it holds</h2><table><thead><tr><th scope="col">table'
        f'</th><th scope="col">rows</th><th scope="col">what a row is</th></tr></thead>'
        f"<tbody>{table_rows}{other}</tbody></table></section>",
        f'<section aria-labelledby="timeline"><h2 id="timeline">Timeline ({len(top)} events, each not part of a '
        f"larger one)</h2>{''.join(timeline)}</section>",
        f'<section aria-labelledby="exchanges"><h2 id="exchanges">Russia–DPRK exchanges ({len(exchanges)})</h2><ul>'
        + "".join(f"<li>{link(record_href('events', e['event_id'], 0), e['title'])} ({escape(_when(e))})</li>"
                  for e in exchanges) + "</ul></section>",
        f'<section aria-labelledby="people"><h2 id="people">People ({len(people)})</h2><ul>'
        + "".join(f"<li>{link(record_href('people', p['person_id'], 0), p['name'])}</li>"
                  for p in sorted(people, key=lambda p: (p["name"], p["person_id"]))) + "</ul></section>",
        f'<section aria-labelledby="gifts"><h2 id="gifts">Gifts ({len(gifts)})</h2><ul>'
        + "".join(f"<li>{link(record_href('gifts', g['gift_id'], 0), g['item'])}</li>"
                  for g in sorted(gifts, key=lambda g: g["gift_id"])) + "</ul></section>",
    ])
    head = ('<script type="application/ld+json">\n'
            + json.dumps(jsonld, ensure_ascii=False, indent=1).replace("</", "<\\/") + "\n</script>\n")
    return page("RUSPRK: Russia–North Korea high-level exchanges", body, depth=0, head=head)


def list_page(table: str, rows: list[dict], names: dict) -> bytes:
    key = "source_id" if table == "sources" else RECORD_TABLES[table]
    href = (lambda i: source_href(i, 0).removeprefix("sources/")) if table == "sources" else \
        (lambda i: record_href(table, i, 0).removeprefix(f"{table}/"))
    items = "".join(f"<li>{link(href(r[key]), names.get((table, r[key])) or r[key])} <code>{escape(r[key])}</code></li>"
                    for r in sorted(rows, key=lambda r: r[key]))
    res = resource(table)
    return page(f"{res.title} ({len(rows):,})", f'<p class="muted">{escape(res.description)}</p><ul>{items}</ul>',
                depth=1)
