"""A virtual table's scroll range without a layout pass, and a scrollbar painted straight from its
segments."""

from __future__ import annotations

from rich.color import Color
from rich.segment import Segment
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar, ScrollBarRender
from textual.strip import Strip
from textual.widget import Widget, _RenderCache

from tui import paint


def set_virtual_height(view: ScrollView, height: int) -> None:
    """Give `view` a virtual size of `height` lines (width 0: its columns always fit).

    The `virtual_size` reactive re-lays out the whole screen; a virtual table's own size never
    depends on it, so unless the vertical scrollbar appears or goes, the scrollbar is updated in
    place instead."""
    size = Size(0, height)
    if size == view.virtual_size:
        return
    room = view.container_size.height
    if view.is_mounted and room and (height > room) == (view.virtual_size.height > room):
        view.set_reactive(ScrollView.virtual_size, size)
        view._scroll_update(size)  # Textual's own: the scrollbar's window, the scroll clamped.
    else:
        view.virtual_size = size


class LineScrollBar(ScrollBar):
    """Textual's vertical ScrollBar, its lines built straight from the bar's segments.

    Textual paints a scrollbar as any Rich renderable: rendered through a console, split into
    lines, cropped, aligned, then each line framed by the line cache. The cells are the same:
    `ScrollBarRender.render_bar`'s segment for each line, on the bar's base style, as
    `Widget.post_render` applies it."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        paint.use_framed_line_cache(self)

    def _render_content(self) -> None:
        renderable = self.render()
        if not (isinstance(renderable, ScrollBarRender) and renderable.vertical) or (
            self.styles.content_align != ("left", "top")
        ):
            super()._render_content()
            return
        width, height = self.size
        base = self.visual_style.rich_style
        bar_style = self.app.console.get_style(renderable.style)
        bar = renderable.render_bar(
            size=height,
            window_size=renderable.window_size,
            virtual_size=renderable.virtual_size,
            position=renderable.position,
            vertical=True,
            thickness=width,
            back_color=bar_style.bgcolor or Color.parse("#555555"),
            bar_color=bar_style.color or Color.parse("bright_magenta"),
        )
        # One Strip per distinct line (a bar has three or four): the filters that follow cache
        # their result on the Strip.
        distinct: dict[Segment, Strip] = {}
        strips = []
        for segment in bar.segments[:height]:
            strip = distinct.get(segment)
            if strip is None:
                styled = Segment(segment.text, base + segment.style if base else segment.style)
                strip = distinct[segment] = Strip([styled])
            strips.append(strip)
        self._render_cache = _RenderCache(self.size, strips)
        self._dirty_regions.clear()


def vertical_line_scrollbar(widget: Widget) -> ScrollBar:
    """`widget`'s vertical scrollbar, created as a `LineScrollBar` (as Textual creates its own:
    hidden, started as the widget's child)."""
    if widget._vertical_scrollbar is None:
        bar = widget._vertical_scrollbar = LineScrollBar(
            vertical=True, name="vertical", thickness=widget.scrollbar_size_vertical
        )
        bar.display = False
        widget.app._start_widget(widget, bar)
    return widget._vertical_scrollbar
