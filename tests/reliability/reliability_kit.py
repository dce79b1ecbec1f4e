"""Shared helpers for the reliability tests and the soaks: the CLI in a real process or in this
one, database fingerprints, invariant checks, and the small worlds the tests build.

Imported by tests/reliability/test_*.py (pytest puts this folder on sys.path) and by the soak
scripts in tests/soak/ (which put it there themselves)."""

from __future__ import annotations

import hashlib
import importlib.util
import io
import json
import os
import sqlite3
import subprocess
import sys
import time
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable

_spec = importlib.util.spec_from_file_location(
    "reliability_engine_worlds", ROOT / "tests" / "engine" / "worlds.py"
)
worlds = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(worlds)

ACTIVE_STATES = ("NotStarted", "InProgress", "Cancelling")
FINAL_STATES = ("Succeeded", "Failed", "Cancelled")
LOCKED_WORDS = ("database is locked", "database table is locked", "SQLITE_BUSY", "database is busy")


# -- running the command line -------------------------------------------------------------------


@dataclass
class Ran:
    """One command's outcome (`exc`: an exception that escaped main(), i.e. a traceback)."""

    args: tuple[str, ...]
    code: int
    out: str
    err: str
    exc: BaseException | None = None
    wall: float = 0.0

    @property
    def json(self) -> Any:
        return json.loads(self.out)

    def one_line_error(self) -> bool:
        """The error contract: exactly one line on stderr, prefixed, no traceback."""
        return (
            self.exc is None
            and self.err.count("\n") == 1
            and self.err.startswith("asr-console: ")
            and "Traceback" not in self.err
            and "Traceback" not in self.out
        )


def cli_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1", **(extra or {})}
    env.pop("PYTEST_CURRENT_TEST", None)
    return env


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> Ran:
    """`asr-console ARGS` as a real process (python -m tui.cli)."""
    began = time.monotonic()
    proc = subprocess.run(
        [PY, "-m", "tui.cli", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=cli_env(env),
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    return Ran(
        tuple(args), proc.returncode, proc.stdout, proc.stderr, wall=time.monotonic() - began
    )


class TerminalIO(io.StringIO):
    """Captured output that says it is a terminal: click strips ANSI sequences from output that is
    not one, which would hide exactly what an operator's terminal would receive."""

    def isatty(self) -> bool:
        return True


def call_cli(*args: str) -> Ran:
    """`asr-console ARGS` in this process (cheap: for the many error-contract cases), its output
    captured as a terminal would receive it."""
    from tui.cli import main

    out, err = TerminalIO(), TerminalIO()
    code, escaped = 0, None
    began = time.monotonic()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            main(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except BaseException as exc:  # noqa: BLE001 - this IS the finding: a traceback would reach the user
            escaped, code = exc, -1
    return Ran(tuple(args), code, out.getvalue(), err.getvalue(), escaped, time.monotonic() - began)


# -- fingerprints of a database
# ---------------------------------------------------------------------


def file_digest(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def content_digest(path: Path) -> str:
    """A hash of the whole logical content (schema + every row), through a read-only connection."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        h = hashlib.sha256()
        for line in conn.iterdump():
            h.update(line.encode())
            h.update(b"\n")
        return h.hexdigest()
    finally:
        conn.close()


def row_counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [
            t
            for (t,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        conn.close()


def checkpoint(path: Path) -> None:
    """Fold the WAL into the main file, so the file's bytes are the whole database."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def ro(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    conn.execute("PRAGMA busy_timeout = 30000")
    return conn


# -- invariants
# ---------------------------------------------------------------------------------------


@dataclass
class Violations:
    """Every broken invariant found, as one line each (empty: all hold)."""

    lines: list[str] = field(default_factory=list)

    def add(self, text: str) -> None:
        self.lines.append(text)

    def __bool__(self) -> bool:
        return bool(self.lines)

    def __str__(self) -> str:
        return "\n".join(self.lines[:40]) + (
            f"\n... {len(self.lines) - 40} more" if len(self.lines) > 40 else ""
        )


def structural_violations(conn: sqlite3.Connection) -> Violations:
    """What must hold at ANY committed moment, whatever happened before (crash, race, command)."""
    v = Violations()
    for item_id, n in conn.execute(
        "SELECT item_id, count(*) FROM jobs WHERE component IS NULL AND state IN ('NotStarted',"
        " 'InProgress', 'Cancelling') GROUP BY item_id HAVING count(*) > 1"
    ):
        v.add(f"item {item_id} has {n} active jobs")
    for appliance_id, comp, n in conn.execute(
        "SELECT appliance_id, component, count(*) FROM jobs WHERE component IS NOT NULL AND state"
        " IN ('NotStarted', 'InProgress', 'Cancelling') GROUP BY appliance_id, component HAVING"
        " count(*) > 1"
    ):
        v.add(f"appliance {appliance_id} {comp} has {n} active jobs")
    for name, active, state in conn.execute(
        "SELECT i.name, i.active_job_id, j.state FROM items i LEFT JOIN jobs j ON j.id ="
        " i.active_job_id WHERE i.active_job_id IS NOT NULL AND (j.id IS NULL OR j.state NOT IN"
        " ('NotStarted', 'InProgress', 'Cancelling'))"
    ):
        v.add(f"item {name} points at active job {active} which is {state}")
    for name, job_id, state in conn.execute(
        "SELECT i.name, j.id, j.state FROM jobs j JOIN items i ON i.id = j.item_id WHERE"
        " j.component IS NULL AND j.state IN ('NotStarted', 'InProgress', 'Cancelling') AND"
        " coalesce(i.active_job_id, '') != j.id"
    ):
        v.add(f"job {job_id} ({state}) of {name} is not the item's active job")
    for job_id, n in conn.execute(
        "SELECT j.id, (SELECT count(*) FROM tasks t WHERE t.job_seq = j.seq AND t.state ="
        " 'InProgress') AS n FROM jobs j WHERE j.state IN ('InProgress', 'Cancelling') AND n != 1"
    ):
        v.add(f"running job {job_id} has {n} running tasks")
    for job_id, state in conn.execute(
        "SELECT id, state FROM jobs WHERE state IN ('Succeeded', 'Failed', 'Cancelled') AND"
        " end_time IS NULL"
    ):
        v.add(f"finished job {job_id} ({state}) has no end time")
    for job_id, n in conn.execute(
        "SELECT j.id, count(*) FROM jobs j JOIN tasks t ON t.job_seq = j.seq WHERE j.state IN"
        " ('Succeeded', 'Failed', 'Cancelled') AND t.state IN ('NotStarted', 'InProgress') GROUP BY"
        " j.id"
    ):
        v.add(f"finished job {job_id} still has {n} unfinished tasks")
    for job_id, n in conn.execute(
        "SELECT j.id, count(*) FROM jobs j JOIN tasks t ON t.job_seq = j.seq WHERE j.state ="
        " 'Succeeded' AND t.state != 'Succeeded' GROUP BY j.id"
    ):
        v.add(f"succeeded job {job_id} has {n} tasks that did not succeed")
    for job_id, start, end in conn.execute(
        "SELECT id, start_time, end_time FROM jobs WHERE end_time IS NOT NULL AND start_time IS NOT"
        " NULL AND end_time < start_time"
    ):
        v.add(f"job {job_id} ends ({end}) before it starts ({start})")
    for name, version, job_id, to_version in conn.execute(
        "SELECT i.name, i.agent_version, j.id, j.to_version FROM items i JOIN jobs j ON j.id ="
        " i.last_job_id WHERE j.state = 'Succeeded' AND i.agent_version != j.to_version"
    ):
        v.add(f"{name}: job {job_id} succeeded to {to_version} but the machine shows {version}")
    return v


def task_chain_violations(conn: sqlite3.Connection) -> Violations:
    """Every started task ran once, for its planned duration, right after the one before it."""
    from store.clock import parse_iso

    v = Violations()
    rows = conn.execute(
        "SELECT j.id, j.state, j.start_time, t.position, t.state, t.start_time, t.end_time,"
        " t.duration_s FROM jobs j JOIN tasks t ON t.job_seq = j.seq WHERE j.start_time IS NOT NULL"
        " ORDER BY j.seq, t.position"
    ).fetchall()
    prev_end: dict[str, str] = {}
    for job_id, _jstate, jstart, pos, tstate, tstart, tend, dur in rows:
        if tstate in ("Succeeded", "Failed"):
            if tstart is None or tend is None:
                v.add(f"job {job_id} task {pos} {tstate} without times")
                continue
            if (parse_iso(tend) - parse_iso(tstart)).total_seconds() != dur:
                v.add(f"job {job_id} task {pos} ran {tstart}->{tend}, planned {dur}s")
        expected_start = jstart if pos == 0 else prev_end.get(job_id)
        if tstart is not None and expected_start is not None and tstart != expected_start:
            v.add(f"job {job_id} task {pos} started {tstart}, expected {expected_start}")
        if tend is not None:
            prev_end[job_id] = tend
    return v


def active_jobs_per_item(conn: sqlite3.Connection) -> int:
    """The largest number of active jobs any one machine has (must never exceed 1)."""
    row = conn.execute(
        "SELECT max(n) FROM (SELECT count(*) AS n FROM jobs WHERE component IS NULL AND state IN "
        "('NotStarted', 'InProgress', 'Cancelling') GROUP BY item_id)"
    ).fetchone()
    return row[0] or 0


# -- worlds
# -------------------------------------------------------------------------------------------

NIGHTLY_START = "2026-12-17T04:59:30Z"
"""30 seconds before local midnight in America/New_York: the nightly run is the first thing."""

FAIL_EVERY = 53
"""Every 53rd machine's next update fails (95517, at the update task)."""


def nightly_world(
    machines: int = 2000, appliances: int = 10, cap: int = 20, speed: float = 600.0
) -> dict:
    """`machines` eligible machines behind `appliances` appliances: the nightly run creates one job
    each (`cap` run at once per process server); a few are set to fail."""
    per = -(-machines // appliances)
    appls = [worlds.appliance(f"appl-{a:02d}") for a in range(appliances)]
    items = []
    for k in range(machines):
        extra = {"fail_next_update": "95517"} if k % FAIL_EVERY == 0 else {}
        items.append(worlds.machine(f"vm-{k:04d}", appliance=f"appl-{k // per:02d}", **extra))
    data = worlds.world(
        items=items,
        appliances=appls,
        start=NIGHTLY_START,
        vaults=[
            {"name": "vault-east", "time_zone": "America/New_York", "max_concurrent_updates": cap}
        ],
    )
    data["clock"]["speed"] = speed
    return data


def load_world(path: Path, data: dict) -> Path:
    worlds.load(path, data).close()
    return path
