"""Job ids: RFC 9562 version 7 GUIDs (time-ordered), unique, increasing with seq, the same on every
run,
and not counting up from zero (the counter starts at a pseudo-random value per created time)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from worlds import machine, world

from store import operations
from store.clock import parse_iso
from store.engine import sim_actions
from store.engine.loop import advance_by
from store.job_ids import counter_base, epoch_ms, job_id_key

FLEET = world(
    items=[machine(f"vm-{n:02d}") for n in range(12)],
    jobs=[
        {"item": "vm-10", "state": "Succeeded", "started_minutes_ago": 90},
        {"item": "vm-11", "state": "InProgress", "started_minutes_ago": 3},
    ],
)


def _drive(db) -> list[tuple[int, str, str]]:
    """Every way jobs are created: the scenario's, per machine, set-based, a component update."""
    operations.update(db, ["vm-00", "vm-01"])
    advance_by(db, timedelta(minutes=2))
    operations.update_all_eligible(db)
    sim_actions.release(db, "push-installer", "1.48.9700.1")
    advance_by(db, timedelta(hours=1))
    return db.conn.execute("SELECT seq, id, created_time FROM jobs ORDER BY seq").fetchall()


def test_job_ids_are_time_ordered_version_7_guids_the_same_on_every_run(make_db) -> None:
    db = make_db(FLEET, "one.db")
    jobs = _drive(db)
    key = job_id_key(db.conn)
    assert len(jobs) >= 12
    for seq, job_id, created in jobs:
        guid = uuid.UUID(job_id)
        assert str(guid) == job_id  # 8-4-4-4-12 lowercase hex
        assert guid.version == 7 and guid.variant == uuid.RFC_4122
        assert guid.int >> 80 == epoch_ms(parse_iso(created))  # unix_ts_ms: the job's created time
        counter = ((guid.int >> 64) & 0xFFF) << 30 | (guid.int >> 32) & (2**30 - 1)
        assert (
            counter == counter_base(epoch_ms(parse_iso(created)), key) + seq
        )  # a random start, then seq
    assert len({job_id for _s, job_id, _c in jobs}) == len(jobs)
    assert (
        len({job_id[14:18] for _s, job_id, _c in jobs}) > 1
    )  # rand_a differs between created times
    # jobs created by the console and the engine, in engine time: ids sort as they were created
    made_here = [job_id for seq, job_id, _c in jobs if seq > 2]
    assert made_here == sorted(made_here)
    by_time: dict[str, list[tuple[int, str]]] = {}
    for seq, job_id, created in jobs:
        by_time.setdefault(created, []).append((seq, job_id))
    shared = [group for group in by_time.values() if len(group) > 1]
    assert (
        shared  # the set-based update creates its jobs at one engine time: the counter orders them
    )
    for group in shared:
        assert [i for _s, i in sorted(group)] == sorted(i for _s, i in group)

    assert _drive(make_db(FLEET, "two.db")) == jobs
    other_seed = _drive(make_db({**FLEET, "seed": 8}, "other.db"))
    assert [(s, c) for s, _i, c in other_seed] == [(s, c) for s, _i, c in jobs]
    assert all(a[1][-8:] != b[1][-8:] for a, b in zip(jobs, other_seed, strict=True))
