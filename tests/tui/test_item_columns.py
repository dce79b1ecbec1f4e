"""The item table's column layout and cell text: pure functions, no app needed."""

from __future__ import annotations

import pytest
from rich.cells import cell_len
from rich.style import Style

from store.queries import ItemQuery, ItemRow
from tui.widgets.item_columns import (
    Column,
    RowStyles,
    cell_text,
    header_text,
    layout_columns,
    row_segments,
)

ALL = ["mark", "name", "os", "appliance", "agent_version", "status"]
ROW = ItemRow(7, "vm-\x1b[2J-01", "Ubuntu 22.04", "appl-a", "9.65.7417.1", "blocked", "vm")


@pytest.mark.parametrize("width", [20, 39, 40, 50, 60, 79, 80, 100, 118, 160, 240])
def test_layout_fills_the_width_and_drops_os_then_appliance(width: int) -> None:
    columns = layout_columns(width)
    keys = [c.key for c in columns]
    assert {"mark", "name", "agent_version", "status"} <= set(keys)
    assert keys == [k for k in ALL if k in keys]
    assert "os" not in keys or "appliance" in keys
    if width >= 40:  # Narrower than every floor: the caller crops.
        assert sum(c.width for c in columns) + len(columns) - 1 == width


def test_layout_at_common_widths() -> None:
    assert [c.key for c in layout_columns(118)] == ALL
    assert [c.key for c in layout_columns(80)] == [k for k in ALL if k != "os"]
    assert [c.key for c in layout_columns(50)] == ["mark", "name", "agent_version", "status"]
    wide = {c.key: c.width for c in layout_columns(200)}
    # Name, OS and Appliance grow to a readable width; what is left trails the Status column.
    assert wide == {
        "mark": 1, "name": 40, "os": 36, "appliance": 24, "agent_version": 15,
        "status": 200 - 5 - (1 + 40 + 36 + 24 + 15),
    }  # fmt: skip
    assert {c.key: c.width for c in layout_columns(130)}[
        "name"
    ] == 20 + 130 - 114  # slack below the cap


def test_header_marks_the_sorted_column() -> None:
    columns = layout_columns(118)
    assert header_text(columns, ItemQuery()).split()[:2] == ["Name", "▲"]
    header = header_text(columns, ItemQuery(sort="agent_version", descending=True))
    assert "Agent version ▼" in header and "▲" not in header
    assert cell_len(header) == 118
    narrow = header_text(layout_columns(50), ItemQuery(sort="status"))
    assert "Status ▲" in narrow and cell_len(narrow) == 50


def test_cells_are_exact_width_and_safe() -> None:
    columns = {c.key: c for c in layout_columns(60)}
    assert cell_text(ROW, columns["mark"], marked=True) == "✓"
    assert cell_text(ROW, columns["mark"], marked=False) == " "
    assert cell_text(ROW, columns["name"], marked=False).rstrip() == "vm-^[[2J-01"
    status = cell_text(ROW, columns["status"], marked=False)
    assert status.endswith("…") and status.startswith("Cannot update")
    for column in columns.values():
        assert cell_len(cell_text(ROW, column, marked=False)) == column.width


def test_row_segments_put_the_cursor_over_cell_colours() -> None:
    red, blue, cursor = (
        Style(color="red"),
        Style(color="blue"),
        Style(color="white", bgcolor="black"),
    )
    styles = RowStyles(Style(), cursor, Style(bgcolor="yellow"), {"blocked": red, "mark": blue})
    columns: tuple[Column, ...] = layout_columns(60)
    segments, width = row_segments(ROW, columns, styles, marked=True, cursor=False)
    assert width == 60 and sum(cell_len(s.text) for s in segments) == 60
    by_text = {s.text.strip(): s.style for s in segments if s.text.strip()}
    assert by_text["✓"].color.name == "blue" and by_text["✓"].bgcolor.name == "yellow"
    status = next(s.style for s in segments if s.text.startswith("Cannot"))
    assert status.color.name == "red"
    segments, _ = row_segments(ROW, columns, styles, marked=False, cursor=True)
    assert {s.style.color.name for s in segments} == {"white"}
    assert {s.style.bgcolor.name for s in segments} == {"black"}
