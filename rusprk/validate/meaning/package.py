"""A package's rows with the lookups the meaning rules share."""

from __future__ import annotations

from collections import defaultdict
from functools import cached_property

from rusprk.metadata import RESOURCE_ORDER, resource
from rusprk.validate.meaning.text import Gazetteer


class Package:
    def __init__(self, rows: dict[str, list[dict]], texts: dict[str, str] | None = None) -> None:
        """``texts``: each source's seed text by source id, where the seeds are at hand (else None)."""
        self.rows = {name: list(rows.get(name, [])) for name in RESOURCE_ORDER}
        self.texts = texts
        keys = {name: resource(name).primary_key[0] for name in RESOURCE_ORDER}  # once per table, not per row
        self.by_id = {name: {r[keys[name]]: r for r in self.rows[name]} for name in RESOURCE_ORDER}
        self.evidence_of: dict[tuple[str, str], list[dict]] = defaultdict(list)
        for ev in self.rows["evidence"]:
            self.evidence_of[(ev["record_table"], ev["record_id"])].append(ev)
        self.participants_of: dict[str, list[dict]] = defaultdict(list)
        for p in self.rows["participants"]:
            self.participants_of[p["event_id"]].append(p)

    @cached_property
    def names(self) -> Gazetteer:
        return Gazetteer.of_aliases(self.rows["aliases"])

    @staticmethod
    def actor(row: dict, prefix: str = "") -> str | None:
        """The person or body a participant (prefix '') or a gift's giver/recipient names."""
        return row.get(f"{prefix}person_id") or row.get(f"{prefix}body_id")

    def country_of(self, entity: str | None) -> str | None:
        for table in ("people", "bodies", "places"):
            if entity in self.by_id[table]:
                return self.by_id[table][entity]["country_iso3"]
        return None

    def places_up(self, place_id: str | None) -> list[str]:
        """The place and every place it lies within."""
        out, seen = [], set()
        while place_id and place_id not in seen and place_id in self.by_id["places"]:
            out.append(place_id)
            seen.add(place_id)
            place_id = self.by_id["places"][place_id]["within_place_id"]
        return out

    def quotes(self, table: str, record_id: str, context: bool | None = None) -> list[dict]:
        """The record's evidence rows (only the context ones, or only the others, if asked)."""
        rows = self.evidence_of.get((table, record_id), [])
        return rows if context is None else [r for r in rows if bool(r.get("context")) == context]
