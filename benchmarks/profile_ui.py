"""Deterministic console operations at scale, for comparing code changes (or paint modes) by
instructions rather than by this VM's drifting CPU time: live refresh ticks, filter keystrokes,
sorts, the jobs state filter, the bulk dialog's OK.

    python benchmarks/profile_ui.py DB [--actions tick,filter,sort,jobs] [--rounds 10] [--profile]
    python benchmarks/profile_ui.py ELIGIBLE_DB --actions bulk

    valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file=OUT \\
        python benchmarks/profile_ui.py DB --callgrind      # instructions of the operations alone

DB is a jobs fixture (`benchmarks/fixtures.py jobs 100000`; `eligible` for bulk). The console
starts on a copy (120x40, no engine), its timers and the collector paused; each action then runs
`--rounds` times: tick, another connection commits a status change to the highlighted row, then
to a visible one, and `app.poll_changes()` runs; filter, `w` typed in the empty filter box (the
1-character LIKE scan, c.filter's dearest case); clear, backspace from `w` (every row back); sort,
`s` five times (every sort order); move, down then up (the overview follows); slash, `/` then
Escape (the filter box opened and closed, the focus and the footer's keys with it); jobs, `f` six
times on the jobs screen (every state); bulk (alone, once): `a`, Tab, Enter in the bulk dialog,
until the console said how many jobs it created. Each operation ends as t_ui's samples do: its
result on screen and no frame for 30 ms. `--callgrind` switches callgrind's instrumentation on
around each measured operation and dumps an action's counters as a part named after it
(`callgrind_control`); `benchmarks/paint_ab.py` runs this and divides by the operations.
`--profile` prints cProfile's cumulative listing of each action instead. Not a benchmark target.
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
from driving import Frames, send_key  # noqa: E402
from t_ui import settle  # noqa: E402

LIVE_WITHIN_S = 120
"""Under valgrind the console takes ~50x longer to go live; past this it never will."""
ACTIONS = ("tick", "filter", "clear", "sort", "move", "slash", "jobs", "bulk")
PER_ROUND = {
    "tick": 2,
    "filter": 1,
    "clear": 1,
    "sort": 5,
    "move": 2,
    "slash": 1,
    "jobs": 6,
    "bulk": 1,
}
"""Operations in one round of each action: divide an action's instructions by rounds x this."""


def control(*args: str) -> None:
    """Tell callgrind (it answers before this returns, so the command holds from here on)."""
    subprocess.run(["callgrind_control", *args, str(os.getpid())], capture_output=True, check=True)


class Measured:
    """An action's operations measured, the steps between them not: callgrind's instrumentation
    (one dump per action, named after it) or cProfile."""

    def __init__(self, callgrind: bool, profile: bool) -> None:
        self.callgrind, self.profile = callgrind, profile
        self.prof = None

    async def run(self, name: str, action) -> None:
        """Run `action(op)`; it awaits `op(coroutine)` for each operation to count."""
        if self.profile:
            import cProfile

            self.prof = cProfile.Profile()
        if self.callgrind:
            control("-z")
        await action(self.op)
        if self.callgrind:
            control("-d", name)
        if self.prof:
            import pstats

            print(f"== {name}")
            pstats.Stats(self.prof).sort_stats("cumulative").print_stats(40)

    async def op(self, operation) -> None:
        if self.callgrind:
            control("-i", "on")
        if self.prof:
            self.prof.enable()
        await operation
        if self.prof:
            self.prof.disable()
        if self.callgrind:
            control("-i", "off")


def pause_all_timers(app) -> None:
    for node in [app, *app.screen.walk_children(with_self=True)]:
        for timer in list(node._timers):
            timer.pause()


async def started(app, pilot, frames: Frames) -> None:
    """Until the console is live (the key footer, the overview and the change poll all start after
    the first rows), then with its timers paused until no frame came for 30 ms: what start-up left
    to do is not counted in the first operations."""

    from tui.widgets.key_bar import KeyBar

    def live() -> bool:
        polling = any(
            getattr(t._callback, "__func__", None) is type(app).poll_changes for t in app._timers
        )
        return polling and bool(app.screen.query(KeyBar))

    deadline = time.monotonic() + LIVE_WITHIN_S
    while not live():
        if time.monotonic() > deadline:
            raise SystemExit(f"the console was not live (polling, key footer) in {LIVE_WITHIN_S} s")
        await pilot.pause(0.05)
    pause_all_timers(app)
    await settle(frames, lambda: True, frame=False)


async def key(app, frames: Frames, name: str, done) -> None:
    """A key as the operator presses it until its result is on screen."""
    await send_key(app, name)
    await settle(frames, done)


async def paused() -> None:
    """A pause in typing: the next filter key applies at once (no debounce timer)."""
    await asyncio.sleep(0.07)


async def items_actions(db: Path, actions: list[str], rounds: int, measured: Measured) -> None:
    from tui.app import ConsoleApp
    from tui.widgets.item_table import ItemTable
    from tui.widgets.job_table import JobTable

    app = ConsoleApp(db_path=db, engine=False)
    async with app.run_test(size=(120, 40)) as pilot:
        frames = Frames(app)
        await started(app, pilot, frames)
        gc.disable()
        table = app.screen.query_one(ItemTable)

        async def ticks(op) -> None:
            writer = sqlite3.connect(db)
            for _ in range(rounds):
                for offset in (0, 5):  # the highlighted row (the overview follows), a visible one
                    at = table.scroll_offset.y + offset
                    row = table.row_at(at)
                    new = "updating" if row.status != "updating" else "update-available"
                    writer.execute("UPDATE items SET status = ? WHERE id = ?", (new, row.id))
                    writer.commit()

                    async def tick(i=at, n=new) -> None:
                        app.poll_changes()
                        await settle(frames, lambda: table.row_at(i).status == n)

                    await op(tick())
            writer.close()

        async def typed(op, measured_key: str) -> None:
            for _ in range(rounds):
                for name, text in (("w", "w"), ("backspace", "")):
                    await paused()
                    typing = key(app, frames, name, lambda t=text: table.query.text == t)
                    await (op(typing) if name == measured_key else typing)

        async def sorts(op) -> None:
            for _ in range(rounds * 5):
                before = table.query.sort
                await op(key(app, frames, "s", lambda b=before: table.query.sort != b))

        async def moves(op) -> None:
            for _ in range(rounds):
                for name, row in (("down", 1), ("up", 0)):
                    await op(key(app, frames, name, lambda r=row: table.cursor_row == r))

        async def slashes(op) -> None:
            async def open_and_close() -> None:
                await key(
                    app,
                    frames,
                    "slash",
                    lambda: app.focused is app.screen.query_one_optional("#filter"),
                )
                await key(app, frames, "escape", lambda: app.focused is table)

            await open_and_close()  # The box mounts the first time.
            for _ in range(rounds):
                await op(open_and_close())

        if "tick" in actions:
            await measured.run("tick", ticks)
        if "slash" in actions:
            await measured.run("slash", slashes)
        for name in ("filter", "clear"):
            if name in actions:
                await pilot.press("slash")
                app.screen.query_one("#filter").cursor_blink = False
                pause_all_timers(app)
                await measured.run(
                    name, lambda op, k="w" if name == "filter" else "backspace": typed(op, k)
                )
                await pilot.press("escape")
                table.focus()
                await pilot.pause()
        if "sort" in actions:
            await measured.run("sort", sorts)
        if "move" in actions:
            await measured.run("move", moves)
        if "jobs" in actions:
            await pilot.press("j")
            await started(app, pilot, frames)
            jobs = app.screen.query_one(JobTable)

            async def states(op) -> None:
                for _ in range(rounds * 6):
                    before = jobs.query.state
                    await op(key(app, frames, "f", lambda b=before: jobs.query.state != b))

            await measured.run("jobs", states)


async def bulk(db: Path, measured: Measured) -> None:
    from t_bulk import shown, told, wait_until

    from tui.app import ConsoleApp
    from tui.modals.bulk_update import BulkTable, BulkUpdateModal

    app = ConsoleApp(db_path=db, engine=False)
    async with app.run_test(size=(120, 40)) as pilot:
        frames = Frames(app)
        await started(app, pilot, frames)
        await pilot.press("b")
        await wait_until(lambda: isinstance(app.screen, BulkUpdateModal))
        await wait_until(
            lambda: not any(w.is_running for w in app.workers)
        )  # it loads the write path
        await pilot.pause()
        modal = app.screen
        table = modal.query_one(BulkTable)

        async def ok(op) -> None:
            async def select_all_and_ok() -> None:
                await send_key(app, "a")
                await shown(frames, lambda: len(table.marked) == modal.eligible)
                modal.query_one("#ok").focus()
                await send_key(app, "enter")
                await shown(
                    frames, lambda: not isinstance(app.screen, BulkUpdateModal) and told(app)
                )

            await op(select_all_and_ok())

        gc.disable()
        await measured.run("bulk", ok)
        await wait_until(lambda: not any(w.is_running for w in app.workers))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("db", type=Path, help="a jobs fixture (an eligible one for bulk)")
    p.add_argument(
        "--actions",
        default="tick,filter,clear,sort,jobs",
        help=f"comma-separated: {', '.join(ACTIONS)}",
    )
    p.add_argument("--rounds", type=int, default=10)
    p.add_argument(
        "--callgrind",
        action="store_true",
        help="instrument each action alone (run under callgrind)",
    )
    p.add_argument("--profile", action="store_true", help="print cProfile's listing of each action")
    a = p.parse_args()
    actions = [x.strip() for x in a.actions.split(",") if x.strip()]
    if unknown := set(actions) - set(ACTIONS):
        raise SystemExit(
            f"--actions: unknown {', '.join(sorted(unknown))} (known: {', '.join(ACTIONS)})"
        )
    if "bulk" in actions and len(actions) > 1:
        raise SystemExit("--actions: bulk runs alone (on an eligible fixture)")
    if not a.db.exists():
        raise SystemExit(f"no database at {a.db}")
    db = copy_db(a.db, scratch(f"ui-{os.getpid()}.db"))
    measured = Measured(a.callgrind, a.profile)
    try:
        if actions == ["bulk"]:
            asyncio.run(bulk(db, measured))
        else:
            asyncio.run(items_actions(db, actions, a.rounds, measured))
    finally:
        remove_db(db)


if __name__ == "__main__":
    main()
