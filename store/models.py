"""Pydantic views of the Site Recovery world: appliances, items, jobs, blockers, rollouts (their
enums and constants live in store/vocabulary.py)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


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
    end_time: str | None = Field(
        default=None, description="ISO UTC, when it reached a final state."
    )
    from_version: str | None = Field(default=None, description="Version before the update.")
    to_version: str | None = Field(default=None, description="Version the job installs.")
    tasks: list[TaskView] = Field(default_factory=list, description="Steps in order.")
    errors: list[JobError] = Field(default_factory=list, description="Errors of a failed job.")
    retry_of: str | None = Field(default=None, description="The failed job this one retries.")
    waiting_reason: str | None = Field(default=None, description="Why a NotStarted job waits.")
    rollout: str | None = Field(
        default=None, description="The staged rollout that created it, if any."
    )


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
    next_check_at: str | None = Field(
        default=None, description="ISO UTC of the next prerequisite check."
    )
    checked_at: str | None = Field(
        default=None, description="ISO UTC of the last prerequisite check."
    )
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
    registry: dict[str, int] = Field(
        default_factory=dict, description="HKLM\\SOFTWARE\\Microsoft\\AzureAppliance values."
    )
    components: list[ComponentView] = Field(
        default_factory=list, description="The seven components."
    )
    item_count: int = Field(default=0, description="Machines replicating through it.")


class SkippedMachine(View):
    """A machine of the rollout that gets no job from it, and why."""

    name: str = Field(description="Machine name.")
    reasons: list[str] = Field(description="'Reason: message' lines, e.g. 'RebootRequired: ...'.")
    wave: int | None = Field(
        default=None, description="The wave whose start skipped it (None: at creation)."
    )


class WaveView(View):
    """One wave: its frozen machines and its jobs' progress."""

    index: int = Field(description="0 is the canary.")
    state: str = Field(description="Pending, Running, Baking, Succeeded, Halted or Aborted.")
    machines: list[str] = Field(
        default_factory=list, description="Its machines, fixed at creation."
    )
    size: int = Field(description="How many machines it has.")
    started: str | None = Field(default=None, description="ISO UTC, when its jobs were created.")
    finished: str | None = Field(default=None, description="ISO UTC, when its last job ended.")
    jobs: dict[str, int] = Field(description="Its jobs per state.")


class RolloutView(View):
    """A staged rollout as `rollout show --json` prints it."""

    name: str = Field(description="Rollout name, unique in the database.")
    vault: str = Field(description="Vault of its machines.")
    state: str = Field(
        description="Running, Baking, Waiting, Paused, Halted, Completed or Aborted."
    )
    target_version: str = Field(description="The agent version its jobs install.")
    bake: str = Field(
        description="Engine time between a wave's last job and the next wave, e.g. 30m."
    )
    window: str | None = Field(
        default=None, description="Vault-local HH:MM-HH:MM when waves may start."
    )
    failures: int = Field(
        description="Failed jobs counted against the budget (since the last resume)."
    )
    max_failures: int = Field(description="The budget: one failure more halts the rollout.")
    halted_reason: str | None = Field(default=None, description="Why it halted.")
    skipped: list[SkippedMachine] = Field(
        default_factory=list, description="Machines it does not update."
    )
    waves: list[WaveView] = Field(default_factory=list, description="The waves, the canary first.")
    machines: int = Field(description="Machines in its waves.")
    bake_seconds: int = Field(description="The bake time in seconds.")
    created_by: str = Field(
        description="The operator who created it; its jobs are initiated by them."
    )
    created_time: str = Field(description="ISO UTC, engine time.")
    ended_time: str | None = Field(
        default=None, description="ISO UTC, when it completed or was aborted."
    )
    bake_ends: str | None = Field(default=None, description="ISO UTC, when the current bake ends.")
    next_wave_at: str | None = Field(
        default=None, description="ISO UTC, when the next wave may start."
    )
    time_zone: str = Field(description="The vault's time zone (the window's).")


class FailedMachine(View):
    """A machine whose rollout job failed: where `g` in the console goes."""

    name: str = Field(description="Machine name.")
    job_id: str = Field(description="The failed job.")
    wave: int = Field(description="Its wave.")
    error: str = Field(description="The job's first error, 'code: message'.")
