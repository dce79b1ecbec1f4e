"""`asr-console arm serve` in a real process, the official SDK pointed at it, and the CLI beside
it."""

from __future__ import annotations

import importlib.util
import json
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from azure.core.credentials import AccessToken
from azure.core.pipeline.policies import SansIOHTTPPolicy
from azure.mgmt.recoveryservicessiterecovery import SiteRecoveryManagementClient
from cli_process import Ran, run_cli
from waiting import DEADLINE_S, wait_for

_spec = importlib.util.spec_from_file_location(
    "engine_worlds", Path(__file__).parents[1] / "engine" / "worlds.py"
)
worlds = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(worlds)

TOKEN = "asr-emulator"
POLL_S = 0.02
"""The SDK poller's pace between polls (the server says Retry-After: 0)."""


class EmulatorCredential:
    """Any get_token() will do: the endpoint takes any bearer token."""

    def __init__(self, token: str = TOKEN) -> None:
        self.token = token

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken(self.token, int(time.time()) + 3600)


class StaticBearer(SansIOHTTPPolicy):
    """Plain HTTP: the SDK refuses bearer tokens over http, so this policy sets the header
    itself."""

    def __init__(self, token: str = TOKEN) -> None:
        self.token = token

    def on_request(self, request) -> None:
        request.http_request.headers["Authorization"] = f"Bearer {self.token}"


class ArmServer:
    """One `arm serve --port 0` process: its ready line, SDK clients, its log, a clean stop."""

    def __init__(self, db: Path, *args: str) -> None:
        self.db = db
        self.log = db.with_name(f"{db.name}.arm-serve-{time.monotonic_ns()}.log")
        self._log_file = self.log.open("w")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tui.cli",
                "arm",
                "serve",
                "--db",
                str(db),
                "--port",
                "0",
                *args,
            ],
            stdout=subprocess.PIPE,
            stderr=self._log_file,
            stdin=subprocess.DEVNULL,
            text=True,
        )
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        wait_for(
            lambda: self.lines or self.proc.poll() is not None,
            lambda: f"arm serve's ready line ({self.stderr()})",
        )
        if not self.lines:
            raise AssertionError(f"arm serve exited {self.proc.returncode}: {self.stderr()}")
        self.info = json.loads(self.lines[0])
        self.base_url: str = self.info["base_url"]
        self.rg: str = self.info["resource_group"]

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line)

    def stderr(self) -> str:
        return self.log.read_text()

    def client(self, *, token: str = TOKEN, **kwargs: Any) -> SiteRecoveryManagementClient:
        """The SDK as a script would build it: HTTPS trusting the printed certificate, or plain
        HTTP with its own bearer policy. No retries, a short poll pace."""
        options: dict[str, Any] = {"polling_interval": POLL_S, "retry_total": 0, **kwargs}
        if self.base_url.startswith("https:"):
            options.setdefault("connection_verify", self.info["ca_cert"])
        else:
            options.setdefault("authentication_policy", StaticBearer(token))
        return SiteRecoveryManagementClient(
            EmulatorCredential(token),
            self.info["subscription_id"],
            base_url=self.base_url,
            **options,
        )

    def cli(self, *args: str) -> Ran:
        return run_cli(self.db, *args)

    def stop(self) -> int:
        """Ctrl-C, then its exit code (it releases the engine lease on the way out)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=DEADLINE_S * 3)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError("arm serve did not stop after SIGINT") from None
        self._log_file.close()
        return self.proc.returncode


def parts(resource_id: str) -> tuple[str, str]:
    """(fabric, container) from a protected item's id, as a script would take them."""
    seg = resource_id.split("/")
    return (
        seg[seg.index("replicationFabrics") + 1],
        seg[seg.index("replicationProtectionContainers") + 1],
    )
