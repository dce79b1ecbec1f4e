"""Random access into the jobs list (newest first) for the virtual jobs table."""

from __future__ import annotations

import sqlite3

from store.jobs import _job_where
from store.queries import JobQuery, JobRow

_COLUMNS = (
    "j.seq, j.id, j.name, j.target, j.component, j.state, j.initiated_by, j.created_time, "
    "j.start_time, j.end_time, j.waiting_reason"
)


def jobs_at(conn: sqlite3.Connection, q: JobQuery, *, offset: int, limit: int) -> list[JobRow]:
    """Rows `offset`..`offset+limit` of the list, newest first (OFFSET over the seq index)."""
    where, args = _job_where(q)
    sql = f"SELECT {_COLUMNS} FROM jobs j{where} ORDER BY j.seq DESC LIMIT ? OFFSET ?"
    return [JobRow(*r) for r in conn.execute(sql, [*args, limit, offset])]

