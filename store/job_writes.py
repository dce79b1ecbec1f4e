"""New jobs: what one holds (its scenario, name and task plan) and writing them, one or 100,000 at
once, and their task rows when they start or are cancelled."""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass
from datetime import datetime

from store.clock import iso
from store.db import setting
from store.job_ids import next_job_ids
from store.vocabulary import JobState

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


def task_plan(seed: str, seq: int, component: bool = False) -> list[tuple[str, int]]:
    """Task names and durations with seeded jitter (per job, so order of creation doesn't
    matter)."""
    digest = hashlib.blake2b(f"{seed}:{seq}".encode(), digest_size=8).digest()
    spec = COMPONENT_TASKS if component else AGENT_TASKS
    return [
        (name, lo + int.from_bytes(digest[2 * n : 2 * n + 2], "big") % (hi - lo + 1))
        for n, (name, lo, hi) in enumerate(spec)
    ]


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
        "INSERT INTO jobs (seq, id, vault_id, scenario, name, item_id, appliance_id, component,"
        " target, state, initiated_by, created_time, from_version, to_version, retry_of, fail_code,"
        " fail_task, waiting_reason, next_event_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (
            seq,
            job_id,
            vault_id,
            COMPONENT_SCENARIO if is_component else AGENT_SCENARIO,
            COMPONENT_JOB_NAME if is_component else AGENT_JOB_NAME,
            item_id,
            appliance_id,
            component,
            target,
            JobState.NOT_STARTED.value,
            initiated_by,
            iso(created),
            from_version,
            to_version,
            retry_of,
            fail_code,
            fail_task,
            waiting_reason,
            iso(created),
        ),
    )
    seed = setting(conn, "seed", "1")
    conn.executemany(
        "INSERT INTO tasks (job_seq, position, name, duration_s) VALUES (?, ?, ?, ?)",
        [
            (seq, pos, name, dur)
            for pos, (name, dur) in enumerate(task_plan(seed, seq, is_component))
        ],
    )


@dataclass(frozen=True)
class NewJob:
    """One job to create: an agent update (item_id) or a component update (component)."""

    vault_id: int
    target: str
    appliance_id: int
    from_version: str
    to_version: str
    item_id: int | None = None
    component: str | None = None
    fail_code: str | None = None
    fail_task: int | None = None
    retry_of: str | None = None
    waiting_reason: str | None = None


def create_jobs(
    conn: sqlite3.Connection, specs: list[NewJob], *, created: datetime, initiated_by: str
) -> list[tuple[int, str]]:
    """Insert NotStarted jobs with one executemany; (seq, id) per spec. NotStarted jobs carry no
    next_event_at (the runner starts them at a scheduling tick) and no task rows yet: their tasks
    are
    their plan (task_plan) until they start, which keeps creating 100k jobs cheap."""
    if not specs:
        return []
    ids = next_job_ids(conn, len(specs), created)
    at = iso(created)
    not_started = JobState.NOT_STARTED.value
    job_rows = []
    for (seq, job_id), s in zip(ids, specs, strict=True):
        is_component = s.component is not None
        job_rows.append(
            (
                seq,
                job_id,
                s.vault_id,
                COMPONENT_SCENARIO if is_component else AGENT_SCENARIO,
                COMPONENT_JOB_NAME if is_component else AGENT_JOB_NAME,
                s.item_id,
                s.appliance_id,
                s.component,
                s.target,
                not_started,
                initiated_by,
                at,
                s.from_version,
                s.to_version,
                s.retry_of,
                s.fail_code,
                s.fail_task,
                s.waiting_reason,
            )
        )
    conn.executemany(
        "INSERT INTO jobs (seq, id, vault_id, scenario, name, item_id, appliance_id, component,"
        " target, state, initiated_by, created_time, from_version, to_version, retry_of, fail_code,"
        " fail_task, waiting_reason) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        job_rows,
    )
    return ids


def materialise_tasks(
    conn: sqlite3.Connection,
    seqs: list[int],
    state: str = "NotStarted",
    *,
    first_started: str | None = None,
) -> tuple[dict[int, int], list[int]]:
    """Write the task rows of jobs created without them (on start, or on cancel), the first one
    InProgress since `first_started` when given. Returns each job's first task duration, and the
    jobs that already had rows (they keep them)."""
    seed = setting(conn, "seed", "1")
    firsts: dict[int, int] = {}
    existing: list[int] = []
    rows = []
    for n in range(0, len(seqs), 500):
        part = seqs[n : n + 500]
        marks = ",".join("?" * len(part))
        have = dict(
            conn.execute(
                "SELECT job_seq, duration_s FROM tasks WHERE position = 0 AND job_seq IN"
                f" ({marks})",
                part,
            )
        )
        kinds = dict(
            conn.execute(
                f"SELECT seq, component IS NOT NULL FROM jobs WHERE seq IN ({marks})", part
            )
        )
        for seq in part:
            if seq in have:
                firsts[seq] = have[seq]
                existing.append(seq)
                continue
            plan = task_plan(seed, seq, bool(kinds.get(seq)))
            firsts[seq] = plan[0][1]
            rows.extend(
                (
                    seq,
                    pos,
                    name,
                    dur,
                    "InProgress" if first_started and pos == 0 else state,
                    first_started if pos == 0 else None,
                )
                for pos, (name, dur) in enumerate(plan)
            )
    conn.executemany(
        "INSERT INTO tasks (job_seq, position, name, duration_s, state, start_time) VALUES (?, ?,"
        " ?, ?, ?, ?)",
        rows,
    )
    return firsts, existing
