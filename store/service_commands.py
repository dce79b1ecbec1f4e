"""The service's commands: what changes the fleet, the clock or the simulated world, each refused
under --read-only and audited (store/service.py)."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from store.errors import Refused

if TYPE_CHECKING:
    from sqlite_utils import Database

    from store.models import JobView
    from store.outcomes import AdvanceResult, UpdateOutcome
    from store.simulator import Simulator


class Commands:
    """The operator's commands (store/operations.py), the simulator and the headless engine."""

    _db: Database
    _conn: sqlite3.Connection
    read_only: bool

    def _operations(self):
        """`store.operations`, for a command that changes the fleet (refused when read-only).
        Imported on the first such command: it loads the engine, which start-up does not need."""
        if self.read_only:
            raise Refused(
                "read-only: this would change the fleet; restart without --read-only",
                code="ReadOnly",
            )
        from store import operations

        return operations

    def prepare_writes(self) -> None:
        """Load the code behind the operator's commands now (the engine and its models, ~0.3 s
        when the engine thread has not loaded them), so the command that follows does not wait
        for it. Safe from any thread: it touches no connection. Nothing to load when read-only."""
        if not self.read_only:
            from store import operations  # noqa: F401

    def update(self, names: list[str]) -> UpdateOutcome:
        """One job per named machine; blocked, busy or current ones refused with their reasons."""
        return self._operations().update(self._db, names)

    def update_all_eligible(self, vault_id: int | None) -> UpdateOutcome:
        return self._operations().update_all_eligible(self._db, vault_id)

    def update_ids(self, ids: list[int], *, defer_checkpoint: bool = False) -> tuple[int, int]:
        """The bulk dialog's OK: one job per selected machine; (created, refused).

        `defer_checkpoint`: this connection leaves copying the WAL back into the database to
        `checkpoint()` (100,000 jobs write ~70 MB of WAL; copying it back at commit took as long
        as creating them), so the jobs are committed and shown first."""
        operations = self._operations()
        if defer_checkpoint:
            self._conn.execute("PRAGMA wal_autocheckpoint = 0")
        return operations.update_selected(self._db, ids)

    def retry(self, job_id: str) -> JobView:
        return self._operations().retry(self._db, job_id)

    def cancel(self, job_id: str) -> JobView:
        return self._operations().cancel(self._db, job_id)

    def set_auto_update(self, vault_id: int, enabled: bool) -> dict:
        return self._operations().set_auto_update(self._db, vault_id, enabled)

    def update_component(self, appliance: str, component: str) -> JobView:
        return self._operations().update_component(self._db, appliance, component)

    def registry_set(self, appliance: str, key: str, value: int) -> dict[str, int]:
        """The appliance's registry: `AutoUpdate` = 0 turns its automatic updates off."""
        return self._operations().registry_set(self._db, appliance, key, value)

    def registry_delete(self, appliance: str, key: str) -> dict[str, int]:
        """Deleting `AutoUpdate` turns the appliance's automatic updates back on."""
        return self._operations().registry_delete(self._db, appliance, key)

    def clock_pause(self, paused: bool) -> None:
        self._operations().clock_pause(self._db, paused)

    def clock_speed(self, speed: float) -> None:
        self._operations().clock_speed(self._db, speed)

    def clock_advance(self, delta: timedelta) -> AdvanceResult:
        """Move simulated engine time forward, processing every event (while another process
        holds the engine lease, that process does it)."""
        return self._operations().clock_advance(self._db, delta)

    def clock_advance_to(self, to: datetime) -> AdvanceResult:
        return self._operations().clock_advance_to(self._db, to)

    def simulator(self, *, actor: str | None = None) -> Simulator:
        """The simulated world's changes on this connection (`sim` commands, tours)."""
        self._operations()  # refused when read-only
        from store.simulator import Simulator

        return Simulator(self._db, actor=actor)

    def engine_time(self) -> datetime:
        """The engine's cursor: every event up to it is processed."""
        from store.engine.loop import processed_until

        return processed_until(self._conn)

    def run_engine(self, engine_for: timedelta | None = None) -> tuple[AdvanceResult, bool]:
        """`engine run`: hold the engine lease and move engine time at the clock's speed for
        `engine_for` of engine time (until interrupted without it). Returns what it did and
        whether ^C or SIGTERM stopped it (the lease is given back, every batch kept)."""
        self._operations()  # refused when read-only
        from store.engine.headless import run_engine
        from store.outcomes import AdvanceResult

        start = self.engine_time()
        try:
            return run_engine(self._db, engine_for=engine_for), False
        except KeyboardInterrupt:
            return AdvanceResult(start=start, end=self.engine_time()), True
