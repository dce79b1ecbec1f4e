"""Crash safety of staged rollouts: kill -9 the engine-holding process again and again while a
rollout's waves run, restart it each time: no wave's job is lost or created twice, the rollout goes
on to the same end as an uninterrupted run."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import time
from pathlib import Path

import crash_harness as harness
import waiting
from reliability_kit import ROOT, Violations, cli_env, load_world, nightly_world, ro, run_cli

KILLS = 4
MACHINES = 300
SHORT_TTL = 1.5
WAVES = ("--canary", "2%", "--waves", "30%,100%", "--bake", "5m", "--max-failures", "5%")


def rollout_violations(db: Path) -> Violations:
    """What must hold after any kill: a wave has no job or one per machine it did not skip, no
    machine has two jobs from the rollout, and the waves started are the rollout's cursor."""
    v = Violations()
    conn = ro(db)
    try:
        ((rid, next_wave),) = conn.execute("SELECT id, next_wave FROM rollouts").fetchall()
        for wave, first, end, started in conn.execute(
            "SELECT wave, first_position, end_position, started FROM rollout_waves WHERE"
            " rollout_id = ?",
            (rid,),
        ):
            made = conn.execute(
                "SELECT count(*) FROM jobs WHERE rollout_id = ? AND rollout_wave = ?", (rid, wave)
            ).fetchone()[0]
            skipped = conn.execute(
                "SELECT count(*) FROM rollout_machines WHERE rollout_id = ? AND position >= ? "
                "AND position < ? AND skipped IS NOT NULL",
                (rid, first, end),
            ).fetchone()[0]
            expected = (end - first - skipped) if started else 0
            if made != expected:
                v.add(f"wave {wave} (started {started}) has {made} jobs, {expected} expected")
            if (started is not None) != (wave < next_wave):
                v.add(f"wave {wave} started={started} but the rollout's next wave is {next_wave}")
        for item, n in conn.execute(
            "SELECT item_id, count(*) FROM jobs WHERE rollout_id = ? GROUP BY item_id "
            "HAVING count(*) > 1",
            (rid,),
        ):
            v.add(f"item {item} has {n} jobs from the rollout")
    finally:
        conn.close()
    return v


def mid_wave(db: Path) -> bool:
    conn = ro(db)
    try:
        return (
            conn.execute(
                "SELECT EXISTS (SELECT 1 FROM jobs WHERE rollout_id IS NOT NULL AND state IN "
                "('NotStarted', 'InProgress'))"
            ).fetchone()[0]
            == 1
        )
    finally:
        conn.close()


def kill_and_restart(db: Path, kills: int, seed: int) -> tuple[list[str], int]:
    """Launch `engine run` (or `clock advance`), kill -9 it once it holds the lease, check,
    again."""
    rng = random.Random(seed)
    problems: list[str] = []
    killed = during_wave = 0
    last_now = ""
    for n in range(kills * 3):
        if killed >= kills:
            break
        kind = "engine" if n % 2 == 0 else "advance"
        harness.wait_for_expiry(db, SHORT_TTL + 30)
        proc = subprocess.Popen(
            harness._argv(db, kind, SHORT_TTL, rng),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=cli_env(),
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
        )
        try:  # or it finished first
            waiting.wait_for(
                lambda proc=proc: proc.poll() is not None or harness.holds_lease(db, proc.pid),
                "",
                timeout=60,
            )
        except waiting.NeverHappened:
            problems.append(
                f"trial {n}: {kind} never took the lease within 60 s "
                f"(lease {harness.lease_row(db)}, time {time.time():.1f})"
            )
        if proc.poll() is None:
            time.sleep(rng.uniform(0.2, 1.5))  # a random moment: this is what the trial is about
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
                killed += 1
        _out, err = proc.communicate(timeout=120)
        if proc.returncode not in (0, -signal.SIGKILL) and harness.REFUSED_LEASE not in err:
            problems.append(f"trial {n}: {kind} exited {proc.returncode}: {err!r}")
        now, _states, v = harness.snapshot(db)
        problems += [f"trial {n}: {line}" for line in v.lines + rollout_violations(db).lines]
        during_wave += mid_wave(db)
        if last_now and now < last_now:
            problems.append(f"trial {n}: the clock went back from {last_now} to {now}")
        last_now = now
    return problems, during_wave


def test_kill_9_mid_wave_and_restart_loses_and_doubles_nothing(tmp_path: Path) -> None:
    world = nightly_world(machines=MACHINES, appliances=3, cap=20, speed=300.0)
    world["vaults"][0]["agent_auto_update"] = False
    db = load_world(tmp_path / "rollout.db", world)
    made = run_cli("rollout", "create", "staged", "--all-eligible", *WAVES, "--db", str(db))
    assert made.code == 0, made.err
    reference = tmp_path / "reference.db"
    shutil.copy(db, reference)

    problems, during_wave = kill_and_restart(db, KILLS, seed=20261218)
    assert not problems, "\n".join(problems)
    assert during_wave >= KILLS - 1, "most kills must land while a wave's jobs run"

    harness.finish(db, SHORT_TTL, duration="8h")
    view = run_cli("rollout", "show", "staged", "--json", "--db", str(db)).json
    assert view["state"] == "Completed", view["state"]
    assert not rollout_violations(db)
    conn = ro(db)
    try:
        per_item = conn.execute(
            "SELECT count(DISTINCT item_id), count(*) FROM jobs WHERE rollout_id IS NOT NULL "
            "AND state IN ('Succeeded', 'Failed')"
        ).fetchone()
    finally:
        conn.close()
    assert per_item == (MACHINES, MACHINES)  # every machine, once, to a final state

    harness.reference_run(reference, harness.clock_now(db))
    assert harness.first_difference(harness.outcome(db), harness.outcome(reference)) is None
    assert run_cli("rollout", "show", "staged", "--json", "--db", str(reference)).json == view
