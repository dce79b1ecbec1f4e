"""The service's jobs: counts, pages (keyset and random access) and jobs in full
(store/service.py)."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from store.errors import BadInput

if TYPE_CHECKING:
    from store.job_queries import JobQuery, JobRow
    from store.models import JobView


class JobReads:
    """Site Recovery jobs, read on the service's connection."""

    _conn: sqlite3.Connection

    def job(self, job_id: str) -> JobView:
        from store.jobs import get_job

        found = get_job(self._conn, job_id)
        if found is None:
            raise BadInput(f"no job with id {job_id!r}")
        return found

    def count_jobs(self, q: JobQuery) -> int:
        from store import jobs

        return jobs.count_jobs(self._conn, q)

    def page_jobs(self, q: JobQuery, *, limit: int, after_seq: int | None = None) -> list[JobRow]:
        from store import jobs

        return jobs.list_jobs(self._conn, q, limit=limit, after_seq=after_seq)

    def jobs_at(self, q: JobQuery, *, offset: int, limit: int) -> list[JobRow]:
        from store import jobs

        return jobs.jobs_at(self._conn, q, offset=offset, limit=limit)

    def job_views(self, q: JobQuery, *, limit: int | None = None) -> list[JobView]:
        """Jobs in full (with their tasks), newest first."""
        from store import jobs

        return jobs.job_views(self._conn, q, limit=limit)

    def job_state_counts(self, vault_id: int | None) -> dict[str, int]:
        from store import jobs

        return jobs.state_counts(self._conn, vault_id)

    def jobs_of(self, q: JobQuery, name: str) -> JobQuery:
        """`q` narrowed to one machine's jobs, or an appliance's component jobs, by name."""
        from store.jobs import for_target

        return for_target(self._conn, q, name)

    def job_page(
        self, q: JobQuery, *, limit: int, after_seq: int | None = None
    ) -> list[tuple[int, JobView]]:
        """Jobs in full, newest first, each with its seq (the next page starts below the last)."""
        from store import records

        return records.job_page(self._conn, q, limit=limit, after_seq=after_seq)
