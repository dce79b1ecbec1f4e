"""Scale benchmark (not collected by pytest): nightly run creating N jobs, then one hour with them in flight.

    .venv/bin/python tests/engine/bench_engine.py 100000 [--cap 10]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from worlds import PREVIOUS, appliance, world

from store.db import open_db
from store.engine.loop import advance, processed_until
from store.sim.loader import load_scenario
from store.sim.scenario import parse_scenario


def build(n: int, per_appliance: int, cap: int) -> dict:
    n_appl = max(1, n // per_appliance)
    appliances = [appliance(f"appl-{a:04d}") for a in range(n_appl)]
    items = [{"name": f"vm-{i:06d}", "os": "Windows Server 2019", "appliance": f"appl-{i % n_appl:04d}",
              "agent_version": PREVIOUS} for i in range(n)]
    return world(items=items, appliances=appliances,
                 vaults=[{"name": "vault-east", "time_zone": "America/New_York", "max_concurrent_updates": cap}],
                 start="2026-12-16T23:59:00-05:00")


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("n", type=int)
    p.add_argument("--cap", type=int, default=10)
    p.add_argument("--per-appliance", type=int, default=200)
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = open_db(Path(tmp) / "bench.db")
        t = time.perf_counter()
        load_scenario(db, parse_scenario(json.dumps(build(args.n, args.per_appliance, args.cap)), "bench"),
                      source="bench")
        print(f"load {args.n} machines: {time.perf_counter() - t:.2f}s")
        start = processed_until(db.conn)
        t, cpu = time.perf_counter(), time.process_time()
        advance(db, start + timedelta(seconds=60))  # across the vault's local midnight
        jobs = db.conn.execute("SELECT count(*) FROM jobs").fetchone()[0]
        print(f"nightly run (advance 1 min across midnight) creating {jobs} jobs: "
              f"{time.perf_counter() - t:.2f}s wall, {time.process_time() - cpu:.2f}s CPU")
        t, cpu = time.perf_counter(), time.process_time()
        result = advance(db, processed_until(db.conn) + timedelta(hours=1))
        print(f"advance 1h with {jobs} jobs in flight: {time.perf_counter() - t:.2f}s wall, "
              f"{time.process_time() - cpu:.2f}s CPU ({result.windows} windows; {result.summary()})")
        db.close()


if __name__ == "__main__":
    main()
