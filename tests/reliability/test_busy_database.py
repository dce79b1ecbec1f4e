"""A write behind another process's held write lock gives up at the documented busy timeout
(store.db.BUSY_TIMEOUT_MS), in one line naming the process that holds the lock, and writes nothing.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from reliability_kit import checkpoint, content_digest, load_world, run_cli, worlds

GENEROUS_S = 90
"""Far above the 10 s busy timeout, far below the 212 s a write used to wait."""


@pytest.mark.parametrize("begin", ["BEGIN EXCLUSIVE", "BEGIN IMMEDIATE"])
@pytest.mark.parametrize(
    "args",
    [("update", "web-01"), ("clock", "advance", "1h"), ("clock", "pause")],
    ids=["update", "clock-advance", "clock-pause"],
)
def test_a_write_behind_a_held_lock_gives_up_and_names_the_holder(
    begin: str, args: tuple[str, ...], tmp_path: Path
) -> None:
    db = load_world(tmp_path / "fleet.db", worlds.world(items=[worlds.machine("web-01")]))
    checkpoint(db)
    before = content_digest(db)
    holder = sqlite3.connect(db, isolation_level=None)
    try:
        holder.execute(begin)
        ran = run_cli(*args, "--db", str(db), timeout=GENEROUS_S)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert (ran.code, ran.one_line_error()) == (1, True), ran.err
    assert "the database is busy" in ran.err and f"pid {os.getpid()}:" in ran.err, ran.err
    assert content_digest(db) == before
