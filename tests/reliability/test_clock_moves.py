"""`clock advance` and `clock set` as an operator and a careless script use them: two advances at
once add up (or the second is refused), `clock set` is capped like `clock advance`, ^C keeps the
advance done so far and says where time got to, SIGTERM gives the engine lease back at once."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from crash_harness import clock_now, lease_row
from reliability_kit import (
    PY,
    ROOT,
    checkpoint,
    cli_env,
    content_digest,
    load_world,
    run_cli,
    worlds,
)
from waiting import wait_for

from store.clock import iso, parse_iso
from store.db import open_db
from store.operations import clock_advance


def _start(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [PY, "-m", "tui.cli", *args],
        cwd=ROOT,
        env=cli_env(),
        text=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _waiting_for_the_lock(process: subprocess.Popen) -> bool:
    """The process sleeps in SQLite's busy handler (clock_nanosleep), i.e. waits for our write
    lock."""
    if process.poll() is not None:
        raise AssertionError(f"exited early ({process.returncode}): {process.communicate()}")
    wchan = Path(f"/proc/{process.pid}/wchan").read_text()
    return "nanosleep" in wchan


def test_an_advance_that_waited_for_another_moves_time_itself(tmp_path: Path) -> None:
    """Another advance commits while this one waits for the lock: this one must still move 6 h
    from where that one left the clock (it reported success having moved nothing)."""
    db = load_world(tmp_path / "fleet.db", worlds.world(items=[worlds.machine("web-01")]))
    start = parse_iso(clock_now(db))
    other = open_db(db, create=False)  # the other advance's own connection
    try:
        other.conn.execute("BEGIN IMMEDIATE")  # the other advance, holding the write lock
        waiting = _start("clock", "advance", "6h", "--db", str(db))
        wait_for(
            lambda: _waiting_for_the_lock(waiting), "the second advance waits for the write lock"
        )
        clock_advance(other, timedelta(hours=6))  # runs inside the held transaction
        other.conn.execute("COMMIT")
    finally:
        other.close()
    out, err = waiting.communicate(timeout=120)
    assert waiting.returncode == 0, err
    moved = clock_now(db)
    assert moved == iso(start + timedelta(hours=12)), (
        f"two 6 h advances moved the clock to {moved}: {out}"
    )


def test_two_advances_at_once_add_up_or_one_is_refused(tmp_path: Path) -> None:
    db = load_world(
        tmp_path / "fleet.db",
        worlds.world(items=[worlds.machine("web-01"), worlds.machine("web-02")]),
    )
    start = parse_iso(clock_now(db))
    for _round in range(3):
        pair = [_start("clock", "advance", "6h", "--db", str(db)) for _ in range(2)]
        codes = [p.wait(timeout=120) for p in pair]
        errs = [p.stderr.read() for p in pair]
        for p in pair:
            p.stdout.close()
            p.stderr.close()
        assert sorted(codes) in ([0, 0], [0, 1]), (codes, errs)
        start += timedelta(hours=6) * codes.count(0)
        assert clock_now(db) == iso(start), (
            f"exits {codes} but the clock is at {clock_now(db)}: {errs}"
        )


def test_clock_set_is_capped_like_clock_advance(tmp_path: Path) -> None:
    db = load_world(tmp_path / "fleet.db", worlds.world(items=[worlds.machine("web-01")]))
    checkpoint(db)
    before = content_digest(db)
    now = parse_iso(clock_now(db))
    for target in (now + timedelta(days=401), parse_iso("9997-06-01T00:00:00Z")):
        ran = run_cli("clock", "set", iso(target), "--db", str(db))
        assert (ran.code, ran.one_line_error()) == (2, True), ran.err
        assert "at most 400d" in ran.err, ran.err
    assert content_digest(db) == before
    assert run_cli("clock", "set", iso(now + timedelta(days=2)), "--db", str(db)).code == 0


@pytest.fixture
def big_fleet(tmp_path: Path) -> Path:
    """Enough machines that `clock advance 400d` takes many one-second batches."""
    db = tmp_path / "big.db"
    ran = run_cli("demo", "load", "--items", "3000", "--db", str(db))
    assert ran.code == 0, ran.err
    return db


@pytest.mark.parametrize(
    "sig,code,word", [(signal.SIGINT, 130, "interrupted"), (signal.SIGTERM, 143, "terminated")]
)
def test_a_signal_during_an_advance_keeps_what_is_done_and_gives_the_lease_back(
    big_fleet: Path, sig: int, code: int, word: str
) -> None:
    start = clock_now(big_fleet)
    advancing = _start("clock", "advance", "400d", "--db", str(big_fleet))
    wait_for(
        lambda: clock_now(big_fleet) > start, "the advance committed its first batch", timeout=60
    )
    advancing.send_signal(sig)
    out, err = advancing.communicate(timeout=60)
    reached = clock_now(big_fleet)
    assert advancing.returncode == code, (advancing.returncode, err)
    assert err == f"asr-console: {word} at {reached}; the advance up to there is kept\n", err
    assert reached > start and out == ""
    assert lease_row(big_fleet)[0] is None, (
        "the engine lease is still held after the advance stopped"
    )
    conn = sqlite3.connect(f"file:{big_fleet}?mode=ro", uri=True)
    audit = conn.execute(
        "SELECT detail FROM audit WHERE action = 'clock advance' ORDER BY id DESC"
    ).fetchone()
    conn.close()
    assert audit is not None and reached in audit[0] and "interrupted" in audit[0], audit
    ran = run_cli(
        "clock", "advance", "1m", "--db", str(big_fleet)
    )  # not refused: nobody holds the lease
    assert ran.code == 0, ran.err
