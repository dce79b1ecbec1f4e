"""Start a tour on a fresh temporary copy of its scenario (never the user's database)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from store.demo import demo_fleet
from tui.tour.model import STAGE, Pace, Tour


@contextmanager
def fresh_database(scenario: str) -> Iterator[Path]:
    """A database loaded from a demo scenario, in a temporary directory removed afterwards."""
    fleet = demo_fleet(scenario)
    with tempfile.TemporaryDirectory(prefix="asr-tour-") as tmp:
        path = Path(tmp) / f"{fleet.name}.db"
        fleet.load(path, actor="tour")
        yield path


def run_tour(tour: Tour, *, auto: bool = False, pace: Pace = STAGE):
    """Run the tour full screen; returns its TourResult (None when quit before it ended)."""
    from tui.tour.app import TourApp

    with fresh_database(tour.name) as path:
        app = TourApp(tour, db_path=path, auto=auto, pace=pace)
        app.run()
        return app.result
