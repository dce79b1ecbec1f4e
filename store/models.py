"""Pydantic views of the Site Recovery world: appliances, items, jobs, blockers (their enums and
constants live in store/vocabulary.py and are importable from here too)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from store.vocabulary import (  # noqa: F401 (the views' vocabulary, importable from here too)
    ACTIVE_JOB_STATES,
    AGENT,
    COMPONENT_NAMES,
    SITE_RECOVERY_ACTOR,
    STATUS_SLUGS,
    BlockReason,
    Component,
    JobState,
    UpdateStatus,
)


class View(BaseModel):
    """Base of the views below. Their validators are built on first use, not at import: building
    all seven costs more than the console's first frame has to spare, and most commands use one."""

    model_config = ConfigDict(defer_build=True)


class Blocker(View):
    """One reason an update cannot run, as the service shows it."""

    reason: str = Field(description="AgentUpgradeBlockedReason name, e.g. RebootRequired.")
    message: str = Field(description="What the service found.")
    recommended_action: str = Field(description="What the operator should do about it.")


class JobError(View):
    """A catalogued error a job task failed with."""

    code: str = Field(description="Error code, e.g. 95524.")
    message: str = Field(description="What went wrong.")
    possible_causes: str = Field(description="Why it may have happened.")
    recommended_action: str = Field(description="What to do before retrying.")


class TaskView(View):
    """One step of a job."""

    name: str = Field(description="Task display name.")
    state: str = Field(description="JobState value of this task.")
    start_time: str | None = Field(default=None, description="ISO UTC, when it started.")
    end_time: str | None = Field(default=None, description="ISO UTC, when it ended.")


class JobView(View):
    """A Site Recovery job as the CLI and console show it."""

    id: str = Field(description="Job GUID.")
    name: str = Field(description="Display name, e.g. Update Mobility Service.")
    scenario: str = Field(description="UpdateMobilityService or UpdateApplianceComponent.")
    item: str = Field(description="Target machine name, or the appliance for a component job.")
    vault: str = Field(description="Vault the job belongs to.")
    component: str | None = Field(default=None, description="Component slug of a component job.")
    state: str = Field(description="JobState value.")
    initiated_by: str = Field(description="The operator's user, or Site Recovery.")
    created_time: str = Field(description="ISO UTC, when the job was created.")
    start_time: str | None = Field(default=None, description="ISO UTC, when it started running.")
    end_time: str | None = Field(default=None, description="ISO UTC, when it reached a final state.")
    from_version: str | None = Field(default=None, description="Version before the update.")
    to_version: str | None = Field(default=None, description="Version the job installs.")
    tasks: list[TaskView] = Field(default_factory=list, description="Steps in order.")
    errors: list[JobError] = Field(default_factory=list, description="Errors of a failed job.")
    retry_of: str | None = Field(default=None, description="The failed job this one retries.")
    waiting_reason: str | None = Field(default=None, description="Why a NotStarted job waits.")
    rollout: str | None = Field(default=None, description="The staged rollout that created it, if any.")


class ItemView(View):
    """A replicated item (protected machine) as the CLI and console show it."""

    name: str = Field(description="Machine name, unique across the database.")
    vault: str = Field(description="Vault name.")
    os: str = Field(description="Operating system as reported.")
    appliance: str = Field(description="Replication appliance name.")
    agent_version: str = Field(description="Installed Mobility agent version.")
    latest_version: str | None = Field(description="Latest GA agent version.")
    latest_release_date: str | None = Field(default=None, description="Release date of the latest.")
    status: str = Field(description="One of the portal's five status words.")
    blockers: list[Blocker] = Field(default_factory=list, description="Why it cannot update.")
    next_check_at: str | None = Field(default=None, description="ISO UTC of the next prerequisite check.")
    checked_at: str | None = Field(default=None, description="ISO UTC of the last prerequisite check.")
    last_job_id: str | None = Field(default=None, description="The last update job.")
    private_preview: bool = Field(default=False, description="Installed from private-preview bits.")
    auto_update: bool = Field(default=True, description="Whether automatic updates apply to it.")
    auto_update_note: str | None = Field(default=None, description="Why automatic updates skip it.")
    replication_health: str = Field(default="Healthy", description="Replication health.")
    protection_state: str = Field(default="Protected", description="Protection state description.")


class ComponentView(View):
    """One appliance component."""

    name: str = Field(description="Display name, e.g. Process server.")
    slug: str = Field(description="Command-line slug, e.g. process-server.")
    version: str = Field(description="Installed version.")
    latest_version: str | None = Field(description="Latest released version.")
    status: str = Field(description="Update status word.")
    blockers: list[Blocker] = Field(default_factory=list, description="Why it cannot update.")


class ApplianceView(View):
    """A replication appliance with its components."""

    name: str = Field(description="Appliance name.")
    vault: str = Field(description="Vault name.")
    time_zone: str = Field(description="IANA time zone of its local midnight.")
    azure_connected: bool = Field(description="Whether it reaches Azure services (service's view).")
    auto_update: bool = Field(description="False when the registry has AutoUpdate = 0.")
    registry: dict[str, int] = Field(default_factory=dict, description="HKLM\\SOFTWARE\\Microsoft\\AzureAppliance values.")
    components: list[ComponentView] = Field(default_factory=list, description="The seven components.")
    item_count: int = Field(default=0, description="Machines replicating through it.")
