"""The paint fast path against Textual's stock path, hook by hook, in callgrind instructions: what
`tui/paint/README.md` quotes for each hook (deterministic where this VM's CPU time is not).

    python benchmarks/paint_ab.py --items 100000          # fast, stock, and fast less each hook
    python benchmarks/paint_ab.py --items 100000 --modes "fast stock" --actions startup,bulk
    python benchmarks/paint_ab.py --items 100000 --modes "fast -title fast,-scrollbar,-table-height"

`--modes` is a space-separated list of `ASR_CONSOLE_PAINT` values; `-HOOK` is short for
`fast,-HOOK`, `+HOOK` for `stock,+HOOK`. For each mode: `startup`, instructions from process
start to the write that completes the first data row's name (`first_row.py` in a 120x40 pty; the
empty Textual app measured the same way is the reference); `footer`, the same to the key
footer's last key (`^p palette`); `tick`, `filter`, `clear`, `sort`, `move`, `slash`, `jobs`,
instructions per operation of `profile_ui.py` (`--rounds` rounds); `bulk`, the bulk dialog's
select all and OK on the eligible fleet. Every child runs under valgrind with PYTHONHASHSEED=0
and bytecode cached.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import select
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import BENCH, CACHE, PYTHON, ROOT  # noqa: E402
from profile_ui import PER_ROUND  # noqa: E402
from run import ensure_fixture  # noqa: E402
from t_startup import first_name  # noqa: E402

UI_ACTIONS = ("tick", "filter", "clear", "sort", "move", "slash", "jobs")
ACTIONS = ("startup", "footer", *UI_ACTIONS, "bulk")
DEFAULT_ACTIONS = ("startup", "tick", "filter", "clear", "sort", "jobs")


def mode_env(mode: str) -> str:
    return (
        f"fast,{mode}"
        if mode.startswith("-")
        else f"stock,{mode}"
        if mode.startswith("+")
        else mode
    )


def valgrind(out: Path, *, at_start: bool) -> list[str]:
    return [
        "valgrind",
        "--tool=callgrind",
        f"--instr-atstart={'yes' if at_start else 'no'}",
        f"--callgrind-out-file={out}",
        PYTHON,
    ]


def child_env(mode: str | None) -> dict[str, str]:
    env = {
        **os.environ,
        "PYTHONHASHSEED": "0",
        "PYTHONPYCACHEPREFIX": str(CACHE / "pycache"),
        "TERM": "xterm-256color",
        "COLORTERM": "truecolor",
        "COLUMNS": "120",
        "LINES": "40",
    }
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("TEXTUAL", None)
    if mode is not None:
        env["ASR_CONSOLE_PAINT"] = mode_env(mode)
    return env


def totals(path: Path) -> int:
    for line in path.read_text().splitlines():
        if line.startswith("totals:"):
            return int(line.split()[1])
    raise RuntimeError(f"no totals in {path}")


def parts(out: Path) -> dict[str, int]:
    """Instructions of each dump `profile_ui.py --callgrind` made, by the action it named."""
    found = {}
    for path in out.parent.glob(out.name + ".*"):
        trigger = next(
            (x for x in path.read_text().splitlines() if x.startswith("desc: Trigger:")), ""
        )
        if trigger.startswith("desc: Trigger: dump "):
            found[trigger.removeprefix("desc: Trigger: dump ")] = totals(path)
    return found


def in_pty(cmd: list[str], env: dict[str, str], timeout: float = 900) -> None:
    """Run `cmd` on a 120x40 pseudo-terminal until it exits, reading what it writes."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    proc = subprocess.Popen(
        cmd,
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        cwd=ROOT,
        start_new_session=True,
        close_fds=True,
    )
    os.close(slave)
    tail = b""
    end = time.monotonic() + timeout
    try:
        while proc.poll() is None:
            if time.monotonic() > end:
                proc.kill()
                raise RuntimeError(f"{cmd[-3:]} still running after {timeout:.0f} s")
            if select.select([master], [], [], 0.1)[0]:
                try:
                    tail = (tail + os.read(master, 65536))[-2000:]
                except OSError:
                    break
    finally:
        os.close(master)
    if proc.wait() != 0:
        raise RuntimeError(f"{cmd[-3:]} exited {proc.returncode}: {tail[-400:]!r}")


def first_row(fleet: Path, mode: str | None, work: Path, marker: str | None = None) -> int:
    """Instructions from process start to the write that completes `marker` (default: the first
    data row's name; mode None: the empty app's first frame)."""
    from common import copy_db, remove_db

    db = copy_db(fleet, work / "startup.db")
    try:
        launch = (
            [str(BENCH / "first_row.py"), marker or first_name(fleet), "console", "--db", str(db)]
            if mode
            else [str(BENCH / "first_row.py"), "empty-app-ready", "empty"]
        )
        in_pty([PYTHON, *launch], child_env(mode))  # warms the bytecode cache and the OS caches
        out = work / f"start-{time.monotonic_ns()}.out"
        in_pty([*valgrind(out, at_start=True), *launch], child_env(mode))
        return totals(out)
    finally:
        remove_db(db)


def ui(db: Path, mode: str, actions: list[str], rounds: int, work: Path) -> dict[str, float]:
    """Instructions per operation of each action."""
    out = work / f"ui-{time.monotonic_ns()}.out"
    cmd = [
        *valgrind(out, at_start=False),
        str(BENCH / "profile_ui.py"),
        str(db),
        "--callgrind",
        "--actions",
        ",".join(actions),
        "--rounds",
        str(rounds),
    ]
    proc = subprocess.run(
        cmd, env=child_env(mode), cwd=ROOT, capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(f"profile_ui.py ({mode}) exited {proc.returncode}: {proc.stderr[-600:]}")
    got = parts(out)
    return {a: got[a] / ((1 if a == "bulk" else rounds) * PER_ROUND[a]) for a in actions}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--items", type=int, required=True)
    p.add_argument(
        "--modes", help="space-separated (default: fast, stock, and fast less each hook)"
    )
    p.add_argument("--actions", default=",".join(DEFAULT_ACTIONS), help=f"of {', '.join(ACTIONS)}")
    p.add_argument("--rounds", type=int, default=5)
    a = p.parse_args()
    sys.path.insert(0, str(ROOT))
    from tui.paint import HOOKS

    modes = a.modes.split() if a.modes else ["fast", "stock", *(f"-{h}" for h in HOOKS)]
    actions = [x for x in a.actions.split(",") if x]
    if unknown := set(actions) - set(ACTIONS):
        raise SystemExit(f"--actions: unknown {', '.join(sorted(unknown))}")
    fleet = ensure_fixture("fleet", a.items) if {"startup", "footer"} & set(actions) else None
    jobs = ensure_fixture("jobs", a.items) if set(actions) & set(UI_ACTIONS) else None
    eligible = ensure_fixture("eligible", a.items) if "bulk" in actions else None
    rows: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="paint-ab-") as tmp:
        work = Path(tmp)
        empty = first_row(fleet, None, work) if "startup" in actions else None
        for mode in modes:
            t = time.monotonic()
            got: dict[str, float] = {}
            if "startup" in actions:
                got["startup"] = first_row(fleet, mode, work)
            if "footer" in actions:
                got["footer"] = first_row(fleet, mode, work, marker="palette")
            if ui_actions := [x for x in actions if x in UI_ACTIONS]:
                got |= ui(jobs, mode, ui_actions, a.rounds, work)
            if eligible:
                got |= ui(eligible, mode, ["bulk"], 1, work)
            rows[mode] = got
            print(f"  {mode}: {time.monotonic() - t:.0f} s", file=sys.stderr, flush=True)
    print(
        f'python benchmarks/paint_ab.py --items {a.items} --modes "{" ".join(modes)}" '
        f"--actions {','.join(actions)} --rounds {a.rounds}"
    )
    print(
        "M instructions per operation (startup, footer: from process start); x: against fast"
        + (f"; the empty Textual app's first frame: {empty / 1e6:,.1f} M" if empty else "")
    )
    head = ["mode", *actions]
    table = [head]
    base = rows.get("fast", {})
    for mode, got in rows.items():
        cells = [mode]
        for action in actions:
            value = got[action] / 1e6
            cell = f"{value:,.1f}"
            if action == "startup" and empty:
                cell += f" ({got[action] / empty:.2f}x empty)"
            if mode != "fast" and base.get(action):
                cell += f" {got[action] / base[action]:.2f}x"
            cells.append(cell)
        table.append(cells)
    widths = [max(len(r[i]) for r in table) for i in range(len(head))]
    for n, r in enumerate(table):
        print("| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |")
        if n == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")


if __name__ == "__main__":
    main()
