"""TourApp: the console with a narration panel, playing a tour's steps (--auto) or following a
presenter."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import ClassVar
from weakref import WeakSet

from textual.binding import Binding, BindingType
from textual.screen import Screen

import tui.app
from store.errors import StoreError
from tui.app import ConsoleApp
from tui.tour.keys import Type, expand, key_event
from tui.tour.model import STAGE, Pace, Step, Tour, TourStalled
from tui.tour.panel import NEXT_KEYS, NarrationPanel, Progress

POLL_S = 0.05
"""How often a step's state is checked."""
SETTLE_ROUNDS = 2
"""Rounds of queue draining after a key: one for the key, one for what it scheduled (focus,
mount)."""
SETTLE_TIMEOUT_S = 2.0
"""A message queue that is not drained within this (the app is closing) ends the wait."""
ENGINE_START_S = 10.0
"""How long the tour waits for the console's engine to hold the engine lease."""


@dataclass(frozen=True)
class TourResult:
    """How a tour ended: complete with the seed's end state, or stalled at a step."""

    ok: bool
    """True when every step completed and the outcome holds."""
    message: str
    """What happened, in one line."""
    steps_done: int
    """How many steps completed."""
    wall_s: float
    """Wall seconds from the first step to the end."""


class TourApp(ConsoleApp):
    """The operator console, on a fresh scenario database, with a tour narrated at the bottom."""

    CSS_PATH = str(
        Path(tui.app.__file__).with_name("app.tcss")
    )  # relative paths resolve beside this module
    CSS = """
    /* Notifications at the top right, so they never cover the narration at the bottom. */
    ToastRack {
        dock: top;
        align: right top;
        margin-bottom: 0;
        margin-top: 3;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(NEXT_KEYS, "tour_next", "Tour: next", priority=True, id="tour.next"),
    ]

    def __init__(
        self, tour: Tour, *, db_path: str | Path, auto: bool = False, pace: Pace = STAGE
    ) -> None:
        """`auto`: the tour presses the keys itself; otherwise it waits for the presenter."""
        super().__init__(db_path=db_path, engine=True)
        self.tour = tour
        self.auto = auto
        self.pace = pace
        self.result: TourResult | None = None
        """Set when the tour ends (complete or stalled)."""
        self._progress = Progress(title=tour.title, auto=auto, total=len(tour.steps))
        self._panels: WeakSet[NarrationPanel] = WeakSet()
        self._nudged = asyncio.Event()

    def poll_changes(self) -> None:
        """The console's live refresh, skipped once the app shuts down: the engine commits until the
        very end, and a refresh then would query screens that are being taken apart."""
        if self.is_running:
            super().poll_changes()

    # -- the panel on every screen ----------------------------------------------------------------
    def on_mount(self) -> None:
        self.screen_change_signal.subscribe(self, self._screen_changed)
        self.call_after_refresh(self._screen_changed, self.screen)
        self.run_worker(
            self._play(), name="tour", group="tour", exclusive=True, exit_on_error=False
        )

    def _screen_changed(self, screen: Screen) -> None:
        """Every screen and dialog the tour passes through gets the narration panel."""
        if screen.is_attached and not screen.query(NarrationPanel):
            screen.mount(NarrationPanel())

    def register_panel(self, panel: NarrationPanel) -> None:
        """A panel was mounted: it shows the current progress, and every later change."""
        self._panels.add(panel)
        panel.progress = self._progress

    def unregister_panel(self, panel: NarrationPanel) -> None:
        """A panel was unmounted (its dialog closed)."""
        self._panels.discard(panel)

    @property
    def progress(self) -> Progress:
        """What the panel shows now."""
        return self._progress

    def _show(self, **changes) -> None:
        """Publish a new progress snapshot to every panel."""
        self._progress = replace(self._progress, **changes)
        for panel in list(self._panels):
            panel.progress = self._progress

    # -- the presenter's key ----------------------------------------------------------------------
    def action_tour_next(self) -> None:
        """ctrl+n or F2: perform the current step for the presenter (or continue after
        narration)."""
        self._nudged.set()

    # -- playing the tour -------------------------------------------------------------------------
    async def _play(self) -> None:
        """The tour worker: every step in order, then the seed's end state; sets `result`."""
        began = time.monotonic()
        done = 0
        try:
            await self._wait_for_engine()
            for index, step in enumerate(self.tour.steps):
                await self._run_step(index, step)
                done += 1
            ok = self.tour.outcome(self)
            message = (
                self.tour.outcome_text
                if ok
                else f"the end state is not reached: {self.tour.outcome_text}"
            )
            self._show(
                phase="complete" if ok else "stalled",
                pressing=None,
                keys=(),
                note="" if ok else message,
                say=self.tour.outcome_text,
            )
        except (TourStalled, StoreError) as exc:
            ok, message = False, f"step {done + 1}: {exc}"
            self._show(phase="stalled", pressing=None, note=str(exc))
        except Exception as exc:  # noqa: BLE001 - a bug: say so on screen rather than hang the stage
            ok, message = False, f"step {done + 1}: {exc.__class__.__name__}: {exc}"
            self.log.error(message)
            self._show(phase="stalled", pressing=None, note=message)
        self.result = TourResult(
            ok=ok, message=message, steps_done=done, wall_s=time.monotonic() - began
        )

    async def _wait_for_engine(self) -> None:
        """Start once the console's engine holds the lease and the first screen is ready for
        keys."""
        waited = 0.0
        while self.engine is None or not self.engine.holding or not self.screen.is_mounted:
            if waited > ENGINE_START_S:
                raise TourStalled(
                    "the console's engine did not start (another process holds the engine lease?)"
                )
            await asyncio.sleep(POLL_S)
            waited += POLL_S
        await self._settle()

    async def _run_step(self, index: int, step: Step) -> None:
        """--auto: read, perform, wait for the state. Presenter: wait for the state, or ctrl+n."""
        say = step.say(self) if callable(step.say) else step.say
        self._nudged.clear()
        self._show(
            index=index,
            say=say,
            keys=step.keys,
            pressing=None,
            act_label=step.act_label,
            kind=step.kind,
            phase="waiting",
            note="",
        )
        if self.auto:
            await asyncio.sleep(self.pace.reading(say))
            await self._perform(step)
            await self._until(step)
            return
        while True:  # presenter mode: the state is reached however the presenter gets there
            if step.done is not None and step.done(self):
                return
            if self._nudged.is_set():
                self._nudged.clear()
                await self._perform(step)
                if step.done is None:
                    return
                self._show(phase="waiting", pressing=None)
            await asyncio.sleep(POLL_S)

    async def _perform(self, step: Step) -> None:
        """Do what the step says, visibly: each key in turn, the act, the fast-forward."""
        self._show(phase="performing")
        for stroke, key in expand(step.keys):
            self._show(pressing=stroke)
            self.post_message(key_event(key))
            typing = isinstance(step.keys[stroke], Type)
            await self._settle(rounds=1 if typing else SETTLE_ROUNDS)
            await asyncio.sleep(self.pace.type_s if typing else self.pace.key_s)
        self._show(pressing=None)
        if step.act is not None:
            outcome = step.act(self)
            if asyncio.iscoroutine(outcome):
                await outcome
        if step.fast_forward is not None:
            await self._fast_forward(step)

    async def _settle(self, rounds: int = SETTLE_ROUNDS) -> None:
        """Wait until the key just sent, and what it set off (a focus change, a dialog's mount), is
        processed, so the next key reaches what the operator would see by then."""
        for _ in range(rounds):
            for pump in (self, self.screen):
                processed = asyncio.Event()
                if pump.is_running and pump.call_later(processed.set):
                    try:
                        await asyncio.wait_for(processed.wait(), SETTLE_TIMEOUT_S)
                    except TimeoutError:
                        return

    async def _fast_forward(self, step: Step) -> None:
        """Move engine time in increments until the step's state holds (the header shows the clock
        run)."""
        assert self.engine is not None and step.fast_forward is not None
        self._show(phase="fast-forward")
        increment = step.fast_forward * self.pace.fast_forward_factor
        start = self.service.clock().now
        target = None
        moved_at = time.monotonic()
        while step.done is None or not step.done(self):
            now = self.service.clock().now
            if now - start > step.limit:
                raise TourStalled(
                    f"{step.limit} of engine time passed and the state was not reached"
                )
            if target is None or now >= target:
                target = now + increment
                self.engine.skip_to(target)
                moved_at = time.monotonic()
                self._show(note=f"engine time {self.local_time_text_full(now)}")
            elif time.monotonic() - moved_at > self.pace.step_timeout_s:
                raise TourStalled(
                    "engine time does not move (is another process running the engine?)"
                )
            await asyncio.sleep(self.pace.tick_s)
        self.after_change()

    async def _until(self, step: Step) -> None:
        """--auto: wait (bounded) for the step's state after performing it."""
        if step.done is None:
            return
        waited = 0.0
        while not step.done(self):
            if waited > self.pace.step_timeout_s:
                raise TourStalled(f"not done after {self.pace.step_timeout_s:g} s: {_short(step)}")
            await asyncio.sleep(POLL_S)
            waited += POLL_S


def _short(step: Step) -> str:
    """The step's narration, cut for a one-line message."""
    say = step.say if isinstance(step.say, str) else "(narration)"
    return say if len(say) < 90 else say[:87] + "…"
