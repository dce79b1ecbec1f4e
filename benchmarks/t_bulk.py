"""(f) The bulk dialog: select all eligible (a), Tab to OK, Enter: N update jobs created and the
screen repainted. App.run_test on the eligible fleet (every machine can update); a fresh copy of the
database per round. Judged on wall time from the `a` key to the first frame drawn after the console
said how many jobs it created; CPU (the process's, the creating thread's included) is shown beside
it.

The keys are posted as Pilot.press posts them, but without its waits (`driving.py`): Pilot waits
until
the process looks idle, which it does not while the creating thread works, so its waits measured
Pilot (up to 1 s each), not the console."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
import time
from itertools import pairwise
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    Result,
    copy_db,
    median,
    remove_db,
    scratch,
    sql_floor_jobs,
    stopwatch,
    worker_args,
    write_results,
)
from driving import Frames, send_key

SIZE = (120, 40)


async def wait_until(condition, timeout: float = 300.0) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not condition():
        if loop.time() > end:
            raise TimeoutError("condition not met")
        await asyncio.sleep(
            0.005
        )  # sleeps: no CPU of its own (Pilot.pause costs ~4 ms a call here)


async def shown(frames: Frames, condition) -> None:
    """Until `condition` holds and a frame was drawn while it held: its result is on the screen."""
    frames.hits, frames.condition = 0, condition
    try:
        await wait_until(lambda: frames.hits > 0)
    finally:
        frames.condition = None


def told(app) -> bool:
    """The operator has the answer: the console said how many jobs it created (after its
    repaint)."""
    return any(n.message.startswith("Created ") for n in app._notifications)


async def one_round(db: Path) -> dict:
    from tui.app import ConsoleApp
    from tui.modals.bulk_update import BulkTable, BulkUpdateModal

    reader = sqlite3.connect(db)
    jobs_before = reader.execute("SELECT count(*) FROM jobs").fetchone()[0]
    app = ConsoleApp(db_path=db, engine=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        frames = Frames(app)
        with stopwatch() as opened:
            await pilot.press("b")
            await wait_until(lambda: isinstance(app.screen, BulkUpdateModal))
            await pilot.pause()
        modal = app.screen
        table = modal.query_one(BulkTable)
        eligible = modal.eligible
        await wait_until(
            lambda: not any(w.is_running for w in app.workers)
        )  # the dialog loads the write path
        with stopwatch() as total:
            with stopwatch() as select:
                await send_key(app, "a")
                await shown(frames, lambda: len(table.marked) == eligible)
            before = app.focused
            await send_key(app, "tab")
            await wait_until(lambda: app.focused is not before)
            if getattr(app.focused, "id", None) != "ok":
                modal.query_one("#ok").focus()
                await wait_until(lambda: getattr(app.focused, "id", None) == "ok")
            stamps: list[float] = []
            timer = app.set_interval(0.01, lambda: stamps.append(time.perf_counter()))
            with stopwatch() as submit:
                await send_key(app, "enter")
                await shown(
                    frames, lambda: not isinstance(app.screen, BulkUpdateModal) and told(app)
                )
        created = reader.execute("SELECT count(*) FROM jobs").fetchone()[0] - jobs_before
        # The worker then checkpoints the WAL (off the event loop): timed apart, stalls still
        # counted.
        with stopwatch() as after:
            await wait_until(lambda: not any(w.is_running for w in app.workers))
            await pilot.pause()
        timer.stop()
    reader.close()
    return {
        "wall": total["wall"],
        "cpu": total["cpu"],
        "open": opened["wall"],
        "select": select["wall"],
        "select_cpu": select["cpu"],
        "submit": submit["wall"],
        "submit_cpu": submit["cpu"],
        "eligible": eligible,
        "created": created,
        "after": after["wall"],
        "stall": max((b - a for a, b in pairwise(stamps)), default=float("nan")),
    }


def main() -> None:
    a = worker_args()
    rounds, floors = [], []
    for _ in range(a.repeat):
        db = copy_db(a.eligible, scratch("bulk.db"))
        try:
            r = asyncio.run(one_round(db))
            if r["created"] != r["eligible"]:
                raise SystemExit(
                    f"created {r['created']} jobs for {r['eligible']} eligible machines"
                )
            floors.append(sql_floor_jobs(a.eligible, db))
            rounds.append(r)
        finally:
            remove_db(db)
    wall, ref = median([r["wall"] for r in rounds]), median(floors)
    m = {
        k: median([r[k] for r in rounds])
        for k in ("cpu", "open", "select", "select_cpu", "submit", "submit_cpu", "stall", "after")
    }
    write_results(
        a.out,
        [
            Result(
                "f.bulk",
                f"bulk dialog: select all + OK, {rounds[0]['eligible']:,} jobs",
                wall,
                "s",
                ref,
                "SQL floor: executemany of the jobs",
                "< 2 s",
                wall < 2.0,
                samples=[r["wall"] for r in rounds],
                notes=(
                    f"CPU {m['cpu']:.2f} s; select all {m['select']:.2f} s wall"
                    f" ({m['select_cpu']:.2f} CPU), OK -> created + repainted {m['submit']:.2f} s"
                    f" wall ({m['submit_cpu']:.2f} CPU); opening the dialog (b)"
                    f" {m['open'] * 1000:.0f} ms wall; then the worker's WAL checkpoint"
                    f" {m['after']:.2f} s wall (not in the figure); longest event-loop stall from"
                    f" OK to the checkpoint's end {m['stall'] * 1000:.0f} ms"
                ),
            )
        ],
    )


if __name__ == "__main__":
    main()
