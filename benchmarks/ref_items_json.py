"""Reference for `items --status blocked --json`: the same rows and keys, plain sqlite3 + json.

python benchmarks/ref_items_json.py DB > out.json
"""

import json
import sqlite3
import sys

conn = sqlite3.connect(sys.argv[1])
latest, released = conn.execute(
    "SELECT version, released_at FROM releases WHERE component = 'agent' AND channel = 'ga' "
    "ORDER BY version_key DESC LIMIT 1"
).fetchone()
out = []
for (
    name,
    vault,
    os_name,
    appliance,
    version,
    _status,
    blockers,
    next_check,
    checked,
    last_job,
    preview,
    private_endpoint,
    health,
    protection,
) in conn.execute(
    "SELECT i.name, v.name, i.os, i.appliance, i.agent_version, i.status, i.blockers,"
    " i.next_check_at, i.checked_at, i.last_job_id, i.private_preview, v.private_endpoint,"
    " i.replication_health, i.protection_state FROM items i JOIN vaults v ON v.id = i.vault_id"
    " WHERE i.status = 'blocked' ORDER BY i.name"
):
    out.append(
        {
            "name": name,
            "vault": vault,
            "os": os_name,
            "appliance": appliance,
            "agent_version": version,
            "latest_version": latest,
            "latest_release_date": released,
            "status": "Cannot update to latest version",
            "blockers": json.loads(blockers),
            "next_check_at": next_check,
            "checked_at": checked,
            "last_job_id": last_job,
            "private_preview": bool(preview),
            "auto_update": not preview and not private_endpoint,
            "auto_update_note": None,
            "replication_health": health,
            "protection_state": protection,
        }
    )
sys.stdout.write(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
