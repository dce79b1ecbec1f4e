"""What a jobs list asks the service for and the rows it pages back (the jobs screen, the jobs
commands)."""

from __future__ import annotations

from typing import NamedTuple


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


class JobQuery(NamedTuple):
    """Which jobs a list shows: a vault (or all), a state, a scenario, one target (machine or
    appliance)."""

    vault_id: int | None = None
    state: str | None = None
    scenario: str | None = None
    item_id: int | None = None
    appliance_id: int | None = None
