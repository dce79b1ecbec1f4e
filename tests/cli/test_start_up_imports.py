"""Start-up cost: what a fresh process imports before the console's first frame or a command runs
(each module is paid on every start; the engine's load on its own thread, after the first frame)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def imported_after(statement: str) -> set[str]:
    code = f"import sys\n{statement}\nprint(','.join(sorted(sys.modules)))\n"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return set(out.stdout.strip().split(","))


def test_the_command_line_loads_only_the_command_it_runs() -> None:
    loaded = imported_after("import tui.cli")
    assert not {m for m in loaded if m.startswith(("tui.cli.", "pydantic", "store.models", "sqlite_utils"))} - {
        "tui.cli.common"
    }


def test_the_console_loads_the_engine_on_its_thread_not_before_the_first_frame() -> None:
    loaded = imported_after("import tui.cli, tui.launch, tui.app")
    assert "tui.app" in loaded
    early = {m for m in loaded if m.startswith(("store.engine", "store.operations", "store.sim"))}
    assert early == set()
