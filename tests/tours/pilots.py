"""Helpers for tour pilots: a tour app on a fresh scenario, and waiting for it to end."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from waiting import polled
from waiting import until as _until

from store.service import Service
from tui.tour.app import TourApp
from tui.tour.launch import fresh_database
from tui.tour.model import BRISK, Tour

TOUR_TIMEOUT_S = 30.0
SIZE = (120, 40)


def screen_text(app: TourApp) -> str:
    """Everything on screen as plain text, the way a person reads it."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


@asynccontextmanager
async def tour_pilot(tour: Tour, *, auto: bool, size: tuple[int, int] = SIZE) -> AsyncIterator:
    """(app, pilot, service) for `tour` on a fresh copy of its scenario; the service reads on its
    own connection."""
    with fresh_database(tour.name) as path:
        app = TourApp(tour, db_path=path, auto=auto, pace=BRISK)
        async with app.run_test(size=size) as pilot:
            service = Service.open(path)
            try:
                yield app, pilot, service
            finally:
                service.close()


async def until(pilot, condition, what: str, timeout_s: float = TOUR_TIMEOUT_S) -> None:
    """Let the app run until `condition()` holds; fail saying `what` was awaited."""
    await _until(pilot, condition, what, timeout=timeout_s)


async def finish(pilot, app: TourApp) -> None:
    """Wait for the tour to end (complete or stalled), and for the screen to show its last state."""
    await until(pilot, lambda: app.result is not None, f"tour {app.tour.name} to end")
    await polled(pilot, app)
