"""Facet counts per update status; each facet filters the table by its status."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.message import Message
from textual.reactive import reactive

from store.vocabulary import FACET_WORDS
from tui.widgets.text_line import LineWidget

FACETS: list[tuple[str, str]] = [
    ("up-to-date", "Up to date"),
    ("update-available", "New update available"),
    ("blocked", "Cannot update"),
    ("updating", "Updating"),
    ("failed", "Update failed"),
]
SHORT = FACET_WORDS
"""A narrow terminal's facet words (`asr-console items --status` takes them as well)."""


class FacetBar(LineWidget):
    """`1 Up to date 31 │ 2 New update available 12 │ ...`; the active facet is highlighted."""

    DEFAULT_CSS = """
    FacetBar {
        height: 1;
        padding: 0 1;
    }
    FacetBar > .facet-bar--active {
        background: $accent;
        color: $text;
        text-style: bold;
    }
    FacetBar > .facet-bar--key {
        color: $text-muted;
    }
    """
    COMPONENT_CLASSES = {"facet-bar--active", "facet-bar--key"}

    counts: reactive[dict[str, int]] = reactive(dict)
    """Items per status slug under the current filter."""
    active: reactive[str | None] = reactive(None)
    """The status slug the table is filtered by, or None for all."""

    class Chosen(Message):
        """The operator picked a facet (None = all statuses)."""

        def __init__(self, status: str | None) -> None:
            self.status = status
            super().__init__()

    def _labels(self) -> list[tuple[str, str]]:
        wide = self.size.width >= 100
        return [(slug, label if wide else SHORT[slug]) for slug, label in FACETS]

    _facet_styles: tuple[str, Style, Style] | None = None
    """(theme, key style, active style), looked up once per theme: a lookup costs about what
    painting the bar does, and the counts repaint with every filter keystroke."""

    def render(self) -> Text:
        key, active = self._key_and_active_styles()
        line = Text()
        self._spans: list[tuple[int, int, str]] = []
        for n, (slug, label) in enumerate(self._labels(), start=1):
            if n > 1:
                line.append(" │ ")
            start = line.cell_len
            line.append(f"{n} ", style=key)
            line.append(
                f"{label} {self.counts.get(slug, 0)}", style=active if slug == self.active else ""
            )
            self._spans.append((start, line.cell_len, slug))
        return line

    def _key_and_active_styles(self) -> tuple[Style, Style]:
        if self._facet_styles is None or self._facet_styles[0] != self.app.theme:
            get = self.get_component_rich_style
            self._facet_styles = (self.app.theme, get("facet-bar--key"), get("facet-bar--active"))
        return self._facet_styles[1], self._facet_styles[2]

    def notify_style_update(self) -> None:
        self._facet_styles = None
        super().notify_style_update()

    def on_click(self, event) -> None:
        x = event.x - 1
        for start, end, slug in getattr(self, "_spans", []):
            if start <= x < end:
                self.post_message(self.Chosen(None if slug == self.active else slug))
                return
