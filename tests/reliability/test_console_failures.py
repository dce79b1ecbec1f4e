"""The console (`asr-console --db X`, in a real process on a pseudo-terminal) on a database it
cannot run: one line on stderr and a non-zero exit, never a traceback and exit 0 (Textual's own
return code was ignored)."""

from __future__ import annotations

import os
import pty
import sqlite3
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from reliability_kit import PY, ROOT, checkpoint, cli_env, load_world, worlds

ESCAPE = "\x1b"


def run_console(db: Path, timeout: float = 60) -> tuple[int, str]:
    """The console on `db` with a terminal for its screen; (exit code, stderr without the
    terminal's control sequences, which Textual writes there too)."""
    master, slave = pty.openpty()
    process = subprocess.Popen(
        [PY, "-m", "tui.cli", "--db", str(db)],
        cwd=ROOT,
        env=cli_env({"TERM": "xterm"}),
        stdin=slave,
        stdout=slave,
        stderr=subprocess.PIPE,
    )
    os.close(slave)

    def drain() -> None:  # the screen: read so the console never blocks writing it
        try:
            while os.read(master, 65536):
                pass
        except OSError:
            pass

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        err = process.stderr.read().decode(errors="replace")
        process.wait(timeout=timeout)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stderr.close()
        os.close(master)
        reader.join(timeout=10)
    text = err
    while ESCAPE in text:  # drop CSI sequences: ESC [ params final-byte
        start = text.index(ESCAPE)
        end = start + 2
        while end < len(text) and not ("@" <= text[end] <= "~"):
            end += 1
        text = text[:start] + text[end + 1 :]
    return process.returncode, text


def _no_fleet(db: Path) -> None:
    conn = sqlite3.connect(db)
    with conn:
        for table in ("tasks", "jobs", "items", "components", "appliances", "releases", "vaults"):
            conn.execute(f"DELETE FROM {table}")
    conn.close()


def _year_one(db: Path) -> None:
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE clock SET now = '1-01-02T04:41:02Z'")
    conn.close()


def _damaged_items(db: Path) -> None:
    """The items table's root page overwritten: the file opens, the first query of items fails."""
    conn = sqlite3.connect(db)
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'items'").fetchone()[0]
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    with db.open("r+b") as file:
        file.seek((root - 1) * size)
        file.write(b"\x07" * size)


CASES: dict[str, tuple[Callable[[Path], None], str, tuple[int, ...]]] = {
    "tables-but-no-fleet": (_no_fleet, "holds no fleet", (2,)),
    "year-1-clock": (_year_one, "outside engine time", (2,)),
    "damaged-items-table": (_damaged_items, "database disk image is malformed", (1, 2)),
}


@pytest.mark.parametrize("case", list(CASES))
def test_the_console_on_a_database_it_cannot_run_says_so_in_one_line(
    case: str, tmp_path: Path
) -> None:
    spoil, says, codes = CASES[case]
    db = load_world(
        tmp_path / "fleet.db",
        worlds.world(items=[worlds.machine(f"web-{n:02d}") for n in range(40)]),
    )
    checkpoint(db)
    spoil(db)
    code, err = run_console(db)
    # Textual adds "NOTE: 1 of N errors shown" when widgets failed on the same damaged page.
    lines = [
        line for line in err.splitlines() if line.strip() and not line.startswith("NOTE: 1 of")
    ]
    assert code in codes, (code, err)
    assert "Traceback" not in err and len(lines) == 1 and lines[0].startswith("asr-console: "), err
    assert says in lines[0], err
