"""Staged rollouts in engine time: a wave's jobs when its turn comes (the previous wave ended, the
bake passed, inside the window), the halt when failures pass the budget, the end. Called by the
loop in every window (like the nightly run) and by the operator's commands at the clock's now."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime

from store import audit
from store.clock import iso, local_iso
from store.engine.checks import Latest
from store.engine.enqueue import enqueue_agents_matching
from store.engine.runner import RunStats, finish_jobs
from store.job_writes import materialise_tasks
from store.outcomes import PlannedRollout
from store.rollout_rules import bake_text
from store.rollouts import (
    ACTIVE,
    RolloutRow,
    WaveRow,
    job_counts,
    next_start,
    rollout_by_id,
    rollout_rows,
    rollout_state,
    wave_rows,
)

ELIGIBLE = (
    "items.status IN ('update-available', 'failed') AND items.blockers = '[]' "
    "AND items.active_job_id IS NULL AND items.agent_version_key < :target_key"
)
"""A machine a rollout's wave updates now: what `update --all-eligible` takes, against the
rollout's target version."""

SKIP_REASONS = """CASE
    WHEN items.active_job_id IS NOT NULL
        THEN json_array('ActiveJob: an update job is already active ('
                        || items.active_job_id || ')')
    WHEN items.agent_version_key >= :target_key
        THEN json_array('AlreadyOnLatestVersion: already on ' || items.agent_version)
    WHEN items.blockers != '[]'
        THEN (SELECT json_group_array(json_extract(b.value, '$.reason') || ': '
                                      || json_extract(b.value, '$.message'))
              FROM json_each(items.blockers) b)
    ELSE json_array('NotEligible: the machine''s status is ' || items.status)
END"""
"""Why a machine of the selection is not updated, as the `update` command's refusals say it."""

IN_WAVE = (
    "items.id IN (SELECT item_id FROM rollout_machines WHERE rollout_id = :rollout "
    "AND position >= :first AND position < :end)"
)


def start_wave(
    conn: sqlite3.Connection, r: RolloutRow, w: WaveRow, at: datetime, stats: RunStats
) -> int:
    """Skip the wave's machines that cannot update now (blocked, already updating, up to date:
    the nightly run may have taken them), create one job for each of the others, initiated by the
    operator who created the rollout. Returns the jobs created."""
    params = {
        "rollout": r.id,
        "first": w.first_position,
        "end": w.end_position,
        "target_key": r.target_key,
    }
    skipped = conn.execute(
        f"UPDATE rollout_machines SET skipped = {SKIP_REASONS} FROM items WHERE items.id ="
        " rollout_machines.item_id AND rollout_machines.rollout_id = :rollout AND"
        " rollout_machines.position >= :first AND rollout_machines.position < :end AND NOT"
        f" ({ELIGIBLE})",
        params,
    ).rowcount
    seqs = enqueue_agents_matching(
        conn,
        f"{IN_WAVE} AND {ELIGIBLE}",
        params,
        at=at,
        initiated_by=r.created_by,
        to_version=r.target_version,
        rollout=(r.id, w.wave),
    )
    if seqs:
        stats.dirty.update(
            a
            for (a,) in conn.execute(
                "SELECT DISTINCT appliance_id FROM jobs WHERE seq BETWEEN ? AND ?",
                (seqs[0], seqs[-1]),
            )
        )
    stamp = iso(at)
    conn.execute(
        "UPDATE rollout_waves SET started = ?, finished = CASE WHEN ? THEN NULL ELSE ? END "
        "WHERE rollout_id = ? AND wave = ?",
        (stamp, len(seqs), stamp, r.id, w.wave),
    )
    conn.execute(
        "UPDATE rollouts SET next_wave = ?, released_wave = NULL WHERE id = ?", (w.wave + 1, r.id)
    )
    audit.record(
        conn,
        at,
        "rollout wave",
        r.name,
        {"wave": w.wave, "created": len(seqs), "skipped": skipped},
        actor=r.created_by,
    )
    return len(seqs)


def _note_finished(conn: sqlite3.Connection, r: RolloutRow, waves: list[WaveRow]) -> bool:
    """Record when each started wave's last job ended (once, when none is left running)."""
    changed = False
    for w in waves:
        if w.started is None or w.finished is not None:
            continue
        running = conn.execute(
            "SELECT EXISTS (SELECT 1 FROM jobs WHERE rollout_id = ? AND rollout_wave = ? AND state"
            f" IN ({', '.join('?' * len(ACTIVE))}))",
            (r.id, w.wave, *ACTIVE),
        ).fetchone()[0]
        if running:
            continue
        last = conn.execute(
            "SELECT max(end_time) FROM jobs WHERE rollout_id = ? AND rollout_wave = ?",
            (r.id, w.wave),
        ).fetchone()[0]
        conn.execute(
            "UPDATE rollout_waves SET finished = ? WHERE rollout_id = ? AND wave = ?",
            (last or w.started, r.id, w.wave),
        )
        changed = True
    return changed


def counted_failures(conn: sqlite3.Connection, r: RolloutRow) -> int:
    """Failed jobs of the waves since the last resume of a halt (one index seek per wave)."""
    return sum(
        conn.execute(
            "SELECT count(*) FROM jobs WHERE rollout_id = ? AND rollout_wave = ? AND state ="
            " 'Failed'",
            (r.id, wave),
        ).fetchone()[0]
        for wave in range(r.count_from_wave, r.next_wave)
    )


def halt_reason(conn: sqlite3.Connection, r: RolloutRow, failed: int) -> str:
    rows = conn.execute(
        "SELECT target, errors FROM jobs WHERE rollout_id = ? AND rollout_wave >= ? AND state ="
        " 'Failed' ORDER BY end_time, seq LIMIT 4",
        (r.id, r.count_from_wave),
    ).fetchall()
    names = [
        f"{name} ({(json.loads(errors) or [{}])[0].get('code', '?')})" for name, errors in rows[:3]
    ]
    since = "" if r.count_from_wave == 0 else f" since wave {r.count_from_wave}"
    more = ", …" if failed > 3 else ""
    return (
        f"{failed} failed job{'s' if failed != 1 else ''}{since}, over the failure budget of "
        f"{r.max_failures}: {', '.join(names)}{more}"
    )


def step(
    conn: sqlite3.Connection, r: RolloutRow, start: datetime, end: datetime, stats: RunStats
) -> int:
    """Everything due for one rollout in (start, end]: waves that ended, the halt, the next waves
    (each at its own time), the end. Returns the jobs created."""
    created = 0
    while r.control in ("running", "paused"):
        waves = wave_rows(conn, r.id)
        if _note_finished(conn, r, waves):
            waves = wave_rows(conn, r.id)
        failed = counted_failures(conn, r)
        if failed > r.max_failures:
            _halt(conn, r, end, halt_reason(conn, r, failed))
            break
        if r.control == "paused":
            break
        if r.next_wave >= r.waves:
            if all(w.finished for w in waves):
                last = max(w.finished for w in waves)
                conn.execute(
                    "UPDATE rollouts SET control = 'completed', ended_time = ? WHERE id = ?",
                    (last, r.id),
                )
                audit.record(
                    conn, end, "rollout completed", r.name, {"at": last}, actor=r.created_by
                )
            break
        due = next_start(r, waves, start)
        if due is None or due > end:
            break
        created += start_wave(conn, r, waves[r.next_wave], due, stats)
        r = rollout_by_id(conn, r.id)
    return created


def _halt(conn: sqlite3.Connection, r: RolloutRow, at: datetime, reason: str) -> None:
    conn.execute(
        "UPDATE rollouts SET control = 'halted', halted_reason = ?, released_wave = NULL WHERE"
        " id = ?",
        (reason, r.id),
    )
    if r.next_wave:
        conn.execute(
            "UPDATE rollout_waves SET outcome = 'halted' WHERE rollout_id = ? AND wave = ?",
            (r.id, r.next_wave - 1),
        )
    audit.record(conn, at, "rollout halted", r.name, {"reason": reason}, actor=r.created_by)


def run_due(conn: sqlite3.Connection, start: datetime, end: datetime, stats: RunStats) -> int:
    """Every running or paused rollout's step in (start, end]; the jobs created."""
    return sum(
        step(conn, r, start, end, stats) for r in rollout_rows(conn, controls=("running", "paused"))
    )


def next_due(conn: sqlite3.Connection, cursor: datetime) -> datetime | None:
    """The earliest moment after `cursor` when a running rollout's next wave may start (a bake
    ending, a window opening): the loop ends a window there, so the wave starts at its own time,
    after the machines' checks due by then."""
    due = []
    for r in rollout_rows(conn, controls=("running",)):
        if r.next_wave < r.waves:
            at = next_start(r, wave_rows(conn, r.id), cursor)
            if at is not None and at > cursor:
                due.append(at)
    return min(due, default=None)


def abort(conn: sqlite3.Connection, r: RolloutRow, at: datetime, latest: Latest) -> int:
    """Cancel the rollout's jobs that have not started (running ones finish) and end it; the
    number cancelled."""
    _note_finished(conn, r, wave_rows(conn, r.id))
    seqs = [
        s
        for (s,) in conn.execute(
            "SELECT seq FROM jobs WHERE rollout_id = ? AND rollout_wave < ? AND state ="
            " 'NotStarted' ORDER BY seq",
            (r.id, r.next_wave),
        )
    ]
    if seqs:
        _, had_rows = materialise_tasks(conn, seqs, "Cancelled")
        conn.executemany(
            "UPDATE tasks SET state = 'Cancelled' WHERE job_seq = ? AND state = 'NotStarted'",
            [(s,) for s in had_rows],
        )
        stamp = iso(at)
        finished = []
        for n in range(0, len(seqs), 500):
            part = seqs[n : n + 500]
            finished += [
                (seq, job_id, "Cancelled", stamp, [], item_id, appliance_id, None, to_version)
                for seq, job_id, item_id, appliance_id, to_version in conn.execute(
                    "SELECT seq, id, item_id, appliance_id, to_version FROM jobs "
                    f"WHERE seq IN ({', '.join('?' * len(part))})",
                    part,
                )
            ]
        finish_jobs(conn, finished, RunStats(), latest)
    conn.execute(
        "UPDATE rollouts SET control = 'aborted', ended_time = ? WHERE id = ?", (iso(at), r.id)
    )
    conn.execute(
        "UPDATE rollout_waves SET outcome = 'aborted' WHERE rollout_id = ? AND started IS NOT NULL "
        "AND finished IS NULL",
        (r.id,),
    )
    return len(seqs)


def planned_rollouts(
    conn: sqlite3.Connection, vault_id: int, now: datetime
) -> list[PlannedRollout]:
    """`plan`: each rollout of the vault that has not ended, its next wave and what it waits for."""
    out = []
    for r in reversed(rollout_rows(conn, vault_id, controls=("running", "paused", "halted"))):
        waves = wave_rows(conn, r.id)
        state = rollout_state(r, waves, job_counts(conn, r.id), now)
        k = r.next_wave
        if k >= r.waves:
            out.append(
                PlannedRollout(name=r.name, state=state, waits_for="its last wave's jobs to end")
            )
            continue
        at = next_start(r, waves, now)
        if r.control == "halted":
            why = f"resume (halted: {r.halted_reason})"
        elif r.control == "paused":
            why = "resume (paused)"
        elif at is None:
            why = f"wave {k - 1}'s jobs to end, then a {bake_text(r.bake_s)} bake"
        else:
            why = {"Baking": "the bake", "Waiting": f"its window {r.window}"}.get(
                state, "the engine's next step"
            )
        out.append(
            PlannedRollout(
                name=r.name,
                state=state,
                next_wave=k,
                machines=waves[k].size,
                at=local_iso(at, r.time_zone) if at else None,
                waits_for=why,
            )
        )
    return out
