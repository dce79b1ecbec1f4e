"""Every operator command and engine decision is recorded with its actor (and SSH client)."""

from __future__ import annotations

from datetime import timedelta

from worlds import machine, world

from store import audit, operations
from store.engine import sim_actions
from store.engine.headless import run_engine
from store.vocabulary import SITE_RECOVERY_ACTOR


def test_commands_and_decisions_are_audited_with_their_actor(make_db, monkeypatch) -> None:
    monkeypatch.setenv("SSH_CLIENT", "203.0.113.7 52000 22")
    db = make_db(
        world(start="2026-12-16T23:30:00-05:00", items=[machine("web-01"), machine("web-02")])
    )
    sim_actions.fail_next(db, "web-01", "95524")
    job = operations.update(db, ["web-01"]).created[0]
    operations.clock_advance(db, timedelta(minutes=5))
    operations.retry(db, job.id)
    operations.cancel(db, operations.update(db, ["web-02"]).created[0].id)
    operations.set_auto_update(db, 1, True)
    operations.registry_set(db, "appl-east", "AutoUpdate", 0)
    operations.registry_delete(db, "appl-east", "AutoUpdate")
    operations.clock_speed(db, 100_000)
    run_engine(db, engine_for=timedelta(minutes=31), step_wall_s=0.001)
    rows = audit.recent(db.conn, 100)
    mine = {r["action"] for r in rows if r["actor"] == audit.current_actor()}
    assert {
        "sim fail",
        "update",
        "clock advance",
        "retry",
        "cancel",
        "auto-update",
        "registry set",
        "registry delete",
        "clock speed",
        "engine run",
    } <= mine
    assert all(
        r["client"] == "203.0.113.7"
        for r in rows
        if r["actor"] == audit.current_actor() and r["action"] != "demo load"
    )
    engine = [r for r in rows if r["actor"] == SITE_RECOVERY_ACTOR]
    assert [r["action"] for r in engine] == ["auto-update agents"]
    assert engine[0]["detail"]["created"] == 1  # web-02, whose job was cancelled (web-01 retried)
