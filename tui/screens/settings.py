"""Settings: Mobility agent upgrade settings (the vault toggle) and the engine clock."""

from __future__ import annotations

from datetime import datetime

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Label, Static, Switch

from store.errors import StoreError
from tui.live_view import LiveView
from tui.modals.confirm import ConfirmModal
from tui.render import hanging, safe_text
from tui.scroll_keys import scroll, scroll_bindings
from tui.widgets.clock_bar import ClockBar
from tui.widgets.key_bar import KeyBar

SPEEDS = [1.0, 10.0, 60.0, 300.0, 1800.0, 3600.0]


def check_words(plan, pending_check: str | None) -> str:
    """An entry's pending check, short (the plan says which entries wait for the next check)."""
    if pending_check is None:
        return ""
    at = datetime.fromisoformat(pending_check)
    if at < datetime.fromisoformat(plan.run_at):
        return f" · waits for the check at {at:%H:%M}"
    return f" · next check {at:%H:%M}, after the run"


def counted(n: int, noun: str) -> str:
    """`1 Mobility agent`, `2 Mobility agents`."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def plan_text(plan, run_at_local: str) -> Group:
    """What the next automatic run will do, and what it skips and why (pure). A skipped component
    is named with its appliance, as the command line names it; wrapped reasons stay indented."""
    head = Text()
    head.append(f"Next automatic run: {run_at_local}\n", style="bold")
    agents = [u for u in plan.will_update if u.kind == "agent"]
    comps = [u for u in plan.will_update if u.kind == "component"]
    head.append(
        f"  will update {counted(len(comps), 'appliance component')} and "
        f"{counted(len(agents), 'Mobility agent')}\n"
    )
    for u in comps[:4]:
        head.append(f"    {safe_text(u.name)} {u.component}: {u.from_version} → {u.to_version}")
        head.append(f"{check_words(plan, u.pending_check)}\n", style="dim")
    for u in agents[:4]:
        head.append(f"    {safe_text(u.name)}: {u.from_version} → {u.to_version}")
        head.append(f"{check_words(plan, u.pending_check)}\n", style="dim")
    hidden = len(plan.will_update) - min(len(comps), 4) - min(len(agents), 4)
    if hidden:
        head.append(f"    …and {hidden} more\n", style="dim")
    parts: list = [head]
    if plan.skipped:
        parts.append(Text(f"  skips {len(plan.skipped)}:"))
        skips = Table.grid(padding=(0, 1))
        skips.add_column(no_wrap=True, max_width=44, overflow="ellipsis", style="bold")
        skips.add_column(ratio=1)  # a reason wraps in its own column, under itself
        for skip in plan.skipped[:5]:
            reason = Text(safe_text(skip.reason))
            reason.append(check_words(plan, skip.pending_check), style="dim")
            skips.add_row(
                safe_text(skip.name) + (f" {skip.component}" if skip.component else "") + ":",
                reason,
            )
        parts.append(hanging(skips, 4))
        if len(plan.skipped) > 5:
            parts.append(
                Text(f"    …and {len(plan.skipped) - 5} more (asr-console plan)", style="dim")
            )
    return Group(*parts)


class SettingsScreen(LiveView, Screen):
    """Mobility agent upgrade settings (Preview) per vault, and the clock controls."""

    CSS_PATH = "settings.tcss"
    BINDINGS = [
        Binding("t", "toggle_auto_update", "Toggle auto-update", id="settings.toggle"),
        Binding("p", "pause", "Pause/resume clock", id="settings.pause"),
        Binding("plus,equals_sign", "speed(1)", "Faster", id="settings.faster"),
        Binding("minus", "speed(-1)", "Slower", id="settings.slower"),
        Binding("n", "skip", "Skip to next run", id="settings.skip"),
        # The plan below the fold on a small terminal: the page scrolls whatever has the focus.
        *scroll_bindings("settings", "scroll"),
    ]

    def compose(self) -> ComposeResult:
        yield ClockBar()
        with VerticalScroll(id="settings-body"):
            with Vertical(id="agent-settings") as box:
                box.border_title = "Mobility agent upgrade settings (Preview)"
                with Horizontal(classes="row"):
                    yield Switch(id="auto-update")
                    yield Label("Allow Site Recovery to manage:", id="auto-update-label")
                    yield Label("", id="auto-update-state")
                yield Static(id="auto-update-note")
            with Vertical(id="clock-settings") as box:
                box.border_title = "Engine clock"
                yield Static(id="clock-state")
            yield Static(id="plan")
        yield KeyBar()

    def on_mount(self) -> None:
        self.refresh_live()

    def refresh_live(self, *, polled: bool = False) -> None:  # A few rows: always read them all.
        svc = self.app.service
        vault = next(v for v in svc.vaults() if v.id == self.app.vault.id)
        switch = self.query_one("#auto-update", Switch)
        with switch.prevent(Switch.Changed):
            switch.value = vault.agent_auto_update
        self.query_one("#auto-update-state", Label).update(
            "On" if vault.agent_auto_update else "Off"
        )
        switch.disabled = vault.private_endpoint or self.app.read_only
        note = Text()
        if vault.private_endpoint:
            note.append(
                "This vault uses private endpoints: automatic updates are not available.",
                style="bold",
            )
        else:
            note.append(
                "Automatic updates run at 12:00 AM local time every day when a new version exists. "
                "They need no reboot, do not interrupt replication, and also keep the vault's "
                "replication appliances up to date."
            )
        self.query_one("#auto-update-note", Static).update(note)
        state = svc.clock()
        clock_text = Text(
            f"{state.mode} time, {'paused' if state.paused else 'running'} at {state.speed:g}x\n"
        )
        clock_text.append(
            "p pause/resume · +/- speed · n skip to the next automatic run", style="dim"
        )
        self.query_one("#clock-state", Static).update(clock_text)
        run_at = self.app.local_time_text_full(svc.next_automatic_run(vault.id))
        self.query_one("#plan", Static).update(plan_text(svc.plan(vault.id), run_at))

    @on(Switch.Changed, "#auto-update")
    def _switched(self, event: Switch.Changed) -> None:
        self._set_auto_update(event.value)

    def action_toggle_auto_update(self) -> None:
        switch = self.query_one("#auto-update", Switch)
        if not switch.disabled:
            switch.value = not switch.value

    def _set_auto_update(self, enabled: bool) -> None:
        if enabled:
            self._apply(True)
            return
        message = Text("Turn off automatic updates of the Mobility agent for ")
        message.append(safe_text(self.app.vault.name), style="bold")
        message.append("? You will have to update agents manually.")
        self.app.push_screen(
            ConfirmModal("Allow Site Recovery to manage", message, ok_label="Turn off"),
            lambda ok: self._apply(False) if ok else self.refresh_live(),
        )

    def _apply(self, enabled: bool) -> None:
        try:
            self.app.service.set_auto_update(self.app.vault.id, enabled)
        except StoreError as exc:
            self.app.report_error(exc)
        self.app.after_change()
        self.notify(
            f"Automatic updates {'on' if enabled else 'off'} for {safe_text(self.app.vault.name)}."
        )

    def action_pause(self) -> None:
        self.app.toggle_pause()

    def action_speed(self, step: int) -> None:
        speed = self.app.service.clock().speed
        index = min(range(len(SPEEDS)), key=lambda i: abs(SPEEDS[i] - speed))
        new = SPEEDS[max(0, min(len(SPEEDS) - 1, index + step))]
        try:
            self.app.service.clock_speed(new)
        except StoreError as exc:
            self.app.report_error(exc)
        self.app.after_change()

    def action_scroll(self, how: str) -> None:
        scroll(self.query_one("#settings-body", VerticalScroll), how)

    def action_skip(self) -> None:
        self.app.skip_to_next_run()
