"""Staged rollouts through the command line, in real processes: the vault-local window across a DST
change, skips at a wave's start (the nightly run took machines), the automatic-update warning,
creating while an engine holds the lease, `plan` and `list`, and bad input that writes nothing."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys

import pytest
from rollout_kit import advance, content_digest, fleet, jobs, ok, set_clock, show, states, utc
from waiting import wait_for

from store.engine import lease


def test_a_window_opens_in_vault_local_time_across_a_dst_change(console) -> None:
    # Saturday 13 March 2027, 07:00 EST; New York springs forward at 02:00 on Sunday the 14th, so
    # the window's 02:30 does not exist that night: it opens at 03:00 EDT (07:00 UTC).
    c = console(fleet(3, start="2027-03-13T12:00:00Z"))
    view = ok(
        c.run("rollout", "create", "r1", "--all-eligible", "--window", "02:30-04:00", "--json")
    ).json
    assert (view["state"], view["window"], view["next_wave_at"]) == (
        "Waiting",
        "02:30-04:00",
        "2027-03-14T07:00:00Z",
    )
    assert states(view) == ["Pending", "Pending"] and jobs(c) == []
    planned = ok(c.run("plan", "--json")).json["rollouts"]
    assert planned == [
        {
            "name": "r1",
            "state": "Waiting",
            "next_wave": 0,
            "machines": 1,
            "at": "2027-03-14T03:00:00-04:00",
            "waits_for": "its window 02:30-04:00",
        }
    ]
    set_clock(c, utc("2027-03-14T06:59:59Z"))  # 01:59:59 EST
    assert jobs(c) == [] and show(c)["state"] == "Waiting"
    advance(c, "1s")
    [canary] = jobs(c)
    assert canary["created_time"] == "2027-03-14T07:00:00Z" and canary["item"] == "web-00"
    # The canary ends before 04:00 EDT (08:00 UTC) and the bake (30m) with it: wave 1 starts inside
    # the same window; a bake that ends after 04:00 would wait for the next night's 02:30 EDT.
    advance(c, "50m")
    view = show(c)
    assert states(view)[0] == "Succeeded" and view["waves"][1]["started"] < "2027-03-14T08:00:00Z"


def test_a_window_that_wraps_midnight_belongs_to_the_day_it_starts(console) -> None:
    c = console(
        fleet(2, start="2026-12-16T10:00:00Z")
    )  # 05:00 EST: inside the 15th's 22:00-06:00 window
    view = ok(
        c.run(
            "rollout",
            "create",
            "r1",
            "--all-eligible",
            "--window",
            "22:00-06:00",
            "--bake",
            "1h",
            "--json",
        )
    ).json
    assert view["state"] == "Running" and len(jobs(c)) == 1
    advance(
        c, "2h"
    )  # the bake ended after 06:00 EST: wave 1 waits for the 16th's window, 22:00 EST
    view = show(c)
    assert (view["state"], view["next_wave_at"]) == ("Waiting", "2026-12-17T03:00:00Z")


def test_machines_the_nightly_run_took_or_that_became_blocked_are_skipped_at_their_wave(
    console,
) -> None:
    # 23:40 EST with automatic updates on: the nightly run at 00:00 takes the eligible machines of
    # wave 1 while the canary bakes; web-03 gains a pending reboot (its nightly job fails the real
    # prerequisites check, and the next check blocks it); web-04, on private-preview bits, is never
    # updated automatically, so the rollout's wave updates it.
    c = console(
        fleet(
            5,
            auto_update=True,
            start="2026-12-17T04:40:00Z",
            **{"web-04": {"private_preview": True}},
        )
    )
    made = ok(c.run("rollout", "create", "r1", "--all-eligible", "--json"))
    warning = (
        "automatic updates are on in vault-east: tonight's run (12:00 AM local) may update machines"
    )
    assert made.err.startswith(f"asr-console: warning: {warning}") and made.err.count("\n") == 1
    assert made.json["warnings"] and made.json["warnings"][0].startswith(warning)
    ok(c.run("sim", "pending-reboot", "web-03"))
    advance(c, "45m")  # 05:25: the nightly jobs are done; the canary's bake ends by 05:46
    advance(c, "30m")
    view = show(c)
    skipped = {s["name"]: (s["wave"], s["reasons"][0].split(":")[0]) for s in view["skipped"]}
    assert skipped == {
        "web-01": (1, "AlreadyOnLatestVersion"),
        "web-02": (1, "AlreadyOnLatestVersion"),
        "web-03": (1, "RebootRequired"),
    }
    by_item = {j["item"]: j for j in jobs(c)}
    assert (
        by_item["web-01"]["initiated_by"] == "Site Recovery"
        and by_item["web-01"]["rollout"] is None
    )
    assert {j["item"] for j in jobs(c) if j["rollout"] == "r1"} == {"web-00", "web-04"}
    assert view["waves"][1]["machines"] == [
        "web-01",
        "web-02",
        "web-03",
        "web-04",
    ]  # frozen at creation
    assert sum(view["waves"][1]["jobs"].values()) == 1


def test_no_warning_where_automatic_updates_are_off(console) -> None:
    c = console(fleet(2))
    made = ok(c.run("rollout", "create", "r1", "web-00", "web-01", "--json"))
    assert made.err == "" and made.json["warnings"] == []


def test_named_blocked_and_up_to_date_machines_are_skipped_with_their_reasons(console) -> None:
    c = console(
        fleet(4, **{"web-01": {"pending_reboot": True}, "web-02": {"agent_version": "9.66.7643.1"}})
    )
    view = ok(
        c.run("rollout", "create", "r1", "web-00", "web-01", "web-02", "web-03", "web-00", "--json")
    ).json
    assert [w["machines"] for w in view["waves"]] == [["web-00"], ["web-03"]]
    assert [(s["name"], s["wave"], s["reasons"][0].split(":")[0]) for s in view["skipped"]] == [
        ("web-01", None, "RebootRequired"),
        ("web-02", None, "AlreadyOnLatestVersion"),
    ]


def test_filters_choose_machines_with_a_newer_version(console) -> None:
    c = console(fleet(6, **{"web-05": {"os": "Ubuntu 22.04"}, "web-04": {"pending_reboot": True}}))
    view = ok(
        c.run(
            "rollout",
            "create",
            "r1",
            "--os",
            "windows",
            "--match",
            "web-0",
            "--status",
            "update-available",
            "--appliance",
            "appl-east",
            "--canary",
            "50%",
            "--json",
        )
    ).json
    assert [w["machines"] for w in view["waves"]] == [["web-00", "web-01"], ["web-02", "web-03"]]
    assert view["skipped"] == []  # web-04 is blocked (not update-available), web-05 runs Ubuntu


def test_create_works_while_an_engine_holds_the_lease_and_the_engine_drives_it(
    console, tmp_path
) -> None:
    c = console(fleet(3))
    ok(c.run("clock", "speed", "3000"))
    engine = subprocess.Popen(
        [sys.executable, "-m", "tui.cli", "engine", "run", "--db", str(c.db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(
            lambda: _lease_holder(c.db) is not None,
            "the engine process holding the lease",
            timeout=60,
        )
        ok(c.run("rollout", "create", "r1", "--all-eligible", "--bake", "1m"))
        done = wait_for(
            lambda: (v := show(c))["state"] == "Completed" and v,
            "the engine completing r1",
            timeout=120,
        )
        assert states(done) == ["Succeeded", "Succeeded"]
        assert {j["rollout"] for j in jobs(c)} == {"r1"} and len(jobs(c)) == 3
    finally:
        engine.send_signal(signal.SIGINT)
        engine.communicate(timeout=60)


def _lease_holder(db) -> str | None:
    """The live engine lease holder (`clock advance` no longer tells: the holder performs it)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return lease.current(conn)[0]
    finally:
        conn.close()


def test_list_shows_every_rollout_newest_first(console) -> None:
    c = console(fleet(4))
    ok(c.run("rollout", "create", "first", "web-00", "web-01"))
    ok(c.run("rollout", "create", "second", "web-02", "--bake", "0"))
    ok(c.run("rollout", "pause", "first"))
    listed = ok(c.run("rollout", "list", "--json")).json
    assert [(r["name"], r["state"], r["machines"], r["waves"]) for r in listed] == [
        ("second", "Running", 1, 1),
        ("first", "Paused", 2, 2),
    ]
    text = ok(c.run("rollout", "list")).out
    assert text.splitlines()[0].split()[:3] == ["NAME", "VAULT", "STATE"] and "2 rollouts" in text


BAD = {
    "unknown machine": ["r2", "web-00", "nobody"],
    "share over 100%": ["r2", "--all-eligible", "--canary", "150%"],
    "max failures over 100%": ["r2", "--all-eligible", "--max-failures", "101%"],
    "waves not increasing": ["r2", "--all-eligible", "--waves", "50%,40%"],
    "window not HH:MM-HH:MM": ["r2", "--all-eligible", "--window", "10pm-4am"],
    "duplicate name": ["r1", "--all-eligible"],
    "names and --all-eligible": ["r2", "web-00", "--all-eligible"],
    "no selection": ["r2"],
    "bad name": ["two words", "--all-eligible"],
    "unknown status": ["r2", "--status", "broken"],
    "unknown appliance": ["r2", "--appliance", "nowhere"],
    "bad bake": ["r2", "--all-eligible", "--bake", "soon"],
}


@pytest.mark.parametrize("args", BAD.values(), ids=BAD.keys())
def test_bad_input_is_one_line_exit_2_and_writes_nothing(console, args) -> None:
    c = console(fleet(3))
    ok(c.run("rollout", "create", "r1", "web-00"))
    before = content_digest(c.db)
    ran = c.run("rollout", "create", *args)
    assert ran.code == 2 and ran.err.count("\n") == 1 and ran.err.startswith("asr-console: "), (
        ran.err
    )
    assert "Traceback" not in ran.err + ran.out
    assert content_digest(c.db) == before


def test_refusals_are_exit_1_and_unknown_rollouts_exit_2(console) -> None:
    c = console(
        fleet(2, **{"web-00": {"pending_reboot": True}, "web-01": {"pending_reboot": True}})
    )
    nothing = c.run("rollout", "create", "r1", "--all-eligible")
    assert nothing.code == 1 and "no machine of the selection can update now" in nothing.err
    for verb in ("show", "pause", "resume", "abort"):
        unknown = c.run("rollout", verb, "nope")
        assert unknown.code == 2 and "no rollout named 'nope'" in unknown.err
    read_only = c.run("rollout", "create", "r1", "web-00", "--read-only")
    assert read_only.code == 1 and "read-only" in read_only.err
