"""Each seed matches its sha256, and each quote stands in its seed at its offsets, between its anchors.

``Seeds`` reads and checks the seed files once; ``Seeds.check`` then takes
the evidence whole or in batches.  Offsets are mapped and quotes compared
column-wise: the seed bytes each row points at become an Arrow binary_view
array (no copy of the bytes) compared with the quotes in one kernel, and the
same for the anchors (``prefix`` and ``suffix``, ``rusprk._anchors``).

A seed whose bytes changed is reported (its sha256), and each of its quotes
is looked for again in the new text (``rusprk._anchors.refind``): where it
moved, whether it still matches exactly, or that it is gone.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from rusprk._anchors import ANCHOR_CHARS, refind
from rusprk.validate.report import (MAX_REPORTED_PER_CHECK, Found, Hits, Problem, col as _col, report as _report,
                                    quoted as _show)

#: Rows of evidence compared at once: bounds the temporaries (about 100 bytes a row).
QUOTE_BATCH = 1 << 20


def _views(padded, starts, lengths):
    """padded[starts[i]:starts[i] + lengths[i]] for each i, as an Arrow binary_view array.

    A view is 16 bytes: the length, then the bytes inline when they fit in 12,
    else a 4-byte prefix, buffer 0 and the offset.  ``padded`` ends in 12 zero
    bytes so that reading 12 bytes from any start, the end of the data included (an
    empty suffix), stays inside it.
    """
    import numpy as np
    import pyarrow as pa

    n = len(starts)
    windows = np.ndarray((len(padded) - 11,), dtype="V12", buffer=padded, strides=(1,))  # windows[i] = 12 bytes at i
    views = np.zeros((n, 16), dtype=np.uint8)
    views[:, 4:16] = windows[starts].view(np.uint8).reshape(n, 12)  # the first 12 bytes of every slice
    words = views.view(np.int32)
    words[:, 0] = lengths
    short = np.flatnonzero(lengths < 12)
    if len(short):  # inline data is zero-padded
        views[short, 4:16] *= (np.arange(12) < lengths[short, None])
    long = lengths > 12
    words[:, 2] = np.where(long, 0, words[:, 2])  # buffer index 0
    words[:, 3] = np.where(long, starts, words[:, 3])
    return pa.Array.from_buffers(pa.binary_view(), n, [None, pa.py_buffer(views), pa.py_buffer(padded)])


def _int_column(t, name):
    """An integer column as int64 numpy (nulls as -1), without a copy when it has no nulls."""
    import numpy as np
    import pyarrow.compute as pc

    c = _col(t, name)
    if c.null_count:
        c = pc.fill_null(c, -1)
    return c.to_numpy(zero_copy_only=False).astype(np.int64, copy=False)


class Seeds:
    """The seeds ``sources`` names, read from ``seeds_dir`` and checked against their sha256.

    ``problems`` names the sources whose seed is missing or changed; their
    evidence is not checked at its offsets (that problem is the one to fix),
    but the quotes of a changed seed that still reads as UTF-8 are looked
    for again in it (``changed``: its text by seed index).
    """

    def __init__(self, sources, seeds_dir: Path) -> None:
        import numpy as np

        self.problems: list[Problem] = []
        self.changed: dict[int, str] = {}
        self.source_ids = _col(sources, "source_id")
        seeds: list[bytes | None] = []
        seeds_dir = Path(seeds_dir)
        self.usable = seeds_dir.is_dir()
        if not self.usable:
            self.problems.append(Problem("sources", str(seeds_dir), "seed_file", "seeds folder not found"))
        else:
            from rusprk.validate.read import inside

            cols = (_col(sources, c).to_pylist() for c in ("source_id", "seed_file", "sha256"))
            for sid, seed_file, sha in zip(*cols):
                path, why = inside(seeds_dir, str(seed_file))
                if path is None or not path.is_file():
                    self.problems.append(Problem("sources", str(sid), "seed_file",
                                                 why or f"seed {seed_file} not found in {seeds_dir}"))
                    seeds.append(None)
                    continue
                data = path.read_bytes()
                if hashlib.sha256(data).hexdigest() != sha:
                    self.problems.append(Problem("sources", str(sid), "sha256",
                                                 f"seed {seed_file} does not match its sha256"))
                    try:
                        self.changed[len(seeds)] = data.decode("utf-8")
                    except UnicodeDecodeError:
                        pass  # unreadable: the sha256 problem says all there is to say
                    seeds.append(None)
                    continue
                seeds.append(data)
        # Seed i is entry i; entry -1 (an unknown source) is an empty, unloaded seed.
        texts = [(d or b"").decode("utf-8", "replace") for d in seeds]  # let go at the end: see text()
        self.chars = np.array([len(x) for x in texts] + [0], dtype=np.int64)
        self.char_base = np.concatenate([[0], np.cumsum(self.chars)]).astype(np.int64)
        nbytes = np.array([len(d) if d is not None else 0 for d in seeds] + [0], dtype=np.int64)
        self.byte_base = np.concatenate([[0], np.cumsum(nbytes)]).astype(np.int64)
        self.loaded = np.array([d is not None for d in seeds] + [False], dtype=bool)
        self.is_changed = np.array([i in self.changed for i in range(len(seeds))] + [False], dtype=bool)
        self.padded = np.frombuffer(b"".join(d for d in seeds if d is not None) + bytes(12), dtype=np.uint8)
        # extra_before[g]: bytes beyond one taken by the characters before character g of all seeds end
        # to end (ASCII takes one byte, so only the others count).  A dense table, 4 bytes a character:
        # one lookup per offset, where a search among the non-ASCII characters took twenty.
        dtype = np.int32 if 3 * int(self.chars.sum()) < 2**31 else np.int64  # at most 3 extra bytes each
        parts, total = [np.zeros(1, dtype=dtype)], 0
        for text in texts:
            cps = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
            extra = np.cumsum((cps >= 0x80).astype(np.int64) + (cps >= 0x800) + (cps >= 0x10000)) + total
            if len(extra):
                total = int(extra[-1])
            parts.append(extra.astype(dtype))
        self.extra_before = np.concatenate(parts)
        #: Wrong quotes whose text is looked for elsewhere in the seed, to say which fault it is; the
        #: budget spans the batches of one table (they come in order), so batches name the same rows.
        self.examine = 20 * MAX_REPORTED_PER_CHECK

    def text(self, i: int) -> str:
        """Seed i as text (decoded again when asked: only wrong quotes need it)."""
        return self.padded[self.byte_base[i]:self.byte_base[i + 1]].tobytes().decode("utf-8", "replace")

    def byte_offset(self, src, chars):
        """Character offsets ``chars`` in seeds ``src`` -> byte offsets in the same seeds."""
        start = self.char_base[src]
        return chars + self.extra_before[start + chars] - self.extra_before[start]

    def check(self, ev, offset: int = 0) -> Found:
        """Quotes of evidence rows ``ev`` (rows offset.. of the evidence table) at their offsets."""
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        out = Found(offset)
        n = ev.num_rows
        if not self.usable or not n:
            return out
        loaded, at = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
        bad_bs, bad_be = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
        bad_anchor = {"prefix": np.zeros(n, dtype=bool), "suffix": np.zeros(n, dtype=bool)}
        changed_rows, changed_src = [], []
        for lo in range(0, n, QUOTE_BATCH):
            b = ev.slice(lo, QUOTE_BATCH)
            src = pc.fill_null(pc.index_in(_col(b, "source_id"), value_set=self.source_ids), -1).to_numpy()
            src = src.astype(np.int64)  # -1 (unknown source) picks the sentinel entries at the end
            cs, ce = _int_column(b, "char_start"), _int_column(b, "char_end")
            loaded[lo:lo + b.num_rows] = self.loaded[src]
            if self.changed:
                moved = np.flatnonzero(self.is_changed[src])
                changed_rows.append(lo + moved)
                changed_src.append(src[moved])
            inside = self.loaded[src] & (cs >= 0) & (cs < ce) & (ce <= self.chars[src])
            rows = np.flatnonzero(inside)
            if not len(rows):
                continue
            s_in, cs_in, ce_in = src[rows], cs[rows], ce[rows]
            want_bs, want_be = self.byte_offset(s_in, cs_in), self.byte_offset(s_in, ce_in)
            # The quote's UTF-8 bytes against the seed's bytes at the offsets char_start..char_end give.
            found = _views(self.padded, self.byte_base[s_in] + want_bs, want_be - want_bs)
            quote = _col(b, "quote")
            if len(rows) < b.num_rows:
                quote = quote.take(pa.array(rows))
            same = pc.equal(quote.cast(pa.binary()).cast(pa.binary_view()), found)
            ok = pc.fill_null(same, False).to_numpy(zero_copy_only=False)
            at[lo + rows] = ok
            bad_bs[lo + rows] = ok & (_int_column(b, "byte_start")[rows] != want_bs)
            bad_be[lo + rows] = ok & (_int_column(b, "byte_end")[rows] != want_be)
            # The anchors of the quotes that stand at their offsets: the seed's bytes from ANCHOR_CHARS
            # characters before char_start (or its start) and to ANCHOR_CHARS after char_end (or its end).
            here = np.flatnonzero(ok)
            if len(here):
                s_ok, base = s_in[here], self.byte_base[s_in[here]]
                spans = {
                    "prefix": (self.byte_offset(s_ok, np.maximum(cs_in[here] - ANCHOR_CHARS, 0)), want_bs[here]),
                    "suffix": (want_be[here], self.byte_offset(s_ok, np.minimum(ce_in[here] + ANCHOR_CHARS,
                                                                                self.chars[s_ok]))),
                }
                take = pa.array(rows[here]) if len(here) < b.num_rows else None
                for name, (a, z) in spans.items():
                    got = _col(b, name) if take is None else _col(b, name).take(take)
                    got = pc.fill_null(got, "").cast(pa.binary()).cast(pa.binary_view())
                    same = pc.equal(got, _views(self.padded, base + a, z - a))
                    bad_anchor[name][lo + rows[here]] = ~pc.fill_null(same, False).to_numpy(zero_copy_only=False)
        wrong = loaded & ~at
        # Name the first wrong rows' fault: the quote is absent, or present elsewhere (offsets wrong).
        elsewhere = np.zeros(n, dtype=bool)
        quote, src_col = _col(ev, "quote"), _col(ev, "source_id")
        index: dict = {}
        for i, sid in enumerate(self.source_ids.to_pylist()):
            index.setdefault(sid, i)  # as index_in does: the first row with that id
        for r in np.flatnonzero(wrong)[: self.examine]:
            self.examine -= 1
            q = quote[int(r)].as_py()
            elsewhere[r] = q is not None and q in self.text(index[src_col[int(r)].as_py()])
        _report(out, "evidence", ev, pa.array(wrong & ~elsewhere), "quote", "quote does not occur in its seed")
        _report(out, "evidence", ev, pa.array(elsewhere), "char_start",
                "quote occurs in its seed but not at char_start..char_end")
        _report(out, "evidence", ev, pa.array(bad_bs), "byte_start",
                "byte_start is not the byte offset of char_start in the seed")
        _report(out, "evidence", ev, pa.array(bad_be), "byte_end",
                "byte_end is not the byte offset of char_end in the seed")
        _report(out, "evidence", ev, pa.array(bad_anchor["prefix"]), "prefix",
                f"prefix is not the seed's text before char_start (the {ANCHOR_CHARS} characters there, fewer "
                "at the seed's start; null when char_start is 0)", _col(ev, "prefix"))
        _report(out, "evidence", ev, pa.array(bad_anchor["suffix"]), "suffix",
                f"suffix is not the seed's text after char_end (the {ANCHOR_CHARS} characters there, fewer at "
                "the seed's end; null when the quote ends the seed)", _col(ev, "suffix"))
        if changed_rows:
            out += self._refind(ev, np.concatenate(changed_rows), np.concatenate(changed_src), offset)
        return out

    def _refind(self, ev, rows, src, offset: int) -> list:
        """Hits for the quotes of changed seeds (rows ``rows`` of ``ev``, seed indices ``src``): moved
        (field char_start), no longer exact or gone (field quote).  A quote at its old offsets, at the
        same bytes, is fine: the seed's sha256 problem is the one to fix."""
        import pyarrow as pa

        hits = {kind: Hits("evidence", field, message, 0) for kind, (field, message) in REFIND_MESSAGES.items()}
        if not len(rows):
            return []
        take = pa.array(rows)
        cols = {c: _col(ev, c).take(take).to_pylist()
                for c in ("evidence_id", "quote", "char_start", "char_end", "byte_start", "byte_end", "prefix",
                          "suffix")}
        for i, (r, s) in enumerate(zip(rows.tolist(), src.tolist())):
            eid, q, cs, ce, bs, be, prefix, suffix = (cols[c][i] for c in cols)
            if q is None or cs is None or ce is None:
                continue  # a required value missing: check_fields reports it
            text = self.changed[s]
            got = refind(text, q, cs, ce, prefix, suffix)
            if got.status == "missing":
                kind, detail = "missing", REFIND_MESSAGES["missing"][1]
            else:
                new_bs = len(text[:got.start].encode("utf-8"))
                new_be = new_bs + len(text[got.start:got.end].encode("utf-8"))
                if got.status == "unmoved" and (new_bs, new_be) == (bs, be):
                    continue
                where = (f"characters {got.start}..{got.end}, bytes {new_bs}..{new_be} "
                         f"(was {cs}..{ce}, bytes {bs}..{be})")
                if got.status == "inexact":
                    kind = "inexact"
                    detail = (f"{REFIND_MESSAGES[kind][1]}: between its prefix and suffix, at {where}, the seed "
                              f"now reads {_show(got.reads)} where the quote reads {_show(q)}")
                else:
                    kind = "moved"
                    detail = (f"{REFIND_MESSAGES[kind][1]}: it now stands at {where}"
                              + ("" if got.anchored else "; the text around it no longer matches its prefix "
                                 "and suffix"))
            h = hits[kind]
            h.count += 1
            if len(h.named) < MAX_REPORTED_PER_CHECK:  # rows come in order: the first ones are the ones named
                row_id = f"#{offset + r + 1}" if eid is None else str(eid)
                h.named.append((offset + r, Problem("evidence", row_id, h.field, detail)))
        return [h for h in hits.values() if h.count]


#: What a quote of a changed seed is, once looked for again: kind -> (field, message).
REFIND_MESSAGES = {
    "moved": ("char_start", "its seed changed and the quote moved, still matching exactly"),
    "inexact": ("quote", "its seed changed and the quote no longer matches exactly"),
    "missing": ("quote", "its seed changed and the quote is gone: not found exactly, nor between its prefix "
                         "and suffix"),
}
