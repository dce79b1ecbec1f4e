"""(i) Every replicated item listed through the official SDK's pager against `asr-console arm serve`
(a process, plain HTTP, --read-only so no engine moves time), against the floor: the same rows read
from SQLite with plain sqlite3 and written with one json.dumps per vault. Also the first page: the
SDK's first item, which waits for the whole first page (100 items; 1,000 a page after it)."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    CONSOLE,
    Result,
    copy_db,
    median,
    print_err,
    remove_db,
    scratch,
    worker_args,
    write_results,
)

FLOOR_SQL = (
    "SELECT i.id, i.name, v.name, i.os, i.os_family, i.appliance, i.agent_version,"
    " i.agent_version_key, i.version_at_reboot, i.status, i.blockers, i.checked_at,"
    " i.next_check_at, i.seen_agent_heartbeat, i.private_preview, i.replication_health,"
    " i.protection_state, i.active_job_id, i.last_job_id, j.state, j.scenario, j.initiated_by,"
    " j.created_time, j.start_time, j.end_time, j.from_version, j.to_version, j.errors FROM items i"
    " JOIN vaults v ON v.id = i.vault_id LEFT JOIN jobs j ON j.id = i.last_job_id WHERE i.vault_id"
    " = ? ORDER BY i.name"
)
"""The columns the endpoint reads for each item (store/records.py), in the same order."""


def floor(db: Path, vault_ids: list[int]) -> tuple[float, float]:
    """Seconds to read every vault's rows and json.dumps them; the same for the first 100."""
    conn = sqlite3.connect(db)
    t = time.perf_counter()
    for vid in vault_ids:
        json.dumps(conn.execute(FLOOR_SQL, (vid,)).fetchall())
    whole = time.perf_counter() - t
    t = time.perf_counter()
    json.dumps(conn.execute(FLOOR_SQL + " LIMIT 100", (vault_ids[0],)).fetchall())
    first = time.perf_counter() - t
    conn.close()
    return whole, first


class Server:
    def __init__(self, db: Path) -> None:
        self.proc = subprocess.Popen(
            [CONSOLE, "arm", "serve", "--http", "--read-only", "--port", "0", "--db", str(db)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.info = json.loads(self.proc.stdout.readline())
        self.log: list[str] = []
        threading.Thread(target=lambda: self.log.extend(self.proc.stderr), daemon=True).start()

    def stop(self) -> None:
        self.proc.send_signal(2)
        self.proc.wait(timeout=60)


def client(info: dict):
    from azure.core.credentials import AccessToken
    from azure.core.pipeline.policies import SansIOHTTPPolicy
    from azure.mgmt.recoveryservicessiterecovery import SiteRecoveryManagementClient

    class Credential:
        def get_token(self, *_scopes, **_kw):
            return AccessToken("bench", int(time.time()) + 3600)

    class Bearer(SansIOHTTPPolicy):
        def on_request(self, request):
            request.http_request.headers["Authorization"] = "Bearer bench"

    return SiteRecoveryManagementClient(
        Credential(),
        info["subscription_id"],
        base_url=info["base_url"],
        authentication_policy=Bearer(),
        retry_total=0,
    )


PAGE_MS = re.compile(r"^GET \S*/replicationProtectedItems\?\S* 200 (\d+)ms$")


def main() -> None:
    a = worker_args()
    db = copy_db(a.fleet, scratch("arm.db"))
    vaults = sqlite3.connect(db).execute("SELECT id, name FROM vaults ORDER BY id").fetchall()
    server = Server(db)
    sdk = client(server.info)
    rg = server.info["resource_group"]
    ours, firsts, floors, first_floors, counted = [], [], [], [], 0
    try:
        for k in range(a.repeat + 1):  # round 0 warms the caches; discarded
            t = time.perf_counter()
            next(iter(sdk.replication_protected_items.list(rg, vaults[0][1])))
            first = time.perf_counter() - t
            server.log.clear()
            t = time.perf_counter()
            counted = sum(
                1 for _vid, name in vaults for _ in sdk.replication_protected_items.list(rg, name)
            )
            whole = time.perf_counter() - t
            f_whole, f_first = floor(db, [vid for vid, _ in vaults])
            if k:
                ours.append(whole)
                firsts.append(first)
                floors.append(f_whole)
                first_floors.append(f_first)
                pages = [
                    int(m.group(1)) for ln in list(server.log) if (m := PAGE_MS.match(ln.strip()))
                ]
                print_err(
                    f"arm: {counted:,} items in {whole:.2f} s ({len(pages)} pages, server"
                    f" {sum(pages) / 1000:.2f} s of it); floor {f_whole:.2f} s; first item"
                    f" {first * 1000:.0f} ms"
                )
    finally:
        server.stop()
        remove_db(db)
    o, r = median(ours), median(floors)
    write_results(
        a.out,
        [
            Result(
                "i.list",
                f"list {counted:,} items through the SDK pager",
                o,
                "s",
                r,
                "sqlite3 rows + json.dumps (floor)",
                "ratio (informational)",
                None,
                samples=ours,
                notes=f"{len(vaults)} vaults, 100 items on the first page, then 1,000 a page",
            ),
            Result(
                "i.first",
                "first item through the SDK (its page: 100)",
                median(firsts),
                "ms",
                median(first_floors),
                "floor of those 100 rows",
                "< 100 ms",
                median(firsts) < 0.1,
                samples=firsts,
            ),
        ],
    )


if __name__ == "__main__":
    main()
