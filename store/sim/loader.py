"""Write a validated scenario into a database, in one transaction: all of it or nothing."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import zlib
from collections.abc import Iterator
from datetime import datetime, timedelta

from sqlite_utils import Database

from store import audit, clock
from store.catalog import DEFAULT_RELEASES, Release, insert_release, latest_releases
from store.db import set_setting, write
from store.engine import lease
from store.engine.status import (
    AgentFacts,
    ComponentFacts,
    agent_blockers,
    component_blockers,
    update_status,
)
from store.errors import BadInput, Refused
from store.job_ids import job_ids, next_seq
from store.job_writes import insert_job, task_plan
from store.sim import error_catalog
from store.sim.scenario import Scenario
from store.versions import version_key
from store.vocabulary import SITE_RECOVERY_ACTOR, JobState

CHECK_INTERVAL_S = 1800
"""The service re-checks prerequisites every 30 minutes of engine time."""

FLEET_TABLES = (
    "tasks",
    "jobs",
    "rollout_machines",
    "rollout_waves",
    "rollouts",
    "items",
    "components",
    "appliances",
    "releases",
    "vaults",
)
"""What `demo load --force` empties, children before the rows they reference."""


def check_offset(name: str) -> int:
    """A machine's stable place in the 30-minute check cycle, so checks are staggered."""
    return zlib.crc32(name.encode()) % CHECK_INTERVAL_S


def next_check(now: datetime, offset: int) -> datetime:
    """The first check time strictly after `now` for a machine with this offset."""
    epoch = int(now.timestamp())
    wait = (offset - epoch) % CHECK_INTERVAL_S or CHECK_INTERVAL_S
    return now + timedelta(seconds=wait)


def start_time(s: Scenario) -> datetime:
    return s.start_moment()


def fleet_size(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT count(*) FROM vaults").fetchone()[0]


def load_scenario(
    db: Database, s: Scenario, *, source: str, replace: bool = False, actor: str = ""
) -> dict:
    """Load `s`; refuse to overwrite an existing fleet unless `replace`. Returns counts."""
    _check_catalog_codes(s, source)
    now = start_time(s)
    with write(db) as conn:
        if fleet_size(conn) and not replace:
            raise Refused(
                f"{source}: the database already holds a fleet; pass --force to replace it"
            )
        holder, _expires = lease.current(
            conn
        )  # read in the load's transaction: no engine starts meanwhile
        if holder is not None:
            raise Refused(
                f"the engine is running in another process ({holder}); replacing the fleet under it"
                " would run the new fleet toward the old one's time. Stop it first"
            )
        loaded = conn.execute("SELECT count(*) FROM items").fetchone()[0]
        bulk = max(len(s.items), loaded) >= BULK_ROWS
        with _deferred_indexes(conn, bulk):
            for table in FLEET_TABLES:
                conn.execute(f"DELETE FROM {table}")
            set_setting(conn, "seed", str(s.seed))
            set_setting(conn, "scenario", source)
            set_setting(conn, "description", s.description)
            clock.initialise(conn, now, mode=s.clock.mode, speed=s.clock.speed)
            _releases(conn, s, source)
            latest = latest_releases(conn)
            vault_ids = _vaults(conn, s)
            appl = _appliances(conn, s, vault_ids, latest, now)
            jobs_by_item = {j.item: j for j in s.jobs}
            _items(conn, s, vault_ids, appl, latest, now, jobs_by_item)
        _jobs(conn, s, now)
        audit.record(conn, now, "demo load", source, {"items": len(s.items)}, actor=actor)
    return {
        "vaults": len(s.vaults),
        "appliances": len(s.appliances),
        "items": len(s.items),
        "jobs": len(s.jobs),
    }


def _check_catalog_codes(s: Scenario, source: str) -> None:
    for n, item in enumerate(s.items):
        if item.fail_next_update and not error_catalog.is_known(item.fail_next_update):
            raise BadInput(
                f"{source}: items.{n}.fail_next_update: unknown error code"
                f" {item.fail_next_update!r}"
            )
    for n, job in enumerate(s.jobs):
        if job.state == "Failed" and not job.error_code:
            raise BadInput(f"{source}: jobs.{n}.error_code: a Failed job needs an error code")
        if job.error_code and not error_catalog.is_known(job.error_code):
            raise BadInput(f"{source}: jobs.{n}.error_code: unknown error code {job.error_code!r}")


def _releases(conn: sqlite3.Connection, s: Scenario, source: str) -> None:
    if s.releases is None:
        rows = [(c, v, d, "ga", req) for c, v, d, req in DEFAULT_RELEASES]
    else:
        rows = [(r.component, r.version, r.released, r.channel, r.requires) for r in s.releases]
    seen: set[tuple[str, str]] = set()
    for n, (component, version, released, channel, requires) in enumerate(rows):
        if (component, version) in seen:
            raise BadInput(f"{source}: releases.{n}: release {component} {version} is listed twice")
        seen.add((component, version))
        insert_release(conn, component, version, released, channel, requires)


def _vaults(conn: sqlite3.Connection, s: Scenario) -> dict[str, int]:
    ids = {}
    for v in s.vaults:
        cur = conn.execute(
            "INSERT INTO vaults (name, time_zone, agent_auto_update, private_endpoint,"
            " max_concurrent_updates) VALUES (?, ?, ?, ?, ?)",
            (
                v.name,
                v.time_zone,
                int(v.agent_auto_update),
                int(v.private_endpoint),
                v.max_concurrent_updates,
            ),
        )
        ids[v.name] = cur.lastrowid
    return ids


def _appliances(
    conn, s: Scenario, vault_ids: dict[str, int], latest: dict[str, Release], now: datetime
) -> dict:
    """Insert appliances and components; return name -> (id, vault_id, azure, components)."""
    tz_of = {v.name: v.time_zone for v in s.vaults}
    out = {}
    for a in s.appliances:
        offset = check_offset(a.name)
        nxt = next_check(now, offset)
        cur = conn.execute(
            "INSERT INTO appliances (vault_id, name, time_zone, registry, sim_azure_connected,"
            " seen_azure_connected, checked_at, next_check_at, check_offset_s) VALUES"
            " (?,?,?,?,?,?,?,?,?)",
            (
                vault_ids[a.vault],
                a.name,
                a.time_zone or tz_of[a.vault],
                json.dumps(a.registry),
                int(a.azure_connected),
                int(a.azure_connected),
                clock.iso(nxt - timedelta(seconds=CHECK_INTERVAL_S)),
                clock.iso(nxt),
                offset,
            ),
        )
        rows = []
        for slug, version in a.components.items():
            rel = latest.get(slug)
            facts = ComponentFacts(
                slug,
                version,
                rel.version if rel else None,
                rel.requires if rel else {},
                a.name,
                a.azure_connected,
                a.components,
            )
            blockers = component_blockers(facts)
            status = update_status(
                version, facts.latest, blockers, active_job=False, last_job_failed=False
            )
            rows.append(
                (
                    cur.lastrowid,
                    slug,
                    version,
                    status.slug,
                    json.dumps([b.model_dump() for b in blockers]),
                )
            )
        conn.executemany(
            "INSERT INTO components (appliance_id, slug, version, status, blockers) VALUES"
            " (?,?,?,?,?)",
            rows,
        )
        out[a.name] = (cur.lastrowid, vault_ids[a.vault], a.azure_connected, a.components)
    return out


def _items(
    conn, s: Scenario, vault_ids, appl, latest: dict[str, Release], now: datetime, jobs_by_item
) -> None:
    agent = latest.get("agent")
    target = agent.version if agent else None
    requires = agent.requires if agent else {}
    # Status and blockers depend only on these facts, and a fleet repeats a few combinations per
    # appliance; computing each once keeps a 100k-machine load fast. Same for the check times.
    verdicts: dict[tuple, tuple[str, str]] = {}
    times: dict[int, tuple[str, str]] = {}
    keys: dict[str, str] = {}
    families: dict[str, str] = {}
    rows = []
    for it in s.items:
        appliance_id, vault_id, azure, components = appl[it.appliance]
        at_reboot = it.version_at_reboot or it.agent_version
        job = jobs_by_item.get(it.name)
        active = job is not None and job.state == "InProgress"
        failed = job is not None and job.state == "Failed"
        fact_key = (
            it.agent_version,
            at_reboot,
            it.pending_reboot,
            it.reaches_appliance,
            it.appliance,
            active,
            failed,
        )
        verdict = verdicts.get(fact_key)
        if verdict is None:
            facts = AgentFacts(
                agent_version=it.agent_version,
                latest=target,
                latest_requires=requires,
                version_at_reboot=at_reboot,
                pending_reboot=it.pending_reboot,
                agent_heartbeat=it.reaches_appliance,
                appliance=it.appliance,
                appliance_azure_connected=azure,
                appliance_components=components,
            )
            blockers = agent_blockers(facts)
            status = update_status(
                it.agent_version, target, blockers, active_job=active, last_job_failed=failed
            )
            verdict = verdicts[fact_key] = (
                status.slug,
                json.dumps([b.model_dump() for b in blockers]) if blockers else "[]",
            )
        offset = check_offset(it.name)
        checks = times.get(offset)
        if checks is None:
            nxt = next_check(now, offset)
            checks = times[offset] = (
                clock.iso(nxt - timedelta(seconds=CHECK_INTERVAL_S)),
                clock.iso(nxt),
            )
        key = keys.get(it.agent_version)
        if key is None:
            key = keys[it.agent_version] = version_key(it.agent_version)
        family = families.get(it.os)
        if family is None:
            family = families[it.os] = "Linux" if _is_linux(it.os) else "Windows"
        rows.append(
            (
                vault_id,
                appliance_id,
                it.appliance,
                it.name,
                it.os,
                family,
                it.agent_version,
                key,
                at_reboot,
                int(it.private_preview),
                it.replication_health,
                int(it.pending_reboot),
                int(it.reaches_appliance),
                it.fail_next_update,
                int(it.pending_reboot),
                int(it.reaches_appliance),
                checks[0],
                checks[1],
                offset,
                verdict[0],
                verdict[1],
                int(failed),
            )
        )
    conn.executemany(
        "INSERT INTO items (vault_id, appliance_id, appliance, name, os, os_family, agent_version,"
        " agent_version_key, version_at_reboot, private_preview, replication_health,"
        " sim_pending_reboot, sim_reaches_appliance, sim_fail_code, seen_pending_reboot,"
        " seen_agent_heartbeat, checked_at, next_check_at, check_offset_s, status, blockers,"
        " last_job_failed) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        rows,
    )


BULK_ROWS = 5000
"""From this many machines (loaded or replaced), item indexes are rebuilt in bulk, not row by
row."""

FTS_ROW_TRIGGERS = ("items_fts_ai", "items_fts_ad")
"""The triggers that keep the name index in step with inserted and deleted items."""


@contextlib.contextmanager
def _deferred_indexes(conn: sqlite3.Connection, enabled: bool) -> Iterator[None]:
    """Inside the load's transaction: drop the items indexes and the name-index row triggers,
    let the body delete and insert, then recreate them from their own stored SQL and rebuild the
    name index from the items table: the same end state, built in bulk (several times faster at
    100k rows). A failure rolls the DDL back with everything else."""
    if not enabled:
        yield
        return
    ddl = conn.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'items' AND sql IS NOT NULL "
        "AND (type = 'index' OR (type = 'trigger' AND name IN (?, ?)))",
        FTS_ROW_TRIGGERS,
    ).fetchall()
    for kind, name, _sql in ddl:
        conn.execute(f'DROP {kind.upper()} "{name}"')
    yield
    for _kind, _name, sql in ddl:
        conn.execute(sql)
    if any(kind == "trigger" for kind, _n, _s in ddl):
        conn.execute("INSERT INTO items_fts (items_fts) VALUES ('rebuild')")


LINUX_WORDS = (
    "linux",
    "rhel",
    "red hat",
    "ubuntu",
    "centos",
    "debian",
    "suse",
    "sles",
    "oracle",
    "alma",
    "rocky",
)


def _is_linux(os_name: str) -> bool:
    low = os_name.lower()
    return any(w in low for w in LINUX_WORDS)


def _jobs(conn: sqlite3.Connection, s: Scenario, now: datetime) -> None:
    """Jobs already in flight or finished when the scenario starts, placed in engine time."""
    if not s.jobs:
        return
    first = next_seq(conn)
    for seq, spec in enumerate(s.jobs, start=first):
        item_id, vault_id, version = conn.execute(
            "SELECT id, vault_id, agent_version FROM items WHERE name = ?", (spec.item,)
        ).fetchone()
        plan = task_plan(str(s.seed), seq)
        started = now - timedelta(minutes=spec.started_minutes_ago)
        ((_seq, job_id),) = job_ids(conn, seq, 1, started)
        to_version = _latest_agent(conn)
        fail_task = error_catalog.failing_task(spec.error_code) if spec.error_code else None
        insert_job(
            conn,
            seq=seq,
            job_id=job_id,
            vault_id=vault_id,
            target=spec.item,
            initiated_by=spec.initiated_by or SITE_RECOVERY_ACTOR,
            created=started,
            from_version=version,
            to_version=to_version,
            item_id=item_id,
            fail_code=spec.error_code,
            fail_task=fail_task,
        )
        _place_job(conn, seq, job_id, spec.state, spec.error_code, fail_task, started, plan, now)
        conn.execute(
            "UPDATE items SET last_job_id = ?, active_job_id = ? WHERE id = ?",
            (job_id, job_id if spec.state == "InProgress" else None, item_id),
        )


def _latest_agent(conn: sqlite3.Connection) -> str:
    return latest_releases(conn)["agent"].version


def _place_job(conn, seq, job_id, state, code, fail_task, started, plan, now) -> None:
    """Set task states and times as if the job had run from `started` until `now`."""
    t = started
    final_state = state
    for pos, (_name, dur) in enumerate(plan):
        end = t + timedelta(seconds=dur)
        if state == "InProgress" and (end > now or pos == len(plan) - 1):
            end = max(end, now + timedelta(seconds=30))
            conn.execute(
                "UPDATE tasks SET state = 'InProgress', start_time = ? WHERE job_seq = ? AND"
                " position = ?",
                (clock.iso(t), seq, pos),
            )
            conn.execute(
                "UPDATE jobs SET state = 'InProgress', start_time = ?, next_event_at = ? WHERE"
                " seq = ?",
                (clock.iso(started), clock.iso(end), seq),
            )
            conn.execute(
                "UPDATE tasks SET duration_s = ? WHERE job_seq = ? AND position = ?",
                (int((end - t).total_seconds()), seq, pos),
            )
            return
        failing = state == "Failed" and pos == fail_task
        conn.execute(
            "UPDATE tasks SET state = ?, start_time = ?, end_time = ? WHERE job_seq = ? AND"
            " position = ?",
            ("Failed" if failing else "Succeeded", clock.iso(t), clock.iso(end), seq, pos),
        )
        t = end
        if failing:
            break
    errors = [error_catalog.job_error(code).model_dump()] if final_state == "Failed" else []
    conn.execute(
        "UPDATE jobs SET state = ?, start_time = ?, end_time = ?, errors = ?, next_event_at = NULL "
        "WHERE seq = ?",
        (JobState(final_state).value, clock.iso(started), clock.iso(t), json.dumps(errors), seq),
    )
