"""What the engine's commands return: update outcomes, refusals, the automatic-run plan and what
an advance of engine time did."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from store.models import Blocker, JobView

if TYPE_CHECKING:
    from store.engine.runner import RunStats


class Refusal(BaseModel):
    """One update request the service would not carry out."""

    name: str = Field(description="The machine (or appliance/component) named.")
    reasons: list[str] = Field(description="'Reason: message' lines, e.g. 'RebootRequired: ...'.")
    blockers: list[Blocker] = Field(
        default_factory=list, description="The blocking reasons in full, if blocked."
    )

    @property
    def code(self) -> str:
        """The first reason's name (RebootRequired, AlreadyOnLatestVersion, ActiveJob...)."""
        return self.reasons[0].partition(":")[0] if self.reasons else ""


class UpdateOutcome(BaseModel):
    """`update --json`: the jobs created and the requests refused."""

    created: list[JobView] = Field(default_factory=list, description="One job per machine updated.")
    refused: list[Refusal] = Field(
        default_factory=list, description="Requests refused, with reasons."
    )


class PlannedUpdate(BaseModel):
    """One update the next automatic run will start."""

    kind: str = Field(description="'agent' or 'component'.")
    name: str = Field(description="Machine name, or the appliance for a component.")
    appliance: str = Field(
        description="Appliance the machine replicates through (or the appliance)."
    )
    component: str | None = Field(default=None, description="Component slug of a component update.")
    from_version: str = Field(description="Installed version.")
    to_version: str = Field(description="Version the job will install.")
    run_at: str = Field(description="When the run creates the job (ISO with the local offset).")
    pending_check: str | None = Field(
        default=None,
        description=(
            "When the service checks it next (ISO, local offset), where this entry rests on what"
            " that check has not seen yet: a blocker fixed, or a fault, since the last check."
        ),
    )


class PlannedSkip(BaseModel):
    """Something with a newer version that the next automatic run will leave alone."""

    kind: str = Field(description="'agent' or 'component'.")
    name: str = Field(description="Machine name, or the appliance for a component.")
    reason: str = Field(description="Why it is skipped.")
    appliance: str | None = Field(default=None, description="Its appliance.")
    component: str | None = Field(default=None, description="Component slug of a component.")
    pending_check: str | None = Field(
        default=None,
        description=(
            "When the service checks it next (ISO, local offset), where the world "
            "has changed since its last check (a blocker fixed by hand may clear then)."
        ),
    )


class PlannedRollout(BaseModel):
    """What a staged rollout of the vault will do next."""

    name: str = Field(description="Rollout name.")
    state: str = Field(description="Its state now (Running, Baking, Waiting, Paused, Halted).")
    next_wave: int | None = Field(
        default=None, description="The wave it starts next (0: the canary)."
    )
    machines: int = Field(default=0, description="How many machines that wave has.")
    at: str | None = Field(
        default=None, description="When it starts (ISO with the vault's offset), if known."
    )
    waits_for: str = Field(description="What it waits for, in words.")


class Plan(BaseModel):
    """`plan --json`: what the next automatic run of a vault will do."""

    vault: str = Field(description="Vault name.")
    run_at: str = Field(
        description="The vault's next local midnight (ISO with offset): the agents' run."
    )
    agent_auto_update: bool = Field(description="'Allow Site Recovery to manage' toggle.")
    will_update: list[PlannedUpdate] = Field(
        default_factory=list, description="Updates the run will start."
    )
    skipped: list[PlannedSkip] = Field(
        default_factory=list, description="Updates it will not start, and why."
    )
    rollouts: list[PlannedRollout] = Field(
        default_factory=list, description="Staged rollouts' next waves."
    )

    def check_note(self, pending_check: str | None) -> str:
        """What an entry's pending check means for tonight, in words ("" when none is pending)."""
        if pending_check is None:
            return ""
        if datetime.fromisoformat(pending_check) < datetime.fromisoformat(self.run_at):
            return f"waits for the check at {pending_check}, before the run"
        return f"the next check, at {pending_check}, comes after the run"


@dataclass
class AdvanceResult:
    """What an advance did, for summaries."""

    start: datetime
    end: datetime
    windows: int = 0
    checks: int = 0
    tasks_ended: int = 0
    jobs_created: int = 0
    started: int = 0
    succeeded: int = 0
    failed: int = 0
    cancelled: int = 0

    def absorb(self, stats: RunStats) -> None:
        """Take the job counts of a runner step (and zero them there)."""
        self.started += stats.started
        self.succeeded += stats.succeeded
        self.failed += stats.failed
        self.cancelled += stats.cancelled
        stats.started = stats.succeeded = stats.failed = stats.cancelled = 0

    def summary(self) -> str:
        return (
            f"{self.checks} checks, {self.jobs_created} jobs created, {self.started} started, "
            f"{self.succeeded} succeeded, {self.failed} failed, {self.cancelled} cancelled"
        )
