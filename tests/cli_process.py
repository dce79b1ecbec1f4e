"""`asr-console` as a real process on a database file, and what it said (shared by the CLI and the
ARM endpoint's tests)."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass
class Ran:
    """One command's outcome."""

    code: int
    out: str
    err: str

    @property
    def json(self) -> Any:
        return json.loads(self.out)


def run_cli(db: Path, *args: str) -> Ran:
    """`asr-console ARGS --db DB` as a subprocess."""
    proc = subprocess.run(
        [sys.executable, "-m", "tui.cli", *args, "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    return Ran(proc.returncode, proc.stdout, proc.stderr)
