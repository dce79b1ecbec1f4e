"""The console (or a tour) in a web browser through textual-serve: one console process per browser tab."""

from __future__ import annotations

import ipaddress
import shlex
import socket
import sys
from pathlib import Path

from store.errors import BadInput, Refused

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
    """Refuse, in one line, when the address cannot be listened on (in use, or not this machine's)."""
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


def serve(argv: list[str], *, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
          public_url: str | None = None) -> None:
    """Serve `argv` (a console command line) on http://host:port until interrupted."""
    try:
        from textual_serve.server import Server
    except ImportError:
        raise Refused("textual-serve is not installed (pip install textual-serve)") from None
    check_port(host, port)
    server = Server(shlex.join(argv), host=host, port=port, title=TITLE, public_url=public_url)
    server.serve()
