"""Every operation of `arm serve` through the official SDK, against a real server process."""

from __future__ import annotations

import pytest
from arm_harness import parts, worlds
from azure.core.exceptions import HttpResponseError, ResourceExistsError, ResourceNotFoundError
from waiting import DEADLINE_S

VAULT = "vault-east"
LATEST = worlds.LATEST


def _mixed() -> dict:
    """One machine of each kind: eligible, pending reboot, current, failed, and one mid-update."""
    return worlds.world(
        items=[
            worlds.machine("web-01"),
            worlds.machine("db-01", pending_reboot=True),
            worlds.machine("app-01", version=LATEST),
            worlds.machine("fail-01"),
            worlds.machine("busy-01"),
        ],
        jobs=[
            {"item": "fail-01", "state": "Failed", "error_code": "95524", "initiated_by": "ops"},
            {"item": "busy-01", "state": "InProgress", "initiated_by": "ops"},
        ],
    )


def test_vault_list_pages_through_thousands_by_next_link(arm) -> None:
    items = [worlds.machine(f"vm-{n:05d}") for n in range(2_345)]
    server = arm(worlds.world(items=items))
    client = server.client()
    listed = list(client.replication_protected_items.list(server.rg, VAULT))
    assert [i.properties.friendly_name for i in listed] == [m["name"] for m in items]
    assert len({i.id for i in listed}) == 2_345
    fabric, container = parts(listed[0].id)
    per_container = client.replication_protected_items.list_by_replication_protection_containers(
        server.rg, VAULT, fabric, container
    )
    assert sum(1 for _ in per_container) == 2_345
    pages = [ln for ln in server.stderr().splitlines() if "/replicationProtectedItems?" in ln]
    assert (
        len(pages) == 8 and sum("skipToken=" in ln for ln in pages) == 6
    )  # 100, then 1,000 a page


def test_get_shows_the_agent_its_blockers_and_the_running_job(arm) -> None:
    server = arm(_mixed())
    client = server.client()
    by_name = {
        i.properties.friendly_name: i
        for i in client.replication_protected_items.list(server.rg, VAULT)
    }
    fabric, container = parts(by_name["db-01"].id)
    blocked = client.replication_protected_items.get(server.rg, VAULT, fabric, container, "db-01")
    rcm = blocked.properties.provider_specific_details
    agent = rcm.mobility_agent_details
    assert (rcm.instance_type, agent.version, agent.latest_version) == (
        "InMageRcm",
        worlds.PREVIOUS,
        LATEST,
    )
    assert (agent.is_upgradeable, agent.reasons_blocking_upgrade) == ("false", ["RebootRequired"])
    [detail] = rcm.agent_upgrade_blocking_error_details
    assert detail.error_code == "RebootRequired" and detail.recommended_action.startswith(
        "Restart the machine"
    )
    busy = by_name["busy-01"]
    scenario = busy.properties.current_scenario
    assert scenario.scenario_name == "UpdateMobilityService"
    busy_rcm = busy.properties.provider_specific_details
    assert (busy_rcm.agent_upgrade_state, busy_rcm.agent_upgrade_job_id) == (
        "Started",
        scenario.job_id,
    )
    assert busy_rcm.mobility_agent_details.is_upgradeable == "false"
    assert by_name["web-01"].properties.current_scenario.scenario_name == "None"
    failed = by_name["fail-01"].properties.provider_specific_details
    assert failed.is_last_upgrade_successful == "false"
    assert failed.last_agent_upgrade_error_details[0].error_code == "95524"


def test_is_upgradeable_exactly_where_update_creates_a_job(arm) -> None:
    server = arm(_mixed())
    listed = list(server.client().replication_protected_items.list(server.rg, VAULT))
    upgradeable = {
        i.properties.friendly_name: (
            i.properties.provider_specific_details.mobility_agent_details.is_upgradeable == "true"
        )
        for i in listed
    }
    assert upgradeable == {
        "web-01": True,
        "db-01": False,
        "app-01": False,
        "fail-01": True,
        "busy-01": False,
    }
    for name, expected in upgradeable.items():
        assert (server.cli("update", name).code == 0) is expected, name


def test_update_is_a_long_running_operation_that_follows_its_job(arm) -> None:
    server = arm()
    client = server.client()
    item = next(iter(client.replication_protected_items.list(server.rg, VAULT)))
    fabric, container = parts(item.id)
    poller = client.replication_protected_items.begin_update_mobility_service(
        server.rg, VAULT, fabric, container, item.name, {"properties": {"runAsAccountId": "2"}}
    )
    assert poller.status() == "InProgress"
    [job] = server.cli("jobs", "--json").json
    assert (job["item"], job["scenario"], job["state"]) == (
        item.name,
        "UpdateMobilityService",
        "NotStarted",
    )
    assert server.cli("clock", "advance", "20m").code == 0
    updated = poller.result(timeout=DEADLINE_S)
    rcm = updated.properties.provider_specific_details
    assert rcm.mobility_agent_details.version == LATEST
    assert (rcm.agent_upgrade_state, rcm.is_last_upgrade_successful) == ("Completed", "true")
    assert rcm.agent_upgrade_job_id.endswith(job["id"])


def test_a_blocked_update_is_400_with_the_first_reason_and_writes_nothing(arm) -> None:
    server = arm(
        worlds.world(
            items=[worlds.machine("db-01", pending_reboot=True, reaches_appliance=False)],
            start="2026-12-16T10:00:00Z",
        )
    )
    client = server.client()
    item = next(iter(client.replication_protected_items.list(server.rg, VAULT)))
    fabric, container = parts(item.id)
    with pytest.raises(HttpResponseError) as caught:
        client.replication_protected_items.begin_update_mobility_service(
            server.rg, VAULT, fabric, container, "db-01", {"properties": {}}
        )
    assert caught.value.status_code == 400
    assert caught.value.error.code == "RebootRequired"
    reasons = (
        item.properties.provider_specific_details.mobility_agent_details.reasons_blocking_upgrade
    )
    assert reasons[0] == "RebootRequired" and "AgentNoHeartbeat" in reasons
    assert [d.code for d in caught.value.error.details] == reasons
    assert server.cli("jobs", "--json").json == []


def test_update_while_updating_is_409_and_on_the_latest_version_400(arm) -> None:
    server = arm(_mixed())
    client = server.client()
    fabric, container = parts(
        next(iter(client.replication_protected_items.list(server.rg, VAULT))).id
    )
    with pytest.raises(ResourceExistsError) as busy:
        client.replication_protected_items.begin_update_mobility_service(
            server.rg, VAULT, fabric, container, "busy-01", {"properties": {}}
        )
    assert busy.value.error.code == "ActiveJob"
    with pytest.raises(HttpResponseError) as current:
        client.replication_protected_items.begin_update_mobility_service(
            server.rg, VAULT, fabric, container, "app-01", {"properties": {}}
        )
    assert (current.value.status_code, current.value.error.code) == (400, "AlreadyOnLatestVersion")
    assert len(server.cli("jobs", "--json").json) == 2


def test_a_failed_job_fails_the_poller_with_its_error_then_restart_retries_it(arm) -> None:
    server = arm()
    assert server.cli("sim", "fail", "web-01", "95524").code == 0
    client = server.client()
    fabric, container = parts(
        next(iter(client.replication_protected_items.list(server.rg, VAULT))).id
    )
    poller = client.replication_protected_items.begin_update_mobility_service(
        server.rg, VAULT, fabric, container, "web-01", {"properties": {}}
    )
    assert server.cli("clock", "advance", "20m").code == 0
    with pytest.raises(HttpResponseError) as caught:
        poller.result(timeout=DEADLINE_S)
    assert "95524" in str(caught.value)
    [failed] = client.replication_jobs.list(server.rg, VAULT, filter="State eq 'Failed'")
    assert failed.properties.allowed_actions == ["Restart"]
    assert failed.properties.errors[0].service_error_details.code == "95524"
    new = client.replication_jobs.begin_restart(server.rg, VAULT, failed.name).result(
        timeout=DEADLINE_S
    )
    assert new.name != failed.name and new.properties.scenario_name == "UpdateMobilityService"
    assert new.properties.custom_details.affected_object_details["RetryOf"] == failed.name
    assert server.cli("job", new.name, "--json").json["retry_of"] == failed.name


def test_cancel_succeeds_once_the_job_is_cancelling_restart_wants_it_ended(arm) -> None:
    server = arm(_mixed())
    client = server.client()
    [running] = client.replication_jobs.list(server.rg, VAULT, filter="JobStatus eq 'InProgress'")
    assert running.properties.allowed_actions == ["Cancel"]
    with pytest.raises(ResourceExistsError) as restart:
        client.replication_jobs.begin_restart(server.rg, VAULT, running.name)
    assert restart.value.error.code == "JobNotRetryable"
    done = client.replication_jobs.begin_cancel(server.rg, VAULT, running.name).result(
        timeout=DEADLINE_S
    )
    assert (done.name, done.properties.state) == (running.name, "Cancelling")
    assert server.cli("job", running.name, "--json").json["state"] == "Cancelling"
    with pytest.raises(ResourceExistsError) as again:
        client.replication_jobs.begin_cancel(server.rg, VAULT, running.name)
    assert again.value.error.code == "JobNotCancellable"


def test_jobs_filter_by_state_and_scenario_and_get_one(arm) -> None:
    server = arm(_mixed())
    client = server.client()
    every = list(client.replication_jobs.list(server.rg, VAULT))
    assert {j.properties.state for j in every} == {"Failed", "InProgress"}
    agent_jobs = client.replication_jobs.list(
        server.rg, VAULT, filter="ScenarioName eq 'UpdateMobilityService'"
    )
    assert {j.name for j in agent_jobs} == {j.name for j in every}
    assert (
        list(
            client.replication_jobs.list(
                server.rg,
                VAULT,
                filter="scenarioname eq 'UpdateApplianceComponent' and state eq 'Failed'",
            )
        )
        == []
    )
    one = client.replication_jobs.get(server.rg, VAULT, every[0].name)
    assert one.properties.target_object_name in {"fail-01", "busy-01"}
    assert one.properties.tasks[0].friendly_name.startswith("Prerequisites check")


def test_appliances_show_each_component_version_and_health(arm) -> None:
    server = arm(
        worlds.world(
            appliances=[worlds.appliance("appl-east", components=dict(worlds.OLD_COMPONENTS))]
        )
    )
    assert server.cli("sim", "disconnect", "appl-east").code == 0
    client = server.client()
    [appliance] = client.replication_appliances.list(server.rg, VAULT)
    [details] = appliance.properties.provider_specific_details.appliances
    assert details.name == "appl-east"
    assert details.process_server.version == worlds.OLD_COMPONENTS["process-server"]
    assert details.rcm_proxy.version == worlds.OLD_COMPONENTS["proxy-server"]
    assert details.dra.version == worlds.CURRENT_COMPONENTS["site-recovery-provider"]
    assert details.process_server.health == "Warning"  # blocked: needs the newer proxy server first
    assert details.mars_agent.health == "Normal"
    assert server.cli("clock", "advance", "30m").code == 0  # the service sees the lost connection
    [appliance] = client.replication_appliances.list(server.rg, VAULT)
    [details] = appliance.properties.provider_specific_details.appliances
    assert (details.process_server.health, details.rcm_proxy.health) == ("Critical", "Critical")
    assert details.process_server.health_errors[0].error_code == "NoAzureConnectivity"


def test_the_auto_update_switch_both_ways(arm) -> None:
    server = arm()
    client = server.client()
    [mapping] = client.replication_protection_container_mappings.list(server.rg, VAULT)
    assert mapping.properties.provider_specific_details.enable_agent_auto_upgrade == "true"
    fabric, container = parts(mapping.id)
    off = client.replication_protection_container_mappings.begin_update(
        server.rg,
        VAULT,
        fabric,
        container,
        mapping.name,
        {
            "properties": {
                "providerSpecificInput": {
                    "instanceType": "InMageRcm",
                    "enableAgentAutoUpgrade": "false",
                }
            }
        },
    ).result(timeout=DEADLINE_S)
    assert off.properties.provider_specific_details.enable_agent_auto_upgrade == "false"
    assert server.cli("auto-update", "--json").json == {"vault": VAULT, "enabled": False}
    assert server.cli("auto-update", "on").code == 0
    again = client.replication_protection_container_mappings.get(
        server.rg, VAULT, fabric, container, mapping.name
    )
    assert again.properties.provider_specific_details.enable_agent_auto_upgrade == "true"


def test_fabric_and_container_lead_to_the_items(arm) -> None:
    server = arm()
    client = server.client()
    [fabric] = client.replication_fabrics.list(server.rg, VAULT)
    assert fabric.properties.custom_details.instance_type == "InMageRcm"
    assert [p.name for p in fabric.properties.custom_details.process_servers] == ["Process server"]
    [container] = client.replication_protection_containers.list(server.rg, VAULT)
    assert container.properties.protected_item_count == 2
    assert client.replication_fabrics.get(server.rg, VAULT, fabric.name).id == fabric.id
    names = [
        i.properties.friendly_name
        for i in client.replication_protected_items.list_by_replication_protection_containers(
            server.rg, VAULT, fabric.name, container.name
        )
    ]
    assert names == ["web-01", "web-02"]


def test_unknown_resources_are_404(arm) -> None:
    server = arm()
    client = server.client()
    fabric, container = parts(
        next(iter(client.replication_protected_items.list(server.rg, VAULT))).id
    )
    for call in (
        lambda: client.replication_protected_items.get(server.rg, VAULT, fabric, container, "nope"),
        lambda: client.replication_protected_items.get(
            server.rg, VAULT, "other-fabric", container, "web-01"
        ),
        lambda: list(client.replication_protected_items.list(server.rg, "no-such-vault")),
        lambda: list(client.replication_protected_items.list("other-rg", VAULT)),
        lambda: client.replication_jobs.get(
            server.rg, VAULT, "00000000-0000-7000-8000-000000000000"
        ),
    ):
        with pytest.raises(ResourceNotFoundError):
            call()
