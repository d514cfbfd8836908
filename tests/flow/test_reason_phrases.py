"""Status lines carry Go's reason phrase (net/http's StatusText), as kube-apiserver's do, on every
server the emulator runs: the gateway (its Kubernetes paths, Google's pages, the control API) and
the standalone mock apiserver. Read raw off the socket, and as the Python client reports it."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator

import pytest
from kubernetes import client, config
from kubernetes.client.rest import ApiException
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from emulator import limits
from emulator.runner import GO_STATUS_TEXT, ServedApp, reason_phrase, serve_emulator
from emulator.scenario import loader
from emulator.standalone.server import StandaloneApiserver, serve_apiserver
from emulator.state import EmulatorState

PREFIX = "/v1beta1/projects/123456789012/locations/global/memberships/my-cluster"
CONFIGMAPS = f"{PREFIX}/api/v1/namespaces/default/configmaps"
ALICE = "Authorization: Bearer ya29.fake-alice\r\n"


@pytest.fixture(scope="module")
def gateway() -> Iterator[ServedApp]:
    server = serve_emulator(EmulatorState(loader.load("quickstart")))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def apiserver() -> Iterator[tuple[ServedApp, StandaloneApiserver]]:
    standalone = StandaloneApiserver(loader.load("quickstart"))
    server = serve_apiserver(standalone)
    yield server, standalone
    server.stop()


def status_line(server: ServedApp, request: str, body: bytes = b"") -> bytes:
    context = ssl.create_default_context(cadata=server.ca_pem.decode())
    with context.wrap_socket(socket.create_connection(("127.0.0.1", server.port), timeout=30),
                             server_hostname="127.0.0.1") as sock:
        sock.sendall(request.encode() + body)
        head = b""
        while b"\r\n" not in head:
            chunk = sock.recv(1)
            if not chunk:
                break
            head += chunk
    return head.split(b"\r\n")[0]


def get(path: str, *headers: str) -> str:
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{''.join(headers)}Connection: close\r\n\r\n"


def test_go_texts_where_python_differs() -> None:
    assert reason_phrase(413) == b"Request Entity Too Large"
    assert reason_phrase(414) == b"Request URI Too Long"
    assert reason_phrase(422) == b"Unprocessable Entity"
    assert reason_phrase(429) == b"Too Many Requests"
    assert reason_phrase(418) == b"I'm a teapot"
    # A code Go has no text for: Go writes "499 status code 499".
    assert reason_phrase(499) == b"status code 499"
    assert 499 not in GO_STATUS_TEXT


def test_the_gateway_kubernetes_paths(gateway: ServedApp) -> None:
    assert status_line(gateway, get(f"{CONFIGMAPS}/missing", ALICE)) == b"HTTP/1.1 404 Not Found"
    assert status_line(gateway, get(CONFIGMAPS, ALICE)) == b"HTTP/1.1 200 OK"
    assert status_line(gateway, get(CONFIGMAPS)) == b"HTTP/1.1 401 Unauthorized"
    invalid = b'{"metadata":{"name":"Bad_Name"}}'
    post = (f"POST {CONFIGMAPS} HTTP/1.1\r\nHost: 127.0.0.1\r\n{ALICE}"
            f"Content-Type: application/json\r\nContent-Length: {len(invalid)}\r\n"
            "Connection: close\r\n\r\n")
    assert status_line(gateway, post, invalid) == b"HTTP/1.1 422 Unprocessable Entity"
    too_large = (f"POST {CONFIGMAPS} HTTP/1.1\r\nHost: 127.0.0.1\r\n{ALICE}"
                 "Content-Type: application/json\r\n"
                 f"Content-Length: {limits.KUBE_MAX_REQUEST_BODY_BYTES + 1}\r\n"
                 "Connection: close\r\n\r\n")
    assert status_line(gateway, too_large) == b"HTTP/1.1 413 Request Entity Too Large"


def test_the_google_front_end_and_the_control_api(gateway: ServedApp) -> None:
    assert status_line(gateway, get("/no/such/page")) == b"HTTP/1.1 404 Not Found"
    assert status_line(gateway, get("/_emulator/world")) == b"HTTP/1.1 200 OK"


def test_the_standalone_apiserver(apiserver: tuple[ServedApp, StandaloneApiserver]) -> None:
    server, standalone = apiserver
    admin = f"Authorization: Bearer {standalone.admin_token}\r\n"
    path = "/api/v1/namespaces/default/configmaps/missing"
    assert status_line(server, get(path, admin)) == b"HTTP/1.1 404 Not Found"
    assert status_line(server, get(path)) == b"HTTP/1.1 401 Unauthorized"


def test_a_code_go_does_not_know() -> None:
    async def client_closed(request: Request) -> Response:
        return Response(status_code=499)

    server = ServedApp(Starlette(routes=[Route("/", client_closed)])).start()
    try:
        assert status_line(server, get("/")) == b"HTTP/1.1 499 status code 499"
    finally:
        server.stop()


def test_the_python_client_reports_the_reason(
        apiserver: tuple[ServedApp, StandaloneApiserver]) -> None:
    server, standalone = apiserver
    api = config.new_client_from_config_dict(standalone.kubeconfig(server.url, server.ca_pem))
    try:
        with pytest.raises(ApiException) as missing:
            client.CoreV1Api(api).read_namespaced_config_map("missing", "default")
    finally:
        api.close()
    assert (missing.value.status, missing.value.reason) == (404, "Not Found")
