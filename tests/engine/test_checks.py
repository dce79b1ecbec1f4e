"""Prerequisite checks every 30 minutes: the simulated truth shows only at a machine's next
check."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta

import pytest
from worlds import OLD, appliance, machine, world

from store.engine import sim_actions
from store.engine.checks import STATUS_CASE
from store.engine.loop import advance_by
from store.engine.status import update_status
from store.fleet import item_detail
from store.vocabulary import UpdateStatus


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
                        {
                            "a": active,
                            "v": version_key,
                            "f": failed,
                            "b": blockers,
                            "latest_key": latest,
                        },
                    )
                    want = update_status(
                        f"9.{version_key}.0.0",
                        None if latest is None else f"9.{latest}.0.0",
                        [] if blockers == "[]" else [{"reason": "x"}],
                        active_job=active is not None,
                        last_job_failed=bool(failed),
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
    assert (
        item_detail(db.conn, "web-01").status == UpdateStatus.BLOCKED.value
    )  # until the next check
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


def test_a_check_with_nothing_new_moves_only_its_times_and_one_that_sees_a_change_shows_it(
    make_db,
) -> None:
    """Machines on two appliances, checked every 30 minutes: a machine's check copies what it finds
    (here a pending reboot on one appliance's machine), the others' checks only move on, and in
    small steps (the console's engine) or one jump the rows end the same."""
    from store.clock import parse_iso

    data = world(
        appliances=[appliance("appl-east"), appliance("appl-west")],
        items=[machine(f"e-{n}") for n in range(4)]
        + [machine(f"w-{n}", "appl-west") for n in range(4)],
    )
    jump, steps = make_db(data, "jump.db"), make_db(data, "steps.db")
    for db in (jump, steps):
        advance_by(db, timedelta(minutes=30))  # every machine checked once
        sim_actions.pending_reboot(db, "w-2")
    advance_by(jump, timedelta(minutes=30))
    for _ in range(60):
        advance_by(steps, timedelta(seconds=30))
    rows = (
        "SELECT name, status, blockers, checked_at, next_check_at, seen_pending_reboot FROM items"
        " ORDER BY name"
    )
    assert jump.conn.execute(rows).fetchall() == steps.conn.execute(rows).fetchall()
    for name in [f"e-{n}" for n in range(4)] + [f"w-{n}" for n in range(4)]:
        view = item_detail(jump.conn, name)
        assert parse_iso(view.next_check_at) - parse_iso(view.checked_at) == timedelta(minutes=30)
        assert timedelta(0) < _next_check(jump, name) <= timedelta(minutes=30)
        assert [b.reason for b in view.blockers] == (["RebootRequired"] if name == "w-2" else [])


def test_a_fleet_reloaded_with_an_earlier_clock_still_has_every_check_done(make_db) -> None:
    """The loop remembers where checks are done (clock.checks_to); a scenario replaced with an
    earlier
    start must not make it skip the machines due before that point."""
    from store.clock import iso
    from store.engine.loop import processed_until
    from store.sim.loader import load_scenario
    from store.sim.scenario import parse_scenario

    data = world(items=[machine(f"vm-{n:02d}") for n in range(40)])
    db = make_db(data)
    advance_by(db, timedelta(minutes=10))
    earlier = {**data, "clock": {"start": "2026-12-16T10:05:00Z", "speed": 60}}
    load_scenario(db, parse_scenario(json.dumps(earlier), "test"), source="test", replace=True)
    due_soon = db.conn.execute(
        "SELECT count(*) FROM items WHERE next_check_at <= '2026-12-16T10:10:00Z'"
    ).fetchone()[0]
    assert due_soon > 0  # machines due before where the first fleet's checks had got to
    advance_by(db, timedelta(minutes=10))
    now = iso(processed_until(db.conn))
    assert (
        db.conn.execute("SELECT count(*) FROM items WHERE next_check_at <= ?", (now,)).fetchone()[0]
        == 0
    )
