"""The item table's columns: which fit a width, and a row's cells as Rich segments."""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from rich.segment import Segment
from rich.style import Style

from store.queries import ItemQuery, ItemRow
from tui.render import fit, safe_text, status_word, truncate
from tui.widgets.virtual_table import Cell, merged_segments

MARK_GLYPH = "✓"


class Column(NamedTuple):
    """A column as laid out for one width."""

    key: str
    """Which column: mark, name, os, appliance, agent_version or status."""
    title: str
    width: int
    """Cells, not counting the one-cell gap between columns."""
    sort: str | None
    """The `ItemQuery.sort` that orders by this column."""


# key, title, preferred width, narrowest before a column is dropped, sort name
_SPECS: tuple[tuple[str, str, int, int, str | None], ...] = (
    ("mark", "", 1, 1, None),
    ("name", "Name", 20, 20, "name"),
    ("os", "OS", 24, 12, "os"),
    ("appliance", "Appliance", 18, 12, "appliance"),
    ("agent_version", "Agent version", 15, 13, "agent_version"),
    ("status", "Status", 31, 20, "status"),
)
_DROP_ORDER = ("os", "appliance")
_SHRINK_ORDER = ("agent_version", "appliance", "status", "os")
_NAME_FLOOR, _STATUS_FLOOR = 8, 8
_GROW = (("name", 40), ("os", 36), ("appliance", 24))
"""Where slack goes on a wide terminal, each up to a width worth reading; the rest trails Status."""


@lru_cache(maxsize=16)
def layout_columns(width: int) -> tuple[Column, ...]:
    """Columns that fill `width` cells: narrow widths drop OS, then Appliance; on wide ones Name,
    then OS and Appliance take the slack up to a readable width (Name never a third of 200 cells).

    Below the narrowest layout (about 40 cells) Status and then Name are squeezed; what still
    does not fit is cropped by the caller.
    """
    specs = {key: spec for key, *spec in _SPECS}
    for dropped in range(len(_DROP_ORDER) + 1):
        keys = [key for key, *_ in _SPECS if key not in _DROP_ORDER[:dropped]]
        widths = {key: specs[key][1] for key in keys}
        spare = width - sum(widths.values()) - (len(keys) - 1)
        for key in _SHRINK_ORDER:
            if spare < 0 and key in widths:
                give = min(widths[key] - specs[key][2], -spare)
                widths[key] -= give
                spare += give
        if spare >= 0:
            break
    if spare < 0:
        give = min(widths["status"] - _STATUS_FLOOR, -spare)
        widths["status"] -= give
        spare += give
    if spare <= 0:
        widths["name"] = max(_NAME_FLOOR, widths["name"] + spare)
    for key, most in _GROW:
        if key in widths and spare > 0:
            give = min(spare, max(0, most - widths[key]))
            widths[key] += give
            spare -= give
    widths["status"] += max(0, spare)
    return tuple(Column(key, specs[key][0], widths[key], specs[key][3]) for key in keys)


def header_text(columns: tuple[Column, ...], query: ItemQuery) -> str:
    """The header line: each title fitted to its column, the sorted one with ▲ or ▼."""
    titles = []
    for column in columns:
        title = column.title
        if column.sort is not None and column.sort == query.sort:
            title = f"{truncate(title, column.width - 2)} {'▼' if query.descending else '▲'}"
        titles.append(fit(title, column.width))
    return " ".join(titles)


def cell_text(row: ItemRow, column: Column, *, marked: bool) -> str:
    """One cell, exactly `column.width` cells wide, with control characters made visible."""
    if column.key == "mark":
        return _fitted(MARK_GLYPH if marked else "", column.width)
    if column.key == "status":
        return _status_cell(row.status, column.width)
    return _fitted(getattr(row, column.key), column.width)


@lru_cache(maxsize=4096)
def _fitted(value: str, width: int) -> str:
    # Cached: OS, appliance and version values repeat down a screen, and a repaint after a sort
    # or a filter paints every line again.
    return fit(safe_text(value), width)


@lru_cache(maxsize=64)
def _status_cell(slug: str, width: int) -> str:
    return fit(status_word(slug), width)


class RowStyles(NamedTuple):
    """The styles a row is painted with (from the table's component classes)."""

    base: Style
    cursor: Style
    """Drawn over every other style, so a coloured cell stays legible under the cursor."""
    marked: Style
    cells: dict[str, Style]
    """Partial styles of the mark cell ("mark") and of each status slug's cell."""


def row_segments(
    row: ItemRow, columns: tuple[Column, ...], styles: RowStyles, *, marked: bool, cursor: bool
) -> tuple[list[Segment], int]:
    """One row's segments, cells separated by a space, and their total width in cells (the
    mark and status cells in their own styles, under the cursor's)."""
    style = styles.base + styles.marked if marked else styles.base
    over = styles.cursor if cursor else _NULL_STYLE
    style += over
    cells = []
    for column in columns:
        own = None
        if column.key in ("mark", "status"):
            cell = styles.cells.get("mark" if column.key == "mark" else row.status, _NULL_STYLE)
            own = style + cell + over
        cells.append(Cell(cell_text(row, column, marked=marked), column.width, own))
    return merged_segments(cells, style)


_NULL_STYLE = Style.null()
