"""Demo fleets: a scenario of the library (or a generated fleet) loaded into a database file, the
one way `demo load`, the first run and the tours make one."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from store.sim.library import DEMO_DIR, scenario_path

if TYPE_CHECKING:
    from store.sim.scenario import Scenario


@dataclass(frozen=True)
class DemoFleet:
    """A fleet read and checked, ready to load: bad input is said before any file is touched."""

    source: str
    """Where it came from: the scenario file, or `generated:ITEMS:SEED`."""
    name: str
    """The scenario's name (its file's stem), or `generated`."""
    world: Scenario

    def load(self, path: Path, *, replace: bool = False, actor: str = "") -> dict[str, int]:
        """Load into the database at `path` (created when missing, and removed again when the load
        fails); `replace` an existing fleet. Returns what was loaded, per kind."""
        from store.db import open_db
        from store.db_files import removed_on_failure
        from store.sim.loader import load_scenario

        with removed_on_failure(path):
            database = open_db(path)
            try:
                return load_scenario(
                    database, self.world, source=self.source, replace=replace, actor=actor
                )
            finally:
                database.close()


def demo_fleet(scenario: str | None = None) -> DemoFleet:
    """A scenario by name (default: the demo fleet) or by file path."""
    from store.sim.scenario import read_scenario

    path = scenario_path(scenario)
    return DemoFleet(str(path), path.stem, read_scenario(path))


def generated_fleet(items: int, seed: int) -> DemoFleet:
    """A generated fleet of `items` machines (the scale benchmarks' kind)."""
    from store.sim.generator import generate

    return DemoFleet(f"generated:{items}:{seed}", "generated", generate(items, seed))


def scenarios() -> list[tuple[str, str]]:
    """(name, description) of every scenario in the library (demo_data/), by name."""
    from store.sim.scenario import read_scenario

    return [(p.stem, read_scenario(p).description) for p in sorted(DEMO_DIR.glob("*.json"))]
