"""The ARM face's pure parts: resource names, routes, the job filter, the JSON shapes."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from store.item_records import ItemRecord, JobBrief
from store.models import ApplianceView, Blocker, ComponentView, JobError, JobView, TaskView
from tui.arm import jobs_shapes, routes, shapes
from tui.arm.names import VaultScope, machine_name, resource_name

SCOPE = VaultScope("vault-east")
P = (
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/asr-console/providers/"
    "Microsoft.RecoveryServices/vaults/vault-east"
)


@given(st.text(min_size=1, max_size=80))
def test_every_name_has_one_url_safe_resource_name_that_leads_back(name: str) -> None:
    res = resource_name(name)
    assert re.fullmatch(r"[A-Za-z0-9._-]+", res)
    assert machine_name(res) == name


@pytest.mark.parametrize(
    ("name", "res"),
    [
        ("web-prod-01", "web-prod-01"),
        ("a.b_c", "a.b_c"),
        ("..", "b32-fyxa"),
        ("b32-x", "b32-miztelly"),
    ],
)
def test_safe_names_stay_themselves_others_are_encoded(name: str, res: str) -> None:
    assert resource_name(name) == res


@pytest.mark.parametrize("res", ["b32-FYXA", "b32-fyxb", "b32-!!", "../etc", "a/b", ""])
def test_resource_names_no_name_encodes_to_lead_nowhere(res: str) -> None:
    assert machine_name(res) is None


def test_routes_fixed_segments_ignore_case_and_names_decode_one_segment_at_a_time() -> None:
    found = routes.match(
        "GET", P.upper().replace("VAULT-EAST", "vault-east") + "/REPLICATIONJOBS/j%2F1"
    )
    assert found == routes.Match(
        "get_job",
        {
            "subscription": "00000000-0000-0000-0000-000000000000",
            "group": "ASR-CONSOLE",
            "vault": "vault-east",
            "job": "j/1",
        },
    )
    assert routes.match("DELETE", P + "/replicationJobs/j1") == routes.Match(
        None, found.params | {"job": "j1", "group": "asr-console"}, ("GET",)
    )
    assert routes.match("GET", P + "/replicationJobs/j1/cancel/x") is None
    assert routes.match("GET", "/") is None
    with pytest.raises(routes.BadPath):
        routes.match("GET", P + "/replicationJobs/%ff")


def test_job_filter_reads_eq_clauses_joined_with_and() -> None:
    assert routes.job_filter("State eq 'Failed' and ScenarioName eq 'UpdateMobilityService'") == {
        "state": "Failed",
        "scenario": "UpdateMobilityService",
    }
    assert routes.job_filter(" jobstatus EQ 'InProgress' AND startTime eq '2026-01-01' ") == {
        "state": "InProgress"
    }
    assert routes.job_filter("TargetObjectName eq 'o''brien'") == {"target": "o'brien"}
    assert routes.job_filter(None) == {} and routes.job_filter("  ") == {}
    for bad in (
        "State = 'Failed'",
        "State eq 'Failed' or State eq 'x'",
        "State eq Failed",
        "State eq 'x' and",
    ):
        with pytest.raises(routes.BadFilter):
            routes.job_filter(bad)


def _record(**changes) -> ItemRecord:
    base = {
        "id": 1,
        "name": "web-01",
        "vault": "vault-east",
        "os": "Windows Server 2019",
        "os_family": "Windows",
        "appliance": "appl-east",
        "agent_version": "9.65.7417.1",
        "version_at_reboot": "9.65.7417.1",
        "latest_version": "9.66.7643.1",
        "latest_release_date": "2025-12-16",
        "status": "New update available",
        "blockers": [],
        "checked_at": "2026-12-16T10:00:00Z",
        "next_check_at": "2026-12-16T10:30:00Z",
        "agent_heartbeat": True,
        "private_preview": False,
        "replication_health": "Healthy",
        "protection_state": "Protected",
        "active": False,
        "job": None,
        "refusal": [],
        "latest_without_reboot": "9.66.7643.1",
    }
    return ItemRecord(**{**base, **changes})


def _brief(state: str, **changes) -> JobBrief:
    base = {
        "id": "j1",
        "state": state,
        "scenario": "UpdateMobilityService",
        "initiated_by": "Site Recovery",
        "created_time": "2026-12-16T05:00:00Z",
        "start_time": "2026-12-16T05:01:00Z",
        "end_time": None,
        "from_version": "9.65.7417.1",
        "to_version": "9.66.7643.1",
        "errors": [],
    }
    return JobBrief(**{**base, **changes})


def test_an_eligible_idle_item() -> None:
    shaped = shapes.protected_item(_record(), SCOPE)
    assert shaped["id"] == SCOPE.item_id("web-01") and shaped["name"] == "web-01"
    props = shaped["properties"]
    assert props["currentScenario"] == {
        "scenarioName": "None",
        "jobId": SCOPE.job_id("None"),
        "startTime": shapes.IDLE_SINCE,
    }
    rcm = props["providerSpecificDetails"]
    assert rcm["mobilityAgentDetails"]["isUpgradeable"] == "true"
    assert rcm["mobilityAgentDetails"]["reasonsBlockingUpgrade"] == []
    assert rcm["mobilityAgentDetails"]["lastHeartbeatUtc"] == "2026-12-16T10:00:00Z"
    assert (rcm["agentUpgradeState"], props["replicationHealth"]) == ("None", "Normal")
    assert "agentUpgradeJobId" not in rcm


def test_a_blocked_item_lists_every_blocker_and_no_heartbeat() -> None:
    blockers = [
        {"reason": "RebootRequired", "message": "m1", "recommended_action": "a1"},
        {"reason": "AgentNoHeartbeat", "message": "m2", "recommended_action": "a2"},
    ]
    rcm = shapes.provider_details(
        _record(
            blockers=blockers, refusal=["RebootRequired", "AgentNoHeartbeat"], agent_heartbeat=False
        ),
        SCOPE,
    )
    agent = rcm["mobilityAgentDetails"]
    assert (agent["isUpgradeable"], agent["reasonsBlockingUpgrade"]) == (
        "false",
        ["RebootRequired", "AgentNoHeartbeat"],
    )
    assert agent["lastHeartbeatUtc"] is None
    assert [
        (d["errorCode"], d["recommendedAction"]) for d in rcm["agentUpgradeBlockingErrorDetails"]
    ] == [("RebootRequired", "a1"), ("AgentNoHeartbeat", "a2")]


def test_an_updating_item_and_one_whose_update_failed() -> None:
    running = shapes.protected_item(
        _record(active=True, job=_brief("InProgress"), refusal=["ActiveJob"]), SCOPE
    )
    props = running["properties"]
    assert props["currentScenario"] == {
        "scenarioName": "UpdateMobilityService",
        "jobId": SCOPE.job_id("j1"),
        "startTime": "2026-12-16T05:01:00Z",
    }
    rcm = props["providerSpecificDetails"]
    assert (rcm["agentUpgradeState"], rcm["agentUpgradeAttemptToVersion"]) == (
        "Started",
        "9.66.7643.1",
    )
    assert (
        rcm["mobilityAgentDetails"]["reasonsBlockingUpgrade"] == []
    )  # a running job is no AgentUpgradeBlockedReason
    assert rcm["lastAgentUpgradeType"] == "Automatic" and "isLastUpgradeSuccessful" not in rcm
    error = {"code": "95524", "message": "m", "possible_causes": "c", "recommended_action": "a"}
    failed = shapes.provider_details(_record(job=_brief("Failed", errors=[error])), SCOPE)
    assert failed["isLastUpgradeSuccessful"] == "false"
    assert failed["lastAgentUpgradeErrorDetails"][0]["errorCode"] == "95524"


def _job(state: str, **changes) -> JobView:
    tasks = [
        TaskView(name="Prerequisites check", state="Succeeded"),
        TaskView(name="Update", state=state),
    ]
    base = {
        "id": "j1",
        "name": "Update Mobility Service",
        "scenario": "UpdateMobilityService",
        "item": "web-01",
        "vault": "vault-east",
        "state": state,
        "initiated_by": "ops",
        "created_time": "2026-12-16T05:00:00Z",
        "from_version": "9.65.7417.1",
        "to_version": "9.66.7643.1",
        "tasks": tasks,
    }
    return JobView(**{**base, **changes})


@pytest.mark.parametrize(
    ("state", "actions", "status"),
    [
        ("NotStarted", ["Cancel"], "InProgress"),
        ("InProgress", ["Cancel"], "InProgress"),
        ("Cancelling", [], "InProgress"),
        ("Succeeded", [], "Succeeded"),
        ("Failed", ["Restart"], "Failed"),
        ("Cancelled", ["Restart"], "Canceled"),
    ],
)
def test_a_jobs_allowed_actions_and_its_operation_status(
    state: str, actions: list[str], status: str
) -> None:
    shaped = jobs_shapes.job(_job(state), SCOPE)
    assert shaped["properties"]["allowedActions"] == actions
    assert jobs_shapes.OPERATION_STATUS[state] == status
    assert shaped["properties"]["targetObjectId"] == SCOPE.item_id("web-01")


def test_a_failed_job_names_its_failed_task_and_its_operation_fails_with_its_error() -> None:
    view = _job(
        "Failed",
        errors=[JobError(code="95524", message="m", possible_causes="c", recommended_action="a")],
        retry_of="j0",
        end_time="2026-12-16T05:09:00Z",
    )
    props = jobs_shapes.job(view, SCOPE)["properties"]
    [error] = props["errors"]
    assert (error["serviceErrorDetails"]["code"], error["taskId"]) == ("95524", "j1-1")
    assert props["customDetails"]["affectedObjectDetails"]["RetryOf"] == "j0"
    status = jobs_shapes.operation_status(
        SCOPE, "update.j1", "Failed", view, jobs_shapes.job_failure(view)
    )
    assert (
        status["error"] == {"code": "95524", "message": "m"}
        and status["endTime"] == "2026-12-16T05:09:00Z"
    )


def test_component_health_critical_without_azure_warning_when_blocked() -> None:
    blocked = Blocker(reason="IncompatibleComponentVersion", message="m", recommended_action="a")
    comps = [
        ComponentView(
            name="Process server",
            slug="process-server",
            version="9.65.7417.1",
            latest_version="9.66.7614.1",
            status="Cannot update to latest version",
            blockers=[blocked],
        ),
        ComponentView(
            name="Push installer",
            slug="push-installer",
            version="1",
            latest_version="1",
            status="Up to date",
        ),
    ]
    view = ApplianceView(
        name="appl-east",
        vault="vault-east",
        time_zone="UTC",
        azure_connected=True,
        auto_update=True,
        components=comps,
    )
    details = shapes.replication_appliance(view, SCOPE)["properties"]["providerSpecificDetails"][
        "appliances"
    ][0]
    assert (details["processServer"]["health"], details["pushInstaller"]["health"]) == (
        "Warning",
        "Normal",
    )
    offline = shapes.appliance_details(view.model_copy(update={"azure_connected": False}), SCOPE)
    assert offline["processServer"]["health"] == "Critical"
    assert [e["errorCode"] for e in offline["processServer"]["healthErrors"]] == [
        "NoAzureConnectivity",
        "IncompatibleComponentVersion",
    ]
