"""Wall time from a key to the first frame that shows its result (the item table's rows painted
again), in fresh processes alternating between paint modes: what `tui/paint`'s one-frame hook buys
(a latency, not CPU: callgrind does not see it).

    python benchmarks/key_latency.py --items 100000 [--modes "fast -one-frame stock"] [--rounds 3]
        [--samples 8]

Keys: `w` in the empty filter box after a pause in typing (no debounce), backspace from `w`, and
`s` on the table. Each process (one mode, one round) starts the console on a copy of the jobs
fixture (120x40, no engine, its timers paused) and sends each key `--samples` times, 0.1 s apart.
Rounds alternate the modes, so a mode's samples come from the machine's fast and slow phases
alike; medians are printed with the frames drawn up to the rows (2: the echo came alone first).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import PYTHON, ROOT, copy_db, remove_db, scratch  # noqa: E402
from driving import send_key  # noqa: E402

KEYS = (("w", "filter w"), ("backspace", "filter backspace"), ("s", "sort s"))


async def sample(db: Path, samples: int) -> list[tuple[str, float, int]]:
    from profile_ui import pause_all_timers

    from tui.app import ConsoleApp
    from tui.widgets.item_table import ItemTable

    app = ConsoleApp(db_path=db, engine=False)
    out = []
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        table = app.screen.query_one(ItemTable)
        state = {"lines": 0, "at": None, "frames": 0, "armed": False}
        render_line = table.render_line

        def counted(y: int):
            state["lines"] += 1
            return render_line(y)

        table.render_line = counted
        display = app._display

        def drawn(screen, renderable):
            if renderable is not None and state["armed"] and state["at"] is None:
                state["frames"] += 1
                if state["lines"]:
                    state["at"] = time.perf_counter()
            return display(screen, renderable)

        app._display = drawn

        async def press(key: str, label: str) -> None:
            await asyncio.sleep(0.1)
            state.update(lines=0, at=None, frames=0, armed=True)
            started = time.perf_counter()
            await send_key(app, key)
            while state["at"] is None:
                await asyncio.sleep(0.001)
            state["armed"] = False
            out.append((label, state["at"] - started, state["frames"]))

        await pilot.press("slash")
        await pilot.pause()
        app.screen.query_one("#filter").cursor_blink = False
        pause_all_timers(app)
        for _ in range(samples):
            await press("w", KEYS[0][1])
            await press("backspace", KEYS[1][1])
        await pilot.press("escape")
        table.focus()
        await pilot.pause()
        for _ in range(samples):
            await press("s", KEYS[2][1])
    return out


def child(fixture: Path, samples: int) -> None:
    db = copy_db(fixture, scratch("latency.db"))
    try:
        print(json.dumps(asyncio.run(sample(db, samples))))
    finally:
        remove_db(db)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--items", type=int, required=True)
    p.add_argument(
        "--modes", default="fast -one-frame stock", help="space-separated ASR_CONSOLE_PAINT values"
    )
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--samples", type=int, default=8)
    p.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.child:
        child(a.child, a.samples)
        return
    from run import ensure_fixture

    fixture = ensure_fixture("jobs", a.items)
    modes = a.modes.split()
    got: dict[str, list] = {m: [] for m in modes}
    for _ in range(a.rounds):
        for mode in modes:
            value = (
                f"fast,{mode}"
                if mode.startswith("-")
                else f"stock,{mode}"
                if mode.startswith("+")
                else mode
            )
            proc = subprocess.run(
                [
                    PYTHON,
                    __file__,
                    "--items",
                    str(a.items),
                    "--samples",
                    str(a.samples),
                    "--child",
                    str(fixture),
                ],
                cwd=ROOT,
                capture_output=True,
                text=True,
                env={**os.environ, "ASR_CONSOLE_PAINT": value},
                check=False,
            )
            if proc.returncode:
                raise SystemExit(f"{mode}: exited {proc.returncode}: {proc.stderr[-600:]}")
            got[mode] += json.loads(proc.stdout.splitlines()[-1])
    print(
        f'python benchmarks/key_latency.py --items {a.items} --modes "{a.modes}" '
        f"--rounds {a.rounds} --samples {a.samples}"
    )
    print(
        f"load average {os.getloadavg()[0]:.2f}; "
        "ms from the key to the frame with the rows (frames drawn)"
    )
    print("| mode | " + " | ".join(label for _, label in KEYS) + " |")
    print("|---|" + "---|" * len(KEYS))
    for mode, rows in got.items():
        cells = []
        for _, label in KEYS:
            mine = [r for r in rows if r[0] == label]
            cells.append(
                f"{statistics.median(r[1] for r in mine) * 1000:.1f} "
                f"({statistics.median(r[2] for r in mine):g})"
            )
        print(f"| {mode} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
