"""advance(db, to): the discrete-event loop over engine time, committed in short batches."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlite_utils import Database

from store.clock import LATEST, RANGE_TEXT, iso, next_multiple, stored_now, wall_seconds
from store.db import write
from store.engine import lease, rollouts, runner, scheduler
from store.engine.checks import Latest, check_appliances_due, check_items_due
from store.engine.runner import RunStats, ceil_tick, is_tick, next_tick
from store.errors import BadInput
from store.outcomes import AdvanceResult
from store.sim.loader import CHECK_INTERVAL_S

BATCH_WALL_S = 1.0
"""A batch (one write transaction) stops after this much wall time, so other processes' commands
are never held up for long (the console's reads never wait: WAL). Each commit costs ~30 ms at
100k machines (its pages to the WAL), so a long advance commits about once a second."""

CACHE_KIB = 262_144
"""Page cache of the engine's connection (allocated as used): checks touch rows all over a large
fleet, and a small cache turns each into a read from the OS."""

CHECKPOINT_WALL_S = 10.0
"""While advancing, the WAL is checkpointed (PASSIVE) this often instead of after every commit."""


def processed_until(conn: sqlite3.Connection) -> datetime:
    """The engine's cursor: every event up to it has been processed (the stored clock `now`)."""
    row = conn.execute("SELECT now FROM clock WHERE id = 1").fetchone()
    if row is None:
        raise BadInput("the database has no clock (load a scenario first: `asr-console demo load`)")
    return stored_now(row[0])


def next_check_pass(after: datetime) -> datetime:
    """The first machine-check pass point strictly after `after`: every CHECK_INTERVAL_S of engine
    time, aligned to the epoch (like the ticks), so where passes fall depends on engine time only.
    """
    return next_multiple(after, CHECK_INTERVAL_S)


def _window_end(
    conn: sqlite3.Connection, cursor: datetime, to: datetime, dirty: set[int]
) -> tuple[datetime, bool]:
    """Where the next window stops: the target, a local midnight, a check pass point, a tick where
    jobs end or wait to start, exactly at a component-job event, or where a rollout's next wave is
    due. Also whether that is a barrier for machine checks: the target, a midnight (the nightly run
    reads statuses), a check pass point (every check interval of engine time), a component event
    (machines' checks must see the appliance's components as they were at their own time) or a
    rollout's wave (it reads statuses, as the nightly run does)."""
    barriers = [to, next_check_pass(cursor)]
    for moment in (scheduler.next_midnight(conn, cursor), rollouts.next_due(conn, cursor)):
        if moment is not None:
            barriers.append(moment)
    component_event = runner.next_component_event(conn)
    if component_event is not None and component_event > cursor:
        barriers.append(component_event)
    ends = list(barriers)
    job_event = runner.next_job_event(conn)
    if job_event is not None:
        ends.append(max(ceil_tick(job_event), next_tick(cursor)))
    if dirty:
        ends.append(next_tick(cursor))
    end = min(ends)
    return end, end == min(barriers)


def _window(
    conn: sqlite3.Connection,
    start: datetime,
    end: datetime,
    stats: RunStats,
    result: AdvanceResult,
    latest: Latest,
    barrier: bool,
) -> None:
    """Everything due in (start, end], in order: checks (appliances, then machines), task ends at
    their own times, the nightly runs at a midnight, rollouts' waves, then the scheduling tick.

    Machine checks wait for a barrier (at least one per check interval of engine time): each one's
    outcome depends only on the simulated truth (changed only by `sim` commands, which commit
    between batches: a pass applies such a change to the machines due since the last pass, at
    most one interval before it happened, as a check that ran a little late would), the appliance's
    components (which change only at a barrier) and the machine's own version (a job ending
    recomputes it anyway), so checking many 30-second windows at once gives the same result with
    far fewer scattered row writes. Where the passes fall is a function of engine time (and of the
    advance's target), never of how the advance is cut into commits: the same advance checks the
    same machines the same number of times whatever its batch length."""
    result.checks += check_appliances_due(conn, end, latest)
    if barrier:
        result.checks += check_items_due(conn, end, latest, cursor=start)
    result.tasks_ended += runner.complete_due_tasks(conn, end, stats, latest)
    result.jobs_created += scheduler.run_due(conn, start, end, stats, latest)
    result.jobs_created += rollouts.run_due(conn, start, end, stats)
    if is_tick(end) and stats.dirty:
        runner.start_ready_jobs(conn, end, stats.dirty, stats)
        stats.dirty.clear()
    result.windows += 1
    result.absorb(stats)


def advance(
    db: Database,
    to: datetime,
    *,
    on_batch: Callable[[datetime], None] | None = None,
    batch_wall_s: float = BATCH_WALL_S,
    holder: str | None = None,
) -> AdvanceResult:
    """Process every event up to `to` in time order and persist the clock at each commit. The
    caller holds the engine lease. Safe to interrupt: each batch is one transaction, and a later
    advance resumes from the persisted clock."""
    cursor = processed_until(db.conn)
    if to < cursor:
        raise BadInput(f"the clock never goes back (now {iso(cursor)}, asked {iso(to)})")
    if to > LATEST:
        raise BadInput(f"engine time ends at {iso(LATEST)} ({RANGE_TEXT})")
    result = AdvanceResult(start=cursor, end=cursor)
    stats = RunStats()
    first = True
    db.conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    db.conn.execute("PRAGMA wal_autocheckpoint = 0")
    try:
        while first or cursor < to:
            first = False
            cursor = _batch(db, cursor, to, stats, result, batch_wall_s, holder)
            if on_batch is not None:
                on_batch(cursor)
            _checkpoint(db)
    finally:
        db.conn.execute("PRAGMA wal_autocheckpoint = 1000")
    return result


_last_checkpoint = [wall_seconds()]


def _checkpoint(db: Database) -> None:
    if db.conn.in_transaction:  # an advance inside the caller's transaction: it cannot checkpoint
        return
    if wall_seconds() - _last_checkpoint[0] > CHECKPOINT_WALL_S:
        db.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        _last_checkpoint[0] = wall_seconds()


def _batch(
    db: Database,
    cursor: datetime,
    to: datetime,
    stats: RunStats,
    result: AdvanceResult,
    batch_wall_s: float,
    holder: str | None = None,
) -> datetime:
    """One write transaction: windows until `to` or until the batch has taken its wall time.
    With `holder`, nothing is written unless that holder still has the engine lease."""
    with write(db) as conn:
        if holder is not None and not lease.held_by(conn, holder):
            raise lease.LeaseLost("the engine lease was lost to another process; stopping")
        cursor = max(cursor, processed_until(conn))
        runner.normalise_loaded_jobs(conn)
        stats.dirty |= runner.dirty_appliances(conn)
        began = wall_seconds()
        version = conn.execute("PRAGMA data_version").fetchone()[0]
        if (
            version != stats.data_version
        ):  # another connection committed: appliances may have changed
            stats.appliances.clear()
            stats.data_version = version
        latest = Latest.read(
            conn, stats.appliances
        )  # releases change only by command, between batches
        windows = 0
        while cursor < to and (windows == 0 or wall_seconds() - began < batch_wall_s):
            windows += 1
            end, checked = _window_end(conn, cursor, to, stats.dirty)
            _window(conn, cursor, end, stats, result, latest, checked)
            cursor = end
        conn.execute("UPDATE clock SET now = ? WHERE id = 1", (iso(cursor),))
    result.end = cursor
    return cursor


def advance_by(db: Database, delta: timedelta, **kwargs) -> AdvanceResult:
    return advance(db, processed_until(db.conn) + delta, **kwargs)
