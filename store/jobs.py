"""Reading jobs: the rows the jobs table pages through, counts per state, and jobs in full (with
their tasks) as the command line and the console show them."""

from __future__ import annotations

import json
import sqlite3
from typing import TYPE_CHECKING

from store.db import setting
from store.errors import BadInput
from store.job_queries import JobQuery, JobRow
from store.job_writes import task_plan
from store.vocabulary import JobState

if TYPE_CHECKING:
    from store.models import JobView, TaskView


ROW_COLUMNS = (
    "j.seq, j.id, j.name, j.target, j.component, j.state, j.initiated_by, j.created_time, "
    "j.start_time, j.end_time, j.waiting_reason"
)
"""A JobRow's columns: what the jobs table shows of each job."""
JOB_COLUMNS = (
    "j.seq, j.id, j.name, j.scenario, j.target, v.name, j.component, j.state, j.initiated_by, "
    "j.created_time, j.start_time, j.end_time, j.from_version, j.to_version, j.errors, j.retry_of, "
    "j.waiting_reason, (SELECT name FROM rollouts WHERE id = j.rollout_id)"
)


def job_from_row(row: tuple, tasks: list[TaskView]) -> JobView:
    from store.models import JobError, JobView  # pydantic: not before the first frame

    (
        _seq,
        job_id,
        name,
        scenario,
        target,
        vault,
        component,
        state,
        initiated_by,
        created,
        start,
        end,
        from_v,
        to_v,
        errors,
        retry_of,
        waiting,
        rollout,
    ) = row
    return JobView(
        id=job_id,
        name=name,
        scenario=scenario,
        item=target,
        vault=vault,
        component=component,
        state=state,
        initiated_by=initiated_by,
        created_time=created,
        start_time=start,
        end_time=end,
        from_version=from_v,
        to_version=to_v,
        tasks=tasks,
        errors=[JobError(**e) for e in json.loads(errors)],
        retry_of=retry_of,
        waiting_reason=waiting,
        rollout=rollout,
    )


def tasks_of(conn: sqlite3.Connection, seq: int) -> list[TaskView]:
    from store.models import TaskView

    rows = conn.execute(
        "SELECT name, state, start_time, end_time FROM tasks WHERE job_seq = ? ORDER BY position",
        (seq,),
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
    return [
        TaskView(name=name, state=JobState.NOT_STARTED.value)
        for name, _d in task_plan(seed, seq, bool(row[0]))
    ]


def get_job(conn: sqlite3.Connection, job_id: str) -> JobView | None:
    row = conn.execute(
        f"SELECT {JOB_COLUMNS} FROM jobs j JOIN vaults v ON v.id = j.vault_id WHERE j.id = ?",
        (job_id,),
    ).fetchone()
    return None if row is None else job_from_row(row, tasks_of(conn, row[0]))


def for_target(conn: sqlite3.Connection, q: JobQuery, name: str) -> JobQuery:
    """Narrow a query to one machine's jobs, or an appliance's component jobs, by name."""
    row = conn.execute("SELECT id FROM items WHERE name = ?", (name,)).fetchone()
    if row is not None:
        return q._replace(item_id=row[0])
    row = conn.execute("SELECT id FROM appliances WHERE name = ?", (name,)).fetchone()
    if row is not None:
        return q._replace(appliance_id=row[0])
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


def list_jobs(
    conn: sqlite3.Connection,
    q: JobQuery | None = None,
    *,
    limit: int = 100,
    after_seq: int | None = None,
) -> list[JobRow]:
    """Newest first; the next page starts after the last row's seq (keyset, index range scans)."""
    where, args = _job_where(q or JobQuery())
    if after_seq is not None:
        where += (" AND " if where else " WHERE ") + "j.seq < ?"
        args.append(after_seq)
    sql = f"SELECT {ROW_COLUMNS} FROM jobs j{where} ORDER BY j.seq DESC LIMIT ?"
    return [JobRow(*r) for r in conn.execute(sql, [*args, limit])]


def jobs_at(conn: sqlite3.Connection, q: JobQuery, *, offset: int, limit: int) -> list[JobRow]:
    """Rows `offset`..`offset+limit` of the list, newest first (OFFSET over the seq index): random
    access for the virtual jobs table."""
    where, args = _job_where(q)
    sql = f"SELECT {ROW_COLUMNS} FROM jobs j{where} ORDER BY j.seq DESC LIMIT ? OFFSET ?"
    return [JobRow(*r) for r in conn.execute(sql, [*args, limit, offset])]


def count_jobs(conn: sqlite3.Connection, q: JobQuery | None = None) -> int:
    where, args = _job_where(q or JobQuery())
    return conn.execute(f"SELECT count(*) FROM jobs j{where}", args).fetchone()[0]


def state_counts(conn: sqlite3.Connection, vault_id: int | None = None) -> dict[str, int]:
    """Jobs per state (for a facet bar), every state present with 0 when none."""
    states = [s.value for s in JobState]
    if vault_id is not None:
        # One range count per state on (vault_id, state, seq): half the cost of a GROUP BY.
        each = "(SELECT count(*) FROM jobs WHERE vault_id = ? AND state = ?)"
        row = conn.execute(
            "SELECT " + ", ".join([each] * len(states)),
            [v for state in states for v in (vault_id, state)],
        ).fetchone()
        return dict(zip(states, row, strict=True))
    counts = dict.fromkeys(states, 0)
    counts.update(conn.execute("SELECT state, count(*) FROM jobs GROUP BY state").fetchall())
    return counts


def job_views(
    conn: sqlite3.Connection, q: JobQuery | None = None, *, limit: int | None = None
) -> list[JobView]:
    """Full jobs (with tasks), newest first, in two queries whatever the count."""
    where, args = _job_where(q or JobQuery())
    sql = (
        f"SELECT {JOB_COLUMNS} FROM jobs j JOIN vaults v ON v.id = j.vault_id{where} ORDER BY j.seq"
        " DESC"
    )
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
        f"SELECT {JOB_COLUMNS} FROM jobs j JOIN vaults v ON v.id = j.vault_id WHERE j.seq BETWEEN ?"
        " AND ?",
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
        cursors = [
            conn.execute(
                f"{cols} WHERE job_seq BETWEEN ? AND ? ORDER BY job_seq, position", (lo, hi)
            )
        ]
    else:
        ordered = sorted(seqs)
        cursors = [
            conn.execute(
                f"{cols} WHERE job_seq IN ({','.join('?' * len(part))}) ORDER BY job_seq, position",
                part,
            )
            for part in (ordered[i : i + 500] for i in range(0, len(ordered), 500))
        ]
    for cursor in cursors:
        for seq, name, state, start, end in cursor:
            if seq in tasks:
                tasks[seq].append(TaskView(name=name, state=state, start_time=start, end_time=end))
    missing = [r for r in rows if not tasks[r[0]]]
    if missing:
        seed = setting(conn, "seed", "1")
        for r in missing:  # not started yet: the plan (column 6 is the component)
            tasks[r[0]] = [
                TaskView(name=name, state=JobState.NOT_STARTED.value)
                for name, _d in task_plan(seed, r[0], r[6] is not None)
            ]
    return [job_from_row(r, tasks[r[0]]) for r in rows]
