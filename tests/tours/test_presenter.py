"""Presenter mode: the tour waits for the presenter, says what to press, and moves on when the state
is reached."""

from __future__ import annotations

from waiting import let_run

from tui.modals.item_actions import ItemActionModal
from tui.tour.app import POLL_S as TOUR_POLL_S
from tui.tour.catalog import find_tour
from tui.tour.keys import expand

from .pilots import finish, screen_text, tour_pilot, until


async def test_waits_for_the_presenter_and_says_what_to_press() -> None:
    tour = find_tour("blocked-machine")
    async with tour_pilot(tour, auto=False) as (app, pilot, svc):
        await until(pilot, lambda: app.progress.phase == "waiting", "the first step")
        await let_run(
            pilot, 8 * TOUR_POLL_S, "narration waits for the presenter (8 of the tour's looks)"
        )
        assert app.progress.index == 0
        assert "ctrl+n/F2: continue" in screen_text(app)
        await pilot.press("ctrl+n")
        await until(pilot, lambda: app.progress.index == 1, "the second step")
        text = screen_text(app)
        assert "▶ Press" in text and " app-lnx-02 " in text and "ctrl+n/F2: do it for me" in text
        await pilot.press("slash", *"app-lnx-02", "enter")  # the presenter types it
        await until(pilot, lambda: app.progress.index == 2, "the state after the presenter's keys")
        await pilot.press("f2")  # do it for me (F2 works in a browser too): the tour presses Enter
        await until(
            pilot,
            lambda: (
                isinstance(app.screen, ItemActionModal) and "RebootRequired" in screen_text(app)
            ),
            "the blocking reasons",
        )
        assert svc.item("app-lnx-02").status == "Cannot update to latest version"


async def test_presenter_reaches_the_end_pressing_what_the_panel_says() -> None:
    tour = find_tour("blocked-machine")  # narration, keys, an act and a fast-forward
    async with tour_pilot(tour, auto=False) as (app, pilot, svc):
        for index, step in enumerate(tour.steps):
            await until(
                pilot,
                lambda i=index: app.progress.index == i and app.progress.phase == "waiting",
                f"step {index + 1}",
            )
            if step.keys:
                await pilot.press(*(key for _stroke, key in expand(step.keys)))
            else:
                await pilot.press("ctrl+n")
            await until(
                pilot,
                lambda i=index: app.progress.index > i or app.result is not None,
                f"step {index + 1} to complete",
            )
        await finish(pilot, app)
        assert app.result is not None and app.result.ok, app.result.message
        assert svc.item("app-lnx-02").status == "Up to date"
