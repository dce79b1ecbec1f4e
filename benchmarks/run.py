"""Scale benchmarks: each target against its reference measured in the same run.

    python benchmarks/run.py --items N [--only NAME[,NAME...]] [--repeat K] [--json FILE] [--strict]
        [--paint stock]

NAME is a worker (load, startup, ui, bulk, engine, stall, cli, rollout), a target (filter, sort,
jobs,
tick, memory, nightly, hour, create, wave) or a result key prefix (a, b, c.filter, ...). Generated
databases are cached
in benchmarks/.cache (rebuilt when the code that decides their content changes, or with --rebuild).
Every worker runs in a fresh interpreter. Exit status: 0, or 1 with --strict when a target misses,
2 when a worker fails. `--paint stock` runs the console on Textual's stock paint path (tui/paint)
and judges it by that path's budgets (`common.STOCK_BUDGETS`).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import BENCH, CACHE, PYTHON, Result, fmt_value, machine_pace, run_worker

# worker script, the fixtures it reads, the targets (result keys) it produces, default repeats
WORKERS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "load": ("t_load.py", ("fleet",), ("a.load",)),
    "startup": ("t_startup.py", ("fleet",), ("b.startup", "b.memory", "b.session")),
    "ui": ("t_ui.py", ("jobs",), ("c.filter", "c.sort", "c.jobs", "d.tick", "d.counts", "c.floor")),
    "stall": ("t_stall.py", ("eligible",), ("d.stall",)),
    "engine": ("t_engine.py", ("eligible",), ("e.nightly", "e.hour")),
    "bulk": ("t_bulk.py", ("eligible",), ("f.bulk",)),
    "cli": ("t_cli.py", ("fleet",), ("g.cli",)),
    "rollout": ("t_rollout.py", ("eligible",), ("h.create", "h.wave", "h.view")),
    "arm": ("t_arm.py", ("fleet",), ("i.list", "i.first")),
}
ALIASES = {
    "filter": "c.filter",
    "sort": "c.sort",
    "jobs": "c.jobs",
    "tick": "d.tick",
    "refresh": "d.tick",
    "memory": "b.memory",
    "nightly": "e.nightly",
    "hour": "e.hour",
    "create": "h.create",
    "wave": "h.wave",
}


def default_repeat(worker: str, n: int) -> int:
    """Repeats per worker: enough for a median, bounded so 100k stays within ~10 minutes on 2 cores
    and the CI smoke (<= 5,000 items) within a minute."""
    if n <= 5_000:
        return {
            "load": 2,
            "startup": 1,
            "ui": 2,
            "stall": 1,
            "engine": 1,
            "bulk": 1,
            "cli": 2,
            "rollout": 1,
            "arm": 1,
        }[worker]
    big = n >= 50_000
    return {
        "load": 3,
        "startup": 9,
        "ui": 5,
        "stall": 1 if big else 2,
        "engine": 1 if big else 2,
        "bulk": 3,
        "cli": 3,
        "rollout": 3,
        "arm": 2,
    }[worker]


def selected(only: str | None) -> tuple[list[str], set[str] | None]:
    """Workers to run, and the result keys to keep (None: all of theirs)."""
    if not only:
        return list(WORKERS), None
    names = [ALIASES.get(x.strip(), x.strip()) for x in only.split(",") if x.strip()]
    workers, keys = [], set()
    for name in names:
        hit = False
        for w, (_script, _fx, produced) in WORKERS.items():
            if name == w:
                keys.update(produced)
                hit = True
            else:
                match = {
                    k
                    for k in produced
                    if k == name or k.startswith(name + ".") or k.split(".")[0] == name
                }
                keys.update(match)
                hit = hit or bool(match)
            if hit and w not in workers and (name == w or any(k in keys for k in produced)):
                workers.append(w)
        if not hit:
            raise SystemExit(
                f"--only: unknown name {name!r} (workers: {', '.join(WORKERS)}; "
                f"targets: {', '.join(ALIASES)})"
            )
    return [w for w in WORKERS if w in workers], keys


def ensure_fixture(kind: str, n: int) -> Path:
    t = time.perf_counter()
    out = subprocess.run(
        [PYTHON, str(BENCH / "fixtures.py"), kind, str(n)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    took = time.perf_counter() - t
    if took > 2:
        print(f"  built {kind} fixture for {n:,} items in {took:.1f} s", file=sys.stderr)
    return Path(out)


def table(results: list[Result], n: int) -> str:
    head = ("target", "ours", "reference", "ref figure", "ratio", "goal", "result")
    rows = []
    for r in results:
        result = (
            "ERROR"
            if r.ours is None and r.ok is False
            else ("info" if r.ok is None else "PASS" if r.ok else "MISS")
        )
        ratio = f"{r.ratio:.2f}x" if r.ratio is not None else "-"
        rows.append(
            (
                f"({r.key}) {r.label}",
                fmt_value(r.ours, r.unit),
                r.ref_label or "-",
                fmt_value(r.ref, r.unit),
                ratio,
                r.goal or "-",
                result,
            )
        )
    widths = [max(len(str(x[i])) for x in (head, *rows)) for i in range(len(head))]

    def line(cells) -> str:
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    out = [line(head), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, rows)]
    for r in results:
        if r.details:
            out += ["", f"{r.key} cases ({n:,} items):"]
            keys = list(r.details[0])
            w2 = [max(len(str(k)), *(len(str(d.get(k, ""))) for d in r.details)) for k in keys]
            out.append("  " + "  ".join(str(k).ljust(w) for k, w in zip(keys, w2, strict=True)))
            out += [
                "  " + "  ".join(str(d.get(k, "")).ljust(w) for k, w in zip(keys, w2, strict=True))
                for d in r.details
            ]
    notes = [f"  {r.key}: {r.notes}" for r in results if r.notes]
    if notes:
        out += ["", "notes:", *notes]
    return "\n".join(out)


BASELINE_EMPTY_APP_S = 0.167
"""perf-baseline.md: an empty Textual app on a real pty, first frame after process start; the
machine
the issue's absolute goals (ms, s) were measured on. b.startup measures the same app here."""


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        "--items", type=int, required=True, help="machines in the generated fleet (1000 in CI)"
    )
    p.add_argument("--only", help="comma-separated workers, targets or result keys")
    p.add_argument(
        "--repeat", type=int, help="timed repetitions per target (default: per target, see README)"
    )
    p.add_argument("--json", type=Path, help="also write every result as JSON")
    p.add_argument("--rebuild", action="store_true", help="rebuild the cached databases")
    p.add_argument("--strict", action="store_true", help="exit 1 when any target misses its goal")
    p.add_argument(
        "--paint", help="the console's paint path: an ASR_CONSOLE_PAINT value (stock: Textual's)"
    )
    a = p.parse_args()
    if a.paint:
        from tui.paint import parse

        try:
            parse(a.paint)
        except ValueError as error:
            p.error(str(error))
        os.environ["ASR_CONSOLE_PAINT"] = a.paint  # every worker and the console they start
    workers, keep = selected(a.only)
    if a.rebuild:
        for f in CACHE.glob(f"*-{a.items}-s*"):
            f.unlink()
    started = time.perf_counter()
    load_before, pace_before = os.getloadavg(), machine_pace()
    print(
        f"asr-upgrade-console benchmarks: {a.items:,} items; {', '.join(workers)}; python "
        f"{platform.python_version()}, {platform.machine()}",
        file=sys.stderr,
        flush=True,
    )
    fixtures: dict[str, Path] = {}
    results: list[Result] = []
    failed = False
    for w in workers:
        script, kinds, produced = WORKERS[w]
        args = ["--items", str(a.items), "--repeat", str(a.repeat or default_repeat(w, a.items))]
        if w == "startup":
            args += ["--settle", "1"] if a.items <= 5_000 else ["--session", "30"]
        t = time.perf_counter()
        try:
            for kind in kinds:
                if kind not in fixtures:
                    fixtures[kind] = ensure_fixture(kind, a.items)
                args += [f"--{kind}", str(fixtures[kind])]
                if kind == "fleet":
                    args += ["--rows", str(fixtures[kind].with_suffix(".rows.pickle"))]
            got = [Result(**d) for d in run_worker(script, args)]
        except Exception as exc:  # noqa: BLE001 (one worker failing must not hide the others' figures)
            failed = True
            print(f"  {w}: FAILED: {exc}", file=sys.stderr)
            got = [
                Result(
                    k,
                    "(worker failed)",
                    None,
                    "s",
                    None,
                    "",
                    "",
                    False,
                    notes=str(exc).splitlines()[0],
                )
                for k in produced
            ]
        print(f"  {w}: {time.perf_counter() - t:.1f} s", file=sys.stderr, flush=True)
        results += [r for r in got if keep is None or r.key in keep]
    print(f"done in {time.perf_counter() - started:.0f} s\n", file=sys.stderr, flush=True)
    print(
        f"python benchmarks/run.py --items {a.items}"
        + (f" --only {a.only}" if a.only else "")
        + (f" --repeat {a.repeat}" if a.repeat else "")
        + (f" --paint {a.paint}" if a.paint else "")
    )
    print(
        f"{len(os.sched_getaffinity(0))} CPUs; load average {load_before[0]:.2f} at start,"
        f" {os.getloadavg()[0]:.2f} at end; {time.perf_counter() - started:.0f} s; machine pace"
        f" {pace_before * 1000:.0f} ms at start, {machine_pace() * 1000:.0f} ms at end"
        " (`common.machine_pace`)"
    )
    empty = next((r.ref for r in results if r.key == "b.startup" and r.ref), None)
    if empty:
        print(
            f"the empty Textual app reached its first frame in {empty * 1000:.0f} ms here; where"
            " the goals were set "
            f"it took {BASELINE_EMPTY_APP_S * 1000:.0f} ms (perf-baseline, the issue's \"about 0.17"
            ' s"): this '
            f"machine ran {empty / BASELINE_EMPTY_APP_S:.1f}x slower than that one (absolute goals"
            " are not scaled)"
        )
    print(table(results, a.items))
    if a.json:
        a.json.write_text(json.dumps([asdict(r) for r in results], indent=1))
    if failed:
        sys.exit(2)
    if a.strict and any(r.ok is False for r in results):
        sys.exit(1)


if __name__ == "__main__":
    main()
