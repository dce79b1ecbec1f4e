"""The engine at scale with the knobs run.py keeps fixed: a nightly run creating N jobs, then one
hour with them in flight, for a given per-vault cap and appliance size.

    .venv/bin/python benchmarks/engine_caps.py 100000 [--cap 10] [--per-appliance 200]

The nightly run is printed against its SQL floor (the same job rows written by a plain executemany
and the one UPDATE of their machines, common.sql_floor_jobs) measured in the same run. run.py's
(e) targets use t_engine.py; this script is for exploring caps and appliance sizes.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "tests" / "engine")]

from common import copy_db, sql_floor_jobs  # noqa: E402
from worlds import PREVIOUS, appliance, world  # noqa: E402

from store.db import open_db
from store.engine.loop import advance, processed_until
from store.sim.loader import load_scenario
from store.sim.scenario import parse_scenario


def build(n: int, per_appliance: int, cap: int) -> dict:
    n_appl = max(1, n // per_appliance)
    appliances = [appliance(f"appl-{a:04d}") for a in range(n_appl)]
    items = [
        {
            "name": f"vm-{i:06d}",
            "os": "Windows Server 2019",
            "appliance": f"appl-{i % n_appl:04d}",
            "agent_version": PREVIOUS,
        }
        for i in range(n)
    ]
    return world(
        items=items,
        appliances=appliances,
        vaults=[
            {"name": "vault-east", "time_zone": "America/New_York", "max_concurrent_updates": cap}
        ],
        start="2026-12-16T23:59:00-05:00",
    )


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("n", type=int)
    p.add_argument("--cap", type=int, default=10)
    p.add_argument("--per-appliance", type=int, default=200)
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = open_db(Path(tmp) / "bench.db")
        t = time.perf_counter()
        load_scenario(
            db,
            parse_scenario(json.dumps(build(args.n, args.per_appliance, args.cap)), "bench"),
            source="bench",
        )
        print(f"load {args.n} machines: {time.perf_counter() - t:.2f}s")
        start = processed_until(db.conn)
        db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the copy is of the file alone
        before = copy_db(Path(tmp) / "bench.db", Path(tmp) / "before.db")
        t, cpu = time.perf_counter(), time.process_time()
        advance(db, start + timedelta(seconds=60))  # across the vault's local midnight
        wall = time.perf_counter() - t
        jobs = db.conn.execute("SELECT count(*) FROM jobs").fetchone()[0]
        floor = sql_floor_jobs(before, Path(tmp) / "bench.db")
        print(
            f"nightly run (advance 1 min across midnight) creating {jobs} jobs: "
            f"{wall:.2f}s wall, {time.process_time() - cpu:.2f}s CPU; SQL floor {floor:.2f}s "
            f"({wall / floor:.2f}x)"
        )
        t, cpu = time.perf_counter(), time.process_time()
        result = advance(db, processed_until(db.conn) + timedelta(hours=1))
        print(
            f"advance 1h with {jobs} jobs in flight: {time.perf_counter() - t:.2f}s wall, "
            f"{time.process_time() - cpu:.2f}s CPU ({result.windows} windows; {result.summary()})"
        )
        db.close()


if __name__ == "__main__":
    main()
