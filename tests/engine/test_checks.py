"""Prerequisite checks every 30 minutes: the simulated truth shows only at a machine's next check."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest
from worlds import OLD, appliance, machine, world

from store.engine import sim_actions
from store.engine.checks import STATUS_CASE
from store.engine.loop import advance_by
from store.engine.status import update_status
from store.fleet import item_detail
from store.models import UpdateStatus


def _next_check(db, name: str) -> timedelta:
    from store.clock import parse_iso
    from store.engine.loop import processed_until

    return parse_iso(item_detail(db.conn, name).next_check_at) - processed_until(db.conn)


def test_status_sql_matches_the_pure_rule() -> None:
    conn = sqlite3.connect(":memory:")
    case = STATUS_CASE.format(t="", blockers="blockers")
    for version_key, latest in (("1", "2"), ("2", "2"), ("3", "2"), ("1", None)):
        for active in (None, "job"):
            for failed in (0, 1):
                for blockers in ("[]", '[{"reason": "RebootRequired"}]'):
                    got = conn.execute(
                        f"SELECT {case} FROM (SELECT :a AS active_job_id, :v AS agent_version_key, "
                        ":f AS last_job_failed, :b AS blockers)",
                        {"a": active, "v": version_key, "f": failed, "b": blockers, "latest_key": latest},
                    )
                    want = update_status(
                        f"9.{version_key}.0.0", None if latest is None else f"9.{latest}.0.0",
                        [] if blockers == "[]" else [{"reason": "x"}],
                        active_job=active is not None, last_job_failed=bool(failed),
                    )
                    assert got.fetchone()[0] == want.slug


def test_pending_reboot_shows_only_at_the_next_check_and_clears_after_reboot(make_db) -> None:
    db = make_db()
    sim_actions.pending_reboot(db, "web-01")
    assert item_detail(db.conn, "web-01").status == UpdateStatus.UPDATE_AVAILABLE.value
    wait = _next_check(db, "web-01")
    assert timedelta(0) < wait <= timedelta(minutes=30)
    advance_by(db, wait - timedelta(seconds=1))
    assert item_detail(db.conn, "web-01").status == UpdateStatus.UPDATE_AVAILABLE.value
    advance_by(db, timedelta(seconds=1))
    view = item_detail(db.conn, "web-01")
    assert view.status == UpdateStatus.BLOCKED.value
    assert [b.reason for b in view.blockers] == ["RebootRequired"]
    assert _next_check(db, "web-01") == timedelta(minutes=30)
    sim_actions.reboot(db, "web-01")
    assert item_detail(db.conn, "web-01").status == UpdateStatus.BLOCKED.value  # until the next check
    advance_by(db, timedelta(minutes=30))
    assert item_detail(db.conn, "web-01").status == UpdateStatus.UPDATE_AVAILABLE.value


def test_machine_disconnect_and_appliance_disconnect_show_at_the_next_check(make_db) -> None:
    db = make_db()
    sim_actions.set_connected(db, "web-01", False)
    sim_actions.set_connected(db, "appl-east", False)
    assert item_detail(db.conn, "web-02").blockers == []
    advance_by(db, timedelta(minutes=30))
    one = {b.reason for b in item_detail(db.conn, "web-01").blockers}
    two = {b.reason for b in item_detail(db.conn, "web-02").blockers}
    assert one == {"AgentNoHeartbeat", "ProcessServerNoHeartbeat", "RcmProxyNoHeartbeat"}
    assert two == {"ProcessServerNoHeartbeat", "RcmProxyNoHeartbeat"}
    sim_actions.set_connected(db, "web-01", True)
    sim_actions.set_connected(db, "appl-east", True)
    advance_by(db, timedelta(minutes=30))
    assert item_detail(db.conn, "web-01").status == UpdateStatus.UPDATE_AVAILABLE.value


def test_appliance_without_azure_blocks_its_components_with_a_newer_version(make_db) -> None:
    from store.service import Service

    components = {**appliance("x")["components"], "push-installer": "1.45.9533.17990"}
    db = make_db(world(appliances=[appliance("appl-east", components=components)]))
    sim_actions.set_connected(db, "appl-east", False)
    advance_by(db, timedelta(minutes=30))
    view = Service(db).appliance("appl-east")
    comps = {c.slug: c for c in view.components}
    assert not view.azure_connected
    assert comps["push-installer"].status == UpdateStatus.BLOCKED.value
    assert [b.reason for b in comps["push-installer"].blockers] == ["NoAzureConnectivity"]
    assert comps["process-server"].status == UpdateStatus.UP_TO_DATE.value


def test_reinstall_clears_missing_upgrade_path_at_the_next_check(make_db) -> None:
    db = make_db(world(items=[machine("old-01", version=OLD)]))
    view = item_detail(db.conn, "old-01")
    assert "MissingUpgradePath" in [b.reason for b in view.blockers]
    version = sim_actions.reinstall(db, "old-01")
    assert item_detail(db.conn, "old-01").agent_version == OLD
    advance_by(db, timedelta(minutes=30))
    view = item_detail(db.conn, "old-01")
    assert view.agent_version == version
    assert view.status == UpdateStatus.UP_TO_DATE.value
    assert view.blockers == []


def test_a_long_jump_checks_each_machine_once_at_its_last_due_time(make_db) -> None:
    db = make_db()
    before = _next_check(db, "web-01")
    advance_by(db, timedelta(hours=5))
    view = item_detail(db.conn, "web-01")
    from store.clock import parse_iso

    assert parse_iso(view.next_check_at) - parse_iso(view.checked_at) == timedelta(minutes=30)
    assert timedelta(0) < _next_check(db, "web-01") <= timedelta(minutes=30)
    assert (_next_check(db, "web-01") - before) % timedelta(minutes=30) == timedelta(0)


@pytest.mark.parametrize("component", ["agent"])
def test_release_shows_new_update_available_at_once(make_db, component) -> None:
    db = make_db(world(items=[machine("web-01", version="9.66.7643.1")]))
    assert item_detail(db.conn, "web-01").status == UpdateStatus.UP_TO_DATE.value
    sim_actions.release(db, component, "9.67.7700.1")
    view = item_detail(db.conn, "web-01")
    assert view.latest_version == "9.67.7700.1"
    assert view.status == UpdateStatus.UPDATE_AVAILABLE.value
