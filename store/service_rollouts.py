"""The service's staged rollouts: views, and the commands that create and steer them
(store/service.py)."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from store import clock
from store.errors import Refused

if TYPE_CHECKING:
    from sqlite_utils import Database

    from store.models import FailedMachine, RolloutView
    from store.rollout_spec import RolloutSpec


class Rollouts:
    """Staged rollouts on the service's connection."""

    _db: Database
    _conn: sqlite3.Connection
    read_only: bool

    def rollouts(self, vault_id: int | None = None) -> list[RolloutView]:
        """Every rollout (of a vault), newest first, without the machines' names (counts only)."""
        from store import rollouts

        now = clock.now(self._conn)
        return [
            rollouts.view(self._conn, r, now, names=False, skipped_limit=0)
            for r in rollouts.rollout_rows(self._conn, vault_id)
        ]

    def rollout(self, name: str, *, names: bool = True) -> RolloutView:
        from store import rollouts

        return rollouts.view(
            self._conn,
            rollouts.rollout_row(self._conn, name),
            clock.now(self._conn),
            names=names,
            skipped_limit=None if names else 50,
        )

    def rollout_failed_machines(self, name: str) -> list[FailedMachine]:
        from store import rollouts

        return rollouts.failed_machines(self._conn, rollouts.rollout_row(self._conn, name).id)

    def _rollout_ops(self):
        if self.read_only:
            raise Refused("read-only: this would change the fleet; restart without --read-only")
        from store import rollout_ops

        return rollout_ops

    def create_rollout(self, spec: RolloutSpec) -> tuple[RolloutView, list[str]]:
        """A staged rollout over the spec's machines; the view and any warnings."""
        row, warnings = self._rollout_ops().create(self._db, spec)
        return self.rollout(row.name), warnings

    def pause_rollout(self, name: str) -> RolloutView:
        self._rollout_ops().pause(self._db, name)
        return self.rollout(name, names=False)

    def resume_rollout(self, name: str) -> RolloutView:
        self._rollout_ops().resume(self._db, name)
        return self.rollout(name, names=False)

    def abort_rollout(self, name: str) -> tuple[RolloutView, int]:
        """Cancel its jobs that have not started and end it; the view and how many were
        cancelled."""
        _row, cancelled = self._rollout_ops().abort(self._db, name)
        return self.rollout(name, names=False), cancelled
