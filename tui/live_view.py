"""LiveView: what a screen does when the store's data, or the vault shown, changes."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from store.service import VaultInfo


class LiveView:
    """A screen or dialog showing the store's data. `ConsoleApp` calls these on each mounted one
    in its screen stack: after every commit (its own, the engine's, another process's) and when
    the operator switches vault."""

    def refresh_live(self, *, polled: bool = False) -> None:
        """The data changed: show it now. `polled`: the change poll noticed a commit (the engine
        commits several times a second): repaint the rows on screen now; dearer counts may wait."""
        raise NotImplementedError

    def vault_changed(self, vault: VaultInfo) -> None:
        """The app shows `vault` now (`refresh_live` follows): by default, nothing more to do."""
