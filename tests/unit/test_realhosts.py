"""The real-host proxy and the app's Google-host check (docs/real-hosts.md): what passes, what is
refused, and that the proxy never connects anywhere but the emulator's own loopback port."""

from __future__ import annotations

import ast
import json
import socket
import ssl
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from starlette.testclient import TestClient, WebSocketDenialResponse

from emulator import gcloud_env, messages, statedir, tls
from emulator.app import create_app
from emulator.realhosts import hosts
from emulator.realhosts.proxy import RealHostsProxy, Refused, google_target
from emulator.runner import ServedApp, serve_emulator
from emulator.scenario import loader
from emulator.state import EmulatorState

PROXY_SOURCE = Path(__file__).resolve().parents[2] / "emulator" / "realhosts" / "proxy.py"
ALICE = {"authorization": "Bearer ya29.fake-alice"}

# --- which targets pass -------------------------------------------------------------------------


@pytest.mark.parametrize("head", [
    b"CONNECT connectgateway.googleapis.com:443 HTTP/1.1\r\nHost: x\r\n\r\n",
    b"CONNECT US-Central1-ConnectGateway.googleapis.com:443 HTTP/1.1\r\n\r\n",
    b"CONNECT compute.googleapis.com:443 HTTP/1.0\r\n\r\n",
])
def test_connect_to_a_google_host_on_443_passes(head: bytes) -> None:
    assert google_target(head).endswith(".googleapis.com")
    assert google_target(head) == google_target(head).lower()


@pytest.mark.parametrize("head, target", [
    (b"CONNECT example.com:443 HTTP/1.1\r\n\r\n", "example.com:443"),
    (b"CONNECT compute.googleapis.com:80 HTTP/1.1\r\n\r\n", "compute.googleapis.com:80"),
    (b"CONNECT gkehub.googleapis.com:8443 HTTP/1.1\r\n\r\n", "gkehub.googleapis.com:8443"),
    (b"CONNECT googleapis.com.example.com:443 HTTP/1.1\r\n\r\n", "googleapis.com.example.com:443"),
    (b"CONNECT googleapis.com:443 HTTP/1.1\r\n\r\n", "googleapis.com:443"),
    (b"CONNECT 169.254.169.254:443 HTTP/1.1\r\n\r\n", "169.254.169.254:443"),
    (b"CONNECT [::1]:443 HTTP/1.1\r\n\r\n", "[::1]:443"),
    (b"CONNECT a_b.googleapis.com:443 HTTP/1.1\r\n\r\n", "a_b.googleapis.com:443"),
    (b"GET http://gkehub.googleapis.com/v1/x HTTP/1.1\r\n\r\n",
     "GET http://gkehub.googleapis.com/v1/x"),
    (b"GET http://example.com/ HTTP/1.1\r\n\r\n", "GET http://example.com/"),
])
def test_every_other_target_is_refused_with_403(head: bytes, target: str) -> None:
    with pytest.raises(Refused) as refused:
        google_target(head)
    assert refused.value.status == "403 Forbidden"
    assert refused.value.body == messages.REALHOSTS_REFUSED.format(target=target)
    assert "contacts nothing outside this machine" in refused.value.body


def test_a_head_that_is_not_http_is_a_400() -> None:
    with pytest.raises(Refused) as refused:
        google_target(b"\x16\x03\x01garbage\r\n\r\n")
    assert refused.value.status == "400 Bad Request"


@pytest.mark.parametrize("host", [
    "connectgateway.googleapis.com", "us-central1-connectgateway.googleapis.com",
    "europe-west4-connectgateway.googleapis.com", "gkehub.googleapis.com",
    "cloudresourcemanager.googleapis.com", "iamcredentials.googleapis.com",
    "serviceusage.googleapis.com", "gkemulticloud.googleapis.com",
    "us-west1-gkemulticloud.googleapis.com", "GKEHUB.googleapis.com"])
def test_emulated_hosts(host: str) -> None:
    assert hosts.is_google_host(host) and hosts.is_emulated(host)


@pytest.mark.parametrize("host", [
    "compute.googleapis.com", "us-central1-gkehub.googleapis.com",
    "autopush-connectgateway.sandbox.googleapis.com", "connectgateway.googleapis.com.example",
    "xconnectgateway.googleapis.com", "oauth2.googleapis.com"])
def test_hosts_not_emulated(host: str) -> None:
    assert not hosts.is_emulated(host)


# --- certificates -------------------------------------------------------------------------------


def test_a_host_certificate_names_exactly_that_host_and_chains_to_the_ca() -> None:
    material = tls.generate()
    chain, _ = tls.issue(material, "gkehub.googleapis.com")
    cert = x509.load_pem_x509_certificate(chain)
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["gkehub.googleapis.com"]
    assert names.get_values_for_type(x509.IPAddress) == []
    cert.verify_directly_issued_by(x509.load_pem_x509_certificate(material.ca_pem))
    assert chain.endswith(material.ca_pem)


def test_material_read_back_from_files_cannot_issue(tmp_path: Path) -> None:
    tls.generate().write(tmp_path)
    assert not (tmp_path / "ca-key.pem").exists()  # the CA key never reaches the disk
    with pytest.raises(ValueError):
        tls.issue(tls.reuse_or_generate(tmp_path, ("127.0.0.1",)), "gkehub.googleapis.com")


# --- nothing leaves the machine -----------------------------------------------------------------

_CALLS: list[tuple[str, str, object]] | None = None
_HOOKED = threading.Lock()
_hook_installed = False


def _audit(event: str, args: tuple[object, ...]) -> None:
    # Python's audit events see every socket connect and name lookup, whichever API made them.
    if _CALLS is not None and event in ("socket.connect", "socket.getaddrinfo"):
        address = args[1] if event == "socket.connect" else args[0]
        _CALLS.append((threading.current_thread().name, event, address))


@pytest.fixture
def network_calls() -> Iterator[list[tuple[str, str, object]]]:
    """Every socket connect and name lookup in this process while the test runs."""
    global _CALLS, _hook_installed
    with _HOOKED:
        if not _hook_installed:  # audit hooks cannot be removed: one per process, gated
            sys.addaudithook(_audit)
            _hook_installed = True
    _CALLS = []
    try:
        yield _CALLS
    finally:
        _CALLS = None


@pytest.fixture
def served() -> Iterator[ServedApp]:
    server = serve_emulator(EmulatorState(loader.load("quickstart")), proxy_port=0)
    try:
        yield server
    finally:
        server.stop()


def _proxy_socket(server: ServedApp, head: bytes) -> tuple[socket.socket, bytes]:
    assert server.proxy_port is not None
    sock = socket.create_connection(("127.0.0.1", server.proxy_port), timeout=10)
    sock.sendall(head)
    answer = b""
    while b"\r\n\r\n" not in answer:
        chunk = sock.recv(4096)
        if not chunk:
            break
        answer += chunk
    return sock, answer


def _from_proxy(calls: list[tuple[str, str, object]]) -> list[tuple[str, object]]:
    return [(event, address) for thread, event, address in calls
            if thread.startswith("cgw-realhosts-proxy") or thread.startswith("asyncio")]


def _lookups(calls: list[tuple[str, str, object]]) -> list[object]:
    """Names looked up anywhere in the process but the test's own ``127.0.0.1``."""
    return [address for _, event, address in calls
            if event == "socket.getaddrinfo" and address != "127.0.0.1"]


@pytest.mark.parametrize("head, target", [
    (b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", "example.com:443"),
    (b"CONNECT compute.googleapis.com:80 HTTP/1.1\r\n\r\n", "compute.googleapis.com:80"),
    (b"GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n", "GET http://example.com/"),
])
def test_a_refused_target_is_never_contacted(served: ServedApp, head: bytes, target: str,
                                             network_calls: list) -> None:
    sock, answer = _proxy_socket(served, head)
    with sock:
        answer += sock.recv(4096)
    status, _, body = answer.partition(b"\r\n\r\n")
    assert status.startswith(b"HTTP/1.1 403 Forbidden")
    assert body.decode() == messages.REALHOSTS_REFUSED.format(target=target)
    assert _from_proxy(network_calls) == []
    assert _lookups(network_calls) == []


def _tunnel(served: ServedApp, host: str) -> ssl.SSLSocket:
    sock, answer = _proxy_socket(served, f"CONNECT {host}:443 HTTP/1.1\r\nHost: {host}:443\r\n\r\n"
                                 .encode())
    assert answer == b"HTTP/1.1 200 Connection established\r\n\r\n"
    context = ssl.create_default_context(cadata=served.ca_pem.decode())
    context.set_alpn_protocols(["h2", "http/1.1"])
    return context.wrap_socket(sock, server_hostname=host)  # verifies the name against the CA


def _get(tunnel: ssl.SSLSocket, host: str, path: str) -> tuple[str, dict]:
    tunnel.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer "
                   f"ya29.fake-alice\r\nConnection: close\r\n\r\n".encode())
    data = b""
    while chunk := tunnel.recv(65536):
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return head.split(b"\r\n")[0].decode(), json.loads(body)


def test_a_google_host_is_relayed_to_the_emulator_only(served: ServedApp,
                                                        network_calls: list) -> None:
    host = "cloudresourcemanager.googleapis.com"
    with _tunnel(served, host) as tunnel:
        assert tunnel.selected_alpn_protocol() == "http/1.1"  # never h2, for Go clients
        status, body = _get(tunnel, host, "/v1/projects/my-project?alt=json")
    assert status == "HTTP/1.1 200 OK"
    assert body["projectNumber"] == "123456789012"
    assert _from_proxy(network_calls) == [("socket.connect", ("127.0.0.1", served.port))]
    assert _lookups(network_calls) == []


def test_a_google_host_not_emulated_gets_googles_error(served: ServedApp) -> None:
    with _tunnel(served, "compute.googleapis.com") as tunnel:
        status, body = _get(tunnel, "compute.googleapis.com", "/compute/v1/projects/my-project")
    assert status == "HTTP/1.1 501 Not Implemented"
    assert body["error"]["status"] == "UNIMPLEMENTED"
    assert body["error"]["message"].startswith(
        "compute.googleapis.com is not emulated by connect-gateway-emulator")


def test_the_only_outbound_connection_is_the_fixed_loopback_one() -> None:
    """Structural: no code in proxy.py but ``_open_emulator(self)`` opens a connection or looks
    a name up, and that one takes no address from its caller."""
    network = {"open_connection", "create_connection", "connect", "sock_connect", "getaddrinfo",
               "connect_ex", "start_server", "create_server"}
    tree = ast.parse(PROXY_SOURCE.read_text())
    found: dict[str, list[str]] = {}
    for function in ast.walk(tree):
        if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for node in ast.walk(function):
                if isinstance(node, ast.Call):
                    name = getattr(node.func, "attr", getattr(node.func, "id", ""))
                    if name in network:
                        found.setdefault(function.name, []).append(name)
    outbound = {f: names for f, names in found.items()
                if set(names) - {"start_server", "create_server"}}
    assert outbound == {"_open_emulator": ["open_connection"]}
    (opener,) = [f for f in ast.walk(tree) if isinstance(f, ast.AsyncFunctionDef)
                 and f.name == "_open_emulator"]
    assert [a.arg for a in opener.args.args] == ["self"]
    # the listeners: the proxy's own loopback socket, and the server over it
    assert found["start"] == ["create_server"] and found["main"] == ["start_server"]


@pytest.mark.parametrize("upstream", ["10.0.0.1", "example.com", "0.0.0.0"])
def test_the_proxy_refuses_a_non_loopback_upstream(upstream: str) -> None:
    with pytest.raises(ValueError):
        RealHostsProxy(tls.generate(), upstream, 443)


# --- the app ------------------------------------------------------------------------------------


@pytest.fixture
def client() -> TestClient:
    return TestClient(create_app(EmulatorState(loader.load("quickstart"))))


def test_a_request_without_a_google_host_is_served_as_before(client: TestClient) -> None:
    for base in ("http://127.0.0.1:8443", "https://connectgateway.googleapis.com",
                 "https://us-central1-connectgateway.googleapis.com"):
        answer = client.get(f"{base}/v1/projects/my-project", headers=ALICE)
        assert answer.status_code == 200, (base, answer.text)
    assert client.get("http://127.0.0.1:8443/nosuch").status_code == 404  # the HTML 404 page


def test_a_google_host_not_emulated_is_unimplemented(client: TestClient) -> None:
    answer = client.post("https://compute.googleapis.com/compute/v1/projects/p/x", json={})
    assert answer.status_code == 501
    assert answer.json()["error"]["message"] == hosts.not_emulated("compute.googleapis.com").message
    with pytest.raises(WebSocketDenialResponse) as denied:
        with client.websocket_connect("wss://container.googleapis.com/v1/x"):
            pass
    assert denied.value.status_code == 501


# --- env and the state directory ----------------------------------------------------------------


def _running(proxy: str | None) -> statedir.RunningEmulator:
    world = {"project": {"id": "my-project", "number": "123456789012"}}
    return statedir.RunningEmulator("https://127.0.0.1:8443", tls.generate().ca_pem, world, proxy)


def test_env_real_hosts_has_proxies_and_no_overrides(tmp_path: Path) -> None:
    running = _running("http://127.0.0.1:8444")
    env = gcloud_env.environment(tmp_path, running, "a@example.com", "t", None, {},
                                 real_hosts=True)
    assert not [k for k in env if k.startswith("CLOUDSDK_API_ENDPOINT_OVERRIDES_")]
    assert {k: env[k] for k in ("CLOUDSDK_PROXY_TYPE", "CLOUDSDK_PROXY_ADDRESS",
                                "CLOUDSDK_PROXY_PORT", "HTTPS_PROXY", "https_proxy", "NO_PROXY",
                                "no_proxy")} == {
        "CLOUDSDK_PROXY_TYPE": "http", "CLOUDSDK_PROXY_ADDRESS": "127.0.0.1",
        "CLOUDSDK_PROXY_PORT": "8444", "HTTPS_PROXY": "http://127.0.0.1:8444",
        "https_proxy": "http://127.0.0.1:8444", "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost"}
    bundle = Path(env["SSL_CERT_FILE"])
    assert env["REQUESTS_CA_BUNDLE"] == env["CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE"] == str(bundle)
    assert bundle.read_bytes().endswith(running.ca_pem)
    assert bundle.read_bytes().count(b"BEGIN CERTIFICATE") > 1  # the system's roots first, for Go


def test_env_override_mode_is_unchanged_but_for_gkemulticloud(tmp_path: Path) -> None:
    env = gcloud_env.environment(tmp_path, _running("http://127.0.0.1:8444"), "a@example.com",
                                 "t", None, {})
    overrides = {k for k in env if k.startswith("CLOUDSDK_API_ENDPOINT_OVERRIDES_")}
    assert overrides == {f"CLOUDSDK_API_ENDPOINT_OVERRIDES_{api}" for api in (
        "GKEHUB", "CONNECTGATEWAY", "CLOUDRESOURCEMANAGER", "IAMCREDENTIALS", "SERVICEUSAGE",
        "GKEMULTICLOUD")}
    assert not {"HTTPS_PROXY", "https_proxy", "SSL_CERT_FILE", "CLOUDSDK_PROXY_TYPE"} & set(env)


def test_statedir_records_the_proxy_beside_the_url(tmp_path: Path) -> None:
    scenario = loader.load("quickstart")
    statedir.publish(tmp_path, "https://127.0.0.1:1", b"ca", scenario, "http://127.0.0.1:2")
    running = statedir.read(tmp_path)
    assert running is not None and running.proxy == "http://127.0.0.1:2"
    statedir.publish(tmp_path, "https://127.0.0.1:1", b"ca", scenario)  # a later run, no proxy
    running = statedir.read(tmp_path)
    assert running is not None and running.proxy is None
    statedir.publish(tmp_path, "https://127.0.0.1:1", b"ca", scenario, "http://127.0.0.1:2")
    statedir.withdraw(tmp_path)
    assert not (tmp_path / statedir.PROXY_FILE).exists()
