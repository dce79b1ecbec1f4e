"""The layers, as import contracts (pyproject.toml, [tool.importlinter]): the store imports neither
the console nor Textual; the console enters the store only through its public modules and opens
no database of its own. `make lint` runs the same check; here `make test` enforces it too."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_import_contracts_are_kept() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    ran = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert "Contracts: 3 kept, 0 broken." in ran.stdout, ran.stdout[-3000:] + ran.stderr
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr
