"""A deterministic live refresh tick, for comparing code changes by instructions rather than by
this VM's drifting CPU time (d.tick's figure).

    python benchmarks/profile_tick.py benchmarks/.cache/jobs-100000-s1-<hash>.db [--ticks 100]
        [--case highlighted|visible] [--profile]

    valgrind --tool=callgrind --instr-atstart=no \\
        python benchmarks/profile_tick.py DB --callgrind      # instructions of the ticks alone

The console starts on a copy of DB (120x40, no engine), every timer and the collector are paused,
then each tick: another connection commits a status change to the highlighted (or a visible)
row, `app.poll_changes()` runs, and the event loop turns five times. `--callgrind` switches
callgrind's instrumentation on around the ticks only (`callgrind_control -i on/off`): divide
"Collected" by the ticks. `--profile` prints cProfile's cumulative listing of the ticks instead.
Not a benchmark target: a tool (session 7 judged its d.tick changes with it).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import copy_db, remove_db, scratch  # noqa: E402


def instrument(state: str) -> None:
    subprocess.run(["callgrind_control", "-i", state, str(os.getpid())], capture_output=True, check=False)
    time.sleep(1.0)  # callgrind reads its command file between blocks: let it switch before going on


async def ticks(db: Path, n: int, offset: int, callgrind: bool, profile: bool) -> None:
    from tui.app import ConsoleApp
    from tui.widgets.item_table import ItemTable

    app = ConsoleApp(db_path=db, engine=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        for node in [app, *app.screen.walk_children(with_self=True)]:
            for timer in list(node._timers):
                timer.pause()
        gc.disable()
        table = app.screen.query_one(ItemTable)
        writer = sqlite3.connect(db)
        prof = None
        if profile:
            import cProfile

            prof = cProfile.Profile()
        if callgrind:
            instrument("on")
        if prof:
            prof.enable()
        for _ in range(n):
            row = table.row_at(table.scroll_offset.y + offset)
            new = "updating" if row.status != "updating" else "update-available"
            writer.execute("UPDATE items SET status = ? WHERE id = ?", (new, row.id))
            writer.commit()
            app.poll_changes()
            for _ in range(5):
                await asyncio.sleep(0)
        if prof:
            prof.disable()
        if callgrind:
            instrument("off")
        writer.close()
        if prof:
            import pstats

            pstats.Stats(prof).sort_stats("cumulative").print_stats(60)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("db", type=Path, help="a jobs fixture (benchmarks/fixtures.py jobs 100000)")
    p.add_argument("--ticks", type=int, default=100)
    p.add_argument("--case", choices=("highlighted", "visible"), default="highlighted")
    p.add_argument("--callgrind", action="store_true", help="instrument the ticks alone (run under callgrind)")
    p.add_argument("--profile", action="store_true", help="print cProfile's listing of the ticks")
    a = p.parse_args()
    if not a.db.exists():
        raise SystemExit(f"no database at {a.db}")
    db = copy_db(a.db, scratch(f"tick-{os.getpid()}.db"))
    try:
        asyncio.run(ticks(db, a.ticks, 0 if a.case == "highlighted" else 5, a.callgrind, a.profile))
    finally:
        remove_db(db)


if __name__ == "__main__":
    main()
