"""Synthetic RUSPRK packages of any size, for benchmarks (never for release).

    python bench/synth.py OUT --events 100000

writes ``OUT/datapackage.json``, the ten tables as Parquet and CSV beside it
(the layout of ``dist/``) and ``OUT/seeds/`` with the seed articles the
evidence quotes stand in, so ``rusprk validate OUT --seeds OUT/seeds`` runs
every check, quotes at offsets included, and finds nothing wrong.

Everything is derived from ``rusprk.metadata`` (types, vocabularies, CAMEO
codes, id patterns) and written by the project's own writers in
``builders.publish`` (Arrow schema, Parquet bytes, table schemas,
descriptor).  The one exception is CSV: ``publish.csv_bytes`` loops over
rows in Python (about 1 s per 100 000 rows), so the tables are formatted
column-wise in Arrow by the validator's renderer
(``rusprk.validate.read.csv_rows``) instead, and ``check_csv_writer`` proves
the result byte-identical to ``publish.csv_bytes`` (the benchmark runs it
every time).

Proportions per event row (documented in docs/performance.md):
participants 2 (as in the seeds), people 0.35 and gifts 0.14 (as in the
seeds), aliases 0.5, places 0.1, bodies 0.05, one seed article per 2 000
events (at least 5), 50 countries, and exactly one evidence row per record
of every other table: the least the rules allow (every record needs one).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from builders import publish  # noqa: E402
from rusprk._anchors import anchors  # noqa: E402
from rusprk._types import arrow_schema  # noqa: E402
from rusprk.metadata import EVENT_TYPE_CODES, RESOURCE_ORDER, VOCABULARIES, resource  # noqa: E402
from rusprk.validate.read import csv_rows  # noqa: E402

RATIOS = {"participants": 2.0, "people": 0.35, "gifts": 0.14, "aliases": 0.5, "places": 0.10, "bodies": 0.05}
EVENTS_PER_SOURCE = 2000
MIN_SOURCES = 5
N_COUNTRIES = 50
SENTENCES_PER_SEED = 1000
# Comfortably after every synthetic event date, so no event "occurred" after its source was published.
DATE_PUBLISHED = np.datetime64("2030-01-01")


# ---------------------------------------------------------------------------
# Vectorised building blocks
# ---------------------------------------------------------------------------

def _ids(prefix: str, n: int, width: int = 7) -> pa.Array:
    """prefix-0000000 ... (lower-case slug, matches the id patterns, sorts in creation order)."""
    digits = pc.utf8_lpad(pc.cast(pa.array(np.arange(n, dtype=np.int64)), pa.string()), width, "0")
    return pc.binary_join_element_wise(pa.scalar(prefix), digits, "")


def _join(*parts, sep: str = "") -> pa.Array:
    return pc.binary_join_element_wise(*[p if isinstance(p, (pa.Array, pa.ChunkedArray)) else pa.scalar(p)
                                         for p in parts], sep)


def _take(values, idx: np.ndarray, null: np.ndarray | None = None) -> pa.Array:
    """values[idx], null where ``null`` is true."""
    return pc.take(values, pa.array(idx, mask=null))


def _vocab(name: str, idx: np.ndarray, null: np.ndarray | None = None) -> pa.Array:
    vocab = pa.array(list(VOCABULARIES[name]))
    return _take(vocab, idx % len(vocab), null)


def _text(template_prefix: str, idx: np.ndarray, null: np.ndarray | None = None) -> pa.Array:
    arr = _join(template_prefix, pc.cast(pa.array(idx.astype(np.int64)), pa.string()))
    return arr if null is None else pc.if_else(pa.array(null), pa.nulls(len(arr), pa.string()), arr)


def _date_fields(rng: np.random.Generator, n: int) -> dict[str, pa.Array]:
    """Intervals that agree with their precision; a rationale exactly when inferred."""
    precisions = list(VOCABULARIES["date_precision"])
    p = rng.choice(len(precisions), size=n, p=[0.6, 0.15, 0.1, 0.1, 0.05])
    kind = np.array(precisions)[p]
    base = np.datetime64("2000-01-01") + rng.integers(0, 9000, n).astype("timedelta64[D]")
    month = base.astype("datetime64[M]")
    year = base.astype("datetime64[Y]")
    one = np.timedelta64(1, "D")
    start = np.select([kind == "month", kind == "year"], [month.astype("datetime64[D]"), year.astype("datetime64[D]")],
                      base)
    end = np.select([kind == "day", kind == "month", kind == "year", kind == "range"],
                    [base, (month + 1).astype("datetime64[D]") - one, (year + 1).astype("datetime64[D]") - one,
                     base + rng.integers(1, 30, n).astype("timedelta64[D]")], base)
    unknown = kind == "unknown"
    inferred = (rng.random(n) < 0.2) & ~unknown
    return {
        "date_start": pa.array(start, type=pa.date32(), mask=unknown),
        "date_end": pa.array(end, type=pa.date32(), mask=unknown),
        "date_precision": pa.array(kind),
        "date_inferred": pa.array(inferred),
        "date_rationale": _text("Resolved against the dateline of the source, row ", np.arange(n), ~inferred),
    }


def _table(name: str, cols: dict[str, pa.Array]) -> pa.Table:
    """Columns in the metadata's order, cast to the published Arrow schema, rows sorted by primary key."""
    res = resource(name)
    schema = arrow_schema(res)
    n = len(next(iter(cols.values())))
    arrays = [cols[f.name] if f.name in cols else pa.nulls(n, schema.field(f.name).type) for f in res.fields]
    t = pa.Table.from_arrays([a.cast(schema.field(i).type) for i, a in enumerate(arrays)], schema=schema)
    return t.take(pc.sort_indices(t, sort_keys=[(k, "ascending") for k in res.primary_key]))


# ---------------------------------------------------------------------------
# Seeds: the same numbered sentences under a per-seed header of fixed width,
# so every quote has the same offsets in every seed and seed hashes differ.
# ---------------------------------------------------------------------------

def _sentences() -> list[str]:
    forms = ("Sentence {j:04d} – the delegations met and talked.",
             "Sentence {j:04d}: the minister said, \"we agreed\", and left.",
             "Sentence {j:04d} reports a gift, a vase, to the guest.")
    return [forms[j % len(forms)].format(j=j) for j in range(SENTENCES_PER_SEED)]


def _seed_text(i: int, sentences: list[str]) -> str:
    return f"Synthetic seed {i:06d} for benchmarks only\n\n" + "\n".join(sentences) + "\n"


def _quote_offsets(sentences: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Character and byte offsets of each sentence in any seed."""
    head = len(_seed_text(0, []).rstrip("\n")) + 2  # header line and the blank line after it
    head_b = len(_seed_text(0, []).rstrip("\n").encode()) + 2
    chars, bytes_ = [], []
    c, b = head, head_b
    for s in sentences:
        chars.append(c)
        bytes_.append(b)
        c += len(s) + 1
        b += len(s.encode("utf-8")) + 1
    return np.array(chars), np.array(bytes_)


# ---------------------------------------------------------------------------
# The tables
# ---------------------------------------------------------------------------

def make_tables(n_events: int, seed: int = 0) -> tuple[dict[str, pa.Table], dict[str, bytes], list[dict]]:
    """(tables by name, seed files by name, source rows for the descriptor)."""
    rng = np.random.default_rng(seed)
    n = {k: max(1, int(round(n_events * r))) for k, r in RATIOS.items()}
    n["events"] = n_events
    n["sources"] = max(MIN_SOURCES, n_events // EVENTS_PER_SOURCE)
    n["countries"] = N_COUNTRIES
    t: dict[str, pa.Table] = {}

    # countries: XAA, XAB, ... (synthetic codes, outside the real ISO range where possible)
    letters = [chr(c) for c in range(ord("A"), ord("Z") + 1)]
    iso3 = [f"X{a}{b}" for a in letters for b in letters][:N_COUNTRIES]
    t["countries"] = _table("countries", {
        "country_iso3": pa.array(iso3), "name": pa.array([f"Synthetic country {c}" for c in iso3]),
        "iso2": pa.array([c[1:] for c in iso3]), "cow_ccode": pa.array(range(900 - N_COUNTRIES, 900)),
        "cow_abb": pa.array(iso3)})
    country = pa.array(iso3)

    # sources and their seed files
    sentences = _sentences()
    seeds: dict[str, bytes] = {}
    src_rows = []
    for i in range(n["sources"]):
        data = _seed_text(i, sentences).encode("utf-8")
        sha = hashlib.sha256(data).hexdigest()
        fname = f"{i % 1000:03d}_{sha[:16]}.txt"
        seeds[fname] = data
        src_rows.append((f"src-{i:07d}", fname, sha))
    ns = n["sources"]
    src_id = pa.array([r[0] for r in src_rows])
    t["sources"] = _table("sources", {
        "source_id": src_id, "seed_file": pa.array([r[1] for r in src_rows]),
        "sha256": pa.array([r[2] for r in src_rows]),
        "title": _text("Synthetic article ", np.arange(ns)), "publisher": pa.array(["Synthetic Daily"] * ns),
        "publisher_inferred": pa.array([False] * ns), "authors": pa.array(["A. Writer; B. Writer"] * ns),
        "url": _text("https://example.org/synthetic/", np.arange(ns)),
        "date_published": pa.array(np.full(ns, DATE_PUBLISHED, dtype="datetime64[D]"), type=pa.date32()),
        "date_published_precision": pa.array(["day"] * ns), "language": pa.array(["en"] * ns),
        "machine_translated": pa.array([False] * ns), "machine_translated_inferred": pa.array([False] * ns)})

    # places (a tenth inside an earlier place), bodies, people
    def entity_cols(what: str, k: int) -> dict[str, pa.Array]:
        inferred = rng.random(k) < 0.1
        return {"name": _text(f"{what} ", np.arange(k)),
                "country_iso3": _take(country, rng.integers(0, N_COUNTRIES, k), rng.random(k) < 0.05),
                "identity_inferred": pa.array(inferred),
                "identity_rationale": _text("Identified from outside knowledge, note ", np.arange(k), ~inferred)}

    k = n["places"]
    place = _ids("plc-", k)
    within = np.maximum(np.arange(k) - 1 - rng.integers(0, 50, k), 0)
    t["places"] = _table("places", {"place_id": place, "kind": _vocab("place_kind", rng.integers(0, 99, k)),
                                    "within_place_id": _take(place, within, (np.arange(k) % 10 != 1)),
                                    **entity_cols("Place", k)})
    k = n["bodies"]
    body = _ids("bod-", k)
    t["bodies"] = _table("bodies", {"body_id": body, "kind": _vocab("body_kind", rng.integers(0, 99, k)),
                                    **entity_cols("Body", k)})
    k = n["people"]
    person = _ids("per-", k)
    t["people"] = _table("people", {"person_id": person, "role": _text("Minister of synthetic affairs ", np.arange(k)),
                                    **entity_cols("Person", k)})

    # aliases: 60 % people, 25 % places, 15 % bodies; exactly one entity column set
    k = n["aliases"]
    which = rng.choice(3, size=k, p=[0.6, 0.25, 0.15])
    cols = {}
    ent_id = pa.nulls(k, pa.string())
    for w, (col, ids) in enumerate((("person_id", person), ("place_id", place), ("body_id", body))):
        idx = rng.integers(0, len(ids), k)
        cols[col] = _take(ids, idx, which != w)
        ent_id = pc.coalesce(ent_id, cols[col])
    spelling = _text("Alias spelling ", np.arange(k))
    t["aliases"] = _table("aliases", {"alias_id": _join(ent_id, ":", spelling), "alias": spelling,
                                      "kind": _vocab("alias_kind", rng.integers(0, 99, k)), **cols})

    # events
    k = n_events
    event = _ids("evt-", k)
    types = list(VOCABULARIES["event_type"])
    ti = rng.integers(0, len(types), k)
    codes = np.array([EVENT_TYPE_CODES[x][0] for x in types], dtype=object)
    plover = np.array([EVENT_TYPE_CODES[x][1] for x in types], dtype=object)
    part_of = np.maximum(np.arange(k) - 1 - rng.integers(0, 20, k), 0)
    t["events"] = _table("events", {
        "event_id": event, "title": _text("Synthetic event, number ", np.arange(k)),
        "event_type": pa.array(np.array(types)[ti]), "cameo_code": pa.array(codes[ti], type=pa.string()),
        "plover_category": pa.array(plover[ti], type=pa.string()), **_date_fields(rng, k),
        "status": _vocab("status", rng.integers(0, 99, k)),
        "place_id": _take(place, rng.integers(0, n["places"], k), rng.random(k) < 0.2),
        "country_iso3": _take(country, rng.integers(0, N_COUNTRIES, k), rng.random(k) < 0.05),
        "russia_dprk": pa.array(rng.random(k) < 0.8), "cameo_counted": pa.array(np.ones(k, dtype=bool)),
        "place_precision": _vocab("place_precision", rng.integers(0, 99, k)),
        "place_inferred": pa.array(np.zeros(k, dtype=bool)), "reading_inferred": pa.array(np.zeros(k, dtype=bool)),
        "part_of_event_id": _take(event, part_of, (np.arange(k) % 10 != 3)),
        "notes": _text("A note with \"quotes\", commas, and a line\nbreak; row ", np.arange(k), rng.random(k) < 0.9)})

    # participants: events in turn, each row a person or a body in a role
    k = n["participants"]
    ev_idx = np.arange(k) * n_events // k
    is_body = rng.random(k) < 0.3
    pers = _take(person, rng.integers(0, n["people"], k), is_body)
    bods = _take(body, rng.integers(0, n["bodies"], k), ~is_body)
    role = _vocab("participant_role", np.arange(k))  # consecutive rows of one event get different roles
    ev_p = pc.take(event, pa.array(ev_idx))
    t["participants"] = _table("participants", {
        "participant_id": _join(ev_p, pc.coalesce(pers, bods), role, sep="/"), "event_id": ev_p,
        "person_id": pers, "body_id": bods, "role": role,
        "title_as_reported": _text("Title as printed ", np.arange(k), rng.random(k) < 0.5),
        "actor_inferred": pa.array(np.zeros(k, dtype=bool))})

    # gifts
    k = n["gifts"]
    giver = rng.choice(3, size=k, p=[0.5, 0.3, 0.2])  # person, body, unnamed
    rec_body = rng.random(k) < 0.2
    t["gifts"] = _table("gifts", {
        "gift_id": _ids("gft-", k), "item": _text("A synthetic vase, item ", np.arange(k)),
        "quantity": pa.array(rng.integers(1, 10, k), mask=rng.random(k) < 0.5),
        "giver_person_id": _take(person, rng.integers(0, n["people"], k), giver != 0),
        "giver_body_id": _take(body, rng.integers(0, n["bodies"], k), giver != 1),
        "giver_description": _text("An unnamed official, case ", np.arange(k), giver != 2),
        "giver_inferred": pa.array(np.zeros(k, dtype=bool)), "recipient_inferred": pa.array(np.zeros(k, dtype=bool)),
        "place_precision": _vocab("place_precision", rng.integers(0, 99, k)),
        "place_inferred": pa.array(np.zeros(k, dtype=bool)),
        "recipient_person_id": _take(person, rng.integers(0, n["people"], k), rec_body),
        "recipient_body_id": _take(body, rng.integers(0, n["bodies"], k), ~rec_body),
        "event_id": _take(event, rng.integers(0, n_events, k), rng.random(k) < 0.3), **_date_fields(rng, k),
        "place_id": _take(place, rng.integers(0, n["places"], k), rng.random(k) < 0.5),
        "certainty": _vocab("gift_certainty", rng.integers(0, 99, k))})

    # evidence: one quote per record of every other table
    rec_table, rec_id = [], []
    for name in RESOURCE_ORDER:
        if name != "evidence":
            ids = t[name].column(resource(name).primary_key[0])
            rec_table.append(pa.array([name] * len(ids)))
            rec_id.append(ids.combine_chunks())
    rec_table, rec_id = pa.concat_arrays(rec_table), pa.concat_arrays(rec_id)
    k = len(rec_id)
    char_off, byte_off = _quote_offsets(sentences)
    sent = rng.integers(0, SENTENCES_PER_SEED, k)
    si = rng.integers(0, ns, k)
    src = _take(t["sources"].column("source_id").combine_chunks(), si)
    quotes = pa.array(sentences)
    q_len = np.array([len(s) for s in sentences])
    q_blen = np.array([len(s.encode("utf-8")) for s in sentences])
    cs, ce = char_off[sent], char_off[sent] + q_len[sent]
    # Anchors by the one rule: each sentence's are the same in every seed but the first sentence's prefix,
    # which reaches back into the seed's own header.
    text0 = _seed_text(0, sentences)
    both = [anchors(text0, int(a), int(a) + q) for a, q in zip(char_off, q_len)]
    first = pa.array([anchors(_seed_text(i, sentences), int(char_off[0]), int(char_off[0] + q_len[0]))[0]
                      for i in range(ns)])
    prefix = pc.if_else(pa.array(sent == 0), _take(first, si), _take(pa.array([p for p, _ in both]), sent))
    suffix = _take(pa.array([x for _, x in both]), sent)
    t["evidence"] = _table("evidence", {
        "evidence_id": _join(rec_id, "@", src, ":", pc.cast(pa.array(cs), pa.string()), "-",
                             pc.cast(pa.array(ce), pa.string())),
        "record_table": rec_table, "record_id": rec_id, "source_id": src,
        "region": _vocab("text_region", np.full(k, 2)),  # body
        "context": pa.array(np.zeros(k, dtype=bool)),
        "quote": _take(quotes, sent), "char_start": pa.array(cs), "char_end": pa.array(ce),
        "byte_start": pa.array(byte_off[sent]), "byte_end": pa.array(byte_off[sent] + q_blen[sent]),
        "prefix": prefix, "suffix": suffix,
        "attributed_to": _text("Synthetic news agency ", np.arange(k) % 7, rng.random(k) < 0.8)})

    sources_rows = t["sources"].to_pylist()
    return t, seeds, sources_rows


# ---------------------------------------------------------------------------
# CSV, column-wise
# ---------------------------------------------------------------------------

def csv_bytes(name: str, table: pa.Table, rows: int = 1 << 16) -> bytes:
    """The table as CSV, rendered column-wise by the validator's own renderer (which recognises a CSV
    that needs no parsing), a slice of ``rows`` rows at a time."""
    header = (",".join(table.column_names) + "\n").encode("utf-8")
    pieces = [csv_rows(name, table.slice(lo, rows)) for lo in range(0, table.num_rows, rows)]
    if any(piece is None for piece in pieces):
        raise ValueError(f"bench/synth.py: {name} holds an empty string, which CSV cannot tell from null")
    return header + b"".join(piece.to_pybytes() for piece in pieces)


def check_csv_writer(tables: dict[str, pa.Table], rows: int = 3000) -> None:
    """Raise unless the column-wise CSV equals publish.csv_bytes on the first ``rows`` rows of each table."""
    for name, table in tables.items():
        head = table.slice(0, rows)
        if csv_bytes(name, head) != publish.csv_bytes(name, head):
            raise AssertionError(f"bench/synth.py: CSV for {name} differs from builders.publish.csv_bytes")


# ---------------------------------------------------------------------------
# The package
# ---------------------------------------------------------------------------

def write_package(out: Path, n_events: int, seed: int = 0, check: bool = True) -> dict[str, int]:
    """Write a package with ``n_events`` event rows to ``out``; return rows per table."""
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1700000000")  # the descriptor's `created`, no wall clock
    out = Path(out)
    (out / "seeds").mkdir(parents=True, exist_ok=True)
    tables, seeds, sources_rows = make_tables(n_events, seed)
    if check:
        check_csv_writer(tables)
    # Arrow's kernels and the Parquet writer release the GIL: one job per file,
    # biggest first, on every core (zstd level 9 on the evidence table dominates).
    jobs = {f"{name}.{fmt}": (publish.parquet_bytes, (tables[name],)) if fmt == "parquet"
            else (csv_bytes, (name, tables[name])) for name in RESOURCE_ORDER for fmt in ("parquet", "csv")}
    order = sorted(jobs, key=lambda f: -jobs[f][1][-1].nbytes)
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        done = {f: pool.submit(jobs[f][0], *jobs[f][1]) for f in order}
    files: dict[str, bytes] = {f: done[f].result() for f in sorted(done)}
    files["datapackage.json"] = publish.dumps(
        publish.descriptor(ROOT, files, sources_rows, prefix="", inline_schema=True))
    for fname, data in files.items():
        (out / fname).write_bytes(data)
    for fname, data in seeds.items():
        (out / "seeds" / fname).write_bytes(data)
    return {name: tables[name].num_rows for name in RESOURCE_ORDER}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path, help="folder to write the package to")
    ap.add_argument("--events", type=int, default=10_000, help="event rows (default 10000)")
    ap.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    counts = write_package(args.out, args.events, args.seed)
    print(f"{args.out}: " + ", ".join(f"{k} {v}" for k, v in counts.items())
          + f" ({time.perf_counter() - t0:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
