"""A ^C or SIGTERM that lands as a write transaction ends: after the clean-up, nothing of the
interrupted process's is left open or held. Found as an engine lease still held after `clock
advance` was interrupted (tests/reliability/test_clock_moves.py, once in a full run): the signal
landed as `write()`'s exit began, after its body and before its COMMIT; the transaction stayed
open, and the lease's release and the audit row joined it and were lost when the process ended.

The interrupt is raised by the test at those exact moments (a signal's timing cannot be aimed):
everything else is the real store on a real database file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from reliability_kit import load_world, nightly_world, ro

from store.db import end_interrupted, open_db, write
from store.engine import headless


def lease_and_stop(path: Path) -> tuple[object, int]:
    conn = ro(path)
    try:
        row = conn.execute("SELECT holder FROM engine_lease WHERE id = 1").fetchone()
        stops = conn.execute("SELECT count(*) FROM audit WHERE action = 'engine run'").fetchone()[0]
    finally:
        conn.close()
    return (row[0] if row else None), stops


def test_engine_run_interrupted_as_a_write_ends_gives_the_lease_back(tmp_path: Path) -> None:
    path = load_world(tmp_path / "fleet.db", nightly_world(machines=20))
    db = open_db(path)
    _holder, stops_before = lease_and_stop(path)
    left_open = []

    def interrupted_as_a_write_ends() -> bool:
        open_write = write(db)
        left_open.append(open_write)
        conn = open_write.__enter__()
        conn.execute("UPDATE engine_lease SET expires_wall = expires_wall WHERE id = 1")
        raise KeyboardInterrupt  # lands before the write's exit: its COMMIT never runs

    try:
        with pytest.raises(KeyboardInterrupt):
            headless.run_engine(db, step_wall_s=0.01, stop=interrupted_as_a_write_ends)
    finally:
        for open_write in left_open:
            open_write.gen.close()  # what the garbage collector would do, before the close
        db.close()
    holder, stops = lease_and_stop(path)
    assert holder is None, f"the engine lease is still held by {holder} after ^C"
    assert stops == stops_before + 1, "the engine run was not audited"


def test_end_interrupted_rolls_back_what_the_interrupt_left_but_not_the_callers(
    tmp_path: Path,
) -> None:
    db = open_db(tmp_path / "asr.db")
    try:
        open_write = write(db)
        open_write.__enter__().execute("INSERT INTO settings (key, value) VALUES ('lost', 'x')")
        end_interrupted(db.conn, outer=False)  # ^C landed: its exit never ran
        assert not db.conn.in_transaction
        open_write.gen.close()
        with write(db) as conn:
            conn.execute("INSERT INTO settings (key, value) VALUES ('kept', 'y')")

        db.conn.execute("BEGIN IMMEDIATE")  # a caller's own transaction is the caller's to end
        db.conn.execute("INSERT INTO settings (key, value) VALUES ('callers', 'z')")
        end_interrupted(db.conn, outer=True)
        assert db.conn.in_transaction
        db.conn.execute("COMMIT")
    finally:
        db.close()
    other = sqlite3.connect(tmp_path / "asr.db")
    try:
        keys = sorted(k for (k,) in other.execute("SELECT key FROM settings WHERE value != ''"))
    finally:
        other.close()
    assert "lost" not in keys and {"kept", "callers"} <= set(keys), keys


class InterruptedAfterBegin:
    """The real connection; the pending ^C is raised as BEGIN returns."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def execute(self, sql: str, *args):
        cursor = self._conn.execute(sql, *args)
        if sql.startswith("BEGIN"):
            raise KeyboardInterrupt
        return cursor

    def __getattr__(self, name: str):
        return getattr(self._conn, name)


def test_a_write_interrupted_as_it_begins_leaves_no_transaction_open(tmp_path: Path) -> None:
    db = open_db(tmp_path / "asr.db")
    real = db.conn
    try:
        db.conn = InterruptedAfterBegin(real)
        with pytest.raises(KeyboardInterrupt), write(db) as conn:
            conn.execute("INSERT INTO settings (key, value) VALUES ('lost', 'x')")
        assert not real.in_transaction, "the interrupted write left its transaction open"
    finally:
        db.conn = real
        db.close()
