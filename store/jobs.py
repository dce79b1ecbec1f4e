"""Job rows: deterministic ids, task plans, creation, and the job views the CLI and console read."""

from __future__ import annotations

import json
import random
import sqlite3
import uuid
from datetime import datetime, timedelta

from store.clock import iso, parse_iso
from store.db import setting
from store.models import JobError, JobState, JobView, TaskView

AGENT_SCENARIO = "UpdateMobilityService"
AGENT_JOB_NAME = "Update Mobility Service"
COMPONENT_SCENARIO = "UpdateApplianceComponent"
COMPONENT_JOB_NAME = "Update appliance component"

AGENT_TASKS: tuple[tuple[str, int, int], ...] = (
    # name, min seconds, max seconds: 5-15 minutes in all (asr-facts 8, inferred)
    ("Prerequisites check for updating the Mobility service", 45, 120),
    ("Update the Mobility service", 180, 600),
    ("Register the Mobility service with the appliance", 60, 180),
)
COMPONENT_TASKS: tuple[tuple[str, int, int], ...] = (
    ("Prerequisites check for updating the component", 30, 90),
    ("Download and install the component", 240, 900),
    ("Register the component with Azure services", 60, 240),
)

_NAMESPACE = uuid.UUID("6d3c8a6e-2f1b-4c7e-9a51-7b0f3c2d1e90")


def next_job_ids(conn: sqlite3.Connection, count: int) -> list[tuple[int, str]]:
    """(seq, GUID) pairs for the next `count` jobs: the same on every run of the same scenario."""
    start = conn.execute("SELECT coalesce(max(seq), 0) + 1 FROM jobs").fetchone()[0]
    seed = setting(conn, "seed", "1")
    return [(s, str(uuid.uuid5(_NAMESPACE, f"{seed}:{s}"))) for s in range(start, start + count)]


def task_plan(seed: str, seq: int, component: bool = False) -> list[tuple[str, int]]:
    """Task names and durations with seeded jitter (per job, so order of creation doesn't matter)."""
    rng = random.Random(f"{seed}:{seq}")
    spec = COMPONENT_TASKS if component else AGENT_TASKS
    return [(name, rng.randint(lo, hi)) for name, lo, hi in spec]


def insert_job(
    conn: sqlite3.Connection,
    *,
    seq: int,
    job_id: str,
    vault_id: int,
    target: str,
    initiated_by: str,
    created: datetime,
    from_version: str,
    to_version: str,
    item_id: int | None = None,
    appliance_id: int | None = None,
    component: str | None = None,
    fail_code: str | None = None,
    fail_task: int | None = None,
    retry_of: str | None = None,
    waiting_reason: str | None = None,
) -> None:
    """Insert one NotStarted job and its NotStarted tasks; the engine starts it when it can."""
    is_component = component is not None
    conn.execute(
        "INSERT INTO jobs (seq, id, vault_id, scenario, name, item_id, appliance_id, component, target, "
        "state, initiated_by, created_time, from_version, to_version, retry_of, fail_code, fail_task, "
        "waiting_reason, next_event_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (
            seq, job_id, vault_id,
            COMPONENT_SCENARIO if is_component else AGENT_SCENARIO,
            COMPONENT_JOB_NAME if is_component else AGENT_JOB_NAME,
            item_id, appliance_id, component, target, JobState.NOT_STARTED.value, initiated_by,
            iso(created), from_version, to_version, retry_of, fail_code, fail_task, waiting_reason,
            iso(created),
        ),
    )
    seed = setting(conn, "seed", "1")
    conn.executemany(
        "INSERT INTO tasks (job_seq, position, name, duration_s) VALUES (?, ?, ?, ?)",
        [(seq, pos, name, dur) for pos, (name, dur) in enumerate(task_plan(seed, seq, is_component))],
    )


JOB_COLUMNS = (
    "j.seq, j.id, j.name, j.scenario, j.target, v.name, j.component, j.state, j.initiated_by, "
    "j.created_time, j.start_time, j.end_time, j.from_version, j.to_version, j.errors, j.retry_of, "
    "j.waiting_reason"
)


def job_from_row(row: tuple, tasks: list[TaskView]) -> JobView:
    (_seq, job_id, name, scenario, target, vault, component, state, initiated_by, created, start,
     end, from_v, to_v, errors, retry_of, waiting) = row
    return JobView(
        id=job_id, name=name, scenario=scenario, item=target, vault=vault, component=component,
        state=state, initiated_by=initiated_by, created_time=created, start_time=start,
        end_time=end, from_version=from_v, to_version=to_v, tasks=tasks,
        errors=[JobError(**e) for e in json.loads(errors)], retry_of=retry_of,
        waiting_reason=waiting,
    )


def tasks_of(conn: sqlite3.Connection, seq: int) -> list[TaskView]:
    return [
        TaskView(name=n, state=s, start_time=st, end_time=et)
        for n, s, st, et in conn.execute(
            "SELECT name, state, start_time, end_time FROM tasks WHERE job_seq = ? ORDER BY position",
            (seq,),
        )
    ]


def get_job(conn: sqlite3.Connection, job_id: str) -> JobView | None:
    row = conn.execute(
        f"SELECT {JOB_COLUMNS} FROM jobs j JOIN vaults v ON v.id = j.vault_id WHERE j.id = ?",
        (job_id,),
    ).fetchone()
    return None if row is None else job_from_row(row, tasks_of(conn, row[0]))


def duration_text(start: str | None, end: str | None, now: datetime) -> str:
    """'4m 12s' style duration of a job, running ones up to now."""
    if start is None:
        return ""
    stop = parse_iso(end) if end else now
    seconds = max(0, int((stop - parse_iso(start)) / timedelta(seconds=1)))
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{h}h {m}m" if h else f"{m}m {s:02d}s"

