"""Pilots on the Replicated items screen: what an operator sees after pressing keys."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from waiting import live, until

from store.db import open_db
from store.queries import ItemQuery
from store.service import Service
from store.sim.loader import load_scenario
from store.sim.scenario import parse_scenario
from tui.app import ConsoleApp
from tui.widgets.facets import FacetBar
from tui.widgets.item_table import ItemTable
from tui.widgets.overview import OverviewPane


def screen_text(app: ConsoleApp) -> str:
    """Everything on screen as plain text, the way a person reads it."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def filter_open(pilot, app: ConsoleApp) -> None:
    """After `/`: the filter box is up and has the keys."""
    await until(
        pilot,
        lambda: app.focused is not None and app.focused.id == "filter",
        "the filter box has focus",
    )


async def test_opens_on_replicated_items_of_first_vault(contoso_db: Path) -> None:
    app = ConsoleApp(db_path=contoso_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "contoso-dr-east" in text
        assert "23:45" in text  # the demo clock starts 15 minutes before local midnight
        assert "New Site Recovery mobility agent update is available" in text
        svc = Service.open(contoso_db)
        east = svc.vault("contoso-dr-east")
        first = svc.items(ItemQuery(vault_id=east.id))[0]
        svc.close()
        assert first.name in text
        table = app.screen.query_one(ItemTable)
        assert table.row_count == sum(app.screen.query_one(FacetBar).counts.values())


async def test_filter_then_overview_follows_highlight(contoso_db: Path) -> None:
    app = ConsoleApp(db_path=contoso_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await live(pilot, app)
        await pilot.press("slash", *"sql-prod", "enter")
        table = app.screen.query_one(ItemTable)
        await until(pilot, lambda: table.query.text == "sql-prod", "the filter sql-prod applied")
        assert table.row_count == 2
        assert "Replicated items  2 of" in screen_text(app)
        await pilot.press("down")
        await pilot.pause()
        pane = app.screen.query_one(OverviewPane)
        assert pane.item is not None and pane.item.name == "sql-prod-02"
        text = screen_text(app)
        assert "Agent version" in text and pane.item.agent_version in text
        await pilot.press("escape")
        await until(pilot, lambda: table.row_count > 2, "every machine listed again after Esc")


async def test_first_filter_key_applies_at_once_then_typing_waits_for_a_pause(
    contoso_db: Path,
) -> None:
    app = ConsoleApp(db_path=contoso_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("slash")
        await filter_open(pilot, app)
        table = app.screen.query_one(ItemTable)
        everything = table.row_count
        await pilot.press("s")
        # No debounce wait for the first key after a pause: its rows came with its echo.
        assert table.query.text == "s"
        assert 0 < table.row_count < everything
        await pilot.press(*"ql-prod")
        await until(
            pilot,
            lambda: table.query.text == "sql-prod",
            lambda: f"sql-prod applied ({table.query.text!r})",
        )
        assert table.row_count == 2


async def test_blocked_facet_shows_reasons_and_next_check(contoso_db: Path) -> None:
    app = ConsoleApp(db_path=contoso_db)
    async with app.run_test(size=(160, 50)) as pilot:
        await live(pilot, app)
        await pilot.press("3")
        await pilot.pause()
        table = app.screen.query_one(ItemTable)
        facets = app.screen.query_one(FacetBar)
        assert facets.active == "blocked"
        assert table.row_count == facets.counts["blocked"] > 0
        pane = app.screen.query_one(OverviewPane)
        assert pane.item is not None and pane.item.status == "Cannot update to latest version"
        text = screen_text(app)
        assert pane.item.blockers[0].reason in text
        assert "The service checks again at" in text
        await pilot.press("3")
        await pilot.pause()
        assert facets.active is None


async def test_sort_and_vault_switch(contoso_db: Path) -> None:
    app = ConsoleApp(db_path=contoso_db)
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.screen.query_one(ItemTable)
        east_count = table.row_count
        await pilot.press("s")
        await pilot.pause()
        assert table.query.sort == "status"
        await pilot.press("v")
        await pilot.pause()
        assert app.vault.name == "contoso-dr-west"
        assert "contoso-dr-west" in screen_text(app)
        assert table.row_count != east_count or table.query.vault_id == app.vault.id


async def test_hostile_name_shown_literally(tmp_db_path: Path) -> None:
    comps = {
        "process-server": "9.66.7614.1",
        "proxy-server": "1.44.9645.8268",
        "replication-service": "1.45.9649.18472",
        "reprotection-server": "1.48.9649.18457",
        "recovery-services-agent": "2.0.9955.0",
        "site-recovery-provider": "5.25.904.11",
        "push-installer": "1.47.9649.18387",
    }
    world = {
        "vaults": [{"name": "v1", "time_zone": "UTC"}],
        "appliances": [{"name": "a1", "vault": "v1", "components": comps}],
        "items": [
            {
                "name": "[bold red]x[/]\x1b[31mevil",
                "os": "Windows Server 2022",
                "appliance": "a1",
                "agent_version": "9.65.7417.1",
            }
        ],
    }
    db = open_db(tmp_db_path)
    load_scenario(db, parse_scenario(json.dumps(world), "t.json"), source="t.json")
    db.close()
    app = ConsoleApp(db_path=tmp_db_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "[bold red]x[/]" in text
        assert "\x1b" not in text


async def test_highlighted_row_stays_in_view_when_the_terminal_shrinks(contoso_db: Path) -> None:
    app = ConsoleApp(db_path=contoso_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        table = app.screen.query_one(ItemTable)
        table.focus()
        await pilot.press("end", "up")  # the last-but-one machine: all rows fit at 120x40
        await pilot.pause()
        name = table.highlighted.name
        assert name in screen_text(app)
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        await pilot.pause()
        lines = [line for line in screen_text(app).splitlines() if name in line]
        assert any(line.startswith("│") for line in lines), (
            f"{name} scrolled out of the table at 80x24"
        )


@pytest.mark.paint_hook("one-frame")
async def test_filter_key_after_a_pause_shows_its_echo_and_its_rows_in_one_frame(
    contoso_db: Path,
) -> None:
    """No frame shows the typed letter over the rows of the text before it (a screen where the
    table keeps its scrollbar: one appearing or going is a layout change, and Textual repaints
    the table again in the next frame)."""
    app = ConsoleApp(db_path=contoso_db)
    async with app.run_test(size=(120, 20)) as pilot:
        await pilot.press("slash")
        await filter_open(pilot, app)  # nothing typed yet: the first key applies at once
        await pilot.pause()  # the box's own frame is on the terminal before we count
        everything = app.screen.query_one(ItemTable).row_count
        frames = []
        draw = app._display

        def display(screen, renderable) -> None:
            frames.append(renderable)
            draw(screen, renderable)

        app._display = display
        await pilot.press("p")
        await pilot.pause()
        table = app.screen.query_one(ItemTable)
        assert table.query.text == "p"
        assert table.row_count > table.size.height  # still scrolls
        assert 0 < table.row_count < everything  # the rows of "p", not of ""
        assert len(frames) == 1, f"{len(frames)} frames for one filter key"


async def test_keys_typed_right_after_slash_go_to_the_filter(contoso_db: Path) -> None:
    """`/` and the keys after it arrive in one read from the terminal (a fast typist, a pasted
    command): none is lost to the table while the box opens, the first time or later."""
    from textual import events

    def type_at_once(app: ConsoleApp, *keys: str) -> None:
        for key in keys:  # Posted as the driver posts what it reads, with no wait between them.
            event = events.Key(key, "/" if key == "slash" else key)
            event.set_sender(app)
            app._driver.send_message(event)

    app = ConsoleApp(db_path=contoso_db, engine=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        table = app.screen.query_one(ItemTable)
        for _ in range(2):  # the box mounted by the first `/`; shown again by the second
            type_at_once(app, "slash", "s", "q", "l")
            await until(
                pilot,
                lambda: table.query.text == "sql",
                lambda: f"sql applied ({table.query.text!r})",
            )
            assert app.screen.query_one("#filter").value == "sql"
            assert table.query.sort == "name"  # `s` did not sort
            await pilot.press("escape")
            await until(pilot, lambda: table.query.text == "", "the filter cleared by Esc")
