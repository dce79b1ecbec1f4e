"""Engine fixtures: a temp database with a small simulated world."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlite_utils import Database
from worlds import load, world


@pytest.fixture
def make_db(tmp_path: Path) -> Iterator[Callable[..., Database]]:
    opened: list[Database] = []

    def make(data: dict | None = None, name: str = "fleet.db") -> Database:
        db = load(tmp_path / name, data or world())
        opened.append(db)
        return db

    yield make
    for db in opened:
        db.close()
