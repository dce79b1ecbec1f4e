"""Job rows: deterministic ids, task plans, creation, and the job views the CLI and console read."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from store.clock import duration_text as clock_duration
from store.clock import iso, parse_iso
from store.db import setting
from store.errors import BadInput
from store.queries import JobQuery, JobRow
from store.vocabulary import JobState

if TYPE_CHECKING:
    from store.models import JobView, TaskView

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

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_P = 2_147_483_647  # 2**31 - 1: the squares below stay inside SQLite's 64-bit integers
_Q = 4_294_967_291  # the largest prime below 2**32: job_id_sql's 32 pseudo-random bits


def job_id_sql(seq: str, ms: str, key: str, base: str) -> str:
    """The one definition of a job id, as a SQL expression over SQL operands (a column, a :param):
    an RFC 9562 UUIDv7 GUID, time-ordered so that the jobs' unique id index takes new ids in order.

    - unix_ts_ms (48 bits): `ms`, the job's created engine time in milliseconds;
    - version 7, variant 10;
    - a 42-bit counter, RFC 9562 method 1 (fixed-length dedicated counter bits), in rand_a (12
      bits) and the first 30 bits of rand_b: `base` (counter_base: a pseudo-random start for the
      created ms, as RFC 9562 recommends, so an id does not show how many jobs exist) plus the
      job's seq, so ids increase with seq within one ms (a bulk update creates 100,000 jobs at the
      same engine time) and are unique;
    - 32 pseudo-random bits, the same on every run of a scenario: x = seq scrambled with `key`, the
      scenario seed's key (job_id_key), modulo 2**31 - 1, then x*x + c modulo the largest prime
      below 2**32.

    Integer arithmetic and printf only: computing 100,000 ids inside an INSERT ... SELECT costs no
    Python call per row. SQLite evaluates every copy of a subexpression, so the expression is kept
    small: with two rounds of squaring written out (six copies of the first) and seven printf
    arguments the id was ~9% of creating 100,000 jobs; one squaring and six arguments saved a
    third of that (callgrind, 10,000 jobs)."""
    x = f"((({seq}) % {_P}) * 1103515245 + {key}) % {_P}"
    rand = f"(({x}) * ({x}) + 12345) % {_Q}"
    counter = f"(({base}) + ({seq}))"
    return (
        f"printf('%08x-%04x-7%03x-%04x-%04x%08x', ({ms}) >> 16, ({ms}) & 65535, ({counter} >> 30) & 4095, "
        f"32768 | (({counter} >> 16) & 16383), {counter} & 65535, {rand})"
    )


def counter_base(ms: int, key: int) -> int:
    """Where the id counter starts for the jobs created at engine time `ms`: pseudo-random from the
    scenario seed's key, below 2**41 so that adding a seq never overflows the 42-bit counter."""
    digest = hashlib.blake2b(f"{key}:{ms}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 23


def job_id_key(conn: sqlite3.Connection) -> int:
    """The scenario seed's key for job_id_sql's pseudo-random bits."""
    seed = setting(conn, "seed", "1")
    return int.from_bytes(hashlib.blake2b(f"job-id:{seed}".encode(), digest_size=8).digest(), "big") % _P


def epoch_ms(moment: datetime) -> int:
    """A job id's timestamp: its created time as the job records it (whole seconds, like iso()), in
    milliseconds since the unix epoch."""
    return (moment.replace(microsecond=0) - _EPOCH) // timedelta(milliseconds=1)


def next_seq(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT coalesce(max(seq), 0) + 1 FROM jobs").fetchone()[0]


_IDS_FROM = f"""
WITH RECURSIVE s(seq) AS (SELECT :start UNION ALL SELECT seq + 1 FROM s WHERE seq < :stop)
SELECT seq, {job_id_sql("seq", ":ms", ":key", ":base")} FROM s
"""


def next_job_ids(conn: sqlite3.Connection, count: int, created: datetime) -> list[tuple[int, str]]:
    """(seq, GUID) pairs for the next `count` jobs, created at `created` (engine time): the same on
    every run of the same scenario. The GUID is job_id_sql's, computed by SQLite."""
    return job_ids(conn, next_seq(conn), count, created)


def job_id_params(conn: sqlite3.Connection, created: datetime) -> dict[str, int]:
    """The :ms, :key and :base operands of job_id_sql for jobs created at `created`."""
    ms, key = epoch_ms(created), job_id_key(conn)
    return {"ms": ms, "key": key, "base": counter_base(ms, key)}


def job_ids(conn: sqlite3.Connection, start: int, count: int, created: datetime) -> list[tuple[int, str]]:
    """(seq, GUID) for seqs start .. start + count - 1 created at `created`."""
    if count <= 0:
        return []
    return conn.execute(_IDS_FROM, {"start": start, "stop": start + count - 1,
                                    **job_id_params(conn, created)}).fetchall()


def task_plan(seed: str, seq: int, component: bool = False) -> list[tuple[str, int]]:
    """Task names and durations with seeded jitter (per job, so order of creation doesn't matter)."""
    digest = hashlib.blake2b(f"{seed}:{seq}".encode(), digest_size=8).digest()
    spec = COMPONENT_TASKS if component else AGENT_TASKS
    return [
        (name, lo + int.from_bytes(digest[2 * n:2 * n + 2], "big") % (hi - lo + 1))
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
    "j.waiting_reason, (SELECT name FROM rollouts WHERE id = j.rollout_id)"
)


def job_from_row(row: tuple, tasks: list[TaskView]) -> JobView:
    from store.models import JobError, JobView  # pydantic: not before the first frame
    (_seq, job_id, name, scenario, target, vault, component, state, initiated_by, created, start,
     end, from_v, to_v, errors, retry_of, waiting, rollout) = row
    return JobView(
        id=job_id, name=name, scenario=scenario, item=target, vault=vault, component=component,
        state=state, initiated_by=initiated_by, created_time=created, start_time=start,
        end_time=end, from_version=from_v, to_version=to_v, tasks=tasks,
        errors=[JobError(**e) for e in json.loads(errors)], retry_of=retry_of,
        waiting_reason=waiting, rollout=rollout,
    )


def tasks_of(conn: sqlite3.Connection, seq: int) -> list[TaskView]:
    from store.models import TaskView
    rows = conn.execute(
        "SELECT name, state, start_time, end_time FROM tasks WHERE job_seq = ? ORDER BY position", (seq,)
    ).fetchall()
    if rows:
        return [TaskView(name=n, state=s, start_time=st, end_time=et) for n, s, st, et in rows]
    return planned_tasks(conn, seq)


def planned_tasks(conn: sqlite3.Connection, seq: int) -> list[TaskView]:
    """The tasks of a job that has not started: its plan (rows are written when it starts)."""
    from store.models import TaskView
    row = conn.execute("SELECT component IS NOT NULL FROM jobs WHERE seq = ?", (seq,)).fetchone()
    if row is None:
        return []
    seed = setting(conn, "seed", "1")
    return [TaskView(name=name, state=JobState.NOT_STARTED.value)
            for name, _d in task_plan(seed, seq, bool(row[0]))]


def materialise_tasks(conn: sqlite3.Connection, seqs: list[int], state: str = "NotStarted", *,
                      first_started: str | None = None) -> tuple[dict[int, int], list[int]]:
    """Write the task rows of jobs created without them (on start, or on cancel), the first one
    InProgress since `first_started` when given. Returns each job's first task duration, and the
    jobs that already had rows (they keep them)."""
    seed = setting(conn, "seed", "1")
    firsts: dict[int, int] = {}
    existing: list[int] = []
    rows = []
    for n in range(0, len(seqs), 500):
        part = seqs[n:n + 500]
        marks = ",".join("?" * len(part))
        have = dict(conn.execute(
            f"SELECT job_seq, duration_s FROM tasks WHERE position = 0 AND job_seq IN ({marks})", part
        ))
        kinds = dict(conn.execute(f"SELECT seq, component IS NOT NULL FROM jobs WHERE seq IN ({marks})", part))
        for seq in part:
            if seq in have:
                firsts[seq] = have[seq]
                existing.append(seq)
                continue
            plan = task_plan(seed, seq, bool(kinds.get(seq)))
            firsts[seq] = plan[0][1]
            rows.extend(
                (seq, pos, name, dur, "InProgress" if first_started and pos == 0 else state,
                 first_started if pos == 0 else None)
                for pos, (name, dur) in enumerate(plan)
            )
    conn.executemany(
        "INSERT INTO tasks (job_seq, position, name, duration_s, state, start_time) VALUES (?, ?, ?, ?, ?, ?)", rows
    )
    return firsts, existing


def get_job(conn: sqlite3.Connection, job_id: str) -> JobView | None:
    row = conn.execute(
        f"SELECT {JOB_COLUMNS} FROM jobs j JOIN vaults v ON v.id = j.vault_id WHERE j.id = ?",
        (job_id,),
    ).fetchone()
    return None if row is None else job_from_row(row, tasks_of(conn, row[0]))


def duration_text(start: str | None, end: str | None, now: datetime) -> str:
    """How long a job ran ('4m 12s'), a running one up to now; '' before it starts."""
    if start is None:
        return ""
    stop = parse_iso(end) if end else now
    return clock_duration((stop - parse_iso(start)) / timedelta(seconds=1))


# -- bulk creation ------------------------------------------------------------------------------

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


def create_jobs(conn: sqlite3.Connection, specs: list[NewJob], *, created: datetime,
                initiated_by: str) -> list[tuple[int, str]]:
    """Insert NotStarted jobs with one executemany; (seq, id) per spec. NotStarted jobs carry no
    next_event_at (the runner starts them at a scheduling tick) and no task rows yet: their tasks are
    their plan (task_plan) until they start, which keeps creating 100k jobs cheap."""
    if not specs:
        return []
    ids = next_job_ids(conn, len(specs), created)
    at = iso(created)
    not_started = JobState.NOT_STARTED.value
    job_rows = []
    for (seq, job_id), s in zip(ids, specs, strict=True):
        is_component = s.component is not None
        job_rows.append((
            seq, job_id, s.vault_id, COMPONENT_SCENARIO if is_component else AGENT_SCENARIO,
            COMPONENT_JOB_NAME if is_component else AGENT_JOB_NAME, s.item_id, s.appliance_id,
            s.component, s.target, not_started, initiated_by, at, s.from_version, s.to_version,
            s.retry_of, s.fail_code, s.fail_task, s.waiting_reason,
        ))
    conn.executemany(
        "INSERT INTO jobs (seq, id, vault_id, scenario, name, item_id, appliance_id, component, target, "
        "state, initiated_by, created_time, from_version, to_version, retry_of, fail_code, fail_task, "
        "waiting_reason) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        job_rows,
    )
    return ids


# -- lists and keyset pages ---------------------------------------------------------------------

def for_target(conn: sqlite3.Connection, q: JobQuery, name: str) -> JobQuery:
    """Narrow a query to one machine's jobs, or an appliance's component jobs, by name."""
    row = conn.execute("SELECT id FROM items WHERE name = ?", (name,)).fetchone()
    if row is not None:
        return replace(q, item_id=row[0])
    row = conn.execute("SELECT id FROM appliances WHERE name = ?", (name,)).fetchone()
    if row is not None:
        return replace(q, appliance_id=row[0])
    raise BadInput(f"no replicated item or appliance named {name!r}")


def _job_where(q: JobQuery) -> tuple[str, list]:
    clauses, args = [], []
    if q.vault_id is not None:
        clauses.append("j.vault_id = ?")
        args.append(q.vault_id)
    if q.state is not None:
        clauses.append("j.state = ?")
        args.append(q.state)
    if q.scenario is not None:
        clauses.append("j.scenario = ?")
        args.append(q.scenario)
    if q.item_id is not None:
        clauses.append("j.item_id = ?")
        args.append(q.item_id)
    if q.appliance_id is not None:
        clauses.append("j.appliance_id = ? AND j.component IS NOT NULL")
        args.append(q.appliance_id)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", args


def list_jobs(conn: sqlite3.Connection, q: JobQuery | None = None, *, limit: int = 100,
              after_seq: int | None = None) -> list[JobRow]:
    """Newest first; the next page starts after the last row's seq (keyset, index range scans)."""
    where, args = _job_where(q or JobQuery())
    if after_seq is not None:
        where += (" AND " if where else " WHERE ") + "j.seq < ?"
        args.append(after_seq)
    sql = (
        "SELECT j.seq, j.id, j.name, j.target, j.component, j.state, j.initiated_by, j.created_time, "
        f"j.start_time, j.end_time, j.waiting_reason FROM jobs j{where} ORDER BY j.seq DESC LIMIT ?"
    )
    return [JobRow(*r) for r in conn.execute(sql, [*args, limit])]


def count_jobs(conn: sqlite3.Connection, q: JobQuery | None = None) -> int:
    where, args = _job_where(q or JobQuery())
    return conn.execute(f"SELECT count(*) FROM jobs j{where}", args).fetchone()[0]


def state_counts(conn: sqlite3.Connection, vault_id: int | None = None) -> dict[str, int]:
    """Jobs per state (for a facet bar), every state present with 0 when none."""
    states = [s.value for s in JobState]
    if vault_id is not None:
        # One range count per state on (vault_id, state, seq): half the cost of a GROUP BY.
        each = "(SELECT count(*) FROM jobs WHERE vault_id = ? AND state = ?)"
        row = conn.execute("SELECT " + ", ".join([each] * len(states)),
                           [v for state in states for v in (vault_id, state)]).fetchone()
        return dict(zip(states, row))
    counts = dict.fromkeys(states, 0)
    counts.update(conn.execute("SELECT state, count(*) FROM jobs GROUP BY state").fetchall())
    return counts


def job_views(conn: sqlite3.Connection, q: JobQuery | None = None, *, limit: int | None = None) -> list[JobView]:
    """Full jobs (with tasks), newest first, in two queries whatever the count."""
    where, args = _job_where(q or JobQuery())
    sql = f"SELECT {JOB_COLUMNS} FROM jobs j JOIN vaults v ON v.id = j.vault_id{where} ORDER BY j.seq DESC"
    if limit is not None:
        sql += " LIMIT ?"
        args.append(limit)
    return _with_tasks(conn, conn.execute(sql, args).fetchall())


def jobs_by_seq(conn: sqlite3.Connection, seqs: list[int]) -> list[JobView]:
    """The jobs with these seqs, in the given order (e.g. the ones a command just created)."""
    if not seqs:
        return []
    lo, hi = min(seqs), max(seqs)
    rows = conn.execute(
        f"SELECT {JOB_COLUMNS} FROM jobs j JOIN vaults v ON v.id = j.vault_id WHERE j.seq BETWEEN ? AND ?",
        (lo, hi),
    ).fetchall()
    wanted = set(seqs)
    by_seq = {r[0]: r for r in rows if r[0] in wanted}
    views = _with_tasks(conn, [by_seq[s] for s in seqs if s in by_seq])
    return views


def _with_tasks(conn: sqlite3.Connection, rows: list[tuple]) -> list[JobView]:
    from store.models import TaskView
    if not rows:
        return []
    seqs = [r[0] for r in rows]
    tasks: dict[int, list[TaskView]] = {s: [] for s in seqs}
    lo, hi = min(seqs), max(seqs)
    cols = "SELECT job_seq, name, state, start_time, end_time FROM tasks"
    if hi - lo < 2 * len(seqs):  # dense (a command's new jobs, a full list): one range scan
        cursors = [conn.execute(f"{cols} WHERE job_seq BETWEEN ? AND ? ORDER BY job_seq, position", (lo, hi))]
    else:
        ordered = sorted(seqs)
        cursors = [
            conn.execute(f"{cols} WHERE job_seq IN ({','.join('?' * len(part))}) ORDER BY job_seq, position", part)
            for part in (ordered[i:i + 500] for i in range(0, len(ordered), 500))
        ]
    for cursor in cursors:
        for seq, name, state, start, end in cursor:
            if seq in tasks:
                tasks[seq].append(TaskView(name=name, state=state, start_time=start, end_time=end))
    missing = [r for r in rows if not tasks[r[0]]]
    if missing:
        seed = setting(conn, "seed", "1")
        for r in missing:  # not started yet: the plan (column 6 is the component)
            tasks[r[0]] = [TaskView(name=name, state=JobState.NOT_STARTED.value)
                           for name, _d in task_plan(seed, r[0], r[6] is not None)]
    return [job_from_row(r, tasks[r[0]]) for r in rows]
