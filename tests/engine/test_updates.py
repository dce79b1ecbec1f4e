"""Manual updates: one job per machine, refusals with reasons, jobs over engine time, fail, retry,
cancel."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from worlds import LATEST, PREVIOUS, machine, world

from store import audit, operations
from store.clock import parse_iso
from store.engine import sim_actions
from store.engine.loop import advance_by
from store.errors import BadInput, Refused
from store.fleet import item_detail
from store.job_writes import AGENT_JOB_NAME, AGENT_SCENARIO
from store.jobs import get_job
from store.vocabulary import UpdateStatus


def _jobs(db) -> int:
    return db.conn.execute("SELECT count(*) FROM jobs").fetchone()[0]


def test_update_one_machine_runs_three_tasks_and_brings_it_up_to_date(make_db) -> None:
    db = make_db()
    out = operations.update(db, ["web-01"])
    assert out.refused == []
    [job] = out.created
    assert (job.name, job.scenario, job.item, job.state) == (
        AGENT_JOB_NAME,
        AGENT_SCENARIO,
        "web-01",
        "NotStarted",
    )
    assert job.initiated_by == audit.current_actor()
    assert (job.from_version, job.to_version) == (PREVIOUS, LATEST)
    assert [t.state for t in job.tasks] == ["NotStarted"] * 3  # its plan, before it starts
    assert job.tasks[0].name == "Prerequisites check for updating the Mobility service"
    assert item_detail(db.conn, "web-01").status == UpdateStatus.UPDATING.value
    advance_by(db, timedelta(minutes=20))
    done = get_job(db.conn, job.id)
    assert done.state == "Succeeded"
    assert [t.state for t in done.tasks] == ["Succeeded"] * 3
    took = parse_iso(done.end_time) - parse_iso(done.start_time)
    assert timedelta(minutes=5) <= took <= timedelta(minutes=15)
    assert all(a.end_time == b.start_time for a, b in zip(done.tasks, done.tasks[1:], strict=False))
    view = item_detail(db.conn, "web-01")
    assert (view.agent_version, view.status, view.last_job_id) == (
        LATEST,
        UpdateStatus.UP_TO_DATE.value,
        job.id,
    )
    # No reboot needed and replication goes on: the version at last reboot is unchanged.
    row = db.conn.execute(
        "SELECT version_at_reboot, replication_health FROM items WHERE name = 'web-01'"
    ).fetchone()
    assert row == (PREVIOUS, "Healthy")
    assert audit.recent(db.conn)[-1]["action"] == "demo load"
    assert any(
        a["action"] == "update" and a["actor"] == audit.current_actor()
        for a in audit.recent(db.conn)
    )


def test_update_many_refuses_blocked_busy_and_current_ones_with_reasons(make_db) -> None:
    db = make_db(
        world(
            items=[
                machine("web-01"),
                machine("web-02", pending_reboot=True),
                machine("web-03", version=LATEST),
                machine("web-04"),
            ]
        )
    )
    first = operations.update(db, ["web-04"])
    out = operations.update(db, ["web-01", "web-02", "web-03", "web-04", "web-01"])
    assert [j.item for j in out.created] == ["web-01"]
    refused = {r.name: r for r in out.refused}
    assert set(refused) == {"web-02", "web-03", "web-04"}
    assert refused["web-02"].reasons[0].startswith("RebootRequired:")
    assert refused["web-02"].blockers[0].recommended_action
    assert refused["web-03"].reasons[0].startswith("AlreadyOnLatestVersion")
    assert first.created[0].id in refused["web-04"].reasons[0]
    assert db.conn.execute("SELECT count(*) FROM jobs WHERE target = 'web-04'").fetchone()[0] == 1


def test_unknown_name_is_bad_input_and_writes_nothing(make_db) -> None:
    db = make_db()
    with pytest.raises(BadInput):
        operations.update(db, ["web-01", "nope"])
    assert _jobs(db) == 0
    assert item_detail(db.conn, "web-01").status == UpdateStatus.UPDATE_AVAILABLE.value


def test_update_all_eligible_skips_blocked_and_up_to_date(make_db) -> None:
    db = make_db(
        world(
            items=[
                machine("a"),
                machine("b"),
                machine("c", pending_reboot=True),
                machine("d", version=LATEST),
                machine("e", private_preview=True),
            ]
        )
    )
    out = operations.update_all_eligible(db)
    assert sorted(j.item for j in out.created) == ["a", "b", "e"]
    assert operations.update_all_eligible(db).created == []


def test_each_process_server_runs_at_most_its_limit_the_rest_wait_with_a_reason(make_db) -> None:
    items = [machine(f"vm-{n:02d}") for n in range(25)]
    db = make_db(world(items=items))
    out = operations.update_all_eligible(db)
    assert len(out.created) == 25
    assert [j.waiting_reason for j in out.created[:10]] == [None] * 10
    assert all("limit" in j.waiting_reason for j in out.created[10:])
    peak = 0
    for _ in range(80):
        advance_by(db, timedelta(seconds=30))
        running = db.conn.execute(
            "SELECT count(*) FROM jobs WHERE state = 'InProgress'"
        ).fetchone()[0]
        peak = max(peak, running)
    assert peak == 10
    assert (
        db.conn.execute("SELECT count(*) FROM jobs WHERE state = 'Succeeded'").fetchone()[0] == 25
    )


def test_failed_job_shows_update_failed_with_the_catalogued_error_and_retry_links_it(
    make_db,
) -> None:
    db = make_db()
    sim_actions.fail_next(db, "web-01", "95524")
    [job] = operations.update(db, ["web-01"]).created
    assert (
        db.conn.execute("SELECT sim_fail_code FROM items WHERE name = 'web-01'").fetchone()[0]
        is None
    )
    advance_by(db, timedelta(minutes=20))
    failed = get_job(db.conn, job.id)
    assert failed.state == "Failed"
    assert [t.state for t in failed.tasks] == ["Failed", "Cancelled", "Cancelled"]
    [error] = failed.errors
    assert error.code == "95524" and error.recommended_action
    view = item_detail(db.conn, "web-01")
    assert (view.status, view.last_job_id, view.agent_version) == (
        UpdateStatus.FAILED.value,
        job.id,
        PREVIOUS,
    )
    with pytest.raises(Refused):
        operations.retry(db, operations.update(db, ["web-02"]).created[0].id)  # not failed
    again = operations.retry(db, job.id)
    assert again.retry_of == job.id and again.id != job.id
    with pytest.raises(Refused):
        operations.retry(db, job.id)  # the machine has an active job now
    advance_by(db, timedelta(minutes=20))
    assert get_job(db.conn, again.id).state == "Succeeded"
    assert item_detail(db.conn, "web-01").status == UpdateStatus.UP_TO_DATE.value


def test_retry_is_refused_while_the_machine_is_blocked(make_db) -> None:
    db = make_db()
    sim_actions.fail_next(db, "web-01", "20501")
    [job] = operations.update(db, ["web-01"]).created
    advance_by(db, timedelta(minutes=20))
    assert get_job(db.conn, job.id).errors[0].code == "20501"
    sim_actions.pending_reboot(db, "web-01")
    advance_by(db, timedelta(minutes=30))
    with pytest.raises(Refused, match="RebootRequired"):
        operations.retry(db, job.id)


def test_the_real_prerequisites_task_fails_when_the_machine_lost_its_appliance(make_db) -> None:
    db = make_db()
    [job] = operations.update(db, ["web-01"]).created
    sim_actions.set_connected(db, "web-01", False)  # after the job was created, before it runs
    advance_by(db, timedelta(minutes=20))
    failed = get_job(db.conn, job.id)
    assert failed.state == "Failed"
    assert failed.errors[0].code == "78174"
    assert failed.tasks[0].state == "Failed"


def test_cancel_not_started_at_once_and_in_progress_at_the_next_task_boundary(make_db) -> None:
    db = make_db()
    a, b = operations.update(db, ["web-01", "web-02"]).created
    cancelled = operations.cancel(db, a.id)
    assert cancelled.state == "Cancelled"
    assert item_detail(db.conn, "web-01").status == UpdateStatus.UPDATE_AVAILABLE.value
    advance_by(db, timedelta(seconds=45))
    assert get_job(db.conn, b.id).state == "InProgress"
    cancelling = operations.cancel(db, b.id)
    assert cancelling.state == "Cancelling"
    with pytest.raises(Refused):
        operations.cancel(db, b.id)
    advance_by(db, timedelta(minutes=20))
    done = get_job(db.conn, b.id)
    assert done.state == "Cancelled"
    assert [t.state for t in done.tasks] == ["Succeeded", "Cancelled", "Cancelled"]
    assert item_detail(db.conn, "web-02").agent_version == PREVIOUS
    with pytest.raises(Refused):
        operations.cancel(db, b.id)
    again = operations.retry(db, b.id)
    assert again.retry_of == b.id


def test_unknown_job_id_is_bad_input(make_db) -> None:
    db = make_db()
    with pytest.raises(BadInput):
        operations.cancel(db, "nope")
    with pytest.raises(BadInput):
        operations.retry(db, "nope")


def test_blockers_json_in_refusal_match_the_item(make_db) -> None:
    db = make_db(world(items=[machine("web-01", reaches_appliance=False)]))
    [refusal] = operations.update(db, ["web-01"]).refused
    stored = json.loads(
        db.conn.execute("SELECT blockers FROM items WHERE name = 'web-01'").fetchone()[0]
    )
    assert (
        [b.reason for b in refusal.blockers]
        == [b["reason"] for b in stored]
        == ["AgentNoHeartbeat"]
    )
