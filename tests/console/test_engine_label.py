"""What the header says of the engine: "(other process)" only when another process runs it (never
while this console's engine thread has yet to try the lease, the first frames of every start),
"engine stopped" when the thread died; and skips that cannot be done are refused, not parked."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from waiting import until_async

from store.clock import now as engine_now
from store.db import open_db
from store.engine import lease
from tui.app import ConsoleApp
from tui.widgets.clock_bar import ClockBar


async def _settle(app: ConsoleApp, condition, pilot, what: str) -> None:
    """Wait for the engine thread's state, then let the header show it."""
    await until_async(condition, what)
    app.refresh_clock()
    await pilot.pause()


def _notes(app: ConsoleApp) -> str:
    return "\n".join(str(n.message) for n in app._notifications)


async def test_a_console_that_runs_its_engine_never_claims_another_process(
    contoso_db: Path,
) -> None:
    app = ConsoleApp(db_path=contoso_db, engine=True)
    async with app.run_test(size=(120, 40)) as pilot:
        assert "(other process)" not in app.screen.query_one(ClockBar).speed  # before the first try
        await _settle(
            app, lambda: app.engine.holding, pilot, "the console's engine holds the lease"
        )
        assert app.screen.query_one(ClockBar).speed == "engine 60x"


async def test_the_header_names_another_process_that_holds_the_engine_lease(
    contoso_db: Path,
) -> None:
    other = open_db(contoso_db)
    lease.acquire(other, "elsewhere:1:abc")
    try:
        app = ConsoleApp(db_path=contoso_db, engine=True)
        async with app.run_test(size=(120, 40)) as pilot:
            await _settle(
                app, lambda: app.engine.observing, pilot, "the engine observes the other holder"
            )
            assert app.screen.query_one(ClockBar).speed == "engine 60x (other process)"
            app.skip_to_next_run()  # refused: this console does not run the engine
            await pilot.pause()
            assert "Another process runs the engine" in _notes(app)
    finally:
        lease.release(other, "elsewhere:1:abc")
        other.close()


async def test_a_skip_that_arrives_while_another_process_runs_the_engine_is_not_kept(
    contoso_db: Path,
) -> None:
    """Queued by a race (asked just before the lease was lost), the skip is dropped: taking the
    lease later never jumps engine time to an old target."""
    other = open_db(contoso_db)
    lease.acquire(other, "elsewhere:1:abc")
    app = ConsoleApp(db_path=contoso_db, engine=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(
            app, lambda: app.engine.observing, pilot, "the engine observes the other holder"
        )
        start = engine_now(other.conn)
        app.engine.skip_to(start + timedelta(days=2))
        # The thread's next try finds the lease still taken and drops the skip.
        await until_async(app.engine.skips.empty, "the engine thread's next try took the skip")
        lease.release(other, "elsewhere:1:abc")
        await _settle(
            app, lambda: app.engine.holding, pilot, "the console's engine takes the free lease"
        )
        # Its first steps move engine time at its speed (60x), not to the dropped target.
        await until_async(lambda: engine_now(other.conn) > start, "the engine moved engine time")
        assert engine_now(other.conn) < start + timedelta(hours=1)
    other.close()


async def test_a_dead_engine_thread_says_so_and_refuses_skips(
    contoso_db: Path, tmp_path: Path
) -> None:
    app = ConsoleApp(db_path=contoso_db, engine=True)
    app.engine.db_path = tmp_path / "gone" / "fleet.db"  # the engine's own connection cannot open
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(
            app, lambda: app.engine.error is not None, pilot, "the engine thread reports its error"
        )
        assert app.screen.query_one(ClockBar).speed == "engine stopped"
        assert "The engine stopped" in _notes(app)
        app.skip_to_next_run()
        await pilot.pause()
        assert "restart the console" in _notes(app)
