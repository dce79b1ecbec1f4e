"""`asr-console serve` against hostile pages: a WebSocket or a page request from another origin,
a DNS-rebinding host name, a missing or wrong token each get 403 and start no console, and the
database is untouched; the URL the server prints (with its token) gets a working console.

A real `serve` process, and aiohttp as the hostile client (it sends the headers a browser would
send from the attacker's page; tests/tours/test_serve_browser.py does the same from Chromium)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest
from reliability_kit import checkpoint, content_digest, load_world, worlds
from serve_process import Served, serving
from waiting import until_async


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Served, Path]]:
    tmp = tmp_path_factory.mktemp("serve")
    db = load_world(tmp / "fleet.db", worlds.world(items=[worlds.machine("web-01")]))
    checkpoint(db)
    with serving("--db", str(db), log=tmp / "serve.log") as server:
        yield server, db


def _own(s: Served) -> str:
    return f"http://127.0.0.1:{s.port}"


# (id, path with {token}, headers with {port}): what a hostile page or client can send.
WEBSOCKET_REFUSALS = [
    ("another-site", "/ws/{token}", {"Origin": "http://evil.example"}),
    ("another-port-on-this-machine", "/ws/{token}", {"Origin": "http://127.0.0.1:1"}),
    ("localhost-name-other-port", "/ws/{token}", {"Origin": "http://localhost:1"}),
    ("https-lookalike", "/ws/{token}", {"Origin": "https://127.0.0.1.evil.example:{port}"}),
    ("sandboxed-frame", "/ws/{token}", {"Origin": "null"}),
    ("file-page", "/ws/{token}", {"Origin": "file://"}),
    (
        "dns-rebinding",
        "/ws/{token}",
        {"Host": "evil.example:{port}", "Origin": "http://evil.example:{port}"},
    ),
    ("no-token", "/ws", {"Origin": "http://127.0.0.1:{port}"}),
    ("wrong-token", "/ws/not-the-token", {"Origin": "http://127.0.0.1:{port}"}),
    ("token-prefix", "/ws/{token_prefix}", {"Origin": "http://127.0.0.1:{port}"}),
    ("token-in-query-not-path", "/ws?token={token}", {"Origin": "http://127.0.0.1:{port}"}),
]

PAGE_REFUSALS = [
    ("page-without-token", "/", {}),
    ("page-wrong-token", "/?token=guess", {}),
    ("page-dns-rebinding", "/?token={token}", {"Host": "evil.example:{port}"}),
    (
        "page-rebinding-localhost-suffix",
        "/?token={token}",
        {"Host": "localhost.evil.example:{port}"},
    ),
]


def _fill(text: str, s: Served) -> str:
    return text.format(token=s.token, token_prefix=s.token[:-1], port=s.port)


@pytest.mark.parametrize(
    "path,headers", [pytest.param(p, h, id=i) for i, p, h in WEBSOCKET_REFUSALS]
)
async def test_a_hostile_websocket_gets_403_and_no_console(
    served, path: str, headers: dict
) -> None:
    server, db = served
    before = content_digest(db)
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            async with session.ws_connect(
                _own(server) + _fill(path, server),
                headers={k: _fill(v, server) for k, v in headers.items()},
            ) as ws:
                await ws.send_json(["stdin", "p"])  # what the attack did: pause the engine
    assert refused.value.status == 403, refused.value
    assert server.consoles() == [], "a refused WebSocket started a console"
    assert content_digest(db) == before


@pytest.mark.parametrize("path,headers", [pytest.param(p, h, id=i) for i, p, h in PAGE_REFUSALS])
async def test_a_hostile_page_request_gets_403(served, path: str, headers: dict) -> None:
    server, _db = served
    headers = {k: _fill(v, server) for k, v in headers.items()}
    async with (
        aiohttp.ClientSession() as session,
        session.get(_own(server) + _fill(path, server), headers=headers) as page,
    ):
        body = await page.text()
    assert page.status == 403, (page.status, body[:300])
    assert server.token not in body


async def test_the_printed_url_gets_a_console_over_its_websocket(served) -> None:
    server, _db = served
    assert server.url.startswith(_own(server) + "/?token=")
    async with aiohttp.ClientSession() as session:
        async with session.get(server.url) as page:
            html = await page.text()
        assert page.status == 200, html[:300]
        ws_url = f"ws://127.0.0.1:{server.port}/ws/{server.token}"
        assert f'data-session-websocket-url="{ws_url}"' in html
        async with session.ws_connect(
            ws_url + "?width=100&height=30", headers={"Origin": _own(server)}
        ) as ws:
            await until_async(server.consoles, "the server started a console for the WebSocket")
            screen = b""

            async def painted() -> bool:
                nonlocal screen
                message = await ws.receive(timeout=30)
                if message.type == aiohttp.WSMsgType.BINARY:
                    screen += message.data
                return b"web-01" in screen

            for _ in range(2000):
                if await painted():
                    break
            assert b"web-01" in screen, screen[-500:]
    await until_async(lambda: server.consoles() == [], "the console ended with its WebSocket")
