"""The headless engine: hold the lease and move engine time at the clock's speed (`engine run`)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import fields
from datetime import datetime, timedelta

from sqlite_utils import Database

from store import audit, clock
from store.clock import iso, wall_seconds
from store.db import end_interrupted, write
from store.engine import handoff, lease
from store.engine.loop import advance, processed_until
from store.errors import Refused
from store.outcomes import AdvanceResult

STEP_WALL_S = 0.1
"""Wall seconds between steps: engine time moves in steps of speed x this."""


class Pacer:
    """Turns wall time into engine time: the wall in real mode; speed x wall, unless paused, in
    simulated mode. Fractions of an engine second carry over, so slow speeds still move."""

    def __init__(self) -> None:
        self.last = wall_seconds()
        self.carry = 0.0

    def target(self, db: Database, cursor: datetime) -> datetime:
        now = wall_seconds()
        elapsed, self.last = now - self.last, now
        state = clock.read(db.conn)
        if state.mode == "real":
            return max(cursor, clock.wall_now())
        if state.paused:
            self.carry = 0.0
            return cursor
        self.carry += elapsed * state.speed
        whole = int(self.carry)
        self.carry -= whole
        return cursor + min(
            timedelta(seconds=whole), clock.LATEST - cursor
        )  # time stops at its end


def merge(total: AdvanceResult, part: AdvanceResult) -> None:
    for f in fields(AdvanceResult):
        if f.name not in ("start", "end"):
            setattr(total, f.name, getattr(total, f.name) + getattr(part, f.name))
    total.end = part.end


def run_engine(
    db: Database,
    *,
    engine_for: timedelta | None = None,
    holder: str | None = None,
    step_wall_s: float = STEP_WALL_S,
    stop: Callable[[], bool] | None = None,
) -> AdvanceResult:
    """Hold the engine lease and advance engine time until `engine_for` of ENGINE time has passed
    (forever without it), or `stop()` says so. Refused when another live process holds the lease."""
    if engine_for is not None:  # bad input before the lease is taken
        clock.later(processed_until(db.conn), engine_for, "--for")
    holder = holder or lease.new_holder()
    outer = db.conn.in_transaction
    lease.acquire(db, holder)
    start = processed_until(db.conn)
    until = start + min(engine_for, clock.LATEST - start) if engine_for is not None else None
    total = AdvanceResult(start=start, end=start)
    pacer = Pacer()
    try:
        while True:
            cursor = processed_until(db.conn)
            if until is not None and cursor >= until:
                break
            target = pacer.target(db, cursor)
            if until is not None:
                target = min(target, until)
            if target > cursor:
                merge(
                    total,
                    advance(
                        db, target, on_batch=lambda _at: lease.renew(db, holder), holder=holder
                    ),
                )
            if not lease.renew(db, holder):
                raise Refused("the engine lease was lost to another process; stopping")
            if handoff.serve(db, holder):  # another process's `clock advance` / `clock set`
                pacer = Pacer()
            if stop is not None and stop():
                break
            if until is None or processed_until(db.conn) < until:
                time.sleep(step_wall_s)
    finally:
        end_interrupted(db.conn, outer=outer)  # ^C as a write ended: its transaction is not ours
        lease.release(db, holder)
        with write(db) as conn:
            audit.record(
                conn,
                total.end,
                "engine run",
                None,
                {"from": iso(total.start), "to": iso(total.end), "summary": total.summary()},
            )
    return total
