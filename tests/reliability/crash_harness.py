"""Kill -9 the engine-holding process again and again during a nightly run, restart it each time,
and check what the database says after every kill and at the end. Shared by
tests/reliability/test_crash_safety.py (a few trials) and tests/soak/soak_crash.py (20 or more)."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import waiting
from reliability_kit import (
    FAIL_EVERY,
    PY,
    ROOT,
    Violations,
    cli_env,
    ro,
    run_cli,
    structural_violations,
    task_chain_violations,
)

SHORT_LEASE = Path(__file__).resolve().parent / "short_lease.py"
REFUSED_LEASE = "the engine is running in another process"


@dataclass
class Trial:
    """One launch-and-kill."""

    kind: str
    pid: int = 0
    refused_launches: int = 0
    waited_for_lease_s: float = 0.0
    alive_s: float = 0.0
    killed: bool = False
    exit_code: int | None = None
    clock_after: str = ""
    during_night: bool = False
    jobs_after: dict[str, int] = field(default_factory=dict)


@dataclass
class CrashReport:
    trials: list[Trial] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)

    @property
    def kills(self) -> int:
        return sum(t.killed for t in self.trials)

    @property
    def kills_during_night(self) -> int:
        """Kills that found the night's jobs created and some still to run."""
        return sum(t.killed and t.during_night for t in self.trials)


def _argv(db: Path, kind: str, ttl: float | None, rng: random.Random) -> list[str]:
    if kind == "engine":
        args = ["engine", "run", "--db", str(db)]
    else:
        args = ["clock", "advance", f"{rng.randint(2, 8)}m", "--db", str(db)]
    if ttl is None:
        return [PY, "-m", "tui.cli", *args]
    return [PY, str(SHORT_LEASE), str(ttl), *args]


def lease_row(db: Path) -> tuple[str | None, float]:
    conn = ro(db)
    try:
        row = conn.execute("SELECT holder, expires_wall FROM engine_lease WHERE id = 1").fetchone()
    finally:
        conn.close()
    return (row[0], row[1]) if row else (None, 0.0)


def set_lease_expiry(db: Path, holder: str, expires: float) -> None:
    """Move a dead holder's lease expiry (the test stands in for the wall clock)."""
    conn = sqlite3.connect(db, timeout=30)
    try:
        with conn:
            conn.execute(
                "UPDATE engine_lease SET expires_wall = ? WHERE id = 1 AND holder = ?",
                (expires, holder),
            )
    finally:
        conn.close()


def _requests(db: Path) -> str:
    """The clock requests waiting for a holder, to say why a process never took the lease."""
    conn = ro(db)
    try:
        rows = conn.execute(
            "SELECT id, kind, amount, state, asker_pid, performer FROM clock_requests"
        ).fetchall()
        serving = conn.execute(
            "SELECT value FROM settings WHERE key = 'clock_requests_holder'"
        ).fetchone()
    except sqlite3.Error as exc:
        return f"requests unreadable: {exc}"
    finally:
        conn.close()
    return f"requests {rows}, serving holder {serving}"


def _kernel_wait(pid: int) -> str:
    """What a stuck process waits on in the kernel (its state, wait channel and system call):
    faulthandler's stack cannot show a wait inside C code."""
    found = []
    for name in ("stat", "wchan", "syscall"):
        try:
            text = Path(f"/proc/{pid}/{name}").read_text().strip()
            if name == "stat":
                text = text.rsplit(")", 1)[-1].split()[0]  # the state letter: R, S, D, ...
        except OSError as exc:
            text = f"unreadable ({exc.strerror})"
        found.append(f"{name} {text}")
    return "; ".join(found)


def holds_lease(db: Path, pid: int) -> bool:
    """Whether `pid` has taken the lease (on a starved machine its expiry may lag: the claim
    counts)."""
    holder, _expires = lease_row(db)
    return holder is not None and f":{pid}:" in holder


def wait_for_expiry(db: Path, timeout: float) -> float:
    """Sleep until the (dead) holder's lease has expired; returns the seconds waited."""
    began = time.monotonic()

    def expired() -> bool:
        holder, expires = lease_row(db)
        return holder is None or expires < time.time()

    waiting.wait_for(
        expired, lambda: f"the dead holder's lease expires: {lease_row(db)}", timeout=timeout
    )
    return time.monotonic() - began


def snapshot(db: Path) -> tuple[str, dict[str, int], Violations]:
    conn = ro(db)
    try:
        ok = conn.execute("PRAGMA integrity_check").fetchone()[0]
        v = structural_violations(conn)
        if ok != "ok":
            v.add(f"integrity_check: {ok}")
        now = conn.execute("SELECT now FROM clock WHERE id = 1").fetchone()[0]
        states = dict(conn.execute("SELECT state, count(*) FROM jobs GROUP BY state"))
    finally:
        conn.close()
    return now, states, v


def run_trials(
    db: Path,
    *,
    kills: int,
    expected_jobs: int,
    ttl: float | None,
    seed: int,
    max_alive_s: float = 1.0,
    log=print,
) -> CrashReport:
    """Until `kills` processes have been killed: launch a lease-holding process (`engine run` or
    `clock advance`), wait until it holds the lease, kill -9 it at a random moment (one that
    finished
    its work first just exits), check the database. A launch made while the dead holder's lease is
    still live must be refused (exit 1, one line); the next one, after expiry, takes over."""
    rng = random.Random(seed)
    report = CrashReport()
    last_now = ""
    lease_ttl = ttl or 10.0
    early_checked = False
    for n in range(kills * 3):
        if report.kills >= kills:
            break
        kind = "engine" if n % 2 == 0 else "advance"
        trial = Trial(kind)
        report.trials.append(trial)
        holder, expires = lease_row(db)
        if holder is not None and expires > time.time() + 0.5 and not early_checked:
            # Once per run: a restart while the dead holder's lease is live is refused politely.
            # The lease is kept live for the check: a loaded machine can take longer than a short
            # TTL to start the process, which would then rightly take the expired lease and run.
            early_checked = True
            set_lease_expiry(db, holder, time.time() + 120)
            try:
                early = subprocess.run(
                    _argv(db, "engine", ttl, rng),
                    capture_output=True,
                    text=True,
                    env=cli_env(),
                    cwd=ROOT,
                    timeout=60,
                )
            finally:
                set_lease_expiry(db, holder, expires)
            trial.refused_launches += 1
            if (
                early.returncode != 1
                or REFUSED_LEASE not in early.stderr
                or early.stderr.count("\n") != 1
            ):
                report.violations.append(
                    f"trial {n}: early restart not refused in one line: "
                    f"{early.returncode} {early.stderr!r}"
                )
        trial.waited_for_lease_s = wait_for_expiry(db, lease_ttl + 30)
        proc = subprocess.Popen(
            _argv(db, kind, ttl, rng),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=cli_env({"PYTHONFAULTHANDLER": "1"}),  # a stuck one shows where it was
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
        )
        trial.pid = proc.pid
        try:  # or it finished first (`clock advance` on a short night)
            waiting.wait_for(
                lambda proc=proc: proc.poll() is not None or holds_lease(db, proc.pid),
                "",
                timeout=60,
                step=0.02,
            )
        except waiting.NeverHappened:
            pass
        took = proc.poll() is None and holds_lease(db, proc.pid)
        if took:
            began = time.monotonic()
            # `engine run` paces itself (speed x wall time): give it longer to get into the night;
            # `clock advance` runs flat out, so its kill lands inside its write batches.
            # Pacing: the kill lands at a random moment of the holder's work, by design.
            time.sleep(
                rng.uniform(0.2, 2 * max_alive_s)
                if kind == "engine"
                else rng.uniform(0.0, 0.6 * max_alive_s)
            )
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
                trial.killed = True
            trial.alive_s = time.monotonic() - began
        elif proc.poll() is None:
            report.violations.append(
                f"trial {n}: {kind} never took the lease within 60 s "
                f"(lease {lease_row(db)}, time {time.time():.1f}; {_requests(db)}); "
                f"in the kernel: {_kernel_wait(proc.pid)}; in Python: below"
            )
            proc.send_signal(signal.SIGABRT)  # faulthandler prints every thread's stack to stderr
        try:
            out, err = proc.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
            report.violations.append(f"trial {n}: {kind} did not end")
        trial.exit_code = proc.returncode
        if not trial.killed:
            if proc.returncode == 1 and REFUSED_LEASE in err:
                trial.refused_launches += 1  # lost a race for the lease: fine, counted
            elif proc.returncode != 0:
                report.violations.append(
                    f"trial {n}: {kind} exited {proc.returncode} before the kill: {err!r}"
                    f" (stdout ends {out[-200:]!r})"
                )
        now, states, v = snapshot(db)
        trial.clock_after, trial.jobs_after = now, states
        report.violations += [f"trial {n} ({kind}): {line}" for line in v.lines]
        total = sum(states.values())
        if total not in (0, expected_jobs):
            report.violations.append(
                f"trial {n}: {total} jobs after the kill (creation must be all or nothing)"
            )
        trial.during_night = total == expected_jobs and any(
            states.get(s, 0) for s in ("NotStarted", "InProgress", "Cancelling")
        )
        if last_now and now < last_now:
            report.violations.append(f"trial {n}: the clock went back from {last_now} to {now}")
        last_now = now
        log(
            f"trial {n + 1:2d} (kill {report.kills}/{kills}) {kind:7s} pid {proc.pid}: alive"
            f" {trial.alive_s:.2f}s, killed={trial.killed}, waited {trial.waited_for_lease_s:.1f}s"
            f" for the lease; clock {now}; jobs {states}"
        )
    return report


def finish(db: Path, ttl: float | None, duration: str = "6h") -> None:
    """After the last kill: let the (real) engine finish the night, once the dead lease expires."""
    wait_for_expiry(db, (ttl or 10.0) + 30)
    ran = run_cli("clock", "advance", duration, "--db", str(db), timeout=600)
    assert ran.code == 0, ran.err


def final_violations(db: Path, *, machines: int) -> Violations:
    """After the night: every job ran exactly once to a final state, versions follow, audit
    agrees."""
    conn = ro(db)
    try:
        v = structural_violations(conn)
        v.lines += task_chain_violations(conn).lines
        jobs = conn.execute(
            "SELECT j.id, j.item_id, j.state, j.initiated_by, j.to_version, j.errors, i.name,"
            " i.agent_version, i.last_job_id, i.active_job_id, i.status FROM jobs j JOIN items i ON"
            " i.id = j.item_id"
        ).fetchall()
        if len(jobs) != machines:
            v.add(f"{len(jobs)} jobs for {machines} machines")
        per_item: dict[int, int] = {}
        for (
            job_id,
            item_id,
            state,
            by,
            to_version,
            errors,
            name,
            version,
            last,
            active,
            status,
        ) in jobs:
            per_item[item_id] = per_item.get(item_id, 0) + 1
            k = int(name.split("-")[1])
            if state not in ("Succeeded", "Failed"):
                v.add(f"{name}: job {job_id} is {state} after the night")
            if by != "Site Recovery":
                v.add(f"{name}: job {job_id} initiated by {by!r}")
            if last != job_id or active is not None:
                v.add(
                    f"{name}: last job {last}, active {active}; expected last {job_id}, none active"
                )
            should_fail = k % FAIL_EVERY == 0
            if should_fail and (state != "Failed" or json.loads(errors)[0]["code"] != "95517"):
                v.add(f"{name}: expected to fail with 95517, got {state} {errors}")
            if not should_fail and state != "Succeeded":
                v.add(f"{name}: expected to succeed, got {state} {errors}")
            if state == "Succeeded" and (version != to_version or status != "up-to-date"):
                v.add(
                    f"{name}: job succeeded to {to_version} but the machine shows {version}"
                    f" ({status})"
                )
            if state == "Failed" and (version == to_version or status != "failed"):
                v.add(f"{name}: job failed but the machine shows {version} ({status})")
        for item_id, n in per_item.items():
            if n != 1:
                v.add(f"item {item_id} has {n} jobs (exactly one expected)")
        runs = conn.execute(
            "SELECT actor, target, detail FROM audit WHERE action = 'auto-update agents'"
        ).fetchall()
        if len(runs) != 1:
            v.add(
                f"{len(runs)} 'auto-update agents' audit rows for one night (one expected): {runs}"
            )
        else:
            actor, target, detail = runs[0]
            detail = json.loads(detail)
            if (actor, target, detail.get("created")) != ("Site Recovery", "vault-east", machines):
                v.add(
                    f"the nightly audit row says {actor} / {target} / created"
                    f" {detail.get('created')}"
                )
        by_sr = conn.execute(
            "SELECT count(*) FROM jobs WHERE initiated_by = 'Site Recovery'"
        ).fetchone()[0]
        if by_sr != machines:
            v.add(f"{by_sr} jobs initiated by Site Recovery, the audit says {machines}")
        stuck = conn.execute(
            "SELECT count(*) FROM jobs WHERE state IN ('NotStarted', 'InProgress', 'Cancelling')"
        ).fetchone()[0]
        if stuck:
            v.add(f"{stuck} jobs still active after the night")
    finally:
        conn.close()
    return v


def outcome(db: Path) -> dict[str, list[tuple]]:
    """What the night produced, for comparing a crashed run with an uninterrupted one."""
    conn = ro(db)
    try:
        return {
            "jobs": (
                conn.execute(
                    "SELECT id, target, state, created_time, start_time, end_time, from_version,"
                    " to_version, errors, retry_of FROM jobs ORDER BY seq"
                ).fetchall()
            ),
            "tasks": (
                conn.execute(
                    "SELECT job_seq, position, state, start_time, end_time, duration_s FROM tasks "
                    "ORDER BY job_seq, position"
                ).fetchall()
            ),
            "items": (
                conn.execute(
                    "SELECT name, agent_version, status, last_job_id, active_job_id,"
                    " last_job_failed FROM items ORDER BY name"
                ).fetchall()
            ),
        }
    finally:
        conn.close()


def first_difference(a: dict[str, list[tuple]], b: dict[str, list[tuple]]) -> str | None:
    for key in a:
        if len(a[key]) != len(b[key]):
            return f"{key}: {len(a[key])} rows vs {len(b[key])}"
        for x, y in zip(a[key], b[key], strict=True):
            if x != y:
                return f"{key}: {x} vs {y}"
    return None


def reference_run(db: Path, until: str) -> None:
    """The same night without a crash: one in-process advance to the same engine time."""
    from store.clock import parse_iso
    from store.db import open_db
    from store.operations import clock_advance_to

    database = open_db(db)
    try:
        clock_advance_to(database, parse_iso(until))
    finally:
        database.close()


def clock_now(db: Path) -> str:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT now FROM clock WHERE id = 1").fetchone()[0]
    finally:
        conn.close()
