"""`clock advance` from another terminal while this console runs the engine: the console's engine
thread performs it (one process moves engine time) and the header shows the new time."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from cli_process import run_cli
from waiting import until, until_async

from store.clock import iso
from store.clock import now as engine_now
from store.db import open_db
from tui.app import ConsoleApp
from tui.widgets.clock_bar import ClockBar


async def test_clock_advance_from_another_process_is_done_by_the_console(contoso_db: Path) -> None:
    assert run_cli(contoso_db, "clock", "pause").code == 0  # only the advance moves engine time
    db = open_db(contoso_db)
    start = engine_now(db.conn)
    app = ConsoleApp(db_path=contoso_db, engine=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await until_async(lambda: app.engine.holding, "the console's engine holds the lease")
        ran = await asyncio.to_thread(run_cli, contoso_db, "clock", "advance", "2h", "--json")
        assert ran.code == 0, ran.err
        assert (ran.json["from"], ran.json["now"]) == (iso(start), iso(start + timedelta(hours=2)))
        assert app.engine.holding  # it kept the engine: it did the advance itself
        await until(
            pilot,
            lambda: app.screen.query_one(ClockBar).local_time == start + timedelta(hours=2),
            "the header shows engine time two hours on",
        )
    db.close()
