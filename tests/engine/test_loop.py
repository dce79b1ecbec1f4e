"""The loop: deterministic however engine time is cut into steps; the clock never goes back; the
lease."""

from __future__ import annotations

from datetime import timedelta

import pytest
from worlds import machine, world

from store import operations
from store.clock import iso, parse_iso, wall_seconds
from store.db import write
from store.engine import lease, sim_actions
from store.engine.headless import run_engine
from store.engine.loop import advance, advance_by, processed_until
from store.errors import BadInput, Refused
from store.job_queries import JobQuery
from store.jobs import count_jobs, list_jobs, state_counts
from store.sim.loader import CHECK_INTERVAL_S

BUSY = world(
    start="2026-12-16T23:40:00-05:00",
    items=[
        machine(f"vm-{n:02d}", fail_next_update="95524" if n % 7 == 0 else None) for n in range(30)
    ],
)


def _snapshot(db) -> list[tuple]:
    jobs = db.conn.execute(
        "SELECT id, state, created_time, start_time, end_time, errors FROM jobs ORDER BY seq"
    ).fetchall()
    tasks = db.conn.execute("SELECT * FROM tasks ORDER BY job_seq, position").fetchall()
    items = db.conn.execute(
        "SELECT name, agent_version, status, blockers, checked_at, next_check_at FROM items ORDER"
        " BY name"
    ).fetchall()
    return [jobs, tasks, items]


def test_the_outcome_does_not_depend_on_how_time_was_cut(make_db) -> None:
    def prepare(db) -> None:
        operations.update(db, ["vm-01", "vm-02"])
        sim_actions.pending_reboot(db, "vm-05")
        sim_actions.set_connected(db, "vm-06", False)
        sim_actions.release(db, "push-installer", "1.48.9700.1")

    one = make_db(BUSY, "one.db")
    prepare(one)
    advance_by(one, timedelta(hours=2))
    many = make_db(BUSY, "many.db")
    prepare(many)
    for step in [7, 13, 30, 1, 59, 600, 17] * 40:
        if processed_until(many.conn) >= processed_until(one.conn):
            break
        advance(
            many,
            min(processed_until(many.conn) + timedelta(seconds=step), processed_until(one.conn)),
        )
    assert processed_until(many.conn) == processed_until(one.conn)
    assert _snapshot(one) == _snapshot(many)
    assert state_counts(one.conn)["Failed"] == 5
    assert db_blockers(one, "vm-05") == ["RebootRequired"] and db_blockers(one, "vm-06") == [
        "AgentNoHeartbeat"
    ]
    assert (
        one.conn.execute("SELECT count(*) FROM jobs WHERE component = 'push-installer'").fetchone()[
            0
        ]
        == 1
    )


def test_a_long_advance_cut_into_many_commits_ends_as_one(make_db) -> None:
    """How an advance is cut into commits (batch_wall_s) changes nothing the engine does: the same
    rows, and the same machines checked the same number of times (every check due counts, once
    per due time); while it runs, no machine's check is more than one check interval late."""

    def prepare(db) -> None:
        operations.update(db, ["vm-01", "vm-02", "vm-03"])
        sim_actions.pending_reboot(db, "vm-05")
        sim_actions.set_connected(db, "vm-06", False)

    one = make_db(BUSY, "one.db")
    prepare(one)
    start = processed_until(one.conn)
    expected = _checks_due(one, start, start + timedelta(hours=3))
    huge = advance_by(one, timedelta(hours=3), batch_wall_s=3600)
    many = make_db(BUSY, "many.db")
    prepare(many)
    commits: list = []
    worst_lag: list[float] = []

    def on_batch(cursor) -> None:
        commits.append(cursor)
        oldest = many.conn.execute("SELECT min(next_check_at) FROM items").fetchone()[0]
        worst_lag.append((cursor - parse_iso(oldest)).total_seconds())

    tiny = advance_by(many, timedelta(hours=3), batch_wall_s=0, on_batch=on_batch)
    assert len(commits) > 20  # one window per commit
    assert _snapshot(one) == _snapshot(many)
    assert (
        huge.checks == tiny.checks == expected == 31 * 6
    )  # 30 machines and 1 appliance, 6 times each
    assert max(worst_lag) < CHECK_INTERVAL_S
    assert db_blockers(many, "vm-05") == ["RebootRequired"] and db_blockers(many, "vm-06") == [
        "AgentNoHeartbeat"
    ]
    now = processed_until(many.conn)
    assert (
        many.conn.execute(
            "SELECT count(*) FROM items WHERE next_check_at <= ?", (iso(now),)
        ).fetchone()[0]
        == 0
    )


def _checks_due(db, start, end) -> int:
    """How many prerequisite checks fall in (start, end]: machines and appliances, every 30 min."""
    due = 0
    for table in ("items", "appliances"):
        for (nxt,) in db.conn.execute(f"SELECT next_check_at FROM {table}"):
            at = parse_iso(nxt)
            while at <= end:
                due += at > start
                at += timedelta(seconds=CHECK_INTERVAL_S)
    return due


def db_blockers(db, name: str) -> list[str]:
    from store.fleet import item_detail

    return [b.reason for b in item_detail(db.conn, name).blockers]


def test_the_clock_never_goes_back(make_db) -> None:
    db = make_db()
    now = processed_until(db.conn)
    with pytest.raises(BadInput):
        advance(db, now - timedelta(seconds=1))
    with pytest.raises(BadInput):
        operations.clock_advance_to(db, now - timedelta(hours=1))
    assert processed_until(db.conn) == now


def test_clock_advance_is_refused_while_another_live_process_holds_the_lease(make_db) -> None:
    db = make_db()
    assert lease.try_acquire(db, "other-process")
    with pytest.raises(Refused, match="another process"):
        operations.clock_advance(db, timedelta(minutes=5))
    with pytest.raises(Refused):
        run_engine(db, engine_for=timedelta(minutes=1))
    operations.clock_speed(db, 120)  # speed and pause are settings the holder reads: allowed
    operations.clock_pause(db, True)
    operations.clock_pause(db, False)


def test_a_crashed_holders_lease_expires_and_another_process_resumes_its_jobs(make_db) -> None:
    db = make_db()
    [job] = operations.update(db, ["web-01"]).created
    assert lease.try_acquire(db, "crashed")
    advance_by(db, timedelta(minutes=2))  # the crashed holder got the job going
    with write(db) as conn:  # ... and then died: its lease runs out
        conn.execute("UPDATE engine_lease SET expires_wall = ?", (wall_seconds() - 1,))
    assert lease.current(db.conn) == (None, 0.0)
    result = operations.clock_advance(db, timedelta(minutes=20))
    assert result.succeeded == 1
    assert (
        db.conn.execute("SELECT state FROM jobs WHERE id = ?", (job.id,)).fetchone()[0]
        == "Succeeded"
    )
    assert lease.current(db.conn)[0] is None  # released after the advance


def test_renew_fails_once_another_process_took_an_expired_lease(make_db) -> None:
    db = make_db()
    assert lease.try_acquire(db, "a", ttl=-1)  # already expired
    assert lease.try_acquire(db, "b")
    assert not lease.renew(db, "a")
    lease.release(db, "a")  # not ours any more: no effect
    assert lease.current(db.conn)[0] == "b"


def test_headless_engine_runs_for_engine_time_at_speed(make_db) -> None:
    db = make_db()
    operations.clock_speed(db, 100_000)
    operations.update(db, ["web-01"])
    start = processed_until(db.conn)
    result = run_engine(db, engine_for=timedelta(hours=1), step_wall_s=0.01)
    assert processed_until(db.conn) == start + timedelta(hours=1)
    assert result.succeeded == 1
    assert lease.current(db.conn)[0] is None


def test_paused_clock_does_not_move_under_the_engine(make_db) -> None:
    db = make_db()
    operations.clock_pause(db, True)
    start = processed_until(db.conn)
    calls = iter(range(3))
    run_engine(db, step_wall_s=0.001, stop=lambda: next(calls, 99) >= 2)
    assert processed_until(db.conn) == start


def test_jobs_list_keyset_pages_and_filters(make_db) -> None:
    db = make_db(world(items=[machine(f"vm-{n:02d}") for n in range(12)]))
    sim_actions.fail_next(db, "vm-03", "95524")
    operations.update_all_eligible(db)
    advance_by(db, timedelta(hours=1))
    first = list_jobs(db.conn, limit=5)
    second = list_jobs(db.conn, limit=5, after_seq=first[-1].seq)
    third = list_jobs(db.conn, limit=5, after_seq=second[-1].seq)
    seqs = [r.seq for r in first + second + third]
    assert seqs == sorted(seqs, reverse=True) and len(set(seqs)) == 12
    item_id = db.conn.execute("SELECT id FROM items WHERE name = 'vm-03'").fetchone()[0]
    [failed] = list_jobs(db.conn, JobQuery(state="Failed"))
    assert failed.item == "vm-03"
    assert count_jobs(db.conn, JobQuery(item_id=item_id)) == 1
    assert count_jobs(db.conn, JobQuery(vault_id=1, state="Succeeded")) == 11
