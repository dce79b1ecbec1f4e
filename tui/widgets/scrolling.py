"""Virtual tables' scroll height, changed without a layout pass of the screen when that is safe."""

from __future__ import annotations

from textual.geometry import Size
from textual.scroll_view import ScrollView


def set_virtual_height(view: ScrollView, height: int) -> None:
    """Give `view` a virtual size of `height` lines (width 0: its columns always fit).

    Setting the `virtual_size` reactive re-lays out the whole screen (~15 ms on the items
    screen). A virtual table's own size never depends on it, so unless the vertical scrollbar
    appears or goes, the scrollbar is updated in place instead.
    """
    size = Size(0, height)
    if size == view.virtual_size:
        return
    room = view.container_size.height
    if view.is_mounted and room and (height > room) == (view.virtual_size.height > room):
        view.set_reactive(ScrollView.virtual_size, size)
        view._scroll_update(size)  # Textual's own: the scrollbar's window, the scroll clamped.
    else:
        view.virtual_size = size
