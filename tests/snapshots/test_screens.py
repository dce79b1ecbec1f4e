"""SVG snapshots of the console's screens at 80x24 and 120x40 (pytest-textual-snapshot)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.app import ConsoleApp

SIZES = [(80, 24), (120, 40)]


class TestReplicatedItems:
    @pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
    def test_home(self, snap_compare, contoso_db: Path, size: tuple[int, int]) -> None:
        assert snap_compare(ConsoleApp(db_path=contoso_db), terminal_size=size)

    @pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
    def test_blocked_machine_highlighted(self, snap_compare, contoso_db: Path, size: tuple[int, int]) -> None:
        assert snap_compare(ConsoleApp(db_path=contoso_db), press=["3"], terminal_size=size)
