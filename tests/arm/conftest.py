"""ARM endpoint fixtures: a world in a real database file, `arm serve` on it in a real process."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from arm_harness import ArmServer, worlds
from cli_process import run_cli


@pytest.fixture
def arm(tmp_path: Path) -> Iterator[Callable[..., ArmServer]]:
    """`arm(world, *options)`: load `world` (paused: engine time moves only by `clock advance`)
    and start the server on it, plain HTTP unless `https=True`. Every server must stop cleanly
    on Ctrl-C (exit 0) and never log a traceback."""
    servers: list[ArmServer] = []

    def start(
        data: dict | None = None, *options: str, https: bool = False, paused: bool = True
    ) -> ArmServer:
        path = tmp_path / "fleet.db"
        if not path.exists():
            worlds.load(path, data or worlds.world()).close()
            if paused:
                assert run_cli(path, "clock", "pause").code == 0
        server = ArmServer(path, *([] if https else ["--http"]), *options)
        servers.append(server)
        return server

    yield start
    for server in servers:
        code = server.stop()
        log = server.stderr()
        assert code == 0, log
        assert "Traceback" not in log and " 500 " not in log, log
