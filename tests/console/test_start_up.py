"""Keys pressed while the console starts: the view they open follows the fleet, shows its header,
and the items screen gets its keys when the operator comes back.

Textual runs a `call_after_refresh` callback when the screen that was current as it was queued
next refreshes; start-up's callbacks (polling, the engine, the key footer) were queued that way,
and a screen the operator left at once (a fast `j` or `b`, or a snapshot's key press) held them
until it was shown again: no poll, no engine, no footer.
"""

from __future__ import annotations

from pathlib import Path

from waiting import until

from store.service import Service
from tui.app import ConsoleApp
from tui.modals.bulk_update import BulkTable
from tui.widgets.clock_bar import ClockBar

from .test_items_screen import screen_text


def _first_eligible(db: Path) -> tuple[int, str]:
    svc = Service.open(db)
    try:
        east = svc.vault("contoso-dr-east").id
        first = sorted(svc.eligible_ids(east))[0]
        return first, svc.names_of([first])[0]
    finally:
        svc.close()


def _update_elsewhere(db: Path, item_id: int) -> None:
    other = Service.open(db)
    try:
        assert other.update_ids([item_id]) == (1, 0)
    finally:
        other.close()


async def test_the_bulk_dialog_opened_during_start_up_follows_the_fleet(contoso_db: Path) -> None:
    item_id, name = _first_eligible(contoso_db)
    app = ConsoleApp(db_path=contoso_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("b")  # no pause: start-up has not finished
        table = await until(
            pilot, lambda: app.screen.query(BulkTable).first(), "the bulk dialog is open"
        )
        _update_elsewhere(contoso_db, item_id)

        def status() -> str | None:
            rows = (table.row_at(i) for i in range(table.row_count))
            return next((row.status for row in rows if row is not None and row.name == name), None)

        await until(
            pilot, lambda: status() == "updating", lambda: f"{name} shown Updating (is {status()})"
        )
        await pilot.press("escape")
        await until(
            pilot,
            lambda: "b Bulk" in screen_text(app).splitlines()[-1],
            lambda: (
                f"the items screen's key footer, last line: {screen_text(app).splitlines()[-1]!r}"
            ),
        )


async def test_the_jobs_view_opened_during_start_up_has_its_header_and_follows_the_fleet(
    contoso_db: Path,
) -> None:
    item_id, name = _first_eligible(contoso_db)
    app = ConsoleApp(db_path=contoso_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("j")  # no pause: start-up has not finished
        bar = await until(
            pilot,
            lambda: app.screen.query(ClockBar).first() if app.screen.id != "_default" else None,
            "the jobs view is shown",
        )
        assert "contoso-dr-east" in screen_text(app).splitlines()[0], (
            "the header is painted with the view"
        )
        assert bar.vault == "contoso-dr-east"
        _update_elsewhere(contoso_db, item_id)
        await until(
            pilot,
            lambda: name in screen_text(app),
            lambda: f"{name}'s new job listed:\n{screen_text(app)}",
        )
