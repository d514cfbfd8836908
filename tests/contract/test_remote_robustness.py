"""The remote path against hostile clients (issue 12): the gateway in front of a standalone mock
apiserver over TLS, driven over raw HTTPS connections.

- Item 14: clients that go away with requests in flight leave no connection to the apiserver
  behind, more of them than httpx's pool holds, and the membership answers at once afterwards.
- Item 9: of a client's headers, only those an apiserver reads reach it; never ``X-Remote-*``.
"""

from __future__ import annotations

import http.client
import json
import logging
import socket
import ssl
import struct
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import pytest

from emulator import messages
from emulator.cluster.remote.backend import POOL_CONNECTIONS
from emulator.runner import serve_emulator
from emulator.scenario import loader
from tests.harness import FrontedState, Served, serve_upstream, wait_until
from tests.upstreams import HeldUpstream, open_sockets

pytestmark = pytest.mark.contract

QUICKSTART = loader.load("quickstart")
PODS = "/api/v1/namespaces/default/pods"
HELD = f"{PODS}/held"  # a pod the apiserver is slow to answer for: until the test releases it
WAIT = 10.0  # seconds for anything that should happen, so that a hang fails instead
ALICE = "Bearer ya29.fake-alice"
# /proc/net/tcp states: the connections a gateway holds open to the apiserver.


class Gateway:
    """The gateway with my-cluster on ``upstream``, and raw HTTPS clients of it."""

    def __init__(self, tmp: Path) -> None:
        upstream, served = serve_upstream(QUICKSTART, "my-cluster", tmp)
        self.upstream_server = served
        self.upstream = HeldUpstream(upstream.standalone, lambda path: path == HELD)
        self.state = FrontedState(QUICKSTART, {"my-cluster": upstream})
        self.served = Served(self.state, serve_emulator(self.state), tmp, "remote", (served,))
        self.prefix = self.served.server_path("my-cluster")
        self.context = self.served.tls_context()

    def open(self, path: str, *, headers: dict[str, str] | None = None) -> ssl.SSLSocket:
        """A connection with one GET sent on it, its answer not read."""
        sock = self.context.wrap_socket(
            socket.create_connection(("127.0.0.1", self.served.server.port), timeout=WAIT),
            server_hostname="127.0.0.1")
        lines = [f"GET {self.prefix}{path} HTTP/1.1", "Host: 127.0.0.1",
                 f"Authorization: {ALICE}"]
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        return sock

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        """A whole request and answer, bounded by WAIT: a hang fails the test."""
        connection = http.client.HTTPSConnection("127.0.0.1", self.served.server.port,
                                                 context=self.context, timeout=WAIT)
        try:
            connection.request("GET", self.prefix + path,
                               headers={"Authorization": ALICE, **(headers or {})})
            answer = connection.getresponse()
            return answer.status, answer.read()
        finally:
            connection.close()

    def close(self) -> None:
        self.upstream.release()
        self.served.server.stop()
        self.upstream_server.stop()


@pytest.fixture
def gateway(tmp_path: Path) -> Iterator[Gateway]:
    if not Path("/proc/net/tcp").exists():
        pytest.skip("counts connections in /proc/net/tcp (Linux)")
    handle = Gateway(tmp_path)
    yield handle
    handle.close()


def abandon(sock: ssl.SSLSocket, *, reset: bool) -> None:
    """The client goes away: a TLS close, or (``reset``) a TCP reset, as a killed process's
    connection may end."""
    if reset:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def test_clients_that_leave_mid_request_leave_no_upstream_connection_behind(
        gateway: Gateway, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    upstream = gateway.upstream
    assert gateway.get(f"{PODS}/web")[0] == 200  # the agent's token, a kept-alive connection
    baseline = sum(open_sockets(gateway.upstream_server.port).values())
    # More requests in flight than httpx's pool holds connections: before the fix, the pool was
    # full after 100 of them and every later request to the membership waited.
    held = POOL_CONNECTIONS + 10
    for number in range(held):
        # In flight before the apiserver has answered anything: the gateway is still waiting
        # for its headers when the client leaves.
        sock = gateway.open(HELD)
        wait_until(lambda: upstream.held > number,
                   f"held request {number + 1} never reached the apiserver: the gateway's "
                   f"connections to it are all taken")
        abandon(sock, reset=number % 2 == 1)
    streamed = 40
    for number in range(streamed):
        # In flight mid-body: a watch, or a followed log, whose first bytes have arrived.
        path = f"{PODS}?watch=true" if number % 2 else f"{PODS}/web/log?follow=true"
        sock = gateway.open(path)
        assert sock.recv(64).startswith(b"HTTP/1.1 200"), path
        abandon(sock, reset=number % 4 < 2)

    wait_until(lambda: sum(open_sockets(gateway.upstream_server.port).values()) <= baseline,
               "connections to the apiserver left open after their clients went away")
    # The membership answers at once (a hang would fail on WAIT), and every held request was
    # recorded as its client's leaving.
    status, body = gateway.get(f"{PODS}/web")
    assert status == 200 and json.loads(body)["metadata"]["name"] == "web"
    def left() -> list[tuple[int, str]]:
        return [(r.status, r.explanation) for r in gateway.state.audit.records()
                if r.k8s_path == HELD]

    wait_until(lambda: len(left()) == held, "a held request without its audit record")
    assert set(left()) == {(499, messages.AUDIT_CLIENT_LEFT_BEFORE_ANSWER)}
    # A client leaving is the client's doing: nothing for the server log but what asyncio says
    # about writes to a connection already gone.
    assert [r.getMessage() for r in caplog.records
            if r.levelno >= logging.ERROR or r.name.startswith("emulator")] == []


def test_only_the_headers_an_apiserver_reads_reach_it(gateway: Gateway) -> None:
    sent = {
        "Accept": "application/json;as=Table;v=v1;g=meta.k8s.io,application/json",
        "User-Agent": "robustness-test/1.0",
        "X-Remote-User": "system:admin",
        "X-Remote-Group": "system:masters",
        "X-Remote-Extra-Scopes": "everything",
        "Cookie": "session=stolen",
        "X-Forwarded-For": "10.0.0.1",
        "X-Foo": "bar",
    }
    status, body = gateway.get(PODS, sent)
    # Content negotiation still crossed: kubectl's Table came back.
    assert status == 200 and json.loads(body)["kind"] == "Table"
    relayed = [r for r in gateway.upstream.requests if r.path == PODS]
    assert len(relayed) == 1
    headers = dict(relayed[0].headers)
    assert headers["accept"] == sent["Accept"] and headers["user-agent"] == sent["User-Agent"]
    assert not {"x-remote-user", "x-remote-group", "x-remote-extra-scopes", "cookie",
                "x-forwarded-for", "x-foo"} & set(headers)
    # Who the apiserver saw: the agent acting for alice, and no one else.
    assert relayed[0].header_values("impersonate-user") == ["alice@example.com"]


@pytest.mark.parametrize("name", ["a%20b", "caf%C3%A9", "100%25"])
def test_a_percent_encoded_name_reaches_the_apiserver_encoded(gateway: Gateway, name: str) -> None:
    """The gateway decodes the path; the agent's request line must carry it encoded again, or
    a space or a non-ASCII name would make no request at all (the agent's unreachable error)."""
    status, body = gateway.get(f"{PODS}/{name}")
    assert status == 404, body
    answer = json.loads(body)
    assert answer["kind"] == "Status" and answer["reason"] == "NotFound"
    relayed = [r for r in gateway.upstream.requests if r.path.startswith(f"{PODS}/")]
    assert [r.path for r in relayed] == [f"{PODS}/{unquote(name)}"]  # as the upstream decoded it
