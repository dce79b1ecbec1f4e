"""One machine in full, with its last update job: what the overview, `item show` and the
endpoint show."""

from __future__ import annotations

from typing import NamedTuple


class JobBrief(NamedTuple):
    """A machine's update job as its record shows it."""

    id: str
    state: str
    scenario: str
    initiated_by: str
    created_time: str
    start_time: str | None
    end_time: str | None
    from_version: str | None
    to_version: str | None
    errors: list[dict]


class ItemRecord(NamedTuple):
    """One machine in full."""

    id: int
    name: str
    vault: str
    os: str
    os_family: str
    appliance: str
    agent_version: str
    version_at_reboot: str
    latest_version: str | None
    latest_release_date: str | None
    status: str
    """One of the portal's five words."""
    blockers: list[dict]
    """{reason, message, recommended_action} per blocking reason the last check found."""
    checked_at: str | None
    next_check_at: str | None
    agent_heartbeat: bool
    """Whether the last check heard from the agent."""
    private_preview: bool
    replication_health: str
    protection_state: str
    active: bool
    """Whether `job` is still running (NotStarted, InProgress, Cancelling)."""
    job: JobBrief | None
    """The machine's last update job (the running one while `active`)."""
    refusal: list[str]
    """refusal_codes: empty exactly when `update` would create a job now."""
    latest_without_reboot: str | None
    """The newest GA agent at or past the installed one that needs no reboot first."""
