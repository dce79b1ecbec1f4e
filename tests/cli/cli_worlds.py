"""The engine tests' scenario builders (tests/engine/worlds.py), importable from the CLI tests."""

from __future__ import annotations

import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "engine_worlds", Path(__file__).parents[1] / "engine" / "worlds.py"
)
_module = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_module)

world = _module.world
machine = _module.machine
appliance = _module.appliance
load = _module.load
LATEST = _module.LATEST
CURRENT_COMPONENTS = _module.CURRENT_COMPONENTS
OLD_COMPONENTS = _module.OLD_COMPONENTS
