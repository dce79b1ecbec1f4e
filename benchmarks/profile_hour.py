"""Where e.hour's time goes, statement by statement: the nightly run on a copy of an eligible
fixture,
then the same one-hour advance as t_engine.py, with CPU time summed per SQL statement text.

    python benchmarks/profile_hour.py benchmarks/.cache/eligible-100000-s1-<hash>.db [--top 25]

Not a benchmark target (the wrapper around the connection adds a little time per statement): a
tool for finding the statements an optimisation should go after. Python time is the rest of the CPU.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import copy_db, remove_db, scratch  # noqa: E402


class _Rows(list):
    """A fetched result, so a statement's time includes reading its rows."""

    rowcount = -1

    def fetchall(self) -> list:
        return list(self)

    def fetchone(self):
        return self[0] if self else None


class TimedConnection:
    """Forwards to a sqlite3 connection, summing CPU time per statement (first 110 characters)."""

    def __init__(self, conn) -> None:
        self._conn = conn
        self.totals: dict[str, list] = defaultdict(lambda: [0, 0.0])

    def __getattr__(self, name):
        return getattr(self._conn, name)

    def _timed(self, call, sql: str, *args):
        began = time.process_time()
        out = call(sql, *args)
        if sql.lstrip().upper().startswith(("SELECT", "WITH")):
            out = _Rows(out.fetchall())
        entry = self.totals[" ".join(sql.split())[:110]]
        entry[0] += 1
        entry[1] += time.process_time() - began
        return out

    def execute(self, sql: str, *args):
        return self._timed(self._conn.execute, sql, *args)

    def executemany(self, sql: str, *args):
        return self._timed(self._conn.executemany, sql, *args)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("eligible", type=Path)
    p.add_argument("--top", type=int, default=25)
    a = p.parse_args()
    from t_engine import _midnight

    from store.db import open_db
    from store.engine.loop import advance

    work = copy_db(a.eligible, scratch("profile-hour.db"))
    db = open_db(work)
    try:
        _start, midnight = _midnight(db)
        advance(db, midnight)
        timed = TimedConnection(db.conn)
        db.conn = timed
        wall, cpu = time.perf_counter(), time.process_time()
        hour = advance(db, midnight + timedelta(hours=1))
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        db.conn = timed._conn
    finally:
        db.close()
        remove_db(work)
    sql = sum(s for _n, s in timed.totals.values())
    print(
        f"hour: wall {wall:.2f} s, CPU {cpu:.2f} s (SQL {sql:.2f} s, the rest Python);"
        f" {hour.summary()}"
    )
    print("  CPU s  calls  statement")
    for text, (n, s) in sorted(timed.totals.items(), key=lambda kv: -kv[1][1])[: a.top]:
        print(f"{s:7.3f} {n:6d}  {text}")


if __name__ == "__main__":
    main()
