"""The scenario library in demo_data/: a scenario by name or by path, and what each one shows."""

from __future__ import annotations

import os
from pathlib import Path

from store.errors import BadInput

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo_data"
DEFAULT_SCENARIO = "contoso"


def scenario_path(name_or_path: str | None) -> Path:
    """A scenario by file path, or by name from demo_data/ (e.g. `contoso`)."""
    name = name_or_path or DEFAULT_SCENARIO
    candidate = Path(name)
    if candidate.suffix == ".json" or os.sep in name:
        if not candidate.exists():
            raise BadInput(f"{name}: no such scenario file")
        return candidate
    path = DEMO_DIR / f"{name}.json"
    if not path.exists():
        known = ", ".join(sorted(p.stem for p in DEMO_DIR.glob("*.json")))
        raise BadInput(f"no demo scenario named {name!r} (known: {known})")
    return path
