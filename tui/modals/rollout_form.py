"""The staged-rollout form: a name and the plan's terms, prefilled with the defaults."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.widgets import Button, Input, Label, Static

from store.vocabulary import DEFAULT_BAKE, DEFAULT_CANARY, DEFAULT_MAX_FAILURES, DEFAULT_WAVES
from tui.modals.base import Dialog
from tui.render import safe_text

FIELDS = (
    ("name", "Name", ""),
    ("canary", "Canary", DEFAULT_CANARY),
    ("waves", "Waves after it", DEFAULT_WAVES),
    ("bake", "Bake time", DEFAULT_BAKE),
    ("max_failures", "Failures allowed", DEFAULT_MAX_FAILURES),
    ("window", "Window (local)", ""),
)
"""(key, label, default) of each input, in order."""
HELP = (
    "Canary and failures allowed: machines (3) or a share (10%). Waves: cumulative shares of the "
    "machines after the canary (25%,50%,100%). Bake: engine time between a wave's end and the next "
    "(30m, 2h, 0). Window: vault-local HH:MM-HH:MM when waves may start, empty for any time."
)


class RolloutFormModal(Dialog[str | None]):
    """Returns the created rollout's name (None: cancelled). `submit` creates it from the form's
    values, on a worker thread, and returns None, or returns what is wrong (shown in the form,
    which stays open)."""

    DEFAULT_CSS = """
    RolloutFormModal > Vertical { width: 76; }
    RolloutFormModal Grid { grid-size: 2; grid-columns: 18 1fr; grid-rows: 1; height: auto;
                            grid-gutter: 0 1; margin: 1 0; }
    RolloutFormModal Grid Label { height: 1; }
    RolloutFormModal #form-error { color: $text-error; height: auto; }
    RolloutFormModal #form-help { color: $text-muted; height: auto; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="rollout_form.cancel")]

    def __init__(
        self, selection: str, default_name: str, submit: Callable[[dict[str, str]], str | None]
    ) -> None:
        super().__init__()
        self.selection = selection
        self.default_name = default_name
        self.submit = submit
        """Runs on a worker thread: it must not touch the screen (its own connection, too)."""
        self.creating = False

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Staged rollout"
            yield Static(Text(safe_text(self.selection), style="bold"), id="form-selection")
            with Grid():
                for key, label, default in FIELDS:
                    yield Label(label)
                    yield Input(
                        value=self.default_name if key == "name" else default,
                        id=f"form-{key}",
                        placeholder="none" if key == "window" else "",
                        compact=True,
                    )
            yield Static(HELP, id="form-help")
            yield Static(id="form-error")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Create", id="create", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#create", Button).focus()

    def values(self) -> dict[str, str]:
        return {key: self.query_one(f"#form-{key}", Input).value for key, _label, _d in FIELDS}

    def _create(self) -> None:
        # Off the event loop: over 100,000 machines the create takes ~0.6 s (h.create).
        if self.creating:
            return
        self.creating = True
        for button in self.query(Button):
            button.disabled = True
        self.query_one("#form-error", Static).update(Text("Creating…"))
        values = self.values()
        self.run_worker(
            lambda: self._create_on_thread(values),
            thread=True,
            group="rollout-create",
            exit_on_error=False,
        )

    def _create_on_thread(self, values: dict[str, str]) -> None:
        try:
            error = self.submit(values)
        except Exception as exc:  # noqa: BLE001 - said in the form, which stays open
            error = f"{type(exc).__name__}: {exc}"
        self.app.call_from_thread(self._created, values["name"].strip(), error)

    def _created(self, name: str, error: str | None) -> None:
        self.creating = False
        if error is None:
            self.dismiss(name)
            return
        for button in self.query(Button):
            button.disabled = False
        self.query_one("#form-error", Static).update(Text(safe_text(error)))

    def action_cancel(self) -> None:
        if not self.creating:  # a create under way ends in its answer, not in a closed form
            self.dismiss(None)

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self._create()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "create":
            self._create()
        else:
            self.action_cancel()
