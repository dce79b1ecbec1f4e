"""Crash safety: kill -9 the process holding the engine lease during a nightly run of 2,000 jobs,
restart it, again and again; nothing is lost, nothing runs twice, the audit log agrees.

CI kills CI_KILLS processes with a 1.5 s lease (tests/reliability/short_lease.py; the real TTL is
10 s, which would make each restart wait 10 s). The lease's real expiry rule is proved in-process
below with a fake wall clock. 20 kills with the real, unmodified command line and the real
TTL: `.venv/bin/python tests/soak/soak_crash.py` (about 5 minutes)."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import crash_harness as harness
import pytest
from reliability_kit import load_world, nightly_world

from store.db import open_db
from store.engine import lease
from store.errors import Refused

CI_KILLS = 5
MACHINES = 2000
SHORT_TTL = 1.5


def test_a_dead_holders_lease_expires_after_the_real_ttl(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real rule, without waiting: a holder that stops renewing keeps the lease for exactly
    LEASE_TTL_S wall seconds; until then others are refused, after it the next one takes over."""
    db = load_world(tmp_path / "lease.db", nightly_world(machines=4, appliances=1))
    database = open_db(db)
    wall = [1_000_000.0]
    monkeypatch.setattr(lease, "wall_seconds", lambda: wall[0])
    try:
        assert lease.try_acquire(database, "host:111:dead")
        wall[0] += lease.LEASE_TTL_S - 0.5
        assert not lease.try_acquire(database, "host:222:next")
        with pytest.raises(Refused, match="another process"):
            lease.acquire(database, "host:222:next")
        assert not lease.renew(database, "host:222:next")
        wall[0] += 1.0
        assert lease.try_acquire(database, "host:222:next")
        assert not lease.renew(database, "host:111:dead"), (
            "a holder that lost its lease must find out"
        )
        assert lease.current(database.conn)[0] == "host:222:next"
    finally:
        database.close()


def test_kill_9_during_a_nightly_run_of_2000_jobs(tmp_path: Path) -> None:
    db = load_world(tmp_path / "crash.db", nightly_world(machines=MACHINES))
    reference = tmp_path / "reference.db"
    shutil.copy(db, reference)

    report = harness.run_trials(
        db,
        kills=CI_KILLS,
        expected_jobs=MACHINES,
        ttl=SHORT_TTL,
        seed=20261217,
        max_alive_s=1.0,
        log=lambda line: None,
    )
    assert not report.violations, "\n".join(report.violations)
    assert report.kills == CI_KILLS, [vars(t) for t in report.trials]
    assert report.kills_during_night >= CI_KILLS - 2, [vars(t) for t in report.trials]
    assert any(t.refused_launches for t in report.trials), (
        "no restart met the dead holder's live lease"
    )

    harness.finish(db, SHORT_TTL)
    found = harness.final_violations(db, machines=MACHINES)
    assert not found, str(found)

    harness.reference_run(reference, harness.clock_now(db))
    assert not harness.final_violations(reference, machines=MACHINES)
    assert harness.first_difference(harness.outcome(db), harness.outcome(reference)) is None


def test_a_stalled_holder_that_lost_its_lease_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`engine run` is suspended for longer than the lease TTL (Ctrl-Z, a frozen VM, a GIL-starved
    thread); another process takes the lease over and moves engine time. When the first one
    resumes it must stop without writing: one engine at a time, the clock never jumps or goes back.
    """
    import concurrency_harness

    from store.engine import headless
    from store.engine.loop import advance, processed_until

    db = load_world(tmp_path / "stall.db", concurrency_harness.busy_world())
    wall = [1_000_000.0]
    monkeypatch.setattr(lease, "wall_seconds", lambda: wall[0])
    monkeypatch.setattr(headless, "wall_seconds", lambda: wall[0])
    first, other = open_db(db), open_db(db)
    seen: dict[str, object] = {}
    sleeps = [0]

    def fake_sleep(seconds: float) -> None:
        wall[0] += seconds
        sleeps[0] += 1
        if sleeps[0] == 3:  # suspended past its lease; meanwhile the other process takes over
            wall[0] += lease.LEASE_TTL_S + 1
            assert lease.try_acquire(other, "host:2:other")
            advance(other, processed_until(other.conn) + timedelta(minutes=1))
            seen["other_at"] = processed_until(other.conn)

    monkeypatch.setattr(headless.time, "sleep", fake_sleep)
    try:
        with pytest.raises(Refused, match="lost"):
            headless.run_engine(first, holder="host:1:first", stop=lambda: sleeps[0] > 10)
        assert processed_until(other.conn) == seen["other_at"], (
            f"the engine that lost its lease moved engine time from {seen['other_at']} to "
            f"{processed_until(other.conn)} while another process held the lease"
        )
    finally:
        first.close()
        other.close()
