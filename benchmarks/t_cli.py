"""(g) `asr-console items --status blocked --json` as a process, against a plain sqlite3 + json
script writing the same rows with the same keys (also a process). Both start warm: compiled
bytecode cached, as for an installed program (t_startup.warm_bytecode)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    BENCH,
    CONSOLE,
    PYTHON,
    Result,
    copy_db,
    median,
    remove_db,
    scratch,
    timed_process,
    worker_args,
    write_results,
)
from t_startup import warm_bytecode


def main() -> None:
    a = worker_args()
    warm_bytecode()
    db = copy_db(a.fleet, scratch("cli.db"))
    ours, ref = [], []
    try:
        for k in range(a.repeat + 1):  # round 0 warms the caches; discarded
            t, out = timed_process(
                [CONSOLE, "items", "--status", "blocked", "--json", "--db", str(db)],
                stdout=subprocess.PIPE,
            )
            r, ref_out = timed_process(
                [PYTHON, str(BENCH / "ref_items_json.py"), str(db)], stdout=subprocess.PIPE
            )
            if k == 0:
                n_ours, n_ref = len(json.loads(out)), len(json.loads(ref_out))
                if n_ours != n_ref:
                    raise SystemExit(f"reference printed {n_ref} items, the CLI {n_ours}")
                size = len(out)
            else:
                ours.append(t)
                ref.append(r)
    finally:
        remove_db(db)
    o, r = median(ours), median(ref)
    write_results(
        a.out,
        [
            Result(
                "g.cli",
                "items --status blocked --json (process)",
                o,
                "s",
                r,
                "plain sqlite3 + json (process)",
                "< 1 s",
                o < 1.0,
                samples=ours,
                notes=f"{n_ours:,} items, {size / 1e6:.1f} MB of JSON",
            )
        ],
    )


if __name__ == "__main__":
    main()
