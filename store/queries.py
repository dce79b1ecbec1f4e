"""What the items table asks the service for and the rows it pages back: immutable named tuples,
no SQL. The console's first frame loads this module: the jobs' and the records' types live beside
it (store/job_queries.py, store/item_records.py, store/rollout_spec.py) and load with their
screens."""

from __future__ import annotations

from typing import NamedTuple

SORTS: dict[str, str] = {
    "name": "name",
    "status": "status",
    "agent_version": "agent_version_key",
    "os": "os",
    "appliance": "appliance",
}
"""Sort name -> column; each has an index (vault_id, column, name) so pages are index range
scans."""


class ItemRow(NamedTuple):
    """One line of the items table: just what is painted."""

    id: int
    name: str
    os: str
    appliance: str
    agent_version: str
    status: str
    sort_value: str


class ItemQuery(NamedTuple):
    """What the items table shows: one vault (or all), a status facet, a name filter, a sort."""

    vault_id: int | None = None
    status: str | None = None
    statuses: tuple[str, ...] = ()
    text: str = ""
    sort: str = "name"
    descending: bool = False
    names: tuple[str, str | None] | None = None
    """Lowest matching name and, when known, the highest (`match_counts` reads the lowest with
    the counts): a page then starts at the first match instead of scanning the index up to it.
    Never changes which rows match, as long as it comes from the same filter."""

    def with_(self, **changes) -> ItemQuery:
        return self._replace(**changes)


def row_key(row: ItemRow) -> tuple[str, str]:
    """The keyset key of a row: where the next page starts."""
    return (row.sort_value, row.name)
