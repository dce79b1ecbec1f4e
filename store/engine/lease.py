"""The engine lease: one process at a time moves engine time; a crashed holder's lease expires."""

from __future__ import annotations

import os
import socket
import sqlite3
import uuid

from sqlite_utils import Database

from store.clock import wall_seconds
from store.db import write
from store.errors import Refused

LEASE_TTL_S = 10.0
"""Wall seconds a lease lasts unless renewed; the holder renews it at every step."""


def new_holder() -> str:
    """A name for this process's claim: host, pid and a random part (pids are reused)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def current(conn: sqlite3.Connection) -> tuple[str | None, float]:
    """(holder, wall-clock expiry); holder None when nobody holds a live lease."""
    row = conn.execute("SELECT holder, expires_wall FROM engine_lease WHERE id = 1").fetchone()
    if row is None or row[0] is None or row[1] < wall_seconds():
        return None, 0.0
    return row[0], row[1]


def try_acquire(db: Database, holder: str, ttl: float = LEASE_TTL_S) -> bool:
    """Take the lease if it is free, expired, or already ours; False when another live holder has
    it."""
    with write(db) as conn:
        taken, _expires = current(conn)
        if taken is not None and taken != holder:
            return False
        conn.execute(
            "INSERT INTO engine_lease (id, holder, expires_wall) VALUES (1, ?, ?) ON CONFLICT (id)"
            " DO UPDATE SET holder = excluded.holder, expires_wall = excluded.expires_wall",
            (holder, wall_seconds() + ttl),
        )
    return True


def acquire(db: Database, holder: str, ttl: float = LEASE_TTL_S) -> None:
    """try_acquire, refusing with one line that names the holder."""
    if not try_acquire(db, holder, ttl):
        taken, _ = current(db.conn)
        raise Refused(
            f"the engine is running in another process ({taken}); it moves engine time itself. "
            "Use `clock pause` / `clock speed`, or stop it first"
        )


class LeaseLost(Refused):
    """This process no longer holds the engine lease (it stalled past its expiry and another took
    over)."""


def held_by(conn: sqlite3.Connection, holder: str) -> bool:
    """Whether `holder` is still the lease's holder (read inside the caller's transaction)."""
    row = conn.execute("SELECT holder FROM engine_lease WHERE id = 1").fetchone()
    return row is not None and row[0] == holder


def renew(db: Database, holder: str, ttl: float = LEASE_TTL_S) -> bool:
    """Extend our lease; False when we lost it (it expired and another process took it)."""
    with write(db) as conn:
        cur = conn.execute(
            "UPDATE engine_lease SET expires_wall = ? WHERE id = 1 AND holder = ?",
            (wall_seconds() + ttl, holder),
        )
    return cur.rowcount == 1


def release(db: Database, holder: str) -> None:
    """Give the lease up (only if it is still ours): the row goes, as if never taken, so a command
    that failed after taking it leaves nothing behind."""
    with write(db) as conn:
        conn.execute("DELETE FROM engine_lease WHERE id = 1 AND holder = ?", (holder,))
