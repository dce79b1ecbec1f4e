"""A widget line cache that frames content lines in their border without Textual's per-line work."""

from __future__ import annotations

from collections.abc import Callable

from rich.segment import Segment
from textual._border import get_box
from textual._segment_tools import line_pad
from textual._styles_cache import StylesCache
from textual.color import Color
from textual.geometry import Size, Spacing
from textual.strip import Strip
from textual.style import Style

FRAMED_KEPT = 512
"""Framed lines kept per widget, by the content line they frame."""


class FramedLineCache(StylesCache):
    """Textual's `StylesCache` (the per-widget cache of painted lines), with a short path for
    content lines of a widget drawn plainly: a border and padding, no outline, tint, opacity or
    hatch.

    `StylesCache.render_line` works out each line's border and padding styles again (colour
    sums, `Style` objects, closures, three `Strip`s), and a sort or a filter repaints every row.
    Here the border's side segments are worked out once per paint, exactly as Textual does, and
    each content line becomes one Strip. Border lines, padding lines and any other styling still
    take Textual's path.
    """

    def __init__(self) -> None:
        super().__init__()
        self._frame: tuple | None = None  # During a paint: what every content line shares.
        self._paint: tuple | None = None  # During a paint: what the frame is worked out from.
        # id(content line) -> (it, framed), for one frame.
        self._framed: dict[int, tuple[Strip, Strip]] = {}
        self._framed_in: tuple | None = None  # The frame (and width) those were framed in.
        self._frame_kept: tuple | None = None  # The frame last worked out, kept between paints.
        self._frame_key: tuple | None = None  # What `_frame_kept` was worked out from.

    def render(
        self, styles, size: Size, base_background: Color, background: Color, *args, **kwargs
    ) -> list[Strip]:
        # The frame is worked out at the first line painted: most paints of a live refresh find
        # every line of a widget cached (it is only beside the line that changed).
        self._paint = (
            styles,
            size,
            base_background,
            background,
            kwargs.get("content_size"),
            kwargs.get("padding"),
            kwargs.get("opacity", 1.0),
        )
        try:
            return super().render(styles, size, base_background, background, *args, **kwargs)
        finally:
            self._frame = self._paint = None

    def _plain_frame(
        self,
        styles,
        size: Size,
        base_background: Color,
        background: Color,
        content_size: Size | None,
        padding: Spacing,
        opacity: float,
    ) -> tuple | None:
        """(first and last content line, content width, left and right segments, pads, inner
        style), or None when the widget is styled beyond a border and padding."""
        if (
            opacity != 1.0
            or styles.text_opacity != 1.0
            or styles.tint.a
            or any(edge for edge, _ in styles.outline)
            or (styles.has_rule("hatch") and styles.hatch != "none")
        ):
            return None
        (top, _), (right, right_color), (bottom, _), (left, left_color) = styles.border
        gutter = styles.gutter
        content_size = content_size or size
        inner, outer = self.get_inner_outer(base_background, background)
        left_segment = right_segment = None
        if left:
            style = Style(foreground=base_background + left_color)
            left_segment = get_box(left, inner, outer, style)[1][0]
        if right:
            style = Style(foreground=base_background + right_color)
            right_segment = get_box(right, inner, outer, style)[1][2]
        first = gutter.top
        last = min(first + content_size.height, size.height - gutter.bottom)
        return (
            first,
            last,
            content_size.width,
            left_segment,
            right_segment,
            padding.left,
            padding.right,
            inner.rich_style,
        )

    def render_line(
        self,
        styles,
        y: int,
        size: Size,
        content_size: Size,
        padding: Spacing,
        base_background: Color,
        background: Color,
        render_content_line: Callable[[int], Strip],
        *args,
    ) -> Strip:
        if self._paint is not None:
            styles_, size_, base_, background_, content_size, padding_, opacity = self._paint
            self._paint = None
            padding_ = styles_.padding if padding_ is None else padding_
            # Worked out again only when what it is worked out from changed: the widget's own
            # styles (Textual's `_cache_key` counts their changes), its size and backgrounds.
            key = (
                id(styles_),
                styles_._cache_key,
                size_,
                base_,
                background_,
                content_size,
                padding_,
                opacity,
            )
            if key != self._frame_key:
                self._frame_key = key
                self._frame_kept = self._plain_frame(
                    styles_, size_, base_, background_, content_size, padding_, opacity
                )
            self._frame = self._frame_kept
            framed_in = (self._frame, size_.width)
            if framed_in != self._framed_in:
                self._framed_in = framed_in
                self._framed.clear()
        frame = self._frame
        if frame is None or not frame[0] <= y < frame[1]:
            return super().render_line(
                styles,
                y,
                size,
                content_size,
                padding,
                base_background,
                background,
                render_content_line,
                *args,
            )
        first, _, content_width, left, right, pad_left, pad_right, inner = frame
        content = render_content_line(y - first)
        line: list[Segment] | Strip = content.adjust_cell_length(content_width, inner)
        if not (pad_left or pad_right or left or right):
            return line  # One Strip of the content width already: kept (its filtered copies too).
        # A content line the widget kept (the same Strip object) gets the framed Strip it got
        # before, and with it that Strip's filtered copy (Textual caches those on the Strip).
        kept = self._framed.get(id(content))
        if kept is not None and kept[0] is content:
            return kept[1]
        if pad_left or pad_right:
            line = line_pad(line, pad_left, pad_right, inner)
        if left is not None or right is not None:
            line = [
                *([left] if left is not None else ()),
                *line,
                *([right] if right is not None else ()),
            ]
        framed = Strip(line, size.width)
        if len(self._framed) >= FRAMED_KEPT:
            self._framed.clear()
        self._framed[id(content)] = (content, framed)  # `content` held: its id is not reused.
        return framed
