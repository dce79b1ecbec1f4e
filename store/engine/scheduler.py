"""Nightly automatic updates at local midnight (appliance components first, then agents), and the
plan."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime

from store import audit
from store.clock import local_iso, next_local_midnight, zone
from store.engine.checks import Latest, checks_would_change
from store.engine.enqueue import enqueue_agents_matching, enqueue_components
from store.engine.rollouts import planned_rollouts
from store.engine.runner import RunStats
from store.fleet import PRIVATE_ENDPOINT_NOTE, PRIVATE_PREVIEW_NOTE
from store.outcomes import Plan, PlannedSkip, PlannedUpdate
from store.versions import Version
from store.vocabulary import SITE_RECOVERY_ACTOR, BlockReason

TOGGLE_OFF = "Allow Site Recovery to manage is off for this vault: agents are updated by hand."
ACTIVE_JOB = "An update job is already active."
NOT_ELIGIBLE = "Not eligible for an automatic update."


def auto_update_off_note(appliance: str) -> str:
    return f"The AutoUpdate registry value is 0 on {appliance}: its components are updated by hand."


def no_azure_note(appliance: str) -> str:
    return f"Appliance {appliance} cannot reach Azure services, so it cannot download updates."


def local_date(moment: datetime, tz: str) -> str:
    return moment.astimezone(zone(tz)).date().isoformat()


def next_midnight(conn: sqlite3.Connection, after: datetime) -> datetime | None:
    """The earliest local midnight after `after` over every vault's and appliance's time zone."""
    zones = {
        tz
        for (tz,) in conn.execute(
            "SELECT time_zone FROM vaults UNION SELECT time_zone FROM appliances"
        )
    }
    return min((next_local_midnight(after, tz) for tz in zones), default=None)


# -- what a run would do --------------------------------------------------------------------------


def component_plan(
    conn: sqlite3.Connection, appliance_id: int, latest: Latest
) -> tuple[list[tuple[str, str, str]], list[tuple[str, str]]]:
    """(slug, from, to) updates in dependency order, and (slug, reason) skips, for one appliance."""
    name, registry, azure, private = conn.execute(
        "SELECT a.name, a.registry, a.seen_azure_connected, v.private_endpoint FROM appliances a "
        "JOIN vaults v ON v.id = a.vault_id WHERE a.id = ?",
        (appliance_id,),
    ).fetchone()
    comps = conn.execute(
        "SELECT c.slug, c.version, j.to_version FROM components c LEFT JOIN jobs j ON j.id ="
        " c.active_job_id WHERE c.appliance_id = ?",
        (appliance_id,),
    ).fetchall()
    newer = {
        s: (v, latest.releases[s].version)
        for s, v, _a in comps
        if s in latest.releases and Version.parse(latest.releases[s].version) > Version.parse(v)
    }
    active = {s for s, _v, a in comps if a is not None}
    skips: list[tuple[str, str]] = []
    appliance_reason = (
        auto_update_off_note(name)
        if json.loads(registry).get("AutoUpdate", 1) == 0
        else PRIVATE_ENDPOINT_NOTE
        if private
        else None
        if azure
        else no_azure_note(name)
    )
    if appliance_reason:
        return [], [(s, appliance_reason) for s in sorted(newer)]
    skips += [(s, ACTIVE_JOB) for s in sorted(newer) if s in active]
    candidates = {s for s in newer if s not in active}
    ordered: list[str] = []
    while True:
        after = {s: v for s, v, _a in comps}
        after.update({s: to for s, _v, to in comps if to})
        after.update({s: newer[s][1] for s in candidates})
        blocked = {s: _unmet(latest.releases[s].requires, after, s) for s in candidates}
        blocked = {s: why for s, why in blocked.items() if why}
        if not blocked:
            break
        for s, why in blocked.items():
            candidates.discard(s)
            skips.append((s, f"{BlockReason.INCOMPATIBLE_COMPONENT.value}: needs {why}."))
    done = {s for s, _v, _a in comps if s not in candidates}
    while len(ordered) < len(candidates):  # requirements first, then the rest by name
        ready = sorted(
            s
            for s in candidates - set(ordered)
            if all(r in done or r in ordered for r in latest.releases[s].requires if r != s)
        )
        ordered.append(ready[0] if ready else min(candidates - set(ordered)))
    return [(s, newer[s][0], newer[s][1]) for s in ordered], sorted(skips)


def _unmet(requires: dict[str, str], versions: dict[str, str], own: str) -> str:
    for slug, need in sorted(requires.items()):
        if slug != own and slug in versions and Version.parse(versions[slug]) < Version.parse(need):
            return f"{slug} >= {need} (has {versions[slug]})"
    return ""


def fixable_appliances(
    conn: sqlite3.Connection,
    vault_id: int,
    latest: Latest,
    planned: dict[int, dict[str, str]] | None = None,
) -> list[int]:
    """Appliances incompatible with the latest agent now but compatible once their running or
    scheduled component updates finish: their agents wait for them instead of being skipped."""
    agent = latest.agent
    if agent is None or not agent.requires:
        return []
    out = []
    for (aid,) in conn.execute(
        "SELECT id FROM appliances WHERE vault_id = ?", (vault_id,)
    ).fetchall():
        rows = conn.execute(
            "SELECT c.slug, c.version, j.to_version FROM components c LEFT JOIN jobs j ON j.id ="
            " c.active_job_id WHERE c.appliance_id = ?",
            (aid,),
        ).fetchall()
        now = {s: v for s, v, _t in rows}
        after = {s: t or v for s, v, t in rows}
        after.update((planned or {}).get(aid, {}))
        if _unmet(agent.requires, now, "agent") and not _unmet(agent.requires, after, "agent"):
            out.append(aid)
    return out


def eligible_where(vault_id: int, latest: Latest, fixable: list[int]) -> tuple[str, dict]:
    """Agents an automatic run updates: not blocked (or only waiting on an appliance update), not
    on private-preview bits, no active job, behind the latest."""
    where = (
        "items.vault_id = :vault AND items.private_preview = 0 AND items.active_job_id IS NULL AND"
        " items.agent_version_key < :latest_key AND (items.blockers = '[]' OR (items.appliance_id"
        " IN (SELECT value FROM json_each(:fixable)) AND json_array_length(items.blockers) = 1 AND"
        " json_extract(items.blockers, '$[0].reason') = 'IncompatibleApplianceVersion'))"
    )
    return (
        where,
        {"vault": vault_id, "latest_key": latest.agent_key, "fixable": json.dumps(fixable)},
    )


# -- the nightly runs
# --------------------------------------------------------------------------------


def run_due(
    conn: sqlite3.Connection, after: datetime, until: datetime, stats: RunStats, latest: Latest
) -> int:
    """Every automatic run whose local midnight falls in (after, until], appliances before vaults;
    each at most once per local date (recorded in the same transaction as its jobs)."""
    due = {}
    for (tz,) in conn.execute(
        "SELECT time_zone FROM vaults UNION SELECT time_zone FROM appliances"
    ):
        m = next_local_midnight(after, tz)
        if m <= until:
            due[tz] = (m, local_date(m, tz))
    if not due:
        return 0
    runs = []
    for kind, table in ((0, "appliances"), (1, "vaults")):
        for ident, tz, last in conn.execute(
            f"SELECT id, time_zone, last_auto_run_local_date FROM {table}"
        ):
            if tz in due and last != due[tz][1]:
                runs.append((due[tz][0], kind, ident, due[tz][1]))
    created = 0
    for m, kind, ident, day in sorted(runs):
        created += (
            _run_appliance(conn, ident, m, day, stats, latest)
            if kind == 0
            else _run_vault(conn, ident, m, day, stats, latest)
        )
    return created


def _run_appliance(conn, aid: int, at: datetime, day: str, stats: RunStats, latest: Latest) -> int:
    name, vault_id = conn.execute(
        "SELECT name, vault_id FROM appliances WHERE id = ?", (aid,)
    ).fetchone()
    updates, skips = component_plan(conn, aid, latest)
    seqs = enqueue_components(
        conn, aid, vault_id, name, updates, at=at, initiated_by=SITE_RECOVERY_ACTOR
    )
    conn.execute("UPDATE appliances SET last_auto_run_local_date = ? WHERE id = ?", (day, aid))
    if seqs or skips:
        audit.record(
            conn,
            at,
            "auto-update components",
            name,
            {"date": day, "created": [u[0] for u in updates], "skipped": dict(skips)},
            actor=SITE_RECOVERY_ACTOR,
        )
    if seqs:
        stats.dirty.add(aid)
    return len(seqs)


def _run_vault(conn, vid: int, at: datetime, day: str, stats: RunStats, latest: Latest) -> int:
    name, enabled, private = conn.execute(
        "SELECT name, agent_auto_update, private_endpoint FROM vaults WHERE id = ?", (vid,)
    ).fetchone()
    conn.execute("UPDATE vaults SET last_auto_run_local_date = ? WHERE id = ?", (day, vid))
    skipped = TOGGLE_OFF if not enabled else PRIVATE_ENDPOINT_NOTE if private else None
    if skipped or latest.agent is None:
        if skipped:
            audit.record(
                conn,
                at,
                "auto-update agents skipped",
                name,
                {"date": day, "reason": skipped},
                actor=SITE_RECOVERY_ACTOR,
            )
        return 0
    where, params = eligible_where(vid, latest, fixable_appliances(conn, vid, latest))
    seqs = enqueue_agents_matching(
        conn,
        where,
        params,
        at=at,
        initiated_by=SITE_RECOVERY_ACTOR,
        to_version=latest.agent.version,
    )
    if seqs:
        stats.dirty.update(
            a
            for (a,) in conn.execute(
                "SELECT DISTINCT appliance_id FROM jobs WHERE seq BETWEEN ? AND ?",
                (seqs[0], seqs[-1]),
            )
        )
    audit.record(
        conn,
        at,
        "auto-update agents",
        name,
        {"date": day, "created": len(seqs), "to_version": latest.agent.version},
        actor=SITE_RECOVERY_ACTOR,
    )
    return len(seqs)


# -- the plan
# ---------------------------------------------------------------------------------------


def plan(conn: sqlite3.Connection, vault_id: int, now: datetime) -> Plan:
    """What the next automatic runs of this vault (and of its appliances) will do, and skip."""
    latest = Latest.read(conn)
    name, tz, enabled, private = conn.execute(
        "SELECT name, time_zone, agent_auto_update, private_endpoint FROM vaults WHERE id = ?",
        (vault_id,),
    ).fetchone()
    run_at = next_local_midnight(now, tz)
    result = Plan(
        vault=name,
        run_at=local_iso(run_at, tz),
        agent_auto_update=bool(enabled),
        rollouts=planned_rollouts(conn, vault_id, now),
    )
    planned: dict[int, dict[str, str]] = {}
    for aid, appliance, atz in conn.execute(
        "SELECT id, name, time_zone FROM appliances WHERE vault_id = ? ORDER BY name", (vault_id,)
    ).fetchall():
        a_run = next_local_midnight(now, atz)
        updates, skips = component_plan(conn, aid, latest)
        result.will_update += [
            PlannedUpdate(
                kind="component",
                name=appliance,
                appliance=appliance,
                component=s,
                from_version=old,
                to_version=new,
                run_at=local_iso(a_run, atz),
            )
            for s, old, new in updates
        ]
        pending = _appliance_pending_check(conn, aid, atz)
        result.skipped += [
            PlannedSkip(
                kind="component",
                name=appliance,
                appliance=appliance,
                component=s,
                reason=r,
                pending_check=pending,
            )
            for s, r in skips
        ]
        if a_run <= run_at:
            planned[aid] = {s: new for s, _old, new in updates}
    agent = latest.agent
    if agent is None:
        return result
    blanket = TOGGLE_OFF if not enabled else PRIVATE_ENDPOINT_NOTE if private else None
    eligible: set[int] = set()
    pending = _pending_checks(conn, vault_id, latest, tz)
    if blanket is None:
        where, params = eligible_where(
            vault_id, latest, fixable_appliances(conn, vault_id, latest, planned)
        )
        for t_id, t_name, t_app, t_version in conn.execute(
            "SELECT items.id, items.name, items.appliance, items.agent_version FROM items "
            f"WHERE {where} ORDER BY items.name",
            params,
        ):
            eligible.add(t_id)
            result.will_update.append(
                PlannedUpdate(
                    kind="agent",
                    name=t_name,
                    appliance=t_app,
                    from_version=t_version,
                    to_version=agent.version,
                    run_at=result.run_at,
                    pending_check=pending.get(t_id),
                )
            )
    for i_id, i_name, i_app, preview, active, blockers in conn.execute(
        "SELECT id, name, appliance, private_preview, active_job_id, blockers FROM items "
        "WHERE vault_id = ? AND agent_version_key < ? ORDER BY name",
        (vault_id, latest.agent_key),
    ):
        if i_id in eligible:
            continue
        reason = blanket or (
            PRIVATE_PREVIEW_NOTE
            if preview
            else (
                ACTIVE_JOB
                if active
                else "; ".join(f"{b['reason']}: {b['message']}" for b in json.loads(blockers))
                or NOT_ELIGIBLE
            )
        )
        result.skipped.append(
            PlannedSkip(
                kind="agent",
                name=i_name,
                appliance=i_app,
                reason=reason,
                pending_check=None if blanket or preview else pending.get(i_id),
            )
        )
    return result


def _pending_checks(
    conn: sqlite3.Connection, vault_id: int, latest: Latest, tz: str
) -> dict[int, str]:
    """Machines behind the latest agent whose plan entry rests on a check not made yet (their next
    check would change the blockers the service sees: a reboot, a reconnection, an appliance fixed
    by hand, a fault): item id -> that check's time, local ISO."""
    return {
        i: local_iso(datetime.fromisoformat(nxt), tz)
        for i, nxt in checks_would_change(conn, vault_id, latest).items()
    }


def _appliance_pending_check(conn: sqlite3.Connection, appliance_id: int, tz: str) -> str | None:
    """The appliance's next check, where its Azure connectivity changed since the last one."""
    row = conn.execute(
        "SELECT next_check_at FROM appliances WHERE id = ? AND seen_azure_connected IS NOT"
        " sim_azure_connected",
        (appliance_id,),
    ).fetchone()
    return local_iso(datetime.fromisoformat(row[0]), tz) if row and row[0] else None
