"""FilterBox: the name filter's Input, without a layout pass of the screen per keystroke."""

from __future__ import annotations

from collections.abc import Callable

from textual.geometry import Size
from textual.reactive import Reactive
from textual.widgets import Input


class FilterBox(Input):
    """An Input whose changing text does not re-lay out the screen, and whose owner sees each
    change in the frame that echoes it (`on_text`).

    Input keeps its virtual width at the text's length + 1 (its horizontal scroll range), and the
    `virtual_size` reactive asks for a layout pass of the screen on every change. The box's own
    size never depends on its text (full width, fixed height): here a new virtual size only moves
    the scroll range (the Input still scrolls to its cursor)."""

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)

    def __init__(self, on_text: Callable[[str], None], **kwargs) -> None:
        super().__init__(**kwargs)
        self._on_text = on_text

    def on_input_changed(self, event: Input.Changed) -> None:
        """Hand the new text to the owner here, as the box handles its own message: bubbled up,
        it reached the screen after the screen's next update had drawn the echo alone, and the
        rows it changed took a second frame."""
        event.stop()
        self._on_text(event.value)
