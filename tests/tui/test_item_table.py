"""ItemTable pilots over real SQLite fleets built by the store's scenario loader."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from item_table_fleets import (
    LATEST,
    OLDER,
    CountingService,
    build_fleet,
    engine_write,
    numbered_items,
)
from rich.segment import Segment
from textual.app import App, ComposeResult
from textual.color import Color
from textual.message import Message

from store.queries import ItemQuery
from tui.status_colours import STATUS_COLOURS
from tui.widgets.item_pages import PAGE_SIZE, ItemSource
from tui.widgets.item_table import ItemTable

HOSTILE = "[bold red]x[/]\x1b[31m"


class TableApp(App[None]):
    """Just the table, recording the messages it posts."""

    CSS = "#narrow { width: 50; }"

    def __init__(self, source: ItemSource, initial: ItemQuery, table_id: str = "items") -> None:
        super().__init__()
        self.source, self.initial, self.table_id = source, initial, table_id
        self.messages: list[Message] = []

    def compose(self) -> ComposeResult:
        yield ItemTable(self.source, self.initial, id=self.table_id)

    def on_item_table_highlighted(self, message: ItemTable.Highlighted) -> None:
        self.messages.append(message)

    def on_item_table_selected(self, message: ItemTable.Selected) -> None:
        self.messages.append(message)

    def on_item_table_marks_changed(self, message: ItemTable.MarksChanged) -> None:
        self.messages.append(message)

    def of(self, kind: type[Message]) -> list:
        return [m for m in self.messages if isinstance(m, kind)]


def screen(app: App) -> list[str]:
    """The text of every line of the composited screen, as the terminal would show it."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def data_lines(app: App) -> list[str]:
    """Screen lines below the header that show a row (vm names in these fleets)."""
    return [line for line in screen(app)[1:] if line.strip()]


@pytest.fixture(scope="module")
def small_fleet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    def item(name: str, os: str, appliance: str, version: str = OLDER, **facts: object) -> dict:
        return {"name": name, "os": os, "appliance": appliance, "agent_version": version, **facts}

    items = [
        item("web-01", "Windows Server 2022", "appl-a"),
        item("web-02", "Windows Server 2022", "appl-a", LATEST),
        item("db-01", "Red Hat Enterprise Linux 8", "appl-b", pending_reboot=True),  # blocked
        item("db-02", "Ubuntu 22.04", "appl-b"),  # its last job failed
        item("app-01", "Windows Server 2019", "appl-a"),  # updating
        item(HOSTILE, "Windows\x07 Server", "appl-b"),
    ]
    jobs = [
        {"item": "db-02", "state": "Failed", "error_code": "95524"},
        {"item": "app-01", "state": "InProgress"},
    ]
    return build_fleet(tmp_path_factory.mktemp("small") / "fleet.db", items, jobs)


@pytest.fixture(scope="module")
def fleet_5k(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_fleet(tmp_path_factory.mktemp("5k") / "fleet.db", numbered_items(5_000))


@pytest.fixture
def small(small_fleet: Path) -> Iterator[CountingService]:
    service = CountingService(small_fleet)
    yield service
    service.close()


@pytest.fixture
def five_k(fleet_5k: Path) -> Iterator[CountingService]:
    service = CountingService(fleet_5k)
    yield service
    service.close()


# -- painting -----------------------------------------------------------------------------------
async def test_first_rows_painted_in_sort_order(five_k: CountingService) -> None:
    app = TableApp(five_k, ItemQuery(vault_id=1))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        lines = screen(app)
        assert lines[0].split()[:6] == ["Name", "▲", "OS", "Appliance", "Agent", "version"]
        assert [line.split()[0] for line in lines[1:]] == [f"vm-{n:06d}" for n in range(39)]
        assert (
            "Ubuntu 22.04" in lines[1]
            and "appl-000" in lines[1]
            and "New update available" in lines[1]
        )
        assert "Windows Server 2019" in lines[2] and LATEST in lines[2] and "Up to date" in lines[2]
        table = app.query_one(ItemTable)
        assert table.row_count == 5_000 and table.virtual_size.height == 5_001
        assert five_k.pages == [{"offset": 0, "after": None, "limit": PAGE_SIZE, "desc": False}]


async def test_sort_by_version_descending(five_k: CountingService) -> None:
    app = TableApp(five_k, ItemQuery(vault_id=1, sort="agent_version", descending=True))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        lines = screen(app)
        assert "Agent version ▼" in lines[0]
        assert all(LATEST in line for line in lines[1:])
        # Ties on the sort column are ordered by name, in the same direction.
        assert lines[1].split()[0] == "vm-004999"


async def test_status_cells_take_the_theme_status_colours(small: CountingService) -> None:
    app = TableApp(small, ItemQuery(vault_id=1))
    async with app.run_test(size=(120, 12)) as pilot:
        await pilot.pause()
        table = app.query_one(ItemTable)
        words = {
            "failed": "Update failed",
            "blocked": "Cannot update to latest version",
            "updating": "Updating",
            "update-available": "New update available",
        }

        def cell(word: str) -> Segment:
            found = [
                seg for y in range(2, 8) for seg in table.render_line(y) if seg.text.strip() == word
            ]
            assert found, f"no {word!r} cell on screen"
            return found[0]

        for slug, word in words.items():  # By default, Textual's colour named in STATUS_COLOURS.
            expected = Color.parse(app.theme_variables[STATUS_COLOURS[slug]]).rich_color
            assert cell(word).style.color == expected, slug
        assert cell("Update failed").style.bold and not cell("Updating").style.bold
        # A theme that sets $status-blocked recolours that status alone.
        base = app.get_theme(app.theme)
        app.register_theme(replace(base, name="site", variables={"status-blocked": "#123456"}))
        app.theme = "site"
        await pilot.pause()
        assert (
            cell("Cannot update to latest version").style.color == Color.parse("#123456").rich_color
        )
        assert (
            cell("Updating").style.color
            == Color.parse(app.theme_variables["text-accent"]).rich_color
        )


async def test_hostile_name_is_shown_literally(small: CountingService) -> None:
    app = TableApp(small, ItemQuery(vault_id=1))
    async with app.run_test(size=(120, 12)) as pilot:
        await pilot.pause()
        first = screen(app)[1]
        assert first.split()[0] == "[bold" and "[bold red]x[/]^[[31m" in first
        assert "Windows^G Server" in first
        table = app.query_one(ItemTable)
        assert all(
            "\x1b" not in seg.text and "\x07" not in seg.text
            for y in range(table.size.height)
            for seg in table.render_line(y)
        )


async def test_80_columns_shows_name_and_status(small: CountingService) -> None:
    app = TableApp(small, ItemQuery(vault_id=1))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        lines = screen(app)
        assert "Name" in lines[0] and "Status" in lines[0] and "OS" not in lines[0].split()
        assert any("db-01" in line and "Cannot update to latest" in line for line in lines)


async def test_narrow_table_drops_appliance_and_truncates_status(small: CountingService) -> None:
    app = TableApp(small, ItemQuery(vault_id=1), table_id="narrow")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.query_one(ItemTable)
        assert table.size.width == 50
        header = table.render_line(0).text
        assert header.split()[:3] == ["Name", "▲", "Agent"] and "Appliance" not in header
        db01 = next(
            table.render_line(y).text for y in range(1, 8) if "db-01" in table.render_line(y).text
        )
        assert "Cannot update…" in db01 or "Cannot updat…" in db01
        assert len(db01) == 50


async def test_empty_result_shows_a_centred_hint(small: CountingService) -> None:
    app = TableApp(small, ItemQuery(vault_id=1, text="no-such-machine"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        lines = screen(app)
        hint = [n for n, line in enumerate(lines) if "No replicated items match" in line]
        assert len(hint) == 1 and 8 <= hint[0] <= 14
        line = lines[hint[0]]
        left = len(line) - len(line.lstrip())
        assert abs(left - (80 - len("No replicated items match")) // 2) <= 1
        assert app.of(ItemTable.Highlighted)[-1].item_id is None


# -- cursor, scrolling, fetching ----------------------------------------------------------------
async def test_cursor_moves_post_highlighted(five_k: CountingService) -> None:
    app = TableApp(five_k, ItemQuery(vault_id=1))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert [m.name for m in app.of(ItemTable.Highlighted)] == ["vm-000000"]
        await pilot.press("down", "down", "up")
        await pilot.pause()
        assert [m.name for m in app.of(ItemTable.Highlighted)] == [
            "vm-000000",
            "vm-000001",
            "vm-000002",
            "vm-000001",
        ]
        table = app.query_one(ItemTable)
        assert table.cursor_row == 1 and table.highlighted.name == "vm-000001"
        await pilot.press("up", "up")  # Stops at the top: nothing new to report.
        await pilot.pause()
        assert app.of(ItemTable.Highlighted)[-1].name == "vm-000000"
        assert len(app.of(ItemTable.Highlighted)) == 5


async def test_pagedown_and_end_reach_the_last_row_with_few_fetches(
    five_k: CountingService,
) -> None:
    app = TableApp(five_k, ItemQuery(vault_id=1))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        table = app.query_one(ItemTable)
        await pilot.press("pagedown", "pagedown", "pagedown")
        await pilot.pause()
        assert table.cursor_row == 3 * 39
        assert f"vm-{3 * 39:06d}" in screen(app)[1 + 3 * 39 - int(table.scroll_y)]
        # Crossing into the second page continued from the first page's last key.
        assert five_k.pages[1]["after"] == ("vm-000099", "vm-000099")
        await pilot.press("end")
        await pilot.pause()
        lines = screen(app)
        assert lines[-1].split()[0] == "vm-004999"
        assert table.highlighted.name == "vm-004999"
        assert app.of(ItemTable.Highlighted)[-1].name == "vm-004999"
        # O(visible): pages 0 and 1 while paging, then the last page read backwards from the end.
        assert len(five_k.pages) == 3
        assert five_k.pages[-1] == {"offset": 0, "after": None, "limit": PAGE_SIZE, "desc": True}
        await pilot.press("pageup")
        await pilot.pause()
        assert table.cursor_row == 4_999 - 39
        assert len(five_k.pages) == 3  # Still inside the cached last page.
        await pilot.press("ctrl+home")
        await pilot.pause()
        assert screen(app)[1].split()[0] == "vm-000000" and table.cursor_row == 0


async def test_click_highlights_then_opens(small: CountingService) -> None:
    app = TableApp(small, ItemQuery(vault_id=1))
    async with app.run_test(size=(120, 12)) as pilot:
        await pilot.pause()
        table = app.query_one(ItemTable)
        await pilot.click(ItemTable, offset=(5, 3))
        await pilot.pause()
        assert table.cursor_row == 2 and table.highlighted.name == "db-01"
        assert app.of(ItemTable.Selected) == []
        await pilot.click(ItemTable, offset=(5, 3))
        await pilot.press("enter")
        await pilot.pause()
        assert [(m.name, m.item_id) for m in app.of(ItemTable.Selected)] == [
            ("db-01", table.highlighted.id)
        ] * 2
        await pilot.click(ItemTable, offset=(5, 0))  # The header: no change.
        await pilot.pause()
        assert table.cursor_row == 2


# -- queries and refresh ------------------------------------------------------------------------
async def test_set_query_filters_recounts_and_goes_to_top(five_k: CountingService) -> None:
    app = TableApp(five_k, ItemQuery(vault_id=1))
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.query_one(ItemTable)
        await pilot.press("pagedown")
        await pilot.pause()
        table.set_query(table.query.with_(text="vm-0012"))  # FTS trigram: vm-001200 .. vm-001299
        await pilot.pause()
        assert table.row_count == 100 and table.cursor_row == 0 and table.scroll_y == 0
        assert [line.split()[0] for line in data_lines(app)] == [
            f"vm-{n:06d}" for n in range(1200, 1239)
        ]
        assert app.of(ItemTable.Highlighted)[-1].name == "vm-001200"
        table.set_query(table.query.with_(text="", status="up-to-date"))
        await pilot.pause()
        assert table.row_count == 2_500
        assert all("Up to date" in line for line in data_lines(app))
        table.set_query(table.query.with_(text="vm-00000"))  # ten names, five of them up to date
        await pilot.pause()
        assert [line.split()[0] for line in data_lines(app)] == [
            f"vm-{n:06d}" for n in range(1, 10, 2)
        ]
        assert table.virtual_size.height == 6


async def test_refresh_rows_reads_only_the_rows_on_screen(five_k: CountingService) -> None:
    app = TableApp(five_k, ItemQuery(vault_id=1))
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.query_one(ItemTable)
        for keys in (("end", "pageup"), ("pageup",), ("home",)):
            await pilot.press(*keys)
            await pilot.pause()
            top = int(table.scroll_y)
            shown = table.scrollable_content_region.height - 1  # Rows under the header.
            before = [line.split()[0] for line in data_lines(app)]
            fetched, counted = len(five_k.pages), five_k.counts
            for _ in range(5):
                table.refresh_rows()
                await pilot.pause()
            # One read per refresh, of the rows on screen alone, from the nearer end of the list.
            reads = five_k.pages[fetched:]
            assert len(reads) == 5 and all(p["limit"] == shown for p in reads)
            below = table.row_count - top - shown
            assert all(p["offset"] == min(top, below) and p["desc"] == (below < top) for p in reads)
            assert five_k.counts == counted  # No status facet: nothing to recount.
            assert [line.split()[0] for line in data_lines(app)] == before


async def test_refresh_rows_shows_status_changes_and_recounts_a_status_facet(
    fleet_5k: Path,
) -> None:
    service = CountingService(fleet_5k)
    app = TableApp(service, ItemQuery(vault_id=1, status="update-available"))
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            table = app.query_one(ItemTable)
            assert table.row_count == 2_500 and table.highlighted.name == "vm-000000"
            with engine_write(fleet_5k) as conn:  # What the engine does when an update starts.
                conn.execute("UPDATE items SET status = 'updating' WHERE name = 'vm-000000'")
            table.refresh_rows()
            await pilot.pause()
            assert table.row_count == 2_499
            assert data_lines(app)[0].split()[0] == "vm-000002"
            assert app.of(ItemTable.Highlighted)[-1].name == "vm-000002"
            table.set_query(table.query.with_(status=None))
            await pilot.pause()
            assert "Updating" in data_lines(app)[0]
    finally:
        with engine_write(fleet_5k) as conn:
            conn.execute("UPDATE items SET status = 'update-available' WHERE name = 'vm-000000'")
        service.close()


# -- marks --------------------------------------------------------------------------------------
async def test_space_marks_moves_down_and_marks_survive_filters(five_k: CountingService) -> None:
    app = TableApp(five_k, ItemQuery(vault_id=1))
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.query_one(ItemTable)
        # Even machines have an update; odd ones are up to date and cannot be selected.
        await pilot.press("space", "space", "space", "down", "space")
        await pilot.pause()
        assert table.cursor_row == 5
        assert [m.count for m in app.of(ItemTable.MarksChanged)] == [1, 2, 3]
        lines = screen(app)
        assert [line[:12] for line in lines[1:6]] == [
            "✓ vm-000000 ",
            "  vm-000001 ",
            "✓ vm-000002 ",
            "  vm-000003 ",
            "✓ vm-000004 ",
        ]
        assert [n.message for n in app._notifications] == [
            "vm-000001 cannot be selected: it is on the latest version."
        ]
        ids = set(table.marked)
        table.set_query(table.query.with_(text="vm-00000"))
        await pilot.pause()
        assert table.marked == ids and screen(app)[1].startswith("✓ vm-000000")
        await pilot.press("space")  # vm-000000 is highlighted again: unmark it.
        await pilot.pause()
        assert len(table.marked) == 2 and app.of(ItemTable.MarksChanged)[-1].count == 2
        table.mark_items([table.row_at(5).id, table.row_at(6).id])
        table.unmark_items([table.row_at(5).id])
        table.mark_items([table.row_at(6).id])  # No change: no message.
        await pilot.pause()
        assert [m.count for m in app.of(ItemTable.MarksChanged)][-2:] == [4, 3]
        table.clear_marks()
        await pilot.pause()
        assert table.marked == frozenset() and app.of(ItemTable.MarksChanged)[-1].count == 0
        assert not any(line.startswith("✓") for line in screen(app))


# -- 100k ---------------------------------------------------------------------------------------
async def test_100k_rows_first_paint_and_end(tmp_path: Path) -> None:
    """100,000 items on 500 appliances: first paint and `end` read O(visible) rows (two pages, by
    keyset from the start and from the end; their time is benchmarks/run.py's)."""
    path = build_fleet(tmp_path / "fleet.db", numbered_items(100_000))
    service = CountingService(path)
    app = TableApp(service, ItemQuery(vault_id=1))
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            assert screen(app)[1].split()[0] == "vm-000000"
            table = app.query_one(ItemTable)
            assert table.row_count == 100_000
            await pilot.press("end")
            await pilot.pause()
            assert screen(app)[-1].split()[0] == "vm-099999"
            assert table.highlighted.name == "vm-099999"
            assert len(service.pages) == 2 and all(p["offset"] == 0 for p in service.pages)
            assert all(p["limit"] <= 4 * table.size.height for p in service.pages), (
                "pages of about a screen"
            )
    finally:
        service.close()
