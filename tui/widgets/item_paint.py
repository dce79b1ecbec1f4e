"""The item table's lines as Strips: what one paint shares, and the row, header and hint lines."""

from __future__ import annotations

from typing import NamedTuple

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widget import Widget

from store.queries import ItemQuery, ItemRow
from tui.render import truncate
from tui.status_colours import status_styles
from tui.widgets.item_columns import Column, RowStyles, header_text, row_segments
from tui.widgets.virtual_table import fitted_strip, text_strip

EMPTY_HINT = "No replicated items match"


class Paint(NamedTuple):
    """What every line of one paint shares, looked up once per paint rather than once per line."""

    width: int
    columns: tuple[Column, ...]
    styles: RowStyles

    @property
    def base(self) -> Style:
        return self.styles.base


def row_styles(table: Widget) -> RowStyles:
    """The rows' styles, from the table's component classes and the status colours."""
    get_style = table.get_component_rich_style
    cells = status_styles(table.app)
    cells["mark"] = get_style("item-table--mark", partial=True)
    return RowStyles(
        table.rich_style, get_style("item-table--cursor"), get_style("item-table--marked"), cells
    )


def header_strip(paint: Paint, query: ItemQuery, style: Style) -> Strip:
    """The column titles, the sorted one marked."""
    return text_strip(header_text(paint.columns, query), style, paint.width)


def row_strip(row: ItemRow, paint: Paint, *, marked: bool, cursor: bool) -> Strip:
    """One row's line, padded to the paint's width in a single Strip."""
    segments, used = row_segments(row, paint.columns, paint.styles, marked=marked, cursor=cursor)
    return fitted_strip(segments, used, paint.width, paint.styles.base)


def hint_strip(paint: Paint, room: int, style: Style) -> Strip:
    """The "nothing matches" hint, centred in `room` cells."""
    strip = Strip([Segment(truncate(EMPTY_HINT, room).center(room), style)], room)
    return strip.adjust_cell_length(paint.width, paint.styles.base)
