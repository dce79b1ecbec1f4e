"""Prerequisite checks and status upkeep: set-based, grouped by the facts that decide blockers."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import NamedTuple

from store.catalog import Release, latest_releases
from store.clock import iso
from store.engine import check_schedule
from store.engine.status import (
    AgentFacts,
    ComponentFacts,
    agent_blockers,
    component_blockers,
    update_status,
)
from store.models import Blocker
from store.sim.loader import CHECK_INTERVAL_S
from store.versions import version_key as _version_key

version_key = lru_cache(maxsize=4096)(_version_key)
"""store.versions.version_key, memoised: the loop asks for the same few versions many times."""

STATUS_CASE = """CASE
    WHEN {t}active_job_id IS NOT NULL THEN 'updating'
    WHEN :latest_key IS NULL OR {t}agent_version_key >= :latest_key THEN 'up-to-date'
    WHEN {t}last_job_failed THEN 'failed'
    WHEN {blockers} != '[]' THEN 'blocked'
    ELSE 'update-available' END"""
"""store.engine.status.update_status in SQL (a test keeps the two in step), for set-based
updates."""


class ApplianceFacts(NamedTuple):
    """An appliance as agent blockers see it: name, component versions, and a hashable key of
    both."""

    name: str
    components: dict[str, str]
    key: tuple


@dataclass(frozen=True)
class Latest:
    """The catalog as the checks need it (the latest GA agent and component releases), and a
    cache of appliances' component versions that lives through an advance: cleared when a
    component job ends and when another connection commits (loop._batch sees `data_version`)."""

    releases: dict[str, Release]
    appliances: dict[int, ApplianceFacts] = field(default_factory=dict)

    @classmethod
    def read(
        cls, conn: sqlite3.Connection, appliances: dict[int, ApplianceFacts] | None = None
    ) -> Latest:
        """The catalog now; `appliances`, a cache of facts still valid, is reused when given."""
        return (
            cls(latest_releases(conn))
            if appliances is None
            else cls(latest_releases(conn), appliances)
        )

    @property
    def agent(self) -> Release | None:
        return self.releases.get("agent")

    @property
    def agent_key(self) -> str | None:
        return version_key(self.agent.version) if self.agent else None


_CACHE: dict[tuple, tuple[list[Blocker], str]] = {}
_COMPONENT_CACHE: dict[tuple, tuple[str, str]] = {}
_CACHE_MAX = 20_000


def agent_entry(
    appl: ApplianceFacts,
    version: str,
    at_reboot: str,
    pending: bool,
    heartbeat: bool,
    azure: bool,
    target: str | None,
    requires: dict[str, str],
) -> tuple[list[Blocker], str]:
    """agent_blockers (and their JSON), memoised on the facts: a pure function, and a fleet has few
    distinct fact tuples (about one per appliance and agent version)."""
    key = (
        version,
        at_reboot,
        bool(pending),
        bool(heartbeat),
        bool(azure),
        appl.key,
        target,
        tuple(sorted(requires.items())),
    )
    entry = _CACHE.get(key)
    if entry is None:
        if len(_CACHE) >= _CACHE_MAX:
            _CACHE.clear()
        found = agent_blockers(
            AgentFacts(
                agent_version=version,
                latest=target,
                latest_requires=requires,
                version_at_reboot=at_reboot,
                pending_reboot=bool(pending),
                agent_heartbeat=bool(heartbeat),
                appliance=appl.name,
                appliance_azure_connected=bool(azure),
                appliance_components=appl.components,
            )
        )
        entry = _CACHE[key] = (found, blockers_json(found))
    return entry


def blockers_json(blockers: list) -> str:
    return json.dumps([b.model_dump() for b in blockers]) if blockers else "[]"


def appliance_facts(
    conn: sqlite3.Connection, ids: Iterable[int], out: dict[int, ApplianceFacts]
) -> dict[int, ApplianceFacts]:
    """Fill `out` (a cache) with the facts of these appliances."""
    wanted = sorted({i for i in ids if i not in out})
    for chunk in range(0, len(wanted), 500):
        part = wanted[chunk : chunk + 500]
        marks = ",".join("?" * len(part))
        found: dict[int, tuple[str, dict[str, str]]] = {}
        for aid, name in conn.execute(
            f"SELECT id, name FROM appliances WHERE id IN ({marks})", part
        ):
            found[aid] = (name, {})
        for aid, slug, version in conn.execute(
            f"SELECT appliance_id, slug, version FROM components WHERE appliance_id IN ({marks})",
            part,
        ):
            found[aid][1][slug] = version
        for aid, (name, comps) in found.items():
            out[aid] = ApplianceFacts(name, comps, (name, tuple(sorted(comps.items()))))
    return out


def _fill_groups(conn: sqlite3.Connection, groups: list[tuple], latest: Latest) -> dict[tuple, str]:
    """Blockers for each distinct fact tuple, into the temp table the set-based update joins (and
    returned: fact tuple -> blockers JSON)."""
    conn.execute(
        "CREATE TEMP TABLE IF NOT EXISTS _grp (appliance_id INTEGER, agent_version TEXT, at_reboot"
        " TEXT, pending INTEGER, heartbeat INTEGER, azure INTEGER, blockers TEXT, PRIMARY KEY"
        " (appliance_id, agent_version, at_reboot, pending, heartbeat, azure))"
    )
    conn.execute("DELETE FROM _grp")
    agent = latest.agent
    target, requires = (agent.version, agent.requires) if agent else (None, {})
    appliances = appliance_facts(conn, (g[0] for g in groups), latest.appliances)
    rows = [
        (
            aid,
            version,
            at_reboot,
            pending,
            heartbeat,
            azure,
            agent_entry(
                appliances[aid], version, at_reboot, pending, heartbeat, azure, target, requires
            )[1],
        )
        for aid, version, at_reboot, pending, heartbeat, azure in groups
    ]
    conn.executemany("INSERT INTO _grp VALUES (?,?,?,?,?,?,?)", rows)
    return {row[:6]: row[6] for row in rows}


_GROUP_JOIN = (
    "g.appliance_id = items.appliance_id AND g.agent_version = items.agent_version "
    "AND g.at_reboot = {at_reboot} AND g.pending = {pending} AND g.heartbeat = {heartbeat} "
    "AND g.azure = {azure}"
)
_CHANGED_ONLY = "AND items.appliance_id IN (SELECT value FROM json_each(:changed))"
"""The check's filter to the appliances whose world changed (when the rest did not)."""
_TRUTH = {
    "at_reboot": "coalesce(items.sim_version_at_reboot, items.version_at_reboot)",
    "pending": "items.sim_pending_reboot",
    "heartbeat": "items.sim_reaches_appliance",
    "azure": "a.sim_azure_connected",
}
_SEEN = {
    "at_reboot": "items.version_at_reboot",
    "pending": "items.seen_pending_reboot",
    "heartbeat": "items.seen_agent_heartbeat",
    "azure": "coalesce(items.seen_appliance_azure, a.seen_azure_connected)",
}


def _groups(
    conn: sqlite3.Connection, facts: dict[str, str], where: str, params: dict
) -> list[tuple]:
    sql = (
        f"SELECT DISTINCT items.appliance_id, items.agent_version, {facts['at_reboot']},"
        f" {facts['pending']}, {facts['heartbeat']}, {facts['azure']} FROM items JOIN appliances a"
        f" ON a.id = items.appliance_id WHERE {where}"
    )
    return conn.execute(sql, params).fetchall()


def _update_status(conn: sqlite3.Connection, selection: str, latest: Latest) -> None:
    """Status from the stored blockers, written only where it changes (it is indexed)."""
    case = STATUS_CASE.format(t="", blockers="blockers")
    conn.execute(
        f"UPDATE items SET status = {case} WHERE {selection} AND status != {case}",
        {"latest_key": latest.agent_key},
    )


def check_items_due(
    conn: sqlite3.Connection,
    until: datetime,
    latest: Latest | None = None,
    cursor: datetime | None = None,
) -> int:
    """Every machine whose check is due by `until`: copy the simulated truth into what the service
    saw, recompute blockers and status, and schedule the next check 30 minutes on. Returns the
    number of checks that were due (a machine due twice by `until` counts twice). Records `until`
    as the clock's `checks_to`. `cursor` (the engine's position before this pass) vouches for
    `checks_to`: a value past it cannot be trusted (a clock set back by something that left
    `checks_to` alone, such as a process still running code from before m006), so every
    machine is read."""
    latest = latest or Latest.read(conn)
    since = check_schedule.checks_done_to(conn)
    if since is not None and (cursor is None or since > cursor):
        since = None
    check_schedule.due_ids(conn, until, since)
    if since is None or since < until:
        conn.execute("UPDATE clock SET checks_to = ? WHERE id = 1", (iso(until),))
    selection = "items.id IN (SELECT id FROM _chk)"
    _apply_reinstalls(conn, selection)
    facts = conn.execute(
        f"SELECT DISTINCT items.appliance_id, items.agent_version, {_TRUTH['at_reboot']},"
        f" {_TRUTH['pending']}, {_TRUTH['heartbeat']}, {_TRUTH['azure']}, {SEEN_IS_TRUTH},"
        " items.blockers FROM items JOIN appliances a ON a.id = items.appliance_id WHERE"
        f" {selection}"
    ).fetchall()
    if not facts:
        return 0
    blockers = _fill_groups(conn, list({f[:6] for f in facts}), latest)
    due_checks = None
    if since is not None and 0 <= (until - since).total_seconds() <= CHECK_INTERVAL_S:
        due_checks = check_schedule.schedule_since(conn, since, until)
    if due_checks is None:
        due_checks = check_schedule.schedule(conn, until)
    # Where what the service saw already is the truth and the blockers stand, a check moves only
    # its times: those machines (by appliance) get the narrow write, the others the whole one.
    changed = sorted({f[0] for f in facts if not f[6] or f[7] != blockers[f[:6]]})
    unchanged = len(changed) < len({f[0] for f in facts})
    params = {"changed": json.dumps(changed)}
    if changed:
        conn.execute(
            f"""UPDATE items SET
                seen_pending_reboot = items.sim_pending_reboot,
                seen_agent_heartbeat = items.sim_reaches_appliance,
                seen_appliance_azure = a.sim_azure_connected,
                version_at_reboot = {_TRUTH["at_reboot"]},
                sim_version_at_reboot = NULL,
                checked_at = s.checked,
                next_check_at = s.next,
                blockers = g.blockers
            FROM _sched s, appliances a, _grp g
            WHERE {selection} AND s.old = items.next_check_at AND a.id = items.appliance_id
              AND {_GROUP_JOIN.format(**_TRUTH)}
              {_CHANGED_ONLY if unchanged else ""}""",
            params,
        )
    if unchanged:
        conn.execute(
            f"""UPDATE items SET checked_at = s.checked, next_check_at = s.next FROM _sched s
            WHERE {selection} AND s.old = items.next_check_at
              AND items.appliance_id NOT IN (SELECT value FROM json_each(:changed))""",
            params,
        )
    _update_status(conn, selection, latest)
    return due_checks


SEEN_IS_TRUTH = (
    "(items.seen_pending_reboot = items.sim_pending_reboot AND items.seen_agent_heartbeat = "
    "items.sim_reaches_appliance AND items.seen_appliance_azure IS a.sim_azure_connected "
    "AND items.sim_version_at_reboot IS NULL)"
)
"""A check would copy nothing new into what the service saw (see check_items_due's full write)."""


def _apply_reinstalls(conn: sqlite3.Connection, selection: str) -> None:
    """A hand reinstall (`sim reinstall`) becomes the service's view of the version at the check."""
    rows = conn.execute(
        "SELECT id, sim_agent_version FROM items INDEXED BY items_reinstalled "
        f"WHERE sim_agent_version IS NOT NULL AND {selection}"
    ).fetchall()
    conn.executemany(
        "UPDATE items SET agent_version = ?, agent_version_key = ?, sim_agent_version = NULL WHERE"
        " id = ?",
        [(v, version_key(v), i) for i, v in rows],
    )


def refresh_items(
    conn: sqlite3.Connection,
    where: str = "1",
    params: dict | None = None,
    latest: Latest | None = None,
) -> int:
    """Recompute blockers and status from what the service last saw (no new check): after a job
    ends or a release is published. `where` filters `items` (columns as items.x, :named params)."""
    latest = latest or Latest.read(conn)
    params = dict(params or {})
    groups = _groups(conn, _SEEN, where, params)
    if not groups:
        return 0
    _fill_groups(conn, groups, latest)
    conn.execute(
        f"""UPDATE items SET blockers = g.blockers
        FROM appliances a, _grp g
        WHERE ({where}) AND a.id = items.appliance_id AND {_GROUP_JOIN.format(**_SEEN)}
          AND items.blockers != g.blockers""",
        params,
    )
    cur = conn.execute(
        f"UPDATE items SET status = {STATUS_CASE.format(t='', blockers='blockers')} WHERE ({where})"
        f" AND status != {STATUS_CASE.format(t='', blockers='blockers')}",
        {**params, "latest_key": latest.agent_key},
    )
    return cur.rowcount


def checks_would_change(conn: sqlite3.Connection, vault_id: int, latest: Latest) -> dict[int, str]:
    """Machines of a vault behind the latest agent whose next check would change what the service
    sees: the blockers a check would write from the simulated truth now differ from the stored
    ones, or a hand reinstall waits to be seen. Read only. Item id -> next_check_at (ISO UTC)."""
    agent = latest.agent
    if agent is None:
        return {}
    rows = conn.execute(
        "SELECT items.id, items.next_check_at, items.appliance_id, items.agent_version,"
        f" {_TRUTH['at_reboot']}, {_TRUTH['pending']}, {_TRUTH['heartbeat']}, {_TRUTH['azure']},"
        " items.blockers, items.sim_agent_version IS NOT NULL FROM items JOIN appliances a ON a.id"
        " = items.appliance_id WHERE items.vault_id = ? AND items.agent_version_key < ? AND"
        f" items.next_check_at IS NOT NULL AND (items.blockers != '[]' OR NOT {SEEN_IS_TRUTH} OR"
        " items.sim_agent_version IS NOT NULL)",
        (vault_id, latest.agent_key),
    ).fetchall()
    appliances = appliance_facts(conn, (r[2] for r in rows), dict(latest.appliances))
    out = {}
    for (
        item_id,
        next_check,
        aid,
        version,
        at_reboot,
        pending,
        heartbeat,
        azure,
        stored,
        reinstalled,
    ) in rows:
        found = agent_entry(
            appliances[aid],
            version,
            at_reboot,
            pending,
            heartbeat,
            azure,
            agent.version,
            agent.requires,
        )[1]
        if reinstalled or found != stored:
            out[item_id] = next_check
    return out


def refresh_item_ids(
    conn: sqlite3.Connection, ids: Iterable[int], latest: Latest | None = None
) -> int:
    """refresh_items for a set of item ids (through a temp table, so any number works)."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS _ids (id INTEGER PRIMARY KEY)")
    conn.execute("DELETE FROM _ids")
    conn.executemany("INSERT OR IGNORE INTO _ids VALUES (?)", [(i,) for i in ids])
    return refresh_items(conn, "items.id IN (SELECT id FROM _ids)", None, latest)


# -- appliances and their components ---------------------------------------------------------------


def check_appliances_due(
    conn: sqlite3.Connection, until: datetime, latest: Latest | None = None
) -> int:
    """Appliances due a check: Azure connectivity as the service now sees it; component statuses."""
    latest = latest or Latest.read(conn)
    bound = iso(until)
    rows = conn.execute(
        "SELECT id, next_check_at FROM appliances WHERE next_check_at <= ?", (bound,)
    ).fetchall()
    epoch = int(until.timestamp())
    due_checks = 0
    for aid, nxt in rows:
        due = int(datetime.fromisoformat(nxt).timestamp())
        times = (epoch - due) // CHECK_INTERVAL_S
        due_checks += times + 1
        last = due + CHECK_INTERVAL_S * times
        conn.execute(
            "UPDATE appliances SET seen_azure_connected = sim_azure_connected, "
            "checked_at = strftime('%Y-%m-%dT%H:%M:%SZ', ?, 'unixepoch'), "
            "next_check_at = strftime('%Y-%m-%dT%H:%M:%SZ', ?, 'unixepoch') WHERE id = ?",
            (last, last + CHECK_INTERVAL_S, aid),
        )
    if rows:
        refresh_components(conn, [r[0] for r in rows], latest)
    return due_checks


def refresh_components(
    conn: sqlite3.Connection,
    appliance_ids: Iterable[int] | None = None,
    latest: Latest | None = None,
    *,
    only: set[tuple[int, str]] | None = None,
) -> None:
    """Recompute components' blockers and status from the service's view of their appliance
    (`only` limits it to some (appliance id, slug) pairs)."""
    latest = latest or Latest.read(conn)
    sql = "SELECT id, name, seen_azure_connected FROM appliances"
    ids = None if appliance_ids is None else sorted(set(appliance_ids))
    appliances = (
        conn.execute(sql).fetchall()
        if ids is None
        else [
            r
            for chunk in range(0, len(ids), 500)
            for r in conn.execute(
                f"{sql} WHERE id IN ({','.join('?' * len(ids[chunk : chunk + 500]))})",
                ids[chunk : chunk + 500],
            )
        ]
    )
    updates = []
    for aid, name, azure in appliances:
        comps = conn.execute(
            "SELECT slug, version, active_job_id, last_job_failed FROM components WHERE"
            " appliance_id = ?",
            (aid,),
        ).fetchall()
        siblings = {slug: version for slug, version, _a, _f in comps}
        for slug, version, active, failed in comps:
            if only is not None and (aid, slug) not in only:
                continue
            rel = latest.releases.get(slug)
            key = (
                slug,
                version,
                rel.version if rel else None,
                tuple(sorted(rel.requires.items())) if rel else (),
                name,
                bool(azure),
                tuple(sorted(siblings.items())),
                active is not None,
                bool(failed),
            )
            entry = _COMPONENT_CACHE.get(key)
            if entry is None:
                facts = ComponentFacts(
                    slug, version, key[2], rel.requires if rel else {}, name, bool(azure), siblings
                )
                blockers = component_blockers(facts)
                status = update_status(
                    version,
                    facts.latest,
                    blockers,
                    active_job=active is not None,
                    last_job_failed=bool(failed),
                )
                if len(_COMPONENT_CACHE) >= _CACHE_MAX:
                    _COMPONENT_CACHE.clear()
                entry = _COMPONENT_CACHE[key] = (status.slug, blockers_json(blockers))
            updates.append((*entry, aid, slug))
    conn.executemany(
        "UPDATE components SET status = ?, blockers = ? WHERE appliance_id = ? AND slug = ?",
        updates,
    )
