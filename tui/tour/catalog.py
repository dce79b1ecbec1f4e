"""Every tour, in the order `asr-console tour --list` shows them."""

from __future__ import annotations

from store.errors import BadInput
from tui.tour.model import Tour
from tui.tour.stories_agents import BLOCKED_MACHINE, FAILED_UPDATE, UPDATE_MANY, UPDATE_ONE
from tui.tour.stories_fleet import APPLIANCE_AUTOUPDATE, INCOMPATIBLE_APPLIANCE, NIGHTLY_UPDATE
from tui.tour.stories_rollout import STAGED_ROLLOUT

TOURS: tuple[Tour, ...] = (
    NIGHTLY_UPDATE,
    UPDATE_MANY,
    UPDATE_ONE,
    BLOCKED_MACHINE,
    FAILED_UPDATE,
    APPLIANCE_AUTOUPDATE,
    INCOMPATIBLE_APPLIANCE,
    STAGED_ROLLOUT,
)


def find_tour(name: str | None) -> Tour:
    """The named tour (the first one without a name); bad input names the known ones."""
    if name is None:
        return TOURS[0]
    for tour in TOURS:
        if tour.name == name:
            return tour
    raise BadInput(f"no tour named {name!r} (known: {', '.join(t.name for t in TOURS)})")
