"""The seed's procedures, one test each, driven through the official SDK against `arm serve` while
the CLI (another process) moves engine time and plays the simulated world."""

from __future__ import annotations

import pytest
from arm_harness import parts, worlds
from azure.core.exceptions import HttpResponseError
from waiting import DEADLINE_S

VAULT = "vault-east"
LATEST = worlds.LATEST
AUTO_OFF = {
    "properties": {
        "providerSpecificInput": {"instanceType": "InMageRcm", "enableAgentAutoUpgrade": "false"}
    }
}
AUTO_ON = {
    "properties": {
        "providerSpecificInput": {"instanceType": "InMageRcm", "enableAgentAutoUpgrade": "true"}
    }
}


def _agent(item):
    return item.properties.provider_specific_details.mobility_agent_details


def _items(client, server) -> dict:
    return {
        i.properties.friendly_name: i
        for i in client.replication_protected_items.list(server.rg, VAULT)
    }


def test_update_automatically_at_midnight_unless_the_vault_switch_is_off(arm) -> None:
    server = arm(worlds.world(start="2026-12-16T23:50:00-05:00"))
    client = server.client()
    [mapping] = client.replication_protection_container_mappings.list(server.rg, VAULT)
    fabric, container = parts(mapping.id)
    assert (
        mapping.properties.provider_specific_details.enable_agent_auto_upgrade == "true"
    )  # on by default
    client.replication_protection_container_mappings.begin_update(
        server.rg, VAULT, fabric, container, mapping.name, AUTO_OFF
    ).result(timeout=DEADLINE_S)
    assert server.cli("clock", "advance", "1h").code == 0  # past the vault's midnight
    assert list(client.replication_jobs.list(server.rg, VAULT)) == []
    client.replication_protection_container_mappings.begin_update(
        server.rg, VAULT, fabric, container, mapping.name, AUTO_ON
    ).result(timeout=DEADLINE_S)
    assert server.cli("clock", "advance", "1d").code == 0
    jobs = list(
        client.replication_jobs.list(
            server.rg, VAULT, filter="ScenarioName eq 'UpdateMobilityService'"
        )
    )
    assert sorted(j.properties.target_object_name for j in jobs) == ["web-01", "web-02"]
    assert {j.properties.custom_details.affected_object_details["InitiatedBy"] for j in jobs} == {
        "Site Recovery"
    }


def test_update_many_machines_one_job_each_blocked_ones_not_selectable(arm) -> None:
    server = arm(
        worlds.world(
            items=[
                worlds.machine("web-01"),
                worlds.machine("web-02"),
                worlds.machine("db-01", pending_reboot=True),
            ]
        )
    )
    client = server.client()
    items = _items(client, server)
    chosen = [i for i in items.values() if _agent(i).is_upgradeable == "true"]
    assert sorted(i.properties.friendly_name for i in chosen) == ["web-01", "web-02"]
    pollers = []
    for item in chosen:
        fabric, container = parts(item.id)
        pollers.append(
            client.replication_protected_items.begin_update_mobility_service(
                server.rg, VAULT, fabric, container, item.name, {"properties": {}}
            )
        )
    jobs = list(client.replication_jobs.list(server.rg, VAULT))
    assert sorted(j.properties.target_object_name for j in jobs) == ["web-01", "web-02"]
    assert {j.properties.friendly_name for j in jobs} == {"Update Mobility Service"}
    assert server.cli("clock", "advance", "20m").code == 0
    assert [_agent(p.result(timeout=DEADLINE_S)).version for p in pollers] == [LATEST, LATEST]


def test_update_one_machine_from_its_overview(arm) -> None:
    server = arm()
    client = server.client()
    item = _items(client, server)["web-01"]
    fabric, container = parts(item.id)
    agent = _agent(item)
    assert (agent.version, agent.latest_version, agent.is_upgradeable) == (
        worlds.PREVIOUS,
        LATEST,
        "true",
    )
    poller = client.replication_protected_items.begin_update_mobility_service(
        server.rg, VAULT, fabric, container, item.name, {"properties": {"runAsAccountId": "2"}}
    )
    running = client.replication_protected_items.get(server.rg, VAULT, fabric, container, item.name)
    assert running.properties.current_scenario.scenario_name == "UpdateMobilityService"
    assert server.cli("item", "web-01", "--json").json["status"] == "Updating"
    assert server.cli("clock", "advance", "20m").code == 0
    assert _agent(poller.result(timeout=DEADLINE_S)).version == LATEST


def test_an_agent_on_the_latest_version_is_up_to_date(arm) -> None:
    server = arm(worlds.world(items=[worlds.machine("web-01", version=LATEST)]))
    client = server.client()
    item = _items(client, server)["web-01"]
    assert (_agent(item).is_upgradeable, _agent(item).reasons_blocking_upgrade) == (
        "false",
        ["AlreadyOnLatestVersion"],
    )
    assert server.cli("item", "web-01", "--json").json["status"] == "Up to date"
    fabric, container = parts(item.id)
    with pytest.raises(HttpResponseError) as caught:
        client.replication_protected_items.begin_update_mobility_service(
            server.rg, VAULT, fabric, container, item.name, {"properties": {}}
        )
    assert (caught.value.status_code, caught.value.error.code) == (400, "AlreadyOnLatestVersion")


def test_resolve_a_blocking_issue_then_wait_for_the_next_check(arm) -> None:
    server = arm(worlds.world(items=[worlds.machine("db-01", pending_reboot=True)]))
    client = server.client()
    item = _items(client, server)["db-01"]
    fabric, container = parts(item.id)
    [blocker] = item.properties.provider_specific_details.agent_upgrade_blocking_error_details
    assert (
        blocker.error_code == "RebootRequired"
        and "wait for the next prerequisite check" in blocker.recommended_action
    )
    assert server.cli("sim", "reboot", "db-01").code == 0
    still = client.replication_protected_items.get(server.rg, VAULT, fabric, container, "db-01")
    assert _agent(still).reasons_blocking_upgrade == [
        "RebootRequired"
    ]  # the service has not looked yet
    assert server.cli("clock", "advance", "30m").code == 0
    fixed = client.replication_protected_items.get(server.rg, VAULT, fabric, container, "db-01")
    assert (
        _agent(fixed).is_upgradeable,
        fixed.properties.provider_specific_details.agent_upgrade_blocking_error_details,
    ) == ("true", [])
    client.replication_protected_items.begin_update_mobility_service(
        server.rg, VAULT, fabric, container, "db-01", {"properties": {}}
    )
    assert server.cli("item", "db-01", "--json").json["status"] == "Updating"


def test_a_failed_upgrade_job_its_errors_then_retry(arm) -> None:
    server = arm()
    assert server.cli("sim", "fail", "web-01", "95524").code == 0
    client = server.client()
    item = _items(client, server)["web-01"]
    fabric, container = parts(item.id)
    poller = client.replication_protected_items.begin_update_mobility_service(
        server.rg, VAULT, fabric, container, item.name, {"properties": {}}
    )
    assert server.cli("clock", "advance", "20m").code == 0
    with pytest.raises(HttpResponseError):
        poller.result(timeout=DEADLINE_S)
    failed = client.replication_protected_items.get(server.rg, VAULT, fabric, container, item.name)
    rcm = failed.properties.provider_specific_details
    assert server.cli("item", "web-01", "--json").json["status"] == "Update failed"
    assert (rcm.is_last_upgrade_successful, rcm.last_agent_upgrade_error_details[0].error_code) == (
        "false",
        "95524",
    )
    job = client.replication_jobs.get(
        server.rg, VAULT, rcm.agent_upgrade_job_id.rsplit("/", 1)[1]
    )  # the link
    assert job.properties.errors[0].service_error_details.recommended_action
    retried = client.replication_jobs.begin_restart(server.rg, VAULT, job.name).result(
        timeout=DEADLINE_S
    )
    assert server.cli("clock", "advance", "20m").code == 0
    assert (
        client.replication_jobs.get(server.rg, VAULT, retried.name).properties.state == "Succeeded"
    )
    done = client.replication_protected_items.get(server.rg, VAULT, fabric, container, item.name)
    assert _agent(done).version == LATEST


def test_appliance_components_update_at_midnight_unless_autoupdate_is_0(arm) -> None:
    comps = {**worlds.CURRENT_COMPONENTS, "push-installer": "1.45.9533.17990"}
    server = arm(
        worlds.world(
            start="2026-12-16T23:50:00-05:00",
            items=[],
            appliances=[worlds.appliance("appl-east", components=comps)],
        )
    )
    client = server.client()
    [appliance] = client.replication_appliances.list(server.rg, VAULT)
    assert (
        appliance.properties.provider_specific_details.appliances[0].push_installer.version
        == "1.45.9533.17990"
    )
    assert (
        server.cli("registry", "set", "appl-east", "AutoUpdate", "0").code == 0
    )  # no REST surface: the registry
    assert server.cli("clock", "advance", "1h").code == 0
    assert list(client.replication_jobs.list(server.rg, VAULT)) == []
    assert server.cli("registry", "delete", "appl-east", "AutoUpdate").code == 0
    assert server.cli("clock", "advance", "1d").code == 0
    [job] = client.replication_jobs.list(
        server.rg, VAULT, filter="ScenarioName eq 'UpdateApplianceComponent'"
    )
    assert job.properties.target_object_name == "appl-east"
    assert job.properties.custom_details.affected_object_details["Component"] == "push-installer"
    [appliance] = client.replication_appliances.list(server.rg, VAULT)
    assert (
        appliance.properties.provider_specific_details.appliances[0].push_installer.version
        == "1.47.9649.18387"
    )


def test_an_incompatible_appliance_blocks_its_agents_until_its_components_are_updated(arm) -> None:
    server = arm(
        worlds.world(
            appliances=[worlds.appliance("appl-east", components=dict(worlds.OLD_COMPONENTS))]
        )
    )
    client = server.client()
    item = _items(client, server)["web-01"]
    assert _agent(item).reasons_blocking_upgrade == ["IncompatibleApplianceVersion"]
    [appliance] = client.replication_appliances.list(server.rg, VAULT)
    details = appliance.properties.provider_specific_details.appliances[0]
    assert details.process_server.health_errors[0].error_code == "IncompatibleComponentVersion"
    assert server.cli("appliance", "update", "appl-east", "proxy-server").code == 0
    assert server.cli("clock", "advance", "1h").code == 0
    assert server.cli("appliance", "update", "appl-east", "process-server").code == 0
    assert server.cli("clock", "advance", "1h").code == 0
    fabric, container = parts(item.id)
    ready = client.replication_protected_items.get(server.rg, VAULT, fabric, container, "web-01")
    assert _agent(ready).is_upgradeable == "true"
    components = client.replication_jobs.list(
        server.rg, VAULT, filter="ScenarioName eq 'UpdateApplianceComponent'"
    )
    assert {j.properties.state for j in components} == {"Succeeded"}
