"""The seed's procedures, end to end: real `asr-console` subprocesses on a real database file."""

from __future__ import annotations

import cli_worlds as worlds

JOB_KEYS = {
    "id",
    "name",
    "scenario",
    "item",
    "state",
    "initiated_by",
    "created_time",
    "start_time",
    "end_time",
    "from_version",
    "to_version",
    "tasks",
    "errors",
    "retry_of",
}


def test_update_one_machine_then_it_is_up_to_date(console) -> None:
    c = console()
    made = c.run("update", "web-01", "--json")
    assert made.code == 0, made.err
    [job] = made.json["created"]
    assert made.json["refused"] == []
    assert JOB_KEYS <= set(job)
    assert (job["name"], job["scenario"], job["item"]) == (
        "Update Mobility Service",
        "UpdateMobilityService",
        "web-01",
    )
    assert c.run("clock", "advance", "20m").code == 0
    item = c.run("item", "web-01", "--json").json
    assert (item["status"], item["agent_version"], item["last_job_id"]) == (
        "Up to date",
        worlds.LATEST,
        job["id"],
    )
    done = c.run("job", job["id"], "--json").json
    assert done["state"] == "Succeeded"
    assert [t["state"] for t in done["tasks"]] == ["Succeeded"] * 3


def test_update_many_refuses_a_blocked_machine_with_its_reasons(console) -> None:
    c = console(
        worlds.world(
            items=[
                worlds.machine("web-01"),
                worlds.machine("web-02"),
                worlds.machine("db-01", pending_reboot=True),
            ]
        )
    )
    ran = c.run("update", "web-01", "web-02", "db-01", "web-01", "--json")
    assert ran.code == 1
    assert sorted(j["item"] for j in ran.json["created"]) == ["web-01", "web-02"]
    [refused] = ran.json["refused"]
    assert refused["name"] == "db-01" and refused["reasons"][0].startswith("RebootRequired")
    assert ran.err.count("\n") == 1 and "db-01" in ran.err
    assert len(c.run("jobs", "--json").json) == 2


def test_fix_the_blocker_wait_for_the_next_check_then_update(console) -> None:
    c = console(worlds.world(items=[worlds.machine("db-01", pending_reboot=True)]))
    assert c.run("update", "db-01").code == 1
    assert c.run("sim", "reboot", "db-01").code == 0
    still = c.run("update", "db-01")
    assert still.code == 1 and "RebootRequired" in still.err  # the service has not looked yet
    assert c.run("clock", "advance", "30m").code == 0
    assert c.run("update", "db-01").code == 0


def test_failed_job_shows_update_failed_and_retry_links_to_it(console) -> None:
    c = console()
    assert c.run("sim", "fail", "web-01", "95524").code == 0
    job_id = c.run("update", "web-01", "--json").json["created"][0]["id"]
    c.run("clock", "advance", "20m")
    item = c.run("item", "web-01", "--json").json
    assert (item["status"], item["last_job_id"]) == ("Update failed", job_id)
    failed = c.run("job", job_id, "--json").json
    assert failed["state"] == "Failed" and failed["errors"][0]["code"] == "95524"
    retried = c.run("retry", job_id, "--json")
    assert retried.code == 0 and retried.json["retry_of"] == job_id


def test_nightly_run_with_the_toggle_off_then_on(console) -> None:
    c = console(worlds.world(start="2026-12-16T23:50:00-05:00"))
    assert c.run("auto-update", "--json").json == {"vault": "vault-east", "enabled": True}
    assert c.run("auto-update", "off", "--json").json == {"vault": "vault-east", "enabled": False}
    plan = c.run("plan", "--json").json
    assert plan["will_update"] == [] and {s["name"] for s in plan["skipped"]} == {
        "web-01",
        "web-02",
    }
    c.run("clock", "advance", "1h")
    assert c.run("jobs", "--json").json == []
    assert c.run("auto-update", "on").code == 0
    plan = c.run("plan", "--json").json
    assert plan["run_at"] == "2026-12-18T00:00:00-05:00"
    assert [(u["kind"], u["name"]) for u in plan["will_update"]] == [
        ("agent", "web-01"),
        ("agent", "web-02"),
    ]
    c.run("clock", "advance", "1d")
    jobs = c.run("jobs", "--json").json
    assert {(j["initiated_by"], j["created_time"]) for j in jobs} == {
        ("Site Recovery", "2026-12-18T05:00:00Z")
    }


def test_appliance_autoupdate_set_then_deleted(console) -> None:
    comps = {**worlds.CURRENT_COMPONENTS, "push-installer": "1.45.9533.17990"}
    c = console(
        worlds.world(
            start="2026-12-16T23:50:00-05:00",
            items=[],
            appliances=[worlds.appliance("appl-east", components=comps)],
        )
    )
    assert c.run("registry", "set", "appl-east", "AutoUpdate", "0", "--json").json == {
        "AutoUpdate": 0
    }
    shown = c.run("appliance", "appl-east", "--json").json
    assert (shown["auto_update"], shown["registry"]) == (False, {"AutoUpdate": 0})
    c.run("clock", "advance", "1h")
    assert c.run("jobs", "--json").json == []
    assert c.run("registry", "delete", "appl-east", "AutoUpdate", "--json").json == {}
    c.run("clock", "advance", "1d")
    [job] = c.run("jobs", "--json").json
    assert (job["item"], job["component"], job["scenario"]) == (
        "appl-east",
        "push-installer",
        "UpdateApplianceComponent",
    )


def test_incompatible_appliance_upgraded_first_then_its_agents(console) -> None:
    c = console(
        worlds.world(
            appliances=[worlds.appliance("appl-east", components=dict(worlds.OLD_COMPONENTS))]
        )
    )
    refused = c.run("update", "web-01")
    assert refused.code == 1 and "IncompatibleApplianceVersion" in refused.err
    blocked = c.run("appliance", "update", "appl-east", "process-server")
    assert blocked.code == 1 and "IncompatibleComponentVersion" in blocked.err
    proxy = c.run("appliance", "update", "appl-east", "proxy-server", "--json")
    assert proxy.code == 0 and proxy.json["component"] == "proxy-server"
    c.run("clock", "advance", "1h")  # the job ends; the appliance's next check sees it
    assert c.run("appliance", "update", "appl-east", "process-server").code == 0
    c.run("clock", "advance", "1h")
    components = {
        x["slug"]: x["status"] for x in c.run("appliance", "appl-east", "--json").json["components"]
    }
    assert set(components.values()) == {"Up to date"}
    assert c.run("update", "web-01", "web-02").code == 0
