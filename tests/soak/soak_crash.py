"""Soak: kill -9 the engine-holding process 20 times during a nightly run of 2,000 jobs.

    .venv/bin/python tests/soak/soak_crash.py                 # 20 kills, real CLI, real 10 s lease
    (~5 min)
    .venv/bin/python tests/soak/soak_crash.py --kills 50      # more
    .venv/bin/python tests/soak/soak_crash.py --ttl 1.5       # short lease
    (tests/reliability/short_lease.py), ~1 min

Each trial launches `python -m tui.cli engine run` or `clock advance 2-8m` (alternately) on one
database, waits until it holds the engine lease, and kills it with SIGKILL at a random moment. The
next launch must wait for the dead holder's lease to expire (a launch made before that is refused
in one line) and takes over. After every kill: PRAGMA integrity_check, one active job per machine
at most, the night's 2,000 jobs all there or none, the clock never back. After the last kill the
real CLI finishes the night, then: every job ran exactly once to a final state (its task chain
intact), every Succeeded machine carries the new version, the failures are exactly the planted
ones, one 'auto-update agents' audit row says 2,000, and the result is identical, row for row, to
the same night run without a crash. Exit status 0 when all holds; the figures are printed.
Not collected by pytest (the file name does not start with test_)."""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reliability"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: the waiting helpers

import crash_harness as harness  # noqa: E402
from reliability_kit import load_world, nightly_world  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--machines", type=int, default=2000)
    parser.add_argument(
        "--cap", type=int, default=8, help="agent updates at once per appliance (longer night)"
    )
    parser.add_argument(
        "--ttl", type=float, default=None, help="short lease via short_lease.py (default: real)"
    )
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="asr-soak-crash-"))
    began = time.monotonic()
    try:
        db = load_world(folder / "crash.db", nightly_world(machines=args.machines, cap=args.cap))
        reference = folder / "reference.db"
        shutil.copy(db, reference)
        print(
            f"{args.machines} machines, cap {args.cap}, lease"
            f" {'real (10 s)' if args.ttl is None else f'{args.ttl} s (shim)'}, seed {args.seed},"
            f" in {folder}"
        )
        report = harness.run_trials(
            db,
            kills=args.kills,
            expected_jobs=args.machines,
            ttl=args.ttl,
            seed=args.seed,
            max_alive_s=1.0,
        )
        harness.finish(db, args.ttl)
        final = harness.final_violations(db, machines=args.machines)
        harness.reference_run(reference, harness.clock_now(db))
        diff = harness.first_difference(harness.outcome(db), harness.outcome(reference))
        problems = (
            report.violations
            + final.lines
            + ([f"differs from the uninterrupted night: {diff}"] if diff else [])
        )
        refused = sum(t.refused_launches for t in report.trials)
        print(
            f"\n{report.kills} kills ({report.kills_during_night} during the night) in"
            f" {len(report.trials)} launches; {refused} launches refused while a dead holder's"
            f" lease was live; {sum(t.waited_for_lease_s for t in report.trials):.0f} s waited for"
            " leases to expire"
        )
        print(f"{args.machines} jobs checked; {time.monotonic() - began:.0f} s in all")
        for line in problems[:50]:
            print("PROBLEM:", line)
        print(
            "OK: nothing lost, nothing run twice" if not problems else f"{len(problems)} problems"
        )
        return 0 if not problems else 1
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
