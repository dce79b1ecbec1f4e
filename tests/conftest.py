"""Shared fixtures: a temporary database path, and one holding the default Contoso demo fleet."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from store.db import open_db
from store.sim.loader import load_scenario
from store.sim.scenario import read_scenario

# A suite started in the background (`nohup make test &`, a script's `&`) inherits SIGINT ignored,
# and
# so would every process it starts: the tests stop theirs with SIGINT, as an operator's ^C would.
signal.signal(signal.SIGINT, signal.default_int_handler)

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
    parser.addoption(
        "--reverse",
        action="store_true",
        help="run the collected tests in reverse order (a test must not lean on what ran before)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--reverse"):
        items.reverse()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "paint_hook(name): checks a hook of tui/paint's fast path "
        "(skipped when ASR_CONSOLE_PAINT leaves it out)",
    )


def pytest_runtest_setup(item: pytest.Item) -> None:
    for mark in item.iter_markers("paint_hook"):
        from tui import paint

        if not paint.enabled(mark.args[0]):
            setting = os.environ.get(paint.ENV)
            pytest.skip(f"the {mark.args[0]} paint hook is off ({paint.ENV}={setting})")
