"""The aiohttp server: every request is authenticated, routed, checked and answered in ARM's
error format (never a traceback); the store's Service runs on worker threads; the engine runs
beside it as in the console."""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from aiohttp import web

from store.errors import BadInput, Refused
from tui.arm import routes
from tui.arm.names import API_VERSIONS, RESOURCE_GROUP, SUBSCRIPTION
from tui.arm.shapes import error

T = TypeVar("T")

MAX_BODY = 1 << 20
"""Request bodies over 1 MiB get 413."""
WORKERS = 2
"""Threads that run the store's Service (each with its own connection)."""
ENGINE_STOP_S = 30.0
"""How long a stopping server waits for the engine to finish its batch and give the lease up."""
WRITES = frozenset({"POST", "PATCH", "PUT", "DELETE"})


@dataclass(frozen=True)
class Settings:
    """What `arm serve` was told."""

    db_path: Path
    read_only: bool = False
    token: str | None = None
    """The one bearer token accepted; any when None."""
    retry_after: int = 0
    """Seconds a long-running operation's poller is told to wait between polls."""


class ArmError(Exception):
    """An answer in ARM's error format."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        headers: dict[str, str] | None = None,
        *,
        details: list[dict] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}
        self.details = details

    def response(self) -> web.Response:
        return json_response(
            error(self.code, self.message, self.details), self.status, self.headers
        )


CONFLICTS = frozenset({"ActiveJob", "JobNotRetryable", "JobNotCancellable"})
"""Refusals because of a job's state: 409. The rest (a blocker, the latest version) are 400."""


def refusal_error(exc: Refused) -> ArmError:
    """A refused command in ARM's words: 403 read-only, 409 a job's state, else 400 with its
    reason."""
    if exc.code == "ReadOnly":
        return ArmError(403, "AuthorizationFailed", str(exc))
    if exc.code in CONFLICTS or exc.code is None:
        return ArmError(409, exc.code or "OperationNotAllowed", str(exc))
    return ArmError(400, exc.code, str(exc))


def json_response(
    body: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    data = b"" if body is None else json.dumps(body, separators=(",", ":")).encode()
    return web.Response(
        body=data,
        status=status,
        headers=headers,
        content_type="application/json" if body is not None else None,
    )


class Backend:
    """The store's Service on worker threads, one per thread (a connection stays on its thread)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="arm-store")
        self._local = threading.local()
        self._opened: list = []
        self._lock = threading.Lock()

    def _service(self):
        svc = getattr(self._local, "service", None)
        if svc is None:
            from store.service import Service

            svc = Service.open(
                self.settings.db_path, read_only=self.settings.read_only, create=False
            )
            self._local.service = svc
            with self._lock:
                self._opened.append(svc)
        return svc

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        """`fn(service, *args)` on a worker thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, lambda: fn(self._service(), *args))

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        for svc in self._opened:
            svc.close()


# -- the checks every request passes
# ------------------------------------------------------------------


def _authenticate(request: web.Request, token: str | None) -> None:
    header = request.headers.get("Authorization")
    if header is None:
        raise ArmError(
            401,
            "AuthenticationFailed",
            "Authentication failed. The 'Authorization' header is missing.",
        )
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        raise ArmError(
            401,
            "InvalidAuthenticationToken",
            "The 'Authorization' header must be 'Bearer <token>'.",
        )
    if token is not None and given.strip() != token:
        raise ArmError(401, "InvalidAuthenticationToken", "The access token is invalid.")


def _api_version(request: web.Request) -> str:
    versions = request.query.getall("api-version", [])
    if not versions:
        raise ArmError(
            400,
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        )
    if len(versions) > 1 or versions[0] not in API_VERSIONS:
        raise ArmError(
            400,
            "InvalidApiVersionParameter",
            f"The api-version '{','.join(versions)[:40]}' is invalid. The supported versions are "
            f"'{', '.join(sorted(API_VERSIONS, reverse=True))}'.",
        )
    return versions[0]


def _route(request: web.Request) -> routes.Match:
    try:
        found = routes.match(request.method, request.rel_url.raw_path)
    except routes.BadPath as exc:
        raise ArmError(400, "InvalidRequestUri", str(exc)) from None
    if found is None:
        raise ArmError(404, "NotFound", "No resource of this provider has this path.")
    if found.operation is None:
        raise ArmError(
            405,
            "MethodNotAllowed",
            f"The method {request.method[:10]!r} is not allowed here.",
            {"Allow": ", ".join(found.allowed)},
        )
    if found.params["subscription"].lower() != SUBSCRIPTION:
        raise ArmError(
            404,
            "SubscriptionNotFound",
            f"The subscription '{found.params['subscription'][:60]}' "
            f"could not be found; this endpoint answers for {SUBSCRIPTION}.",
        )
    if found.params["group"].lower() != RESOURCE_GROUP:
        raise ArmError(
            404,
            "ResourceGroupNotFound",
            f"Resource group '{found.params['group'][:90]}' could not "
            f"be found; every vault is in {RESOURCE_GROUP}.",
        )
    return found


async def _body(request: web.Request) -> Any:
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise ArmError(413, "RequestEntityTooLarge", f"The request body is over {MAX_BODY} bytes.")
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise ArmError(
            413, "RequestEntityTooLarge", f"The request body is over {MAX_BODY} bytes."
        ) from None
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except RecursionError:
        raise ArmError(
            400, "InvalidRequestContent", "The request content is nested too deeply to read."
        ) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise ArmError(
            400, "InvalidRequestContent", f"The request content is not valid JSON: {str(exc)[:120]}"
        ) from None


# -- serving
# -------------------------------------------------------------------------------------------


def _path(request: web.Request) -> str:
    text = request.rel_url.raw_path_qs
    return text if len(text) <= 300 else text[:300] + "..."


def make_app(settings: Settings, backend: Backend) -> web.Application:
    """The application: one handler for every path and method (ARM's errors, not aiohttp's)."""
    from tui.arm import handlers

    async def answer(request: web.Request) -> web.StreamResponse:
        _authenticate(request, settings.token)
        found = _route(request)
        version = _api_version(request)
        if settings.read_only and request.method in WRITES:
            raise ArmError(
                403,
                "AuthorizationFailed",
                "read-only: this endpoint was started with --read-only and refuses every change.",
            )
        body = await _body(request)
        call = handlers.Call(request, backend, settings, found.params, version, body)
        return await backend.call(handlers.OPERATIONS[found.operation], call)

    async def dispatch(request: web.Request) -> web.StreamResponse:
        began = time.perf_counter()
        try:
            response = await answer(request)
        except ArmError as exc:
            response = exc.response()
        except BadInput as exc:
            response = ArmError(400, exc.code or "InvalidParameter", str(exc)).response()
        except Refused as exc:
            response = refusal_error(exc).response()
        except Exception as exc:  # noqa: BLE001 - a bug answers 500 in ARM's format and logs one line
            print(f"arm serve: {type(exc).__name__}: {str(exc)[:200]}", file=sys.stderr, flush=True)
            response = ArmError(
                500, "InternalServerError", "The server failed to answer; see its log."
            ).response()
        ms = (time.perf_counter() - began) * 1000
        print(
            f"{request.method[:10]} {_path(request)} {response.status} {ms:.0f}ms",
            file=sys.stderr,
            flush=True,
        )
        return response

    app = web.Application(client_max_size=MAX_BODY)
    app.router.add_route("*", "/{tail:.*}", dispatch)
    return app


class _OneLine(logging.Formatter):
    """aiohttp's and asyncio's own complaints (a malformed request line, a failed TLS handshake):
    one line each, without the traceback."""

    def format(self, record: logging.LogRecord) -> str:
        text = f"arm serve: {record.getMessage()}".splitlines()[0][:200]
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            text += f" ({type(exc).__name__}: {str(exc).splitlines()[0][:120] if str(exc) else ''})"
        return text


def _quiet_logs() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_OneLine())
    for name in ("aiohttp", "asyncio"):
        log = logging.getLogger(name)
        log.handlers[:] = [handler]
        log.propagate = False
        log.setLevel(logging.WARNING)


def _start_engine(settings: Settings):
    """The engine at the clock's speed while this process can hold the lease (as the console's)."""
    if settings.read_only:
        return None
    from store.engine.worker import EngineThread

    engine = EngineThread(settings.db_path)
    thread = threading.Thread(target=engine.run, name="engine", daemon=True)
    thread.start()
    return engine, thread


def listen(host: str, port: int) -> socket.socket:
    """The listening socket (port 0: a free one), or a one-line refusal."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise BadInput(f"cannot resolve --host {host!r}: {exc.strerror}") from None
    family, kind, proto, _name, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise Refused(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.setblocking(False)
    return sock


def base_url(scheme: str, host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else "::1" if host == "::" else host
    return f"{scheme}://[{shown}]:{port}" if ":" in shown else f"{scheme}://{shown}:{port}"


async def serve(
    settings: Settings, *, host: str, port: int, plain_http: bool, vaults: list[str]
) -> None:
    """Serve until SIGINT or SIGTERM; print the one ready line on stdout first."""
    context, cert = (None, None)
    if not plain_http:
        from tui.arm.tls import server_context

        context, cert = server_context(settings.db_path, host)
    sock = listen(host, port)
    _quiet_logs()
    backend = Backend(settings)
    runner = web.AppRunner(make_app(settings, backend), access_log=None, handle_signals=False)
    await runner.setup()
    engine = None
    try:
        await web.SockSite(runner, sock, ssl_context=context).start()
        engine = _start_engine(settings)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        print(
            json.dumps(
                {
                    "base_url": base_url(
                        "http" if plain_http else "https", host, sock.getsockname()[1]
                    ),
                    "subscription_id": SUBSCRIPTION,
                    "resource_group": RESOURCE_GROUP,
                    "ca_cert": None if cert is None else str(cert.resolve()),
                    "vaults": vaults,
                }
            ),
            flush=True,
        )
        told = False
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), 1.0)
            except TimeoutError:
                if engine is not None and engine[0].error and not told:  # it does not restart
                    print(
                        f"arm serve: the engine stopped: {engine[0].error}",
                        file=sys.stderr,
                        flush=True,
                    )
                    told = True
    finally:
        await runner.cleanup()
        if engine is not None:  # it gives the lease up before it ends
            engine[0].stop.set()
            await asyncio.get_running_loop().run_in_executor(None, engine[1].join, ENGINE_STOP_S)
        await asyncio.get_running_loop().run_in_executor(None, backend.close)
