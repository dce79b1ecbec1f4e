"""End to end: `asr-console serve` in headless Chromium shows the Replicated items screen."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from waiting import wait_for

from .browser import Chromium, find_or_install_chromium

SERVE_START_S = 30.0


@pytest.fixture(scope="session")
def chromium_binary() -> str:
    """Debian's chromium, installed by this set-up when missing (CI runs as root)."""
    binary, why = find_or_install_chromium()
    if binary is None:
        pytest.skip(f"headless Chromium is not available: {why}")
    return binary


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_page(url: str, server: subprocess.Popen, log: Path) -> str:
    def page() -> str | None:
        if server.poll() is not None:
            pytest.fail(f"asr-console serve exited ({server.returncode}): {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read().decode()
        except OSError:
            return None

    return wait_for(page, lambda: f"asr-console serve answers on {url}: {log.read_text()[-2000:]}",
                    timeout=SERVE_START_S, step=0.2)


@pytest.fixture
def served_console(contoso_db: Path, tmp_path: Path):
    """`asr-console serve` on the Contoso fleet, on a free localhost port; stopped afterwards."""
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "tui.cli", "serve", "--db", str(contoso_db), "--port", str(port)],
            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    try:
        yield f"http://127.0.0.1:{port}/", server, log
    finally:
        os.killpg(server.pid, signal.SIGINT)  # the server stops each console it started
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)


async def test_served_console_shows_replicated_items_in_chromium(served_console, chromium_binary: str,
                                                                tmp_path: Path) -> None:
    url, server, log = served_console
    page = wait_for_page(url, server, log)
    port = url.rsplit(":", 1)[1].strip("/")
    assert f'data-session-websocket-url="ws://127.0.0.1:{port}/ws"' in page  # bound to localhost
    browser = Chromium(chromium_binary, tmp_path / "profile")
    devtools = browser.start()
    try:
        expect = ["Replicated items", "web-prod-01", "New update available", "contoso-dr-east"]
        shot = tmp_path / "served.png"
        text = await browser.read_served_console(devtools, url, expect, shot)
    finally:
        browser.stop()
    missing = [s for s in expect if s not in text]
    assert not missing, f"the browser's terminal lacks {missing}; it shows:\n{text}\n(screenshot {shot}; " \
                        f"server log {log})"
