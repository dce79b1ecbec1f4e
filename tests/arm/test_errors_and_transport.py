"""Authentication, read-only, bad requests of every kind, HTTPS with the printed certificate."""

from __future__ import annotations

import http.client
import json
import os
import socket
import ssl
import stat
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from arm_harness import TOKEN, EmulatorCredential, parts, worlds
from azure.core.exceptions import ClientAuthenticationError, HttpResponseError, ServiceRequestError
from azure.mgmt.recoveryservicessiterecovery import SiteRecoveryManagementClient

VAULT = "vault-east"
SUB = "00000000-0000-0000-0000-000000000000"
P = (
    f"/subscriptions/{SUB}/resourceGroups/asr-console"
    f"/providers/Microsoft.RecoveryServices/vaults/{VAULT}"
)
ITEM = (
    f"{P}/replicationFabrics/{VAULT}-fabric/replicationProtectionContainers/{VAULT}-container/"
    "replicationProtectedItems/web-01"
)
MAPPING = (
    f"{P}/replicationFabrics/{VAULT}-fabric/replicationProtectionContainers/{VAULT}-container/"
    f"replicationProtectionContainerMappings/{VAULT}-mapping"
)
Q = "?api-version=2025-08-01"


def request(
    server,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    *,
    auth: bool = True,
) -> tuple[int, dict]:
    """One raw request (no SDK): its status and JSON body."""
    sent = {"Authorization": f"Bearer {TOKEN}"} if auth else {}
    url = urlsplit(server.base_url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        conn.request(method, path, body=body, headers={**sent, **(headers or {})})
        response = conn.getresponse()
        data = response.read()
    finally:
        conn.close()
    return response.status, json.loads(data) if data else {}


def _world_unchanged(server) -> None:
    assert server.cli("jobs", "--json").json == []
    assert server.cli("auto-update", "--json").json["enabled"] is True


def test_no_token_is_401_and_with_token_only_that_token(arm) -> None:
    server = arm(worlds.world(), "--token", "s3cret")
    status, body = request(server, "GET", f"{P}/replicationProtectedItems{Q}", auth=False)
    assert (status, body["error"]["code"]) == (401, "AuthenticationFailed")
    with pytest.raises(ClientAuthenticationError):
        list(server.client(token="wrong").replication_protected_items.list(server.rg, VAULT))
    assert (
        len(list(server.client(token="s3cret").replication_protected_items.list(server.rg, VAULT)))
        == 2
    )


def test_read_only_refuses_every_change_with_403(arm) -> None:
    server = arm(worlds.world(), "--read-only")
    client = server.client()
    item = next(iter(client.replication_protected_items.list(server.rg, VAULT)))
    fabric, container = parts(item.id)
    with pytest.raises(HttpResponseError) as update:
        client.replication_protected_items.begin_update_mobility_service(
            server.rg, VAULT, fabric, container, item.name, {"properties": {}}
        )
    assert (update.value.status_code, update.value.error.code) == (403, "AuthorizationFailed")
    status, _ = request(
        server,
        "PATCH",
        MAPPING + Q,
        json.dumps(
            {
                "properties": {
                    "providerSpecificInput": {
                        "instanceType": "InMageRcm",
                        "enableAgentAutoUpgrade": "false",
                    }
                }
            }
        ).encode(),
    )
    assert status == 403
    _world_unchanged(server)


def test_an_unknown_api_version_is_400(arm) -> None:
    server = arm()
    client = server.client(api_version="2099-01-01")
    with pytest.raises(HttpResponseError) as caught:
        list(client.replication_protected_items.list(server.rg, VAULT))
    assert (caught.value.status_code, caught.value.error.code) == (
        400,
        "InvalidApiVersionParameter",
    )
    status, body = request(server, "GET", f"{P}/replicationJobs")
    assert (status, body["error"]["code"]) == (400, "MissingApiVersionParameter")


MALFORMED = [
    # (method, path, body, status, code)
    ("POST", f"{ITEM}/updateMobilityService{Q}", b"{not json", 400, "InvalidRequestContent"),
    (
        "POST",
        f"{ITEM}/updateMobilityService{Q}",
        b"[" * 100_000 + b"]" * 100_000,
        400,
        "InvalidRequestContent",
    ),
    ("POST", f"{ITEM}/updateMobilityService{Q}", b"\xff\xfe{}", 400, "InvalidRequestContent"),
    ("POST", f"{ITEM}/updateMobilityService{Q}", b'"a string"', 400, "InvalidRequestContent"),
    (
        "POST",
        f"{ITEM}/updateMobilityService{Q}",
        b'{"properties": {"runAsAccountId": 7}}',
        400,
        "InvalidRequestContent",
    ),
    (
        "POST",
        f"{ITEM}/updateMobilityService{Q}",
        b"{" + b" " * (1 << 20) + b"}",
        413,
        "RequestEntityTooLarge",
    ),
    (
        "PATCH",
        MAPPING + Q,
        b'{"properties": {"providerSpecificInput": {"instanceType": "A2A"}}}',
        400,
        "InvalidParameter",
    ),
    (
        "PATCH",
        MAPPING + Q,
        (
            b'{"properties": {"providerSpecificInput": {"instanceType": "InMageRcm", '
            b'"enableAgentAutoUpgrade": "maybe"}}}'
        ),
        400,
        "InvalidParameter",
    ),
    ("GET", f"{ITEM[:-6]}..%2F..%2F..%2Fetc%2Fpasswd{Q}", None, 404, "ResourceNotFound"),
    ("GET", f"{P}/../../../etc/passwd{Q}", None, 404, "NotFound"),
    ("GET", f"{P}/replicationProtectedItems/%ff%fe{Q}", None, 400, "InvalidRequestUri"),
    ("GET", f"{P}/replicationProtectedItems{Q}&skipToken=b32-!!!", None, 400, "InvalidSkipToken"),
    ("GET", f"{P}/replicationJobs{Q}&skipToken=-1", None, 400, "InvalidSkipToken"),
    ("GET", f"{P}/replicationJobs{Q}&$filter=State%20gt%203", None, 400, "InvalidFilter"),
    ("GET", f"{P}/replicationJobs{Q}&$filter=State%20eq%20'Sleeping'", None, 400, "InvalidFilter"),
    ("DELETE", f"{ITEM}{Q}", None, 405, "MethodNotAllowed"),
    ("PUT", MAPPING + Q, b"{}", 405, "MethodNotAllowed"),
    ("GET", f"{ITEM}/updateMobilityService{Q}", None, 405, "MethodNotAllowed"),
    ("POST", f"{P}/replicationJobs/../cancel{Q}", None, 404, "ResourceNotFound"),
    ("GET", f"/subscriptions/{SUB}/resourceGroups/asr-console{Q}", None, 404, "NotFound"),
    (
        "GET",
        f"/subscriptions/ffffffff-0000-0000-0000-000000000000{P[51:]}/replicationJobs{Q}",
        None,
        404,
        "SubscriptionNotFound",
    ),
]


def test_a_stream_of_malformed_requests_gets_arm_errors_and_writes_nothing(arm) -> None:
    server = arm()
    for method, path, body, status, code in MALFORMED:
        got, answer = request(server, method, path, body, {"Content-Type": "application/json"})
        assert (got, answer.get("error", {}).get("code")) == (status, code), (method, path[:120])
        assert answer["error"]["message"]
    url = urlsplit(server.base_url)
    with socket.create_connection(
        (url.hostname, url.port), timeout=30
    ) as raw:  # not HTTP: a bare 400
        raw.sendall(b"\x16\x03\x01 garbage \r\n\r\n")
        assert raw.recv(100).split(b"\r\n")[0].endswith(b" 400 Bad Request")
    status, listed = request(server, "GET", f"{P}/replicationProtectedItems{Q}")
    assert status == 200 and len(listed["value"]) == 2
    _world_unchanged(server)


def test_https_with_the_printed_certificate(arm) -> None:
    server = arm(https=True)
    assert server.base_url.startswith("https://127.0.0.1:")
    cert = server.info["ca_cert"]
    key = cert.replace(".arm-cert.pem", ".arm-key.pem")
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    client = (
        server.client()
    )  # connection_verify=<the printed certificate>, the SDK's own bearer policy
    assert len(list(client.replication_protected_items.list(server.rg, VAULT))) == 2
    strict = ssl.create_default_context(cafile=cert)
    strict.verify_flags |= (
        ssl.VERIFY_X509_STRICT
    )  # Python 3.13's default: the certificate passes it too
    with (
        socket.create_connection(("127.0.0.1", urlsplit(server.base_url).port), timeout=30) as sock,
        strict.wrap_socket(sock, server_hostname="localhost") as tls,
    ):
        assert tls.version() is not None
    untrusted = SiteRecoveryManagementClient(
        EmulatorCredential(), SUB, base_url=server.base_url, retry_total=0
    )
    with pytest.raises(ServiceRequestError):
        list(untrusted.replication_protected_items.list(server.rg, VAULT))


def test_the_certificate_is_kept_for_the_next_start(arm) -> None:
    first = arm(https=True)
    made = Path(first.info["ca_cert"]).read_bytes()
    assert first.stop() == 0
    second = arm(https=True)
    assert Path(second.info["ca_cert"]).read_bytes() == made
