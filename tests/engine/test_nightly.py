"""Automatic updates at 12:00 AM local time: components first, then agents; toggles, registry,
DST."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from worlds import LATEST, OLD_COMPONENTS, appliance, machine, world

from store import audit, operations
from store.clock import parse_iso
from store.db import write
from store.engine import scheduler, sim_actions
from store.engine.checks import Latest
from store.engine.loop import advance, advance_by, processed_until
from store.engine.runner import RunStats
from store.fleet import item_detail
from store.vocabulary import SITE_RECOVERY_ACTOR, UpdateStatus

BEFORE_MIDNIGHT = "2026-12-16T23:50:00-05:00"
MIDNIGHT_UTC = "2026-12-17T05:00:00Z"


def _jobs(db, where: str = "1") -> list[tuple]:
    return db.conn.execute(
        "SELECT target, component, initiated_by, created_time, state, start_time, end_time FROM"
        f" jobs WHERE {where} ORDER BY seq"
    ).fetchall()


def test_toggle_on_updates_every_eligible_agent_at_midnight_as_site_recovery(make_db) -> None:
    db = make_db(
        world(
            start=BEFORE_MIDNIGHT,
            items=[
                machine("web-01"),
                machine("web-02"),
                machine("blocked", pending_reboot=True),
                machine("preview", private_preview=True),
                machine("current", version=LATEST),
            ],
        )
    )
    advance_by(db, timedelta(minutes=9, seconds=59))
    assert _jobs(db) == []
    advance_by(db, timedelta(seconds=1))
    jobs = _jobs(db)
    assert [j[0] for j in jobs] == ["web-01", "web-02"]
    assert {(j[2], j[3]) for j in jobs} == {(SITE_RECOVERY_ACTOR, MIDNIGHT_UTC)}
    advance_by(db, timedelta(minutes=20))
    assert item_detail(db.conn, "web-01").status == UpdateStatus.UP_TO_DATE.value
    assert item_detail(db.conn, "preview").status == UpdateStatus.UPDATE_AVAILABLE.value
    assert any(
        a["action"] == "auto-update agents" and a["actor"] == SITE_RECOVERY_ACTOR
        for a in audit.recent(db.conn)
    )


def test_toggle_off_creates_no_agent_jobs_and_says_why(make_db) -> None:
    db = make_db(world(start=BEFORE_MIDNIGHT))
    vault_id = db.conn.execute("SELECT id FROM vaults").fetchone()[0]
    assert operations.set_auto_update(db, vault_id, False) == {
        "vault": "vault-east",
        "enabled": False,
    }
    advance_by(db, timedelta(hours=1))
    assert _jobs(db) == []
    skipped = [a for a in audit.recent(db.conn) if a["action"] == "auto-update agents skipped"]
    assert "Allow Site Recovery to manage is off" in skipped[0]["detail"]["reason"]
    operations.set_auto_update(db, vault_id, True)
    advance_by(db, timedelta(days=1))
    assert len(_jobs(db)) == 2


def test_private_endpoint_vault_gets_no_automatic_updates(make_db) -> None:
    comps = {**OLD_COMPONENTS}
    db = make_db(
        world(
            start=BEFORE_MIDNIGHT,
            vaults=[
                {"name": "vault-east", "time_zone": "America/New_York", "private_endpoint": True}
            ],
            appliances=[appliance("appl-east", components=comps)],
        )
    )
    advance_by(db, timedelta(hours=1))
    assert _jobs(db) == []
    plan = scheduler.plan(db.conn, 1, processed_until(db.conn))
    assert plan.will_update == []
    assert {s.kind for s in plan.skipped} == {"agent", "component"}
    assert all("private endpoints" in s.reason for s in plan.skipped)


def test_a_run_happens_once_per_local_date(make_db) -> None:
    db = make_db(world(start=BEFORE_MIDNIGHT))
    start = processed_until(db.conn)
    end = start + timedelta(minutes=15)
    with write(db) as conn:
        latest = Latest.read(conn)
        assert scheduler.run_due(conn, start, end, RunStats(), latest) == 2
        assert scheduler.run_due(conn, start, end, RunStats(), latest) == 0
    assert (
        db.conn.execute("SELECT last_auto_run_local_date FROM vaults").fetchone()[0] == "2026-12-17"
    )
    advance(db, end)  # the loop sees the date recorded and does not run it again
    assert len(_jobs(db)) == 2


def test_appliance_autoupdate_registry_value_skips_and_deleting_it_turns_updates_back_on(
    make_db,
) -> None:
    comps = {**appliance("x")["components"], "push-installer": "1.45.9533.17990"}
    db = make_db(
        world(
            start=BEFORE_MIDNIGHT, items=[], appliances=[appliance("appl-east", components=comps)]
        )
    )
    assert operations.registry_set(db, "appl-east", "AutoUpdate", 0) == {"AutoUpdate": 0}
    plan = scheduler.plan(db.conn, 1, processed_until(db.conn))
    assert [(s.component, "AutoUpdate" in s.reason) for s in plan.skipped] == [
        ("push-installer", True)
    ]
    advance_by(db, timedelta(hours=1))
    assert _jobs(db) == []
    assert operations.registry_delete(db, "appl-east", "AutoUpdate") == {}
    advance_by(db, timedelta(days=1))
    [job] = _jobs(db)
    assert job[:4] == ("appl-east", "push-installer", SITE_RECOVERY_ACTOR, "2026-12-18T05:00:00Z")
    assert job[4] == "Succeeded"


def test_incompatible_appliance_is_upgraded_first_then_its_agents(make_db) -> None:
    db = make_db(
        world(
            start=BEFORE_MIDNIGHT,
            appliances=[appliance("appl-east", components=dict(OLD_COMPONENTS))],
        )
    )
    assert [b.reason for b in item_detail(db.conn, "web-01").blockers] == [
        "IncompatibleApplianceVersion"
    ]
    plan = scheduler.plan(db.conn, 1, processed_until(db.conn))
    assert [(u.kind, u.component or u.name) for u in plan.will_update] == [
        ("component", "proxy-server"),
        ("component", "process-server"),
        ("agent", "web-01"),
        ("agent", "web-02"),
    ]
    advance_by(db, timedelta(minutes=11))
    created = _jobs(db)
    assert [(j[0], j[1]) for j in created] == [
        ("appl-east", "proxy-server"),
        ("appl-east", "process-server"),
        ("web-01", None),
        ("web-02", None),
    ]
    waiting = db.conn.execute("SELECT waiting_reason FROM jobs WHERE component IS NULL").fetchall()
    assert all("finish updating its components" in w for (w,) in waiting)
    advance_by(db, timedelta(hours=2))
    jobs = _jobs(db)
    assert {j[4] for j in jobs} == {"Succeeded"}
    components_done = max(parse_iso(j[6]) for j in jobs if j[1])
    proxy, process = jobs[0], jobs[1]
    assert parse_iso(process[5]) >= parse_iso(
        proxy[6]
    )  # one component at a time, requirements first
    assert all(parse_iso(j[5]) >= components_done for j in jobs if not j[1])
    assert item_detail(db.conn, "web-01").agent_version == LATEST


def test_appliance_components_update_at_the_appliances_own_local_midnight(make_db) -> None:
    comps = {**appliance("x")["components"], "push-installer": "1.45.9533.17990"}
    db = make_db(
        world(
            start="2026-12-16T18:00:00Z",
            items=[],
            appliances=[appliance("appl-east", components=comps, time_zone="Europe/London")],
        )
    )
    advance_by(db, timedelta(hours=12))
    [job] = _jobs(db)
    assert job[3] == "2026-12-17T00:00:00Z"  # London midnight, not the vault's (New York)


def _night(db, day_utc: str) -> list[str]:
    return sorted({j[3] for j in _jobs(db, f"created_time LIKE '{day_utc}%'")})


def test_midnight_is_local_and_correct_across_dst_changes(make_db) -> None:
    db = make_db(world(start="2026-10-31T23:50:00-04:00", items=[machine("web-01")]))
    advance_by(db, timedelta(hours=1))
    assert _night(db, "2026-11-01") == ["2026-11-01T04:00:00Z"]  # EDT midnight
    sim_actions.release(db, "agent", "9.67.7700.1")
    advance_by(db, timedelta(days=1, hours=1))
    assert _night(db, "2026-11-02") == ["2026-11-02T05:00:00Z"]  # EST midnight after the fall back
    advance(db, datetime(2027, 3, 13, 12, tzinfo=UTC))
    sim_actions.release(db, "agent", "9.68.7800.1")
    advance_by(db, timedelta(hours=18))
    assert _night(db, "2027-03-14") == ["2027-03-14T05:00:00Z"]  # EST midnight, DST starts at 2 AM
    sim_actions.release(db, "agent", "9.69.7900.1")
    advance_by(db, timedelta(days=1))
    assert _night(db, "2027-03-15") == ["2027-03-15T04:00:00Z"]  # EDT midnight


def test_plan_json_shape_lists_updates_and_skips_with_reasons(make_db) -> None:
    db = make_db(
        world(
            start=BEFORE_MIDNIGHT,
            items=[
                machine("web-01"),
                machine("blocked", reaches_appliance=False),
                machine("preview", private_preview=True),
            ],
        )
    )
    operations.update(db, ["web-01"])
    plan = scheduler.plan(db.conn, 1, processed_until(db.conn)).model_dump()
    assert set(plan) >= {"vault", "run_at", "will_update", "skipped"}
    assert plan["run_at"] == "2026-12-17T00:00:00-05:00"
    skipped = {s["name"]: s["reason"] for s in plan["skipped"]}
    assert skipped["web-01"] == scheduler.ACTIVE_JOB
    assert skipped["blocked"].startswith("AgentNoHeartbeat")
    assert "private preview" in skipped["preview"]
    assert all(set(s) >= {"kind", "name", "reason"} for s in plan["skipped"])
