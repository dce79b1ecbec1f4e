"""Two consoles (pilots with the engine on, each in its own process: tests/reliability/
console_process.py), one `engine run` process and a stream of CLI `update` processes on one
database. Shared by tests/reliability/test_concurrency.py (about 20 s) and
tests/soak/soak_concurrency.py (a minute or more)."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import waiting
from reliability_kit import (
    LOCKED_WORDS,
    PY,
    ROOT,
    cli_env,
    ro,
    run_cli,
    structural_violations,
    task_chain_violations,
    worlds,
)

CONSOLE = Path(__file__).resolve().parent / "console_process.py"
REFUSED_LEASE = "the engine is running in another process"
REFUSAL_WORDS = (
    "ActiveJob",
    "AlreadyOnLatestVersion",
    "RebootRequired",
    "AgentNoHeartbeat",
    "read-only",
)
MACHINES = 60
MIN_CALLS = 8
"""CLI update calls a run makes at the least, however slow the machine (the last stage waits for
them)."""
STAGE_DEADLINE_S = 120.0
"""How much longer than its share a stage may take on a slow, loaded machine before the run
fails."""


def busy_world(machines: int = MACHINES, appliances: int = 3, speed: float = 900.0) -> dict:
    """Machines one version behind (so every `update` can create a job), short jobs at `speed`."""
    appls = [worlds.appliance(f"appl-{a}") for a in range(appliances)]
    items = []
    for k in range(machines):
        extra = {"fail_next_update": "95517"} if k % 7 == 3 else {}
        items.append(worlds.machine(f"m-{k:03d}", appliance=f"appl-{k % appliances}", **extra))
    data = worlds.world(
        items=items,
        appliances=appls,
        start="2026-12-16T15:00:00Z",
        vaults=[
            {"name": "vault-east", "time_zone": "America/New_York", "max_concurrent_updates": 5}
        ],
    )
    data["clock"]["speed"] = speed
    return data


@dataclass
class Stream:
    """Everything the CLI callers, the consoles and the monitor saw."""

    calls: int = 0
    created: int = 0
    refused: int = 0
    codes: dict[int, int] = field(default_factory=dict)
    cli_wall: list[float] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    samples: int = 0
    holders: list[tuple[float, str]] = field(default_factory=list)
    clock_samples: list[str] = field(default_factory=list)
    max_active_per_item: int = 0
    releases: int = 0
    consoles: list[dict] = field(default_factory=list)
    timeline: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def problem(self, text: str) -> None:
        with self.lock:
            self.problems.append(text)

    @property
    def console_presses(self) -> int:
        return sum(len(c["press_wall"]) for c in self.consoles)


def check_ran(stream: Stream, what: str, code: int, out: str, err: str) -> None:
    """Every CLI outcome: 0, or 1 with refusal lines; never 'locked', never a traceback."""
    with stream.lock:
        stream.calls += 1
        stream.codes[code] = stream.codes.get(code, 0) + 1
    text = out + err
    if any(word in text for word in LOCKED_WORDS):
        stream.problem(f"{what}: 'locked' reached the user: {err.strip()!r}")
    if "Traceback" in text:
        stream.problem(f"{what}: traceback: {err[-400:]!r}")
    if code not in (0, 1):
        stream.problem(f"{what}: exit {code}: {err.strip()!r}")
    if code == 1:
        lines = err.strip().splitlines()
        if not lines or not all(
            line.startswith("asr-console: ") and any(w in line for w in REFUSAL_WORDS)
            for line in lines
        ):
            stream.problem(f"{what}: exit 1 without a refusal line: {err.strip()!r}")


def update_caller(db: Path, stop: threading.Event, stream: Stream, seed: int) -> None:
    """`asr-console update` on 1-3 random machines, over and over (often the same ones at once)."""
    rng = random.Random(seed)
    names = [f"m-{k:03d}" for k in range(MACHINES)]
    while not stop.is_set():
        pool = names[:12] if rng.random() < 0.5 else names
        chosen = rng.sample(pool, rng.randint(1, 3))
        ran = run_cli("update", *chosen, "--json", "--db", str(db), timeout=120)
        with stream.lock:
            stream.cli_wall.append(ran.wall)
        check_ran(stream, f"update {' '.join(chosen)}", ran.code, ran.out, ran.err)
        if ran.code in (0, 1) and ran.out.strip().startswith("{"):
            data = ran.json
            with stream.lock:
                stream.created += len(data["created"])
                stream.refused += len(data["refused"])


def releaser(db: Path, stop: threading.Event, stream: Stream, every: float) -> None:
    """A new agent build now and then (`sim release`), so machines have something to update to
    again."""
    build = 7700
    while not stop.wait(every):
        build += 1
        ran = run_cli("sim", "release", "agent", f"9.67.{build}.1", "--db", str(db), timeout=120)
        check_ran(stream, f"sim release agent 9.67.{build}.1", ran.code, ran.out, ran.err)
        with stream.lock:
            stream.releases += 1


def monitor(db: Path, stop: threading.Event, stream: Stream, interval: float = 0.05) -> None:
    """Sample the lease holder, the clock (never back) and the active jobs per machine."""
    conn = ro(db)
    try:
        while not stop.is_set():
            row = conn.execute(
                "SELECT holder, expires_wall FROM engine_lease WHERE id = 1"
            ).fetchone()
            holder, expires = row or (None, 0.0)
            live = holder if holder is not None and expires > time.time() else None
            now = conn.execute("SELECT now FROM clock WHERE id = 1").fetchone()[0]
            n = conn.execute(
                "SELECT coalesce(max(n), 0) FROM (SELECT count(*) AS n FROM jobs WHERE component IS"
                " NULL AND state IN ('NotStarted', 'InProgress', 'Cancelling') GROUP BY item_id)"
            ).fetchone()[0]
            with stream.lock:
                stream.samples += 1
                stream.max_active_per_item = max(stream.max_active_per_item, n)
                if live is not None and (not stream.holders or stream.holders[-1][1] != live):
                    stream.holders.append((time.time(), live))
                if stream.clock_samples and now < stream.clock_samples[-1]:
                    stream.problems.append(
                        f"the clock went back from {stream.clock_samples[-1]} to {now}"
                    )
                stream.clock_samples.append(now)
            if n > 1:
                stream.problem(f"a machine had {n} active jobs")
            stop.wait(interval)
    finally:
        conn.close()


def holder_pid(db: Path) -> int | None:
    conn = ro(db)
    try:
        row = conn.execute("SELECT holder, expires_wall FROM engine_lease WHERE id = 1").fetchone()
    finally:
        conn.close()
    holder, expires = row or (None, 0.0)
    if holder is None or expires < time.time():
        return None
    return int(holder.split(":")[1])


def came(predicate, timeout: float) -> bool:
    """Whether `predicate` came true within `timeout` (the caller reports it if not)."""
    try:
        waiting.wait_for(predicate, "", timeout=timeout, step=0.05)
    except waiting.NeverHappened:
        return False
    return True


def overlaps(a: list[list[float]], b: list[list[float]]) -> list[tuple[float, float]]:
    return [(max(x0, y0), min(x1, y1)) for x0, x1 in a for y0, y1 in b if max(x0, y0) < min(x1, y1)]


def run_scenario(db: Path, tmp: Path, *, seconds: float, callers: int = 3, log=print) -> Stream:
    """The timeline, driven by events (a loaded machine only stretches it): `engine run` holds the
    lease while both consoles watch; after 30% of `seconds` it is interrupted (Ctrl-C) and a
    console takes over; after another 30% the holding console quits and the other takes over; a
    second `engine run` is refused; after the rest the last console quits. CLI updates stream in
    throughout, a new agent build is published now and then, and each console's operator presses
    `u` on a machine every second or so."""
    stream = Stream()
    stop = threading.Event()
    began = time.monotonic()

    def mark(text: str) -> None:
        stream.timeline.append(f"{time.monotonic() - began:5.1f}s {text}")
        log(stream.timeline[-1])

    engine = subprocess.Popen(
        [PY, "-m", "tui.cli", "engine", "run", "--db", str(db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli_env(),
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
    )
    consoles: list[tuple[subprocess.Popen, Path]] = []
    threads: list[threading.Thread] = []
    try:
        waiting.wait_for(
            lambda: holder_pid(db) == engine.pid, "engine run takes the lease", timeout=60
        )
        mark(f"engine run {engine.pid} holds the lease")
        threads = [
            threading.Thread(target=update_caller, args=(db, stop, stream, 100 + n), daemon=True)
            for n in range(callers)
        ]
        threads.append(threading.Thread(target=monitor, args=(db, stop, stream), daemon=True))
        threads.append(
            threading.Thread(
                target=releaser, args=(db, stop, stream, max(4.0, seconds / 6)), daemon=True
            )
        )
        for t in threads:
            t.start()
        for name in ("a", "b"):
            report = tmp / f"console-{name}.json"
            proc = subprocess.Popen(
                [PY, str(CONSOLE), str(db), str(seconds * 20), "1.0", str(report)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
                env=cli_env(),
                cwd=ROOT,
                stdin=subprocess.DEVNULL,
            )
            consoles.append((proc, report))
        by_pid = {p.pid: (p, r) for p, r in consoles}
        ready = came(
            lambda: all(Path(f"{r}.ready").exists() or p.poll() is not None for p, r in consoles),
            90,
        )
        assert ready, "the consoles did not start"
        mark(f"consoles {list(by_pid)} up")

        phase = time.monotonic()

        def stage(share: float, calls: int, what: str) -> None:
            """Pacing: a stage lasts its share of `seconds` and until the stream has done its work
            by then (a loaded machine stretches the stage, never cuts what it checks)."""
            waiting.wait_for(
                lambda: time.monotonic() >= phase + seconds * share and stream.calls >= calls,
                lambda: f"{what}: {stream.calls} CLI calls by now, {calls} wanted",
                timeout=seconds * share + STAGE_DEADLINE_S,
                step=0.05,
            )

        stage(0.3, 3, "CLI updates while engine run holds the lease")
        engine.send_signal(signal.SIGINT)
        out, err = engine.communicate(timeout=60)
        check_ran(stream, "engine run (interrupted)", engine.returncode, out, err)
        if "until interrupted" not in out:
            stream.problem(f"engine run did not report its interruption: {out!r} {err!r}")
        mark("engine run interrupted")
        if came(lambda: holder_pid(db) in by_pid, 20):
            mark(f"console {holder_pid(db)} took over")
        else:
            stream.problem(f"no console took over the released lease (holder {holder_pid(db)})")

        stage(0.6, 5, "CLI updates while a console holds the lease")
        first_pid = holder_pid(db) if holder_pid(db) in by_pid else consoles[0][0].pid
        first, first_report = by_pid[first_pid]
        last, _last_report = next((p, r) for p, r in consoles if p.pid != first_pid)
        Path(f"{first_report}.quit").write_text("quit")
        first.wait(timeout=90)
        mark(f"console {first_pid} (the engine holder) quit")
        if came(lambda: holder_pid(db) == last.pid, 20):
            mark(f"console {last.pid} took over")
        else:
            stream.problem(
                "the other console did not take over when the holder quit (holder"
                f" {holder_pid(db)})"
            )

        second = run_cli("engine", "run", "--for", "1h", "--db", str(db), timeout=90)
        if second.code != 1 or REFUSED_LEASE not in second.err or second.err.count("\n") != 1:
            stream.problem(
                f"a second engine run was not refused in one line: {second.code} {second.err!r}"
            )
        mark("a second engine run was refused")

        stage(1.0, MIN_CALLS, "CLI updates while the other console holds the lease")
        waiting.wait_for(
            lambda: stream.created and stream.refused,
            lambda: f"both a created job and a refusal ({stream.created}, {stream.refused})",
            timeout=STAGE_DEADLINE_S,
        )
        for _p, r in consoles:
            Path(f"{r}.quit").write_text("quit")
        last.wait(timeout=90)
        mark("the last console quit")
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=120)
        for proc, _r in consoles:
            if proc.poll() is None:
                proc.kill()
            proc.communicate()
        if engine.poll() is None:
            engine.kill()
            engine.communicate()
    for proc, report in consoles:
        data = json.loads(report.read_text()) if report.exists() else {"exception": "no report"}
        stream.consoles.append(data)
        if data.get("exception"):
            stream.problem(f"console {proc.pid} raised:\n{data['exception']}")
        for note in data.get("notifications", []):
            if any(word in note for word in LOCKED_WORDS):
                stream.problem(f"console {proc.pid} showed {note!r}")
        for name, state, error in data.get("workers", []):
            if error != "None":
                stream.problem(f"console {proc.pid} worker {name} {state}: {error}")
    if len(stream.consoles) == 2:
        both = overlaps(stream.consoles[0].get("held", []), stream.consoles[1].get("held", []))
        if both:
            stream.problem(f"both consoles ran the engine at once: {both}")
    conn = ro(db)
    try:
        stream.problems += structural_violations(conn).lines
        stream.problems += task_chain_violations(conn).lines
    finally:
        conn.close()
    return stream
