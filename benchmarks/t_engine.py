"""(e) The nightly automatic run creating N jobs (the eligible fleet: every machine can update),
then
one hour of engine time with those N jobs in flight: store.engine.loop.advance in-process, wall
time.

References, same run: for the nightly run, the SQL floor of creating the same jobs (a plain
executemany
of the job rows and the one UPDATE of their machines); for the hour, the same hour on the same fleet
with automatic updates off (no jobs: the engine's prerequisite checks alone), in its own process.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    BENCH,
    PYTHON,
    Result,
    copy_db,
    median,
    remove_db,
    scratch,
    sql_floor_jobs,
    worker_args,
    write_results,
)


def _midnight(db) -> tuple:
    from store.clock import next_local_midnight
    from store.engine.loop import processed_until

    tz = db.conn.execute("SELECT time_zone FROM vaults ORDER BY id LIMIT 1").fetchone()[0]
    start = processed_until(db.conn)
    return start, next_local_midnight(start, tz)


def nightly_then_hour(src: Path) -> dict:
    from store.db import open_db
    from store.engine.loop import advance

    work = copy_db(src, scratch("engine.db"))
    db = open_db(work)
    try:
        _start, midnight = _midnight(db)
        t, c = time.perf_counter(), time.process_time()
        night = advance(db, midnight)
        night_s, night_cpu = time.perf_counter() - t, time.process_time() - c
        jobs = db.conn.execute("SELECT count(*) FROM jobs").fetchone()[0]
        items = db.conn.execute("SELECT count(*) FROM items").fetchone()[0]
        floor = sql_floor_jobs(src, work)
        t, c = time.perf_counter(), time.process_time()
        hour = advance(db, midnight + timedelta(hours=1))
        hour_s, hour_cpu = time.perf_counter() - t, time.process_time() - c
    finally:
        db.close()
        remove_db(work)
    return {
        "night_s": night_s,
        "night_cpu": night_cpu,
        "jobs": jobs,
        "items": items,
        "floor_s": floor,
        "hour_s": hour_s,
        "hour_cpu": hour_cpu,
        "night": night.summary(),
        "hour": hour.summary(),
    }


def hour_without_jobs(src: Path) -> dict:
    from store.db import open_db
    from store.engine.loop import advance

    work = copy_db(src, scratch("engine-ref.db"))
    db = open_db(work)
    try:
        with db.conn:
            db.conn.execute("UPDATE vaults SET agent_auto_update = 0")
        _start, midnight = _midnight(db)
        advance(db, midnight)
        t, c = time.perf_counter(), time.process_time()
        hour = advance(db, midnight + timedelta(hours=1))
        return {
            "hour_s": time.perf_counter() - t,
            "hour_cpu": time.process_time() - c,
            "hour": hour.summary(),
        }
    finally:
        db.close()
        remove_db(work)


def main() -> None:
    a = worker_args(lambda p: p.add_argument("--ref-hour", action="store_true"))
    if a.ref_hour:  # child: the reference hour in a fresh process
        print(json.dumps(hour_without_jobs(a.eligible)))
        return
    runs, refs = [], []
    for _ in range(a.repeat):
        runs.append(nightly_then_hour(a.eligible))
        out = subprocess.run(
            [
                PYTHON,
                str(BENCH / "t_engine.py"),
                "--items",
                str(a.items),
                "--eligible",
                str(a.eligible),
                "--ref-hour",
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        refs.append(json.loads(out))
    if runs[0]["jobs"] != runs[0]["items"]:
        raise SystemExit(
            f"the nightly run created {runs[0]['jobs']} jobs for {runs[0]['items']} machines"
        )
    m = {
        k: median([r[k] for r in runs])
        for k in ("night_s", "night_cpu", "floor_s", "hour_s", "hour_cpu")
    }
    ref_hour = median([r["hour_s"] for r in refs])
    write_results(
        a.out,
        [
            Result(
                "e.nightly",
                f"nightly run: all {runs[0]['jobs']:,} jobs created",
                m["night_s"],
                "s",
                m["floor_s"],
                "SQL floor: executemany of the jobs",
                "< 5 s",
                m["night_s"] < 5.0,
                samples=[r["night_s"] for r in runs],
                notes=f"CPU {m['night_cpu']:.2f} s; advance 1 min to midnight: {runs[0]['night']}",
            ),
            Result(
                "e.hour",
                f"advance 1 h with {runs[0]['jobs']:,} jobs in flight",
                m["hour_s"],
                "s",
                ref_hour,
                "same hour, no jobs (checks only)",
                "< 10 s",
                m["hour_s"] < 10.0,
                samples=[r["hour_s"] for r in runs],
                notes=f"CPU {m['hour_cpu']:.2f} s; {runs[0]['hour']}; reference: {refs[0]['hour']}",
            ),
        ],
    )


if __name__ == "__main__":
    main()
