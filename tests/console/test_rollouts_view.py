"""The Rollouts view driven by keyboard: created from the bulk dialog's Staged… and from the
palette, the canary's failure halts it, `g` opens the failed job, resume, pause, abort (confirmed).
Engine time is moved from outside, as another process would, so every run is deterministic."""

from __future__ import annotations

import importlib.util
from datetime import timedelta
from pathlib import Path

import pytest

from store import operations
from store.db import open_db
from store.service import Service
from tui.app import ConsoleApp
from tui.modals.bulk_update import BulkUpdateModal
from tui.modals.confirm import ConfirmModal
from tui.modals.job_detail import JobDetailModal
from tui.modals.rollout_form import RolloutFormModal
from tui.screens.rollouts import RolloutsScreen

from .test_items_screen import screen_text

_spec = importlib.util.spec_from_file_location(
    "console_worlds", Path(__file__).parents[1] / "engine" / "worlds.py"
)
worlds = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(worlds)


def until(pilot, condition, what: str):
    from waiting import until as wait

    return wait(pilot, condition, what)


@pytest.fixture
def fleet_db(tmp_path: Path) -> Path:
    """Six machines, automatic updates off; web-00 (the canary, first by name) fails its update."""
    items = [
        worlds.machine(f"web-{k:02d}", **({"fail_next_update": "95524"} if k == 0 else {}))
        for k in range(6)
    ]
    path = tmp_path / "fleet.db"
    worlds.load(
        path,
        worlds.world(
            items=items,
            vaults=[
                {"name": "vault-east", "time_zone": "America/New_York", "agent_auto_update": False}
            ],
        ),
    ).close()
    return path


def advance(path: Path, minutes: int) -> None:
    db = open_db(path)
    try:
        operations.clock_advance(db, timedelta(minutes=minutes))
    finally:
        db.close()


def rollout(path: Path, name: str):
    with Service.open(path) as svc:
        return svc.rollout(name)


async def test_the_bulk_dialogs_staged_button_creates_a_rollout_over_the_chosen_machines(
    contoso_db: Path,
) -> None:
    app = ConsoleApp(db_path=contoso_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("b", "a")
        await until(pilot, lambda: isinstance(app.screen, BulkUpdateModal), "the bulk dialog")
        app.screen.query_one("#staged").focus()
        await pilot.press("enter")
        form = await until(
            pilot, lambda: isinstance(app.screen, RolloutFormModal) and app.screen, "the form"
        )
        assert form.values() == {
            "name": "rollout-1",
            "canary": "1",
            "waves": "100%",
            "bake": "30m",
            "max_failures": "0",
            "window": "",
        }
        assert "The 8 machines chosen in the bulk dialog" in screen_text(app)
        await pilot.press("enter")  # Create has the focus
        await until(pilot, lambda: isinstance(app.screen, RolloutsScreen), "the Rollouts view")
        view = rollout(contoso_db, "rollout-1")
        assert view.machines == 8 and [w.size for w in view.waves] == [1, 7]
        text = await until(
            pilot, lambda: "rollout-1" in (t := screen_text(app)) and t, "the rollout on screen"
        )
        assert "canary" in text and "wave 1" in text and "Running" in text
        assert any(
            "tonight's run" in n.message for n in app._notifications
        )  # automatic updates are on


async def test_a_rollout_from_the_palette_halts_on_its_canary_then_resume_pause_abort(
    fleet_db: Path,
) -> None:
    app = ConsoleApp(db_path=fleet_db)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("w")
        await until(pilot, lambda: isinstance(app.screen, RolloutsScreen), "the Rollouts view")
        assert "No staged rollout in this vault" in screen_text(app)
        app.create_rollout()  # the palette's "Create a staged rollout…"
        form = await until(
            pilot, lambda: isinstance(app.screen, RolloutFormModal) and app.screen, "the form"
        )
        form.query_one("#form-waves").value = "50%,100%"
        form.query_one("#form-window").value = "25:00-26:00"
        await pilot.press("enter")
        await until(pilot, lambda: "--window" in screen_text(app), "the form saying what is wrong")
        window = form.query_one("#form-window")
        window.value = ""
        window.focus()  # the operator fixes the field and presses Enter in it
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, RolloutsScreen), lambda: screen_text(app))

        advance(fleet_db, 20)  # the canary fails: the budget is 0
        await until(pilot, lambda: "Halted:" in screen_text(app), "the halt and its reason")
        text = screen_text(app)
        assert "1 failed job, over the failure budget of 0: web-00 (95524)" in text
        assert "web-00" in text and "95524" in text  # the failed machines' table

        await pilot.press("g")
        job = await until(
            pilot, lambda: isinstance(app.screen, JobDetailModal) and app.screen.job, "the job"
        )
        assert (job.item, job.state, job.rollout) == ("web-00", "Failed", "rollout-1")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, RolloutsScreen), "back from the job")

        await pilot.press("r")
        await until(
            pilot,
            lambda: rollout(fleet_db, "rollout-1").waves[1].started is not None,
            "wave 1 started",
        )
        await until(
            pilot,
            lambda: "Running" in screen_text(app) and "Halted:" not in screen_text(app),
            "the resumed rollout on screen",
        )
        await pilot.press("p")
        await until(pilot, lambda: rollout(fleet_db, "rollout-1").state == "Paused", "paused")
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, ConfirmModal), "the abort confirmation")
        await pilot.press("enter")  # Cancel has the focus: nothing happens
        await until(
            pilot, lambda: isinstance(app.screen, RolloutsScreen), "the confirmation closed"
        )
        assert rollout(fleet_db, "rollout-1").state == "Paused"
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, ConfirmModal), "the abort confirmation")
        await pilot.press("tab", "enter")
        await until(pilot, lambda: rollout(fleet_db, "rollout-1").state == "Aborted", "aborted")
        await until(pilot, lambda: "Aborted" in screen_text(app), "Aborted on screen")


async def test_the_rollouts_key_is_in_help_and_the_palette(contoso_db: Path) -> None:
    app = ConsoleApp(db_path=contoso_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("question_mark")
        await until(
            pilot, lambda: "Rollouts" in screen_text(app), "the help panel listing w Rollouts"
        )
        await pilot.press("question_mark", "ctrl+p")
        await pilot.press(*"rollout")
        await until(
            pilot,
            lambda: (
                "Create a staged rollout" in screen_text(app)
                and "Staged rollouts" in screen_text(app)
            ),
            "the palette's rollout commands",
        )


async def test_the_form_creates_off_the_event_loop_and_waits_for_a_busy_database(
    fleet_db: Path,
) -> None:
    """Another process is mid-write (the engine's batch, a bulk update): Create waits for it without
    freezing the console, says so, and a second Enter or Escape does not start or drop a second one.
    """
    import sqlite3

    app = ConsoleApp(db_path=fleet_db)
    async with app.run_test(size=(100, 32)) as pilot:
        app.create_rollout()
        form = await until(
            pilot, lambda: isinstance(app.screen, RolloutFormModal) and app.screen, "the form"
        )
        other = sqlite3.connect(fleet_db, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # the other writer holds the write lock
        try:
            await pilot.press("enter")
            await until(
                pilot, lambda: "Creating…" in screen_text(app), "the form saying it is creating"
            )
            await pilot.press("enter", "escape")
            assert app.screen is form, "the form closed while its create was under way"
        finally:
            other.execute("COMMIT")
            other.close()
        await until(pilot, lambda: isinstance(app.screen, RolloutsScreen), lambda: screen_text(app))
        with Service.open(fleet_db) as svc:
            assert [v.name for v in svc.rollouts()] == ["rollout-1"]
