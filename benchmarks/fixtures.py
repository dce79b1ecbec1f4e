"""Generated databases the benchmarks read, built once per (kind, size, code fingerprint) and
cached.

    python benchmarks/fixtures.py KIND N      build (if missing) and print the path

fleet     `demo load --items N --seed 1`: generate(N, 1) through load_scenario, exactly what the CLI
does.
eligible  the same generated fleet made fit for a nightly run of N jobs: one vault (the generator
          splits 100k machines over two), every agent one release behind (9.65.7417.1), no faults,
          appliances current and connected, no jobs; the clock 1 minute before the vault's midnight.
jobs      the fleet plus 2N jobs in the first vault (what the jobs screen shows): 80% Succeeded,
          8% Failed, 5% InProgress, 5% NotStarted (waiting), 2% Cancelled, created by
          store.job_writes.create_jobs.
"""

from __future__ import annotations

import pickle
import sqlite3
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import CACHE, SEED, code_fingerprint, remove_db

KINDS = ("fleet", "eligible", "jobs")
PREVIOUS_AGENT = "9.65.7417.1"
FLEET_TABLES = (
    "_sqlite_migrations",
    "settings",
    "clock",
    "releases",
    "vaults",
    "appliances",
    "components",
    "items",
    "jobs",
    "tasks",
    "audit",
    "engine_lease",
)
"""Tables whose rows `demo load` writes (items_fts is filled by its triggers), in foreign-key
order."""


def path(kind: str, n: int) -> Path:
    return CACHE / f"{kind}-{n}-s{SEED}-{code_fingerprint()}.db"


def rows_path(n: int) -> Path:
    return path("fleet", n).with_suffix(".rows.pickle")


def ensure(kind: str, n: int) -> Path:
    target = path(kind, n)
    if target.exists():
        return target
    CACHE.mkdir(parents=True, exist_ok=True)
    for stale in CACHE.glob(f"{kind}-{n}-s{SEED}-*"):  # older code: drop
        stale.unlink()
    tmp = target.with_suffix(".building")
    remove_db(tmp)
    {"fleet": _fleet, "eligible": _eligible, "jobs": _jobs}[kind](tmp, n)
    _checkpoint(tmp)
    tmp.rename(target)
    return target


def _checkpoint(db_path: Path) -> None:
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)


def _load(db_path: Path, scenario, source: str) -> None:
    from store.db import open_db
    from store.sim.loader import load_scenario

    db = open_db(db_path)
    try:
        load_scenario(db, scenario, source=source)
    finally:
        db.close()


def _fleet(db_path: Path, n: int) -> None:
    from store.sim.generator import generate

    _load(db_path, generate(n, SEED), f"generated:{n}:{SEED}")
    _dump_rows(db_path, rows_path(n))


def _dump_rows(db_path: Path, out: Path) -> None:
    """The rows of every table demo load filled, the schema and the file's page size, for the
    plain-executemany reference."""
    conn = sqlite3.connect(db_path)
    schema = [
        sql
        for (sql,) in conn.execute(
            "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' AND"
            " NOT (type = 'table' AND name LIKE 'items_fts_%') ORDER BY CASE type WHEN 'table' THEN"
            " 0 WHEN 'index' THEN 1 ELSE 2 END, rowid"
        )
    ]
    tables = []
    for table in FLEET_TABLES:
        cols = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
        rows = conn.execute(f"SELECT {', '.join(cols)} FROM {table}").fetchall()
        tables.append((table, cols, rows))
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    out.write_bytes(
        pickle.dumps(
            {"schema": schema, "tables": tables, "page_size": page_size},
            protocol=pickle.HIGHEST_PROTOCOL,
        )
    )


def _eligible(db_path: Path, n: int) -> None:
    from store.sim.generator import LATEST_COMPONENTS, generate

    s = generate(n, SEED)
    vault = s.vaults[0]
    s.vaults = [vault]
    s.jobs = []
    s.clock.minutes_before_midnight = 1
    for a in s.appliances:
        a.vault, a.time_zone, a.azure_connected = vault.name, None, True
        a.components = dict(LATEST_COMPONENTS)
    for item in s.items:
        item.agent_version, item.version_at_reboot = PREVIOUS_AGENT, None
        item.private_preview = item.pending_reboot = False
        item.reaches_appliance, item.fail_next_update, item.replication_health = (
            True,
            None,
            "Healthy",
        )
    _load(db_path, s, f"benchmark eligible:{n}:{SEED}")


def _jobs(db_path: Path, n: int) -> None:
    from store import clock
    from store.db import open_db, write
    from store.job_writes import NewJob, create_jobs

    db_path.write_bytes(ensure("fleet", n).read_bytes())
    db = open_db(db_path)
    try:
        with write(db) as conn:
            vault_id = conn.execute("SELECT min(id) FROM vaults").fetchone()[0]
            items = conn.execute(
                "SELECT id, name, appliance_id, agent_version FROM items WHERE vault_id = ? ORDER"
                " BY id",
                (vault_id,),
            ).fetchall()
            now = clock.now(conn)
            wanted = 2 * n
            first_seq = conn.execute("SELECT coalesce(max(seq), 0) + 1 FROM jobs").fetchone()[0]
            for day in range(0, wanted, len(items)):  # one batch per "day", oldest first
                batch = items[: min(len(items), wanted - day)]
                specs = [
                    NewJob(
                        vault_id=vault_id,
                        target=name,
                        appliance_id=aid,
                        from_version=version,
                        to_version="9.66.7643.1",
                        item_id=iid,
                    )
                    for iid, name, aid, version in batch
                ]
                created = now - timedelta(days=(wanted - day) // len(items) + 1)
                create_jobs(conn, specs, created=created, initiated_by="Site Recovery")
            stamp = clock.iso(now - timedelta(hours=1))
            done = clock.iso(now - timedelta(minutes=50))
            conn.execute(
                """UPDATE jobs SET
                     state = CASE WHEN seq % 100 < 80 THEN 'Succeeded'
                                  WHEN seq % 100 < 88 THEN 'Failed'
                                  WHEN seq % 100 < 93 THEN 'InProgress'
                                  WHEN seq % 100 < 98 THEN 'NotStarted'
                                  ELSE 'Cancelled' END,
                     start_time = CASE WHEN seq % 100 < 93 THEN ? END,
                     end_time = CASE WHEN seq % 100 < 88 OR seq % 100 >= 98 THEN ? END,
                     waiting_reason = CASE WHEN seq % 100 BETWEEN 93 AND 97
                         THEN 'Waiting: benchmark' END
                   WHERE seq >= ?""",
                (stamp, done, first_seq),
            )
    finally:
        db.close()


if __name__ == "__main__":
    kind, size = sys.argv[1], int(sys.argv[2])
    if kind not in KINDS:
        raise SystemExit(f"kind must be one of {KINDS}")
    print(ensure(kind, size))
