"""The local HTTPS proxy for ``*.googleapis.com`` (docs/real-hosts.md), in a background thread.

``CONNECT <google host>:443`` gets ``200 Connection established``; the proxy then speaks TLS as
that host (a certificate for exactly that name from the emulator's CA, ALPN http/1.1 only, so Go
clients never try HTTP/2) and relays the decrypted bytes, unchanged, to the emulator's own HTTPS
port on loopback. A byte relay, so the real ``Host`` header reaches the app and WebSocket upgrades
(kubectl exec) pass as they are. Every other target, method or port gets a 403 text answer.

Nothing leaves the machine, by construction: the proxy's one outbound connection is
``_open_emulator``, whose address is fixed when the proxy is made and must be loopback; no target a
client names is ever resolved or dialled. tests/unit/test_realhosts.py checks both.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import ssl
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path

from emulator import messages, tls
from emulator.loopback import is_loopback
from emulator.realhosts.hosts import is_google_host

READY_TIMEOUT = 15.0
HEAD_TIMEOUT = 10.0  # a client that connects and says nothing is dropped
HEAD_LIMIT = 16 * 1024  # a CONNECT head is one short line and a few headers
CHUNK = 64 * 1024
CERT_CACHE = 64  # distinct Google hosts kept; a client uses a handful


class HostCertificates:
    """Server-side TLS contexts, one per Google host, each with a certificate for exactly that
    host from the emulator's CA. Made on first use, the least recently used dropped past
    ``CERT_CACHE``. Used from the proxy's event loop only."""

    def __init__(self, material: tls.TlsMaterial, size: int = CERT_CACHE) -> None:
        self.material = material
        self.size = size
        self._contexts: OrderedDict[str, ssl.SSLContext] = OrderedDict()

    def context(self, host: str) -> ssl.SSLContext:
        host = host.lower()
        if host in self._contexts:
            self._contexts.move_to_end(host)
            return self._contexts[host]
        chain, key = tls.issue(self.material, host)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.set_alpn_protocols(["http/1.1"])  # see runner.Http1Config
        # ssl loads keys from files only: a private directory that is gone once loaded.
        with tempfile.TemporaryDirectory(prefix="cgw-host-") as directory:
            cert_file, key_file = Path(directory, "cert.pem"), Path(directory, "key.pem")
            cert_file.write_bytes(chain)
            descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT, 0o600)
            with os.fdopen(descriptor, "wb") as file:
                file.write(key)
            context.load_cert_chain(cert_file, key_file)
        self._contexts[host] = context
        while len(self._contexts) > self.size:
            self._contexts.popitem(last=False)
        return context


class Refused(Exception):
    """A request the proxy answers itself: its status line and text body."""

    def __init__(self, status: str, body: str) -> None:
        super().__init__(body)
        self.status, self.body = status, body


def google_target(head: bytes) -> str:
    """The Google host a request head may be tunnelled to, or ``Refused``. Only
    ``CONNECT <*.googleapis.com>:443`` passes; nothing here resolves or contacts anything."""
    try:
        line = head.split(b"\r\n", 1)[0].decode("ascii")
        method, target, version = line.split(" ")
    except (UnicodeDecodeError, ValueError):
        raise Refused("400 Bad Request", messages.REALHOSTS_BAD_REQUEST.format(
            detail=messages.REALHOSTS_NOT_HTTP1)) from None
    if not version.startswith("HTTP/1."):
        raise Refused("400 Bad Request", messages.REALHOSTS_BAD_REQUEST.format(
            detail=messages.REALHOSTS_BAD_VERSION.format(version=version)))
    refused = Refused("403 Forbidden", messages.REALHOSTS_REFUSED.format(
        target=target if method == "CONNECT" else f"{method} {target}"))
    if method != "CONNECT":
        raise refused  # a plain-http proxy request (GET http://...): never forwarded
    host, _, port = target.rpartition(":")
    if port != "443" or not is_google_host(host):
        raise refused
    return host.lower()


class RealHostsProxy:
    """The proxy on ``127.0.0.1:port`` (0 picks one), relaying to the emulator on
    ``upstream_host:upstream_port`` (loopback only), whose server certificate ``material``'s CA
    signed; the per-host certificates come from the same CA."""

    def __init__(self, material: tls.TlsMaterial, upstream_host: str, upstream_port: int,
                 port: int = 0) -> None:
        if not is_loopback(upstream_host):
            raise ValueError(f"the proxy relays to loopback only, not {upstream_host}")
        self._upstream = (upstream_host, upstream_port)  # fixed: the only place it connects to
        self._upstream_tls = ssl.create_default_context(cadata=material.ca_pem.decode())
        self.certificates = HostCertificates(material)
        self.requested_port = port
        self.port = 0
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._error: BaseException | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.address}"

    def start(self) -> RealHostsProxy:
        # Bound here, so a port in use is the caller's OSError, and port 0 is known at once.
        sock = socket.create_server(("127.0.0.1", self.requested_port))
        self.port = sock.getsockname()[1]
        ready = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(sock, ready),
                                        name=f"cgw-realhosts-proxy-{self.port}", daemon=True)
        self._thread.start()
        if not ready.wait(READY_TIMEOUT) or self._error is not None:
            raise RuntimeError("the real-host proxy did not start") from self._error
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None and not self._loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop already ended
                self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _run(self, sock: socket.socket, ready: threading.Event) -> None:
        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            self._stop = asyncio.Event()
            server = await asyncio.start_server(self._serve, sock=sock, limit=HEAD_LIMIT)
            ready.set()
            async with server:
                await self._stop.wait()
                server.close()
                # Open tunnels (a kubectl exec) end with the server, not after it.
                for task in asyncio.all_tasks() - {asyncio.current_task()}:
                    task.cancel()

        try:
            asyncio.run(main())
        except BaseException as error:  # noqa: BLE001 - reported by start()
            self._error = error
            ready.set()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            try:
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), HEAD_TIMEOUT)
                host = google_target(head)
            except Refused as refused:
                await _answer(writer, refused.status, refused.body)
                return
            except asyncio.LimitOverrunError:
                await _answer(writer, "431 Request Header Fields Too Large",
                              messages.REALHOSTS_BAD_REQUEST.format(
                                  detail=messages.REALHOSTS_HEAD_TOO_LARGE))
                return
            writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            await writer.drain()
            await writer.start_tls(self.certificates.context(host))
            upstream_reader, upstream_writer = await self._open_emulator()
            try:
                await _relay(reader, writer, upstream_reader, upstream_writer)
            finally:
                upstream_writer.close()
        except (OSError, EOFError, asyncio.IncompleteReadError, asyncio.TimeoutError,
                ssl.SSLError):
            pass  # a client that left, or refused our certificate: nothing to answer
        finally:
            writer.close()

    async def _open_emulator(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        """The proxy's only outbound connection: the emulator's loopback port, over TLS."""
        host, port = self._upstream
        return await asyncio.open_connection(host, port, ssl=self._upstream_tls,
                                             server_hostname=host, limit=CHUNK)


async def _answer(writer: asyncio.StreamWriter, status: str, body: str) -> None:
    data = body.encode()
    writer.write(f"HTTP/1.1 {status}\r\nContent-Type: text/plain; charset=utf-8\r\n"
                 f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n".encode() + data)
    with contextlib.suppress(OSError):
        await writer.drain()


async def _relay(client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter,
                 upstream_reader: asyncio.StreamReader,
                 upstream_writer: asyncio.StreamWriter) -> None:
    """Bytes both ways until either side ends; then both end (TLS has no half-close)."""

    async def pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while data := await reader.read(CHUNK):
            writer.write(data)
            await writer.drain()

    tasks = {asyncio.ensure_future(pump(client_reader, upstream_writer)),
             asyncio.ensure_future(pump(upstream_reader, client_writer))}
    try:
        done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
    for task in done:
        if not task.cancelled():
            task.exception()  # retrieved: a side that failed is a side that ended
