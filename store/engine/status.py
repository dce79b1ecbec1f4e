"""Pure rules: what the service's facts about a machine or a component mean (status + blockers)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from store.models import Blocker
from store.versions import Version, minor_gap, reboot_required_for, within_support
from store.vocabulary import BlockReason, Component, UpdateStatus

_version = lru_cache(maxsize=4096)(Version.parse)
"""Version.parse, memoised: the checks compare the same few versions many times."""


@dataclass(frozen=True)
class AgentFacts:
    """What the service last saw of one machine, its appliance and the release catalog."""

    agent_version: str
    latest: str | None
    latest_requires: dict[str, str] = field(default_factory=dict)
    version_at_reboot: str = ""
    pending_reboot: bool = False
    agent_heartbeat: bool = True
    appliance: str = ""
    appliance_azure_connected: bool = True
    appliance_components: dict[str, str] = field(default_factory=dict)


def agent_blockers(f: AgentFacts) -> list[Blocker]:
    """The blocking reasons a prerequisite check finds, in the order the portal lists them."""
    if f.latest is None or _version(f.agent_version) >= _version(f.latest):
        return []
    found: list[Blocker] = []
    at_reboot = f.version_at_reboot or f.agent_version
    if f.pending_reboot:
        found.append(
            Blocker(
                reason=BlockReason.REBOOT_REQUIRED.value,
                message="A mandatory reboot is pending on the protected machine.",
                recommended_action=(
                    "Restart the machine, then wait for the next prerequisite check (30 minutes)."
                ),
            )
        )
    elif reboot_required_for(f.latest, at_reboot):
        found.append(
            Blocker(
                reason=BlockReason.REBOOT_REQUIRED.value,
                message=(
                    f"Version {f.latest} is more than 4 versions past {at_reboot}, the version at"
                    " the machine's last reboot, so a reboot is mandatory first."
                ),
                recommended_action=(
                    "Restart the machine, then wait for the next prerequisite check (30 minutes)."
                ),
            )
        )
    stale = _incompatible_components(f.latest_requires, f.appliance_components)
    if stale:
        names = ", ".join(f"{Component(s).display} {v} (needs {need})" for s, v, need in stale)
        found.append(
            Blocker(
                reason=BlockReason.INCOMPATIBLE_APPLIANCE.value,
                message=(
                    f"Replication appliance {f.appliance} is on an incompatible version: {names}."
                ),
                recommended_action=(
                    f"Update the components of appliance {f.appliance} (Appliances view), then wait"
                    " for the next prerequisite check."
                ),
            )
        )
    if not f.appliance_azure_connected:
        for reason, comp in (
            (BlockReason.PROCESS_SERVER_NO_HEARTBEAT, "Process server"),
            (BlockReason.RCM_PROXY_NO_HEARTBEAT, "Proxy server"),
        ):
            found.append(
                Blocker(
                    reason=reason.value,
                    message=(
                        f"The {comp} of appliance {f.appliance} is unable to communicate with Azure"
                        " services."
                    ),
                    recommended_action=(
                        "Restore the appliance's connectivity to Azure (port 443 outbound), check"
                        f" the {comp} services on {f.appliance}, then wait for the next check."
                    ),
                )
            )
    if not f.agent_heartbeat:
        found.append(
            Blocker(
                reason=BlockReason.AGENT_NO_HEARTBEAT.value,
                message=(
                    "The Mobility agent is not able to communicate with replication appliance"
                    f" {f.appliance}."
                ),
                recommended_action=(
                    "Check that the machine is running, the svagents service is started, and ports"
                    " 443 and 9443 to the appliance are open."
                ),
            )
        )
    if not within_support(f.agent_version, f.latest):
        found.append(
            Blocker(
                reason=BlockReason.MISSING_UPGRADE_PATH.value,
                message=(
                    f"Agent {f.agent_version} is more than 4 versions behind {f.latest} (N-4), so"
                    " no upgrade path exists."
                ),
                recommended_action="Reinstall the latest Mobility agent on the machine by hand.",
            )
        )
    return found


def _incompatible_components(
    requires: dict[str, str], installed: dict[str, str]
) -> list[tuple[str, str, str]]:
    stale = []
    for slug, minimum in sorted(requires.items()):
        have = installed.get(slug)
        if have is not None and _version(have) < _version(minimum):
            stale.append((slug, have, minimum))
    return stale


def update_status(
    version: str,
    latest: str | None,
    blockers: list[Blocker] | list[dict],
    *,
    active_job: bool,
    last_job_failed: bool,
) -> UpdateStatus:
    """The one status word, by precedence: Updating, Up to date, Update failed, blocked,
    available."""
    if active_job:
        return UpdateStatus.UPDATING
    if latest is None or _version(version) >= _version(latest):
        return UpdateStatus.UP_TO_DATE
    if last_job_failed:
        return UpdateStatus.FAILED
    if blockers:
        return UpdateStatus.BLOCKED
    return UpdateStatus.UPDATE_AVAILABLE


@dataclass(frozen=True)
class ComponentFacts:
    """What the service knows of one appliance component."""

    slug: str
    version: str
    latest: str | None
    latest_requires: dict[str, str] = field(default_factory=dict)
    appliance: str = ""
    azure_connected: bool = True
    siblings: dict[str, str] = field(default_factory=dict)


def component_blockers(f: ComponentFacts) -> list[Blocker]:
    if f.latest is None or _version(f.version) >= _version(f.latest):
        return []
    found: list[Blocker] = []
    stale = _incompatible_components(
        {k: v for k, v in f.latest_requires.items() if k != f.slug}, f.siblings
    )
    if stale:
        names = ", ".join(f"{Component(s).display} {v} (needs {need})" for s, v, need in stale)
        found.append(
            Blocker(
                reason=BlockReason.INCOMPATIBLE_COMPONENT.value,
                message=(
                    f"Another component of {f.appliance} is on an incompatible version: {names}."
                ),
                recommended_action="Update that component first, then update this one.",
            )
        )
    if not f.azure_connected:
        found.append(
            Blocker(
                reason=BlockReason.NO_AZURE_CONNECTIVITY.value,
                message=(
                    f"Replication appliance {f.appliance} is unable to communicate with Azure"
                    " services."
                ),
                recommended_action=(
                    "Allow outbound 443 to Azure and to download.microsoft.com and "
                    "aka.ms/v2arcmlatestapplianceservices, then try the update again."
                ),
            )
        )
    return found


def support_gap(version: str, latest: str | None) -> int:
    return 0 if latest is None else max(0, minor_gap(latest, version))
