"""End to end: `asr-console serve` in headless Chromium. The URL it prints shows the Replicated
items screen; a page from another site cannot open its WebSocket, and a DNS-rebinding name for
127.0.0.1 gets no page, even with the token."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from serve_process import Served, serving

from .browser import HOSTILE_HOST, Chromium, find_or_install_chromium


@pytest.fixture(scope="session")
def chromium_binary() -> str:
    """Debian's chromium, installed by this set-up when missing (CI runs as root)."""
    binary, why = find_or_install_chromium()
    if binary is None:
        pytest.skip(f"headless Chromium is not available: {why}")
    return binary


@pytest.fixture
def served_console(contoso_db: Path, tmp_path: Path) -> Iterator[Served]:
    """`asr-console serve` on the Contoso fleet, on a free localhost port; stopped afterwards."""
    with serving("--db", str(contoso_db), log=tmp_path / "serve.log") as server:
        yield server


@pytest.fixture
def hostile_site() -> Iterator[int]:
    """A web page of another site (any page the operator has open), on a port of this machine."""

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b"<!DOCTYPE html><title>cat pictures</title><p>nothing to see here</p>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args) -> None:
            pass

    site = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=site.serve_forever, daemon=True)
    thread.start()
    try:
        yield site.server_address[1]
    finally:
        site.shutdown()
        site.server_close()
        thread.join(timeout=10)


OPEN_WEBSOCKET = """
new Promise(resolve => {
  const ws = new WebSocket(%r);
  ws.onopen = () => { ws.send(JSON.stringify(["stdin", "p"])); resolve("opened"); };
  ws.onerror = () => resolve("refused");
  ws.onclose = () => resolve("refused");
})
"""


async def test_served_console_shows_replicated_items_in_chromium(
    served_console: Served, chromium_binary: str, tmp_path: Path
) -> None:
    server = served_console
    browser = Chromium(chromium_binary, tmp_path / "profile")
    devtools = browser.start()
    try:
        expect = ["Replicated items", "web-prod-01", "New update available", "contoso-dr-east"]
        shot = tmp_path / "served.png"
        text = await browser.read_served_console(devtools, server.url, expect, shot)
    finally:
        browser.stop()
    missing = [s for s in expect if s not in text]
    assert not missing, (
        f"the browser's terminal lacks {missing}; it shows:\n{text}\n(screenshot {shot}; "
        f"server log {server.log})"
    )


async def test_another_site_in_chromium_gets_no_console(
    served_console: Served, hostile_site: int, chromium_binary: str, tmp_path: Path
) -> None:
    """The attack as a browser makes it: a page of another site opens the console's WebSocket
    (even knowing the token), and a DNS-rebinding name asks for the page itself."""
    server = served_console
    browser = Chromium(chromium_binary, tmp_path / "profile")
    devtools = browser.start()
    try:
        ws_url = f"ws://127.0.0.1:{server.port}/ws/{server.token}"
        hostile = f"http://{HOSTILE_HOST}:{hostile_site}/"
        outcome = await browser.evaluate_on(devtools, hostile, OPEN_WEBSOCKET % ws_url)
        rebound = f"http://{HOSTILE_HOST}:{server.port}/?token={server.token}"
        page = await browser.evaluate_on(devtools, rebound, "document.body.innerText")
    finally:
        browser.stop()
    assert outcome == "refused", f"a page of {hostile} opened the console's WebSocket ({outcome})"
    assert page.startswith("403 Forbidden"), page[:300]
    assert server.consoles() == [], "a hostile page started a console"
