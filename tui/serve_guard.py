"""Who may reach `asr-console serve`: the right Host, the served page's own Origin, and the run's
secret token; everything else gets 403 before a console starts.

A WebSocket is not bound by the browser's same-origin policy: without these checks any page the
operator opens (or a DNS-rebinding name that resolves to 127.0.0.1) could drive the console."""

from __future__ import annotations

import hmac
import ipaddress
import secrets
import socket
from collections.abc import Awaitable, Callable

from aiohttp import web
from yarl import URL

WS_PREFIX = "/ws"
"""The console's WebSocket lives at /ws/<token>: the token in the path, because textual.js
appends its own `?width=...&height=...` to the URL it is given."""

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def new_token() -> str:
    """A per-run secret (256 bits, URL-safe), as Jupyter's."""
    return secrets.token_urlsafe(32)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _host_port(url: URL) -> str:
    return f"{url.host}:{url.port}".lower()


class Guard:
    """The checks of one served address (`host`, `port`, and `public_url` when browsers use
    another)."""

    def __init__(self, host: str, port: int, public_url: str | None, token: str) -> None:
        self.token = token
        self.public = URL(public_url) if public_url else None
        names = {"localhost", host.lower().strip("[]")}
        if host in ("0.0.0.0", "::", ""):  # every interface: the machine's own names too
            names |= {socket.gethostname().lower(), socket.getfqdn().lower()}
        if self.public is not None and self.public.host:
            names.add(self.public.host.lower())
        self.names = names

    def host_ok(self, host_header: str | None) -> bool:
        """The Host a browser sent names this server: an IP literal (a rebinding attack needs a
        name), localhost, the --host name or the public URL's. Any other name is DNS rebinding."""
        if not host_header:
            return False
        try:
            name = URL(f"http://{host_header}").host
        except ValueError:
            return False
        return bool(name) and (_is_ip(name) or name.lower() in self.names)

    def origin_ok(self, origin: str | None, host_header: str | None) -> bool:
        """No Origin (not a browser: it has the token), or the page's origin is this server's own:
        the address it was reached at, or the public URL. Another page, even on this machine, is
        not.
        """
        if origin is None:
            return True
        try:
            url = URL(origin)
            reached = URL(f"http://{host_header}")
        except ValueError:
            return False
        if url.scheme not in ("http", "https") or not url.host:
            return False  # "null": a sandboxed frame, a file:// page
        if _host_port(url) == _host_port(reached):
            return True
        return self.public is not None and _host_port(url) == _host_port(self.public)

    def token_ok(self, request: web.Request) -> bool:
        """The index needs `?token=`; the WebSocket needs the token as its last path segment."""
        if request.path == "/":
            given = request.query.get("token", "")
        else:
            given = (
                request.path[len(WS_PREFIX) + 1 :]
                if request.path.startswith(WS_PREFIX + "/")
                else ""
            )
        return hmac.compare_digest(given.encode(), self.token.encode())

    def refusal(self, request: web.Request) -> str | None:
        """Why `request` is refused, or None when it may go on."""
        host = request.headers.get("Host")
        if not self.host_ok(host):
            return "this server does not answer to that host name"
        if not self.origin_ok(request.headers.get("Origin"), host):
            return "cross-origin requests are refused"
        guarded = (
            request.path == "/"
            or request.path == WS_PREFIX
            or request.path.startswith(WS_PREFIX + "/")
        )
        if guarded and not self.token_ok(request):
            return "a valid token is required: open the URL `asr-console serve` printed"
        return None

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        why = self.refusal(request)
        if why is not None:
            return web.Response(status=403, text=f"403 Forbidden: {why}\n")
        return await handler(request)
