"""Scroll ranges follow what they scroll: a filter's new row count moves the table's scrollbar, and
text longer than the filter box scrolls the box, on either paint path (tui/paint sets both ranges
without a layout pass)."""

from __future__ import annotations

from pathlib import Path

from waiting import until

from tui.app import ConsoleApp
from tui.widgets.item_table import ItemTable


def screen_lines(app: ConsoleApp) -> list[str]:
    return [strip.text for strip in app.screen._compositor.render_strips()]


async def test_a_filter_moves_the_tables_scrollbar_with_its_row_count(contoso_db: Path) -> None:
    app = ConsoleApp(db_path=contoso_db, engine=False)
    async with app.run_test(size=(120, 20)) as pilot:
        table = app.screen.query_one(ItemTable)
        bar = table.vertical_scrollbar

        async def bar_covers(lines: int, what: str) -> None:
            await until(
                pilot,
                lambda: bar.window_virtual_size == lines,
                lambda: f"{what}: the scrollbar's range is {bar.window_virtual_size}",
            )

        everything = await until(pilot, lambda: table.row_count, "the first rows")
        assert everything + 1 > table.size.height, "the table scrolls at this size"
        await bar_covers(everything + 1, "every row")  # the header line, then a line per row
        await pilot.press("slash", "p")
        await until(pilot, lambda: table.query.text == "p", "the filter applied")
        assert table.size.height < table.row_count + 1 < everything + 1  # fewer, still scrolling
        await bar_covers(table.row_count + 1, "the rows of p")
        await pilot.press("escape")
        await bar_covers(everything + 1, "every row again")


async def test_text_longer_than_the_filter_box_scrolls_it_to_the_cursor(contoso_db: Path) -> None:
    app = ConsoleApp(db_path=contoso_db, engine=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("slash")
        box = await until(pilot, lambda: app.screen.query_one_optional("#filter"), "the filter box")
        text = (
            "ab" + "".join(f"{n % 10}" for n in range(100)) + "zq"
        )  # wider than the 80-column box
        await pilot.press(*text)
        await until(pilot, lambda: box.value == text, "every key in the box")
        await until(
            pilot,
            lambda: box.scroll_x > 0,
            lambda: f"the box scrolled (max_scroll_x {box.max_scroll_x})",
        )
        line = await until(
            pilot,
            lambda: next((x for x in screen_lines(app) if "9zq" in x), None),
            lambda: "the end of the text on screen:\n" + "\n".join(screen_lines(app)),
        )
        assert "ab01" not in line  # its start scrolled out of view
