"""Machines and jobs in full, page by page (keyset): what a listing face shows of each machine
beyond its ItemView (its update job, whether `update` would take it now and why not, the newest
version it can reach without a reboot). Plain dataclasses: 100,000 of them are read per listing."""

from __future__ import annotations

import json
import sqlite3
from functools import lru_cache

from store.catalog import latest_ga_sql
from store.item_records import ItemRecord, JobBrief
from store.job_queries import JobQuery
from store.jobs import JOB_COLUMNS, _job_where, _with_tasks
from store.models import JobView
from store.versions import Version, reboot_required_for
from store.vocabulary import ACTIVE_JOB_CODE, ALREADY_LATEST_CODE, UpdateStatus


def refusal_codes(
    active_job_id: str | None, version_key: str, latest_key: str | None, blockers: list[dict]
) -> list[str]:
    """Why `update NAME` would refuse this machine now (the first code is the refusal's), or []
    when it would create a job: the one rule, shared with store.operations."""
    if active_job_id:
        return [ACTIVE_JOB_CODE]
    if latest_key is None or version_key >= latest_key:
        return [ALREADY_LATEST_CODE]
    return [b["reason"] for b in blockers]


_JOB = (
    "{j}.state, {j}.scenario, {j}.initiated_by, {j}.created_time, {j}.start_time, {j}.end_time, "
    "{j}.from_version, {j}.to_version, {j}.errors"
)
_ITEMS = (
    "SELECT i.id, i.name, v.name, i.os, i.os_family, i.appliance, i.agent_version,"
    " i.agent_version_key, i.version_at_reboot, i.status, i.blockers, i.checked_at,"
    " i.next_check_at, i.seen_agent_heartbeat, i.private_preview, i.replication_health,"
    f" i.protection_state, i.active_job_id, i.last_job_id, {_JOB.format(j='j')} FROM items i JOIN"
    " vaults v ON v.id = i.vault_id LEFT JOIN jobs j ON j.id = i.last_job_id"
)


class Catalog:
    """The agent releases a page of records needs, read once per page."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.latest, self.latest_key, self.latest_date = conn.execute(
            f"SELECT {latest_ga_sql('agent', 'version')}, {latest_ga_sql('agent', 'version_key')}, "
            f"{latest_ga_sql('agent', 'released_at')}"
        ).fetchone()
        self.ga = sorted(
            (
                Version.parse(v)
                for (v,) in conn.execute(
                    "SELECT version FROM releases WHERE component = 'agent' AND channel = 'ga'"
                )
            ),
            reverse=True,
        )
        self._without_reboot = lru_cache(maxsize=256)(self._newest_without_reboot)

    def _newest_without_reboot(self, installed: str, at_reboot: str) -> str | None:
        floor = Version.parse(installed)
        for v in self.ga:  # newest first
            if v < floor:
                return None
            if not reboot_required_for(str(v), at_reboot):
                return str(v)
        return None

    def without_reboot(self, installed: str, at_reboot: str) -> str | None:
        return self._without_reboot(installed, at_reboot or installed)


def _record(row: tuple, catalog: Catalog) -> ItemRecord:
    (
        iid,
        name,
        vault,
        os_name,
        family,
        appliance,
        version,
        key,
        at_reboot,
        status,
        blockers,
        checked,
        next_check,
        heartbeat,
        preview,
        health,
        protection,
        active_id,
        last_id,
        *job,
    ) = row
    found = json.loads(blockers)
    brief = None
    if last_id is not None and job[0] is not None:
        brief = JobBrief(last_id, *job[:-1], json.loads(job[-1]))
    return ItemRecord(
        id=iid,
        name=name,
        vault=vault,
        os=os_name,
        os_family=family,
        appliance=appliance,
        agent_version=version,
        version_at_reboot=at_reboot,
        latest_version=catalog.latest,
        latest_release_date=catalog.latest_date,
        status=UpdateStatus.from_slug(status).value,
        blockers=found,
        checked_at=checked,
        next_check_at=next_check,
        agent_heartbeat=bool(heartbeat),
        private_preview=bool(preview),
        replication_health=health,
        protection_state=protection,
        active=active_id is not None,
        job=brief,
        refusal=refusal_codes(active_id, key, catalog.latest_key, found),
        latest_without_reboot=catalog.without_reboot(version, at_reboot),
    )


def item_records(
    conn: sqlite3.Connection, vault_id: int, *, after: str | None, limit: int
) -> list[ItemRecord]:
    """A vault's machines in name order, the first `limit` past the name `after` (keyset: one
    range of the (vault_id, name) index per page, however deep)."""
    catalog = Catalog(conn)
    where, args = "i.vault_id = ?", [vault_id]
    if after is not None:
        where += " AND i.name > ?"
        args.append(after)
    rows = conn.execute(f"{_ITEMS} WHERE {where} ORDER BY i.name LIMIT ?", [*args, limit])
    return [_record(r, catalog) for r in rows]


def item_record(conn: sqlite3.Connection, vault_id: int, name: str) -> ItemRecord | None:
    """One machine of a vault by name, or None."""
    row = conn.execute(f"{_ITEMS} WHERE i.vault_id = ? AND i.name = ?", (vault_id, name)).fetchone()
    return None if row is None else _record(row, Catalog(conn))


def job_page(
    conn: sqlite3.Connection, q: JobQuery, *, limit: int, after_seq: int | None = None
) -> list[tuple[int, JobView]]:
    """Jobs in full (tasks, errors), newest first, with their seq (where the next page starts)."""
    where, args = _job_where(q)
    if after_seq is not None:
        where += (" AND " if where else " WHERE ") + "j.seq < ?"
        args.append(after_seq)
    sql = (
        f"SELECT {JOB_COLUMNS} FROM jobs j JOIN vaults v ON v.id = j.vault_id{where} ORDER BY j.seq"
        " DESC LIMIT ?"
    )
    rows = conn.execute(sql, [*args, limit]).fetchall()
    return list(zip([r[0] for r in rows], _with_tasks(conn, rows), strict=True))
