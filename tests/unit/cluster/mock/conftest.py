"""Shared helpers for driving the mock apiserver at the ``handle()`` level.

``call`` runs one request to completion in its own event loop and decodes the answer. Streams
(watch, ``logs -f``) must be opened and read in a single loop, because a watch registers itself
on the loop that opened it: tests that need one write an ``async def`` and hand it to ``run``,
using ``acall``/``send`` inside it and ``next_chunk``/``read_stream`` on the response's stream.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Iterable, Iterator
from typing import Any, NamedTuple, TypeVar

import pytest

from emulator.clock import FakeClock
from emulator.cluster.backend import ClusterRequest, ClusterResponse
from emulator.cluster.mock.apiserver import MockApiserver
from emulator.cluster.mock.auth.identity import UserInfo
from emulator.cluster.mock.controllers.settings import ControllerSettings

CLUSTER_NAME = "test-cluster"
CLUSTER_VERSION = "v1.30.5"
ADMIN_TOKEN = "admin-token"
ADMIN = UserInfo("admin@example.com", ("system:masters", "system:authenticated"))
JSON = "application/json"
TABLE_ACCEPT = "application/json;as=Table;v=v1;g=meta.k8s.io"
# How long a test waits for a stream chunk that should come (or should not) before giving up.
STREAM_TIMEOUT = 2.0

T = TypeVar("T")


class Reply(NamedTuple):
    status: int
    body: Any  # decoded JSON; raw bytes for a stream or a body that is not JSON


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def api(clock: FakeClock) -> Iterator[MockApiserver]:
    server = MockApiserver(CLUSTER_NAME, CLUSTER_VERSION, clock)
    server.authenticator.add(ADMIN_TOKEN, ADMIN)
    yield server
    server.close()


@pytest.fixture
def quiet(clock: FakeClock) -> MockApiserver:
    """A cluster whose controllers are off (a scenario's ``controllers: {enabled: false}``):
    for the apiserver's own storage rules, which no controller write may blur."""
    return quiet_at(CLUSTER_VERSION, clock)


def quiet_at(version: str, clock: FakeClock | None = None) -> MockApiserver:
    """A ``quiet`` cluster of another Kubernetes version, for what differs by minor."""
    server = MockApiserver(CLUSTER_NAME, version, clock or FakeClock(),
                           settings=ControllerSettings(enabled=False))
    server.authenticator.add(ADMIN_TOKEN, ADMIN)
    return server


def run(coro: Awaitable[T]) -> T:
    async def main() -> T:
        return await coro
    return asyncio.run(main())


def request(method: str, path: str, query: str = "", body: Any = None,
            headers: Iterable[tuple[str, str]] = (), *, token: str | None = ADMIN_TOKEN,
            content_type: str | None = None, accept: str | None = None) -> ClusterRequest:
    """A ClusterRequest. A ``body`` that is not bytes is sent as JSON."""
    all_headers: list[tuple[str, str]] = []
    if token is not None:
        all_headers.append(("authorization", f"Bearer {token}"))
    if accept is not None:
        all_headers.append(("accept", accept))
    raw = b""
    if body is not None:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        all_headers.append(("content-type", content_type or JSON))
    elif content_type is not None:
        all_headers.append(("content-type", content_type))
    all_headers.extend((k.lower(), v) for k, v in headers)
    return ClusterRequest(method, path, query, tuple(all_headers), raw)


async def send(api: MockApiserver, method: str, path: str, query: str = "", body: Any = None,
               headers: Iterable[tuple[str, str]] = (), *, token: str | None = ADMIN_TOKEN,
               content_type: str | None = None, accept: str | None = None) -> ClusterResponse:
    """The raw response; a streamed one is left unread for the caller."""
    return await api.handle(request(method, path, query, body, headers, token=token,
                                    content_type=content_type, accept=accept))


async def acall(api: MockApiserver, method: str, path: str, query: str = "", body: Any = None,
                headers: Iterable[tuple[str, str]] = (), *, token: str | None = ADMIN_TOKEN,
                content_type: str | None = None, accept: str | None = None,
                stream_timeout: float = STREAM_TIMEOUT) -> Reply:
    response = await send(api, method, path, query, body, headers, token=token,
                          content_type=content_type, accept=accept)
    if response.stream is not None:  # watch events or log lines: left as bytes
        return Reply(response.status, await read_stream(response.stream, stream_timeout))
    return Reply(response.status, decode(response.body))


def call(api: MockApiserver, method: str, path: str, query: str = "", body: Any = None,
         headers: Iterable[tuple[str, str]] = (), *, token: str | None = ADMIN_TOKEN,
         content_type: str | None = None, accept: str | None = None,
         stream_timeout: float = STREAM_TIMEOUT) -> Reply:
    return run(acall(api, method, path, query, body, headers, token=token,
                     content_type=content_type, accept=accept, stream_timeout=stream_timeout))


def decode(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw


async def next_chunk(stream: AsyncIterator[bytes], timeout: float = STREAM_TIMEOUT) -> bytes | None:
    """The stream's next chunk, or None when it ended. A stall longer than ``timeout`` fails."""
    try:
        return await asyncio.wait_for(anext(stream), timeout)
    except StopAsyncIteration:
        return None


async def read_stream(stream: AsyncIterator[bytes], timeout: float = STREAM_TIMEOUT) -> bytes:
    """Everything the stream sends until it ends or stays silent for ``timeout`` seconds.

    The stream is closed either way, so the server-side watcher or follower is released.
    """
    chunks: list[bytes] = []
    try:
        while True:
            try:
                chunk = await asyncio.wait_for(anext(stream), timeout)
            except (StopAsyncIteration, TimeoutError):
                break
            chunks.append(chunk)
    finally:
        await stream.aclose()  # type: ignore[attr-defined]
    return b"".join(chunks)


def events(raw: bytes) -> list[dict[str, Any]]:
    """Newline-delimited watch events."""
    return [json.loads(line) for line in raw.splitlines() if line.strip()]


def message(reply: Reply) -> str:
    assert isinstance(reply.body, dict) and reply.body.get("kind") == "Status", reply.body
    return str(reply.body["message"])


def configmap(name: str, namespace: str | None = None, labels: dict[str, str] | None = None,
              data: dict[str, str] | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name}
    if namespace is not None:
        meta["namespace"] = namespace
    if labels is not None:
        meta["labels"] = labels
    obj: dict[str, Any] = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta}
    if data is not None:
        obj["data"] = data
    return obj


def pod(name: str, *containers: str, labels: dict[str, str] | None = None,
        annotations: dict[str, str] | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name}
    if labels is not None:
        meta["labels"] = labels
    if annotations is not None:
        meta["annotations"] = annotations
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta,
            "spec": {"containers": [{"name": c, "image": f"example.com/{c}:1"}
                                    for c in containers or ("main",)]}}


def deployment(name: str, replicas: int = 1, image: str = "nginx:1.25") -> dict[str, Any]:
    labels = {"app": name}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
            "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [{"name": "app", "image": image}]}}}}


def create(api: MockApiserver, collection: str, obj: dict[str, Any]) -> dict[str, Any]:
    """POST ``obj`` and insist it was created."""
    reply = call(api, "POST", collection, body=obj)
    assert reply.status == 201, reply.body
    assert isinstance(reply.body, dict)
    return reply.body


def status_error(code: int, reason: str, text: str) -> dict[str, Any]:
    """The parts of a kube ``Status`` failure every error must carry."""
    return {"kind": "Status", "apiVersion": "v1", "status": "Failure", "code": code,
            "reason": reason, "message": text}


def assert_status(reply: Reply, code: int, reason: str, text: str) -> None:
    assert reply.status == code, reply.body
    assert isinstance(reply.body, dict), reply.body
    got = {k: reply.body.get(k) for k in ("kind", "apiVersion", "status", "code", "reason",
                                          "message")}
    assert got == status_error(code, reason, text)


def invalid_causes(version: str, collection: str, obj: dict[str, Any]) -> list[str]:
    """POST ``obj`` to a fresh ``quiet`` cluster of ``version``, insist on kube's 422, and give
    each cause as ``field: message``."""
    reply = call(quiet_at(version), "POST", collection, body=obj)
    assert reply.status == 422, reply.body
    return [f"{c['field']}: {c['message']}" for c in reply.body["details"]["causes"]]
