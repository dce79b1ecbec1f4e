"""Staged rollouts, read side: the stored plan and progress, their states, and the views the
command line and the console show (`rollout show --json` is RolloutView)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

from store.clock import iso, parse_iso
from store.errors import BadInput
from store.models import FailedMachine, RolloutView, SkippedMachine, WaveView
from store.rollout_rules import Window, bake_text

JOB_STATES = ("NotStarted", "InProgress", "Succeeded", "Failed", "Cancelled")
"""The per-wave job counts (a Cancelling job is still in progress)."""
ACTIVE = ("NotStarted", "InProgress", "Cancelling")


@dataclass(frozen=True)
class RolloutRow:
    """One stored rollout, with its vault's name and time zone."""

    id: int
    name: str
    vault_id: int
    vault: str
    time_zone: str
    control: str
    target_version: str
    target_key: str
    bake_s: int
    max_failures: int
    window: str | None
    created_by: str
    created_time: str
    waves: int
    machines: int
    next_wave: int
    count_from_wave: int
    released_wave: int | None
    halted_reason: str | None
    ended_time: str | None

    @property
    def ended(self) -> bool:
        return self.control in ("completed", "aborted")

    @property
    def time_window(self) -> Window | None:
        return Window.parse(self.window) if self.window else None


@dataclass(frozen=True)
class WaveRow:
    """One wave: its machines are the rollout's positions [first_position, end_position)."""

    wave: int
    first_position: int
    end_position: int
    started: str | None
    finished: str | None
    outcome: str | None

    @property
    def size(self) -> int:
        return self.end_position - self.first_position


_ROLLOUT = (
    "SELECT r.id, r.name, r.vault_id, v.name, v.time_zone, r.control, r.target_version,"
    " r.target_key, r.bake_s, r.max_failures, r.time_window, r.created_by, r.created_time, r.waves,"
    " r.machines, r.next_wave, r.count_from_wave, r.released_wave, r.halted_reason, r.ended_time"
    " FROM rollouts r JOIN vaults v ON v.id = r.vault_id"
)


def rollout_row(conn: sqlite3.Connection, name: str) -> RolloutRow:
    row = conn.execute(f"{_ROLLOUT} WHERE r.name = ?", (name,)).fetchone()
    if row is None:
        raise BadInput(f"no rollout named {name!r}")
    return RolloutRow(*row)


def rollout_by_id(conn: sqlite3.Connection, rollout_id: int) -> RolloutRow:
    return RolloutRow(*conn.execute(f"{_ROLLOUT} WHERE r.id = ?", (rollout_id,)).fetchone())


def rollout_rows(
    conn: sqlite3.Connection, vault_id: int | None = None, *, controls: tuple[str, ...] = ()
) -> list[RolloutRow]:
    """Rollouts, newest first: of one vault (or all), in these control states (or any)."""
    clauses, args = [], []
    if vault_id is not None:
        clauses.append("r.vault_id = ?")
        args.append(vault_id)
    if controls:
        clauses.append(f"r.control IN ({', '.join('?' * len(controls))})")
        args.extend(controls)
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    return [RolloutRow(*r) for r in conn.execute(f"{_ROLLOUT}{where} ORDER BY r.id DESC", args)]


def wave_rows(conn: sqlite3.Connection, rollout_id: int) -> list[WaveRow]:
    return [
        WaveRow(*r)
        for r in conn.execute(
            "SELECT wave, first_position, end_position, started, finished, outcome FROM"
            " rollout_waves WHERE rollout_id = ? ORDER BY wave",
            (rollout_id,),
        )
    ]


def job_counts(conn: sqlite3.Connection, rollout_id: int) -> dict[int, dict[str, int]]:
    """Jobs per wave and state (index-only: the partial index jobs_rollout)."""
    out: dict[int, dict[str, int]] = {}
    for wave, state, n in conn.execute(
        "SELECT rollout_wave, state, count(*) FROM jobs WHERE rollout_id = ? GROUP BY rollout_wave,"
        " state",
        (rollout_id,),
    ):
        counts = out.setdefault(wave, dict.fromkeys(JOB_STATES, 0))
        counts["InProgress" if state == "Cancelling" else state] += n
    return out


def active_in(counts: dict[str, int] | None) -> int:
    return 0 if not counts else counts["NotStarted"] + counts["InProgress"]


def failures(r: RolloutRow, counts: dict[int, dict[str, int]]) -> int:
    """Failed jobs that count against the budget: those of the waves since the last resume of a
    halt."""
    return sum(c["Failed"] for wave, c in counts.items() if wave >= r.count_from_wave)


# -- states (pure)
# -----------------------------------------------------------------------------------


def bake_end(r: RolloutRow, waves: list[WaveRow]) -> datetime | None:
    """When the bake after the last started wave ends (None: no wave to bake, or it still runs)."""
    if r.next_wave == 0 or r.next_wave >= r.waves:
        return None
    finished = waves[r.next_wave - 1].finished
    return None if finished is None else parse_iso(finished) + timedelta(seconds=r.bake_s)


def earliest_start(r: RolloutRow, waves: list[WaveRow]) -> tuple[bool, datetime | None]:
    """Whether the next wave may start by the rules of waves and bake, and not before when (None:
    no bound). The canary and a wave the operator released (a resume after a halt) have none."""
    k = r.next_wave
    if k >= r.waves:
        return False, None
    if k == 0 or r.released_wave == k:
        return True, None
    end = bake_end(r, waves)
    return end is not None, end


def next_start(r: RolloutRow, waves: list[WaveRow], after: datetime) -> datetime | None:
    """The first moment at or after `after` when the next wave may start (bake, window), or None
    while a wave it waits for still runs, or none is left, or the rollout is not running."""
    if r.control != "running":
        return None
    allowed, bound = earliest_start(r, waves)
    if not allowed:
        return None
    at = max(after, bound) if bound is not None else after
    window = r.time_window
    return window.open_at(at, r.time_zone) if window else at


def rollout_state(
    r: RolloutRow, waves: list[WaveRow], counts: dict[int, dict[str, int]], now: datetime
) -> str:
    """Running, Baking, Waiting (outside its window), Paused, Halted, Completed or Aborted."""
    if r.control != "running":
        return r.control.capitalize()
    if any(active_in(counts.get(w.wave)) for w in waves if w.started):
        return "Running"
    end = bake_end(r, waves)
    if end is not None and now < end and r.released_wave != r.next_wave:
        return "Baking"
    window = r.time_window
    if r.next_wave < r.waves and window and not window.contains(now, r.time_zone):
        return "Waiting"
    return "Running"


def wave_state(r: RolloutRow, w: WaveRow, counts: dict[str, int] | None, now: datetime) -> str:
    """Pending, Running, Baking, Succeeded, Halted or Aborted."""
    if w.started is None:
        return "Aborted" if r.control == "aborted" else "Pending"
    if w.outcome:
        return w.outcome.capitalize()
    if active_in(counts) or w.finished is None:
        return "Running"
    baking = (
        r.control == "running"
        and w.wave == r.next_wave - 1
        and r.next_wave < r.waves
        and r.released_wave != r.next_wave
        and now < parse_iso(w.finished) + timedelta(seconds=r.bake_s)
    )
    return "Baking" if baking else "Succeeded"


# -- views
# ------------------------------------------------------------------------------------------


def _skipped(
    conn: sqlite3.Connection, r: RolloutRow, waves: list[WaveRow], limit: int | None
) -> list[SkippedMachine]:
    sql = (
        "SELECT i.name, m.skipped, m.position FROM rollout_machines m JOIN items i ON i.id ="
        " m.item_id WHERE m.rollout_id = ? AND m.skipped IS NOT NULL ORDER BY m.position"
    )
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    out = []
    for name, reasons, position in conn.execute(sql, (r.id,)):
        wave = next((w.wave for w in waves if w.first_position <= position < w.end_position), None)
        out.append(SkippedMachine(name=name, reasons=json.loads(reasons), wave=wave))
    return out


def _machines(conn: sqlite3.Connection, r: RolloutRow) -> list[str]:
    return [
        n
        for (n,) in conn.execute(
            "SELECT i.name FROM rollout_machines m JOIN items i ON i.id = m.item_id "
            "WHERE m.rollout_id = ? AND m.position < ? ORDER BY m.position",
            (r.id, r.machines),
        )
    ]


def view(
    conn: sqlite3.Connection,
    r: RolloutRow,
    now: datetime,
    *,
    names: bool = True,
    skipped_limit: int | None = None,
) -> RolloutView:
    """The rollout as shown; `names`: list every wave's machines (the console shows counts)."""
    waves = wave_rows(conn, r.id)
    counts = job_counts(conn, r.id)
    everyone = _machines(conn, r) if names else []
    end = bake_end(r, waves)
    state = rollout_state(r, waves, counts, now)
    upcoming = next_start(r, waves, now) if state in ("Baking", "Waiting") else None
    return RolloutView(
        name=r.name,
        vault=r.vault,
        state=state,
        target_version=r.target_version,
        bake=bake_text(r.bake_s),
        window=r.window,
        failures=failures(r, counts),
        max_failures=r.max_failures,
        halted_reason=r.halted_reason if r.control == "halted" else None,
        skipped=_skipped(conn, r, waves, skipped_limit),
        waves=[
            WaveView(
                index=w.wave,
                state=wave_state(r, w, counts.get(w.wave), now),
                machines=everyone[w.first_position : w.end_position],
                size=w.size,
                started=w.started,
                finished=w.finished,
                jobs=counts.get(w.wave, dict.fromkeys(JOB_STATES, 0)),
            )
            for w in waves
        ],
        machines=r.machines,
        bake_seconds=r.bake_s,
        created_by=r.created_by,
        created_time=r.created_time,
        ended_time=r.ended_time,
        bake_ends=iso(end) if state == "Baking" and end else None,
        next_wave_at=iso(upcoming) if upcoming else None,
        time_zone=r.time_zone,
    )


def failed_machines(
    conn: sqlite3.Connection, rollout_id: int, limit: int = 200
) -> list[FailedMachine]:
    """The rollout's failed jobs, newest first."""
    out = []
    for name, job_id, wave, errors in conn.execute(
        "SELECT target, id, rollout_wave, errors FROM jobs WHERE rollout_id = ? AND state ="
        " 'Failed' ORDER BY seq DESC LIMIT ?",
        (rollout_id, limit),
    ):
        first = (json.loads(errors) or [{}])[0]
        out.append(
            FailedMachine(
                name=name,
                job_id=job_id,
                wave=wave,
                error=f"{first.get('code', '?')}: {first.get('message', '')}",
            )
        )
    return out
