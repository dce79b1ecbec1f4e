"""Creating update jobs: one per machine or component, linked to it, saying why it waits."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import NamedTuple

from store.clock import iso
from store.engine.runner import waiting_for_capacity, waiting_for_components
from store.job_ids import job_id_params, job_id_sql, next_seq
from store.job_writes import AGENT_JOB_NAME, AGENT_SCENARIO, NewJob, create_jobs
from store.sim import error_catalog

WAITING_FOR_SIBLING = (
    "Waiting for this appliance's other component updates to finish (one at a time)."
)


class AgentTarget(NamedTuple):
    """A machine an agent update job is about to be created for."""

    item_id: int
    name: str
    vault_id: int
    appliance_id: int
    agent_version: str
    fail_code: str | None


def _appliance_load(
    conn: sqlite3.Connection, appliance_ids: set[int]
) -> dict[int, tuple[str, int, int, bool]]:
    """name, per-process-server limit, agent jobs active, component update active, per appliance."""
    out = {}
    for aid in sorted(appliance_ids):
        name, cap = conn.execute(
            "SELECT a.name, v.max_concurrent_updates FROM appliances a JOIN vaults v ON v.id ="
            " a.vault_id WHERE a.id = ?",
            (aid,),
        ).fetchone()
        active = conn.execute(
            "SELECT count(*) FROM jobs WHERE appliance_id = ? AND state IN ('NotStarted',"
            " 'InProgress', 'Cancelling') AND component IS NULL",
            (aid,),
        ).fetchone()[0]
        updating = conn.execute(
            "SELECT EXISTS (SELECT 1 FROM jobs WHERE appliance_id = ? AND state IN ('NotStarted', "
            "'InProgress', 'Cancelling') AND component IS NOT NULL)",
            (aid,),
        ).fetchone()[0]
        out[aid] = (name, cap, active, bool(updating))
    return out


def enqueue_agents(
    conn: sqlite3.Connection,
    targets: list[AgentTarget],
    *,
    at: datetime,
    initiated_by: str,
    to_version: str,
    retry_of: str | None = None,
) -> list[int]:
    """One NotStarted job per machine (bulk), the machine marked Updating and linked to it."""
    if not targets:
        return []
    load = _appliance_load(conn, {t.appliance_id for t in targets})
    queued: dict[int, int] = {}
    specs = []
    for t in targets:
        name, cap, active, updating = load[t.appliance_id]
        ahead = active + queued.get(t.appliance_id, 0)
        queued[t.appliance_id] = queued.get(t.appliance_id, 0) + 1
        if updating:
            reason = waiting_for_components(name)
        else:
            reason = waiting_for_capacity(name, cap) if ahead >= cap else None
        code = t.fail_code if t.fail_code and error_catalog.is_known(t.fail_code) else None
        specs.append(
            NewJob(
                vault_id=t.vault_id,
                target=t.name,
                appliance_id=t.appliance_id,
                from_version=t.agent_version,
                to_version=to_version,
                item_id=t.item_id,
                fail_code=code,
                fail_task=error_catalog.failing_task(code) if code else None,
                retry_of=retry_of,
                waiting_reason=reason,
            )
        )
    ids = create_jobs(conn, specs, created=at, initiated_by=initiated_by)
    conn.execute(
        "UPDATE items SET active_job_id = j.id, last_job_id = j.id, status = 'updating',"
        " sim_fail_code = NULL FROM jobs j WHERE j.seq BETWEEN ? AND ? AND items.id = j.item_id",
        (ids[0][0], ids[-1][0]),
    )
    return [seq for seq, _id in ids]


BIG_SELECTION = 10_000
BULK_CACHE_KIB = 262_144
"""From this many jobs at once, the connection's page cache grows to this (allocated as used): each
job adds entries to the jobs table's indexes, and with the default 2 MB cache the index pages
keep going back to the OS."""

_INSERT_MATCHING = f"""
INSERT INTO jobs (seq, id, vault_id, scenario, name, item_id, appliance_id, target, state,
                  initiated_by, created_time, from_version, to_version, fail_code, fail_task,
                  waiting_reason, rollout_id, rollout_wave)
SELECT :offset + e.n, {job_id_sql(":offset + e.n", ":ms", ":key", ":base")}, items.vault_id,
       :scenario, :job_name, items.id, items.appliance_id,
       items.name, 'NotStarted', :initiated_by, :at, items.agent_version, :to_version, c.code,
       c.task,
       coalesce(l.components_reason, CASE WHEN e.n >= l.first_waiting THEN l.capacity_reason END),
       :rollout_id, :rollout_wave
FROM _enq e
JOIN items ON items.id = e.item_id
JOIN _enq_load l ON l.appliance_id = e.appliance_id
LEFT JOIN _enq_codes c ON c.code = items.sim_fail_code
ORDER BY e.n
"""


def _selection(conn: sqlite3.Connection, where: str, params: dict) -> int:
    """The machines `where` selects, numbered from 1 in id order (rowids of an emptied table), into
    the
    temp table _enq."""
    conn.execute(
        "CREATE TEMP TABLE IF NOT EXISTS _enq (n INTEGER PRIMARY KEY, item_id INTEGER, appliance_id"
        " INTEGER)"
    )
    conn.execute("DROP INDEX IF EXISTS temp._enq_appliance")
    conn.execute("DELETE FROM _enq")
    count = conn.execute(
        "INSERT INTO _enq (n, item_id, appliance_id) SELECT NULL, items.id, items.appliance_id "
        f"FROM items NOT INDEXED WHERE {where} ORDER BY items.id",
        params,
    ).rowcount
    conn.execute("CREATE INDEX temp._enq_appliance ON _enq (appliance_id, n)")
    return count


def enqueue_agents_matching(
    conn: sqlite3.Connection,
    where: str,
    params: dict,
    *,
    at: datetime,
    initiated_by: str,
    to_version: str,
    rollout: tuple[int, int] | None = None,
) -> range:
    """enqueue_agents for every machine `where` selects (columns as items.x, :named params), in id
    order, as set-based statements: the same jobs, waiting reasons and item links, without a Python
    object per machine (the nightly run and the bulk dialog create 100,000 at once). Returns the
    seqs. The selection is read with a plain scan in id order (`items NOT INDEXED`): it is most of
    the fleet when it is large, and rowid lookups still serve an id list. `rollout`: the (rollout
    id,
    wave) the jobs belong to."""
    selected = _selection(conn, where, params)
    if not selected:
        return range(0)
    if (
        selected >= BIG_SELECTION
        and -conn.execute("PRAGMA cache_size").fetchone()[0] < BULK_CACHE_KIB
    ):
        conn.execute(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
    appliances = {a for (a,) in conn.execute("SELECT DISTINCT appliance_id FROM _enq")}
    conn.execute(
        "CREATE TEMP TABLE IF NOT EXISTS _enq_load (appliance_id INTEGER PRIMARY KEY, "
        "capacity_reason TEXT, components_reason TEXT, first_waiting INTEGER)"
    )
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS _enq_codes (code TEXT PRIMARY KEY, task INTEGER)")
    conn.execute("DELETE FROM _enq_load")
    conn.execute("DELETE FROM _enq_codes")
    load = []
    for aid, (name, cap, active, updating) in _appliance_load(conn, appliances).items():
        # jobs beyond the appliance's free process-server slots wait (enqueue_agents's `ahead >=
        # cap`)
        first = conn.execute(
            "SELECT n FROM _enq WHERE appliance_id = ? ORDER BY n LIMIT 1 OFFSET ?",
            (aid, max(cap - active, 0)),
        ).fetchone()
        load.append(
            (
                aid,
                waiting_for_capacity(name, cap),
                waiting_for_components(name) if updating else None,
                first[0] if first else None,
            )
        )
    conn.executemany("INSERT INTO _enq_load VALUES (?, ?, ?, ?)", load)
    conn.executemany(
        "INSERT INTO _enq_codes VALUES (?, ?)",
        [(code, error_catalog.failing_task(code)) for code in error_catalog.CATALOG],
    )
    base = next_seq(conn)
    count = conn.execute(
        _INSERT_MATCHING,
        {
            "offset": base - 1,
            "scenario": AGENT_SCENARIO,
            "job_name": AGENT_JOB_NAME,
            "initiated_by": initiated_by,
            "at": iso(at),
            "to_version": to_version,
            "rollout_id": rollout[0] if rollout else None,
            "rollout_wave": rollout[1] if rollout else None,
            **job_id_params(conn, at),
        },
    ).rowcount
    many = selected >= BIG_SELECTION and selected >= REBUILD_SHARE * _machines(conn)
    with _status_index_rebuilt_if(conn, many):
        conn.execute(
            "UPDATE items SET active_job_id = j.id, last_job_id = j.id, status = 'updating',"
            " sim_fail_code = NULL FROM jobs j WHERE j.seq BETWEEN ? AND ? AND items.id ="
            " j.item_id",
            (base, base + count - 1),
        )
    return range(base, base + count)


REBUILD_SHARE = 0.6
"""From this share of all machines (and BIG_SELECTION machines) marked Updating at once, the status
index is built again after the UPDATE: one sort of every entry costs less, from here, than two seeks
per row to keep it up to date (benchmarks/README.md, "Figures behind constants")."""

STATUS_INDEX = "items_vault_status"


def _machines(conn: sqlite3.Connection) -> int:
    """About how many machines there are, read from the id index's end (ids are dense)."""
    return conn.execute("SELECT coalesce(max(id), 0) FROM items").fetchone()[0]


@contextmanager
def _status_index_rebuilt_if(conn: sqlite3.Connection, rebuild: bool) -> Iterator[None]:
    """Drop the status index, run the body, create it again with the definition it had: inside the
    caller's transaction, so a failure rolls the drop back with the rest."""
    if not rebuild:
        yield
        return
    (sql,) = conn.execute(
        "SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?", (STATUS_INDEX,)
    ).fetchone()
    conn.execute(f"DROP INDEX {STATUS_INDEX}")
    yield
    conn.execute(sql)


def enqueue_components(
    conn: sqlite3.Connection,
    appliance_id: int,
    vault_id: int,
    appliance_name: str,
    updates: list[tuple[str, str, str]],
    *,
    at: datetime,
    initiated_by: str,
    retry_of: str | None = None,
) -> list[int]:
    """Component jobs for one appliance, in the order given (requirements first); they run one at a
    time, and the appliance's agent updates wait for them."""
    if not updates:
        return []
    busy = conn.execute(
        "SELECT EXISTS (SELECT 1 FROM jobs WHERE appliance_id = ? AND state IN ('NotStarted', "
        "'InProgress', 'Cancelling') AND component IS NOT NULL)",
        (appliance_id,),
    ).fetchone()[0]
    specs = [
        NewJob(
            vault_id=vault_id,
            target=appliance_name,
            appliance_id=appliance_id,
            from_version=old,
            to_version=new,
            component=slug,
            retry_of=retry_of,
            waiting_reason=WAITING_FOR_SIBLING if (busy or n) else None,
        )
        for n, (slug, old, new) in enumerate(updates)
    ]
    ids = create_jobs(conn, specs, created=at, initiated_by=initiated_by)
    conn.executemany(
        "UPDATE components SET active_job_id = ?, last_job_id = ?, status = 'updating' "
        "WHERE appliance_id = ? AND slug = ?",
        [
            (job_id, job_id, appliance_id, slug)
            for (_seq, job_id), (slug, _o, _n) in zip(ids, updates, strict=True)
        ],
    )
    conn.execute(
        "UPDATE jobs SET waiting_reason = ? WHERE appliance_id = ? AND state = 'NotStarted' AND"
        " component IS NULL",
        (waiting_for_components(appliance_name), appliance_id),
    )
    return [seq for seq, _id in ids]
