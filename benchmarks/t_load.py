"""(a) `asr-console demo load --items N` as a process, against a plain executemany of the same
rows."""

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
    SEED,
    Result,
    median,
    remove_db,
    scratch,
    timed_process,
    worker_args,
    write_results,
)


def main() -> None:
    a = worker_args()
    n, rows = a.items, a.rows
    ours, ref, ref_insert = [], [], []
    db = scratch("load.db")
    for k in range(a.repeat + 1):  # the first round warms the page cache and imports; discarded
        remove_db(db)
        t, _ = timed_process(
            [CONSOLE, "demo", "load", "--items", str(n), "--seed", str(SEED), "--db", str(db)]
        )
        counts = _counts(db)
        remove_db(db)
        r, out = timed_process(
            [PYTHON, str(BENCH / "ref_executemany.py"), str(rows), str(db)], stdout=subprocess.PIPE
        )
        if _counts(db) != counts:
            raise SystemExit(f"reference wrote different rows: {_counts(db)} vs {counts}")
        if k:
            ours.append(t)
            ref.append(r)
            ref_insert.append(json.loads(out)["insert_s"])
    remove_db(db)
    o, r = median(ours), median(ref)
    write_results(
        a.out,
        [
            Result(
                "a.load",
                f"demo load --items {n} (process)",
                o,
                "s",
                r,
                "plain executemany, indexes after (process)",
                "<= 3x ref",
                o <= 3 * r,
                samples=ours,
                notes=(
                    f"counts {counts}; the reference's executemany alone took"
                    f" {median(ref_insert) * 1000:.0f} ms"
                ),
            ),
        ],
    )


def _counts(db: Path) -> dict:
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        return {
            t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("items", "jobs", "tasks", "components")
        }
    finally:
        conn.close()


if __name__ == "__main__":
    main()
