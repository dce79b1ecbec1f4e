"""A plain console start is recognised without click; everything else is left to click, which
says what is wrong in one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tui.cli import ConsoleOptions, console_options

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], ConsoleOptions()),
        (["--db", "f.db"], ConsoleOptions(db="f.db")),
        (["--db=f.db", "--vault", "east", "--read-only"], ConsoleOptions("f.db", "east", True)),
        (
            ["--read-only", "--vault=west", "--db", "a.db", "--db", "b.db"],
            ConsoleOptions("b.db", "west", True),
        ),
    ],
)
def test_a_plain_console_start_is_recognised(args: list[str], expected: ConsoleOptions) -> None:
    assert console_options(args) == expected


@pytest.mark.parametrize(
    "args",
    [
        ["items"],
        ["--db", "f.db", "items"],
        ["--help"],
        ["-h"],
        ["--db"],
        ["--db="],
        ["--db", "--read-only"],
        ["--vault", ""],
        ["--dbx", "f.db"],
        ["--read-only=yes"],
        ["--db", "f.db", "extra"],
    ],
)
def test_anything_else_goes_to_click(args: list[str]) -> None:
    assert console_options(args) is None


def _asr(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tui.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )


def test_a_console_start_that_cannot_open_its_database_fails_in_one_line(tmp_path: Path) -> None:
    for args, says in [
        (
            ["--db", str(tmp_path / "nowhere" / "missing.db")],
            "no such folder",
        ),  # a new file starts as the demo
        (["--db", str(tmp_path / "missing.db"), "--read-only"], "no such database"),
        (["--db", str(tmp_path)], "is a directory"),
        (["--db", str(tmp_path / "nowhere" / "f.db"), "--read-only"], "does not exist"),
    ]:
        ran = _asr(*args)
        assert ran.returncode == 2, (args, ran.stderr)
        assert ran.stdout == ""
        assert (
            ran.stderr.count("\n") == 1
            and ran.stderr.startswith("asr-console: ")
            and says in ran.stderr
        ), args


def test_malformed_console_options_get_clicks_one_line_usage_error() -> None:
    ran = _asr("--db")
    assert ran.returncode == 2
    assert ran.stderr.count("\n") == 1 and "--db" in ran.stderr and "--help" in ran.stderr
