"""Shared fixtures: a temporary database path, and one holding the default Contoso demo fleet."""

from __future__ import annotations

from pathlib import Path

import pytest

from store.db import open_db
from store.sim.loader import load_scenario
from store.sim.scenario import read_scenario

CONTOSO = Path(__file__).resolve().parent.parent / "demo_data" / "contoso.json"


@pytest.fixture
def tmp_db_path(tmp_path: Path) -> Path:
    """Where a test's database goes (not created yet)."""
    return tmp_path / "asr.db"


@pytest.fixture
def contoso_db(tmp_db_path: Path) -> Path:
    """The path of a database loaded with demo_data/contoso.json."""
    db = open_db(tmp_db_path)
    try:
        load_scenario(db, read_scenario(CONTOSO), source=str(CONTOSO))
    finally:
        db.conn.close()
    return tmp_db_path


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--reverse", action="store_true",
                     help="run the collected tests in reverse order (a test must not lean on what ran before)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--reverse"):
        items.reverse()
