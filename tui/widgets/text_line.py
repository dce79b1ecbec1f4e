"""LineWidget: a one-line widget whose Text is painted straight into its line."""

from __future__ import annotations

from rich.segment import Segment
from rich.text import Text
from textual.strip import Strip
from textual.widget import Widget


def text_strip(text: Text, widget: Widget, width: int) -> Strip:
    """`text` as one line of `width` cells in `widget`'s style: cropped, or padded with blanks."""
    base = widget.rich_style
    segments = list(Segment.apply_style(text.render(widget.app.console), base))
    if text.cell_len < width:
        segments.append(Segment(" " * (width - text.cell_len), base))
    return Strip(segments).crop(0, width)


class LineWidget(Widget):
    """A widget of one line of text (a bar): `render()` returns its Text.

    Textual's general path lays the text out as a paragraph (wrapping, alignment, a Content
    conversion); these bars repaint in live refreshes and filter keystrokes (the clock every
    engine minute, the facet counts with every filter), where that path costs a large share
    of the budget. One line needs none of it.
    """

    def render(self) -> Text:
        return Text()

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if y:
            return Strip.blank(width, self.rich_style)
        return text_strip(self.render(), self, width)
