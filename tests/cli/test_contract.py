"""The command-line contract: JSON shapes, exit codes (2 bad input, 1 refused), one-line errors,
nothing written on failure, --read-only, several vaults, the engine lease, engine run."""

from __future__ import annotations

import sqlite3
import time

import cli_worlds as worlds

TWO_VAULTS = worlds.world(
    vaults=[
        {"name": "vault-east", "time_zone": "America/New_York"},
        {"name": "vault-west", "time_zone": "America/Los_Angeles"},
    ],
    appliances=[worlds.appliance("appl-east"), worlds.appliance("appl-west", vault="vault-west")],
    items=[worlds.machine("web-01"), worlds.machine("web-09", appliance="appl-west")],
)


def _jobs(c) -> int:
    return sqlite3.connect(c.db).execute("SELECT count(*) FROM jobs").fetchone()[0]


def test_bad_input_is_exit_2_with_one_line_and_writes_nothing(console) -> None:
    c = console()
    for args in (
        ("update", "web-01", "nope"),
        ("clock", "advance", "soon"),
        ("job", "nope"),
        ("cancel", "nope"),
        ("sim", "fail", "web-01", "BOGUS"),
        ("appliance", "update", "appl-east", "bogus"),
        ("appliance", "nope"),
        ("registry", "set", "appl-east", "Other", "0"),
        ("registry", "set", "appl-east", "AutoUpdate", "7"),
        ("jobs", "--item", "nope"),
        ("sim", "release", "agent", "9.x"),
        ("sim", "release", "agent", "9.70.1.1", "--requires", "nope=1.2.3.4"),
        ("clock", "set", "2020-01-01T00:00:00Z"),
        ("update",),
        ("sim", "reboot", "nope"),
    ):
        ran = c.call(*args)
        assert ran.code == 2, (args, ran)
        assert ran.err.count("\n") == 1 and ran.err.startswith("asr-console: "), (args, ran.err)
    assert _jobs(c) == 0


def test_refusals_are_exit_1(console) -> None:
    c = console()
    job_id = c.call("update", "web-01", "--json").json["created"][0]["id"]
    again = c.call("update", "web-01")
    assert again.code == 1 and "already active" in again.err
    assert c.call("retry", job_id).code == 1  # not failed
    assert c.call("appliance", "update", "appl-east", "process-server").code == 1  # already latest
    assert c.call("sim", "release", "agent", worlds.LATEST).code == 1  # already released
    cancelled = c.call("cancel", job_id, "--json")
    assert cancelled.code == 0 and cancelled.json["state"] == "Cancelled"
    assert c.call("cancel", job_id).code == 1


def test_read_only_refuses_every_change(console) -> None:
    c = console()
    for args in (
        ("update", "web-01"),
        ("clock", "advance", "1m"),
        ("sim", "reboot", "web-01"),
        ("auto-update", "off"),
        ("registry", "delete", "appl-east", "AutoUpdate"),
        ("clock", "pause"),
    ):
        ran = c.call(*args, "--read-only")
        assert ran.code == 1 and "read-only" in ran.err, args
    assert c.call("auto-update", "--read-only", "--json").json["enabled"] is True
    assert c.call("plan", "--read-only", "--json").code == 0


def test_vault_level_commands_need_vault_when_there_are_several(console) -> None:
    c = console(TWO_VAULTS)
    for args in (("auto-update",), ("auto-update", "off")):
        ran = c.call(*args)
        assert ran.code == 2 and "--vault" in ran.err
    # `plan` reads: without --vault it shows every vault's, as `items` lists every vault's machines.
    assert [p["vault"] for p in c.call("plan", "--json").json] == ["vault-east", "vault-west"]
    text = c.call("plan").out
    assert (
        "Next automatic run for vault-east" in text and "Next automatic run for vault-west" in text
    )
    assert c.call("auto-update", "off", "--vault", "vault-west", "--json").json == {
        "vault": "vault-west",
        "enabled": False,
    }
    assert c.call("plan", "--vault", "vault-east", "--json").json["vault"] == "vault-east"
    made = c.call("update", "--all-eligible", "--vault", "vault-west", "--json").json["created"]
    assert [(j["item"], j["vault"]) for j in made] == [("web-09", "vault-west")]
    assert {a["name"] for a in c.call("appliances", "--json").json} == {"appl-east", "appl-west"}
    assert [a["name"] for a in c.call("appliances", "--vault", "vault-east", "--json").json] == [
        "appl-east"
    ]


def test_clock_advance_is_refused_while_another_process_holds_the_lease(console) -> None:
    c = console()
    conn = sqlite3.connect(c.db)
    conn.execute(
        "INSERT OR REPLACE INTO engine_lease (id, holder, expires_wall) VALUES (1,"
        " 'console:42', ?)",
        (time.time() + 60,),
    )
    conn.commit()
    ran = c.run("clock", "advance", "30m")
    assert ran.code == 1 and "console:42" in ran.err and ran.err.count("\n") == 1
    conn.execute(
        "UPDATE engine_lease SET expires_wall = ?", (time.time() - 1,)
    )  # the holder crashed
    conn.commit()
    assert c.run("clock", "advance", "30m").code == 0


def test_clock_commands_and_engine_run(console) -> None:
    c = console()
    shown = c.call("clock", "--json").json
    assert {"now", "mode", "speed", "paused", "vaults", "local_time", "time_zone"} <= set(shown)
    set_ = c.call("clock", "set", "2026-12-16T07:30:00", "--json")  # vault-local time (New York)
    assert set_.code == 0 and set_.json["now"] == "2026-12-16T12:30:00Z"
    assert c.call("clock", "pause").code == 0
    assert c.call("clock", "--json").json["paused"] is True
    assert c.call("clock", "resume").code == 0
    assert c.call("clock", "speed", "100000").code == 0
    assert c.call("update", "web-01").code == 0
    ran = c.run("engine", "run", "--for", "1h", "--json")
    assert ran.code == 0, ran.err
    assert ran.json["engine_seconds"] == 3600 and ran.json["succeeded"] == 1
    assert c.call("clock", "--json").json["now"] == "2026-12-16T13:30:00Z"


def test_jobs_filters_and_sim_release(console) -> None:
    c = console()
    c.call("sim", "fail", "web-02", "78174")
    c.call("update", "web-01", "web-02")
    c.call("clock", "advance", "30m")
    assert [j["item"] for j in c.call("jobs", "--state", "Failed", "--json").json] == ["web-02"]
    assert [j["state"] for j in c.call("jobs", "--item", "web-01", "--json").json] == ["Succeeded"]
    released = c.call(
        "sim", "release", "agent", "9.67.7700.1", "--requires", "process-server=9.67.7700.1"
    )
    assert released.code == 0
    item = c.call("item", "web-01", "--json").json
    assert (item["latest_version"], item["status"]) == (
        "9.67.7700.1",
        "Cannot update to latest version",
    )
    assert item["blockers"][0]["reason"] == "IncompatibleApplianceVersion"
    assert c.call("sim", "release", "process-server", "9.67.7700.1").code == 0
    ps = [
        x
        for x in c.call("appliance", "appl-east", "--json").json["components"]
        if x["slug"] == "process-server"
    ]
    assert ps[0]["status"] == "New update available"


def test_options_may_come_before_or_after_a_sub_commands_arguments(console) -> None:
    c = console()
    assert c.call("appliance", "--json", "appl-east").json["name"] == "appl-east"
    assert c.call("sim", "--read-only", "reboot", "web-01").code == 1
    assert c.call("registry", "--json", "set", "appl-east", "AutoUpdate", "0").json == {
        "AutoUpdate": 0
    }
    assert (
        c.call("appliance", "--json", "update", "appl-east", "process-server").code == 1
    )  # up to date
    ran = c.call("sim", "bogus")
    assert ran.code == 2 and "No such command 'bogus'" in ran.err
