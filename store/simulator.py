"""The simulated world, changed through one service's connection: what the `sim` commands and the
tours do. Only the simulated truth changes; the service notices at its next check, as the real
one would (store/engine/sim_actions.py holds the rules)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from store.engine import sim_actions

if TYPE_CHECKING:
    from sqlite_utils import Database


def parse_requires(pairs: list[str]) -> dict[str, str]:
    """`--requires` pairs (['process-server=9.67.1.1', ...]) -> {slug: version}; bad input if
    malformed."""
    return sim_actions.parse_requires(pairs)


class Simulator:
    """The simulator's actions on one connection (get one from `Service.simulator()`)."""

    def __init__(self, db: Database, *, actor: str | None = None) -> None:
        self._db = db
        self._actor = actor

    def release(
        self,
        component: str,
        version: str,
        requires: dict[str, str] | None = None,
        *,
        channel: str = "ga",
    ) -> dict:
        """Publish a release of `component` now (statuses follow at once: the catalog is the
        service's)."""
        return sim_actions.release(
            self._db, component, version, requires, channel=channel, actor=self._actor
        )

    def pending_reboot(self, name: str) -> None:
        """The machine gains a pending mandatory reboot."""
        sim_actions.pending_reboot(self._db, name, actor=self._actor)

    def reboot(self, name: str) -> None:
        """The machine restarts (clears a pending reboot)."""
        sim_actions.reboot(self._db, name, actor=self._actor)

    def set_connected(self, name: str, connected: bool) -> str:
        """A machine reaches its appliance, or an appliance Azure, or not; returns which it was."""
        return sim_actions.set_connected(self._db, name, connected, actor=self._actor)

    def fail_next(self, name: str, code: str) -> None:
        """The machine's next update job fails with the catalogued error `code`."""
        sim_actions.fail_next(self._db, name, code, actor=self._actor)

    def reinstall(self, name: str) -> str:
        """Install the latest agent by hand; returns its version."""
        return sim_actions.reinstall(self._db, name, actor=self._actor)
