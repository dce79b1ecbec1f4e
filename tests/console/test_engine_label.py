"""The header says "(other process)" only when another process runs the engine, never while this
console's engine thread has yet to try the lease (the first frames of every start)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from store.db import open_db
from store.engine import lease
from tui.app import ConsoleApp
from tui.widgets.clock_bar import ClockBar


async def _settle(app: ConsoleApp, until, pilot) -> None:
    for _ in range(200):
        if until():
            break
        await asyncio.sleep(0.02)
    app.refresh_clock()
    await pilot.pause()


async def test_a_console_that_runs_its_engine_never_claims_another_process(contoso_db: Path) -> None:
    app = ConsoleApp(db_path=contoso_db, engine=True)
    async with app.run_test(size=(120, 40)) as pilot:
        assert "(other process)" not in app.screen.query_one(ClockBar).speed  # before the first try
        await _settle(app, lambda: app.engine.holding, pilot)
        assert app.engine.holding
        assert app.screen.query_one(ClockBar).speed == "engine 60x"


async def test_the_header_names_another_process_that_holds_the_engine_lease(contoso_db: Path) -> None:
    other = open_db(contoso_db)
    lease.acquire(other, "elsewhere:1:abc")
    try:
        app = ConsoleApp(db_path=contoso_db, engine=True)
        async with app.run_test(size=(120, 40)) as pilot:
            await _settle(app, lambda: app.engine.observing, pilot)
            assert app.screen.query_one(ClockBar).speed == "engine 60x (other process)"
            app.skip_to_next_run()  # refused: this console does not run the engine
            await pilot.pause()
            assert any("Another process runs the engine" in str(n.message) for n in app._notifications)
    finally:
        lease.release(other, "elsewhere:1:abc")
        other.close()
