"""`items --json` at fleet scale: every matching item as a JSON-ready dict, straight from the rows.

Same keys, order and values as `ItemView.model_dump(mode="json")` (tests/cli prove it item by
item), without building a pydantic model per machine: 100,000 of them cost more than the query.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator

from store.catalog import latest_releases
from store.fleet import (
    PRIVATE_ENDPOINT_NOTE,
    PRIVATE_PREVIEW_NOTE,
    SORTS,
    VAULT_OFF_NOTE,
    ItemQuery,
    _where,
)
from store.models import STATUS_SLUGS

STATUS_WORDS = {slug: status.value for status, slug in STATUS_SLUGS.items()}

_SELECT = (
    "SELECT i.name, v.name, i.os, i.appliance, i.agent_version, i.status, i.blockers, i.next_check_at, "
    "i.checked_at, i.last_job_id, i.private_preview, v.private_endpoint, i.replication_health, "
    "i.protection_state, v.agent_auto_update FROM items i JOIN vaults v ON v.id = i.vault_id"
)


def item_records(conn: sqlite3.Connection, q: ItemQuery) -> Iterator[dict]:
    """Every item `q` matches, in its sort order, as the item JSON shape of the command line."""
    column = SORTS.get(q.sort, "name")
    where, args = _where(q, alias="i.")
    if q.vault_id is None and (q.status or q.statuses):
        # Every vault: naming them lets SQLite read each vault's (vault_id, status, name) index range
        # instead of walking all the items in name order to keep a few.
        where += " AND i.vault_id IN (SELECT id FROM vaults)"
    order = "i.name" if column == "name" else f"i.{column}, i.name"
    agent = latest_releases(conn).get("agent")
    latest, latest_date = (agent.version, agent.released_at) if agent else (None, None)
    loads = json.loads
    for (name, vault, os_name, appliance, version, status, blockers, next_check, checked, last_job,
         preview, private_endpoint, health, protection, vault_auto) in conn.execute(
            f"{_SELECT}{where} ORDER BY {order}", args):
        note = (PRIVATE_PREVIEW_NOTE if preview else PRIVATE_ENDPOINT_NOTE if private_endpoint
                else None if vault_auto else VAULT_OFF_NOTE)
        yield {
            "name": name, "vault": vault, "os": os_name, "appliance": appliance, "agent_version": version,
            "latest_version": latest, "latest_release_date": latest_date, "status": STATUS_WORDS[status],
            "blockers": [{"reason": b["reason"], "message": b["message"], "recommended_action": b["recommended_action"]}
                         for b in loads(blockers)],
            "next_check_at": next_check, "checked_at": checked, "last_job_id": last_job,
            "private_preview": bool(preview), "auto_update": note is None, "auto_update_note": note,
            "replication_health": health, "protection_state": protection,
        }
