"""The Site Recovery world's words: update statuses, blocking reasons, job states, components,
actors.

Plain enums and constants, apart from the pydantic views of store/models.py (which re-exports them):
the console's first frame needs these, not pydantic."""

from __future__ import annotations

from enum import Enum


class UpdateStatus(str, Enum):  # noqa: UP042 (StrEnum changes what str() of a member says)
    """The portal's five words for an agent's (or a component's) update status."""

    UP_TO_DATE = "Up to date"
    UPDATE_AVAILABLE = "New update available"
    BLOCKED = "Cannot update to latest version"
    UPDATING = "Updating"
    FAILED = "Update failed"

    @property
    def slug(self) -> str:
        return STATUS_SLUGS[self]

    @classmethod
    def from_slug(cls, slug: str) -> UpdateStatus:
        for status, s in STATUS_SLUGS.items():
            if s == slug:
                return status
        raise ValueError(f"unknown status {slug!r}; use one of {', '.join(STATUS_SLUGS.values())}")

    @classmethod
    def from_word(cls, word: str) -> UpdateStatus:
        """A status from any word the console or the portal shows for it, or its slug, in any case:
        `update-available`, `New update available`, the facet's `New`."""
        found = STATUS_WORDS.get(" ".join(word.replace("-", " ").lower().split()))
        if found is None:
            raise ValueError(
                f"unknown status {word!r}; use one of {', '.join(STATUS_SLUGS.values())} "
                "(or the console's words for them)"
            )
        return found


STATUS_SLUGS: dict[UpdateStatus, str] = {
    UpdateStatus.UP_TO_DATE: "up-to-date",
    UpdateStatus.UPDATE_AVAILABLE: "update-available",
    UpdateStatus.BLOCKED: "blocked",
    UpdateStatus.UPDATING: "updating",
    UpdateStatus.FAILED: "failed",
}
FACET_WORDS: dict[str, str] = {
    "up-to-date": "OK",
    "update-available": "New",
    "blocked": "Blocked",
    "updating": "Updating",
    "failed": "Failed",
}
"""The console's short facet word per slug (a narrow terminal's facet bar); the CLI takes them
too."""
STATUS_WORDS: dict[str, UpdateStatus] = {
    " ".join(word.replace("-", " ").lower().split()): status
    for status, slug in STATUS_SLUGS.items()
    for word in (
        slug,
        status.value,
        FACET_WORDS[slug],
        "Cannot update" if slug == "blocked" else slug,
    )
}
"""Every word for a status, normalised (lower case, hyphens as spaces) -> the status."""


class BlockReason(str, Enum):  # noqa: UP042 (StrEnum changes what str() of a member says)
    """AgentUpgradeBlockedReason values the simulated service raises (asr-facts 4.2)."""

    REBOOT_REQUIRED = "RebootRequired"
    INCOMPATIBLE_APPLIANCE = "IncompatibleApplianceVersion"
    PROCESS_SERVER_NO_HEARTBEAT = "ProcessServerNoHeartbeat"
    RCM_PROXY_NO_HEARTBEAT = "RcmProxyNoHeartbeat"
    AGENT_NO_HEARTBEAT = "AgentNoHeartbeat"
    MISSING_UPGRADE_PATH = "MissingUpgradePath"
    # Component-level reasons (appliance components).
    INCOMPATIBLE_COMPONENT = "IncompatibleComponentVersion"
    NO_AZURE_CONNECTIVITY = "NoAzureConnectivity"


class JobState(str, Enum):  # noqa: UP042 (StrEnum changes what str() of a member says)
    NOT_STARTED = "NotStarted"
    IN_PROGRESS = "InProgress"
    SUCCEEDED = "Succeeded"
    FAILED = "Failed"
    CANCELLING = "Cancelling"
    CANCELLED = "Cancelled"

    @property
    def active(self) -> bool:
        return self in ACTIVE_JOB_STATES


ACTIVE_JOB_STATES = frozenset({JobState.NOT_STARTED, JobState.IN_PROGRESS, JobState.CANCELLING})


class Component(str, Enum):  # noqa: UP042 (StrEnum changes what str() of a member says)
    """The seven replication-appliance components, by their command-line slug."""

    PROCESS_SERVER = "process-server"
    PROXY_SERVER = "proxy-server"
    REPLICATION_SERVICE = "replication-service"
    REPROTECTION_SERVER = "reprotection-server"
    RECOVERY_SERVICES_AGENT = "recovery-services-agent"
    SITE_RECOVERY_PROVIDER = "site-recovery-provider"
    PUSH_INSTALLER = "push-installer"

    @property
    def display(self) -> str:
        return COMPONENT_NAMES[self]


COMPONENT_NAMES: dict[Component, str] = {
    Component.PROCESS_SERVER: "Process server",
    Component.PROXY_SERVER: "Proxy server",
    Component.REPLICATION_SERVICE: "Replication service",
    Component.REPROTECTION_SERVER: "Re-protection server",
    Component.RECOVERY_SERVICES_AGENT: "Recovery Services agent",
    Component.SITE_RECOVERY_PROVIDER: "Site Recovery provider",
    Component.PUSH_INSTALLER: "Push installer",
}

AGENT = "agent"
"""The release kind of the Mobility agent itself."""

ALREADY_LATEST_CODE = "AlreadyOnLatestVersion"
"""Why an update of a machine already on the latest version is refused."""
ACTIVE_JOB_CODE = "ActiveJob"
"""Why an update of a machine with a running update job is refused."""

SITE_RECOVERY_ACTOR = "Site Recovery"
"""`initiated_by` of jobs the automatic updates create."""

SELECTABLE = ("update-available", "failed")
"""Statuses whose machines the bulk dialog lets the operator select."""
BULK_STATUSES = ("update-available", "failed", "blocked", "updating")
"""Every machine with a newer version: what the bulk dialog lists."""

# The terms a staged rollout gets when the operator names none (store/rollout_rules.py).
DEFAULT_CANARY = "1"
DEFAULT_WAVES = "100%"
DEFAULT_BAKE = "30m"
DEFAULT_MAX_FAILURES = "0"
