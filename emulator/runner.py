"""Serving an app over TLS with Hypercorn in a background thread: start, learn the port, stop.

The listening socket is bound here, before Hypercorn runs, so a port in use is an ordinary
``OSError`` for the caller and ``--port 0`` knows its port at once. ``start`` returns only once a
TLS request has been answered, so whoever reads ``url`` can connect. The server speaks HTTP/1.1
only, whichever way a client tries to reach HTTP/2 (``Http1Config``).
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import h11
from hypercorn.asyncio import serve
from hypercorn.asyncio import tcp_server as hypercorn_tcp
from hypercorn.config import Config
from hypercorn.events import Closed, Event
from hypercorn.protocol import ProtocolWrapper
from hypercorn.protocol.h11 import H11Protocol
from starlette.types import ASGIApp

from emulator import messages, tls
from emulator.app import create_app
from emulator.loopback import is_loopback
from emulator.realhosts.proxy import RealHostsProxy
from emulator.state import EmulatorState

READY_TIMEOUT = 15.0
SHUTDOWN_GRACE = 1.0


class ServerThreadError(RuntimeError):
    """The server thread died; the original exception is the cause."""


@dataclass(frozen=True)
class BadRequestPage:
    """What a server answers a request it will not serve at all (an HTTP/2 preface)."""

    content_type: str
    body: str


# Go's net/http for a request it cannot serve; the standalone apiserver stands in for a Go server.
GO_BAD_REQUEST = BadRequestPage("text/plain; charset=utf-8", messages.GO_400_BAD_REQUEST)
# Google's front end, whose page answers every malformed request to the gateway's port.
GFE_BAD_REQUEST = BadRequestPage("text/html; charset=UTF-8", messages.GFE_400_TEMPLATE)


class Http1Config(Config):
    """Hypercorn's config for a server that speaks HTTP/1.1 and nothing else.

    ALPN offers only http/1.1: Hypercorn's HTTP/2 raises (KeyError in h2.py) when Go clients
    reset a stream it has already finished, e.g. after kubectl reads a 401; kubectl speaks
    HTTP/1.1 just as well, and always does for upgrades. ALPN alone does not close the door,
    though: Hypercorn also switches to HTTP/2 on the preface sent with prior knowledge
    (``PRI * HTTP/2.0``) and on an ``Upgrade: h2c`` request. ``_Http1OnlyWrapper`` closes both."""

    alpn_protocols = ["http/1.1"]
    bad_request: BadRequestPage = GO_BAD_REQUEST

    def create_ssl_context(self) -> ssl.SSLContext | None:
        """No TLS 1.3 session tickets: a client that writes its first request from one thread
        while another reads the socket (the `websockets` sync client does) can lose that request
        when the tickets arrive at the same moment (OpenSSL is not thread-safe per connection),
        and the emulator has no use for session resumption."""
        context = super().create_ssl_context()
        if context is not None:
            context.num_tickets = 0
        return context


class _Http2Preface(Exception):
    """The client opened with HTTP/2's connection preface."""


# The reason phrase of each status line, as Go's net/http writes it (http.StatusText), since
# kube-apiserver is a Go server: h11 sends none unless told, and clients show it (the Python
# client's ``ApiException.reason``). Go's texts, not Python's: 413 is "Request Entity Too Large"
# and 414 "Request URI Too Long" there. A code Go does not know (499, say) gets Go's own line,
# "status code 499".
GO_STATUS_TEXT: dict[int, str] = {
    100: "Continue", 101: "Switching Protocols", 102: "Processing", 103: "Early Hints",
    200: "OK", 201: "Created", 202: "Accepted", 203: "Non-Authoritative Information",
    204: "No Content", 205: "Reset Content", 206: "Partial Content", 207: "Multi-Status",
    208: "Already Reported", 226: "IM Used",
    300: "Multiple Choices", 301: "Moved Permanently", 302: "Found", 303: "See Other",
    304: "Not Modified", 305: "Use Proxy", 307: "Temporary Redirect", 308: "Permanent Redirect",
    400: "Bad Request", 401: "Unauthorized", 402: "Payment Required", 403: "Forbidden",
    404: "Not Found", 405: "Method Not Allowed", 406: "Not Acceptable",
    407: "Proxy Authentication Required", 408: "Request Timeout", 409: "Conflict", 410: "Gone",
    411: "Length Required", 412: "Precondition Failed", 413: "Request Entity Too Large",
    414: "Request URI Too Long", 415: "Unsupported Media Type",
    416: "Requested Range Not Satisfiable", 417: "Expectation Failed", 418: "I'm a teapot",
    421: "Misdirected Request", 422: "Unprocessable Entity", 423: "Locked",
    424: "Failed Dependency", 425: "Too Early", 426: "Upgrade Required",
    428: "Precondition Required", 429: "Too Many Requests",
    431: "Request Header Fields Too Large", 451: "Unavailable For Legal Reasons",
    500: "Internal Server Error", 501: "Not Implemented", 502: "Bad Gateway",
    503: "Service Unavailable", 504: "Gateway Timeout", 505: "HTTP Version Not Supported",
    506: "Variant Also Negotiates", 507: "Insufficient Storage", 508: "Loop Detected",
    510: "Not Extended", 511: "Network Authentication Required",
}


def reason_phrase(code: int) -> bytes:
    """What follows the code on a Go server's status line."""
    return GO_STATUS_TEXT.get(code, f"status code {code}").encode()


class _Http1Only(H11Protocol):
    """Hypercorn's HTTP/1.1 protocol without its two ways into HTTP/2, and with Go's reason
    phrases on its status lines."""

    async def _check_protocol(self, event: h11.Request) -> None:
        # Hypercorn's own check answers ``Upgrade: h2c`` with a 101 and switches. Not calling it
        # leaves that request a plain HTTP/1.1 one: a server may ignore an Upgrade header
        # (RFC 9110 §7.8), and h2c is HTTP/2 over cleartext TCP, never over TLS (RFC 7540 §3.1).
        if (event.method, event.target, event.http_version) == (b"PRI", b"*", b"2.0"):
            raise _Http2Preface

    async def _send_h11_event(self, event: Any) -> None:
        # Every response Hypercorn builds (the app's, its own errors, a 101) leaves the reason
        # empty, and h11 would write "HTTP/1.1 404 ": give it Go's phrase.
        if isinstance(event, (h11.Response, h11.InformationalResponse)) and not event.reason:
            event = type(event)(headers=event.headers, status_code=event.status_code,
                                http_version=event.http_version,
                                reason=reason_phrase(event.status_code))
        await super()._send_h11_event(event)

    async def refuse(self, page: BadRequestPage) -> None:
        """A complete HTTP/1.1 400, then the connection closes: what a server that does not
        speak HTTP/2 answers a preface, which reads to it as a malformed request."""
        body = page.body.encode()
        await self._send_h11_event(h11.Response(
            status_code=400, reason=b"Bad Request",
            headers=[(b"content-type", page.content_type.encode()),
                     (b"content-length", str(len(body)).encode()), (b"connection", b"close"),
                     *self.config.response_headers("h11")]))
        await self._send_h11_event(h11.Data(data=body))
        await self._send_h11_event(h11.EndOfMessage())
        await self.send(Closed())


class _Http1OnlyWrapper(ProtocolWrapper):
    """Hypercorn's per-connection protocol switch, made to keep an ``Http1Config`` server on
    HTTP/1.1. Hypercorn builds one per connection from its tcp_server module's global, which is
    the only place to put it; for any other config it is Hypercorn's own, unchanged. It leans on
    Hypercorn's private ``H11Protocol._check_protocol`` and ``_send_h11_event`` (0.17, 0.18):
    tests/flow/test_transport_robustness.py fails if a release renames them."""

    def __init__(self, app: Any, config: Config, context: Any, task_group: Any, state: Any,
                 ssl: bool, client: tuple[str, int] | None, server: tuple[str, int] | None,
                 send: Callable[[Event], Awaitable[None]],
                 alpn_protocol: str | None = None) -> None:
        super().__init__(app, config, context, task_group, state, ssl, client, server, send,
                         alpn_protocol)
        if isinstance(config, Http1Config):
            self.protocol = _Http1Only(app, config, context, task_group, state, ssl, client,
                                       server, send)

    async def handle(self, event: Event) -> None:
        try:
            await super().handle(event)
        except _Http2Preface:
            assert isinstance(self.protocol, _Http1Only) and isinstance(self.config, Http1Config)
            await self.protocol.refuse(self.config.bad_request)


if hypercorn_tcp.ProtocolWrapper is ProtocolWrapper:
    hypercorn_tcp.ProtocolWrapper = _Http1OnlyWrapper  # type: ignore[misc]


class ServedApp:
    def __init__(self, app: ASGIApp, host: str = "127.0.0.1", port: int = 0,
                 cert_dir: Path | None = None, material: tls.TlsMaterial | None = None,
                 bad_request: BadRequestPage = GO_BAD_REQUEST) -> None:
        self.app = app
        self.bad_request = bad_request
        self.host = host
        self.requested_port = port
        self.cert_dir = cert_dir or Path(tempfile.mkdtemp(prefix="cgw-tls-"))
        self.material = material or tls.generate(serving_hosts(host))
        self.port = 0
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._error: BaseException | None = None
        # The real-host proxy in front of this server, if serve_emulator started one.
        self.proxy: RealHostsProxy | None = None

    @property
    def proxy_port(self) -> int | None:
        """The real-host proxy's port on 127.0.0.1, or None without a proxy."""
        return self.proxy.port if self.proxy is not None else None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"https://{host}:{self.port}"

    @property
    def ca_pem(self) -> bytes:
        return self.material.ca_pem

    def start(self) -> ServedApp:
        sock = _listen(self.host, self.requested_port)
        self.port = sock.getsockname()[1]
        _, cert, key = self.material.write(self.cert_dir)
        config = Http1Config()  # HTTP/1.1 only: see Http1Config
        config.bad_request = self.bad_request
        # Hypercorn adopts the descriptor and closes it on shutdown.
        config.bind = [f"fd://{sock.detach()}"]
        config.certfile, config.keyfile = str(cert), str(key)
        config.graceful_timeout = SHUTDOWN_GRACE
        config.accesslog = None
        config.errorlog = None  # failures reach clients as Status/HTML; the app logs its own bugs
        ready = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(config, ready),
                                        name=f"cgw-server-{self.port}", daemon=True)
        self._thread.start()
        ready.wait(READY_TIMEOUT)
        self._wait_until_serving()
        return self

    def _run(self, config: Config, ready: threading.Event) -> None:
        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            self._loop.set_exception_handler(_quiet_disconnects)
            self._stop = asyncio.Event()
            serving = asyncio.create_task(
                serve(self.app, config, shutdown_trigger=self._stop.wait))  # type: ignore[arg-type]
            ready.set()
            stopping = asyncio.create_task(self._stop.wait())
            await asyncio.wait({serving, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if serving.done():
                stopping.cancel()
                serving.result()  # re-raises why the server ended on its own
                return
            # Hypercorn waits until every connection has closed (asyncio's Server.wait_closed),
            # and closing a TLS connection waits for the peer's close_notify; a client that keeps
            # a connection open (an un-drained error response) would hold the stop for as long.
            # After a grace period for in-flight requests, abort the remaining connections.
            done, _ = await asyncio.wait({serving}, timeout=SHUTDOWN_GRACE)
            if not done:
                # The selector loop's own table of socket transports: private, hence the getattr.
                transports = getattr(asyncio.get_running_loop(), "_transports", {})
                for transport in list(transports.values()):
                    if transport is not None:
                        transport.abort()
            try:
                await serving
            except (ssl.SSLError, ConnectionError, BaseExceptionGroup) as error:
                # Connections cut by the stop itself (a client mid-stream whose TLS close
                # crosses ours) are the stop working, not a server failure.
                leaves = _leaves(error) if isinstance(error, BaseExceptionGroup) else [error]
                if not all(isinstance(e, (ssl.SSLError, ConnectionError)) for e in leaves):
                    raise

        try:
            asyncio.run(main())
        except BaseException as exc:  # noqa: BLE001 - surfaced to the caller by stop()
            self._error = exc
            ready.set()

    def _wait_until_serving(self) -> None:
        context = ssl.create_default_context(cadata=self.ca_pem.decode())
        deadline = time.monotonic() + READY_TIMEOUT
        while True:
            if self._error is not None:
                raise ServerThreadError("the server thread failed to start") from self._error
            try:
                urllib.request.urlopen(f"{self.url}/", context=context, timeout=2).close()
                return
            except urllib.error.HTTPError:
                return  # any HTTP answer (the Google 404 page) proves it serves
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.01)

    def stop(self) -> None:
        if self.proxy is not None:
            self.proxy.stop()
        if self._loop is not None and self._stop is not None and not self._loop.is_closed():
            try:
                self._loop.call_soon_threadsafe(self._stop.set)
            except RuntimeError:
                pass  # the loop already ended
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._error is not None:
            raise ServerThreadError("the server thread failed") from self._error


def serving_hosts(host: str) -> tuple[str, ...]:
    """The names the server certificate covers: the bound address and loopback."""
    return tuple(dict.fromkeys((host, "127.0.0.1", "localhost", "::1")))


def _quiet_disconnects(loop: asyncio.AbstractEventLoop, context: dict[str, object]) -> None:
    """Clients that drop a TLS connection abruptly (kubectl after a stream, a killed client) make
    asyncio's TLS close fail inside Hypercorn's connection task. That is the client leaving, not a
    server error: keep it out of the output; anything else goes to asyncio's usual handler."""
    error = context.get("exception")
    if isinstance(error, BaseExceptionGroup):
        errors = list(_leaves(error))
    else:
        errors = [error] if error is not None else []
    if errors and all(_a_client_leaving(e) for e in errors):
        return
    loop.default_exception_handler(context)


def _a_client_leaving(error: BaseException) -> bool:
    # asyncio gives up on a TLS close whose peer never answers its close_notify (a client still
    # uploading after a `Connection: close` answer, say) with exactly this TimeoutError.
    return isinstance(error, (ssl.SSLError, ConnectionError, asyncio.CancelledError)) or (
        isinstance(error, TimeoutError) and str(error) == "SSL shutdown timed out")


def _leaves(group: BaseExceptionGroup) -> list[BaseException]:  # type: ignore[type-arg]
    found: list[BaseException] = []
    for error in group.exceptions:
        found.extend(_leaves(error) if isinstance(error, BaseExceptionGroup) else [error])
    return found


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
        sock.set_inheritable(True)
    except OSError:
        sock.close()
        raise
    return sock


def serve_emulator(state: EmulatorState, host: str = "127.0.0.1", port: int = 0,
                   cert_dir: Path | None = None, proxy_port: int | None = None) -> ServedApp:
    """Serve an emulator state: its app over TLS, with the CA known to the state (the kubeconfigs
    generateCredentials returns carry it). With ``proxy_port`` (0 picks one), the real-host proxy
    too, on 127.0.0.1 (``server.proxy_port``), when the server is reachable over loopback."""
    server = ServedApp(create_app(state), host, port, cert_dir, bad_request=GFE_BAD_REQUEST)
    state.ca_pem = server.ca_pem
    server.start()
    if proxy_port is not None:
        try:
            start_proxy(server, proxy_port)
        except BaseException:
            server.stop()
            raise
    return server


def start_proxy(server: ServedApp, port: int) -> RealHostsProxy | None:
    """Put the real-host proxy (127.0.0.1:``port``, 0 picks one) in front of a started emulator
    server, which then stops it with itself; None when the server is out of loopback's reach."""
    upstream = loopback_address(server.host)
    if upstream is None:
        return None
    server.proxy = RealHostsProxy(server.material, upstream, server.port, port).start()
    return server.proxy


def loopback_address(host: str) -> str | None:
    """A loopback address that reaches a server bound to ``host``, if any: the proxy relays
    over loopback and nowhere else."""
    if host in ("0.0.0.0", "", "localhost"):
        return "127.0.0.1"
    if host == "::":
        return "::1"
    return host if is_loopback(host) else None
