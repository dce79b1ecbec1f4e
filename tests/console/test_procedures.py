"""The seed's procedures, performed through keys in the console, asserting what the operator sees.

Engine time is driven from outside (as another process would: `clock advance`), so every run is
deterministic; the console notices the commits and repaints.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from waiting import item_shown, polled, until

from store import operations
from store.db import open_db
from store.engine import sim_actions
from store.job_queries import JobQuery
from store.service import Service
from tui.app import ConsoleApp
from tui.modals.bulk_update import BulkTable, BulkUpdateModal
from tui.modals.confirm import ConfirmModal
from tui.modals.item_actions import ItemActionModal
from tui.modals.job_detail import JobDetailModal
from tui.modals.registry import RegistryModal
from tui.screens.appliances import AppliancesScreen
from tui.screens.settings import SettingsScreen
from tui.widgets.item_table import ItemTable
from tui.widgets.overview import OverviewPane

from .test_items_screen import screen_text


def item(db_path: Path, name: str):
    svc = Service.open(db_path)
    try:
        return svc.item(name)
    finally:
        svc.close()


async def goto_item(pilot, app: ConsoleApp, name: str) -> None:
    await item_shown(pilot, app, name)


async def test_update_one_machine_from_its_status(contoso_db: Path) -> None:
    app = ConsoleApp(db_path=contoso_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await goto_item(pilot, app, "web-prod-01")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ItemActionModal)
        text = screen_text(app)
        assert "New update available" in text and "Update to this version" in text
        assert "9.65.7417.1" in text and "9.66.7643.1" in text
        await pilot.press("enter")  # the focused button: Update to this version
        await pilot.pause()
        assert item(contoso_db, "web-prod-01").status == "Updating"
        assert app.screen.query_one(OverviewPane).item.status == "Updating"


async def test_update_many_machines_with_the_bulk_dialog(contoso_db: Path) -> None:
    svc = Service.open(contoso_db)
    east = svc.vault("contoso-dr-east").id
    eligible = set(svc.eligible_ids(east))
    svc.close()
    app = ConsoleApp(db_path=contoso_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("b")
        await pilot.pause()
        assert isinstance(app.screen, BulkUpdateModal)
        assert isinstance(app.screen.focused, BulkTable)  # the list has the keys: space selects
        table = app.screen.query_one(BulkTable)
        # A blocked machine is listed but cannot be selected.
        blocked_row = next(i for i in range(table.row_count) if table.row_at(i).status == "blocked")
        table.cursor_row = blocked_row
        table.action_toggle_mark()
        assert table.marked == frozenset()
        await pilot.press("a")  # select all eligible
        await pilot.pause()
        assert table.marked == eligible
        assert f"{len(eligible)} selected of {len(eligible)} eligible" in screen_text(app)
        await pilot.press("enter")  # from the list to OK: nothing is created yet
        assert app.screen.focused.id == "ok" and isinstance(app.screen, BulkUpdateModal)
        await pilot.press("enter")
        await app.workers.wait_for_complete()  # the jobs are created off the UI thread
        await pilot.pause()
        assert not isinstance(app.screen, BulkUpdateModal)
        assert any(
            f"Created {len(eligible)} Site Recovery jobs" in n.message for n in app._notifications
        )
        svc = Service.open(contoso_db)
        statuses = {svc.item(n).status for n in svc.names_of(sorted(eligible))}
        jobs = svc.count_jobs(JobQuery(vault_id=east))
        svc.close()
        assert statuses == {"Updating"}
        assert jobs >= len(eligible)


async def test_bulk_dialog_follows_machines_that_start_updating_while_it_is_open(
    contoso_db: Path,
) -> None:
    """Another process (the nightly run, another operator) starts an update of a machine the
    dialog lists and the operator chose: its row says Updating, it leaves the selection and the
    eligible count, and OK creates jobs for the others without refusals."""
    svc = Service.open(contoso_db)
    east = svc.vault("contoso-dr-east").id
    eligible = sorted(svc.eligible_ids(east))
    taken = svc.names_of(eligible[:1])[0]
    svc.close()
    app = ConsoleApp(db_path=contoso_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("b")
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        table = app.screen.query_one(BulkTable)
        assert table.marked == frozenset(eligible)
        other = Service.open(contoso_db)
        assert other.update_ids(eligible[:1]) == (1, 0)
        other.close()

        def status() -> str | None:
            return next(
                (
                    table.row_at(i).status
                    for i in range(table.row_count)
                    if table.row_at(i).name == taken
                ),
                None,
            )

        # The change poll repaints the listed rows; the marks and counts follow at the next recount.
        await until(
            pilot, lambda: status() == "updating", lambda: f"{taken} shown Updating (is {status()})"
        )
        await until(
            pilot, lambda: table.marked == frozenset(eligible[1:]), f"{taken} left the selection"
        )
        n = len(eligible) - 1
        await until(
            pilot,
            lambda: f"{n} selected of {n} eligible" in screen_text(app),
            lambda: f"'{n} selected of {n} eligible' on screen:\n{screen_text(app)}",
        )
        await pilot.press("enter", "enter")  # the list, Enter to OK, Enter
        await app.workers.wait_for_complete()
        await pilot.pause()
        messages = [m.message for m in app._notifications]
        assert any(f"Created {n} Site Recovery jobs" in m for m in messages)
        assert not any("were not updated" in m for m in messages)


async def test_blocked_reasons_then_fix_and_wait_for_the_check(contoso_db: Path) -> None:
    app = ConsoleApp(db_path=contoso_db)
    async with app.run_test(size=(140, 45)) as pilot:
        await goto_item(pilot, app, "app-lnx-02")
        await pilot.press("enter")
        await pilot.pause()
        text = screen_text(app)
        assert "Cannot update to latest version" in text
        assert "RebootRequired" in text and "Recommended action" in text
        assert "Update to this version" not in text
        await pilot.press("escape")
        # Automatic updates are off (the seed's manual procedures assume so), the operator
        # reboots the machine, and the service only notices at its next check.
        db = open_db(contoso_db)
        operations.set_auto_update(db, app.vault.id, False)
        sim_actions.reboot(db, "app-lnx-02")
        pane = app.screen.query_one(OverviewPane)
        # The reboot is the simulated world's: the service's view changes only at its next check.
        await polled(pilot, app)
        assert pane.item.status == "Cannot update to latest version"
        operations.clock_advance(db, timedelta(minutes=30))
        db.close()
        await until(
            pilot,
            lambda: pane.item.status == "New update available",
            lambda: f"the check cleared the blocker (overview says {pane.item.status})",
        )
        await pilot.press("u")
        await pilot.pause()
        assert item(contoso_db, "app-lnx-02").status == "Updating"


async def test_retry_failed_update_and_follow_the_previous_job(contoso_db: Path) -> None:
    failed = item(contoso_db, "mq-lnx-01")
    assert failed.status == "Update failed"
    app = ConsoleApp(db_path=contoso_db)
    async with app.run_test(size=(140, 45)) as pilot:
        await goto_item(pilot, app, "mq-lnx-01")
        await pilot.press("enter")
        await pilot.pause()
        text = screen_text(app)
        assert "Update failed" in text and "Recommended action" in text and "Retry" in text
        await pilot.click("#open-job")
        await pilot.pause()
        assert isinstance(app.screen, JobDetailModal)
        assert app.screen.job.id == failed.last_job_id
        assert "Failed" in screen_text(app)
        await pilot.click("#goto-item")  # and back to the machine
        await until(
            pilot,
            lambda: (
                app.screen.query(OverviewPane)
                and app.screen.query_one(OverviewPane).item.name == "mq-lnx-01"
            ),
            "back on mq-lnx-01",
        )
        await pilot.press("enter")
        await pilot.pause()
        await pilot.click("#retry")
        await pilot.pause()
        after = item(contoso_db, "mq-lnx-01")
        assert after.status == "Updating"
        svc = Service.open(contoso_db)
        assert svc.job(after.last_job_id).retry_of == failed.last_job_id
        svc.close()


async def test_turn_automatic_updates_off_and_on(contoso_db: Path) -> None:
    app = ConsoleApp(db_path=contoso_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("comma")
        await pilot.pause()
        assert isinstance(app.screen, SettingsScreen)
        assert "Allow Site Recovery to manage" in screen_text(app)
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("tab", "enter")
        await pilot.pause()
        svc = Service.open(contoso_db)
        assert not svc.vault("contoso-dr-east").agent_auto_update
        await pilot.press("t")
        await pilot.pause()
        assert svc.vault("contoso-dr-east").agent_auto_update
        svc.close()


async def test_upgrade_an_appliance_component(contoso_db: Path) -> None:
    app = ConsoleApp(db_path=contoso_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, AppliancesScreen)
        app.screen.select("appl-east-02")
        await pilot.pause()
        comps = app.screen.current().components
        behind = next(n for n, c in enumerate(comps) if c.status == "New update available")
        for _ in range(behind):
            await pilot.press("down")
        await pilot.press("u")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("tab", "enter")
        await pilot.pause()
        svc = Service.open(contoso_db)
        comp = next(
            c for c in svc.appliance("appl-east-02").components if c.slug == comps[behind].slug
        )
        svc.close()
        assert comp.status == "Updating"
        assert "Updating" in screen_text(app)


async def test_set_and_delete_the_autoupdate_registry_value(contoso_db: Path) -> None:
    app = ConsoleApp(db_path=contoso_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("a")
        await pilot.pause()
        app.screen.select("appl-east-01")
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, RegistryModal)
        assert "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\AzureAppliance" in screen_text(app)
        await pilot.click("#set")
        await pilot.pause()
        svc = Service.open(contoso_db)
        assert svc.appliance("appl-east-01").registry == {"AutoUpdate": 0}
        assert "Off (AutoUpdate = 0)" in screen_text(app)
        await pilot.press("r")
        await pilot.pause()
        await pilot.click("#delete")
        await pilot.pause()
        assert svc.appliance("appl-east-01").registry == {}
        svc.close()


async def test_read_only_console_refuses_changes(contoso_db: Path) -> None:
    app = ConsoleApp(db_path=contoso_db, read_only=True)
    async with app.run_test(size=(120, 40)) as pilot:
        assert "READ-ONLY" in screen_text(app)
        await goto_item(pilot, app, "web-prod-01")
        await pilot.press("u")
        await pilot.pause()
        assert item(contoso_db, "web-prod-01").status == "New update available"
        assert any("read-only" in n.message for n in app._notifications)


async def test_read_only_console_bulk_dialog_creates_nothing(contoso_db: Path) -> None:
    """The dialog opens and selects as usual (it loads no write path when read-only); OK is
    refused."""
    before = Service.open(contoso_db, read_only=True)
    jobs_before = before.count_jobs(JobQuery())
    before.close()
    app = ConsoleApp(db_path=contoso_db, read_only=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("b")
        await pilot.pause()
        assert isinstance(app.screen, BulkUpdateModal)
        table = app.screen.query_one(BulkTable)
        await pilot.press("a")
        await pilot.pause()
        assert table.marked
        await pilot.press("enter", "enter")  # the list, Enter to OK, Enter
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not isinstance(app.screen, BulkUpdateModal)
        assert any("read-only" in n.message for n in app._notifications)
        assert not any(n.message.startswith("Created") for n in app._notifications)
    after = Service.open(contoso_db, read_only=True)
    assert after.count_jobs(JobQuery()) == jobs_before
    after.close()


async def test_marks_hidden_by_filter_are_counted_in_the_confirmation(contoso_db: Path) -> None:
    app = ConsoleApp(db_path=contoso_db)
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.screen.query_one(ItemTable)
        await goto_item(pilot, app, "web-prod-01")
        await pilot.press("space")
        await goto_item(pilot, app, "crm-db-01")
        await pilot.press("space")
        await pilot.press("slash", *"web", "enter")
        await until(pilot, lambda: table.query.text == "web", "the filter web applied")
        assert len(table.marked) == 2
        await pilot.press("u")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        assert "1 of the marked machines are hidden by the current filter" in screen_text(app)
        await pilot.press("enter")  # Cancel has the focus
        await pilot.pause()
        assert item(contoso_db, "crm-db-01").status == "New update available"
