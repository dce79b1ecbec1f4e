"""Border titles changed by repainting the border line alone."""

from __future__ import annotations

from rich.text import Text
from textual.content import Content
from textual.geometry import Region
from textual.widget import Widget


def set_border_title(widget: Widget, title: Text) -> None:
    """Show `title` in `widget`'s top border, repainting only that line.

    Setting `Widget.border_title` repaints the whole widget: the items table and the overview
    pane change title with every filter keystroke, sort and highlighted machine, and a full
    repaint of either costs more than the lines that really changed. This stores the title as
    Textual 8's setter does (`_border_title`, a one-line Content) and marks only the border line
    dirty; before the widget has a size it falls back to the setter.
    """
    if not widget.is_mounted or not widget.size or not widget.styles.border_top[0]:
        widget.border_title = title
        return
    content = Content.from_rich_text(title).expand_tabs(4).split()[0]
    if content == widget._border_title:
        return
    widget._border_title = content
    offset = widget.content_offset
    widget.refresh(Region(-offset.x, -offset.y, widget.outer_size.width, 1))
