"""(d) Event-loop stalls while the console's own engine thread runs the nightly run creating N jobs.

A running ConsoleApp (App.run_test, engine=True) on the eligible fleet with its clock paused; a 10
ms
interval timer records the gap between its callbacks. Reference: the longest gap over the same
length
of time before the run (engine idle). Then the operator's "skip to the next automatic run" hands the
engine midnight; the measurement lasts until every job exists (read on a separate connection) plus
one second, while the console's 0.25 s live refresh repaints what is visible."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
import time
from itertools import pairwise
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Result, copy_db, median, remove_db, scratch, worker_args, write_results

SIZE = (120, 40)
TICK_S = 0.01
BASELINE_S = 2.0
AFTER_S = 1.0


async def one_round(db: Path) -> dict:
    from tui.app import ConsoleApp

    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE clock SET paused = 1")
    reader = sqlite3.connect(db)
    n_items = reader.execute("SELECT count(*) FROM items").fetchone()[0]
    app = ConsoleApp(db_path=db, engine=True)
    stamps: list[float] = []
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for _ in range(500):
            if app.engine.holding:
                break
            await asyncio.sleep(0.02)
        timer = app.set_interval(TICK_S, lambda: stamps.append(time.perf_counter()))
        await asyncio.sleep(BASELINE_S)
        skip = time.perf_counter()
        app.skip_to_next_run()
        while reader.execute("SELECT count(*) FROM jobs").fetchone()[0] < n_items:
            if time.perf_counter() - skip > 300:
                raise TimeoutError("the nightly run did not create every job within 300 s")
            await asyncio.sleep(0.05)
        created = time.perf_counter()
        await asyncio.sleep(AFTER_S)
        timer.stop()  # the app's shutdown is not part of the run
        end = time.perf_counter()
    reader.close()
    stamps = [t for t in stamps if t <= end]
    gaps_before = [b - a for a, b in pairwise(stamps) if b <= skip]
    gaps_during = [b - a for a, b in pairwise(stamps) if b > skip]
    return {
        "before": max(gaps_before),
        "during": max(gaps_during),
        "created_s": created - skip,
        "ticks": len(gaps_during),
        "p99": sorted(gaps_during)[int(len(gaps_during) * 0.99)],
    }


def main() -> None:
    a = worker_args()
    rounds = []
    for _ in range(a.repeat):
        db = copy_db(a.eligible, scratch("stall.db"))
        try:
            rounds.append(asyncio.run(one_round(db)))
        finally:
            remove_db(db)
    worst, before = max(r["during"] for r in rounds), max(r["before"] for r in rounds)
    write_results(
        a.out,
        [
            Result(
                "d.stall",
                f"longest event-loop stall, nightly run of {a.items:,} jobs in the engine thread",
                worst,
                "s",
                before,
                "same timer, engine idle",
                "< 100 ms",
                worst < 0.100,
                samples=[r["during"] for r in rounds],
                notes=(
                    f"jobs created {median([r['created_s'] for r in rounds]):.2f} s after the skip;"
                    f" p99 gap {median([r['p99'] for r in rounds]) * 1000:.0f} ms; worst round"
                    " shown"
                ),
            )
        ],
    )


if __name__ == "__main__":
    main()
