"""Start-up cost: what a fresh process imports before the console's first frame or a command runs
(each module is paid on every start; the engine's load on its own thread, after the first frame)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def imported_after(statement: str) -> set[str]:
    code = f"import sys\n{statement}\nprint(','.join(sorted(sys.modules)))\n"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return set(out.stdout.strip().split(","))


def test_the_command_line_loads_only_the_command_it_runs() -> None:
    loaded = imported_after("import tui.cli")
    assert not {
        m
        for m in loaded
        if m.startswith(("tui.cli.", "click", "pydantic", "store.models", "sqlite_utils"))
    }
    loaded = imported_after("from tui.cli import cli\ncli.get_command(None, 'items')")
    assert {m for m in loaded if m.startswith("tui.cli.")} == {
        "tui.cli.group",
        "tui.cli.common",
        "tui.cli.context",
        "tui.cli.fleet_cmds",
    }


def test_opening_the_console_does_not_load_the_command_line_parser() -> None:
    loaded = imported_after("import tui.cli, tui.launch, tui.app")
    assert {
        m for m in loaded if m.startswith(("click", "tui.cli.group", "tui.cli.common"))
    } == set()


def test_the_console_loads_the_engine_on_its_thread_not_before_the_first_frame() -> None:
    loaded = imported_after("import tui.cli, tui.launch, tui.app")
    assert "tui.app" in loaded
    early = {m for m in loaded if m.startswith(("store.engine", "store.operations", "store.sim"))}
    # The thread's own module is a shell (the standard library only); what it runs loads on the
    # thread.
    assert early <= {"store.engine", "store.engine.worker"}


def test_the_console_opens_its_database_without_pydantic_or_sqlite_utils(tmp_path: Path) -> None:
    """Up to its first frame the console needs neither: pydantic loads with the first view (the
    overview, just after the first frame), sqlite-utils only to migrate a database."""
    db = tmp_path / "fleet.db"
    subprocess.run(
        [sys.executable, "-m", "tui.cli", "demo", "load", "--db", str(db)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    loaded = imported_after(
        "import tui.cli, tui.launch\n"
        "from store.service import Service\n"
        f"Service.open({str(db)!r}, create=False).close()\n"
        "from tui.app import ConsoleApp\n"
        f"ConsoleApp(db_path={str(db)!r}, engine=True)"
    )
    assert "tui.app" in loaded
    assert {
        m for m in loaded if m.startswith(("pydantic", "store.models", "sqlite_utils"))
    } == set()


def test_the_console_loads_only_the_screen_it_opens_on() -> None:
    """The other screens (and what only they use: DataTable, Switch, the job table) load when the
    operator first switches to them."""
    loaded = imported_after("import tui.cli, tui.launch, tui.app")
    later = {
        "tui.screens.jobs",
        "tui.screens.appliances",
        "tui.screens.settings",
        "tui.widgets.job_table",
        "textual.widgets._data_table",
        "textual.widgets._switch",
    }
    assert loaded & later == set()
