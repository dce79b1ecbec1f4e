"""When machines' prerequisite checks are due: which machines a check pass reads (by their check
phase, or the whole table), and the map from each one's due time to its new checked and next
times."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from store.clock import iso, iso_epoch
from store.sim.loader import CHECK_INTERVAL_S


def _temp_ids(conn: sqlite3.Connection, sql: str, params: dict | tuple) -> None:
    """The machines of a check pass, with their due time (so the schedule is grouped on this
    table)."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS _chk (id INTEGER PRIMARY KEY, due TEXT)")
    conn.execute("DELETE FROM _chk")
    conn.execute(f"INSERT INTO _chk {sql}", params)


def schedule(conn: sqlite3.Connection, until: datetime) -> int:
    """Old next_check_at -> (checked_at, next_check_at), per distinct due second (few): a check due
    several times over a quiet stretch happens once, at its last due time (same outcome). Returns
    how many checks were due (each due time counts, so the count does not depend on how engine
    time was cut into passes)."""
    conn.execute(
        "CREATE TEMP TABLE IF NOT EXISTS _sched (old TEXT PRIMARY KEY, checked TEXT, next TEXT)"
    )
    conn.execute("DELETE FROM _sched")
    epoch = int(until.timestamp())
    rows = []
    due_checks = 0
    for old, n in conn.execute("SELECT due, count(*) FROM _chk GROUP BY due").fetchall():
        due = int(datetime.fromisoformat(old).timestamp())
        times = (epoch - due) // CHECK_INTERVAL_S
        due_checks += n * (times + 1)
        last = due + CHECK_INTERVAL_S * times
        rows.append((old, iso_epoch(last), iso_epoch(last + CHECK_INTERVAL_S)))
    conn.executemany("INSERT INTO _sched VALUES (?, ?, ?)", rows)
    return due_checks


def schedule_since(conn: sqlite3.Connection, since: datetime, until: datetime) -> int | None:
    """schedule() when every check up to `since` is done and (since, until] is at most one check
    interval: each machine in _chk is then due exactly once, at its own next_check_at, so the map
    is every second of the stretch (no grouping of the pass's rows). None when a machine in _chk
    was due before `since` (the caller groups instead)."""
    lowest, count = conn.execute("SELECT min(due), count(*) FROM _chk").fetchone()
    if lowest is not None and lowest <= iso(since):
        return None
    conn.execute(
        "CREATE TEMP TABLE IF NOT EXISTS _sched (old TEXT PRIMARY KEY, checked TEXT, next TEXT)"
    )
    conn.execute("DELETE FROM _sched")
    first, last = int(since.timestamp()) + 1, int(until.timestamp())
    rows = []
    for epoch in range(first, last + 1):
        at = iso_epoch(epoch)
        rows.append((at, at, iso_epoch(epoch + CHECK_INTERVAL_S)))
    conn.executemany("INSERT INTO _sched VALUES (?, ?, ?)", rows)
    return count


PHASE_INDEX_SPAN_S = CHECK_INTERVAL_S // 3
"""A check pass reads the machines due through the phase index when it covers at most this much
engine time since the last pass (the console's engine steps), else it scans the table."""


def checks_done_to(conn: sqlite3.Connection) -> datetime | None:
    """Up to where every machine's check is done (the clock's `checks_to`; None: unknown)."""
    row = conn.execute("SELECT checks_to FROM clock WHERE id = 1").fetchone()
    return datetime.fromisoformat(row[0]) if row and row[0] else None


def due_ids(conn: sqlite3.Connection, until: datetime, since: datetime | None) -> None:
    """The machines due by `until` into _chk. A machine's checks fall at its own phase
    (check_offset_s) modulo the check interval, so when every check up to `since` is done, the
    machines due are those whose phase falls in (since, until]: read through the phase index, not
    the whole table. A stretch of more than PHASE_INDEX_SPAN_S (the index costs more than a scan
    past about a third of the fleet) or an unknown `since` reads the table."""
    params = {"until": iso(until)}
    span = None if since is None else (until - since).total_seconds()
    if span is None or not 0 <= span <= PHASE_INDEX_SPAN_S:
        _temp_ids(
            conn,
            "SELECT id, next_check_at FROM items NOT INDEXED WHERE next_check_at <= :until",
            params,
        )
        return
    params["lo"] = int(since.timestamp()) % CHECK_INTERVAL_S
    params["hi"] = int(until.timestamp()) % CHECK_INTERVAL_S
    phase = (
        "check_offset_s > :lo AND check_offset_s <= :hi"
        if params["lo"] <= params["hi"]
        else "(check_offset_s > :lo OR check_offset_s <= :hi)"
    )
    _temp_ids(
        conn,
        f"SELECT id, next_check_at FROM items WHERE {phase} AND next_check_at <= :until",
        params,
    )
