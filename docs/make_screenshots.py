"""Regenerate the README's screenshots from the console itself: `.venv/bin/python
docs/make_screenshots.py`.

Each shot opens the console (or a tour) on a fresh temporary copy of a demo scenario, presses the
keys an operator would, and writes docs/screenshots/NAME.svg. The engine's clock does not move
while a shot is taken, so the same code gives the same pictures.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(ROOT))

from store import operations
from store.db import open_db
from tui.app import ConsoleApp
from tui.tour.keys import Type, expand
from tui.tour.launch import fresh_database

OUT = ROOT / "docs" / "screenshots"
SIZE = (120, 36)
SETTLE_S = 0.6
"""Long enough for the console's change poll and any dialog to draw."""


@dataclass(frozen=True)
class Shot:
    """One screenshot: a scenario (or a tour on its scenario), the keys pressed first, a caption."""

    name: str
    scenario: str
    keys: tuple[str | Type, ...] = ()
    tour: str | None = None
    """Take it in this tour (presenter mode), after `keys`."""
    caption: str = ""


SHOTS: tuple[Shot, ...] = (
    Shot(
        "console",
        "contoso",
        caption="Replicated items: status facets, the item table and the VM overview",
    ),
    Shot(
        "blocking-reasons",
        "contoso",
        ("slash", Type("pay-app-01"), "enter", "enter"),
        caption="Cannot update to latest version: each blocking reason with its recommended action",
    ),
    Shot(
        "bulk-update",
        "contoso",
        ("b", "a"),
        caption="The bulk update dialog: blocked machines are listed, not selectable",
    ),
    Shot("jobs", "contoso", ("j",), caption="Monitoring > Site Recovery jobs"),
    Shot(
        "appliances",
        "contoso",
        ("a", "down"),
        caption="Appliances: components, versions, AutoUpdate",
    ),
    Shot(
        "tour",
        "blocked-machine",
        ("ctrl+n", "slash", Type("app-lnx-02"), "enter"),
        tour="blocked-machine",
        caption="asr-console tour blocked-machine: the narration says what to press next",
    ),
)


def freeze_clock(path: Path) -> None:
    """Pause engine time in the fresh database, so the clock in the picture never depends on
    timing."""
    db = open_db(path)
    try:
        operations.clock_pause(db, True, actor="screenshots")
    finally:
        db.close()


async def take(shot: Shot, size: tuple[int, int] = SIZE) -> str:
    """The SVG of one shot."""
    with fresh_database(shot.scenario) as path:
        freeze_clock(path)
        if shot.tour is not None:
            from tui.tour.app import TourApp
            from tui.tour.catalog import find_tour
            from tui.tour.model import BRISK

            app: ConsoleApp = TourApp(find_tour(shot.tour), db_path=path, auto=False, pace=BRISK)
        else:
            app = ConsoleApp(db_path=path)
        async with app.run_test(size=size) as pilot:
            await pilot.pause(SETTLE_S)
            for _stroke, key in expand(shot.keys):
                await pilot.press(key)
            await pilot.pause(SETTLE_S)
            return app.export_screenshot(title=shot.caption or None)


async def make(names: Sequence[str] = (), out: Path = OUT) -> list[Path]:
    """Write the named shots (all without names) to `out`; returns the files written."""
    out.mkdir(parents=True, exist_ok=True)
    unknown = set(names) - {s.name for s in SHOTS}
    if unknown:
        raise SystemExit(f"unknown shot(s): {', '.join(sorted(unknown))}")
    written = []
    for shot in SHOTS:
        if names and shot.name not in names:
            continue
        target = out / f"{shot.name}.svg"
        target.write_text(await take(shot), encoding="utf-8")
        written.append(target)
    return written


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="only these shots (default: all)")
    parser.add_argument("--out", type=Path, default=OUT, help="output directory")
    args = parser.parse_args(argv)
    for path in asyncio.run(make(args.names, args.out)):
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


if __name__ == "__main__":
    main()
