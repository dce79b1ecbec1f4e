"""`asr-console serve` as a real process on a free loopback port: started, its printed URL (with
the run's token) read from its output, its consoles counted, stopped. For the browser test and
the origin checks in tests/reliability."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from waiting import wait_for

ROOT = Path(__file__).resolve().parents[1]
START_S = 30.0
"""How long a loaded machine may take to import the server and bind its port."""

_URL = re.compile(r"Serving asr-upgrade-console on (\S+)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Served:
    """A running `serve`: the URL it printed, its token and port, the process and its log."""

    url: str
    port: int
    process: subprocess.Popen
    log: Path

    @property
    def token(self) -> str:
        return parse_qs(urlsplit(self.url).query)["token"][0]

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def consoles(self) -> list[int]:
        """The console processes the server has started (its children), by pid."""
        found: list[int] = []
        for task in Path(f"/proc/{self.process.pid}/task").iterdir():
            try:
                found += [int(p) for p in (task / "children").read_text().split()]
            except (FileNotFoundError, ProcessLookupError):
                continue  # a thread that ended between the listing and the read
        return found

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-2000:]


def _printed_url(served: subprocess.Popen, log: Path) -> str | None:
    if served.poll() is not None:
        raise AssertionError(
            f"asr-console serve exited ({served.returncode}): {log.read_text()[-2000:]}"
        )
    match = _URL.search(log.read_text(errors="replace"))
    return match.group(1) if match else None


@contextmanager
def serving(*args: str, log: Path) -> Iterator[Served]:
    """`asr-console serve ARGS --port P` until the block ends (SIGINT to its group: the server
    stops each console it started)."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "tui.cli", "serve", *args, "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        url = wait_for(
            lambda: _printed_url(process, log),
            "serve printed the URL it serves on",
            timeout=START_S,
            step=0.1,
        )
        yield Served(url, port, process, log)
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
