"""KeyBar: the console's key footer. The view's keys on the left (cut with … when the terminal is
narrow); `? Help`, `q Quit` and the palette always at the right end, at any width."""

from __future__ import annotations

from typing import NamedTuple

from rich.text import Text
from textual import events
from textual.screen import Screen

from tui.widgets.text_line import LineWidget

PINNED = ("toggle_help", "quit", "command_palette")
"""Actions shown at the right end whatever the width (a newcomer's way to every other key)."""


class Key(NamedTuple):
    key: str
    """The key as shown (`?`, `^p`)."""
    description: str
    action: str
    namespace: object
    """Where the binding lives (the focused widget, the screen, the app): where its action runs."""


def key_line(
    keys: list[Key], pinned: list[Key], width: int, key_style, text_style
) -> tuple[Text, list[tuple[int, int, Key]]]:
    """The footer's line (pure) and where each key sits on it: `keys` as many as fit, then `pinned`
    right-aligned. A key that does not fit whole is left out, and `…` says so."""
    right = Text()
    for n, k in enumerate(pinned):
        right.append(("  " if n else " ") + k.key, key_style)
        right.append(" " + k.description, text_style)
    right.append(" ")
    line, spans = Text(), []
    room = width - right.cell_len - 2  # two cells for " …"
    for k in keys:
        piece = Text(" " + k.key, key_style)
        piece.append(" " + k.description + " ", text_style)
        if line.cell_len + piece.cell_len > room:
            line.append(" …", text_style)
            break
        spans.append((line.cell_len + 1, line.cell_len + piece.cell_len, k))
        line.append_text(piece)
    pad = max(0, width - line.cell_len - right.cell_len)
    line.append(" " * pad, text_style)
    start = line.cell_len
    for k in pinned:
        shown = 2 + len(k.key) + 1 + len(k.description)
        spans.append((start, start + shown, k))
        start += shown
    line.append_text(right)
    return line, spans


class KeyBar(LineWidget):
    """Follows the focus: the keys of what has the focus, its view, then the console's."""

    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        background: $footer-background;
        color: $footer-description-foreground;
    }
    KeyBar > .key-bar--key {
        color: $footer-key-foreground;
        text-style: bold;
    }
    """
    COMPONENT_CLASSES = {"key-bar--key"}

    def __init__(self) -> None:
        super().__init__()
        self._keys: list[Key] = []
        self._pinned: list[Key] = []
        self._spans: list[tuple[int, int, Key]] = []

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen) -> None:
        keys, pinned, seen = [], {}, set()
        for entry in screen.active_bindings.values():
            binding = entry.binding
            action = binding.action.rsplit(".", 1)[-1]
            if not (binding.show or action in PINNED) or not entry.enabled:
                continue
            if binding.action in seen and action not in PINNED:
                continue
            seen.add(binding.action)
            key = Key(
                self.app.get_key_display(binding), binding.description, binding.action, entry.node
            )
            if action in PINNED:
                if (
                    action not in pinned or binding.id
                ):  # the console's own key (q) over Textual's (^q)
                    pinned[action] = key
            else:
                keys.append(key)
        self._keys, self._pinned = keys, [pinned[a] for a in PINNED if a in pinned]
        self.refresh()

    def render(self) -> Text:
        line, self._spans = key_line(
            self._keys,
            self._pinned,
            self.size.width,
            self.get_component_rich_style("key-bar--key"),
            self.rich_style,
        )
        return line

    async def on_click(self, event: events.Click) -> None:
        for start, end, key in self._spans:
            if start <= event.x < end:
                await self.app.run_action(key.action, key.namespace)
                return
