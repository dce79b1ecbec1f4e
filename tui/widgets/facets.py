"""Facet counts per update status; each facet filters the table by its status."""

from __future__ import annotations

from rich.text import Text
from textual.message import Message
from textual.reactive import reactive

from tui.widgets.text_line import LineWidget

FACETS: list[tuple[str, str]] = [
    ("up-to-date", "Up to date"),
    ("update-available", "New update available"),
    ("blocked", "Cannot update"),
    ("updating", "Updating"),
    ("failed", "Update failed"),
]
SHORT = {"up-to-date": "OK", "update-available": "New", "blocked": "Blocked", "updating": "Updating", "failed": "Failed"}


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

    def render(self) -> Text:
        line = Text()
        self._spans: list[tuple[int, int, str]] = []
        for n, (slug, label) in enumerate(self._labels(), start=1):
            if n > 1:
                line.append(" │ ")
            start = line.cell_len
            line.append(f"{n} ", style=self.get_component_rich_style("facet-bar--key"))
            style = self.get_component_rich_style("facet-bar--active") if slug == self.active else ""
            line.append(f"{label} {self.counts.get(slug, 0)}", style=style)
            self._spans.append((start, line.cell_len, slug))
        return line

    def on_click(self, event) -> None:
        x = event.x - 1
        for start, end, slug in getattr(self, "_spans", []):
            if start <= x < end:
                self.post_message(self.Chosen(None if slug == self.active else slug))
                return


