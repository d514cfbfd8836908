"""``RemoteCluster`` against real servers: a standalone mock apiserver over TLS, and small
misbehaving servers for the ways an upstream fails.

Each test drives the backend with ``asyncio.run``; the backend keeps one httpx client per loop.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections.abc import AsyncIterator, Awaitable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeVar

import pytest
import yaml
from websockets.asyncio.server import ServerConnection, serve

from emulator import messages, tls
from emulator.clock import FakeClock
from emulator.cluster.backend import ClusterRequest, ClusterResponse, ClusterUnreachable, Message
from emulator.cluster.remote import upstream
from emulator.cluster.remote.backend import AgentCredentials, RemoteCluster, ServiceAccountRef
from emulator.runner import ServedApp
from emulator.scenario import loader
from emulator.standalone.server import ADMIN_USER, StandaloneApiserver, serve_apiserver

QUICKSTART = loader.load("quickstart")
AGENT = ServiceAccountRef("gke-connect", "connect-agent-sa")
AGENT_USER = "system:serviceaccount:gke-connect:connect-agent-sa"
PODS = "/api/v1/namespaces/default/pods"
EXEC = f"{PODS}/web/exec"
EXEC_QUERY = "command=echo&command=hi&container=main&stdout=true"
CHANNEL = "v5.channel.k8s.io"
WAIT = 5.0  # seconds a test waits for something that should come, so none can hang
UPSTREAM_TOKEN = "upstream-token"  # the kubeconfig's own token on the small fake servers

T = TypeVar("T")


@dataclass
class UpstreamServer:
    standalone: StandaloneApiserver
    served: ServedApp
    kubeconfig: Path


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UpstreamServer]:
    tmp = tmp_path_factory.mktemp("remote-upstream")
    standalone = StandaloneApiserver(QUICKSTART, "my-cluster")
    app = serve_apiserver(standalone, tls_dir=tmp / "tls")
    path = write_kubeconfig(tmp / "kubeconfig", standalone.kubeconfig(app.url, app.ca_pem))
    yield UpstreamServer(standalone, app, path)
    app.stop()


@pytest.fixture
def mock(served: UpstreamServer) -> UpstreamServer:
    """The served standalone with a fresh quickstart cluster (what the last test changed is gone;
    service-account tokens issued before stay valid, as ``load`` promises)."""
    served.standalone.load(QUICKSTART, "my-cluster")
    return served


# -- helpers ---------------------------------------------------------------------------------------

def write_kubeconfig(path: Path, config: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def plain_kubeconfig(path: Path, server: str) -> Path:
    """A kubeconfig for a server of the tests' own, with a bearer token of its own."""
    return write_kubeconfig(path, {
        "apiVersion": "v1", "kind": "Config",
        "clusters": [{"name": "fake", "cluster": {"server": server}}],
        "users": [{"name": "fake", "user": {"token": UPSTREAM_TOKEN}}],
        "contexts": [{"name": "fake", "context": {"cluster": "fake", "user": "fake"}}],
        "current-context": "fake"})


def backend(kubeconfig: Path, credentials: AgentCredentials = AgentCredentials.SERVICE_ACCOUNT,
            clock: FakeClock | None = None, **timeouts: float) -> RemoteCluster:
    now = clock.now if clock is not None else (lambda: datetime.now(UTC))
    return RemoteCluster("my-cluster", upstream.load(kubeconfig, None), credentials, AGENT,
                         "v1.30.5", now, **timeouts)


def request(path: str = PODS, query: str = "", *, user: str | None = "alice@example.com",
            groups: tuple[str, ...] = (), method: str = "GET",
            headers: tuple[tuple[str, str], ...] = ()) -> ClusterRequest:
    """What the agent hands the backend: the caller named in Impersonate-* headers."""
    identity = (() if user is None else (("impersonate-user", user),)) + tuple(
        ("impersonate-group", g) for g in groups)
    return ClusterRequest(method, path, query, headers + identity)


def run(coro: Awaitable[T]) -> T:
    async def main() -> T:
        return await asyncio.wait_for(coro, 20)
    return asyncio.run(main())


async def body_of(response: ClusterResponse) -> bytes:
    if response.stream is None:
        return bytes(response.body)
    return b"".join([chunk async for chunk in response.stream])


def audit_id(response: ClusterResponse) -> str:
    return next(v for k, v in response.headers if k.lower() == "audit-id")


def status_message(body: bytes) -> str:
    status = json.loads(body)
    assert status["kind"] == "Status", status
    return str(status["message"])


def unreachable(coro: Awaitable[object]) -> str:
    with pytest.raises(ClusterUnreachable) as caught:
        run(coro)
    return caught.value.cause


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def revoke_service_account_tokens(standalone: StandaloneApiserver) -> None:
    tokens = standalone.cluster.authenticator.tokens
    for token in [t for t, user in tokens.items() if user.name != ADMIN_USER]:
        del tokens[token]


def codes(standalone: StandaloneApiserver) -> list[tuple[int, str, str]]:
    return [(e.code, e.verb, e.request_uri.partition("?")[0]) for e in standalone.audit.events()]


TOKEN_PATH = "/api/v1/namespaces/gke-connect/serviceaccounts/connect-agent-sa/token"


# -- who the apiserver sees ------------------------------------------------------------------------

def test_agent_service_account_impersonates_the_caller(mock: UpstreamServer) -> None:
    remote = backend(mock.kubeconfig)
    # The caller's own Authorization (here: the standalone's admin token, which would be obeyed)
    # must not cross the hop; the agent's token is what the apiserver sees.
    caller = (("authorization", f"Bearer {mock.standalone.admin_token}"),)

    async def go() -> tuple[ClusterResponse, bytes]:
        answer = await remote.handle(request(headers=caller))
        return answer, await body_of(answer)

    answer, body = run(go())
    assert answer.status == 200, body
    assert [p["metadata"]["name"] for p in json.loads(body)["items"]] == ["web"]
    last = mock.standalone.audit.events()[-1]
    assert (last.user, last.impersonated_user, last.verb, last.request_uri, last.code) == (
        AGENT_USER, "alice@example.com", "get", PODS, 200)
    assert last.audit_id == audit_id(answer)
    decision = remote.decision(audit_id(answer))
    assert decision is not None
    assert (decision.stage, decision.allowed) == ("authorization", True)
    assert remote.identity() == messages.REMOTE_IDENTITY_SERVICE_ACCOUNT.format(user=AGENT_USER)


def test_impersonated_groups_each_travel(mock: UpstreamServer) -> None:
    remote = backend(mock.kubeconfig)
    groups = ("sre@example.com", "oncall@example.com")

    async def go() -> int:
        answer = await remote.handle(request(user="erin@example.com", groups=groups))
        await body_of(answer)
        return answer.status

    assert run(go()) == 200  # erin may list pods only through the sre group's edit binding
    last = mock.standalone.audit.events()[-1]
    assert (last.user, last.impersonated_user, last.impersonated_groups) == (
        AGENT_USER, "erin@example.com", groups)


def test_kubeconfig_credentials_are_the_kubeconfig_user(mock: UpstreamServer) -> None:
    remote = backend(mock.kubeconfig, AgentCredentials.KUBECONFIG)

    async def go() -> int:
        answer = await remote.handle(request(user=None))
        await body_of(answer)
        return answer.status

    assert run(go()) == 200
    assert [(e.user, e.code) for e in mock.standalone.audit.events()] == [(ADMIN_USER, 200)]
    assert remote.identity() == messages.REMOTE_IDENTITY_KUBECONFIG.format(
        credentials=messages.REMOTE_CREDENTIALS_TOKEN)


# -- what the apiserver decided --------------------------------------------------------------------

def test_impersonation_the_agent_may_not_do(mock: UpstreamServer) -> None:
    remote = backend(mock.kubeconfig)
    answer = run(remote.handle(request(user="mallory@example.com")))
    assert answer.status == 403
    assert status_message(answer.body) == messages.K8S_IMPERSONATE_FORBIDDEN.format(
        resource="users", name="mallory@example.com", user=AGENT_USER,
        scope=messages.K8S_SCOPE_CLUSTER)
    decision = remote.decision(audit_id(answer))
    assert decision is not None
    assert (decision.stage, decision.allowed) == ("impersonation", False)


def test_rbac_denial_is_an_authorization_decision(mock: UpstreamServer) -> None:
    remote = backend(mock.kubeconfig)
    answer = run(remote.handle(request(user="dave@example.com")))
    assert answer.status == 403
    expected = messages.K8S_FORBIDDEN.format(
        subject="pods", user="dave@example.com", verb="list", resource="pods", group="",
        scope=messages.K8S_SCOPE_NAMESPACE.format(namespace="default"))
    assert status_message(answer.body) == expected
    decision = remote.decision(audit_id(answer))
    assert decision is not None
    assert (decision.stage, decision.allowed, decision.reason) == ("authorization", False,
                                                                   expected)
    assert remote.decision("no-such-audit-id") is None


# -- bodies that arrive over time ------------------------------------------------------------------

async def next_event(stream: AsyncIterator[bytes], buffer: bytearray) -> dict[str, Any]:
    """The next newline-delimited watch event, however the chunks cut it."""
    while b"\n" not in buffer:
        buffer += await asyncio.wait_for(anext(stream), WAIT)
    line, _, rest = bytes(buffer).partition(b"\n")
    buffer[:] = rest
    return dict(json.loads(line))


def test_watch_streams_events_as_they_happen(mock: UpstreamServer) -> None:
    remote = backend(mock.kubeconfig)

    async def go() -> list[tuple[str, str]]:
        answer = await remote.handle(request(query="watch=true"))
        assert answer.status == 200 and answer.stream is not None
        stream, buffer = answer.stream, bytearray()
        try:
            first = await next_event(stream, buffer)
            mock.standalone.cluster.seed({"apiVersion": "v1", "kind": "Pod",
                                          "metadata": {"name": "late", "namespace": "default"},
                                          "spec": {"containers": [{"name": "c", "image": "i"}]}})
            second = await next_event(stream, buffer)
        finally:
            await stream.aclose()  # type: ignore[attr-defined]
        return [(e["type"], e["object"]["metadata"]["name"]) for e in (first, second)]

    assert run(go()) == [("ADDED", "web"), ("ADDED", "late")]


def test_request_body_and_content_type_cross(mock: UpstreamServer) -> None:
    remote = backend(mock.kubeconfig)
    configmap = {"apiVersion": "v1", "kind": "ConfigMap",
                 "metadata": {"name": "sent", "namespace": "default"}, "data": {"k": "v"}}
    create = ClusterRequest("POST", "/api/v1/namespaces/default/configmaps", "", (
        ("content-type", "application/json"), ("impersonate-user", "alice@example.com")),
        json.dumps(configmap).encode())

    async def go() -> tuple[int, bytes]:
        answer = await remote.handle(create)
        return answer.status, await body_of(answer)

    code, body = run(go())
    assert code == 201, body
    stored = mock.standalone.cluster.store.get(("", "configmaps"), "default", "sent")
    assert stored is not None and stored["data"] == {"k": "v"}
    assert json.loads(body)["metadata"]["name"] == "sent"


# -- the agent's token -----------------------------------------------------------------------------

def test_token_survives_a_reload_and_is_renewed_once_revoked(mock: UpstreamServer) -> None:
    remote = backend(mock.kubeconfig)

    async def status() -> int:
        answer = await remote.handle(request())
        await body_of(answer)
        return answer.status

    async def go() -> None:
        assert await status() == 200
        assert [e.request_uri for e in mock.standalone.audit.events()].count(TOKEN_PATH) == 1
        mock.standalone.load(QUICKSTART, "my-cluster")  # keeps issued tokens, clears the audit
        assert await status() == 200
        assert codes(mock.standalone) == [(200, "get", PODS)]  # no new TokenRequest
        revoke_service_account_tokens(mock.standalone)
        mock.standalone.audit.clear()
        assert await status() == 200
        assert codes(mock.standalone) == [(401, "get", PODS), (201, "create", TOKEN_PATH),
                                          (200, "get", PODS)]

    run(go())


def test_stream_token_is_renewed_once_revoked(mock: UpstreamServer) -> None:
    remote = backend(mock.kubeconfig)

    async def go() -> list[Message]:
        assert (await remote.handle(request())).status == 200  # a token is issued
        revoke_service_account_tokens(mock.standalone)
        mock.standalone.audit.clear()
        session = await remote.open_stream(request(EXEC, EXEC_QUERY), [CHANNEL])
        assert not isinstance(session, ClusterResponse), session
        return await drain(session)

    received = run(go())
    assert received[0] == b"\x01hi\n"
    assert codes(mock.standalone) == [(401, "get", EXEC), (201, "create", TOKEN_PATH),
                                      (101, "get", EXEC)]


def test_token_is_renewed_before_it_expires(mock: UpstreamServer) -> None:
    clock = FakeClock()
    remote = backend(mock.kubeconfig, clock=clock)

    async def go() -> list[int]:
        requested = []
        # The token lasts an hour; it is renewed in its last five minutes, not before.
        for advance in (0, 50 * 60, 6 * 60):
            clock.advance(advance)
            answer = await remote.handle(request())
            await body_of(answer)
            assert answer.status == 200
            requested.append([e.request_uri for e in mock.standalone.audit.events()].count(
                TOKEN_PATH))
        return requested

    assert run(go()) == [1, 1, 2]


def test_token_request_refused(tmp_path: Path) -> None:
    scenario = loader.parse("""\
project: {id: p, number: "123456789012"}
memberships:
  - name: bare
    kubernetes_version: v1.30.5
    agent_installed: false
""", tmp_path / "bare.yaml")
    standalone = StandaloneApiserver(scenario)
    app = serve_apiserver(standalone, tls_dir=tmp_path / "tls")
    try:
        kubeconfig = write_kubeconfig(tmp_path / "kubeconfig",
                                      standalone.kubeconfig(app.url, app.ca_pem))
        cause = unreachable(backend(kubeconfig).handle(request()))
    finally:
        app.stop()
    detail = messages.K8S_NOT_FOUND.format(resource="serviceaccounts", name=AGENT.name)
    # Hypercorn sends no reason phrase; a Go apiserver sends "Not Found".
    assert cause in {messages.REMOTE_CAUSE_TOKEN.format(
        namespace=AGENT.namespace, name=AGENT.name, status=status, detail=detail)
        for status in ("404", "404 Not Found")}


# -- an upstream that cannot be asked --------------------------------------------------------------

@pytest.mark.parametrize("credentials", list(AgentCredentials))
def test_connection_refused(mock: UpstreamServer, tmp_path: Path,
                            credentials: AgentCredentials) -> None:
    port = free_port()
    config = mock.standalone.kubeconfig(f"https://127.0.0.1:{port}", mock.served.ca_pem)
    remote = backend(write_kubeconfig(tmp_path / "kubeconfig", config), credentials)
    expected = messages.REMOTE_CAUSE_REFUSED.format(address=f"127.0.0.1:{port}")
    assert unreachable(remote.handle(request())) == expected
    assert unreachable(remote.open_stream(request(EXEC, EXEC_QUERY), [CHANNEL])) == expected


def test_connection_refused_on_ipv6_names_the_address_as_go_does(mock: UpstreamServer,
                                                                  tmp_path: Path) -> None:
    try:
        with socket.socket(socket.AF_INET6) as sock:
            sock.bind(("::1", 0))
            port = sock.getsockname()[1]
    except OSError:
        pytest.skip("no IPv6 loopback here")
    config = mock.standalone.kubeconfig(f"https://[::1]:{port}", mock.served.ca_pem)
    remote = backend(write_kubeconfig(tmp_path / "kubeconfig", config),
                     AgentCredentials.KUBECONFIG)
    assert unreachable(remote.handle(request())) == messages.REMOTE_CAUSE_REFUSED.format(
        address=f"[::1]:{port}")


def test_certificate_from_another_ca(mock: UpstreamServer, tmp_path: Path) -> None:
    config = mock.standalone.kubeconfig(mock.served.url, tls.generate().ca_pem)
    remote = backend(write_kubeconfig(tmp_path / "kubeconfig", config),
                     AgentCredentials.KUBECONFIG)
    prefix = messages.REMOTE_CAUSE_TLS_VERIFY.format(detail="")
    assert unreachable(remote.handle(request())).startswith(prefix)
    assert unreachable(remote.open_stream(request(EXEC, EXEC_QUERY), [CHANNEL])).startswith(prefix)


def test_server_that_never_answers(tmp_path: Path) -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(65536)
        await asyncio.sleep(WAIT)  # accepted, read, and never a word back

    async def go() -> str:
        server = await asyncio.start_server(silent, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        remote = backend(plain_kubeconfig(tmp_path / "kubeconfig", f"http://127.0.0.1:{port}"),
                         AgentCredentials.KUBECONFIG, request_timeout=0.5)
        try:
            await remote.handle(request())
        except ClusterUnreachable as err:
            return err.cause
        finally:
            server.close()
        raise AssertionError("the silent server got an answer")

    assert run(go()) == messages.REMOTE_CAUSE_TIMEOUT


# -- answers that are not the apiserver's ------------------------------------------------------------

HTML_502 = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
STATUS_500 = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
              "message": "etcdserver: request timed out", "reason": "InternalError",
              "code": 500}


class _FakeApiserver(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if self.path.startswith("/html"):
            self._answer(502, "text/html", HTML_502)
        else:
            self._answer(500, "application/json", json.dumps(STATUS_500).encode())

    def _answer(self, code: int, content_type: str, body: bytes) -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def fake_apiserver() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeApiserver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_html_5xx_is_a_proxy_failing(fake_apiserver: str, tmp_path: Path) -> None:
    remote = backend(plain_kubeconfig(tmp_path / "kubeconfig", fake_apiserver),
                     AgentCredentials.KUBECONFIG)
    assert unreachable(remote.handle(request("/html"))) == messages.REMOTE_CAUSE_STATUS.format(
        status="502 Bad Gateway", detail=HTML_502.decode())


def test_5xx_status_is_the_apiserver_speaking(fake_apiserver: str, tmp_path: Path) -> None:
    remote = backend(plain_kubeconfig(tmp_path / "kubeconfig", fake_apiserver),
                     AgentCredentials.KUBECONFIG)
    answer = run(remote.handle(request(PODS)))
    assert answer.status == 500
    assert json.loads(answer.body) == STATUS_500
    assert audit_id(answer)  # one is made up when the server sent none, for the decision
    assert remote.decision(audit_id(answer)) is not None


# -- exec ------------------------------------------------------------------------------------------

async def drain(session: Any) -> list[Message]:
    received: list[Message] = []
    while (message := await asyncio.wait_for(session.receive(), WAIT)) is not None:
        received.append(message)
    return received


def test_exec_session_relays_frames_and_the_close(mock: UpstreamServer) -> None:
    remote = backend(mock.kubeconfig)

    async def go() -> tuple[str, list[Message], int | None]:
        session = await remote.open_stream(request(EXEC, EXEC_QUERY), [CHANNEL])
        assert not isinstance(session, ClusterResponse), session
        return session.subprotocol, await drain(session), session.close_code

    subprotocol, received, close_code = run(go())
    assert subprotocol == CHANNEL
    assert received[0] == b"\x01hi\n"  # channel 1: stdout
    assert all(isinstance(m, bytes) for m in received)
    assert close_code == 1000
    (event,) = mock.standalone.audit.events()[-1:]
    assert (event.code, event.user, event.impersonated_user) == (101, AGENT_USER,
                                                                 "alice@example.com")


def test_exec_rbac_forbids(mock: UpstreamServer) -> None:
    remote = backend(mock.kubeconfig)
    answer = run(remote.open_stream(request(EXEC, EXEC_QUERY, user="dave@example.com"), [CHANNEL]))
    assert isinstance(answer, ClusterResponse)
    assert answer.status == 403
    status = json.loads(answer.body)
    assert (status["kind"], status["reason"], status["code"]) == ("Status", "Forbidden", 403)
    assert status["message"] == messages.K8S_FORBIDDEN.format(
        subject='pods "web"', user="dave@example.com", verb="get", resource="pods/exec",
        group="", scope=messages.K8S_SCOPE_NAMESPACE.format(namespace="default"))
    decision = remote.decision(audit_id(answer))
    assert decision is not None
    assert (decision.stage, decision.allowed) == ("authorization", False)


def test_stream_frames_cross_unchanged(tmp_path: Path) -> None:
    """Empty frames stay, text stays text, the client's frames reach the server, the server's
    close code comes through, and the caller's Authorization is replaced by the kubeconfig's."""
    seen: dict[str, Any] = {}

    async def apiserver(connection: ServerConnection) -> None:
        assert connection.request is not None
        seen["authorization"] = connection.request.headers.get_all("Authorization")
        seen["impersonate"] = connection.request.headers.get_all("Impersonate-User")
        for frame in (b"\x01", b"", "", b"\x01out", "text"):
            await connection.send(frame)
        seen["from client"] = await connection.recv()
        await connection.close(1011, "gone")

    async def go() -> tuple[list[Message], int | None]:
        async with serve(apiserver, "127.0.0.1", 0, subprotocols=[CHANNEL]) as server:
            port = server.sockets[0].getsockname()[1]
            remote = backend(plain_kubeconfig(tmp_path / "kubeconfig",
                                              f"http://127.0.0.1:{port}"),
                             AgentCredentials.KUBECONFIG)
            session = await remote.open_stream(
                request(EXEC, EXEC_QUERY, headers=(("authorization", "Bearer caller"),)),
                [CHANNEL])
            assert not isinstance(session, ClusterResponse), session
            received = [await asyncio.wait_for(session.receive(), WAIT) for _ in range(5)]
            await session.send(b"\x00stdin")
            received += await drain(session)
            return received, session.close_code

    received, close_code = run(go())
    assert received == [b"\x01", b"", "", b"\x01out", "text"]
    assert close_code == 1011
    assert seen == {"authorization": [f"Bearer {UPSTREAM_TOKEN}"],
                    "impersonate": ["alice@example.com"], "from client": b"\x00stdin"}
