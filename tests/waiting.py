"""Waiting for a condition, never for a fixed time: a generous deadline and a message that says
what never happened. The only place in tests/ that sleeps to wait (the harnesses' pacing aside)."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")

DEADLINE_S = 10.0
"""How long a condition may take on a slow, loaded machine before the test says it never came."""
STEP_S = 0.02
"""Pacing between looks: short against the console's 0.25 s poll, long enough not to spin."""


class NeverHappened(AssertionError):
    """A condition a test waited for did not come before the deadline."""


def _never(what: str | Callable[[], str], timeout: float, last: object) -> NeverHappened:
    said = what() if callable(what) else what
    return NeverHappened(f"after {timeout:g} s still not: {said} (last seen: {last!r})")


async def until(
    pilot, condition: Callable[[], T], what: str | Callable[[], str], *, timeout: float = DEADLINE_S
) -> T:
    """Let the app run until `condition()` is truthy; return it. `what` says what is awaited
    (a callable is asked only on failure, e.g. to show the screen's text)."""
    deadline = time.monotonic() + timeout
    while True:
        await pilot.pause()  # the app handles what is pending before we look
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise _never(what, timeout, value)
        await pilot.pause(STEP_S)  # pacing: timers (the change poll) get their turn


async def until_async(
    condition: Callable[[], T | Awaitable[T]],
    what: str | Callable[[], str],
    *,
    timeout: float = DEADLINE_S,
    step: float = STEP_S,
) -> T:
    """`until` for an event loop without a pilot (a worker thread's state, a server, a browser);
    `condition` may be a coroutine function."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if inspect.isawaitable(value):
            value = await value
        if value:
            return value
        if time.monotonic() > deadline:
            raise _never(what, timeout, value)
        await asyncio.sleep(step)  # pacing: the loop's other tasks get their turn


def wait_for(
    condition: Callable[[], T],
    what: str | Callable[[], str],
    *,
    timeout: float = DEADLINE_S,
    step: float = STEP_S,
) -> T:
    """`until` for plain code: another process, a thread, a file."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise _never(what, timeout, value)
        time.sleep(step)  # pacing: the other process gets the CPU


async def polled(pilot, app) -> None:
    """A change poll of the console's has run since this call: the screen shows every commit made
    before it, by any connection (while an engine commits several times a second too)."""
    done = app.polls
    await until(pilot, lambda: app.polls > done, "a change poll of the console's")
    await pilot.pause()


async def let_run(pilot, seconds: float, why: str) -> None:
    """Only for a claim that something does NOT happen: let the app run `seconds` (a time in which
    it would have happened, e.g. two of its own polls), then the test looks. Never a wait for
    something that should happen: use `until`. `why` names the claim, for the reader."""
    assert why
    await pilot.pause(seconds)


async def live(pilot, app) -> None:
    """The console has started what its first frames deferred (polling, the engine, the Overview):
    its first change poll has run."""
    await until(pilot, lambda: app.polls > 0, "the console's first change poll")


async def item_shown(pilot, app, name: str) -> None:
    """Go to a machine on the items screen (`show_item`) and wait until it is highlighted and its
    Overview shows it (the Overview's first view comes after start-up's first frames)."""
    from tui.widgets.item_table import ItemTable
    from tui.widgets.overview import OverviewPane

    app.show_item(name)

    def shown() -> bool:
        tables, panes = app.screen.query(ItemTable), app.screen.query(OverviewPane)
        if not tables or not panes:
            return False
        row, item = tables.first().highlighted, panes.first().item
        return row is not None and row.name == name and item is not None and item.name == name

    await until(pilot, shown, f"{name} highlighted on the items screen, its Overview shown")
