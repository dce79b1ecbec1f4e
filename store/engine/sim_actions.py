"""The simulator's actions: they change the simulated truth only; the service notices at its next
check (a published release is the exception: the service knows its own catalog at once)."""

from __future__ import annotations

import sqlite3

from sqlite_utils import Database

from store import audit, clock
from store.catalog import insert_release
from store.db import write
from store.engine.checks import Latest, refresh_components, refresh_items
from store.errors import BadInput, Refused
from store.fleet import no_such_item
from store.sim import error_catalog
from store.versions import Version, VersionError
from store.vocabulary import AGENT, Component

KINDS = (AGENT, *(c.value for c in Component))


def _item(conn: sqlite3.Connection, name: str) -> tuple[int, str | None]:
    row = conn.execute("SELECT id, active_job_id FROM items WHERE name = ?", (name,)).fetchone()
    if row is None:
        raise no_such_item(conn, name)
    return row


def _record(
    conn: sqlite3.Connection, action: str, target: str, detail: dict, actor: str | None
) -> None:
    audit.record(conn, clock.now(conn), action, target, detail, actor=actor or "")


def parse_version(text: str) -> str:
    try:
        return str(Version.parse(text))
    except VersionError as exc:
        raise BadInput(str(exc)) from None


def parse_requires(pairs: list[str]) -> dict[str, str]:
    """['process-server=9.67.1.1', ...] -> {slug: version}; malformed pairs are bad input."""
    out: dict[str, str] = {}
    slugs = [c.value for c in Component]
    for pair in pairs:
        slug, sep, version = pair.partition("=")
        if not sep or slug not in slugs:
            raise BadInput(
                f"bad --requires {pair!r} (use COMPONENT=VERSION, COMPONENT one of"
                f" {', '.join(slugs)})"
            )
        out[slug] = parse_version(version)
    return out


def release(
    db: Database,
    component: str,
    version: str,
    requires: dict[str, str] | None = None,
    *,
    channel: str = "ga",
    actor: str | None = None,
) -> dict:
    """Publish a release now; statuses everywhere follow (New update available appears)."""
    if component not in KINDS:
        raise BadInput(
            f"unknown component {component!r}; use agent or one of {', '.join(KINDS[1:])}"
        )
    version = parse_version(version)
    if channel not in ("ga", "private-preview"):
        raise BadInput(f"unknown channel {channel!r} (ga or private-preview)")
    with write(db) as conn:
        if conn.execute(
            "SELECT 1 FROM releases WHERE component = ? AND version = ?", (component, version)
        ).fetchone():
            raise Refused(f"{component} {version} is already released")
        now = clock.now(conn)
        insert_release(conn, component, version, now.date().isoformat(), channel, requires or {})
        latest = Latest.read(conn)
        if component == AGENT:
            refresh_items(conn, "1", None, latest)
        else:
            refresh_components(conn, None, latest)
        _record(
            conn,
            "sim release",
            f"{component} {version}",
            {"requires": requires or {}, "channel": channel},
            actor,
        )
    return {
        "component": component,
        "version": version,
        "requires": requires or {},
        "channel": channel,
        "released_at": clock.iso(now),
    }


def pending_reboot(db: Database, name: str, *, actor: str | None = None) -> None:
    """The machine now has a pending mandatory reboot."""
    with write(db) as conn:
        item_id, _ = _item(conn, name)
        conn.execute("UPDATE items SET sim_pending_reboot = 1 WHERE id = ?", (item_id,))
        _record(conn, "sim pending-reboot", name, {}, actor)


def reboot(db: Database, name: str, *, actor: str | None = None) -> None:
    """The machine restarts: no pending reboot, and its version at last reboot is its version
    now."""
    with write(db) as conn:
        item_id, _ = _item(conn, name)
        conn.execute(
            "UPDATE items SET sim_pending_reboot = 0, "
            "sim_version_at_reboot = coalesce(sim_agent_version, agent_version) WHERE id = ?",
            (item_id,),
        )
        _record(conn, "sim reboot", name, {}, actor)


def set_connected(db: Database, name: str, connected: bool, *, actor: str | None = None) -> str:
    """A machine loses/regains its appliance, or an appliance loses/regains Azure. Returns the
    kind."""
    with write(db) as conn:
        row = conn.execute("SELECT id FROM items WHERE name = ?", (name,)).fetchone()
        if row is not None:
            conn.execute(
                "UPDATE items SET sim_reaches_appliance = ? WHERE id = ?", (int(connected), row[0])
            )
            kind = "machine"
        else:
            row = conn.execute("SELECT id FROM appliances WHERE name = ?", (name,)).fetchone()
            if row is None:
                raise BadInput(f"no replicated item or appliance named {name!r}")
            conn.execute(
                "UPDATE appliances SET sim_azure_connected = ? WHERE id = ?",
                (int(connected), row[0]),
            )
            kind = "appliance"
        _record(conn, "sim connect" if connected else "sim disconnect", name, {"kind": kind}, actor)
    return kind


def fail_next(db: Database, name: str, code: str, *, actor: str | None = None) -> None:
    """The machine's next update job fails with this catalogued error code."""
    if not error_catalog.is_known(code):
        known = ", ".join(sorted(error_catalog.CATALOG))
        raise BadInput(f"unknown error code {code!r} (known: {known})")
    with write(db) as conn:
        item_id, _active = _item(conn, name)
        conn.execute("UPDATE items SET sim_fail_code = ? WHERE id = ?", (code, item_id))
        _record(conn, "sim fail", name, {"code": code}, actor)


def reinstall(db: Database, name: str, *, actor: str | None = None) -> str:
    """Install the latest agent by hand (clears MissingUpgradePath at the next check)."""
    with write(db) as conn:
        item_id, active = _item(conn, name)
        if active:
            raise Refused(
                f"{name}: an update job is active ({active}); wait for it or cancel it first"
            )
        agent = Latest.read(conn).agent
        if agent is None:
            raise Refused("no agent release is published")
        conn.execute(
            "UPDATE items SET sim_agent_version = ?, sim_version_at_reboot = ? WHERE id = ?",
            (agent.version, agent.version, item_id),
        )
        _record(conn, "sim reinstall", name, {"version": agent.version}, actor)
    return agent.version
