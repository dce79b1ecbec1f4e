"""Shared helpers for the scale benchmarks: paths, child processes, timing, SQL capture and
replay."""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
CACHE = Path(os.environ.get("ASR_BENCH_CACHE", BENCH / ".cache"))
PYTHON = sys.executable
CONSOLE = str(Path(PYTHON).with_name("asr-console"))
SEED = 1
MiB = 1024 * 1024

# Measure the tree these scripts live in, in this process and every child (the console script too),
# even when the venv's editable install points at another checkout (a scratch copy with a
# prototype).
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ["PYTHONPATH"] = os.pathsep.join(
    p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p
)


# -- results
# ----------------------------------------------------------------------------------------


@dataclass
class Result:
    """One line of the table: our figure against the reference measured in the same run."""

    key: str
    """Stable id (e.g. `c.filter`), what --only selects by its prefix."""
    label: str
    ours: float | None
    unit: str
    """'s', 'ms' or 'MiB': how `ours` and `ref` are printed."""
    ref: float | None
    ref_label: str
    goal: str
    ok: bool | None
    """None: informational, no goal."""
    ratio: float | None = None
    """ours / reference (for 'within Nx of (SQL + 10 ms)' targets: ours / (SQL + 10 ms))."""
    notes: str = ""
    samples: list[float] = field(default_factory=list)
    details: list[dict] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.ratio is None and self.ours is not None and self.ref:
            self.ratio = self.ours / self.ref


def write_results(path: str | None, results: list[Result]) -> None:
    payload = json.dumps([asdict(r) for r in results], indent=1)
    if path:
        Path(path).write_text(payload)
    else:
        print(payload)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


# -- budgets ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Budgets:
    """The goals a run is judged by: the paint fast path's (issues 5 and 17), or, with `run.py
    --paint stock`, the looser ones Textual's stock paint path must meet (issue 17)."""

    startup_ratio: float
    """First data row, at most this many times the empty Textual app's first frame."""
    ui_cpu_s: float
    """A filter keystroke, a sort, a jobs state filter: CPU below this."""
    ui_sql_factor: float | None
    """And CPU at most this many times (SQL + 10 ms), or None: no such clause."""
    tick_s: float
    """A live refresh tick: CPU below this (one frame at 60 Hz)."""


FAST_BUDGETS = Budgets(startup_ratio=1.3, ui_cpu_s=0.030, ui_sql_factor=2.0, tick_s=0.016)
STOCK_BUDGETS = Budgets(startup_ratio=1.5, ui_cpu_s=0.050, ui_sql_factor=None, tick_s=0.016)


def paint_mode() -> str:
    """The console's paint path in this run (`ASR_CONSOLE_PAINT`, set by `run.py --paint`)."""
    return os.environ.get("ASR_CONSOLE_PAINT", "") or "fast"


def budgets() -> Budgets:
    return STOCK_BUDGETS if paint_mode().split(",")[0] == "stock" else FAST_BUDGETS


# -- child processes
# --------------------------------------------------------------------------------


def run_worker(script: str, args: list[str], timeout: float = 900) -> list[dict]:
    """Run benchmarks/<script> in a fresh interpreter; it writes its results as JSON to --out."""
    out = CACHE / f".out-{os.getpid()}-{script}-{time.monotonic_ns()}.json"
    cmd = [PYTHON, str(BENCH / script), *args, "--out", str(out)]
    proc = subprocess.run(
        cmd, cwd=ROOT, timeout=timeout, capture_output=True, text=True, check=False
    )
    try:
        if proc.returncode != 0 or not out.exists():
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-12:] or ["(no output)"]
            raise RuntimeError(f"{script} exited {proc.returncode}:\n    " + "\n    ".join(tail))
        return json.loads(out.read_text())
    finally:
        out.unlink(missing_ok=True)


def timed_process(
    cmd: list[str], *, env: dict | None = None, stdout=subprocess.DEVNULL
) -> tuple[float, str]:
    """Wall seconds of a whole process (start to exit) and its stdout when captured."""
    t = time.perf_counter()
    proc = subprocess.run(
        cmd, cwd=ROOT, env=env, stdout=stdout, stderr=subprocess.PIPE, text=True, check=False
    )
    elapsed = time.perf_counter() - t
    if proc.returncode != 0:
        raise RuntimeError(
            f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr.strip()[-500:]}"
        )
    return elapsed, proc.stdout if stdout is subprocess.PIPE else ""


# -- fixtures in the cache
# --------------------------------------------------------------------------

FIXTURE_SOURCES = (
    "store/sim/*.py",
    "store/migrations.py",
    "store/catalog.py",
    "store/engine/status.py",
    "store/versions.py",
    "store/job_ids.py",
    "store/job_writes.py",
    "store/db.py",
    "store/models.py",
    "store/clock.py",
    "store/audit.py",
    "benchmarks/fixtures.py",
)
"""What decides a cached database's content (schema, generator, loader, statuses); --rebuild for
anything else."""


def code_fingerprint() -> str:
    """Hash of the sources that decide a fixture's content: a cached database is rebuilt when they
    change."""
    import ast

    h = hashlib.sha1()
    for path in sorted(p for pattern in FIXTURE_SOURCES for p in ROOT.glob(pattern)):
        h.update(path.relative_to(ROOT).as_posix().encode())
        try:  # the syntax tree: comments, blank lines and formatting don't invalidate the cache
            h.update(ast.dump(ast.parse(path.read_text())).encode())
        except SyntaxError:
            h.update(path.read_bytes())
    return h.hexdigest()[:10]


def copy_db(src: Path, dst: Path) -> Path:
    """A private working copy of a (checkpointed) cached database, so a benchmark may change it."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{dst}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(src, dst)
    return dst


def scratch(name: str) -> Path:
    d = CACHE / "scratch"
    d.mkdir(parents=True, exist_ok=True)
    return d / f"{os.getpid()}-{name}"


def remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


# -- timing
# -----------------------------------------------------------------------------------------


@contextmanager
def stopwatch() -> Iterator[dict]:
    """`with stopwatch() as t:` ... then t['cpu'], t['wall'] in seconds (CPU is the whole
    process's)."""
    out: dict = {}
    c, w = time.process_time(), time.perf_counter()
    try:
        yield out
    finally:
        out["cpu"] = time.process_time() - c
        out["wall"] = time.perf_counter() - w


@contextmanager
def capture_sql(conn: sqlite3.Connection) -> Iterator[list[str]]:
    """Every statement `conn` executes inside the block, with its parameters bound (expanded
    SQL)."""
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    try:
        yield statements
    finally:
        conn.set_trace_callback(None)


def top_level(statements: list[str]) -> list[str]:
    """Drop what SQLite runs inside a statement (FTS5's own queries are traced as '-- ...')."""
    return [s for s in statements if not s.startswith("--")]


_NOT_REPLAYED = (
    "BEGIN",
    "COMMIT",
    "ROLLBACK",
    "SAVEPOINT",
    "RELEASE",
    "INSERT",
    "UPDATE",
    "DELETE",
)


def replay_sql(
    conn: sqlite3.Connection, statements: list[str], repeat: int = 5
) -> tuple[float, float]:
    """(CPU, wall) seconds to run the captured read statements again, fetching every row (medians of
    `repeat`): what the operation's SQL alone costs on the same connection, same cache state. CPU is
    compared with the operation's CPU (a shared box makes wall noisy)."""
    reads = [s for s in top_level(statements) if not s.lstrip().upper().startswith(_NOT_REPLAYED)]
    cpu, wall = [], []
    for _ in range(repeat):
        c, t = time.process_time(), time.perf_counter()
        for sql in reads:
            conn.execute(sql).fetchall()
        cpu.append(time.process_time() - c)
        wall.append(time.perf_counter() - t)
    return median(cpu), median(wall)


def fmt_value(value: float | None, unit: str) -> str:
    if value is None or math.isnan(value):
        return "-"
    if unit == "s":
        return f"{value:.2f} s" if value >= 1 else f"{value * 1000:.0f} ms"
    if unit == "ms":
        return f"{value * 1000:.1f} ms"
    if unit == "MiB":
        return f"{value:.1f} MiB"
    return f"{value:g} {unit}"


def print_err(*args) -> None:
    print(*args, file=sys.stderr, flush=True)


def each(n: int, fn: Callable[[], float]) -> list[float]:
    return [fn() for _ in range(n)]


def worker_args(extra: Callable | None = None):
    """The arguments every worker takes: the size, repeats, result file, and the fixtures' paths
    (resolved once by run.py, so a source edit mid-run cannot switch databases under a target)."""
    import argparse

    p = argparse.ArgumentParser()
    p.add_argument("--items", type=int, required=True)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--out")
    for kind in ("fleet", "eligible", "jobs", "rows"):
        p.add_argument(f"--{kind}", type=Path)
    if extra is not None:
        extra(p)
    return p.parse_args()


def sql_floor_jobs(before: Path, after: Path, repeat: int = 1) -> float:
    """Seconds for the irreducible SQL of creating the jobs that `after` holds beyond `before`: one
    transaction, a plain executemany of the same job rows, and the one set-based UPDATE that marks
    their machines Updating (what store.engine.enqueue does), on a copy of `before`."""
    src = sqlite3.connect(after)
    first = sqlite3.connect(before).execute("SELECT coalesce(max(seq), 0) FROM jobs").fetchone()[0]
    cols = [r[1] for r in src.execute("PRAGMA table_info(jobs)")]
    rows = src.execute(
        f"SELECT {', '.join(cols)} FROM jobs WHERE seq > ? ORDER BY seq", (first,)
    ).fetchall()
    src.close()
    if not rows:
        return float("nan")
    times = []
    for _ in range(repeat):
        work = copy_db(before, scratch("floor.db"))
        conn = sqlite3.connect(work, isolation_level=None)
        conn.execute("PRAGMA synchronous = NORMAL")
        t = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(
            f"INSERT INTO jobs ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", rows
        )
        conn.execute(
            "UPDATE items SET active_job_id = j.id, last_job_id = j.id, status = 'updating' "
            "FROM jobs j WHERE j.seq > ? AND items.id = j.item_id",
            (first,),
        )
        conn.execute("COMMIT")
        times.append(time.perf_counter() - t)
        conn.close()
        remove_db(work)
    return median(times)


def machine_pace(rounds: int = 3) -> float:
    """CPU seconds of a fixed workload (SQLite building and scanning 50,000 rows, then a Python
    loop), the median of `rounds`: how fast this machine runs at the moment. On a shared VM the
    same code runs up to 2x slower at times, so run.py prints it at the start and the end of a
    run: absolute figures (ms, s) are read against it; ratios to a reference taken in the same
    run are not affected."""

    def once() -> float:
        started = time.process_time()
        conn = sqlite3.connect(":memory:")
        conn.execute("CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT)")
        conn.execute(
            "WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 50000) "
            "INSERT INTO t SELECT n, printf('vm-%06d-%s', n, hex(n * 7919)) FROM s"
        )
        conn.execute("CREATE INDEX t_b ON t (b)")
        for digit in "1234":
            conn.execute(
                "SELECT substr(b, 1, 4), count(*) FROM t WHERE b LIKE ? GROUP BY 1", (f"%{digit}%",)
            ).fetchall()
        conn.close()
        total = 0
        for k in range(100_000):
            total += len(str(k)) * (k & 7)
        return time.process_time() - started

    return median([once() for _ in range(rounds)])
