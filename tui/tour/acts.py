"""What a tour does itself: changes to the simulated world and jumps of engine time (through the
engine)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from tui.tour.model import Act, TourHost, TourStalled

POLL_S = 0.05


def reboot(name: str) -> Act:
    """The machine's owner restarts it (the simulated truth changes; the service notices at its next
    check)."""

    def act(app: TourHost) -> None:
        app.service.simulator(actor="tour").reboot(name)
        app.after_change()

    return act


def advance(delta: timedelta) -> Act:
    """Engine time jumps `delta` forward, processing every event on the way (the console's engine
    does it)."""

    async def act(app: TourHost) -> None:
        await advance_engine(app, delta)

    return act


async def advance_engine(app: TourHost, delta: timedelta, *, timeout_s: float = 30.0) -> None:
    """Ask the console's engine to skip `delta` ahead and wait until it has."""
    if app.engine is None:
        raise TourStalled("the tour needs the console's engine, which is not running")
    target = app.service.clock().now + delta
    app.engine.skip_to(target)
    waited = 0.0
    while app.service.clock().now < target:
        if waited > timeout_s:
            raise TourStalled(f"the engine did not reach {target:%H:%M} within {timeout_s:g} s")
        await asyncio.sleep(POLL_S)
        waited += POLL_S
    app.after_change()
