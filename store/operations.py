"""The operator's mutations: updates, retry, cancel, the vault toggle, the appliance registry, the
clock.

Each validates first and writes in one transaction (BEGIN IMMEDIATE): a refused or malformed
request writes nothing. Every one is recorded in the audit log with the OS user as its actor.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlite_utils import Database

from store import audit, clock
from store.db import write
from store.engine import handoff
from store.engine.checks import Latest
from store.engine.enqueue import (
    AgentTarget,
    enqueue_agents,
    enqueue_agents_matching,
    enqueue_components,
)
from store.engine.loop import processed_until
from store.engine.runner import RunStats, cancel_job_now
from store.errors import BadInput, Refused
from store.fleet import no_such_item
from store.jobs import get_job, jobs_by_seq
from store.models import Blocker, JobView
from store.outcomes import AdvanceResult, Refusal, UpdateOutcome
from store.records import refusal_codes
from store.versions import Version
from store.vocabulary import ACTIVE_JOB_CODE, ALREADY_LATEST_CODE, Component, JobState

ALREADY_LATEST = ALREADY_LATEST_CODE
ACTIVE = ACTIVE_JOB_CODE
NOT_RETRYABLE = "JobNotRetryable"
NOT_CANCELLABLE = "JobNotCancellable"


def _actor(actor: str | None) -> str:
    return actor or audit.current_actor()


def _blocker_reasons(blockers: list[dict]) -> list[str]:
    return [f"{b['reason']}: {b['message']}" for b in blockers]


# -- agent updates
# -----------------------------------------------------------------------------------

_ITEM = (
    "SELECT id, name, vault_id, appliance_id, agent_version, sim_fail_code, agent_version_key, "
    "active_job_id, blockers FROM items"
)


def _refusal(row: tuple, latest: Latest) -> Refusal | None:
    name, key, active, blockers = row[1], row[6], row[7], json.loads(row[8])
    codes = refusal_codes(active, key, latest.agent_key, blockers)
    if not codes:
        return None
    if codes[0] == ACTIVE:
        return Refusal(name=name, reasons=[f"{ACTIVE}: an update job is already active ({active})"])
    if codes[0] == ALREADY_LATEST:
        return Refusal(name=name, reasons=[f"{ALREADY_LATEST}: already on the latest version"])
    return Refusal(
        name=name, reasons=_blocker_reasons(blockers), blockers=[Blocker(**b) for b in blockers]
    )


def update(db: Database, names: Sequence[str], *, actor: str | None = None) -> UpdateOutcome:
    """One job per named machine (repeats count once); blocked, busy or current ones refused."""
    who = _actor(actor)
    unique = list(dict.fromkeys(names))
    if not unique:
        raise BadInput("name at least one machine, or use --all-eligible")
    with write(db) as conn:
        latest = Latest.read(conn)
        rows = []
        for name in unique:
            row = conn.execute(f"{_ITEM} WHERE name = ?", (name,)).fetchone()
            if row is None:
                raise no_such_item(conn, name)
            rows.append(row)
        refused, targets = [], []
        for row in rows:
            refusal = _refusal(row, latest)
            if refusal:
                refused.append(refusal)
            else:
                targets.append(AgentTarget(*row[:6]))
        return _create(conn, targets, refused, latest, who, "update", ", ".join(unique[:20]))


def update_all_eligible(
    db: Database, vault_id: int | None = None, *, actor: str | None = None
) -> UpdateOutcome:
    """One job for every machine that can update now (in one vault, or all)."""
    who = _actor(actor)
    with write(
        db, check_references=False
    ) as conn:  # every job's references come from its items row
        latest = Latest.read(conn)
        if latest.agent is None:
            return UpdateOutcome()
        where = (
            "items.status IN ('update-available', 'failed') AND items.blockers = '[]' "
            "AND items.active_job_id IS NULL AND items.agent_version_key < :latest"
        )
        params: dict = {"latest": latest.agent_key}
        if vault_id is not None:
            where = "items.vault_id = :vault AND " + where
            params["vault"] = vault_id
        now = clock.now(conn)
        seqs = enqueue_agents_matching(
            conn, where, params, at=now, initiated_by=who, to_version=latest.agent.version
        )
        return _created(conn, list(seqs), [], now, who, "update --all-eligible", None)


def update_selected(
    db: Database, item_ids: Sequence[int], *, actor: str | None = None
) -> tuple[int, int]:
    """The bulk dialog's OK: one job per selected machine that can still update; (created, refused).

    Set-based (the selection travels as one JSON parameter) and returns counts, not job views,
    so 100,000 selected machines cost one query and two executemany calls."""
    who = _actor(actor)
    ids = sorted(set(item_ids))
    with write(
        db, check_references=False
    ) as conn:  # every job's references come from its items row
        latest = Latest.read(conn)
        if latest.agent is None or not ids:
            return 0, len(ids)
        where = (
            "items.id IN (SELECT value FROM json_each(:ids)) AND items.blockers = '[]' "
            "AND items.active_job_id IS NULL AND items.agent_version_key < :latest"
        )
        now = clock.now(conn)
        seqs = enqueue_agents_matching(
            conn,
            where,
            {"ids": json.dumps(ids), "latest": latest.agent_key},
            at=now,
            initiated_by=who,
            to_version=latest.agent.version,
        )
        audit.record(
            conn,
            now,
            "update (selection)",
            None,
            {"selected": len(ids), "created": len(seqs), "refused": len(ids) - len(seqs)},
            actor=who,
        )
        return len(seqs), len(ids) - len(seqs)


def _create(
    conn,
    targets: list[AgentTarget],
    refused: list[Refusal],
    latest: Latest,
    who: str,
    action: str,
    target: str | None,
) -> UpdateOutcome:
    now = clock.now(conn)
    seqs = (
        enqueue_agents(conn, targets, at=now, initiated_by=who, to_version=latest.agent.version)
        if targets
        else []
    )
    return _created(conn, seqs, refused, now, who, action, target)


def _created(
    conn,
    seqs: list[int],
    refused: list[Refusal],
    now: datetime,
    who: str,
    action: str,
    target: str | None,
) -> UpdateOutcome:
    created = jobs_by_seq(conn, seqs)
    if not created:  # a fully refused request writes nothing (the refusals go to the operator)
        return UpdateOutcome(created=created, refused=refused)
    audit.record(
        conn,
        now,
        action,
        target,
        {
            "created": len(created),
            "jobs": [j.id for j in created[:100]],
            "refused": {r.name: r.reasons for r in refused[:100]},
        },
        actor=who,
    )
    return UpdateOutcome(created=created, refused=refused)


# -- retry and cancel
# --------------------------------------------------------------------------------


def _job_row(conn: sqlite3.Connection, job_id: str) -> tuple:
    row = conn.execute(
        "SELECT seq, id, state, item_id, appliance_id, component, vault_id FROM jobs WHERE id = ?",
        (job_id,),
    ).fetchone()
    if row is None:
        raise BadInput(f"no job with id {job_id!r}")
    return row


def retry(db: Database, job_id: str, *, actor: str | None = None) -> JobView:
    """A new job for the same machine or component, linked by retry_of to the failed (or cancelled)
    one."""
    who = _actor(actor)
    with write(db) as conn:
        _seq, jid, state, item_id, appliance_id, component, _vault = _job_row(conn, job_id)
        if state not in (JobState.FAILED.value, JobState.CANCELLED.value):
            raise Refused(
                f"job {jid} is {state}: only a failed or cancelled job can be retried",
                code=NOT_RETRYABLE,
            )
        latest = Latest.read(conn)
        now = clock.now(conn)
        if component is None:
            row = conn.execute(f"{_ITEM} WHERE id = ?", (item_id,)).fetchone()
            refusal = _refusal(row, latest)
            if refusal:
                raise Refused(f"{row[1]}: " + "; ".join(refusal.reasons), code=refusal.code)
            seqs = enqueue_agents(
                conn,
                [AgentTarget(*row[:6])],
                at=now,
                initiated_by=who,
                to_version=latest.agent.version,
                retry_of=jid,
            )
        else:
            name, vault_id, old, new = _component_ready(conn, appliance_id, component, latest)
            seqs = enqueue_components(
                conn,
                appliance_id,
                vault_id,
                name,
                [(component, old, new)],
                at=now,
                initiated_by=who,
                retry_of=jid,
            )
        job = jobs_by_seq(conn, seqs)[0]
        audit.record(conn, now, "retry", jid, {"job": job.id}, actor=who)
        return job


def cancel(db: Database, job_id: str, *, actor: str | None = None) -> JobView:
    """NotStarted: Cancelled at once. InProgress: Cancelling, then Cancelled at its next task
    boundary."""
    who = _actor(actor)
    with write(db) as conn:
        seq, jid, state, *_rest = _job_row(conn, job_id)
        now = clock.now(conn)
        if state == JobState.NOT_STARTED.value:
            cancel_job_now(conn, seq, now, RunStats(), Latest.read(conn))
        elif state == JobState.IN_PROGRESS.value:
            conn.execute(
                "UPDATE jobs SET state = 'Cancelling', cancel_requested = 1 WHERE seq = ?", (seq,)
            )
        elif state == JobState.CANCELLING.value:
            raise Refused(f"job {jid} is already being cancelled", code=NOT_CANCELLABLE)
        else:
            raise Refused(f"job {jid} has already finished ({state})", code=NOT_CANCELLABLE)
        audit.record(conn, now, "cancel", jid, {"was": state}, actor=who)
        return get_job(conn, jid)


# -- appliance components, the registry, the vault toggle
# ------------------------------------------------


def appliance_row(conn: sqlite3.Connection, name: str) -> tuple[int, int, str]:
    row = conn.execute(
        "SELECT id, vault_id, registry FROM appliances WHERE name = ?", (name,)
    ).fetchone()
    if row is None:
        raise BadInput(f"no appliance named {name!r}")
    return row


def _component_ready(
    conn, appliance_id: int, slug: str, latest: Latest
) -> tuple[str, int, str, str]:
    name, vault_id = conn.execute(
        "SELECT name, vault_id FROM appliances WHERE id = ?", (appliance_id,)
    ).fetchone()
    version, active, blockers = conn.execute(
        "SELECT version, active_job_id, blockers FROM components WHERE appliance_id = ? AND"
        " slug = ?",
        (appliance_id, slug),
    ).fetchone()
    rel = latest.releases.get(slug)
    if active:
        raise Refused(f"{name} {slug}: an update job is already active ({active})")
    if rel is None or Version.parse(version) >= Version.parse(rel.version):
        raise Refused(f"{name} {slug}: already on the latest version ({version})")
    reasons = _blocker_reasons(json.loads(blockers))
    if reasons:
        raise Refused(f"{name} {slug}: " + "; ".join(reasons))
    return name, vault_id, version, rel.version


def update_component(
    db: Database, appliance: str, component: str, *, actor: str | None = None
) -> JobView:
    """A manual component update: a job (UpdateApplianceComponent) unless blocked, current or
    busy."""
    who = _actor(actor)
    slug = parse_component(component)
    with write(db) as conn:
        aid, _vault, _registry = appliance_row(conn, appliance)
        name, vault_id, old, new = _component_ready(conn, aid, slug, Latest.read(conn))
        now = clock.now(conn)
        seqs = enqueue_components(
            conn, aid, vault_id, name, [(slug, old, new)], at=now, initiated_by=who
        )
        job = jobs_by_seq(conn, seqs)[0]
        audit.record(
            conn, now, "appliance update", name, {"component": slug, "job": job.id}, actor=who
        )
        return job


def parse_component(text: str) -> str:
    slugs = [c.value for c in Component]
    if text not in slugs:
        raise BadInput(f"unknown component {text!r}; use one of {', '.join(slugs)}")
    return text


def registry_set(
    db: Database, appliance: str, key: str, value: int, *, actor: str | None = None
) -> dict[str, int]:
    """HKLM\\SOFTWARE\\Microsoft\\AzureAppliance: AutoUpdate = 0 turns the appliance's updates
    off."""
    if key != "AutoUpdate":
        raise BadInput(f"unknown registry value {key!r} (only AutoUpdate is modelled)")
    if value not in (0, 1):
        raise BadInput(f"AutoUpdate is a DWORD 0 or 1, not {value!r}")
    return _registry(db, appliance, key, value, _actor(actor))


def registry_delete(
    db: Database, appliance: str, key: str, *, actor: str | None = None
) -> dict[str, int]:
    """Deleting AutoUpdate turns the appliance's automatic updates back on."""
    if key != "AutoUpdate":
        raise BadInput(f"unknown registry value {key!r} (only AutoUpdate is modelled)")
    return _registry(db, appliance, key, None, _actor(actor))


def _registry(
    db: Database, appliance: str, key: str, value: int | None, who: str
) -> dict[str, int]:
    with write(db) as conn:
        aid, _vault, raw = appliance_row(conn, appliance)
        registry = json.loads(raw)
        if value is None:
            registry.pop(key, None)
        else:
            registry[key] = value
        conn.execute("UPDATE appliances SET registry = ? WHERE id = ?", (json.dumps(registry), aid))
        action = "registry delete" if value is None else "registry set"
        audit.record(conn, clock.now(conn), action, appliance, {key: value}, actor=who)
        return registry


def set_auto_update(
    db: Database, vault_id: int, enabled: bool, *, actor: str | None = None
) -> dict:
    """The vault's 'Allow Site Recovery to manage' toggle (automatic agent updates)."""
    who = _actor(actor)
    with write(db) as conn:
        row = conn.execute("SELECT name FROM vaults WHERE id = ?", (vault_id,)).fetchone()
        if row is None:
            raise BadInput(f"no vault with id {vault_id}")
        conn.execute(
            "UPDATE vaults SET agent_auto_update = ? WHERE id = ?", (int(enabled), vault_id)
        )
        audit.record(conn, clock.now(conn), "auto-update", row[0], {"enabled": enabled}, actor=who)
        return {"vault": row[0], "enabled": enabled}


# -- the clock
# ---------------------------------------------------------------------------------------


def clock_advance_to(db: Database, to: datetime, *, actor: str | None = None) -> AdvanceResult:
    """Move simulated engine time to `to` (`clock set`): never back, at most clock.MAX_MOVE at
    once."""
    return _move(db, handoff.Move(to=to), actor)


def clock_advance(db: Database, delta: timedelta, *, actor: str | None = None) -> AdvanceResult:
    """Move simulated engine time forward by `delta` from where it is when the move starts."""
    return _move(db, handoff.Move(delta=delta), actor)


def _move(db: Database, move: handoff.Move, actor: str | None) -> AdvanceResult:
    """Advance to `move.target(now)`, processing every event on the way: here when the engine lease
    is free, else by the process that holds it (a console, `engine run`, `arm serve`). `now` is
    read by whoever performs it, under the lease, so two advances at once add up; never a success
    for time that did not move. Interrupted (^C, SIGTERM), the part done is kept and audited, and
    the lease released (store/engine/handoff.py)."""
    state = clock.read(db.conn)
    if state.mode != "simulated":
        raise Refused("the clock follows real time here; it cannot be moved by hand")
    move.target(processed_until(db.conn))  # bad input before anything is written
    return handoff.ask(db, move, _actor(actor))


def clock_speed(db: Database, speed: float, *, actor: str | None = None) -> None:
    with write(db) as conn:
        clock.set_speed(conn, speed)
        audit.record(
            conn, clock.now(conn), "clock speed", None, {"speed": speed}, actor=_actor(actor)
        )


def clock_pause(db: Database, paused: bool, *, actor: str | None = None) -> None:
    with write(db) as conn:
        clock.set_paused(conn, paused)
        audit.record(
            conn,
            clock.now(conn),
            "clock pause" if paused else "clock resume",
            None,
            {},
            actor=_actor(actor),
        )
