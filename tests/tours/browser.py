"""Headless Chromium for the browser test: install it if missing, drive it over the DevTools
protocol,
and read the xterm.js terminal's text buffer (textual-serve draws on a canvas, so the DOM has no
text).
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import subprocess
from pathlib import Path
from typing import Any

import aiohttp
from waiting import NeverHappened, until_async, wait_for

INSTALL_TIMEOUT_S = 900
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-breakpad",
    "--no-default-browser-check",
    "--hide-scrollbars",
    "--window-size=1280,800",
    # Only this machine: every host name fails to resolve (the served page asks for a web font),
    # but HOSTILE_HOST is a name that resolves to 127.0.0.1: a hostile site, or DNS rebinding.
    "--host-resolver-rules=MAP evil.example 127.0.0.1 , MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]
HOSTILE_HOST = "evil.example"

CAPTURE_TERMINAL = r"""
(() => {
  // textual.js keeps its xterm.js Terminal in `this.terminal` of a private object: catch the
  // assignment, then read the terminal's buffer the way a screen reader would.
  Object.defineProperty(Object.prototype, 'terminal', {
    configurable: true,
    set(value) {
      Object.defineProperty(this, 'terminal',
                            {value, writable: true, configurable: true, enumerable: true});
      if (!window.__asrTerminal && value && value.buffer && value.buffer.active) {
        window.__asrTerminal = value;
      }
    },
  });
  window.__asrScreenText = () => {
    const terminal = window.__asrTerminal;
    if (!terminal) return null;
    const buffer = terminal.buffer.active, lines = [];
    for (let i = 0; i < buffer.length; i++) {
      const line = buffer.getLine(i);
      lines.push(line ? line.translateToString(true) : '');
    }
    return lines.join('\n');
  };
})();
"""


def find_or_install_chromium() -> tuple[str | None, str]:
    """The chromium binary, installing Debian's package when missing; (None, why) when it cannot be
    had."""
    found = shutil.which("chromium")
    if found:
        return found, ""
    if shutil.which("apt-get") is None:
        return None, "chromium is not installed and this machine has no apt-get to install it"
    if os.geteuid() != 0:
        return (
            None,
            "chromium is not installed and installing it needs root (apt-get install chromium)",
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium"]):
        try:
            done = subprocess.run(
                command,
                env=env,
                capture_output=True,
                text=True,
                timeout=INSTALL_TIMEOUT_S,
                check=False,
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired:
            return None, f"`{' '.join(command)}` did not finish in {INSTALL_TIMEOUT_S} s"
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
            return None, f"`{' '.join(command)}` failed: {tail[0]}"
    found = shutil.which("chromium")
    return (
        (found, "")
        if found
        else (None, "apt-get installed chromium but no chromium binary is on PATH")
    )


class Chromium:
    """One headless Chromium with a fresh profile, driven over its DevTools websocket."""

    def __init__(self, binary: str, profile: Path) -> None:
        self.binary = binary
        self.profile = profile
        self.process: subprocess.Popen | None = None
        self._ids = 0

    def start(self, timeout_s: float = 30.0) -> int:
        """Start the browser on about:blank; returns its DevTools port."""
        self.process = subprocess.Popen(
            [
                self.binary,
                *FLAGS,
                f"--user-data-dir={self.profile}",
                "--remote-debugging-port=0",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: stop() ends the browser's helpers too
        )
        port_file = self.profile / "DevToolsActivePort"

        def port() -> int | None:
            if port_file.exists() and port_file.read_text().strip():
                return int(port_file.read_text().split()[0])
            if self.process.poll() is not None:
                raise RuntimeError(f"chromium exited at start (code {self.process.returncode})")
            return None

        return wait_for(port, "chromium opens its DevTools port", timeout=timeout_s)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    async def read_served_console(
        self, devtools_port: int, url: str, expect: list[str], shot: Path, timeout_s: float = 45.0
    ) -> str:
        """Open `url`, wait until the terminal shows every string of `expect`, screenshot it, return
        its text."""
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{devtools_port}/json/list") as listing:
                targets = await listing.json(content_type=None)
            page = next(t for t in targets if t.get("type") == "page")
            async with session.ws_connect(page["webSocketDebuggerUrl"], max_msg_size=0) as ws:
                await self._call(ws, "Page.enable")
                await self._call(
                    ws, "Page.addScriptToEvaluateOnNewDocument", source=CAPTURE_TERMINAL
                )
                await self._call(ws, "Page.navigate", url=url)
                text = ""

                async def shows_all() -> bool:
                    nonlocal text
                    reply = await self._call(
                        ws,
                        "Runtime.evaluate",
                        returnByValue=True,
                        expression="window.__asrScreenText && window.__asrScreenText()",
                    )
                    text = reply.get("result", {}).get("value") or ""
                    return all(s in text for s in expect)

                try:
                    await until_async(
                        shows_all,
                        f"the served console shows {expect}",
                        timeout=timeout_s,
                        step=0.25,
                    )
                except NeverHappened:
                    # the caller's assertions say what is missing, with the screenshot beside them
                    pass
                picture = await self._call(ws, "Page.captureScreenshot", format="png")
                if "data" in picture:
                    shot.write_bytes(base64.b64decode(picture["data"]))
                return text

    async def evaluate_on(
        self, devtools_port: int, url: str, expression: str, timeout_s: float = 30.0
    ) -> Any:
        """Open `url`, wait until it has loaded, and return the value of `expression` evaluated in
        it
        (a promise is awaited): what a script of that page can do."""
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{devtools_port}/json/list") as listing:
                targets = await listing.json(content_type=None)
            page = next(t for t in targets if t.get("type") == "page")
            async with session.ws_connect(page["webSocketDebuggerUrl"], max_msg_size=0) as ws:
                await self._call(ws, "Page.navigate", url=url)

                async def loaded() -> bool:
                    ready = await self._call(
                        ws,
                        "Runtime.evaluate",
                        returnByValue=True,
                        expression="location.href + ' ' + document.readyState",
                    )
                    return ready.get("result", {}).get("value") == f"{url} complete"

                await until_async(loaded, f"{url} loads", timeout=timeout_s, step=0.1)
                reply = await self._call(
                    ws,
                    "Runtime.evaluate",
                    expression=expression,
                    awaitPromise=True,
                    returnByValue=True,
                )
                return reply.get("result", {}).get("value")

    async def _call(self, ws: aiohttp.ClientWebSocketResponse, method: str, **params: Any) -> dict:
        self._ids += 1
        ident = self._ids
        await ws.send_str(json.dumps({"id": ident, "method": method, "params": params}))
        async for message in ws:
            data = json.loads(message.data)
            if data.get("id") == ident:
                if "error" in data:
                    raise RuntimeError(f"{method}: {data['error']}")
                return data.get("result", {})
        raise RuntimeError(f"{method}: the DevTools connection closed")
