"""FilterBox: the name filter's Input, without a layout pass of the screen per keystroke."""

from __future__ import annotations

from textual.geometry import Size
from textual.reactive import Reactive
from textual.widgets import Input


class FilterBox(Input):
    """An Input whose changing text does not re-lay out the whole screen.

    Input keeps its virtual width at the text's length + 1 (its horizontal scroll range), and
    Textual's `virtual_size` reactive asks for a layout pass of the screen on every change: on
    the items screen that pass, and the full repaint after it, cost more than the filter's own
    query. The box's size never depends on its text (full width, fixed height), so here a new
    virtual size only updates the scroll range.
    """

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)

    def _watch_virtual_size(self, size: Size) -> None:
        if self.is_mounted:
            self._scroll_update(size)
