"""A ``day`` precision claims only days a quote of the record or its date rationale writes out.

Every bound of a day-precise interval (start and end, where given) must be
written out as a calendar date ('May 31', '31.05.2018', '13 September 2023')
in one of the record's quotes or in its date rationale: a day resolved from
'the next day' says which day in the rationale, and a last day nobody
reports is left open instead.
"""

from __future__ import annotations

from rusprk.validate.meaning.text import states_day
from rusprk.validate.report import Problem


def check(pkg) -> list[Problem]:
    out = []
    for table, pk in (("events", "event_id"), ("gifts", "gift_id")):
        for row in pkg.rows[table]:
            if row["date_precision"] != "day":
                continue
            texts = [ev["quote"] for ev in pkg.quotes(table, row[pk])] + [row["date_rationale"] or ""]
            for field in ("date_start", "date_end"):
                day = row[field]
                if field == "date_end" and day == row["date_start"]:
                    continue  # one day: reported once, at date_start
                if day is not None and not states_day(texts, day):
                    out.append(Problem(table, row[pk], field,
                                       f"precision 'day' claims {day}, but neither a quote of the record nor its "
                                       "date_rationale writes that day out: say in the rationale how it is derived "
                                       f"(e.g. '{day.day} {day:%B %Y}'), or leave the side open"))
    for src in pkg.rows["sources"]:
        day = src["date_published"]
        if src["date_published_precision"] == "day" and day is not None and not states_day(
                [ev["quote"] for ev in pkg.quotes("sources", src["source_id"])], day):
            out.append(Problem("sources", src["source_id"], "date_published",
                               f"{day} is not written out in any header line of the source"))
    return out
