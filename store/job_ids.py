"""Job ids: the seq that orders jobs and the deterministic, time-ordered GUID each one shows."""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import UTC, datetime, timedelta

from store.db import setting

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_P = 2_147_483_647  # 2**31 - 1: the squares below stay inside SQLite's 64-bit integers
_Q = 4_294_967_291  # the largest prime below 2**32: job_id_sql's 32 pseudo-random bits


def job_id_sql(seq: str, ms: str, key: str, base: str) -> str:
    """The one definition of a job id, as a SQL expression over SQL operands (a column, a :param):
    an RFC 9562 UUIDv7 GUID, time-ordered so that the jobs' unique id index takes new ids in order.

    - unix_ts_ms (48 bits): `ms`, the job's created engine time in milliseconds;
    - version 7, variant 10;
    - a 42-bit counter, RFC 9562 method 1 (fixed-length dedicated counter bits), in rand_a (12
      bits) and the first 30 bits of rand_b: `base` (counter_base: a pseudo-random start for the
      created ms, as RFC 9562 recommends, so an id does not show how many jobs exist) plus the
      job's seq, so ids increase with seq within one ms (a bulk update creates 100,000 jobs at the
      same engine time) and are unique;
    - 32 pseudo-random bits, the same on every run of a scenario: x = seq scrambled with `key`, the
      scenario seed's key (job_id_key), modulo 2**31 - 1, then x*x + c modulo the largest prime
      below 2**32.

    Integer arithmetic and printf only: computing 100,000 ids inside an INSERT ... SELECT costs no
    Python call per row. SQLite evaluates every copy of a subexpression, so the expression is kept
    small: one squaring, six printf arguments (benchmarks/README.md, "Figures behind
    constants")."""
    x = f"((({seq}) % {_P}) * 1103515245 + {key}) % {_P}"
    rand = f"(({x}) * ({x}) + 12345) % {_Q}"
    counter = f"(({base}) + ({seq}))"
    return (
        f"printf('%08x-%04x-7%03x-%04x-%04x%08x', ({ms}) >> 16, ({ms}) & 65535, ({counter} >> 30) &"
        f" 4095, 32768 | (({counter} >> 16) & 16383), {counter} & 65535, {rand})"
    )


def counter_base(ms: int, key: int) -> int:
    """Where the id counter starts for the jobs created at engine time `ms`: pseudo-random from the
    scenario seed's key, below 2**41 so that adding a seq never overflows the 42-bit counter."""
    digest = hashlib.blake2b(f"{key}:{ms}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 23


def job_id_key(conn: sqlite3.Connection) -> int:
    """The scenario seed's key for job_id_sql's pseudo-random bits."""
    seed = setting(conn, "seed", "1")
    return (
        int.from_bytes(hashlib.blake2b(f"job-id:{seed}".encode(), digest_size=8).digest(), "big")
        % _P
    )


def epoch_ms(moment: datetime) -> int:
    """A job id's timestamp: its created time as the job records it (whole seconds, like iso()), in
    milliseconds since the unix epoch."""
    return (moment.replace(microsecond=0) - _EPOCH) // timedelta(milliseconds=1)


def next_seq(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT coalesce(max(seq), 0) + 1 FROM jobs").fetchone()[0]


_IDS_FROM = f"""
WITH RECURSIVE s(seq) AS (SELECT :start UNION ALL SELECT seq + 1 FROM s WHERE seq < :stop)
SELECT seq, {job_id_sql("seq", ":ms", ":key", ":base")} FROM s
"""


def next_job_ids(conn: sqlite3.Connection, count: int, created: datetime) -> list[tuple[int, str]]:
    """(seq, GUID) pairs for the next `count` jobs, created at `created` (engine time): the same on
    every run of the same scenario. The GUID is job_id_sql's, computed by SQLite."""
    return job_ids(conn, next_seq(conn), count, created)


def job_id_params(conn: sqlite3.Connection, created: datetime) -> dict[str, int]:
    """The :ms, :key and :base operands of job_id_sql for jobs created at `created`."""
    ms, key = epoch_ms(created), job_id_key(conn)
    return {"ms": ms, "key": key, "base": counter_base(ms, key)}


def job_ids(
    conn: sqlite3.Connection, start: int, count: int, created: datetime
) -> list[tuple[int, str]]:
    """(seq, GUID) for seqs start .. start + count - 1 created at `created`."""
    if count <= 0:
        return []
    return conn.execute(
        _IDS_FROM, {"start": start, "stop": start + count - 1, **job_id_params(conn, created)}
    ).fetchall()
