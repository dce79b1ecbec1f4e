"""`items --json` at fleet scale: SQLite writes each matching item's JSON object itself.

Same keys, order and values as `ItemView.model_dump(mode="json")` (tests/cli prove it item by
item, under every filter and sort), without a pydantic model or a Python dict per machine: for
100,000 machines those cost more than the query.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

from store.catalog import latest_releases
from store.fleet import PRIVATE_ENDPOINT_NOTE, PRIVATE_PREVIEW_NOTE, VAULT_OFF_NOTE, item_where
from store.queries import SORTS, ItemQuery
from store.vocabulary import STATUS_SLUGS

_WORD = (
    "CASE i.status "
    + " ".join(f"WHEN '{slug}' THEN '{s.value}'" for s, slug in STATUS_SLUGS.items())
    + " END"
)
_NOTE = (
    "CASE WHEN i.private_preview THEN ?3 WHEN v.private_endpoint THEN ?4 WHEN NOT"
    " v.agent_auto_update THEN ?5 END"
)
_ITEM_JSON = f"""json_object(
    'name', i.name, 'vault', v.name, 'os', i.os, 'appliance', i.appliance,
    'agent_version', i.agent_version,
    'latest_version', ?1, 'latest_release_date', ?2, 'status', {_WORD},
    'blockers', json(i.blockers), 'next_check_at', i.next_check_at, 'checked_at', i.checked_at,
    'last_job_id', i.last_job_id, 'private_preview', json(iif(i.private_preview, 'true', 'false')),
    'auto_update', json(iif(({_NOTE}) IS NULL, 'true', 'false')), 'auto_update_note', {_NOTE},
    'replication_health', i.replication_health, 'protection_state', i.protection_state)"""
"""An item as the command line's JSON object (the blockers column already holds their JSON). ?1-?5:
the latest agent version and its date, the three automatic-update notes; the WHERE clause's plain
`?` parameters number on from ?6."""


def item_json(conn: sqlite3.Connection, q: ItemQuery) -> Iterator[str]:
    """Every item `q` matches, in its sort order, as compact JSON text (one object per item)."""
    column = SORTS.get(q.sort, "name")
    where, args = item_where(conn, q, alias="i.")
    if q.vault_id is None and (q.status or q.statuses):
        # Every vault: naming them lets SQLite read each vault's (vault_id, status, name) index
        # range
        # instead of walking all the items in name order to keep a few.
        where += " AND i.vault_id IN (SELECT id FROM vaults)"
    order = "i.name" if column == "name" else f"i.{column}, i.name"
    agent = latest_releases(conn).get("agent")
    params = [
        agent.version if agent else None,
        agent.released_at if agent else None,
        PRIVATE_PREVIEW_NOTE,
        PRIVATE_ENDPOINT_NOTE,
        VAULT_OFF_NOTE,
        *args,
    ]
    sql = (
        f"SELECT {_ITEM_JSON} FROM items i JOIN vaults v ON v.id = i.vault_id{where} ORDER BY"
        f" {order}"
    )
    for (text,) in conn.execute(sql, params):
        yield text
