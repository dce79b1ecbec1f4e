"""What a caller asks the service for (queries, a rollout's spec) and the plain rows it pages
back: dataclasses and named tuples, no SQL, cheap to import before the first frame."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import NamedTuple

from store.vocabulary import DEFAULT_BAKE, DEFAULT_CANARY, DEFAULT_MAX_FAILURES, DEFAULT_WAVES

SORTS: dict[str, str] = {
    "name": "name",
    "status": "status",
    "agent_version": "agent_version_key",
    "os": "os",
    "appliance": "appliance",
}
"""Sort name -> column; each has an index (vault_id, column, name) so pages are index range
scans."""


class ItemRow(NamedTuple):
    """One line of the items table: just what is painted."""

    id: int
    name: str
    os: str
    appliance: str
    agent_version: str
    status: str
    sort_value: str


@dataclass(frozen=True)
class ItemQuery:
    """What the items table shows: one vault (or all), a status facet, a name filter, a sort."""

    vault_id: int | None = None
    status: str | None = None
    statuses: tuple[str, ...] = ()
    text: str = ""
    sort: str = "name"
    descending: bool = False
    names: tuple[str, str | None] | None = None
    """Lowest matching name and, when known, the highest (`match_counts` reads the lowest with
    the counts): a page then starts at the first match instead of scanning the index up to it.
    Never changes which rows match, as long as it comes from the same filter."""

    def with_(self, **changes) -> ItemQuery:
        return replace(self, **changes)


def row_key(row: ItemRow) -> tuple[str, str]:
    """The keyset key of a row: where the next page starts."""
    return (row.sort_value, row.name)


class JobRow(NamedTuple):
    """One line of the jobs table: just what is painted."""

    seq: int
    id: str
    name: str
    item: str
    component: str | None
    state: str
    initiated_by: str
    created_time: str
    start_time: str | None
    end_time: str | None
    waiting_reason: str | None


@dataclass(frozen=True)
class JobQuery:
    """Which jobs a list shows: a vault (or all), a state, a scenario, one target (machine or
    appliance)."""

    vault_id: int | None = None
    state: str | None = None
    scenario: str | None = None
    item_id: int | None = None
    appliance_id: int | None = None


@dataclass(frozen=True)
class RolloutSpec:
    """What `rollout create` asks for: a name, one way of choosing machines, and the plan's terms
    as the operator typed them (checked by `store.rollout_rules`)."""

    name: str
    vault_id: int
    names: tuple[str, ...] = ()
    item_ids: tuple[int, ...] | None = None
    all_eligible: bool = False
    status: str | None = None
    appliance: str | None = None
    os: str | None = None
    match: str | None = None
    canary: str = DEFAULT_CANARY
    waves: str = DEFAULT_WAVES
    bake: str = DEFAULT_BAKE
    max_failures: str = DEFAULT_MAX_FAILURES
    window: str | None = None

    @property
    def filtered(self) -> bool:
        return any(v is not None for v in (self.status, self.appliance, self.os, self.match))


@dataclass(frozen=True, slots=True)
class JobBrief:
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


@dataclass(frozen=True, slots=True)
class ItemRecord:
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
