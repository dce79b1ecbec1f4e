"""`clock advance` / `clock set` from another terminal while an engine holder is open (`engine run`,
a console, `arm serve`): the holder performs it, one process moves engine time, the asker prints
the outcome; a holder that goes away leaves the move to the asker; one that never answers (older
code) leaves it refused as before; ^C withdraws it."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from crash_harness import clock_now
from reliability_kit import PY, ROOT, cli_env, load_world, ro, run_cli, worlds
from waiting import wait_for

from store.clock import iso, parse_iso
from store.db import open_db
from store.engine import handoff, lease


def _holder(db: Path) -> str | None:
    """The live lease holder, or None."""
    conn = ro(db)
    try:
        return lease.current(conn)[0]
    finally:
        conn.close()


def _requests(db: Path) -> int:
    conn = ro(db)
    try:
        return conn.execute("SELECT count(*) FROM clock_requests").fetchone()[0]
    finally:
        conn.close()


class EngineRun:
    """`engine run` in its own process, the clock paused: it holds the lease and moves nothing
    itself."""

    def __init__(self, db: Path) -> None:
        assert run_cli("clock", "pause", "--db", str(db)).code == 0
        self.proc = subprocess.Popen(
            [PY, "-m", "tui.cli", "engine", "run", "--db", str(db)],
            cwd=ROOT,
            env=cli_env(),
            text=True,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        wait_for(
            lambda: _holder(db) is not None or self.proc.poll() is not None,
            "engine run holds the lease",
        )
        assert self.proc.poll() is None, self.proc.communicate()

    def stop(self) -> str:
        self.proc.send_signal(signal.SIGINT)
        out, err = self.proc.communicate(timeout=60)
        assert self.proc.returncode == 0, err
        return out


@pytest.fixture
def fleet(tmp_path: Path) -> Path:
    return load_world(
        tmp_path / "fleet.db",
        worlds.world(items=[worlds.machine("web-01"), worlds.machine("web-02")]),
    )


def test_the_holder_performs_an_advance_asked_from_another_terminal(fleet: Path) -> None:
    start = parse_iso(clock_now(fleet))
    engine = EngineRun(fleet)
    try:
        assert run_cli("update", "web-01", "--db", str(fleet)).code == 0
        ran = run_cli("clock", "advance", "20m", "--json", "--db", str(fleet))
        assert ran.code == 0, ran.err
        assert (ran.json["now"], ran.json["from"]) == (
            iso(start + timedelta(minutes=20)),
            iso(start),
        )
        assert ran.json["processed"]["succeeded"] == 1  # the job ran in the holder's process
        second = run_cli("clock", "set", iso(start + timedelta(hours=1)), "--db", str(fleet))
        assert second.code == 0 and clock_now(fleet) == iso(start + timedelta(hours=1)), second.err
        back = run_cli("clock", "set", iso(start), "--db", str(fleet))
        assert back.code == 2 and "never goes back" in back.err
        assert clock_now(fleet) == iso(start + timedelta(hours=1)) and _holder(fleet) is not None
    finally:
        summary = engine.stop()
    assert "Engine ran" in summary
    assert _requests(fleet) == 0  # each asker removed its request


def test_two_askers_at_once_add_up(fleet: Path) -> None:
    start = parse_iso(clock_now(fleet))
    engine = EngineRun(fleet)
    try:
        askers = [
            subprocess.Popen(
                [PY, "-m", "tui.cli", "clock", "advance", "3h", "--db", str(fleet)],
                cwd=ROOT,
                env=cli_env(),
                text=True,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            for _ in range(2)
        ]
        for asker in askers:
            _out, err = asker.communicate(timeout=120)
            assert asker.returncode == 0, err
        assert clock_now(fleet) == iso(start + timedelta(hours=6))
    finally:
        engine.stop()


def test_a_holder_that_goes_away_leaves_the_move_to_the_asker(fleet: Path) -> None:
    start = parse_iso(clock_now(fleet))
    gone = open_db(fleet)
    lease.acquire(gone, "crashed:1:abc", ttl=1.0)
    assert handoff.serve(gone, "crashed:1:abc") == 0  # a holder that takes requests ... then died
    gone.close()
    ran = run_cli("clock", "advance", "1h", "--db", str(fleet))
    assert ran.code == 0, ran.err
    assert clock_now(fleet) == iso(start + timedelta(hours=1)) and _holder(fleet) is None


def test_a_holder_that_takes_no_requests_leaves_the_move_refused(fleet: Path) -> None:
    start = clock_now(fleet)
    other = open_db(fleet)
    lease.acquire(other, "older:1:abc")  # holds the lease, never serves (older code)
    try:
        ran = run_cli("clock", "advance", "1h", "--db", str(fleet))
        assert (
            ran.code == 1 and "older:1:abc" in ran.err and "does not take clock requests" in ran.err
        )
        assert clock_now(fleet) == start and _requests(fleet) == 0
    finally:
        lease.release(other, "older:1:abc")
        other.close()


def test_interrupting_the_asker_withdraws_the_move_and_keeps_what_was_done(tmp_path: Path) -> None:
    db = load_world(
        tmp_path / "fleet.db",
        worlds.world(items=[worlds.machine(f"vm-{n:04d}") for n in range(3000)]),
    )
    start = clock_now(db)
    engine = EngineRun(db)
    try:
        asker = subprocess.Popen(
            [PY, "-m", "tui.cli", "clock", "advance", "400d", "--db", str(db)],
            cwd=ROOT,
            env=cli_env(),
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        wait_for(lambda: clock_now(db) != start, "the holder started moving engine time")
        asker.send_signal(signal.SIGINT)
        _out, err = asker.communicate(timeout=60)
        assert asker.returncode == 130 and "the advance up to there is kept" in err, err
        wait_for(lambda: _requests(db) == 0, "the holder stopped the withdrawn move and dropped it")
        kept = clock_now(db)
        assert start < kept < iso(parse_iso(start) + timedelta(days=400))
    finally:
        engine.stop()
    conn = sqlite3.connect(db)
    [(summary,)] = conn.execute(
        "SELECT json_extract(detail, '$.summary') FROM audit WHERE action = 'clock advance'"
    )
    conn.close()
    assert summary == "interrupted"
