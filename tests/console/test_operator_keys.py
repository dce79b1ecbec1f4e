"""The console under an operator's hands: keys work where the screen says they do, and what cannot
be done is refused with its reason (issue 20)."""

from __future__ import annotations

from pathlib import Path

import pytest
from waiting import item_shown, live, until

from store.job_queries import JobQuery
from store.service import Service
from tui.app import ConsoleApp
from tui.modals.bulk_update import BulkTable, BulkUpdateModal
from tui.widgets.item_table import ItemTable

from .test_items_screen import screen_text


def _notes(app: ConsoleApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


def _jobs(db: Path) -> int:
    svc = Service.open(db, read_only=True)
    try:
        return svc.count_jobs(JobQuery())
    finally:
        svc.close()


async def test_the_bulk_dialog_opens_with_its_list_under_the_keys(contoso_db: Path) -> None:
    """`b`, then Down and space choose a machine at once (the hint says "space select"); Enter on
    the list moves to OK and creates nothing; Enter on OK updates."""
    before = _jobs(contoso_db)
    app = ConsoleApp(db_path=contoso_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("b")
        table = await until(
            pilot,
            lambda: isinstance(app.screen, BulkUpdateModal) and app.screen.focused,
            "the bulk dialog with a focused widget",
        )
        assert isinstance(table, BulkTable)
        eligible = next(
            i for i in range(table.row_count) if table.row_at(i).status == "update-available"
        )
        await pilot.press(*["down"] * eligible, "space")
        assert table.marked == {table.row_at(eligible).id}
        assert "1 selected of" in screen_text(app)
        await pilot.press("enter")
        assert isinstance(app.screen, BulkUpdateModal) and app.screen.focused.id == "ok"
        assert _jobs(contoso_db) == before, "Enter on the list created jobs"
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await until(
            pilot, lambda: _jobs(contoso_db) == before + 1, "one job for the one machine chosen"
        )


async def test_space_on_a_machine_that_cannot_update_refuses_with_the_reason(
    contoso_db: Path,
) -> None:
    """The seed: machines whose prerequisites are not met cannot be selected (on the items screen
    too, not only in the bulk dialog); an updating machine neither."""
    app = ConsoleApp(db_path=contoso_db)
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.screen.query_one(ItemTable)
        for name, reason in (
            ("app-lnx-02", "prerequisites are not met"),
            ("erp-app-01", "an update job is already running"),
        ):
            await item_shown(pilot, app, name)
            await pilot.press("space")
            assert not table.marked
            assert f"{name} cannot be selected: {reason}." in _notes(app)
        await item_shown(pilot, app, "web-prod-01")  # New update available: it can
        await pilot.press("space")
        assert len(table.marked) == 1


async def test_a_dialog_body_below_the_fold_scrolls_with_the_keys_and_says_so(
    contoso_db: Path,
) -> None:
    """At 80x24 a blocked machine's second reason and its recommended action are below the fold:
    the scroll keys reach them while the Close button has the focus, and the border says where
    more is."""
    from tui.modals.item_actions import ItemActionModal

    app = ConsoleApp(db_path=contoso_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await item_shown(pilot, app, "pay-app-01")
        await pilot.press("enter")
        await until(
            pilot, lambda: isinstance(app.screen, ItemActionModal), "the blocking reasons dialog"
        )
        last_action = "ports 443 and 9443"
        await until(
            pilot, lambda: "↓ PgDn: more below" in screen_text(app), "a hint that more is below"
        )
        assert last_action not in screen_text(app)
        assert app.screen.focused.id == "close"
        await pilot.press("end")
        await until(
            pilot, lambda: last_action in screen_text(app), "the last recommended action after End"
        )
        assert "↑ PgUp: more above" in screen_text(app) and "more below" not in screen_text(app)
        await pilot.press("home")
        await until(
            pilot, lambda: "Current version" in screen_text(app), "the top again after Home"
        )
        await pilot.press("pagedown")
        await until(pilot, lambda: "more above" in screen_text(app), "PgDn scrolled the body")


async def test_the_job_dialog_shows_local_times_and_g_goes_to_the_machine(contoso_db: Path) -> None:
    from tui.modals.job_detail import JobDetailModal

    app = ConsoleApp(db_path=contoso_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("j", "f", "f", "f", "enter")  # the Failed filter's first job
        await until(pilot, lambda: isinstance(app.screen, JobDetailModal), "the job dialog")
        job = app.screen.job
        text = screen_text(app)
        assert "Wed 16 Dec 22:10 EST" in text and job.created_time not in text, (
            "local time with its zone"
        )
        await pilot.press("g")
        await until(
            pilot,
            lambda: (
                not isinstance(app.screen, JobDetailModal)
                and app.screen.query(ItemTable)
                and app.screen.query_one(ItemTable).highlighted.name == job.item
            ),
            f"{job.item} highlighted on the items screen",
        )


async def test_appliances_say_what_needs_an_update_and_enter_opens_the_components(
    contoso_db: Path,
) -> None:
    from textual.widgets import DataTable

    app = ConsoleApp(db_path=contoso_db)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("a")
        await until(
            pilot, lambda: "Replication appliances" in screen_text(app), "the appliances view"
        )
        text = screen_text(app)
        assert "2 of 7 need an update" in text and "Enter or Tab: its components" in text
        app.screen.query_one("#appliances", DataTable).move_cursor(row=1)  # appl-east-02
        await pilot.press("enter")
        await until(
            pilot,
            lambda: app.focused is not None and app.focused.id == "components",
            "Enter moved to the components",
        )
        assert (
            "Cannot update to latest version" not in text
            or "Cannot update to latest version" in screen_text(app)
        )


async def test_a_state_filter_shows_in_the_jobs_title_and_cancel_asks_keep_or_cancel(
    contoso_db: Path,
) -> None:
    from tui.modals.confirm import ConfirmModal

    app = ConsoleApp(db_path=contoso_db)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("j", "f", "f")  # InProgress, then NotStarted: none waits
        await until(
            pilot,
            lambda: "Site Recovery jobs · NotStarted 0 of 2" in screen_text(app),
            lambda: f"the filter in the title:\n{screen_text(app)}",
        )
        await pilot.press("f", "f", "f", "f", "f")  # round to All, then InProgress
        await until(
            pilot,
            lambda: "Site Recovery jobs · InProgress 1 of 2" in screen_text(app),
            "InProgress",
        )
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, ConfirmModal), "the cancel confirmation")
        labels = [str(b.label) for b in app.screen.query("Button")]
        assert labels == ["Keep job", "Cancel job"] and app.screen.focused.id == "cancel"


async def test_settings_say_on_or_off_and_name_a_skipped_component(contoso_db: Path) -> None:
    app = ConsoleApp(db_path=contoso_db, vault="contoso-dr-west")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("comma")
        await until(
            pilot,
            lambda: "Allow Site Recovery to manage: On" in screen_text(app),
            "the switch in words",
        )
        await pilot.press("end")  # the plan's skips, below the fold
        await until(
            pilot,
            lambda: "appl-west-01 recovery-services-agent:" in screen_text(app),
            lambda: f"the skipped component named with its appliance:\n{screen_text(app)}",
        )
        await pilot.press("t")
        await pilot.press("tab", "enter")  # Turn off
        await until(
            pilot, lambda: "Allow Site Recovery to manage: Off" in screen_text(app), "Off in words"
        )


async def test_the_palette_offers_the_consoles_actions(contoso_db: Path) -> None:
    app = ConsoleApp(db_path=contoso_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("j")  # from another view: the command goes to the items screen
        await pilot.press("ctrl+p")
        await pilot.press(*"bulk")  # the footer's word for it
        await until(
            pilot,
            lambda: "Update many machines (Bulk)" in screen_text(app),
            "the command is offered",
        )
        await pilot.press("enter")
        await until(
            pilot,
            lambda: isinstance(app.screen, BulkUpdateModal),
            "the bulk dialog from the palette",
        )


async def test_the_header_clock_never_goes_back_when_the_view_changes(contoso_db: Path) -> None:
    """During a fast-forward the operator switches views: every view's header shows the newest
    engine time at once (a view shown earlier kept the time it last showed until a poll)."""
    from datetime import timedelta

    from store import operations
    from store.db import open_db

    app = ConsoleApp(db_path=contoso_db)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("j")
        await until(pilot, lambda: "Site Recovery jobs" in screen_text(app), "the jobs view")
        await pilot.press("i")
        await until(pilot, lambda: "Replicated items" in screen_text(app), "the items view")
        db = open_db(contoso_db)  # another process fast-forwards engine time by two hours
        try:
            operations.clock_advance(db, timedelta(hours=2))
        finally:
            db.close()
        await until(
            pilot, lambda: "Thu 17 Dec 01:45" in screen_text(app).splitlines()[0], "the new time"
        )
        app.screen.query_one(ItemTable).focus()
        await pilot.press("j")
        assert "Thu 17 Dec 01:45" in screen_text(app).splitlines()[0], screen_text(
            app
        ).splitlines()[0]


async def test_settings_plan_says_which_entries_wait_for_the_next_check(contoso_db: Path) -> None:
    from store.db import open_db
    from store.engine import sim_actions

    db = open_db(contoso_db)
    try:
        sim_actions.reboot(db, "app-lnx-02")  # fixed by hand; the service sees it at its next check
    finally:
        db.close()
    app = ConsoleApp(db_path=contoso_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("comma")
        await pilot.press("end")
        await until(
            pilot,
            lambda: any(
                "app-lnx-02" in line and "waits for the check at" in line
                for line in screen_text(app).splitlines()
            ),
            lambda: f"app-lnx-02's skip waits for the next check:\n{screen_text(app)}",
        )


async def test_the_keys_panel_lists_the_consoles_keys_first_and_escape_closes_it(
    contoso_db: Path,
) -> None:
    from tui.widgets.keys_panel import KeysPanel

    app = ConsoleApp(db_path=contoso_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        panel = await until(
            pilot,
            lambda: app.screen.query(KeysPanel).first() if app.screen.query(KeysPanel) else None,
            "the keys panel",
        )
        await pilot.pause()
        lines = [
            line.split("▏", 1)[1].strip() for line in screen_text(app).splitlines() if "▏" in line
        ]
        listed = [line for line in lines if line]
        assert listed[0] == "This view", listed[:3]
        mark = next(n for n, line in enumerate(listed) if line.endswith("Mark"))
        generic = [
            n
            for n, line in enumerate(listed)
            if "Scroll Left" in line or "Copy selected text" in line
        ]
        assert all(n > mark for n in generic), listed
        assert panel.is_mounted
        await pilot.press("escape")
        await until(pilot, lambda: not app.screen.query(KeysPanel), "Esc closed the keys panel")
        assert app.screen.query_one(ItemTable).query.text == ""  # and did nothing else


async def test_notifications_never_cover_a_dialogs_buttons(contoso_db: Path) -> None:
    app = ConsoleApp(db_path=contoso_db)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:  # shown, as in a terminal
        await pilot.press("b")
        table = await until(
            pilot,
            lambda: isinstance(app.screen, BulkUpdateModal) and app.screen.focused,
            "the bulk dialog",
        )
        blocked = next(i for i in range(table.row_count) if table.row_at(i).status == "blocked")
        await pilot.press(*["down"] * blocked, "space")  # refused: a warning notification
        toasts = await until(
            pilot, lambda: list(app.screen.query("Toast")), "the refusal's notification"
        )
        buttons = [app.screen.query_one(f"#{b}").region for b in ("cancel", "ok")]
        assert all(not toast.region.overlaps(button) for toast in toasts for button in buttons), (
            [t.region for t in toasts],
            buttons,
        )


@pytest.mark.parametrize("width", [60, 80, 100, 200])
async def test_help_and_quit_stay_on_the_footer_at_any_width(contoso_db: Path, width: int) -> None:
    from tui.widgets.keys_panel import KeysPanel

    app = ConsoleApp(db_path=contoso_db)
    async with app.run_test(size=(width, 24)) as pilot:
        await live(pilot, app)
        for view in ("i", "j", "a", "comma"):
            await pilot.press(view)
            await until(
                pilot,
                lambda: (
                    screen_text(app)
                    .splitlines()[-1]
                    .rstrip()
                    .endswith("? Help  q Quit  ^p palette")
                ),
                lambda view=view: f"{view}: {screen_text(app).splitlines()[-1]!r}",
            )
        footer = screen_text(app).splitlines()[-1]
        await pilot.click("KeyBar", offset=(footer.index("? Help") + 1, 0))
        await until(pilot, lambda: app.screen.query(KeysPanel), "a click on ? Help opens the keys")
