"""CLI fixtures: a real database file, and `asr-console` run as a real subprocess (or in-process
for the error-contract details, which are many and cheap)."""

from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import cli_worlds as worlds
import pytest
from cli_process import Ran, run_cli


class Console:
    """`asr-console ... --db PATH`, as a subprocess (`run`) or in this process (`call`)."""

    def __init__(self, db: Path) -> None:
        self.db = db

    def run(self, *args: str) -> Ran:
        return run_cli(self.db, *args)

    def call(self, *args: str) -> Ran:
        from tui.cli import main

        out, err = io.StringIO(), io.StringIO()
        code = 0
        with redirect_stdout(out), redirect_stderr(err):
            try:
                main([*args, "--db", str(self.db)])
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
        return Ran(code, out.getvalue(), err.getvalue())


@pytest.fixture
def console(tmp_path: Path):
    def make(data: dict | None = None) -> Console:
        path = tmp_path / "fleet.db"
        worlds.load(path, data or worlds.world()).close()
        return Console(path)

    return make
