"""The gateway's Kubernetes path, in request order (design §1).

Each stage either enriches what the next one needs or raises the error that production raises at
that point; this module only strings them together and keeps the audit record of the request.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable

from starlette.requests import Request
from starlette.responses import Response

from emulator import error_catalogue as cases
from emulator import faults, frames, messages
from emulator.agent.impersonation import as_agent
from emulator.audit import AuditRecord
from emulator.clock import rfc3339
from emulator.cluster.backend import ClusterResponse, ClusterUnreachable
from emulator.errors import GatewayError, UnknownUrl
from emulator.gateway import iam, render, streams
from emulator.gateway.caller import identify
from emulator.gateway.connection import connected_membership
from emulator.limits import GATEWAY_MAX_REQUEST_BODY_BYTES, read_body
from emulator.state import EmulatorState, Membership

# kubectl's first requests. A denial there is shown as "the server doesn't have a resource type"
# (design §4, discovery-denied): see render.discovery_fallback.
ROOT_DISCOVERY = ("/api", "/apis")
# The status recorded for a request whose client went away before the cluster answered (nginx's
# "client closed request"): nobody receives it, the audit trail shows it.
CLIENT_CLOSED_REQUEST = 499


async def handle(request: Request, state: EmulatorState) -> Response:
    record = AuditRecord(time=rfc3339(state.clock.now()), method=request.method,
                         path=request.url.path)
    try:
        response = await _handle(request, state, record)
    except UnknownUrl as unknown:
        record.error_id, record.explanation = cases.URL_NOT_FOUND.id, messages.AUDIT_URL_NOT_FOUND
        response = render.not_found_page(unknown.path)
    except GatewayError as error:
        record.error_id = error.error_id
        record.explanation = record.explanation or error.message
        response = render.error_response(error)
        if error.error_id == cases.IAM_DENIED.id and _is_root_discovery(request, record):
            response = _discovery_denied(record)
    record.status = response.status_code
    state.audit.add(record)
    return response


async def _handle(request: Request, state: EmulatorState, record: AuditRecord) -> Response:
    target, principal, groups = identify(state, request.url.path, request.headers, record)
    if "upgrade" in request.headers:
        # A SPDY upgrade (kubectl before 1.30, and every kubectl's fallback): refused, with the
        # same answer the WebSocket attempt got for the same request.
        refused = streams.refusal(target, state, record, transport="spdy")
        assert refused is not None  # the SPDY transport itself is always refused
        raise refused
    # 3 iam: gkehub.gateway.<verb> on the fleet host project.
    decision = iam.authorize(state.iam, state.iam_mode, principal, target,
                             state.scenario.project_id,
                             iam.permission_for(request.method, request.headers), record)
    # 7 connection: the membership's cluster must be reachable through its agent.
    membership = connected_membership(state, target)
    # 8 impersonation: the agent re-issues the request as itself, naming the caller.
    record.impersonation = messages.AUDIT_IMPERSONATION.format(
        agent=membership.transport.user.name, principal=principal.email,
        groups=", ".join(groups) or messages.RBAC_NO_GROUPS)
    cluster_request = as_agent(
        request.method, target.k8s_path, request.url.query, request.headers.items(),
        await read_body(request, GATEWAY_MAX_REQUEST_BODY_BYTES), principal=principal.email,
        groups=groups,
        agent_token=membership.transport.token)
    # Faults injected through the control API (none unless a test asked): a slow hop, or a
    # failing cluster whose answer replaces the real one.
    injected = await faults.before_cluster(state.faults_for(membership.spec.name), record)
    if injected is not None:
        return frames.http_response(injected)
    try:
        answer = await _unless_client_leaves(request, membership.cluster.handle(cluster_request),
                                             at_once=membership.remote is None)
    except ClusterUnreachable as unreachable:
        raise cluster_unreachable(membership, unreachable, record) from None
    if answer is None:
        record.explanation = messages.AUDIT_CLIENT_LEFT_BEFORE_ANSWER
        return Response(status_code=CLIENT_CLOSED_REQUEST)
    if answer.stream is not None:
        answer.stream = _GuardedBody(answer.stream, membership, record)
    _record_cluster_decision(membership, answer, record)
    if record.error_id and answer.status == 403 and _is_root_discovery(request, record):
        await frames.close_stream(answer.stream)  # replaced by the fallback: never relayed
        return _discovery_denied(record)
    if not record.explanation and decision is not None:
        record.explanation = decision.explain()
    return frames.http_response(answer)


def cluster_unreachable(membership: Membership, unreachable: ClusterUnreachable,
                        record: AuditRecord) -> GatewayError:
    """The agent could not get an answer from its apiserver: it logs why, and the caller gets
    the page's agent-side failure (design §4, the cluster-error family)."""
    membership.agent_log.error(messages.AGENT_LOG_UPSTREAM_FAILED.format(cause=unreachable.cause))
    record.explanation = messages.AUDIT_CLUSTER_UNREACHABLE.format(cause=unreachable.cause)
    return cases.CLUSTER_UNREACHABLE.error()


async def _unless_client_leaves(request: Request, answer: Awaitable[ClusterResponse], *,
                                at_once: bool = False) -> ClusterResponse | None:
    """The cluster's answer; or None once the client has gone away, the request to the cluster
    then cancelled (its connection dropped) and any answer that came meanwhile closed.

    Starlette notices a client leaving only once the response has started, so without this a
    client that leaves while the apiserver is slow to answer, or never answers, holds a connection
    to it until the apiserver answers. The request body has been read by now, so the only message
    left to receive is the disconnect; a receive cancelled before it leaves it for Starlette.
    ``at_once``: the answer is likely ready within one turn of the loop (the embedded cluster's,
    unless a fault delays it). Such an answer is returned without that watch, even to a client
    already gone: the relay then finds it gone, as it would a moment later, and closes the
    body."""
    work = asyncio.ensure_future(answer)
    if at_once:
        try:
            # The task watching for the client, and the waits on both, were a tenth of the
            # gateway's own work on a GET.
            await asyncio.sleep(0)
        except BaseException:  # this request was cancelled itself (the server stops)
            work.cancel()
            raise
        if work.done():
            return work.result()  # raises ClusterUnreachable as the cluster call did
    watcher = asyncio.ensure_future(_client_left(request))
    try:
        await asyncio.wait({work, watcher}, return_when=asyncio.FIRST_COMPLETED)
    except BaseException:  # this request was cancelled itself (the server stops): both go
        work.cancel()
        watcher.cancel()
        raise
    if not watcher.done():
        watcher.cancel()
        await asyncio.wait({watcher})
        return work.result()  # raises ClusterUnreachable as the cluster call did
    watcher.result()  # (a receive that failed is a bug: say so)
    work.cancel()
    await asyncio.wait({work})
    if not work.cancelled() and work.exception() is None:
        # The answer came as the client left: nobody will read it.
        await frames.close_stream(work.result().stream)
    return None


async def _client_left(request: Request) -> None:
    while (await request.receive())["type"] != "http.disconnect":
        pass


class _GuardedBody:
    """A body that arrives over time (watch, logs -f): if the apiserver goes away half-way, the
    agent logs it and the response ends, as a watch ends when the agent's connection drops.
    Closing it closes the cluster's body under it (``frames.http_response`` always does)."""

    def __init__(self, body: AsyncIterator[bytes], membership: Membership,
                 record: AuditRecord) -> None:
        self._body = body
        self._membership = membership
        self._record = record

    def __aiter__(self) -> _GuardedBody:
        return self

    async def __anext__(self) -> bytes:
        try:
            return await anext(self._body)
        except ClusterUnreachable as lost:
            self._membership.agent_log.error(
                messages.AGENT_LOG_UPSTREAM_FAILED.format(cause=lost.cause))
            self._record.explanation = messages.AUDIT_CLUSTER_UNREACHABLE.format(cause=lost.cause)
            raise StopAsyncIteration from None

    async def aclose(self) -> None:
        await frames.close_stream(self._body)


def _record_cluster_decision(membership: Membership, answer: ClusterResponse,
                             record: AuditRecord) -> None:
    audit_id = next((v for k, v in answer.headers if k.lower() == "audit-id"), None)
    record.cluster_audit_id = audit_id or ""
    found = membership.cluster.decision(audit_id) if audit_id else None
    if found is None:
        record.rbac_result = "unknown"
        return
    if found.stage == "impersonation" and not found.allowed:
        record.impersonation = messages.AUDIT_IMPERSONATION_REFUSED.format(reason=found.reason)
        record.error_id = cases.AGENT_NOT_AUTHORIZED.id
        record.explanation = messages.AUDIT_AGENT_NOT_AUTHORIZED.format(
            agent=found.user, reason=found.reason)
        return
    record.rbac_result = "allowed" if found.allowed else "denied"
    record.rbac_reason = found.reason
    if not found.allowed and answer.status == 403:
        record.error_id = cases.RBAC_DENIED.id
        record.explanation = messages.AUDIT_RBAC_DENIED.format(reason=found.reason)


def _is_root_discovery(request: Request, record: AuditRecord) -> bool:
    return request.method == "GET" and record.k8s_path in ROOT_DISCOVERY


def _discovery_denied(record: AuditRecord) -> Response:
    record.explanation = messages.AUDIT_DISCOVERY_DENIED.format(
        case=record.error_id, explanation=record.explanation)
    record.error_id = cases.DISCOVERY_DENIED.id
    return render.discovery_fallback(record.k8s_path)
