"""ConsoleApp: the operator console's wiring (service, vault, clock, engine thread, modes, global
keys)."""

from __future__ import annotations

import gc
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from textual.actions import SkipAction
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.reactive import reactive

from store import clock
from store.engine.worker import EngineThread
from store.service import Service, VaultInfo
from tui.flows import OperatorFlows
from tui.live_view import LiveView
from tui.paint import style_app_first
from tui.screen_ref import ScreenRef
from tui.status_colours import with_status_variables
from tui.widgets.clock_bar import HeaderState

if TYPE_CHECKING:
    from store.models import JobView

POLL_S = 0.25
"""How often the console looks for changes committed by the engine or another process."""


class ConsoleApp(OperatorFlows, App):
    """asr-upgrade-console: Replicated items, Site Recovery jobs, Appliances, Settings."""

    TITLE = "asr-upgrade-console"
    CSS_PATH = ["app.tcss", "screens/items.tcss"]
    """The app's styles and the first screen's (read before the first frame, so the stylesheet is
    parsed once: a screen's own CSS_PATH read later re-parses every rule loaded so far)."""
    MODES = {
        "items": ScreenRef("tui.screens.items", "ItemsScreen"),
        "jobs": ScreenRef("tui.screens.jobs", "JobsScreen"),
        "appliances": ScreenRef("tui.screens.appliances", "AppliancesScreen"),
        "settings": ScreenRef("tui.screens.settings", "SettingsScreen"),
        "rollouts": ScreenRef("tui.screens.rollouts", "RolloutsScreen"),
    }
    """Each mode's screen; a screen's module loads when the mode is first shown."""
    DEFAULT_MODE = "items"
    BINDINGS = [
        Binding("i", "switch_mode('items')", "Items", id="app.items"),
        Binding("j", "switch_mode('jobs')", "Jobs", id="app.jobs"),
        Binding("a", "switch_mode('appliances')", "Appliances", id="app.appliances"),
        Binding("comma", "switch_mode('settings')", "Settings", id="app.settings"),
        Binding("w", "switch_mode('rollouts')", "Rollouts", show=False, id="app.rollouts"),
        Binding("v", "next_vault", "Vault", id="app.next_vault"),
        Binding("question_mark", "toggle_help", "Help", id="app.help"),
        Binding(
            "escape", "close_help", "Close keys", show=False, priority=True, id="app.close_help"
        ),
        Binding("q", "quit", "Quit", id="app.quit"),
    ]

    vault: reactive[VaultInfo | None] = reactive(None)
    """The vault the screens show."""
    header: reactive[HeaderState | None] = reactive(None)
    """The header line every screen shows (its ClockBar follows it)."""
    first_frame_shown: reactive[bool] = reactive(False)
    """Set once the first rows are on the terminal (the items screen then mounts its key footer)."""

    def __init__(
        self,
        *,
        db_path: str | Path,
        read_only: bool = False,
        vault: str | None = None,
        engine: bool = False,
        greeting: str | None = None,
        service: Service | None = None,
    ) -> None:
        """`engine`: hold the engine lease and move engine time while open (the CLI turns it on).
        `greeting`: said in a notification once the console is up (what the terminal said before
        the console covered it, e.g. that the database was just created). `service`: one already
        open on `db_path` (the command line's, reading the first counts ahead); the app closes
        it."""
        super().__init__()
        self.greeting = greeting
        self.db_path = Path(db_path)
        self.read_only = read_only
        self.service = service or Service.open(self.db_path, read_only=read_only, create=False)
        self.set_reactive(ConsoleApp.vault, self.service.console_vault(vault))
        self.engine = EngineThread(self.db_path) if engine and not read_only else None
        self._engine_stop_told = False
        self._seen_version = -1
        self._vault_count = len(self.service.vaults())
        self._live = False
        self.polls = 0
        """Change polls done: each shows every commit made before it (tests wait on it)."""

    def on_load(self) -> None:
        style_app_first(self)

    def get_css_variables(self) -> dict[str, str]:
        return with_status_variables(super().get_css_variables())  # $status-<slug>

    def on_ready(self) -> None:
        # Textual's first frame is on the terminal, but the items table paints its rows in the
        # next one (their pages load when it learns its size): after that refresh, then.
        self.call_after_refresh(self._after_first_frame)
        # Those callbacks wait for the refresh of the screen that was current when they were
        # queued: a screen the operator leaves at once (a key pressed during start-up) would
        # hold them, with no polling and no engine, until it was shown again.
        self.screen_change_signal.subscribe(self, self._screen_changed_during_start_up)

    def _screen_changed_during_start_up(self, screen) -> None:
        if not self._live:  # Afterwards, a screen change costs this test alone.
            self._after_first_frame()
            self._start_live()

    def _after_first_frame(self) -> None:
        """The first rows are on the terminal: show the screen's keys in the next frame, then
        start the rest.

        Not from on_mount with call_after_refresh: during start-up Textual runs those callbacks
        before it paints (the screen mounts in a batch), so they delayed the first rows."""
        if self.first_frame_shown:
            return
        self.first_frame_shown = True
        # After the frame that shows them, not before it (the overview's first view loads pydantic).
        self.call_after_refresh(lambda: self.call_after_refresh(self._start_live))

    def _start_live(self) -> None:
        """Start what the first frames need not wait for, polling and the engine, and refresh the
        screen (the items overview waits for this: its view loads pydantic)."""
        if self._live:
            return
        self._live = True
        if self.greeting:
            self.notify(self.greeting, title="asr-upgrade-console", timeout=10)
        self.set_interval(POLL_S, self.poll_changes)
        if self.engine is not None:
            self.run_worker(
                self.engine.run, thread=True, exclusive=True, group="engine", exit_on_error=False
            )
        self.after_change()
        # What start-up built lives as long as the app: out of the collector's way, so a full
        # collection set off by the engine's allocations does not walk it inside a frame.
        gc.freeze()
        gc.enable()  # off since the command line started the console (tui/cli/__init__.py)

    def on_unmount(self) -> None:
        if self.engine is not None:
            self.engine.stop.set()
        self.service.close()

    # -- live refresh ---------------------------------------------------------------------------
    def poll_changes(self) -> None:
        """Repaint what is visible when anything committed since the last look."""
        if not self.is_running or not self.screen_stack:  # closing down: screens are being pruned
            return
        version = self.service.data_version()
        if version != self._seen_version:
            self._seen_version = version
            self.after_change(polled=True)
        else:
            self.refresh_clock()
        self.polls += 1

    def after_change(self, *, polled: bool = False) -> None:
        """The fleet changed (our own command, the engine, another process): refresh what is shown.

        `polled`: the poll noticed a commit (the engine's come several times a second): screens
        repaint their visible rows now and may defer dearer counts (at most once a second)."""
        self.refresh_clock()
        for screen in self.screen_stack:
            if isinstance(screen, LiveView) and screen.is_mounted:
                screen.refresh_live(polled=polled)

    def refresh_clock(self) -> None:
        state = self.service.clock()
        speed = "engine paused" if state.paused else f"engine {state.speed:g}x"
        if self.engine is not None and self.engine.error:
            speed = "engine stopped"
            if not self._engine_stop_told:
                self._engine_stop_told = True
                self.notify(
                    f"The engine stopped: {self.engine.error}", severity="error", timeout=30
                )
        elif self.engine is not None and self.engine.observing:
            speed += " (other process)"
        vault = self.vault
        # To the minute, as shown: the bars repaint when what they show changes, not every poll.
        minute = state.now.replace(second=0, microsecond=0)
        self.header = HeaderState(
            vault.name, minute.astimezone(clock.zone(vault.time_zone)), speed, self.read_only
        )

    # -- time helpers ---------------------------------------------------------------------------
    def local_time_text(self, iso_utc: str) -> str:
        """An ISO UTC time as the vault's local HH:MM (with the zone)."""
        local = clock.parse_iso(iso_utc).astimezone(clock.zone(self.vault.time_zone))
        return local.strftime("%H:%M %Z")

    def local_time_text_full(self, moment) -> str:
        return moment.astimezone(clock.zone(self.vault.time_zone)).strftime("%a %d %b %H:%M %Z")

    def job_duration(self, job: JobView) -> str:
        return clock.span_text(job.start_time, job.end_time, self.service.clock().now)

    def skip_to_next_run(self) -> None:
        """Jump engine time to the vault's next automatic run (12:00 AM local)."""
        target = self.service.next_automatic_run(self.vault.id)
        if self.read_only:
            self.notify("read-only: the clock cannot be moved", severity="error")
        elif self.engine is not None and self.engine.error:
            self.notify(
                f"The engine stopped ({self.engine.error}); restart the console.", severity="error"
            )
        elif self.engine is None or self.engine.observing:
            self.notify(
                "Another process runs the engine; skip there (asr-console clock advance).",
                severity="warning",
            )
        elif not self.engine.holding:
            self.notify("The engine is starting; skip again in a moment.", severity="warning")
        else:
            self.engine.skip_to(target)
            self.notify(f"Skipping to {self.local_time_text_full(target)}.", timeout=4)

    # -- navigation -----------------------------------------------------------------------------
    def show_item(self, name: str) -> None:
        """Go to a machine on the Replicated items screen (switching vault if needed)."""
        item_id, vault_id = self.service.item_ref(name)
        if vault_id != self.vault.id:
            self.vault = next(v for v in self.service.vaults() if v.id == vault_id)
        self.switch_mode("items")
        items = self.MODES["items"]
        self.call_after_refresh(
            lambda: self.screen.highlight_item(item_id) if items.shows(self.screen) else None
        )

    def show_appliance(self, name: str) -> None:
        self.switch_mode("appliances")
        appliances = self.MODES["appliances"]
        self.call_after_refresh(
            lambda: self.screen.select(name) if appliances.shows(self.screen) else None
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "next_vault":
            return self._vault_count > 1
        return True

    def action_next_vault(self) -> None:
        vaults = self.service.vaults()
        if len(vaults) < 2:
            self.notify("This database holds one vault.", timeout=2)
            return
        ids = [v.id for v in vaults]
        self.vault = vaults[(ids.index(self.vault.id) + 1) % len(vaults)]
        self.notify(f"Vault {self.vault.name}", timeout=2)

    def watch_vault(self, vault: VaultInfo | None) -> None:
        if vault is None:
            return
        for screen in self.screen_stack:
            if isinstance(screen, LiveView) and screen.is_mounted:
                screen.vault_changed(vault)
        self.after_change()

    def get_system_commands(self, screen) -> Iterable[SystemCommand]:
        """The console's own commands in the ctrl+p palette, beside Textual's."""
        yield SystemCommand(
            "Replicated items",
            "Every machine with its agent version and status (i)",
            lambda: self.switch_mode("items"),
        )
        yield SystemCommand(
            "Site Recovery jobs",
            "Monitoring: the update jobs (j)",
            lambda: self.switch_mode("jobs"),
        )
        yield SystemCommand(
            "Appliances",
            "Appliance components, versions and AutoUpdate (a)",
            lambda: self.switch_mode("appliances"),
        )
        yield SystemCommand(
            "Mobility agent upgrade settings",
            "Allow Site Recovery to manage; the clock (,)",
            lambda: self.switch_mode("settings"),
        )
        yield SystemCommand(
            "Update many machines (Bulk)",
            "The bulk update dialog: choose machines, then OK (b)",
            self._in_mode("items", "bulk_update"),
        )
        yield SystemCommand(
            "Update the marked machines",
            "One job per marked machine, or the highlighted one (u)",
            self._in_mode("items", "update"),
        )
        yield SystemCommand(
            "Retry the highlighted job",
            "Site Recovery jobs: a new job linked to it (r)",
            self._in_mode("jobs", "retry"),
        )
        yield SystemCommand(
            "Cancel the highlighted job",
            "Site Recovery jobs: asks first (c)",
            self._in_mode("jobs", "cancel"),
        )
        yield SystemCommand(
            "Turn automatic updates on or off",
            "Allow Site Recovery to manage (, then t)",
            self._in_mode("settings", "toggle_auto_update"),
        )
        yield SystemCommand(
            "Pause or resume engine time", "The engine clock (, then p)", self.toggle_pause
        )
        yield SystemCommand(
            "Staged rollouts",
            "Canary, waves, bake time, failure budget (w)",
            lambda: self.switch_mode("rollouts"),
        )
        yield SystemCommand(
            "Create a staged rollout…",
            "Over every eligible machine of this vault (w, then n)",
            self.create_rollout,
        )
        yield SystemCommand(
            "Skip to the next automatic run",
            "Move engine time to 12:00 AM local (, then n)",
            self.skip_to_next_run,
        )
        if self._vault_count > 1:
            yield SystemCommand("Switch vault", "Show the next vault (v)", self.action_next_vault)
        yield from super().get_system_commands(screen)

    def _in_mode(self, mode: str, action: str):
        """A palette command that runs one of a view's key actions there (switching to it first)."""

        def run() -> None:
            self.switch_mode(mode)
            view = self.MODES[mode]

            def act() -> None:
                if view.shows(self.screen):  # not over a dialog the operator opened meanwhile
                    self.call_later(self.screen.run_action, action)

            self.call_after_refresh(act)

        return run

    def action_toggle_help(self) -> None:
        """`?`: the keys of this view, the console's first (tui/widgets/keys_panel.py)."""
        from tui.widgets.keys_panel import KeysPanel

        if self.screen.query(KeysPanel):
            self.screen.query(KeysPanel).remove()
        else:
            self.screen.mount(KeysPanel())

    def action_close_help(self) -> None:
        """Esc closes the keys panel when it is open; otherwise Esc does what the view says."""
        from tui.widgets.keys_panel import KeysPanel

        if not self.screen.query(KeysPanel):
            raise SkipAction()
        self.screen.query(KeysPanel).remove()
