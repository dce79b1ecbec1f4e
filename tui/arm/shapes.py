"""Pure JSON shaping of the fleet in ARM's words: replicated items (InMageRcm), appliances, the
fabric, its container and mapping, errors. Field names as the SDK's models spell them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tui.arm.names import TYPES, VaultScope, resource_name

if TYPE_CHECKING:
    from store.item_records import ItemRecord
    from store.models import ApplianceView, ComponentView

INSTANCE = "InMageRcm"
AZURE = "Microsoft Azure"
IDLE_SINCE = "1753-01-01T01:01:01Z"
"""currentScenario.startTime of a machine with no job running (as the service sends it)."""
HEALTH = {"Healthy": "Normal"}
"""Replication health in ARM's words (Warning and Critical are the same)."""
ACTIVE_JOB = "ActiveJob"
"""Not an AgentUpgradeBlockedReason: a running job shows as isUpgradeable "false" alone."""


def error(code: str, message: str, details: list[dict] | None = None) -> dict:
    """ARM's error body."""
    body: dict[str, Any] = {"code": code, "message": message}
    if details:
        body["details"] = details
    return {"error": body}


def flag(value: bool) -> str:
    """Booleans the REST API carries as strings ("true" / "false")."""
    return "true" if value else "false"


def _error_details(code: str, message: str, causes: str, action: str) -> dict:
    return {
        "errorCode": code,
        "errorMessage": message,
        "possibleCauses": causes,
        "recommendedAction": action,
        "errorMessageParameters": {},
        "errorTags": {},
    }


def _scenario(rec: ItemRecord, scope: VaultScope) -> dict:
    job = rec.job
    if not rec.active or job is None:
        return {"scenarioName": "None", "jobId": scope.job_id("None"), "startTime": IDLE_SINCE}
    return {
        "scenarioName": job.scenario,
        "jobId": scope.job_id(job.id),
        "startTime": job.start_time or job.created_time,
    }


def _upgrade_state(rec: ItemRecord) -> str:
    if rec.active:
        return "Started"
    return "Completed" if rec.job is not None and rec.job.state == "Succeeded" else "None"


def provider_details(rec: ItemRecord, scope: VaultScope) -> dict:
    """providerSpecificDetails (InMageRcmReplicationDetails): the agent and its upgrade."""
    job = rec.job
    agent = {
        "version": rec.agent_version,
        "latestVersion": rec.latest_version,
        "latestAgentReleaseDate": rec.latest_release_date,
        "latestUpgradableVersionWithoutReboot": rec.latest_without_reboot,
        "lastHeartbeatUtc": rec.checked_at if rec.agent_heartbeat else None,
        "reasonsBlockingUpgrade": [c for c in rec.refusal if c != ACTIVE_JOB],
        "isUpgradeable": flag(not rec.refusal),
    }
    details: dict[str, Any] = {
        "instanceType": INSTANCE,
        "processServerName": rec.appliance,
        "osType": rec.os_family,
        "osName": rec.os,
        "agentUpgradeState": _upgrade_state(rec),
        "agentUpgradeBlockingErrorDetails": [
            _error_details(b["reason"], b["message"], b["message"], b["recommended_action"])
            for b in rec.blockers
        ],
        "lastAgentUpgradeErrorDetails": [],
        "mobilityAgentDetails": agent,
    }
    if job is not None:
        details["agentUpgradeJobId"] = scope.job_id(job.id)
        details["agentUpgradeAttemptToVersion"] = job.to_version
        details["lastAgentUpgradeType"] = (
            "Automatic" if job.initiated_by == "Site Recovery" else "Manual"
        )
        if not rec.active:
            details["isLastUpgradeSuccessful"] = flag(job.state == "Succeeded")
        if job.state == "Failed":
            details["lastAgentUpgradeErrorDetails"] = [
                _error_details(
                    e["code"], e["message"], e["possible_causes"], e["recommended_action"]
                )
                for e in job.errors
            ]
    return details


def protected_item(rec: ItemRecord, scope: VaultScope) -> dict:
    """A ReplicationProtectedItem: friendlyName is the machine's name, `name` its resource name."""
    return {
        "id": scope.item_id(rec.name),
        "name": resource_name(rec.name),
        "type": TYPES["item"],
        "properties": {
            "friendlyName": rec.name,
            "protectableItemId": (
                f"{scope.fabric_id}/replicationProtectionContainers/{scope.container}"
                f"/replicationProtectableItems/{resource_name(rec.name)}"
            ),
            "primaryFabricFriendlyName": scope.vault,
            "primaryFabricProvider": INSTANCE,
            "recoveryFabricFriendlyName": AZURE,
            "primaryProtectionContainerFriendlyName": scope.container,
            "recoveryProtectionContainerFriendlyName": AZURE,
            "protectionState": "Protected",
            "protectionStateDescription": rec.protection_state,
            "activeLocation": "Primary",
            "replicationHealth": HEALTH.get(rec.replication_health, rec.replication_health),
            "healthErrors": [],
            "allowedOperations": [],
            "currentScenario": _scenario(rec, scope),
            "providerSpecificDetails": provider_details(rec, scope),
        },
    }


# -- appliances
# -------------------------------------------------------------------------------------

SLOTS = {
    "process-server": "processServer",
    "proxy-server": "rcmProxy",
    "push-installer": "pushInstaller",
    "replication-service": "replicationAgent",
    "reprotection-server": "reprotectAgent",
    "recovery-services-agent": "marsAgent",
    "site-recovery-provider": "dra",
}
"""Each appliance component's place in InMageRcmApplianceDetails."""
AZURE_FACING = ("process-server", "proxy-server")
"""The components whose heartbeat to Azure fails when the appliance cannot reach it."""


def _health_error(source: str, code: str, message: str, action: str, level: str) -> dict:
    return {
        "errorSource": source,
        "errorLevel": level,
        "errorCode": code,
        "summaryMessage": message,
        "errorMessage": message,
        "possibleCauses": message,
        "recommendedAction": action,
        "customerResolvability": "Allowed",
    }


def component(appliance: ApplianceView, comp: ComponentView, scope: VaultScope) -> dict:
    """One component: its version and health (Critical when it cannot reach Azure, Warning when
    its update is blocked or failed)."""
    errors = [
        _health_error(comp.name, b.reason, b.message, b.recommended_action, "Warning")
        for b in comp.blockers
    ]
    health = "Warning" if errors or comp.status == "Update failed" else "Normal"
    if comp.slug in AZURE_FACING and not appliance.azure_connected:
        health = "Critical"
        message = (
            f"The {comp.name} of appliance {appliance.name} is unable to communicate with Azure"
            " services."
        )
        errors.insert(
            0,
            _health_error(
                comp.name,
                "NoAzureConnectivity",
                message,
                "Restore the appliance's connectivity to Azure (port 443 outbound).",
                "Error",
            ),
        )
    out = {
        "id": f"{scope.appliance_id(appliance.name)}/{comp.slug}",
        "name": comp.name,
        "version": comp.version,
        "health": health,
        "healthErrors": errors,
    }
    if comp.slug != "site-recovery-provider":
        out["fabricObjectId"] = f"{resource_name(appliance.name)}-{comp.slug}"
    return out


def appliance_details(view: ApplianceView, scope: VaultScope) -> dict:
    """InMageRcmApplianceDetails: the seven components, one per slot."""
    out: dict[str, Any] = {
        "id": scope.appliance_id(view.name),
        "name": view.name,
        "fabricArmId": scope.fabric_id,
        "switchProviderBlockingErrorDetails": [],
    }
    for comp in view.components:
        out[SLOTS[comp.slug]] = component(view, comp, scope)
    return out


def replication_appliance(view: ApplianceView, scope: VaultScope) -> dict:
    """A ReplicationAppliance (the REST type has no id or name of its own)."""
    return {
        "properties": {
            "providerSpecificDetails": {
                "instanceType": INSTANCE,
                "appliances": [appliance_details(view, scope)],
            }
        }
    }


# -- the fabric, its container and the container's mapping
# ---------------------------------------------

PLURAL = {
    "processServer": "processServers",
    "rcmProxy": "rcmProxies",
    "pushInstaller": "pushInstallers",
    "replicationAgent": "replicationAgents",
    "reprotectAgent": "reprotectAgents",
    "marsAgent": "marsAgents",
    "dra": "dras",
}


def fabric(scope: VaultScope, appliances: list[ApplianceView]) -> dict:
    """The vault's one InMageRcm fabric: every appliance's components, by kind."""
    custom: dict[str, Any] = {"instanceType": INSTANCE, **{p: [] for p in PLURAL.values()}}
    for view in appliances:
        for comp in view.components:
            custom[PLURAL[SLOTS[comp.slug]]].append(component(view, comp, scope))
    unhealthy = any(c["health"] != "Normal" for kind in PLURAL.values() for c in custom[kind])
    return {
        "id": scope.fabric_id,
        "name": scope.fabric,
        "type": TYPES["fabric"],
        "properties": {
            "friendlyName": scope.vault,
            "internalIdentifier": scope.fabric,
            "bcdrState": "Valid",
            "health": "Warning" if unhealthy else "Normal",
            "healthErrorDetails": [],
            "customDetails": custom,
        },
    }


def container(scope: VaultScope, items: int) -> dict:
    return {
        "id": scope.container_id,
        "name": scope.container,
        "type": TYPES["container"],
        "properties": {
            "friendlyName": scope.container,
            "fabricFriendlyName": scope.vault,
            "fabricType": INSTANCE,
            "protectedItemCount": items,
            "pairingStatus": "Paired",
            "role": "Primary",
            "fabricSpecificDetails": {"instanceType": INSTANCE},
        },
    }


def mapping(scope: VaultScope, auto_update: bool) -> dict:
    """The container's mapping to Azure: `enableAgentAutoUpgrade` is the vault's "Allow Site
    Recovery to manage" switch."""
    return {
        "id": scope.mapping_id,
        "name": scope.mapping,
        "type": TYPES["mapping"],
        "properties": {
            "targetProtectionContainerId": AZURE,
            "targetProtectionContainerFriendlyName": AZURE,
            "providerSpecificDetails": {
                "instanceType": INSTANCE,
                "enableAgentAutoUpgrade": flag(auto_update),
            },
            "health": "Normal",
            "healthErrorDetails": [],
            "state": "Paired",
            "sourceProtectionContainerFriendlyName": scope.container,
            "sourceFabricFriendlyName": scope.vault,
            "targetFabricFriendlyName": AZURE,
            "provisioningState": "Succeeded",
        },
    }
