"""KeysPanel: the `?` panel, the console's keys first (this view's, the focused list's, then the
ones that work anywhere), and Textual's generic keys (scrolling, copying) last."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

GROUPS = (
    ("This view", lambda b: b.id and not b.id.startswith("app.")),
    ("Anywhere", lambda b: b.id and b.id.startswith("app.")),
    ("Textual", lambda b: not b.id),
)
"""The panel's sections, in order: each takes the bindings its test accepts (the console's all
have ids, scoped by their view or widget; `app.` ones work on every view)."""


def keys_table(rows: list[tuple[str, list[tuple[str, str]]]]) -> Table:
    """The panel's text (pure): each section's title, then key and description per line."""
    table = Table.grid(padding=(0, 1), expand=True)
    table.add_column(justify="right", style="bold", no_wrap=True)
    table.add_column(ratio=1)  # descriptions wrap in their column on a narrow panel
    for n, (title, keys) in enumerate(rows):
        table.add_row("", Text(title, style="underline"), end_section=False)
        for key, description in keys:
            table.add_row(Text(key), Text(description))
        if n < len(rows) - 1:
            table.add_row("", "")
    return table


class KeysPanel(VerticalScroll, can_focus=False):
    """Docked at the right of the view; follows the focus (the focused list's keys change)."""

    DEFAULT_CSS = """
    KeysPanel {
        split: right;
        width: 33%;
        min-width: 30;
        max-width: 60;
        border-left: vkey $foreground 30%;
        padding: 0 1;
        height: 1fr;
    }
    KeysPanel > Static { width: 1fr; height: auto; }
    """
    BORDER_TITLE = "Keys · Esc closes"

    def compose(self):
        yield Static(id="keys")

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._update)
        self._update(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _update(self, screen: Screen) -> None:
        active = [entry for entry in screen.active_bindings.values() if not entry.binding.system]
        seen: set[str] = set()
        rows = []
        for title, accepts in GROUPS:
            keys = []
            for entry in active:
                binding: Binding = entry.binding
                if not accepts(binding) or binding.action in seen:
                    continue
                seen.add(binding.action)
                same = [e.binding for e in active if e.binding.action == binding.action]
                shown = " ".join(dict.fromkeys(self.app.get_key_display(b) for b in same))
                keys.append((shown, binding.description or binding.action))
            if keys:
                rows.append((title, keys))
        self.query_one("#keys", Static).update(keys_table(rows))
