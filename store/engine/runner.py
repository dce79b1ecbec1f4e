"""Job execution over engine time: task ends at their exact times, job starts at 30-second ticks."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime

from store.clock import iso, iso_epoch, next_multiple, parse_iso
from store.engine.checks import (
    ApplianceFacts,
    Latest,
    agent_entry,
    appliance_facts,
    refresh_components,
    refresh_item_ids,
    version_key,
)
from store.engine.status import ComponentFacts, component_blockers
from store.job_writes import materialise_tasks
from store.models import Blocker, JobError
from store.sim import error_catalog
from store.vocabulary import BlockReason, JobState

TICK_S = 30
"""The scheduler starts waiting jobs on ticks of 30 engine seconds (aligned to the epoch), so the
outcome never depends on how an advance was cut into steps."""

ACTIVE = ("NotStarted", "InProgress", "Cancelling")
RUNNING = ("InProgress", "Cancelling")

_CATALOGUED = {
    BlockReason.AGENT_NO_HEARTBEAT.value: "78174",
    BlockReason.PROCESS_SERVER_NO_HEARTBEAT.value: "806",
}


def next_tick(after: datetime) -> datetime:
    """The first tick strictly after `after`."""
    return next_multiple(after, TICK_S)


def ceil_tick(moment: datetime) -> datetime:
    """The first tick at or after `moment`."""
    epoch = int(moment.timestamp())
    return moment if epoch % TICK_S == 0 else next_tick(moment)


def is_tick(moment: datetime) -> bool:
    return int(moment.timestamp()) % TICK_S == 0


def prerequisite_errors(blockers: list[Blocker]) -> list[JobError]:
    """What a job's real prerequisites task fails with: catalogued codes where they exist."""
    errors: list[JobError] = []
    for b in blockers:
        code = _CATALOGUED.get(b.reason)
        if code and all(e.code != code for e in errors):
            errors.append(error_catalog.job_error(code))
        elif not code:
            errors.append(
                JobError(
                    code=b.reason,
                    message=b.message,
                    possible_causes=(
                        f"The prerequisites check found {b.reason} on the machine at the time the"
                        " job ran."
                    ),
                    recommended_action=b.recommended_action,
                )
            )
    return errors


@dataclass
class RunStats:
    """What one stretch of the loop did (for the `engine run` summary and the console)."""

    started: int = 0
    succeeded: int = 0
    failed: int = 0
    cancelled: int = 0
    dirty: set[int] = field(default_factory=set)
    components_done: set[int] = field(default_factory=set)
    appliances: dict[int, ApplianceFacts] = field(default_factory=dict)
    """Appliances' facts as machines' checks see them (checks.Latest.appliances), kept from batch to
    batch of one advance while no other connection commits (loop._batch checks data_version)."""
    data_version: int | None = None


def next_job_event(conn: sqlite3.Connection) -> datetime | None:
    row = conn.execute(
        "SELECT min(next_event_at) FROM jobs WHERE next_event_at IS NOT NULL"
    ).fetchone()
    return parse_iso(row[0]) if row[0] else None


def next_component_event(conn: sqlite3.Connection) -> datetime | None:
    row = conn.execute(
        "SELECT min(next_event_at) FROM jobs WHERE component IS NOT NULL AND next_event_at IS NOT"
        " NULL"
    ).fetchone()
    return parse_iso(row[0]) if row[0] else None


# -- task completions
# -------------------------------------------------------------------------------

_DUE = """
SELECT j.seq, j.id, j.next_event_at, j.fail_code, j.fail_task, j.cancel_requested, j.item_id,
       j.appliance_id, j.component, j.to_version, t.position, tn.duration_s
FROM jobs j
JOIN tasks t ON t.job_seq = j.seq AND t.state = 'InProgress'
LEFT JOIN tasks tn ON tn.job_seq = j.seq AND tn.position = t.position + 1
WHERE j.next_event_at <= ? AND j.state IN ('InProgress', 'Cancelling')
"""


def complete_due_tasks(
    conn: sqlite3.Connection, until: datetime, stats: RunStats, latest: Latest
) -> int:
    """End every running task due by `until`, at its own time: fail, go on, or finish the job."""
    done = 0
    epochs: dict[
        str, int
    ] = {}  # a task end time -> its epoch second (many tasks end at the same second)
    while True:
        rows = conn.execute(_DUE, (iso(until),)).fetchall()
        if not rows:
            return done
        done += len(rows)
        truth = _truth_failures(conn, [r for r in rows if r[10] == 0], latest)
        task_end, task_next, going_on, finished, cancel_rest = [], [], [], [], []
        for (
            seq,
            job_id,
            at,
            fail_code,
            fail_task,
            cancel,
            item_id,
            appliance_id,
            component,
            to_version,
            pos,
            next_dur,
        ) in rows:
            errors = truth.get(seq)
            if errors is None and fail_code and pos == fail_task:
                errors = [error_catalog.job_error(fail_code)]
            if errors:
                task_end.append(("Failed", at, seq, pos))
                finished.append(
                    (
                        seq,
                        job_id,
                        "Failed",
                        at,
                        errors,
                        item_id,
                        appliance_id,
                        component,
                        to_version,
                    )
                )
                cancel_rest.append(seq)
                continue
            if next_dur is None or cancel:
                task_end.append(("Succeeded", at, seq, pos))
                state = "Cancelled" if cancel else "Succeeded"
                finished.append(
                    (seq, job_id, state, at, [], item_id, appliance_id, component, to_version)
                )
                if next_dur is not None:
                    cancel_rest.append(seq)
                continue
            task_next.append(
                (pos, at, seq, pos)
            )  # this task succeeds and the next starts, one statement
            epoch = epochs.get(at)
            if epoch is None:
                epoch = epochs[at] = int(parse_iso(at).timestamp())
            going_on.append((iso_epoch(epoch + next_dur), seq))
        conn.executemany(
            "UPDATE tasks SET state = ?, end_time = ? WHERE job_seq = ? AND position = ?", task_end
        )
        conn.executemany(
            "UPDATE tasks SET state = CASE WHEN position = ?1 THEN 'Succeeded' ELSE 'InProgress'"
            " END, end_time = CASE WHEN position = ?1 THEN ?2 ELSE end_time END, start_time = CASE"
            " WHEN position = ?1 THEN start_time ELSE ?2 END WHERE job_seq = ?3 AND position"
            " BETWEEN ?4 AND ?4 + 1",
            task_next,
        )
        conn.executemany(
            "UPDATE tasks SET state = 'Cancelled' WHERE job_seq = ? AND state = 'NotStarted'",
            [(s,) for s in cancel_rest],
        )
        conn.executemany("UPDATE jobs SET next_event_at = ? WHERE seq = ?", going_on)
        finish_jobs(conn, finished, stats, latest)


def finish_jobs(
    conn: sqlite3.Connection, finished: list[tuple], stats: RunStats, latest: Latest
) -> None:
    """Final states, and what they mean for the machine or component (status, version, job link)."""
    if not finished:
        return
    conn.executemany(
        "UPDATE jobs SET state = ?, end_time = ?, errors = ?, next_event_at = NULL, waiting_reason"
        " = NULL WHERE seq = ?",
        [
            (state, at, json.dumps([e.model_dump() for e in errors]) if errors else "[]", seq)
            for seq, _id, state, at, errors, *_rest in finished
        ],
    )
    items, components = [], []
    for _seq, job_id, state, _at, _errors, item_id, appliance_id, component, to_version in finished:
        stats.dirty.add(appliance_id)
        if state == "Succeeded":
            stats.succeeded += 1
        elif state == "Failed":
            stats.failed += 1
        else:
            stats.cancelled += 1
        if component is None:
            items.append((state, to_version, job_id, item_id))
        else:
            components.append((state, to_version, job_id, appliance_id, component))
            stats.components_done.add(appliance_id)
    ok = [(v, version_key(v), i, j) for s, v, j, i in items if s == "Succeeded"]
    # On the latest version, a machine's blockers are none and its status is Up to date whatever
    # else the service saw (status.agent_blockers, STATUS_CASE): written here, not recomputed.
    latest_key = latest.agent_key
    current = {i for v, key, i, _j in ok if latest_key is not None and key >= latest_key}
    conn.executemany(
        "UPDATE items SET agent_version = ?, agent_version_key = ?, sim_agent_version = NULL, "
        "active_job_id = NULL, last_job_failed = 0, blockers = '[]', status = 'up-to-date' "
        "WHERE id = ? AND active_job_id = ?",
        [r for r in ok if r[2] in current],
    )
    conn.executemany(
        "UPDATE items SET agent_version = ?, agent_version_key = ?, sim_agent_version = NULL, "
        "active_job_id = NULL, last_job_failed = 0 WHERE id = ? AND active_job_id = ?",
        [r for r in ok if r[2] not in current],
    )
    conn.executemany(
        "UPDATE items SET active_job_id = NULL, last_job_failed = ? WHERE id = ? AND"
        " active_job_id = ?",
        [(int(s == "Failed"), i, j) for s, _v, j, i in items if s != "Succeeded"],
    )
    conn.executemany(
        "UPDATE components SET version = CASE WHEN ? = 'Succeeded' THEN ? ELSE version END,"
        " active_job_id = NULL, last_job_failed = ? WHERE appliance_id = ? AND slug = ? AND"
        " active_job_id = ?",
        [(s, v, int(s == "Failed"), a, c, j) for s, v, j, a, c in components],
    )
    if items:
        stale = [i for *_x, i in items if i not in current]
        if stale:
            refresh_item_ids(conn, stale, latest)
    if components:
        latest.appliances.clear()
        # Only the updated component now; its siblings and machines see it at their next check.
        refresh_components(
            conn,
            {a for *_x, a, _c in components},
            latest,
            only={(a, c) for *_x, a, c in components},
        )


# -- the real prerequisites, checked against the simulated truth when task 0 ends
# ------------------------


def _truth_failures(
    conn: sqlite3.Connection, rows: list[tuple], latest: Latest
) -> dict[int, list[JobError]]:
    """Jobs ending their prerequisites task whose machine's (or appliance's) TRUE state blocks
    them."""
    out: dict[int, list[JobError]] = {}
    if not rows:
        return out
    requires: dict[tuple[str, str], dict[str, str]] = {}

    def release_requires(kind: str, version: str) -> dict[str, str]:
        if (kind, version) not in requires:
            row = conn.execute(
                "SELECT requires FROM releases WHERE component = ? AND version = ?", (kind, version)
            ).fetchone()
            requires[(kind, version)] = json.loads(row[0]) if row else {}
        return requires[(kind, version)]

    appliances = appliance_facts(conn, {r[7] for r in rows}, latest.appliances)
    azure = _in_chunks(
        conn,
        "SELECT id, sim_azure_connected FROM appliances WHERE id IN ({})",
        {r[7] for r in rows},
    )
    truth = {
        r[0]: r[1:]
        for r in _in_chunks_rows(
            conn,
            "SELECT id, coalesce(sim_agent_version, agent_version), coalesce(sim_version_at_reboot,"
            " version_at_reboot), sim_pending_reboot, sim_reaches_appliance FROM items WHERE id IN"
            " ({})",
            {r[6] for r in rows if r[8] is None},
        )
    }
    seen: dict[tuple, list[Blocker]] = {}  # agent blockers per distinct fact tuple (few per window)
    for row in rows:
        seq, item_id, aid, component, to_version = row[0], row[6], row[7], row[8], row[9]
        appl = appliances[aid]
        if component is not None:
            blockers = component_blockers(
                ComponentFacts(
                    component,
                    appl.components.get(component, to_version),
                    to_version,
                    release_requires(component, to_version),
                    appl.name,
                    bool(azure[aid]),
                    appl.components,
                )
            )
        else:
            facts = (aid, *truth[item_id], to_version)
            blockers = seen.get(facts)
            if blockers is None:
                _aid, version, at_reboot, pending, reaches, _to = facts
                blockers = seen[facts] = agent_entry(
                    appl,
                    version,
                    at_reboot,
                    pending,
                    reaches,
                    azure[aid],
                    to_version,
                    release_requires("agent", to_version),
                )[0]
        if blockers:
            out[seq] = prerequisite_errors(blockers)
    return out


def _in_chunks_rows(conn: sqlite3.Connection, sql: str, ids: set[int]) -> list[tuple]:
    wanted = sorted(i for i in ids if i is not None)
    out: list[tuple] = []
    for n in range(0, len(wanted), 500):
        part = wanted[n : n + 500]
        out += conn.execute(sql.format(",".join("?" * len(part))), part).fetchall()
    return out


def _in_chunks(conn: sqlite3.Connection, sql: str, ids: set[int]) -> dict:
    return dict(_in_chunks_rows(conn, sql, ids))


# -- starting waiting jobs at a tick
# ----------------------------------------------------------------


def waiting_for_components(name: str) -> str:
    return f"Waiting for appliance {name} to finish updating its components."


def waiting_for_capacity(name: str, cap: int) -> str:
    return f"Waiting: the process server on {name} is running {cap} updates, its limit."


def start_ready_jobs(
    conn: sqlite3.Connection, at: datetime, appliance_ids: set[int], stats: RunStats
) -> int:
    """At a tick: each appliance runs one component update at a time, and agent updates (up to the
    vault's limit per process server) only while none of its components is being updated.

    Running agent jobs = running jobs (counted on the covering index jobs_appliance_state) minus
    running component jobs (few, INDEXED BY the partial index jobs_component, which the planner
    would not pick): `component IS NULL` in the count made SQLite read every running job's row
    at every tick."""
    ids = sorted(a for a in appliance_ids if a is not None)
    if not ids:
        return 0
    stamp = iso(at)
    to_start: list[int] = []
    free = conn.execute(
        """SELECT a.id, a.name, v.max_concurrent_updates
                  - (SELECT count(*) FROM jobs WHERE appliance_id = a.id
                     AND state IN ('InProgress', 'Cancelling'))
                  + (SELECT count(*) FROM jobs INDEXED BY jobs_component WHERE appliance_id = a.id
                     AND component IS NOT NULL AND state IN ('InProgress', 'Cancelling')),
                  EXISTS (SELECT 1 FROM components c WHERE c.appliance_id = a.id
                          AND c.active_job_id IS NOT NULL)
           FROM appliances a JOIN vaults v ON v.id = a.vault_id
           WHERE a.id IN (SELECT value FROM json_each(:ids))""",
        {"ids": json.dumps(ids)},
    ).fetchall()
    for aid, name, slots, busy in free:
        if busy:
            comps = conn.execute(
                "SELECT j.seq, j.state FROM components c JOIN jobs j ON j.id = c.active_job_id "
                "WHERE c.appliance_id = ? ORDER BY j.seq",
                (aid,),
            ).fetchall()
            if comps and not any(state in RUNNING for _s, state in comps):
                to_start.append(comps[0][0])
            continue
        if slots > 0:
            to_start += [
                s
                for (s,) in conn.execute(
                    "SELECT seq FROM jobs WHERE appliance_id = ? AND state = 'NotStarted' AND"
                    " component IS NULL ORDER BY seq LIMIT ?",
                    (aid, slots),
                )
            ]
        if aid in stats.components_done:
            _set_waiting(conn, aid, waiting_for_capacity(name, _cap(conn, aid)))
    stats.components_done.difference_update(ids)
    started = _start(conn, to_start, stamp)
    stats.started += started
    return started


def _cap(conn: sqlite3.Connection, appliance_id: int) -> int:
    return conn.execute(
        "SELECT v.max_concurrent_updates FROM appliances a JOIN vaults v ON v.id = a.vault_id WHERE"
        " a.id = ?",
        (appliance_id,),
    ).fetchone()[0]


def _start(conn: sqlite3.Connection, seqs: list[int], stamp: str) -> int:
    if not seqs:
        return 0
    durations, existing = materialise_tasks(conn, seqs, first_started=stamp)
    at = int(parse_iso(stamp).timestamp())
    conn.executemany(
        "UPDATE jobs SET state = 'InProgress', start_time = ?, waiting_reason = NULL, next_event_at"
        " = ? WHERE seq = ? AND state = 'NotStarted'",
        [(stamp, iso_epoch(at + durations[s]), s) for s in seqs],
    )
    conn.executemany(
        "UPDATE tasks SET state = 'InProgress', start_time = ? WHERE job_seq = ? AND position = 0",
        [(stamp, s) for s in existing],
    )
    return len(seqs)


def _set_waiting(conn: sqlite3.Connection, appliance_id: int, reason: str) -> None:
    """Every agent job still waiting on this appliance says why (skipped when it already does)."""
    first = conn.execute(
        "SELECT waiting_reason FROM jobs WHERE appliance_id = ? AND state = 'NotStarted' AND"
        " component IS NULL ORDER BY seq LIMIT 1",
        (appliance_id,),
    ).fetchone()
    if first is None or first[0] == reason:
        return
    conn.execute(
        "UPDATE jobs SET waiting_reason = ? WHERE appliance_id = ? AND state = 'NotStarted' "
        "AND component IS NULL",
        (reason, appliance_id),
    )


def dirty_appliances(conn: sqlite3.Connection) -> set[int]:
    """Appliances with a job waiting to start (jobs other processes created included)."""
    return {
        aid
        for (aid,) in conn.execute(
            "SELECT a.id FROM appliances a WHERE EXISTS (SELECT 1 FROM jobs j WHERE j.appliance_id"
            " = a.id AND j.state = 'NotStarted')"
        )
    }


def normalise_loaded_jobs(conn: sqlite3.Connection) -> None:
    """Jobs a scenario placed in flight carry no appliance: give them their machine's (one
    lookup)."""
    conn.execute(
        "UPDATE jobs SET appliance_id = (SELECT appliance_id FROM items WHERE items.id ="
        " jobs.item_id) WHERE appliance_id IS NULL AND item_id IS NOT NULL"
    )


def cancel_job_now(
    conn: sqlite3.Connection, seq: int, at: datetime, stats: RunStats, latest: Latest
) -> None:
    """A NotStarted job ends Cancelled at once."""
    row = conn.execute(
        "SELECT seq, id, item_id, appliance_id, component, to_version FROM jobs WHERE seq = ?",
        (seq,),
    ).fetchone()
    materialise_tasks(conn, [seq], "Cancelled")
    conn.execute(
        "UPDATE tasks SET state = 'Cancelled' WHERE job_seq = ? AND state = 'NotStarted'", (seq,)
    )
    _s, job_id, item_id, appliance_id, component, to_version = row
    finish_jobs(
        conn,
        [
            (
                seq,
                job_id,
                JobState.CANCELLED.value,
                iso(at),
                [],
                item_id,
                appliance_id,
                component,
                to_version,
            )
        ],
        stats,
        latest,
    )
