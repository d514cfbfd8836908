"""``RemoteCluster``: the Connect Agent's hop to a real apiserver, as a ``ClusterBackend``.

Requests leave with the agent's identity, never the caller's: either the kubeconfig's own
credentials, or a token for the agent's service account that TokenRequest issued (renewed before it
expires). They travel over kept-alive connections (``pool.py``, one pool per event loop). Small
answers that say their length are read whole and handed over in one piece; long-running ones
(watches, ``logs -f``) and large or open-ended bodies are relayed as they arrive, not buffered.
Error answers are read whole, to tell the gateway what the apiserver decided. A request the
apiserver never answers raises ``ClusterUnreachable`` with the cause in the agent's wording.

Every answer is closed, whatever happens to it: an answer left open keeps its connection out of
the pool (at most ``POOL_CONNECTIONS``) for good, and once the pool is full every request to the
membership waits. Answers read whole are closed once read; a relayed body (``RelayedBody``) when
it ends, fails, or is closed by whoever relays it (``frames.http_response`` always closes it),
read or not; and a request cancelled while it waits for the apiserver's headers (its client went
away) drops its connection.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from http import HTTPStatus
from typing import Protocol
from urllib.parse import quote

from emulator import limits, messages
from emulator.cluster.backend import (
    ClusterDecision,
    ClusterRequest,
    ClusterResponse,
    ClusterUnreachable,
    StreamSession,
)
from emulator.cluster.remote import failures
from emulator.cluster.remote.http1 import UpstreamError
from emulator.cluster.remote.pool import Answer, ConnectionPool
from emulator.cluster.remote.stream import open_remote_stream
from emulator.cluster.remote.upstream import Upstream

CONNECT_TIMEOUT = 5.0
REQUEST_TIMEOUT = 60.0  # kube-apiserver's own limit for a non-long-running request
ERROR_BODY_LIMIT = 1 << 20
# An answer of at most this many bytes, its length known from its head, is read whole and
# answered in one piece; longer ones are relayed as they arrive.
WHOLE_BODY_LIMIT = 1 << 20
# The connections one event loop keeps to the apiserver: at most POOL_CONNECTIONS at once, of
# which POOL_KEEPALIVE stay open while idle.
# What may stand unencoded in a path (RFC 3986's pchar and "/"); anything else is percent-encoded.
PATH_SAFE = "/:@!$&'()*+,;=-._~"
POOL_CONNECTIONS = 100
POOL_KEEPALIVE = 20
DECISIONS_KEPT = 10_000
TOKEN_SECONDS = 3600
TOKEN_RENEW_BEFORE = timedelta(minutes=5)
# Request headers this hop sets itself. (The agent carries only the caller's headers an apiserver
# reads, agent/impersonation.FORWARDED_HEADERS; the authorization here is the agent's own.)
_NOT_FORWARDED = {"authorization", "host", "content-length", "accept-encoding"}
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "upgrade"}


class AgentCredentials(Enum):
    KUBECONFIG = "kubeconfig"  # whatever the kubeconfig authenticates as
    SERVICE_ACCOUNT = "service-account"  # the agent's service account, through TokenRequest


@dataclass(frozen=True)
class ServiceAccountRef:
    namespace: str
    name: str

    @property
    def user(self) -> str:
        return f"system:serviceaccount:{self.namespace}:{self.name}"


class RemoteCluster:
    """Implements ``ClusterBackend`` for an apiserver reached over the network."""

    def __init__(self, name: str, upstream: Upstream, credentials: AgentCredentials,
                 agent: ServiceAccountRef, kubernetes_version: str,
                 now: Callable[[], datetime], *, connect_timeout: float = CONNECT_TIMEOUT,
                 request_timeout: float = REQUEST_TIMEOUT) -> None:
        self.name = name
        self.connect_timeout = connect_timeout
        self.request_timeout = request_timeout
        self.upstream = upstream
        self.credentials = credentials
        self.agent = agent
        self._version = kubernetes_version
        self._now = now
        self._decisions: OrderedDict[str, ClusterDecision] = OrderedDict()
        self._token: tuple[str, datetime] | None = None
        # Connections belong to the event loop that made them: a pool per loop.
        self._pools: dict[asyncio.AbstractEventLoop, ConnectionPool] = {}

    @property
    def kubernetes_version(self) -> str:
        return self._version

    def identity(self) -> str:
        """Who the apiserver sees, for the startup line and the audit."""
        if self.credentials is AgentCredentials.SERVICE_ACCOUNT:
            return messages.REMOTE_IDENTITY_SERVICE_ACCOUNT.format(user=self.agent.user)
        return messages.REMOTE_IDENTITY_KUBECONFIG.format(credentials=self.upstream.credentials)

    # -- plain requests --------------------------------------------------------------------------

    async def handle(self, request: ClusterRequest) -> ClusterResponse:
        answer = await self._handle(request)
        if answer.status == 401 and self._forget_token():
            # The apiserver no longer honours the agent's token (it was revoked, or the cluster
            # was recreated): ask for a new one once, as the agent would, and try again.
            answer = await self._handle(request)
        return answer

    def _forget_token(self) -> bool:
        """After a 401: whether to try again with a new TokenRequest token. The kubeconfig's
        own credentials are asked afresh on the next request (an exec plugin may renew them)."""
        if self.credentials is AgentCredentials.KUBECONFIG:
            self.upstream.forget_authorization()
            return False
        had_token = self._token is not None
        self._token = None
        return had_token

    async def _handle(self, request: ClusterRequest) -> ClusterResponse:
        # The gateway hands on the decoded path; on the wire it is percent-encoded again (a
        # space or a non-ASCII name would otherwise make no valid request line).
        path = quote(request.path, safe=PATH_SAFE)
        target = f"{path}?{request.query_string}" if request.query_string else path
        url = self.upstream.server + target
        headers = await self._headers(request)
        # Watches and followed logs are long-running: they may be silent for as long as they
        # like. Waiting for a free connection is bounded even for them: with the pool full, a
        # request fails as a timeout after request_timeout instead of waiting for good.
        long_running = _long_running(request)
        try:
            answer = await self._pool().request(
                request.method, target, headers, request.body,
                connect_timeout=self.connect_timeout,
                read_timeout=None if long_running else self.request_timeout,
                pool_timeout=self.request_timeout)
        except UpstreamError as err:
            raise ClusterUnreachable(failures.cause(err, url)) from None
        response_headers = [(k, v) for k, v in answer.headers if k not in _HOP_BY_HOP]
        audit_id = _audit_id(response_headers)
        if answer.status < 400:
            self._remember(audit_id, ClusterDecision(audit_id, "", "", "authorization", True,
                                                     messages.REMOTE_DECISION_ALLOWED))
            if (not long_running and answer.length is not None
                    and answer.length <= WHOLE_BODY_LIMIT and request.method != "HEAD"):
                return ClusterResponse(answer.status, response_headers,
                                       await _read_whole(answer, url))
            return ClusterResponse(answer.status, response_headers,
                                   stream=RelayedBody(answer, url))
        body = await _read_bounded(answer, url)
        status = _status_of(body)
        if answer.status >= 500 and status is None:
            # Not the apiserver speaking: a proxy or load balancer in front of it failed.
            raise ClusterUnreachable(messages.REMOTE_CAUSE_STATUS.format(
                status=_status_line(answer.status, answer.reason),
                detail=body[:200].decode(errors="replace").strip() or "-"))
        self._remember(audit_id, _decision_from(audit_id, answer.status, status))
        return ClusterResponse(answer.status, response_headers, body)

    def decision(self, audit_id: str) -> ClusterDecision | None:
        return self._decisions.get(audit_id)

    # -- streams ---------------------------------------------------------------------------------

    async def open_stream(self, request: ClusterRequest,
                          subprotocols: list[str]) -> StreamSession | ClusterResponse:
        url = self.upstream.websocket_server + request.path + (
            f"?{request.query_string}" if request.query_string else "")

        async def attempt() -> StreamSession | ClusterResponse:
            # The WebSocket client makes its own handshake headers; bodies are frames, not gzip.
            headers = [(k, v) for k, v in await self._headers(request)
                       if not k.startswith("sec-websocket") and k != "accept-encoding"]
            return await open_remote_stream(url, headers, subprotocols,
                                            self.upstream.ssl_context, self.connect_timeout)

        opened = await attempt()
        if isinstance(opened, ClusterResponse) and opened.status == 401 and self._forget_token():
            opened = await attempt()  # a new token, once, as for plain requests
        if isinstance(opened, ClusterResponse):
            audit_id = _audit_id(opened.headers)
            self._remember(audit_id, _decision_from(audit_id, opened.status,
                                                    _status_of(opened.body)))
        return opened

    # -- the agent's identity --------------------------------------------------------------------

    async def _headers(self, request: ClusterRequest) -> list[tuple[str, str]]:
        headers = [(k, v) for k, v in request.headers if k not in _NOT_FORWARDED]
        # Relay bodies byte for byte: ask for what the caller asked for, and no more.
        headers.append(("accept-encoding", request.header("accept-encoding") or "identity"))
        authorization = await self._authorization()
        if authorization:
            headers.append(("authorization", authorization))
        return headers

    async def _authorization(self) -> str | None:
        if self.credentials is AgentCredentials.KUBECONFIG:
            return self.upstream.authorization()
        if self._token is None or self._token[1] - TOKEN_RENEW_BEFORE <= self._now():
            self._token = await self._request_token()
        return f"Bearer {self._token[0]}"

    async def _request_token(self) -> tuple[str, datetime]:
        path = (f"/api/v1/namespaces/{self.agent.namespace}/serviceaccounts/"
                f"{self.agent.name}/token")
        url = self.upstream.server + path
        body = json.dumps({"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
                           "spec": {"expirationSeconds": TOKEN_SECONDS}}).encode()
        headers = [("accept", "application/json"), ("content-type", "application/json")]
        own = self.upstream.authorization()
        if own:
            headers.append(("authorization", own))
        try:
            answer = await self._pool().request(
                "POST", path, headers, body, connect_timeout=self.connect_timeout,
                read_timeout=self.request_timeout, pool_timeout=self.request_timeout)
            content = await answer.read(ERROR_BODY_LIMIT)
        except UpstreamError as err:
            raise ClusterUnreachable(failures.cause(err, url)) from None
        try:
            issued = json.loads(content)
            token = issued["status"]["token"]
        except (ValueError, KeyError, TypeError):
            status = _status_of(content) or {}
            raise ClusterUnreachable(messages.REMOTE_CAUSE_TOKEN.format(
                namespace=self.agent.namespace, name=self.agent.name,
                status=_status_line(answer.status, answer.reason),
                detail=status.get("message") or content[:200].decode(errors="replace")
                or "-")) from None
        # Renew on our own clock, from the lifetime the apiserver granted.
        seconds = int((issued.get("spec") or {}).get("expirationSeconds") or TOKEN_SECONDS)
        return token, self._now() + timedelta(seconds=seconds)

    async def probe(self) -> tuple[int, str]:
        """``GET /version`` as the agent: the status and the gitVersion (or the error message).
        Raises ``ClusterUnreachable`` when the apiserver does not answer."""
        answer = await self.handle(ClusterRequest("GET", "/version",
                                                  headers=(("accept", "application/json"),)))
        body = answer.body
        if answer.stream is not None:
            body = b"".join([chunk async for chunk in answer.stream])
        try:
            parsed = limits.json_loads(body)
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict):
            return answer.status, body[:200].decode(errors="replace")
        return answer.status, str(parsed.get("gitVersion") or parsed.get("message") or "")

    async def aclose(self) -> None:
        """Close the connections this event loop holds (the server that owns them stops)."""
        pool = self._pools.pop(asyncio.get_running_loop(), None)
        if pool is not None:
            await pool.aclose()

    # -- plumbing --------------------------------------------------------------------------------

    def _pool(self) -> ConnectionPool:
        loop = asyncio.get_running_loop()
        pool = self._pools.get(loop)
        if pool is None:
            for old in [old for old in self._pools if old.is_closed()]:
                del self._pools[old]
            pool = ConnectionPool(self.upstream.server, self.upstream.ssl_context,
                                  limit=POOL_CONNECTIONS, keep_idle=POOL_KEEPALIVE)
            self._pools[loop] = pool
        return pool

    def _remember(self, audit_id: str, decision: ClusterDecision) -> None:
        self._decisions[audit_id] = decision
        while len(self._decisions) > DECISIONS_KEPT:
            self._decisions.popitem(last=False)


class UpstreamBody(Protocol):
    """An answer's body as it arrives (``pool.Answer``), closable at any point."""

    def aiter_raw(self) -> AsyncIterator[bytes]: ...

    async def aclose(self) -> None: ...


class RelayedBody:
    """An apiserver's answer body, relayed as it arrives; closing it gives its connection back.

    Not an async generator: a generator's ``finally`` runs only once it has started, and a client
    that leaves before the first chunk never starts it, so its answer would never be closed. This
    closes the answer when the body ends, when it fails, and on ``aclose`` at any point, started
    or not; closing twice is harmless.
    """

    def __init__(self, answer: UpstreamBody, url: str) -> None:
        self._answer = answer
        self._url = url
        self._chunks: AsyncIterator[bytes] | None = None

    def __aiter__(self) -> RelayedBody:
        return self

    async def __anext__(self) -> bytes:
        if self._chunks is None:
            self._chunks = self._answer.aiter_raw()
        try:
            return await anext(self._chunks)
        except StopAsyncIteration:
            await self.aclose()
            raise
        except Exception as err:  # noqa: BLE001 - whatever cut the body, the relay ends
            # The connection was lost half-way: the answer ends as ClusterUnreachable.
            await self.aclose()
            raise ClusterUnreachable(messages.REMOTE_CAUSE_LOST.format(
                detail=failures.cause(err, self._url))) from None

    async def aclose(self) -> None:
        # The pool's answer closes without awaiting anything, so a client leaving mid-close
        # cannot cut it short.
        await self._answer.aclose()


async def _read_whole(answer: Answer, url: str) -> bytes:
    """A body whose length the head gave, read whole; lost half-way, the apiserver is
    unreachable as it is for a relayed body, except that nothing has reached the client yet."""
    try:
        return await answer.read(WHOLE_BODY_LIMIT)
    except UpstreamError as err:
        raise ClusterUnreachable(messages.REMOTE_CAUSE_LOST.format(
            detail=failures.cause(err, url))) from None


async def _read_bounded(answer: Answer, url: str) -> bytes:
    try:
        return await answer.read(ERROR_BODY_LIMIT)
    except UpstreamError as err:
        raise ClusterUnreachable(failures.cause(err, url)) from None


def _long_running(request: ClusterRequest) -> bool:
    query = request.query_string
    if "watch" not in query and "follow" not in query:
        return False
    return any(k in ("watch", "follow") and v in ("true", "1") for k, v in request.query)


def _audit_id(headers: list[tuple[str, str]]) -> str:
    """The apiserver's ``Audit-Id`` (lower-cased headers), or one made up and added when a
    proxy dropped it, so the gateway can still find this request's decision."""
    found = next((v for k, v in headers if k == "audit-id"), None)
    if found is None:
        found = str(uuid.uuid4())
        headers.append(("audit-id", found))
    return found


def _status_line(code: int, reason: str) -> str:
    """``404 Not Found``, as Go prints it, even when the server sent no reason phrase."""
    try:
        phrase = reason or HTTPStatus(code).phrase
    except ValueError:
        phrase = ""
    return f"{code} {phrase}".strip()


def _status_of(body: bytes) -> dict[str, object] | None:
    """The body as a Kubernetes Status, or None when it is something else."""
    try:
        parsed = limits.json_loads(body)  # a real apiserver's, yet nothing it sends may recurse
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) and parsed.get("kind") == "Status" else None


def _decision_from(audit_id: str, code: int, status: dict[str, object] | None) -> ClusterDecision:
    """What an error answer proves the apiserver decided (it tells the gateway no more)."""
    message = str((status or {}).get("message", ""))
    if code == 401:
        return ClusterDecision(audit_id, "", "", "authentication", False, message)
    if code == 403 and "cannot impersonate" in message:
        user = message.split('User "', 1)[-1].split('"', 1)[0] if 'User "' in message else ""
        return ClusterDecision(audit_id, user, "", "impersonation", False, message)
    if code == 403:
        return ClusterDecision(audit_id, "", "", "authorization", False, message)
    return ClusterDecision(audit_id, "", "", "authorization", True,
                           messages.REMOTE_DECISION_ALLOWED)
