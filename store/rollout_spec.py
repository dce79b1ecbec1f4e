"""What `rollout create` and the rollout form ask for."""

from __future__ import annotations

from typing import NamedTuple

from store.vocabulary import DEFAULT_BAKE, DEFAULT_CANARY, DEFAULT_MAX_FAILURES, DEFAULT_WAVES


class RolloutSpec(NamedTuple):
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
