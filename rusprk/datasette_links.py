"""A Datasette plugin, installed with rusprk: every reference in a RUSPRK database is a link.

Datasette links a foreign key on table pages, but on a row page it shows the
bare id, and it cannot follow ``evidence.record_id``, whose table is named by
the row's ``record_table``.  This plugin renders both as links to the row
they name, from the keys in ``rusprk.metadata`` (and those of the evidence
link tables, ``rusprk.export_sqlite.evidence_link``).  It registers itself
through the ``datasette`` entry point of the wheel, so Datasette installed in
the same environment (or ``datasette install rusprk-<version>-py3-none-any.whl``)
picks it up; without it the tables and their links from other tables work
as before.

Only Datasette imports this module.
"""

from __future__ import annotations

from functools import lru_cache

from datasette import hookimpl


@lru_cache(maxsize=1)
def references() -> dict[tuple[str, str], str]:
    """(table, column) -> the table its value is the primary key of."""
    from rusprk.export_sqlite import LINKED_TABLES, evidence_link
    from rusprk.metadata import RESOURCE_ORDER, RESOURCES

    out = {}
    for res in [RESOURCES[n] for n in RESOURCE_ORDER] + [evidence_link(t) for t in LINKED_TABLES]:
        for fk in res.foreign_keys:
            out[(res.name, fk.fields[0])] = fk.resource
    return out


def target(row, column: str, table: str) -> str | None:
    """The table whose row this cell names, if it names one."""
    if table == "evidence" and column == "record_id":
        try:
            return row["record_table"]
        except (KeyError, IndexError, TypeError):
            return None
    return references().get((table, column))


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if not isinstance(value, str) or not value:
        return None  # null, or a foreign key Datasette has expanded itself (a dict with its label)
    other = target(row, column, table)
    if other is None:
        return None
    import markupsafe
    from datasette.utils import tilde_encode

    url = datasette.urls.row(database, other, tilde_encode(value))
    return markupsafe.Markup(f'<a href="{markupsafe.escape(url)}">{markupsafe.escape(value)}</a>')
