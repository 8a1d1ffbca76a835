"""``rusprk add-source FILE``: a new article into ``seeds/``, with a draft hand-map to finish.

The seed is copied byte for byte under the naming rule (``seed_name``) and
checked as every seed is (UTF-8 without a byte-order mark, LF line endings,
no control characters, within the size limits); a file whose bytes, or whose
text up to white space, are already a seed is refused.  The draft hand-map
beside it holds what can be read without a curator:

- the source row: the parse's language and machine-translation reading, and
  what the curator knows from retrieval (``--url``, ``--retrieved``,
  ``--publisher``) under ``retrieved:``, apart from what the page prints;
- the ``layout:`` section as the parser read it, one entry per run of lines;
- a ``mention`` for every spelling of an existing record that occurs in the
  content, linked to that record's id, with the sentence it stands in;
- the candidate dates the text writes (weekdays, days without a year, "the
  next day"), each with the days it may resolve to;
- a ``todo:`` list: every body paragraph still to read, every spelling that
  names more than one record.  The build refuses a hand-map with open todos.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from pathlib import Path

from builders.errors import BuildError

_SENTENCE_END = re.compile(r"[.!?…][\"”’)]?\s+(?=[\"“‘(]?[A-Z0-9])")
_WEEKDAY = re.compile(r"\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")
_RELATIVE = {"yesterday": -1, "today": 0, "tomorrow": 1, "the day before": -1, "the next day": 1,
             "the following day": 1, "last week": -7, "next week": 7}
_RELATIVE_RX = re.compile(r"\b(" + "|".join(re.escape(k) for k in _RELATIVE) + r")\b", re.IGNORECASE)


def seed_name(number: int, data: bytes) -> str:
    """The seed file name: its number, zero-padded to three digits at least, and the first 16 hex digits of
    the SHA-256 of its bytes (``005_3f2a…``; ``1000_…`` after ``999_…``)."""
    return f"{number:03d}_{hashlib.sha256(data).hexdigest()[:16]}.txt"


def next_number(seed_dir: Path) -> int:
    numbers = [int(p.name.split("_", 1)[0]) for p in seed_dir.glob("*.txt") if p.name.split("_", 1)[0].isdigit()]
    return max(numbers, default=-1) + 1


def add_source(root: Path, file: Path, url: str | None = None, retrieved: str | None = None,
               publisher: str | None = None, log=print) -> Path:
    """Copy ``file`` into ``root/seeds`` and write its draft hand-map; the draft's path.  A refusal writes
    nothing (the file is read and checked before the tree is locked)."""
    from builders.lock import build_lock

    root, file = Path(root).resolve(), Path(file)
    retrieved_date = _retrieval(url, retrieved)
    data, text = _checked_article(root, file)
    with build_lock(root):  # one numbering at a time, and never during a build
        return _add(root, data, text, url, retrieved_date, publisher, log)


def _retrieval(url: str | None, retrieved: str | None) -> dt.date | None:
    if url is not None and not re.fullmatch(r"https?://\S+", url):
        raise BuildError("--url", f"{url!r} is not an http(s) URL")
    if retrieved is None:
        return None
    try:
        day = dt.date.fromisoformat(retrieved)
    except ValueError:
        raise BuildError("--retrieved", f"{retrieved!r} is not a date written YYYY-MM-DD") from None
    if day > dt.date.today():
        raise BuildError("--retrieved", f"{retrieved} is in the future")
    return day


def _checked_article(root: Path, file: Path) -> tuple[bytes, str]:
    """The article's bytes and text, held to every rule a seed is, and not already a seed."""
    from builders.limits import MAX_SEED_BYTES, read_regular
    from builders.parse import decode_seed
    from builders.quotes import normalise

    seed_dir, map_dir = root / "seeds", root / "builders" / "handmaps"
    if not seed_dir.is_dir() or not map_dir.is_dir():
        raise BuildError(root, "not a RUSPRK tree (no seeds/ and builders/handmaps/ here)")
    data = read_regular(file, MAX_SEED_BYTES, "seed")
    text = decode_seed(file, data)  # the encodings and characters every seed is held to
    sha = hashlib.sha256(data).hexdigest()
    for other in sorted(seed_dir.glob("*.txt")):
        other_bytes = other.read_bytes()
        if hashlib.sha256(other_bytes).hexdigest() == sha:
            raise BuildError(file, f"already a seed: seeds/{other.name} has the same bytes")
        if normalise(other_bytes.decode("utf-8", "replace")) == normalise(text):
            raise BuildError(file, f"already a seed: seeds/{other.name} has the same text (up to white space)")
    return data, text


def _add(root: Path, data: bytes, text: str, url, retrieved, publisher, log) -> Path:
    seed_dir, map_dir = root / "seeds", root / "builders" / "handmaps"
    sha = hashlib.sha256(data).hexdigest()
    name = seed_name(next_number(seed_dir), data)
    seed_path, map_path = seed_dir / name, map_dir / f"{name[:-4]}.yaml"
    draft = draft_handmap(root, name, text, sha, url, retrieved, publisher)
    tmp = seed_path.with_suffix(".tmp")
    try:
        tmp.write_bytes(data)
        tmp.replace(seed_path)
        map_path.write_text(draft, encoding="utf-8")
    except BaseException:
        for p in (tmp, seed_path, map_path):
            p.unlink(missing_ok=True)
        raise
    todos = draft.count("\n  - todo: ")
    log(f"added seeds/{name}\nwrote {map_path.relative_to(root)}: a draft with {todos} todo(s); finish it, then "
        f"run `rusprk check {map_path.relative_to(root)}` (docs/curating.md)")
    return map_path


# -- the draft ------------------------------------------------------------------

def draft_handmap(root: Path, name: str, text: str, sha: str, url, retrieved, publisher) -> str:
    from builders.layout import assemble, render
    from builders.parse import _lines, _strip, heuristic_reading

    reading = heuristic_reading(text)
    lines = {s.line: s.text for s in (_strip(x) for x in _lines(text)) if s.text}
    todos: list[str] = []
    try:
        parsed = assemble(Path(name), text, sha, reading)
    except BuildError as exc:  # a layout the heuristics cannot read: the curator corrects the layout first
        parsed = None
        todos.append(f"the parser's reading fails ({exc.message}): correct the layout: section first")
    known = _known_names(root)
    source_id = _source_id(name, parsed, known["ids"])
    out = [
        f"# Draft hand-map for seeds/{name}, written by `rusprk add-source`. Finish it with docs/curating.md:",
        "# check the layout, record every fact with its quote, empty the todo: list, then `rusprk check`.",
        f"seed: {name}",
        f"seed_sha256: {sha}",
        "source:",
        f"  id: {source_id}",
        "  publisher: null  # the outlet only as the page states it; where it is known from retrieval, see below",
        "  publisher_inferred: false",
        f"  language: {(parsed.language if parsed else None) or 'en'}",
        f"  machine_translated: {'true' if parsed and parsed.mt_signals else 'false'}",
    ]
    if parsed and parsed.mt_signals:
        out.append("  machine_translated_inferred: true  # read from these garbles: "
                   + "; ".join(parsed.mt_signals)[:200])
    if url or retrieved or publisher:
        out.append("  retrieved:  # known from where the article was retrieved, not printed on the page")
        if url:
            out.append(f"    url: {_q(url)}")
        if retrieved:
            out.append(f"    date: {retrieved.isoformat()}")
        if publisher:
            out.append(f"    publisher: {_q(publisher)}")
    out += ["", "# How the parser read each line (blank lines are not listed). Correct any line read wrongly;",
            "# regions: title, byline, dateline, url, header, body, caption, credit, furniture.",
            render(reading, lines).rstrip("\n"), ""]
    mentions, ambiguous = _mentions(parsed, known) if parsed else ([], [])
    out.append("# Every spelling of an existing record found in the content, with the sentence it stands in.")
    out.append("# Delete a mention that does not name its record where it stands (a body named only inside a")
    out.append("# person's title, \"Kremlin spokesman\", is not a mention of the body).")
    out.append("mentions:" if mentions else "mentions: []")
    out += mentions
    out += ["", "people: []", "places: []", "bodies: []", "events: []", "gifts: []", "cite: []", "no_facts: []", ""]
    candidates = candidate_dates(parsed, retrieved) if parsed else []
    if candidates:
        out.append("# Dates the text writes, with the days each may resolve to (a date resolved from the")
        out.append("# context is inferred: true, with a rationale naming what it was resolved against):")
        out += [f"#   seed line {line}: {what!r} -> {', '.join(days)}" for line, what, days in candidates]
        out.append("")
    for spelling, ids in ambiguous:
        todos.append(f"{spelling!r} is a spelling of {' and of '.join(ids)}: keep the mention(s) the text means")
    if parsed:
        todos += [f"seed line {p.line}: {p.text[:60]!r}: quote it in a record or list it under no_facts (or, if "
                  "it is not the article's, give it another region in layout:)" for p in parsed.body]
    out.append("# The build refuses this hand-map while any todo is open: delete each when done.")
    out.append("todo:")
    out += [f"  - todo: {_q(t)}" for t in todos] or ["  []"]
    return "\n".join(out) + "\n"


def _q(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def _known_names(root: Path) -> dict:
    """Every spelling the hand-maps record (spelling -> {id: kind}) and every id they define.  Read from the
    hand-maps themselves, so an unfinished draft (open todos) does not stop the next article being added."""
    from builders.references import defined_ids, loadable_handmaps

    handmaps = list(loadable_handmaps(root).values())
    spellings: dict[str, dict[str, str]] = {}
    for hm in handmaps:
        for m in hm.mentions:
            spellings.setdefault(m.name, {}).setdefault(m.of, m.kind)
    return {"spellings": spellings, "ids": defined_ids(handmaps)}


def _source_id(name: str, parsed, ids: set[str]) -> str:
    words = re.findall(r"[a-z0-9]+", (parsed.title.text if parsed else "").lower())
    base = "src-" + "-".join([name.split("_", 1)[0], *words[:5]])
    candidate, n = base, 2
    while candidate in ids:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def _mentions(parsed, known) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """Draft mentions (YAML lines) of every known spelling in the content, and the spellings that name several
    records ("Pyongyang": the city, or the state acting)."""
    from builders.quotes import NormalisedText, QuoteAmbiguous, QuoteNotFound, locate
    from rusprk.validate.meaning.text import Gazetteer

    spellings = known["spellings"]
    gazetteer = Gazetteer({s: set(ids) for s, ids in spellings.items()})
    norm = NormalisedText.of(parsed.text)
    lines, ambiguous, done = [], [], set()
    for span in [parsed.title, *parsed.body, *parsed.captions]:
        for start, end, spelling in gazetteer.spans(span.text):
            ids = sorted(spellings[spelling])
            if len(ids) > 1 and spelling not in {a for a, _ in ambiguous}:
                ambiguous.append((spelling, ids))  # all are drafted; the curator keeps the one(s) meant
            sentence = _sentence(span.text, start, end)
            for entity in ids:
                if (entity, spelling) in done:
                    continue
                done.add((entity, spelling))
                occurrence = None
                try:
                    locate(norm, sentence)
                except QuoteAmbiguous as exc:
                    starts = exc.offsets
                    occurrence = next((k for k, o in enumerate(starts, 1) if o >= span.start), 1)
                except QuoteNotFound:  # cannot happen: the sentence is the seed's own text
                    continue
                extra = f", occurrence: {occurrence}" if occurrence else ""
                lines.append(f"  - {{of: {entity}, name: {_q(spelling)}, kind: {spellings[spelling][entity]}, "
                             f"quote: {_q(sentence)}{extra}}}")
    return lines, ambiguous


def _sentence(paragraph: str, start: int, end: int) -> str:
    """The sentence of ``paragraph`` that holds [start, end)."""
    bounds = [0, *(m.end() for m in _SENTENCE_END.finditer(paragraph)), len(paragraph)]
    for a, b in zip(bounds, bounds[1:]):
        if a <= start < b:
            return paragraph[a:max(b, end)].strip()
    return paragraph


def candidate_dates(parsed, retrieved: dt.date | None) -> list[tuple[int, str, list[str]]]:
    """(seed line, text, possible days) for every date the content writes, read against the page's date (or
    the retrieval date): a day without a year may be this year's or last; a weekday, the one before or after."""
    from rusprk.validate.meaning.text import date_matches

    found = []
    written = [dt.date(y, m, d) for span in [parsed.title, *parsed.header, *parsed.body, *parsed.captions]
               for _, y, m, d in date_matches(span.text) if y]
    # The page's date, else the latest full date it writes (a dateline the heuristics missed), else retrieval.
    ref = parsed.date_published or max(written, default=None) or retrieved
    for span in [parsed.title, *parsed.body, *parsed.captions]:
        for what, year, month, day in date_matches(span.text):
            if year:
                found.append((span.line, what, [dt.date(year, month, day).isoformat()]))
            elif ref:
                days = []
                for y in (ref.year - 1, ref.year, ref.year + 1):
                    try:
                        days.append(dt.date(y, month, day))
                    except ValueError:  # 29 February of a year without it
                        continue
                days = sorted(sorted(days, key=lambda d: abs((d - ref).days))[:2])
                found.append((span.line, what, [d.isoformat() for d in days]))
            else:
                found.append((span.line, what, [f"{month:02d}-{day:02d} of a year the text does not give"]))
        for m in _WEEKDAY.finditer(span.text):
            if ref:
                wd = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday").index(m.group())
                before = ref - dt.timedelta(days=(ref.weekday() - wd) % 7)
                after = ref + dt.timedelta(days=(wd - ref.weekday()) % 7 or 7)
                found.append((span.line, m.group(), [f"{before.isoformat()} (on or before the page's date)",
                                                     f"{after.isoformat()} (after it: a future tense)"]))
            else:
                found.append((span.line, m.group(), ["a weekday of an undated page: unknown without other dates"]))
        for m in _RELATIVE_RX.finditer(span.text):
            shift = _RELATIVE[m.group().lower()]
            days = [(ref + dt.timedelta(days=shift)).isoformat()] if ref else ["relative to an undated page"]
            found.append((span.line, m.group(), [*days, "or relative to another event the text dates"]))
    return [(line, what, list(days)) for line, what, days in sorted({(a, b, tuple(c)) for a, b, c in found})]
