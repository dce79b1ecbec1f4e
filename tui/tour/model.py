"""What a tour is: a declarative list of steps (narration, keys or an act, and the state that ends
it)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import TYPE_CHECKING, Literal, Protocol

from tui.tour.keys import Stroke

if TYPE_CHECKING:
    from textual.screen import Screen
    from textual.widget import Widget

    from store.engine.worker import EngineThread
    from store.service import Service, VaultInfo


class TourStalled(Exception):
    """A step did not reach its state in time; the message says which and why."""


class TourHost(Protocol):
    """The running console, as a tour's checks, acts and narration see it (the tour's app is
    one)."""

    service: Service
    engine: EngineThread | None
    """The console's engine (None when it runs without one)."""

    @property
    def vault(self) -> VaultInfo | None: ...

    @property
    def screen(self) -> Screen: ...

    @property
    def focused(self) -> Widget | None: ...

    def after_change(self, *, polled: bool = False) -> None:
        """The data changed: the screens show it now."""

    def local_time_text(self, iso_utc: str) -> str:
        """An ISO UTC time as the vault's local HH:MM (with the zone)."""


Check = Callable[[TourHost], bool]
"""A predicate over the running console: True once a step's state is reached."""
Act = Callable[[TourHost], Awaitable[None] | None]
"""A change the tour makes itself: to the simulated world (a reboot) or to engine time."""
Say = str | Callable[[TourHost], str]
"""Narration: plain text, or text computed when the step starts (e.g. the next check's time)."""

StepKind = Literal["keys", "act", "fast-forward", "narrate"]


@dataclass(frozen=True)
class Step:
    """One step: what the narrator says, what is done, and the state that says it is done."""

    say: Say
    """The narration shown while the step runs."""
    keys: tuple[Stroke, ...] = ()
    """What the operator presses (or types); --auto presses them, the presenter is told to."""
    done: Check | None = None
    """The state that ends the step; None: the step ends once performed (or, for narration,
    after a reading pause in --auto and ctrl+n from the presenter)."""
    act: Act | None = None
    """A change the tour makes itself (the presenter triggers it with ctrl+n)."""
    act_label: str = ""
    """How the panel names the act, e.g. `Restart app-lnx-02`."""
    fast_forward: timedelta | None = None
    """Move engine time forward in increments of this much until `done` holds."""
    limit: timedelta = timedelta(hours=6)
    """The most engine time a fast-forward may take before the tour gives up."""

    @property
    def kind(self) -> StepKind:
        if self.keys:
            return "keys"
        if self.act is not None:
            return "act"
        if self.fast_forward is not None:
            return "fast-forward"
        return "narrate"


@dataclass(frozen=True)
class Tour:
    """A guided walk through one procedure of the seed, on its own scenario."""

    name: str
    """Command-line name; also the scenario file `demo_data/<name>.json` the tour starts from."""
    title: str
    """One line for `asr-console tour --list` and the panel's title."""
    seed_section: str
    """The section of the seed article the tour performs."""
    steps: tuple[Step, ...]
    """The steps, in order."""
    outcome: Check
    """The state the seed describes at the end (the tests assert it)."""
    outcome_text: str
    """That state in words, shown when the tour is complete."""


@dataclass(frozen=True)
class Pace:
    """How fast --auto goes and how fast engine time is fast-forwarded (wall seconds)."""

    read_s: float = 2.0
    """Pause before a step is performed, so the audience can read it."""
    read_per_char_s: float = 0.03
    """Extra reading time per character of narration."""
    read_max_s: float = 7.0
    """The longest reading pause."""
    key_s: float = 0.8
    """Between two key presses."""
    type_s: float = 0.12
    """Between two typed characters."""
    tick_s: float = 0.2
    """Between two fast-forward increments."""
    fast_forward_factor: float = 1.0
    """Multiplies each step's fast-forward increment."""
    step_timeout_s: float = 60.0
    """How long --auto waits for a step's state after performing it before it gives up."""

    def reading(self, text: str) -> float:
        return min(self.read_max_s, self.read_s + self.read_per_char_s * len(text))

    def scaled(self, factor: float) -> Pace:
        """Slower (factor > 1) or faster (< 1) presenting; fast-forwards keep their engine steps."""
        return replace(
            self,
            read_s=self.read_s * factor,
            read_per_char_s=self.read_per_char_s * factor,
            read_max_s=self.read_max_s * factor,
            key_s=self.key_s * factor,
            type_s=self.type_s * factor,
        )


STAGE = Pace()
"""For an audience."""
BRISK = Pace(
    read_s=0.0,
    read_per_char_s=0.0,
    read_max_s=0.0,
    key_s=0.0,
    type_s=0.0,
    tick_s=0.03,
    fast_forward_factor=5.0,
    step_timeout_s=20.0,
)
"""For tests and screenshots: no reading pauses, large fast-forward increments."""


# -- builders: each tour reads as a list of these
# -------------------------------------------------------


def narrate(say: Say) -> Step:
    """Only words: --auto pauses to let them be read; the presenter continues with ctrl+n."""
    return Step(say=say)


def press(*keys: Stroke, say: Say, until: Check) -> Step:
    """The operator presses `keys`; the step ends when `until` holds, however it was reached."""
    return Step(say=say, keys=tuple(keys), done=until)


def world(label: str, act: Act, *, say: Say, until: Check | None = None) -> Step:
    """The tour changes the simulated world or engine time (ctrl+n for the presenter)."""
    return Step(say=say, act=act, act_label=label, done=until)


def fast_forward(
    say: Say,
    *,
    until: Check,
    every: timedelta = timedelta(minutes=1),
    limit: timedelta = timedelta(hours=6),
) -> Step:
    """Engine time runs fast (ctrl+n for the presenter) until `until` holds; ends early when it
    does."""
    return Step(say=say, done=until, fast_forward=every, limit=limit)
