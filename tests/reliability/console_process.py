"""One operator console in its own process, driven by a pilot: `python console_process.py DB SECONDS
PRESS_EVERY REPORT.json`. The console runs with the engine on (as `asr-console` starts it), the
operator presses down a few times and `u` (update the highlighted machine) every PRESS_EVERY
seconds, then quits (after SECONDS, or as soon as REPORT.json.quit exists). REPORT.json.ready
appears once the console is up. The report says when this console held the engine lease, what it
told the
operator, how long each key press took, and any exception (a traceback the operator would see)."""

from __future__ import annotations

import asyncio
import json
import random
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: the waiting helpers
from waiting import until  # noqa: E402

MIN_PRESSES = 2
"""Presses a console makes before it honours a quit request."""


async def drive(db: Path, seconds: float, press_every: float, report: dict) -> None:
    from tui.app import ConsoleApp

    app = ConsoleApp(db_path=db, engine=True)
    shown: list[str] = report["notifications"]
    original = app.notify

    def notify(message, *args, **kwargs):
        shown.append(str(message))
        return original(message, *args, **kwargs)

    app.notify = notify
    rng = random.Random(hash(str(db)) ^ int(time.time()))
    holding_since: float | None = None

    def sample() -> None:
        nonlocal holding_since
        engine = app.engine
        now = time.time()
        holding = engine is not None and engine.holding and not engine.stop.is_set()
        if holding and holding_since is None:
            holding_since = now
        elif not holding and holding_since is not None:
            report["held"].append([holding_since, now])
            holding_since = None

    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await until(
                pilot, lambda: app.first_frame_shown, "the console's first rows", timeout=60
            )
            quit_file = Path(report["path"] + ".quit")
            Path(report["path"] + ".ready").write_text("up")
            began = time.monotonic()
            next_press = began + press_every

            def asked_to_quit() -> bool:  # after its first presses: a slow start still presses
                return quit_file.exists() and len(report["press_wall"]) >= MIN_PRESSES

            while time.monotonic() - began < seconds and not asked_to_quit():
                sample()
                if time.monotonic() >= next_press:
                    t = time.monotonic()
                    await pilot.press(*(["down"] * rng.randint(0, 3)), "u")
                    report["press_wall"].append(time.monotonic() - t)
                    next_press = time.monotonic() + press_every
                await pilot.pause(0.05)  # pacing: the operator's rhythm, and the lease samples
            sample()
            report["workers"] = [[w.name, str(w.state), repr(w.error)] for w in app.workers]
            if holding_since is not None:
                report["held"].append([holding_since, time.time()])
                holding_since = None
            report["quit_at"] = time.time()
            await pilot.press("q")
    except BaseException:  # noqa: BLE001 - the report carries it: an operator would see this traceback
        report["exception"] = traceback.format_exc()
    report["exited_at"] = time.time()


def main() -> None:
    db, seconds, press_every, out = (
        Path(sys.argv[1]),
        float(sys.argv[2]),
        float(sys.argv[3]),
        Path(sys.argv[4]),
    )
    report: dict = {
        "notifications": [],
        "held": [],
        "press_wall": [],
        "workers": [],
        "exception": None,
        "pid": None,
        "path": str(out),
    }
    import os

    report["pid"] = os.getpid()
    try:
        asyncio.run(drive(db, seconds, press_every, report))
    finally:
        out.write_text(json.dumps(report))


if __name__ == "__main__":
    main()
