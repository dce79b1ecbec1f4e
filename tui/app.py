"""ConsoleApp: the operator console's wiring (service, vault, clock, modes, global keys)."""

from __future__ import annotations

from pathlib import Path

from textual.app import App
from textual.binding import Binding
from textual.reactive import reactive

from store import clock
from store.service import Service, VaultInfo
from tui.screens.items import ItemsScreen
from tui.widgets.clock_bar import ClockBar

CLOCK_TICK_S = 0.5


class ConsoleApp(App):
    """asr-upgrade-console: Replicated items first; more views come as modes."""

    TITLE = "asr-upgrade-console"
    CSS_PATH = "app.tcss"
    MODES = {"items": ItemsScreen}
    DEFAULT_MODE = "items"
    BINDINGS = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "toggle_help", "Help", id="app.help"),
        Binding("v", "next_vault", "Vault", id="app.next_vault"),
    ]

    vault: reactive[VaultInfo | None] = reactive(None)
    """The vault the screens show."""

    def __init__(self, *, db_path: str | Path, read_only: bool = False, vault: str | None = None) -> None:
        super().__init__()
        self.db_path = Path(db_path)
        self.read_only = read_only
        self.service = Service.open(self.db_path, read_only=read_only, create=False)
        vaults = self.service.vaults()
        self.set_reactive(ConsoleApp.vault, self.service.vault(vault) if vault else vaults[0])

    def on_mount(self) -> None:
        self.set_interval(CLOCK_TICK_S, self.refresh_clock)

    def on_unmount(self) -> None:
        self.service.close()

    # -- clock and vault ----------------------------------------------------------------------
    def refresh_clock(self) -> None:
        state = self.service.clock()
        for bar in self.screen.query(ClockBar):
            bar.vault = self.vault.name
            bar.local_time = state.now.astimezone(clock.zone(self.vault.time_zone))
            bar.speed = "engine paused" if state.paused else f"engine {state.speed:g}x"
            bar.read_only = self.read_only

    def local_time_text(self, iso_utc: str) -> str:
        """An ISO UTC time as the vault's local HH:MM (with the zone)."""
        local = clock.parse_iso(iso_utc).astimezone(clock.zone(self.vault.time_zone))
        return local.strftime("%H:%M %Z")

    def action_next_vault(self) -> None:
        vaults = self.service.vaults()
        if len(vaults) < 2:
            self.notify("This database holds one vault.", timeout=2)
            return
        ids = [v.id for v in vaults]
        self.vault = vaults[(ids.index(self.vault.id) + 1) % len(vaults)]

    def watch_vault(self, vault: VaultInfo | None) -> None:
        if vault is None or not self.is_mounted:
            return
        screen = self.screen
        if isinstance(screen, ItemsScreen):
            screen.set_query(screen.query_state.with_(vault_id=vault.id))
        self.refresh_clock()
        self.notify(f"Vault {vault.name}", timeout=2)

    def action_toggle_help(self) -> None:
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()
