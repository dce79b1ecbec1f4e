"""`asr-console --db NEW.db` (the README's `make run ARGS="--db /tmp/demo.db"`): a database that
does not exist yet starts as the demo fleet, as the default one does, and the console itself says
so (the terminal's line is hidden behind the console's screen). Real process, real terminal."""

from __future__ import annotations

import fcntl
import os
import pty
import stat
import struct
import subprocess
import termios
import threading
from pathlib import Path

from reliability_kit import PY, ROOT, cli_env, run_cli
from waiting import wait_for

ESCAPE = "\x1b"
ALTERNATE_SCREEN = b"\x1b[?1049h"
"""The sequence a full-screen program switches to its own screen with (Textual does at start)."""


def plain(screen: bytes) -> str:
    """What a terminal shows of `screen`, roughly: its text without control sequences."""
    text = screen.decode(errors="replace")
    out, n = [], 0
    while n < len(text):
        if text[n] == ESCAPE:
            n += 2
            while n < len(text) and not ("@" <= text[n] <= "~"):
                n += 1
        else:
            out.append(text[n])
        n += 1
    return "".join(out)


def test_a_new_database_named_on_the_command_line_starts_as_the_demo(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 120, 0, 0))  # a 120x30 terminal
    process = subprocess.Popen(
        [PY, "-m", "tui.cli", "--db", str(db)],
        cwd=ROOT,
        env=cli_env({"TERM": "xterm"}),
        stdin=slave,
        stdout=slave,
        stderr=slave,
    )  # Textual draws on stderr
    os.close(slave)
    screen = bytearray()

    def read() -> None:
        try:
            while chunk := os.read(master, 65536):
                screen.extend(chunk)
        except OSError:
            pass

    reader = threading.Thread(target=read, daemon=True)
    reader.start()

    def console() -> (
        str
    ):  # what the console drew on its own screen, after the line printed before it
        return plain(bytes(screen).partition(ALTERNATE_SCREEN)[2])

    try:
        wait_for(
            lambda: "Created" in console() and "Replicated items" in console(),
            lambda: f"the console says it created the database:\n{console()[-2000:]}",
            timeout=60,
        )
        os.write(master, b"q")
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(master)
        reader.join(timeout=10)
    before = plain(bytes(screen).partition(ALTERNATE_SCREEN)[0])
    assert process.returncode == 0, plain(bytes(screen))[-2000:]
    assert f"Created {db} from the demo fleet" in before
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    listed = run_cli("items", "--db", str(db), "--json")
    assert listed.code == 0 and len(listed.json) > 0


def test_a_missing_folder_or_read_only_does_not_create_it(tmp_path: Path) -> None:
    gone = tmp_path / "no-such-folder" / "new.db"
    ran = run_cli("--db", str(gone))
    assert ran.code == 2 and ran.err.count("\n") == 1 and "no such folder" in ran.err, ran.err
    assert not gone.parent.exists()
    named = tmp_path / "new.db"
    ran = run_cli("--db", str(named), "--read-only")
    assert ran.code == 2 and ran.err.count("\n") == 1, ran.err
    assert not named.exists()
