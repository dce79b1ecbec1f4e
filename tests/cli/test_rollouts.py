"""Staged rollouts through the command line, in real processes: the canary first, no wave before
its bake, the halt one failure past the budget, resume, pause, abort."""

from __future__ import annotations

import getpass

import cli_worlds as worlds
from rollout_kit import (
    JOB_STATES,
    SHOW_KEYS,
    WAVE_KEYS,
    advance,
    fleet,
    jobs,
    later,
    ok,
    set_clock,
    show,
    states,
    utc,
    wave_jobs,
)


def test_the_canary_goes_first_and_its_job_names_the_rollout(console) -> None:
    c = console(fleet(6))
    made = ok(c.run("rollout", "create", "r1", "--all-eligible", "--waves", "50%,100%", "--json"))
    view = made.json
    assert SHOW_KEYS <= set(view) and view["warnings"] == []
    assert (view["name"], view["vault"], view["target_version"]) == (
        "r1",
        "vault-east",
        worlds.LATEST,
    )
    assert (view["bake"], view["window"], view["max_failures"], view["failures"]) == (
        "30m",
        None,
        0,
        0,
    )
    assert all(WAVE_KEYS <= set(w) and set(w["jobs"]) == JOB_STATES for w in view["waves"])
    assert [w["machines"] for w in view["waves"]] == [
        ["web-00"],
        ["web-01", "web-02", "web-03"],
        ["web-04", "web-05"],
    ]  # 5 after the canary: 50% is 3
    assert states(view) == ["Running", "Pending", "Pending"] and view["state"] == "Running"
    assert view["waves"][0]["jobs"]["NotStarted"] == 1

    ok(c.run("update", "web-05"))  # the operator's own job is no rollout's
    listed = {j["item"]: j for j in jobs(c)}
    assert set(listed) == {"web-00", "web-05"}
    canary = listed["web-00"]
    assert canary["rollout"] == "r1" and listed["web-05"]["rollout"] is None
    assert canary["initiated_by"] == view["created_by"] == getpass.getuser()
    assert c.run("job", canary["id"], "--json").json["rollout"] == "r1"
    assert canary["created_time"] == view["created_time"] == view["waves"][0]["started"]


def test_no_wave_starts_before_the_bake_has_passed(console) -> None:
    c = console(fleet(4))
    ok(c.run("rollout", "create", "r1", "--all-eligible", "--bake", "45m"))
    advance(c, "20m")  # a job takes at most 15 minutes, started at the next 30-second tick
    view = show(c)
    finished = view["waves"][0]["finished"]
    assert view["state"] == "Baking" and states(view) == ["Baking", "Pending"]
    assert view["waves"][0]["jobs"]["Succeeded"] == 1
    assert view["bake_ends"] == view["next_wave_at"] == later(finished, minutes=45)

    set_clock(c, utc(later(finished, minutes=45, seconds=-1)))
    view = show(c)
    assert states(view) == ["Baking", "Pending"] and len(jobs(c)) == 1

    advance(c, "1s")
    view = show(c)
    assert states(view) == ["Succeeded", "Running"] and view["state"] == "Running"
    assert view["waves"][1]["started"] == later(finished, minutes=45)
    created = wave_jobs(c, "r1", view["waves"][1]["machines"])
    assert len(created) == 3 and {j["created_time"] for j in created} == {
        later(finished, minutes=45)
    }


def halted_at_budget_plus_one(c) -> dict:
    """Ten machines, canary web-00 then three waves of three; budget 1: web-02 (wave 1) fails and
    the rollout goes on; web-05 (wave 2) fails too, and it halts. A job takes 4m45s to 15m."""
    ok(
        c.run(
            "rollout",
            "create",
            "r1",
            "--all-eligible",
            "--waves",
            "33%,66%,100%",
            "--max-failures",
            "1",
            "--bake",
            "1h",
        )
    )
    advance(c, "95m")  # wave 1 starts 11:05-11:16 and ends by 11:32; its bake lasts past 12:10
    view = show(c)
    assert (view["state"], view["failures"]) == ("Baking", 1), view
    assert states(view)[:2] == ["Succeeded", "Baking"] and view["halted_reason"] is None
    advance(c, "75m")  # wave 2 starts by 12:32 and ends by 12:48
    return show(c)


def test_one_failure_past_the_budget_halts_and_nothing_more_is_created(console) -> None:
    c = console(fleet(10, fail={"web-02": "95517", "web-05": "95524"}))
    view = halted_at_budget_plus_one(c)
    assert view["state"] == "Halted" and view["failures"] == 2
    assert states(view) == ["Succeeded", "Succeeded", "Halted", "Pending"]
    reason = view["halted_reason"]
    assert "2 failed jobs" in reason and "budget of 1" in reason and "web-02 (95517)" in reason
    assert "web-05 (95524)" in reason
    wave2 = view["waves"][2]["jobs"]
    assert (wave2["Failed"], wave2["Succeeded"], wave2["NotStarted"] + wave2["InProgress"]) == (
        1,
        2,
        0,
    )
    before = jobs(c)
    assert len(before) == 7
    advance(c, "3h")
    after = show(c)
    assert after["state"] == "Halted" and states(after)[3] == "Pending" and jobs(c) == before


def test_resume_of_a_halt_starts_the_next_wave_at_once_and_counts_afresh(console) -> None:
    c = console(fleet(10, fail={"web-02": "95517", "web-05": "95524", "web-08": "95517"}))
    halted_at_budget_plus_one(c)
    resumed = ok(c.run("rollout", "resume", "r1"))
    assert "Running" in resumed.out
    view = show(c)
    now = ok(c.run("clock", "show", "--json")).json["now"]
    assert view["state"] == "Running" and view["failures"] == 0
    assert view["waves"][3]["started"] == now  # at once: no bake after the halted wave
    assert {j["created_time"] for j in wave_jobs(c, "r1", view["waves"][3]["machines"])} == {now}
    advance(c, "20m")  # web-08 fails: one failure since the resume, within the budget of 1
    view = show(c)
    assert (view["state"], view["failures"], view["ended_time"] is not None) == (
        "Completed",
        1,
        True,
    )
    assert states(view) == ["Succeeded", "Succeeded", "Halted", "Succeeded"]
    for verb in ("pause", "resume", "abort"):
        refused = c.run("rollout", verb, "r1")
        assert refused.code == 1 and refused.err.count("\n") == 1 and "completed" in refused.err


def test_pause_holds_the_next_wave_until_resume(console) -> None:
    c = console(fleet(3))
    ok(c.run("rollout", "create", "r1", "--all-eligible", "--bake", "20m"))
    advance(c, "17m")
    assert show(c)["state"] == "Baking"
    assert ok(c.run("rollout", "pause", "r1")).out.strip() == "Rollout r1: Paused."
    again = c.run("rollout", "pause", "r1")
    assert again.code == 1 and "paused" in again.err
    advance(c, "1h")
    view = show(c)
    assert (
        view["state"] == "Paused" and states(view) == ["Succeeded", "Pending"] and len(jobs(c)) == 1
    )
    ok(c.run("rollout", "resume", "r1"))
    view = show(c)
    now = ok(c.run("clock", "show", "--json")).json["now"]
    assert view["state"] == "Running" and view["waves"][1]["started"] == now
    not_halted = c.run("rollout", "resume", "r1")
    assert not_halted.code == 1 and "only a paused or halted rollout" in not_halted.err


def test_abort_cancels_only_the_jobs_that_have_not_started(console) -> None:
    c = console(fleet(9, cap=2))
    ok(c.run("rollout", "create", "r1", "--all-eligible", "--bake", "0"))
    advance(c, "17m")  # the canary ended; wave 1's eight jobs: two run at a time on the appliance
    before = {j["id"]: j["state"] for j in jobs(c) if j["item"] != "web-00"}
    waiting = {i for i, s in before.items() if s == "NotStarted"}
    running = {i for i, s in before.items() if s == "InProgress"}
    assert len(before) == 8 and waiting and len(running) == 2, before
    aborted = ok(c.run("rollout", "abort", "r1"))
    assert f"{len(waiting)} jobs that had not started cancelled" in aborted.out
    after = {j["id"]: j["state"] for j in jobs(c)}
    assert {after[i] for i in waiting} == {"Cancelled"} and {after[i] for i in running} == {
        "InProgress"
    }
    advance(c, "30m")
    final = {j["id"]: j["state"] for j in jobs(c)}
    assert {final[i] for i in running} == {"Succeeded"} and len(final) == 9
    view = show(c)
    assert view["state"] == "Aborted" and states(view) == ["Succeeded", "Aborted"]
    refused = c.run("rollout", "resume", "r1")
    assert refused.code == 1 and "aborted" in refused.err
