"""`clock advance` / `clock set` while another process holds the engine lease: the request goes into
the database and the holder (a console, `engine run`, `arm serve`) performs it at its next step, so
one process at a time moves engine time. The asking process waits for the outcome, withdraws on ^C
(the holder stops at its next batch, keeping what it did), and does the move itself if the holder
goes away. A holder that does not take requests (older code) leaves it refused as before."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from sqlite_utils import Database

from store import audit, clock
from store.db import BUSY_TIMEOUT_MS, end_interrupted, set_setting, setting, write
from store.engine import lease
from store.engine.loop import advance, processed_until
from store.errors import BadInput, Refused, StoreError
from store.outcomes import AdvanceResult

SERVING = "clock_requests_holder"
"""Setting: the lease holder that takes requests (a holder of older code never writes it)."""
LOOK_S = 0.05
"""How often the asking process looks at its request (and at the lease)."""
WITHDRAW_WAIT_MS = 1_000
"""How long an interrupted asker waits for the write lock to take its request back."""
COUNTS = [f.name for f in fields(AdvanceResult) if f.name not in ("start", "end")]


@dataclass(frozen=True)
class Move:
    """What was asked: forward by `delta` (`clock advance`), or to `to` (`clock set`)."""

    delta: timedelta | None = None
    to: datetime | None = None

    def target(self, start: datetime) -> datetime:
        """Where engine time goes from `start` (read under the lease): never back, at most
        clock.MAX_MOVE at once, never past the end of engine time."""
        if self.delta is not None:
            return clock.later(start, self.delta, "the advance")
        if self.to < start:
            raise BadInput(
                f"the clock never goes back (now {clock.iso(start)}, asked {clock.iso(self.to)})"
            )
        if self.to - start > clock.MAX_MOVE:
            raise BadInput(
                f"the clock moves at most {clock.MAX_MOVE.days}d at once (now {clock.iso(start)}, "
                f"asked {clock.iso(self.to)}); set it in steps"
            )
        return clock.later(start, self.to - start, "the new time")

    def encode(self) -> tuple[str, str]:
        if self.delta is not None:
            return "advance", str(int(self.delta.total_seconds()))
        return "set", clock.iso(self.to)

    @classmethod
    def decode(cls, kind: str, amount: str) -> Move:
        if kind == "advance":
            return cls(delta=timedelta(seconds=int(amount)))
        return cls(to=clock.parse_iso(amount))


def audit_move(db: Database, start: datetime, end: datetime, summary: str, actor: str) -> None:
    with write(db) as conn:
        audit.record(
            conn,
            end,
            "clock advance",
            None,
            {"from": clock.iso(start), "to": clock.iso(end), "summary": summary},
            actor=actor,
        )


class _Withdrawn(Exception):
    """The asking process withdrew its request (^C) while it was being performed."""


def _perform(
    db: Database,
    holder: str,
    rid: int,
    start: datetime,
    to: datetime,
    actor: str,
    *,
    outer: bool = False,
) -> AdvanceResult:
    """Advance to `to` for request `rid` (the caller holds the lease), then record the outcome.
    Stopped part way (withdrawn, or ^C here), what was done is kept and audited. `outer`: it runs
    inside the caller's transaction."""

    def step(_at: datetime) -> None:
        lease.renew(db, holder)
        row = db.conn.execute(
            "SELECT state, asker_pid FROM clock_requests WHERE id = ?", (rid,)
        ).fetchone()
        if row is None or row[0] == "withdrawn" or not _alive(row[1]):
            raise _Withdrawn

    try:
        result = advance(db, to, on_batch=step, holder=holder)
    except (_Withdrawn, KeyboardInterrupt) as stop:
        end_interrupted(db.conn, outer=outer)
        audit_move(db, start, processed_until(db.conn), "interrupted", actor)
        if isinstance(stop, KeyboardInterrupt):
            raise
        with write(db) as conn:
            conn.execute("DELETE FROM clock_requests WHERE id = ?", (rid,))
        return AdvanceResult(start=start, end=processed_until(db.conn))
    audit_move(db, start, to, result.summary(), actor)
    outcome = {
        "start": clock.iso(result.start),
        "end": clock.iso(result.end),
        **{name: getattr(result, name) for name in COUNTS},
    }
    with write(db) as conn:
        conn.execute(
            "UPDATE clock_requests SET state = 'done', result = ? WHERE id = ?",
            (json.dumps(outcome), rid),
        )
    return result


def _claim(
    db: Database, holder: str, rid: int | None = None
) -> tuple[int, datetime, datetime, str] | None:
    """The next request to perform (or request `rid`): a pending one, or one left running by a
    performer that no longer holds the lease, whose asker still waits (requests whose asker has
    gone are dropped). Its target is fixed from engine time now; bad input fails it instead."""
    while True:
        with write(db) as conn:
            gone = [
                (r,)
                for r, pid in conn.execute("SELECT id, asker_pid FROM clock_requests")
                if not _alive(pid)
            ]
            conn.executemany("DELETE FROM clock_requests WHERE id = ?", gone)
            sql = (
                "SELECT id, kind, amount, actor, target FROM clock_requests WHERE (state ="
                " 'pending' OR (state = 'running' AND performer != :me))"
            )
            row = conn.execute(
                sql + (" AND id = :id" if rid is not None else "") + " ORDER BY id LIMIT 1",
                {"me": holder, "id": rid},
            ).fetchone()
            if row is None:
                return None
            found, kind, amount, actor, fixed = row
            start = processed_until(conn)
            try:
                to = clock.parse_iso(fixed) if fixed else Move.decode(kind, amount).target(start)
            except StoreError as exc:
                failure = {"error": str(exc), "exit": exc.exit_code}
                conn.execute(
                    "UPDATE clock_requests SET state = 'failed', result = ? WHERE id = ?",
                    (json.dumps(failure), found),
                )
                if rid is not None:
                    return None
                continue
            conn.execute(
                "UPDATE clock_requests SET state = 'running', target = ?, performer = ? WHERE"
                " id = ?",
                (clock.iso(to), holder, found),
            )
            return found, start, to, actor


def serve(db: Database, holder: str) -> int:
    """Perform every request waiting for the engine, in order (the caller holds the lease); how
    many.
    Costs two small reads when there is none."""
    outer = db.conn.in_transaction
    if setting(db.conn, SERVING, "") != holder:
        with write(db) as conn:
            set_setting(conn, SERVING, holder)
    if (
        db.conn.execute(
            "SELECT 1 FROM clock_requests WHERE state IN ('pending', 'running') LIMIT 1"
        ).fetchone()
        is None
    ):
        return 0
    done = 0
    while (claimed := _claim(db, holder)) is not None:
        _perform(db, holder, *claimed, outer=outer)
        done += 1
    return done


def ask(db: Database, move: Move, actor: str) -> AdvanceResult:
    """Perform `move` here when the engine lease is free; else have its holder perform it and wait
    for the outcome (or do it here if the holder goes away first). Interrupted, the request is
    withdrawn: the holder stops at its next batch and keeps what it did."""
    kind, amount = move.encode()
    outer = db.conn.in_transaction  # a caller's own transaction (the move is then part of it)
    with write(db) as conn:
        rid = conn.execute(
            "INSERT INTO clock_requests (kind, amount, actor, asker_pid) VALUES (?, ?, ?, ?)",
            (kind, amount, actor, os.getpid()),
        ).lastrowid
    try:
        while True:
            state, result = db.conn.execute(
                "SELECT state, result FROM clock_requests WHERE id = ?", (rid,)
            ).fetchone()
            if state == "done":
                return _result(json.loads(result))
            if state == "failed":
                failure = json.loads(result)
                raise (BadInput if failure["exit"] == BadInput.exit_code else Refused)(
                    failure["error"]
                )
            holder, _expires = lease.current(db.conn)
            if holder is None:
                done = _do_here(db, rid, outer)
                if done is not None:
                    return done
            elif state == "pending" and setting(db.conn, SERVING, "") != holder:
                raise Refused(
                    f"the engine is running in another process ({holder}), which does not take"
                    " clock requests; it moves engine time itself. Use `clock pause` / `clock"
                    " speed`, or stop it first"
                )
            time.sleep(LOOK_S)  # pacing: the holder works in its own process
    finally:
        end_interrupted(db.conn, outer=outer)
        _withdraw(db, rid)


def _withdraw(db: Database, rid: int) -> None:
    """Take the request back: gone if not started, 'withdrawn' if running (the holder stops at its
    next batch). Best effort: a holder busy writing may keep the lock, and it notices this process
    has ended anyway."""
    conn = db.conn
    own = not conn.in_transaction  # inside the caller's transaction: part of it
    conn.execute(f"PRAGMA busy_timeout = {WITHDRAW_WAIT_MS}")
    try:
        if own:
            conn.execute(
                "BEGIN IMMEDIATE"
            )  # one try, not write()'s patient retries: ^C was pressed
        conn.execute(
            "UPDATE clock_requests SET state = 'withdrawn' WHERE id = ? AND state = 'running'",
            (rid,),
        )
        conn.execute("DELETE FROM clock_requests WHERE id = ? AND state != 'withdrawn'", (rid,))
        if own:
            conn.execute("COMMIT")
    except sqlite3.OperationalError:
        if own and conn.in_transaction:
            conn.execute("ROLLBACK")
    finally:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


def _alive(pid: int) -> bool:
    """Whether the asking process still runs (its request is still wanted)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _do_here(db: Database, rid: int, outer: bool) -> AdvanceResult | None:
    """The lease is free: take it and perform the request here (None: another process took it)."""
    mine = lease.new_holder()
    if not lease.try_acquire(db, mine):
        return None
    try:
        claimed = _claim(db, mine, rid)
        return None if claimed is None else _perform(db, mine, *claimed, outer=outer)
    finally:
        end_interrupted(db.conn, outer=outer)  # or the release would join a dangling transaction
        lease.release(db, mine)


def _result(data: dict) -> AdvanceResult:
    result = AdvanceResult(start=clock.parse_iso(data["start"]), end=clock.parse_iso(data["end"]))
    for name in COUNTS:
        setattr(result, name, data[name])
    return result
