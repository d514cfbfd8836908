"""The transport under clients that misbehave, over real TLS on loopback: HTTP/2 is refused
cleanly (the server speaks HTTP/1.1 only), and a client that leaves mid-request is not a server
failure. In every case nothing is logged as an error (the pytest plugin would fail the test
that caused it) and the server answers the next request."""

from __future__ import annotations

import json
import logging
import socket
import ssl
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import httpx
import pytest

from emulator import messages
from emulator.runner import ServedApp, serve_emulator
from emulator.scenario import loader
from emulator.standalone.server import StandaloneApiserver, serve_apiserver
from emulator.state import EmulatorState
from tests.harness import wait_until

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
# An empty SETTINGS frame: what an HTTP/2 client sends right after the preface.
SETTINGS = b"\x00\x00\x00\x04\x00\x00\x00\x00\x00"
CONFIGMAPS = ("/v1beta1/projects/123456789012/locations/global/memberships/my-cluster"
              "/api/v1/namespaces/default/configmaps")
ALICE = "Authorization: Bearer ya29.fake-alice\r\n"


@dataclass
class Collected(logging.Handler):
    """Every record logged anywhere in the process (emulator, asyncio, hypercorn) while a test
    runs; the emulator's own at DEBUG too, so a test can wait for a disconnect to be noted."""

    records: list[logging.LogRecord] = field(default_factory=list)

    def __post_init__(self) -> None:
        logging.Handler.__init__(self, logging.DEBUG)

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def __hash__(self) -> int:
        return id(self)

    def errors(self) -> list[str]:
        return [f"{r.name}: {r.getMessage()}" for r in self.records if r.levelno >= logging.ERROR]

    def wait_for(self, found: Callable[[logging.LogRecord], bool], seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while not any(found(r) for r in list(self.records)):
            assert time.monotonic() < deadline, "the server never noted it"
            time.sleep(0.02)


@pytest.fixture
def server_log() -> Iterator[Collected]:
    collected = Collected()
    emulator_log = logging.getLogger("emulator")
    level = emulator_log.level
    emulator_log.setLevel(logging.DEBUG)
    logging.getLogger().addHandler(collected)
    try:
        yield collected
    finally:
        logging.getLogger().removeHandler(collected)
        emulator_log.setLevel(level)


@pytest.fixture(scope="module")
def gateway() -> Iterator[ServedApp]:
    server = serve_emulator(EmulatorState(loader.load("quickstart")))
    yield server
    server.stop()


def tls(server: ServedApp, alpn: list[str] | None = None) -> ssl.SSLSocket:
    context = ssl.create_default_context(cadata=server.ca_pem.decode())
    if alpn is not None:
        context.set_alpn_protocols(alpn)
    return context.wrap_socket(socket.create_connection(("127.0.0.1", server.port), timeout=30),
                               server_hostname="127.0.0.1")


def read_to_close(sock: ssl.SSLSocket) -> bytes:
    """Everything the server sends until it closes the connection."""
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    return received


def still_answers(server: ServedApp) -> None:
    context = ssl.create_default_context(cadata=server.ca_pem.decode())
    with urllib.request.urlopen(f"{server.url}/_emulator/world", context=context,
                                timeout=30) as answer:
        assert answer.status == 200
        assert json.load(answer)["scenario"]


# -- HTTP/2 --------------------------------------------------------------------------------------

def test_alpn_offers_http1_only(gateway: ServedApp) -> None:
    with tls(gateway, ["h2"]) as sock:
        assert sock.selected_alpn_protocol() is None
    with tls(gateway, ["h2", "http/1.1"]) as sock:
        assert sock.selected_alpn_protocol() == "http/1.1"


def test_http2_prior_knowledge_gets_a_400_and_a_close(gateway: ServedApp,
                                                      server_log: Collected) -> None:
    """The preface reads as a malformed HTTP/1.1 request: Google's front-end 400 page, then the
    connection closes (Hypercorn would otherwise switch to HTTP/2)."""
    with tls(gateway, ["h2", "http/1.1"]) as sock:
        sock.sendall(PREFACE + SETTINGS)
        answer = read_to_close(sock)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.split(b"\r\n")[0] == b"HTTP/1.1 400 Bad Request"
    assert b"connection: close" in head.lower().split(b"\r\n")
    assert body.decode() == messages.GFE_400_TEMPLATE
    still_answers(gateway)
    assert server_log.errors() == []


def test_an_http2_client_with_prior_knowledge_fails_cleanly(gateway: ServedApp,
                                                            server_log: Collected) -> None:
    context = ssl.create_default_context(cadata=gateway.ca_pem.decode())
    with httpx.Client(http1=False, http2=True, verify=context) as client:
        with pytest.raises(httpx.RemoteProtocolError):
            client.get(f"{gateway.url}{CONFIGMAPS}",
                       headers={"Authorization": "Bearer ya29.fake-alice"})
    still_answers(gateway)
    assert server_log.errors() == []


def test_an_h2c_upgrade_is_answered_in_http1(gateway: ServedApp, server_log: Collected) -> None:
    """The Upgrade header is ignored (Hypercorn would answer 101 and switch, even over TLS)."""
    with tls(gateway) as sock:
        sock.sendall(b"GET /_emulator/world HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     b"Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
                     b"HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\nConnection: close\r\n\r\n")
        answer = read_to_close(sock)
    assert answer.split(b"\r\n")[0] == b"HTTP/1.1 200 OK"
    assert json.loads(answer.partition(b"\r\n\r\n")[2])["scenario"]
    assert server_log.errors() == []


def test_the_standalone_apiserver_refuses_http2_as_a_go_server(server_log: Collected) -> None:
    apiserver = serve_apiserver(StandaloneApiserver(loader.load("quickstart")))
    try:
        with tls(apiserver) as sock:
            sock.sendall(PREFACE + SETTINGS)
            answer = read_to_close(sock)
    finally:
        apiserver.stop()
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.split(b"\r\n")[0] == b"HTTP/1.1 400 Bad Request"
    assert body.decode() == messages.GO_400_BAD_REQUEST
    assert server_log.errors() == []


# -- Clients that leave mid-request ---------------------------------------------------------------

def left(path: str) -> Callable[[logging.LogRecord], bool]:
    """The emulator noted that the client of ``path`` left."""
    start = messages.APP_CLIENT_LEFT.split("{")[0]
    return lambda record: (record.name == "emulator.app" and record.getMessage().startswith(start)
                           and f" {path} " in record.getMessage())


def test_a_body_shorter_than_its_content_length(gateway: ServedApp,
                                                server_log: Collected) -> None:
    """10 bytes of 1,000, then the client goes. It waits for the 100 Continue first, so the
    request has surely reached the server (a close with the server's TLS tickets unread could
    otherwise reset the connection before the request is read at all)."""
    with tls(gateway) as sock:
        sock.sendall(f"POST {CONFIGMAPS} HTTP/1.1\r\nHost: 127.0.0.1\r\n{ALICE}"
                     "Content-Type: application/json\r\nContent-Length: 1000\r\n"
                     "Expect: 100-continue\r\n\r\n".encode())
        interim = b""
        while not interim.endswith(b"\r\n\r\n"):
            interim += sock.recv(1)
        assert interim.startswith(b"HTTP/1.1 100 Continue\r\n")
        sock.sendall(b'{"kind":"C')
    server_log.wait_for(left(CONFIGMAPS))
    still_answers(gateway)
    assert server_log.errors() == []


def test_a_broken_chunked_body(gateway: ServedApp, server_log: Collected) -> None:
    """Hypercorn answers the bad chunk size with its 400 itself; the app sees the client go."""
    with tls(gateway) as sock:
        sock.sendall(f"POST {CONFIGMAPS} HTTP/1.1\r\nHost: 127.0.0.1\r\n{ALICE}"
                     "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                     '5\r\n{"kin\r\nnot-a-size\r\n'.encode())
        answer = read_to_close(sock)
    assert answer.split(b"\r\n")[0].startswith(b"HTTP/1.1 400")
    server_log.wait_for(left(CONFIGMAPS))
    still_answers(gateway)
    assert server_log.errors() == []


def test_an_upload_that_goes_on_after_an_early_answer(gateway: ServedApp,
                                                      server_log: Collected) -> None:
    """No credentials, 50 MB announced: the gateway answers (401, `Connection: close`) without
    reading the body and closes, while the client is still sending. Closing TLS may then meet
    the client's data (APPLICATION_DATA_AFTER_CLOSE_NOTIFY): the client's doing, never an error."""
    declared = 50 * 1024 * 1024
    with tls(gateway) as sock:
        sock.sendall(f"POST {CONFIGMAPS} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     f"Content-Type: application/json\r\nContent-Length: {declared}\r\n\r\n"
                     .encode())
        sent = 0
        with pytest.raises(OSError):  # the server closed the connection on us
            while sent < declared:
                sock.sendall(b" " * 65536)
                sent += 65536
    state = gateway.app.state.emulator
    wait_until(lambda: any(r.status == 401 and r.path == CONFIGMAPS
                           for r in state.audit.records()), "the upload was never answered")
    still_answers(gateway)
    assert server_log.errors() == []


# -- a body the answer did not read --------------------------------------------------------------

def read_answer(sock: ssl.SSLSocket) -> tuple[bytes, bytes]:
    """One answer with a Content-Length: its head and its body."""
    def more() -> bytes:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        return chunk

    received = b""
    while b"\r\n\r\n" not in received:
        received += more()
    head, _, body = received.partition(b"\r\n\r\n")
    length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                  if line.lower().startswith(b"content-length:"))
    while len(body) < length:
        body += more()
    return head, body


def connection_header(head: bytes) -> list[bytes]:
    return [line for line in head.lower().split(b"\r\n") if line.startswith(b"connection:")]


@pytest.mark.parametrize("path", ["/_emulator/reset", "/no/such/path", CONFIGMAPS])
def test_an_unread_body_that_arrived_keeps_the_connection(gateway: ServedApp, path: str) -> None:
    """A reset, a 404 and a 401 read no body; the next request still uses the connection."""
    with tls(gateway) as sock:
        sock.sendall(f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     f"Content-Length: 10\r\n\r\n0123456789".encode())
        head, _ = read_answer(sock)
        assert connection_header(head) == []
        sock.sendall(b"GET /_emulator/world HTTP/1.1\r\nHost: x\r\n\r\n")
        head, body = read_answer(sock)
        assert head.split(b"\r\n")[0].startswith(b"HTTP/1.1 200") and json.loads(body)


@pytest.mark.parametrize("path", ["/_emulator/reset", "/no/such/path", CONFIGMAPS])
def test_a_body_that_comes_late_keeps_the_connection(gateway: ServedApp, path: str) -> None:
    """The body comes after the headers, as from a loaded client: the answer (which reads no
    body) waits for it, so the next request finds the connection open. Hypercorn would close a
    connection whose body had not all come when its answer ended, without saying so."""
    with tls(gateway) as sock:
        sock.sendall(f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     f"Content-Length: 10\r\n\r\n".encode())
        time.sleep(0.3)  # not a timing assertion: the lateness the server must cope with
        sock.sendall(b"0123456789")
        head, _ = read_answer(sock)
        assert connection_header(head) == []
        sock.sendall(b"GET /_emulator/world HTTP/1.1\r\nHost: x\r\n\r\n")
        head, body = read_answer(sock)
        assert head.split(b"\r\n")[0].startswith(b"HTTP/1.1 200") and json.loads(body)
