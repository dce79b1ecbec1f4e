"""Soak: two consoles, one `engine run` and a stream of CLI updates on one database for a minute.

    .venv/bin/python tests/soak/soak_concurrency.py                # 60 s, 3 update callers
    .venv/bin/python tests/soak/soak_concurrency.py --seconds 300 --callers 4

Two consoles run as real processes (tests/reliability/console_process.py: a pilot on ConsoleApp
with the engine on, pressing `u` on a machine every second); `python -m tui.cli engine run`
holds the engine lease first. After 30% of the time `engine run` gets Ctrl-C and a console takes
the lease over; after 60% the holding console quits and the other takes over; a second
`engine run` is then refused in one line. All along, `update` processes hit random machines
(often the same ones at once), and a new agent build is published every ~10 s (`sim release`)
so there is always something to update. Checked: one lease holder at a time (the consoles' holding
intervals never overlap), never two active jobs for a machine (sampled every 50 ms and at the
end), the clock never goes back, every CLI call exits 0 or 1 with refusal lines only, and no
"database is locked" reaches a user (CLI stderr, console notifications, worker errors).
Exit status 0 when all holds. Not collected by pytest."""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reliability"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: the waiting helpers

import concurrency_harness as harness  # noqa: E402
from reliability_kit import load_world  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--callers", type=int, default=3)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="asr-soak-concurrency-"))
    try:
        db = load_world(folder / "busy.db", harness.busy_world())
        stream = harness.run_scenario(db, folder, seconds=args.seconds, callers=args.callers)
        presses = [w for c in stream.consoles for w in c["press_wall"]]
        print(
            f"\n{stream.calls} CLI calls ({stream.codes}), {stream.created} jobs created,"
            f" {stream.refused} refusals; {stream.releases} releases published; {len(presses)}"
            f" console updates; {stream.samples} monitor samples; max active jobs per machine"
            f" {stream.max_active_per_item}"
        )
        if stream.cli_wall:
            print(
                f"CLI call wall time: median {statistics.median(stream.cli_wall):.2f} s, "
                f"max {max(stream.cli_wall):.2f} s"
            )
        print("lease holders in turn:", " -> ".join(h for _t, h in stream.holders))
        for line in stream.problems[:50]:
            print("PROBLEM:", line)
        print("OK" if not stream.problems else f"{len(stream.problems)} problems")
        return 0 if not stream.problems else 1
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
