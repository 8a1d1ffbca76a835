"""The record of the second readings: builders/review/second_readings.yaml -> docs/curation-log.md.

Each seed is read a second time, blind (a reader given the seed and the
curation guide, never the hand-map), and the reading is compared with the
tables. The YAML holds each comparison: the agreement figures and every
disagreement with its decision. The build renders the log from it, and the
codebook prints the agreement table, so the figures are written once.

A reading names the sha256 of the hand-map it was compared with: when a
hand-map changes, its seed needs a new reading, and ``stale`` says which.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import yaml

from builders.errors import BuildError

READINGS = Path("builders") / "review" / "second_readings.yaml"
LOG = Path("docs") / "curation-log.md"


@dataclass(frozen=True)
class Reading:
    seed: str
    date: str
    reader: str
    reading: str
    compared_with: str
    handmap_sha256: str
    records: dict
    fields: dict
    disagreements: list

    @property
    def record_agreement(self) -> float:
        r = self.records
        return r["matched"] / (r["matched"] + r["first_only"] + r["second_only"])

    @property
    def field_agreement(self) -> float:
        return self.fields["agreed"] / self.fields["compared"]


def audits(root: Path) -> list[dict]:
    """The independent audits recorded beside the readings (each: date, reader, report, findings)."""
    data = yaml.safe_load((root / READINGS).read_text(encoding="utf-8")) or {}
    out = data.get("audits") or []
    for i, a in enumerate(out, start=1):
        if not (root / a["report"]).is_file():
            raise BuildError(root / READINGS, f"audits[{i}]: no report file {a['report']}", field="report")
    return out


def load(root: Path) -> tuple[str, list[Reading]]:
    """(the protocol's path, every reading), checked: figures that add up, files that exist."""
    path = root / READINGS
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise BuildError(path, f"cannot read the second readings: {exc}") from None
    readings = []
    for i, entry in enumerate(data.get("readings") or [], start=1):
        where = f"readings[{i}]"
        try:
            r = Reading(**{k: entry[k] for k in Reading.__dataclass_fields__})
        except (KeyError, TypeError) as exc:
            raise BuildError(path, f"{where}: missing or malformed {exc}", field=where) from None
        if not (root / r.reading).is_file():
            raise BuildError(path, f"{where}: no reading file {r.reading}", field="reading")
        if not 0 <= r.fields["agreed"] <= r.fields["compared"] or min(r.records.values()) < 0:
            raise BuildError(path, f"{where}: figures do not add up ({r.records}, {r.fields})", field="fields")
        readings.append(r)
    return data.get("protocol", ""), readings


def handmap_sha256(root: Path, seed: str) -> str:
    return hashlib.sha256((root / "builders" / "handmaps" / f"{Path(seed).stem}.yaml").read_bytes()).hexdigest()


def latest(readings: list[Reading]) -> dict[str, Reading]:
    out: dict[str, Reading] = {}
    for r in readings:  # in file order: a later entry is a later reading
        out[r.seed] = r
    return out


def stale(root: Path, readings: list[Reading]) -> list[str]:
    """Seeds with no reading, or whose hand-map changed since its last one."""
    last = latest(readings)
    return [p.name for p in sorted((root / "seeds").glob("*.txt"))
            if p.name not in last or last[p.name].handmap_sha256 != handmap_sha256(root, p.name)]


def agreement_table(readings: list[Reading]) -> list[str]:
    """Markdown rows: one per seed (its last reading), and the total."""
    last = latest(readings)
    out = ["| seed | read | records agreed | record agreement | fields agreed | field agreement | disagreements |",
           "|---|---|---|---|---|---|---|"]
    totals = {"m": 0, "n": 0, "a": 0, "c": 0, "d": 0}
    for seed, r in sorted(last.items()):
        n = r.records["matched"] + r.records["first_only"] + r.records["second_only"]
        out.append(f"| `{seed}` | {r.date} | {r.records['matched']} of {n} | {r.record_agreement:.0%} | "
                   f"{r.fields['agreed']} of {r.fields['compared']} | {r.field_agreement:.0%} | "
                   f"{len(r.disagreements)} |")
        for k, v in (("m", r.records["matched"]), ("n", n), ("a", r.fields["agreed"]), ("c", r.fields["compared"]),
                     ("d", len(r.disagreements))):
            totals[k] += v
    if last:
        out.append(f"| all | | {totals['m']} of {totals['n']} | {totals['m'] / totals['n']:.0%} | {totals['a']} of "
                   f"{totals['c']} | {totals['a'] / totals['c']:.0%} | {totals['d']} |")
    return out


def render(root: Path) -> str:
    protocol, readings = load(root)
    out = [
        "# Curation log",
        "",
        f"Generated by `rusprk build` from `{READINGS.as_posix()}`. Do not edit by hand.",
        "",
        "Every seed is read twice. The first reader writes the hand-map; the second reads the seed blind, "
        f"given only the seed and the curation guide ([the brief](../{protocol})), "
        "never the hand-map or the tables, and records what it finds in the same terms. The curator then compares "
        "the second reading with the tables, resolves every disagreement on the text, and logs it here with the "
        "decision and why. A seed whose hand-map changes gets a new reading.",
        "",
        "**How agreement is counted.** *Records*: every event, gift, person, place and body either reader coded "
        "from the seed; agreed when both record the same fact or entity. *Fields*: for each event both record, "
        "nine decisions (type, CAMEO code, date bounds and precision, status, place, country, Russia–DPRK flag, "
        "parent event, participants as actor–role pairs); for each gift both record, seven (item, giver, "
        "recipient, occasion, date, place, certainty). A difference the first reading resolved from another seed, "
        "which the second reader did not see, counts as a disagreement (decision: *other seed*).",
        "",
        "## Agreement",
        "",
        *agreement_table(readings),
        "",
    ]
    for r in readings:
        n = r.records["matched"] + r.records["first_only"] + r.records["second_only"]
        out += [
            f"## `{r.seed}`, read {r.date}",
            "",
            f"- Second reader: {r.reader}.",
            f"- Reading: [`{Path(r.reading).name}`](../{r.reading}); compared with "
            f"the tables of {r.compared_with} (hand-map sha256 `{r.handmap_sha256[:12]}…`).",
            f"- Records: {r.records['matched']} of {n} agreed ({r.record_agreement:.0%}): {r.records['first_only']} "
            f"in the tables only, {r.records['second_only']} in the second reading only.",
            f"- Fields: {r.fields['agreed']} of {r.fields['compared']} agreed ({r.field_agreement:.0%}).",
            "",
            "| # | disagreement | decision | why |",
            "|---|---|---|---|",
        ]
        out += _rows(r.disagreements)
    for n, a in enumerate(audits(root), start=1):
        out += [f"## Independent audit {n}, {a['date']}", "",
                f"- Reader: {a['reader']}.",
                f"- Report: [`{Path(a['report']).name}`](../{a['report']}). Every finding and what was done:", "",
                "| # | finding | decision | what was done, and why |", "|---|---|---|---|", *_rows(a["findings"])]
    return "\n".join(out).rstrip() + "\n"


def _rows(items: list[dict]) -> list[str]:
    out = []
    for i, d in enumerate(items, start=1):
        cells = [str(d.get(k, "")).replace("|", "\\|").replace("\n", " ").strip() for k in ("what", "decision", "why")]
        out.append(f"| {i} | {cells[0]} | {cells[1]} | {cells[2]} |")
    return out + [""]
