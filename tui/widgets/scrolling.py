"""Scrolling a virtual table under its one-line header."""

from __future__ import annotations

from textual.geometry import Region, Spacing
from textual.scroll_view import ScrollView


def scroll_to_row(view: ScrollView, row: int) -> None:
    """Scroll a virtual table under a one-line header just enough to show `row` (virtual line
    row + 1; the spacing keeps it clear of the fixed header)."""
    view.scroll_to_region(
        Region(0, row + 1, 1, 1), spacing=Spacing(top=1), animate=False, force=True
    )
