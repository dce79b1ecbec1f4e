"""The console (or a tour) in a web browser through textual-serve: one console process per browser
tab."""

from __future__ import annotations

import ipaddress
import shlex
import socket
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from store.errors import BadInput, Refused

if TYPE_CHECKING:
    from aiohttp import web
    from textual_serve.server import Server

    from tui.serve_guard import Guard

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
TITLE = "asr-upgrade-console"


def console_argv(db_path: Path, *, vault: str | None = None, read_only: bool = False) -> list[str]:
    """The command each browser tab runs: the console on `db_path`."""
    argv = [sys.executable, "-m", "tui.cli", "--db", str(db_path.resolve())]
    if vault:
        argv += ["--vault", vault]
    if read_only:
        argv.append("--read-only")
    return argv


def tour_argv(name: str, *, auto: bool = False) -> list[str]:
    """The command each browser tab runs: a tour (each tab gets its own fresh scenario)."""
    argv = [sys.executable, "-m", "tui.cli", "tour", name]
    if auto:
        argv.append("--auto")
    return argv


def is_loopback(host: str) -> bool:
    """Whether `host` keeps the server to this machine (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_port(host: str, port: int) -> None:
    """Refuse, in one line, when the address cannot be listened on (in use, or not this
    machine's)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise BadInput(f"cannot resolve --host {host!r}: {exc.strerror}") from None
    family, kind, proto, _name, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise Refused(f"cannot listen on {host}:{port}: {exc.strerror}") from None


def serve(
    argv: list[str],
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    public_url: str | None = None,
) -> None:
    """Serve `argv` (a console command line) on http://host:port until interrupted; only a browser
    that opens the printed URL (it carries this run's token) gets a console."""
    try:
        from textual_serve.server import Server
    except ImportError:
        raise Refused("textual-serve is not installed (pip install textual-serve)") from None
    import asyncio
    import signal

    from aiohttp import web

    from tui.serve_guard import Guard, new_token

    check_port(host, port)
    server = Server(shlex.join(argv), host=host, port=port, title=TITLE, public_url=public_url)
    guard = Guard(host, port, public_url, new_token())
    server.initialize_logging()
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, server.request_exit)
    url = f"{server.public_url.rstrip('/')}/?token={guard.token}"

    def announce(*_args: object) -> None:  # run_app calls it once the port is bound
        print(
            f"Serving asr-upgrade-console on {url}\nOpen that URL (it carries this run's secret "
            "token); Ctrl+C to stop.",
            flush=True,
        )

    web.run_app(
        _app(server, guard), host=host, port=port, handle_signals=False, loop=loop, print=announce
    )


def _app(server: Server, guard: Guard) -> web.Application:
    """textual-serve's routes (its own handlers) behind the guard; the WebSocket at /ws/<token>."""
    import aiohttp_jinja2
    import jinja2
    from aiohttp import web

    from tui.serve_guard import WS_PREFIX

    app = web.Application(middlewares=[guard.middleware])
    aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(server.templates_path))
    app.add_routes(
        [
            web.get("/", server.handle_index, name="index"),
            web.get(f"{WS_PREFIX}/{guard.token}", server.handle_websocket, name="websocket"),
            web.get("/download/{key}", server.handle_download, name="download"),
            web.static("/static", server.statics_path, name="static"),
        ]
    )
    return app
