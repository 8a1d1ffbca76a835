"""Checks within one table: each field's constraints, dates, and the rules across fields of a row.

``check_fields``, ``check_dates`` and ``check_rules`` look at each row alone,
so they run on a whole table or on batches of its rows (``out.offset`` is the
batch's first row); ``check_keys`` needs the whole key columns.  All of them
are column-wise ``pyarrow.compute``: no per-row Python.
"""

from __future__ import annotations

from rusprk.metadata import CAMEO_CODES, EVENT_TYPE_CAMEO, RESOURCES, VOCABULARIES, resource
from rusprk.validate.report import Found, col as _col, report as _report
from rusprk.validate.rules import (AT_MOST_ONE, CONTROL_CHARS, DERIVED_IDS, EXACTLY_ONE, FORMULA_START, IMPLIES,
                                   MOJIBAKE, rationale_pairs, references, single_dates)


def _duplicated(col):
    """True for every value that occurs more than once (nulls excepted)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(col)
    if n > 1:  # sorted columns (every primary key) show duplicates as equal neighbours: no hashing
        ascending = pc.all(pc.fill_null(pc.less_equal(col.slice(0, n - 1), col.slice(1)), True)).as_py()
        if ascending:
            same = pc.fill_null(pc.equal(col.slice(0, n - 1), col.slice(1)), False)
            with_next = pa.concat_arrays([same, pa.array([False])])
            with_prev = pa.concat_arrays([pa.array([False]), same])
            return pc.or_(with_next, with_prev)
    counts = pa.table({"k": col}).group_by("k").aggregate([("k", "count")])
    return pc.is_in(col, value_set=counts.filter(pc.greater(counts["k_count"], 1))["k"])


def _set(col):
    """True where a value is set; for booleans, where it is true."""
    import pyarrow as pa
    import pyarrow.compute as pc

    return pc.fill_null(col, False) if pa.types.is_boolean(col.type) else pc.is_valid(col)


def _has_empty(col) -> bool:
    """Whether a string array may hold an empty string: two equal offsets (a null has them too; the
    exact check follows only then).  Reads the offsets alone, not the text."""
    import numpy as np

    if not len(col):
        return False
    offsets = np.frombuffer(col.buffers()[1], dtype=np.int32, count=len(col) + 1, offset=col.offset * 4)
    return bool((offsets[1:] == offsets[:-1]).any())


def _mojibake(col):
    """True where MOJIBAKE matches.  Every pattern in it is non-ASCII, so the regex runs only on the
    rows that are not plain ASCII (a cheap check); on English text that is a small share."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    other = pc.indices_nonzero(pc.invert(pc.fill_null(pc.string_is_ascii(col), True)))
    mask = np.zeros(len(col), dtype=bool)
    if len(other):
        hit = pc.match_substring_regex(col.take(other), MOJIBAKE)
        mask[pc.filter(other, hit).to_numpy()] = True
    return pa.array(mask)


def check_fields(name: str, t, offset: int = 0) -> Found:
    """Each value on its own: required, vocabulary, pattern, range, text sanity (keys: check_keys)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    res, out = resource(name), Found(offset)
    # A reference must equal a key of its table, which has the same pattern and is checked there,
    # so check_references covers these (and a million regex matches are saved).
    implied = {f for f, target, tf in references(name)
               if RESOURCES[target].field(tf).pattern == res.field(f).pattern}
    for f in res.fields:
        col = _col(t, f.name)
        if f.required and col.null_count:
            _report(out, name, t, pc.is_null(col), f.name, "required value is missing")
        if f.type == "string":
            if f.enum:
                allowed = list(VOCABULARIES[f.enum])
                _report(out, name, t, pc.and_(pc.is_valid(col), pc.invert(pc.is_in(col, value_set=pa.array(
                    allowed, pa.string())))),
                        f.name, f"value not in vocabulary {f.enum} ({', '.join(allowed)})", col)
            if f.pattern and f.name not in implied:
                _report(out, name, t, pc.invert(pc.match_substring_regex(col, f.pattern)), f.name,
                        f"value does not match {f.pattern}", col)
            if _has_empty(col):
                _report(out, name, t, pc.equal(pc.binary_length(col), 0), f.name,
                        "empty string (an empty CSV cell means null: write null)")
            if not (f.enum or f.pattern):  # the stricter checks above cover the others
                _report(out, name, t, _mojibake(col), f.name,
                        "text looks mis-decoded (mojibake or replacement character)", col)
                _report(out, name, t, pc.match_substring_regex(col, CONTROL_CHARS), f.name,
                        "text holds a control character (NUL, ESC, CR, ...): only TAB and LF are allowed", col)
                if not f.verbatim:
                    _report(out, name, t, pc.match_substring_regex(col, FORMULA_START), f.name,
                            "text begins with = + - @ TAB or CR, which a spreadsheet reads as a formula: "
                            "begin it otherwise", col)
        elif f.type == "integer":
            if f.minimum is not None:
                _report(out, name, t, pc.less(col, f.minimum), f.name, f"value below minimum {f.minimum}", col)
            if f.maximum is not None:
                _report(out, name, t, pc.greater(col, f.maximum), f.name, f"value above maximum {f.maximum}", col)
    return out


def key_columns(name: str) -> list[str]:
    """The primary key and the fields that must be unique: what check_keys needs."""
    res = resource(name)
    return [res.primary_key[0], *(f.name for f in res.fields if f.unique and f.name != res.primary_key[0])]


def check_keys(name: str, t) -> Found:
    """The primary key and unique fields hold no value twice; rows are sorted by primary key."""
    import pyarrow as pa
    import pyarrow.compute as pc

    out, pk = Found(), resource(name).primary_key[0]
    for f in key_columns(name):
        what = "primary key" if f == pk else "value"
        _report(out, name, t, _duplicated(_col(t, f)), f, f"{what} is not unique")
    # Published rows are sorted by primary key (byte-reproducible files).
    if t.num_rows > 1:
        key = _col(t, pk)
        later = pc.less(key.slice(1), key.slice(0, t.num_rows - 1))
        mask = pa.concat_arrays([pa.array([False]), pc.fill_null(later, False)])
        _report(out, name, t, mask, pk, "rows are not sorted by primary key")
    return out


def _last_day_of_month(col):
    import pyarrow as pa
    import pyarrow.compute as pc

    next_day = pc.cast(pc.add(pc.cast(col, pa.int32()), pa.scalar(1, pa.int32())), pa.date32())
    return pc.equal(pc.day(next_day), 1)


def check_dates(name: str, t, offset: int = 0) -> Found:
    """start <= end; the interval matches its precision; only 'unknown' is undated."""
    import pyarrow as pa
    import pyarrow.compute as pc

    res, out = resource(name), Found(offset)
    for field, prec_field in single_dates(res):
        d, prec = _col(t, field), _col(t, prec_field)
        unknown = pc.equal(prec, "unknown")
        _report(out, name, t, pc.and_(unknown, pc.is_valid(d)), field, "precision 'unknown' but a date is given")
        _report(out, name, t, pc.and_(pc.invert(unknown), pc.is_null(d)), field,
                f"no date but {prec_field} is not 'unknown'")
    if "date_start" not in t.column_names:
        return out
    start, end, prec = _col(t, "date_start"), _col(t, "date_end"), _col(t, "date_precision")
    unknown = pc.equal(prec, "unknown")
    _report(out, name, t, pc.and_(unknown, pc.or_(pc.is_valid(start), pc.is_valid(end))), "date_precision",
            "precision 'unknown' but a date is given")
    # A month or year is a closed interval; a day or range may leave one side open (null), not both.
    closed = pc.is_in(prec, value_set=pa.array(["month", "year"]))
    _report(out, name, t, pc.and_(closed, pc.is_null(start)), "date_start", "a month or year interval needs date_start")
    _report(out, name, t, pc.and_(closed, pc.is_null(end)), "date_end", "a month or year interval needs date_end")
    open_ok = pc.is_in(prec, value_set=pa.array(["day", "range"]))
    _report(out, name, t, pc.and_(open_ok, pc.and_(pc.is_null(start), pc.is_null(end))), "date_precision",
            "no date_start and no date_end: an undated record has precision 'unknown'")
    _report(out, name, t, pc.greater(start, end), "date_start", "date_start is after date_end", start)
    month_ok = pc.and_(pc.equal(pc.day(start), 1), _last_day_of_month(end))
    _report(out, name, t, pc.and_(pc.equal(prec, "month"), pc.invert(month_ok)), "date_precision",
            "a month interval must run from the first day of a month to the last day of a month")
    year_ok = pc.and_(pc.and_(pc.equal(pc.month(start), 1), pc.equal(pc.day(start), 1)),
                      pc.and_(pc.equal(pc.month(end), 12), pc.equal(pc.day(end), 31)))
    _report(out, name, t, pc.and_(pc.equal(prec, "year"), pc.invert(year_ok)), "date_precision",
            "a year interval must run from 1 January to 31 December")
    return out


def _derived(t, parts):
    import pyarrow as pa
    import pyarrow.compute as pc

    cols = []
    for part in parts:
        if isinstance(part, str):
            cols.append(pa.scalar(part))
        else:
            vals = [pc.cast(_col(t, f), pa.string()) for f in part]
            cols.append(vals[0] if len(vals) == 1 else pc.coalesce(*vals))
    return pc.binary_join_element_wise(*cols, "")


def check_rules(name: str, t, offset: int = 0) -> Found:
    """Cross-field rules within one row (see the tables at the top of this module)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    res, out = resource(name), Found(offset)
    for group in EXACTLY_ONE.get(name, ()):
        n = _count_set(t, group)
        _report(out, name, t, pc.not_equal(n, 1), ",".join(group), f"exactly one of {', '.join(group)} must be set")
    for group in AT_MOST_ONE.get(name, ()):
        _report(out, name, t, pc.greater(_count_set(t, group), 1), ",".join(group),
                f"at most one of {', '.join(group)} may be set")
    for table, field, then in IMPLIES:
        if table == name:
            ok = _count_set(t, then)
            _report(out, name, t, pc.and_(_set(_col(t, field)), pc.equal(ok, 0)), field,
                    f"{field} is set, so {' or '.join(then)} must be")
    for flag, why in rationale_pairs(res):
        inferred, given = pc.fill_null(_col(t, flag), False), pc.is_valid(_col(t, why))
        _report(out, name, t, pc.and_(inferred, pc.invert(given)), why, f"{flag} is true but no rationale is given")
        _report(out, name, t, pc.and_(pc.invert(inferred), given), why, f"a rationale is given but {flag} is false")
    if name in DERIVED_IDS:
        field, parts = DERIVED_IDS[name]
        want = _derived(t, parts)
        bad = pc.invert(pc.fill_null(pc.equal(_col(t, field), want), False))
        spec = "".join(p if isinstance(p, str) else "|".join(p) for p in parts)
        _report(out, name, t, pc.and_(bad, pc.is_valid(_col(t, field))), field, f"id must be {spec}", want)
    if name == "evidence":  # the offsets span the quote (its place in the seed: quotes.Seeds.check)
        quote = _col(t, "quote")
        chars = pc.subtract(_col(t, "char_end"), _col(t, "char_start"))
        _report(out, name, t, pc.not_equal(chars, pc.cast(pc.utf8_length(quote), pa.int64())), "char_end",
                "char_end - char_start is not the quote's length in characters", chars)
        nbytes = pc.subtract(_col(t, "byte_end"), _col(t, "byte_start"))
        _report(out, name, t, pc.not_equal(nbytes, pc.cast(pc.binary_length(quote), pa.int64())), "byte_end",
                "byte_end - byte_start is not the quote's length in UTF-8 bytes", nbytes)
        _report(out, name, t, pc.less(_col(t, "byte_start"), _col(t, "char_start")), "byte_start",
                "byte_start is before char_start (every character takes at least one byte)", _col(t, "byte_start"))
    if name == "events":  # the type's default code unless a rationale says why not; PLOVER follows the code
        types = pa.array(list(EVENT_TYPE_CAMEO), pa.string())
        default = pa.array(list(EVENT_TYPE_CAMEO.values()), pa.string()).take(
            pc.index_in(_col(t, "event_type"), value_set=types))
        code, plover = _col(t, "cameo_code"), _col(t, "plover_category")
        bad = pc.and_(pc.is_null(_col(t, "cameo_rationale")), pc.invert(_same(code, default)))
        _report(out, name, t, pc.and_(bad, pc.is_valid(_col(t, "event_type"))), "cameo_code",
                "cameo_code is not the event type's default (EVENT_TYPE_CAMEO) and no cameo_rationale says why",
                code)
        codes = pa.array(list(CAMEO_CODES), pa.string())
        want = pa.array([p for _, p in CAMEO_CODES.values()], pa.string()).take(pc.index_in(code, value_set=codes))
        _report(out, name, t, pc.invert(_same(plover, want)), "plover_category",
                "plover_category does not match cameo_code (CAMEO_CODES)", plover)
    return out


def _same(a, b):
    """Elementwise equality with null equal to null."""
    import pyarrow.compute as pc

    return pc.fill_null(pc.or_kleene(pc.equal(a, b), pc.and_(pc.is_null(a), pc.is_null(b))), False)


def _count_set(t, fields):
    import pyarrow as pa
    import pyarrow.compute as pc

    counts = [pc.cast(_set(_col(t, f)), pa.int64()) for f in fields]
    n = counts[0]
    for c in counts[1:]:
        n = pc.add(n, c)
    return n
