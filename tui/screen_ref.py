"""ScreenRef: a mode's screen class, imported when the mode is first shown (not at start-up)."""

from __future__ import annotations

import importlib
from functools import cached_property
from typing import Any

from textual.screen import Screen


class ScreenRef:
    """Stands for a Screen class in `App.MODES`: Textual calls it to make the mode's screen; any
    other attribute (`BINDINGS`, ...) is the class's. The console starts on one screen, so the
    others' modules (their widgets, DataTable, Switch, ...) load on first use, not before the
    first frame."""

    def __init__(self, module: str, name: str) -> None:
        self.module = module
        self.name = name

    @cached_property
    def cls(self) -> type[Screen]:
        """The screen class (importing its module)."""
        return getattr(importlib.import_module(self.module), self.name)

    def __call__(self) -> Screen:
        return self.cls()

    def shows(self, screen: Screen) -> bool:
        """Whether `screen` is one of this mode's (without importing the class to check)."""
        return type(screen).__module__ == self.module and type(screen).__name__ == self.name

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self.cls, attribute)

    def __repr__(self) -> str:
        return f"ScreenRef({self.module!r}, {self.name!r})"
