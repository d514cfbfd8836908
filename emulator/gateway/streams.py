"""Streams through the gateway: exec, attach and cp over WebSocket (design §1, stages 4-6).

A stream request passes the same first stages as any request, then the stream gates in the
product page's order: the track (GA refuses streams), port-forward (never supported), GKE clusters
(not in the preview), the transport (SPDY is never taken), the ``gkehub.gateway.stream``
permission, the agent's connection, the ``active_streams`` quota. Only then does the agent open
its own WebSocket to the apiserver, and the gateway relays frames until either side ends, the
session limit cuts it, or the client vanishes; the quota slot is given back on every one of those
paths. Refusals before the 101 are the HTTP answers kubectl reports; refusals after it arrive on
the status channel (or, for a missing stream permission, as the close reason), as the page shows.
"""

from __future__ import annotations

import asyncio
import json
import logging
from contextlib import suppress

from starlette.websockets import WebSocket, WebSocketDisconnect

from emulator import error_catalogue as cases
from emulator import frames, limits, messages
from emulator.agent.impersonation import as_agent
from emulator.audit import AuditRecord
from emulator.clock import rfc3339
from emulator.cluster.backend import ClusterResponse, ClusterUnreachable, Message, StreamSession
from emulator.errors import GatewayError, UnknownUrl
from emulator.gateway import iam, render
from emulator.gateway.caller import identify
from emulator.gateway.connection import connected_membership
from emulator.gateway.route import GatewayTarget
from emulator.state import EmulatorState, Membership

log = logging.getLogger(__name__)

STREAM_PERMISSION = "gkehub.gateway.stream"
STREAM_SUBRESOURCES = ("exec", "attach", "portforward")
POLICY_VIOLATION = 1008
NORMAL_CLOSURE = 1000
ABNORMAL_CLOSURE = 1006  # never sent on the wire: the peer vanished without a close frame
CLOSE_REASON_LIMIT = 123  # bytes a WebSocket close reason may hold
OUTPUT_CHANNELS = (b"\x01", b"\x02")  # stdout and stderr frames of the channel protocols
# The least time between the 101 and a refusal the gateway sends itself (the status frame, or the
# policy close). A real gateway's answer crosses the internet and never follows its 101 within
# microseconds. Clients depend on the gap: client-go reads frames while it is still creating its
# streams, so a status frame that early is dropped ("Unknown stream id 3") and kubectl exits 0.
# The mock cluster's processes wait the same way (cluster/mock/streams.PROCESS_START_SECONDS).
REFUSAL_AFTER_ACCEPT_SECONDS = 0.1
# The channel protocols the gateway carries, newest first: kubectl 1.30+ offers v5 alone, the
# Python client v4. Its own refusals after a 101 are written in their framing (a Status on channel
# 3, then a close), so it cannot take an upgrade in any other protocol.
V5, V4 = "v5.channel.k8s.io", "v4.channel.k8s.io"
CHANNEL_PROTOCOLS = (V5, V4)


def subresource_of(target: GatewayTarget) -> str:
    parts = [p for p in target.k8s_path.split("/") if p]
    return parts[-1] if parts and parts[-1] in STREAM_SUBRESOURCES else ""


def refusal(target: GatewayTarget, state: EmulatorState, record: AuditRecord, *,
            transport: str) -> GatewayError | None:
    """The gate both transports share, so a WebSocket attempt and kubectl's SPDY fallback are
    refused for the same reason with the same answer."""
    record.iam_permission = STREAM_PERMISSION
    if target.track == "v1":
        record.explanation = messages.AUDIT_GA_TRACK_STREAM
        return cases.GA_TRACK_STREAM.error()
    if subresource_of(target) == "portforward":
        record.explanation = messages.AUDIT_PORT_FORWARD
        return cases.PORT_FORWARD.error()
    if target.collection == "gkeMemberships":
        return cases.GKE_PREVIEW.error(membership=target.membership)
    if transport == "spdy":
        record.explanation = messages.AUDIT_SPDY_STREAM
        return cases.SPDY_STREAM.error()
    return None


async def handle_websocket(websocket: WebSocket, state: EmulatorState) -> None:
    record = AuditRecord(time=rfc3339(state.clock.now()), method="GET", path=websocket.url.path)
    project = state.scenario.project_number
    slot = False
    try:
        target, principal, groups = identify(state, websocket.url.path, websocket.headers, record)
        gate = refusal(target, state, record, transport="websocket")
        if gate is not None:
            raise gate
        try:
            iam.authorize(state.iam, state.iam_mode, principal, target, state.scenario.project_id,
                          STREAM_PERMISSION, record)
        except GatewayError:
            # Accepted, then closed: kubectl reports "error reading from error stream".
            denied = cases.STREAM_PERMISSION.error(member=principal.member)
            record.error_id = denied.error_id
            await _accept(websocket)
            await asyncio.sleep(REFUSAL_AFTER_ACCEPT_SECONDS)
            await websocket.close(code=POLICY_VIOLATION, reason=_close_reason(denied.message))
            record.status = 101
            return
        membership = connected_or_refused(state, target, record)
        if membership is None:
            await _fail_after_accept(websocket, record, cases.AGENT_STREAM_FAILURE.error(
                project_number=project, membership=target.membership))
            return
        count = state.quota.acquire(project)
        record.quota = messages.AUDIT_QUOTA.format(
            active=count if count is not None else state.quota.active(project),
            limit=state.quota.limit, outcome="taken" if count is not None else "exhausted")
        if count is None:
            await _fail_after_accept(websocket, record, cases.QUOTA.error(
                limit=state.quota.limit, project=state.scenario.project_id))
            return
        slot = True
        await _open_and_relay(websocket, state, membership, target, principal.email, groups,
                              record)
    except UnknownUrl as unknown:
        record.error_id, record.explanation = cases.URL_NOT_FOUND.id, messages.AUDIT_URL_NOT_FOUND
        record.status = 404
        await websocket.send_denial_response(render.not_found_page(unknown.path))
    except GatewayError as error:
        record.error_id = error.error_id
        record.explanation = record.explanation or error.message
        record.status = error.code
        await websocket.send_denial_response(render.error_response(error))
    finally:
        if slot:
            state.quota.release(project)
        state.audit.add(record)


def connected_or_refused(state: EmulatorState, target: GatewayTarget,
                         record: AuditRecord) -> Membership | None:
    """The membership, None when its agent is disconnected (a stream fails after the 101), or
    the no-active-connection refusal when there is no such membership at all."""
    membership = state.membership(target.membership)
    if membership is not None and not membership.connected:
        if (membership.spec.location, membership.spec.collection) == (target.location,
                                                                       target.collection):
            record.explanation = messages.AUDIT_AGENT_DISCONNECTED
            return None
    return connected_membership(state, target)


async def _open_and_relay(websocket: WebSocket, state: EmulatorState, membership: Membership,
                          target: GatewayTarget, principal: str, groups: list[str],
                          record: AuditRecord) -> None:
    offered = _offered(websocket)
    if _carried(offered) is None:
        await _refuse_subprotocols(websocket, record, offered)
        return
    request = as_agent("GET", target.k8s_path, websocket.url.query, websocket.headers.items(),
                       b"", principal=principal, groups=groups,
                       agent_token=membership.transport.token)
    record.impersonation = messages.AUDIT_IMPERSONATION.format(
        agent=membership.transport.user.name, principal=principal,
        groups=", ".join(groups) or messages.RBAC_NO_GROUPS)
    try:
        upstream = await membership.cluster.open_stream(request, offered)
    except ClusterUnreachable as unreachable:
        # The agent's WebSocket to the apiserver could not be made: the page's 9.4 case.
        membership.agent_log.error(messages.AGENT_LOG_WEBSOCKET_FAILED.format(
            reason=unreachable.cause))
        record.explanation = messages.AUDIT_CLUSTER_UNREACHABLE.format(cause=unreachable.cause)
        await _fail_after_accept(websocket, record, cases.CLUSTER_UNREACHABLE.error())
        return
    audit_id = (next((v for k, v in upstream.headers if k == "audit-id"), "")
                if isinstance(upstream, ClusterResponse) else getattr(upstream, "audit_id", ""))
    record.cluster_audit_id = audit_id
    decision = membership.cluster.decision(audit_id) if audit_id else None
    if decision is not None:
        record.rbac_result = "allowed" if decision.allowed else "denied"
        record.rbac_reason = decision.reason
    if isinstance(upstream, ClusterResponse):
        reason = _handshake_failure(upstream)
        membership.agent_log.error(messages.AGENT_LOG_WEBSOCKET_FAILED.format(reason=reason))
        record.explanation = messages.AUDIT_CLUSTER_ERROR.format(reason=reason)
        await _fail_after_accept(websocket, record, _refused_upstream(upstream, offered))
        return
    await websocket.accept(subprotocol=upstream.subprotocol or None)
    record.status = 101
    stream_id = audit_id or "-"
    membership.agent_log.info(messages.AGENT_LOG_STREAM_STARTED.format(
        stream_id=stream_id, principal=principal, method="GET", path=target.k8s_path))
    code = await _relay(websocket, upstream, state.stream_timeout(), record,
                        state.faults_for(membership.spec.name).drop_stream_after_bytes)
    if record.error_id == cases.CLUSTER_UNREACHABLE.id:
        membership.agent_log.error(messages.AGENT_LOG_UPSTREAM_FAILED.format(
            cause=messages.AGENT_UPSTREAM_STREAM_LOST))
    membership.agent_log.info(messages.AGENT_LOG_STREAM_ENDED.format(stream_id=stream_id,
                                                                    code=code))


class _Dropped(Exception):
    """An injected fault (control API ``drop_stream_after_bytes``) cut the stream."""


async def _relay(websocket: WebSocket, session: StreamSession, timeout: float,
                 record: AuditRecord, drop_after: int | None = None) -> int:
    """Frames both ways, as they are (binary stays binary, empty messages stay), until one side
    ends or the session limit is reached. Returns the close code the client got.
    ``drop_after``: an injected fault ends the stream once that many bytes went to the client."""

    async def from_cluster() -> None:
        sent = 0
        while (message := await session.receive()) is not None:
            if drop_after is not None and sent + _size(message) > drop_after:
                # Injected fault: forward what fits in the budget, then fail like a lost agent.
                part = _output_prefix(message, drop_after - sent)
                if part is not None:
                    await frames.send(websocket, part)
                raise _Dropped
            sent += _size(message)
            await frames.send(websocket, message)

    client = asyncio.create_task(frames.client_to_session(websocket, session))
    cluster = asyncio.create_task(from_cluster())
    try:
        done, _ = await asyncio.wait({client, cluster}, timeout=timeout,
                                     return_when=asyncio.FIRST_COMPLETED)
        if cluster in done and cluster.exception() is None:
            code = session.close_code or NORMAL_CLOSURE
            if code == ABNORMAL_CLOSURE:
                # The apiserver's side vanished without a close frame (it stopped, or the
                # network failed): the client gets the agent-side failure, as for a lost agent.
                return await _interrupt(websocket, record, messages.AUDIT_UPSTREAM_STREAM_LOST,
                                        cases.CLUSTER_UNREACHABLE.error(
                                            messages.AGENT_UPSTREAM_INTERRUPTED))
            await _close(websocket, code)
            return code
        await session.close()
        failed = cluster.exception() if cluster in done else None
        if isinstance(failed, _Dropped):
            record.fault = messages.FAULT_NOTE_DROP.format(bytes=drop_after)
            return await _interrupt(websocket, record,
                                    messages.AUDIT_STREAM_DROPPED.format(bytes=drop_after),
                                    cases.AGENT_STREAM_FAILURE.error(
                                        messages.AGENT_STREAM_DROPPED, bytes=drop_after))
        if isinstance(failed, ClusterUnreachable):
            return await _interrupt(websocket, record, messages.AUDIT_UPSTREAM_STREAM_LOST,
                                    cases.CLUSTER_UNREACHABLE.error(
                                        messages.AGENT_UPSTREAM_INTERRUPTED))
        if failed is not None and not isinstance(failed, (WebSocketDisconnect, OSError)):
            # Neither side's doing: a bug of the emulator's. Said loudly (the pytest plugin fails
            # the test on it), and the client still gets an end rather than a hang.
            log.error(messages.STREAM_RELAY_FAILED.format(path=record.path), exc_info=failed)
            return await _interrupt(websocket, record, messages.STREAM_RELAY_FAILED.format(
                path=record.path), GatewayError(500, "InternalError", messages.CLUSTER_ERROR))
        if client in done or failed is not None:  # the client left, or sending to it failed
            record.explanation = messages.AUDIT_CLIENT_LEFT
            return 1006
        seconds = f"{timeout:.0f}" if timeout >= 10 else f"{timeout:g}"
        return await _interrupt(websocket, record,
                                messages.AUDIT_STREAM_TIMEOUT.format(seconds=seconds),
                                cases.AGENT_STREAM_FAILURE.error(
                                    messages.AGENT_STREAM_INTERRUPTED, seconds=seconds))
    finally:
        for task in (client, cluster):
            task.cancel()
        await asyncio.gather(client, cluster, return_exceptions=True)


async def _interrupt(websocket: WebSocket, record: AuditRecord, explanation: str,
                     failure: GatewayError) -> int:
    """An accepted stream the agent's side gave up on: the failure on the status channel, then
    a normal close (agent-stream-failure, or cluster-unreachable when the apiserver vanished)."""
    record.error_id = failure.error_id
    record.explanation = explanation
    with suppress(WebSocketDisconnect, RuntimeError):
        await websocket.send_bytes(_status_frame(failure.message))
    await _close(websocket, NORMAL_CLOSURE)
    return NORMAL_CLOSURE


def _size(message: Message) -> int:
    return len(message) if isinstance(message, bytes) else len(message.encode())


def _output_prefix(message: Message, limit: int) -> bytes | None:
    """The first ``limit`` bytes of a stdout/stderr frame, or None when nothing of it can go:
    a cut status frame would reach the client as broken JSON rather than as the failure."""
    if not isinstance(message, bytes) or limit < 2 or message[:1] not in OUTPUT_CHANNELS:
        return None
    return message[:limit]


def _offered(websocket: WebSocket) -> list[str]:
    return list(websocket.scope.get("subprotocols") or [])


def _carried(offered: list[str]) -> str | None:
    """The first offered subprotocol the gateway carries, or None."""
    return next((p for p in offered if p in CHANNEL_PROTOCOLS), None)


async def _accept(websocket: WebSocket) -> None:
    """The 101 of a stream the gateway itself will end with a refusal. kubectl 1.30+ insists
    that the 101 names a subprotocol it offered, and the refusal is written in that protocol's
    framing: so the gateway names one it carries (the first offered), never one it cannot speak.
    A client that offered none of them gets a 101 naming none (only before the agent hop: see
    ``_refuse_subprotocols``)."""
    await websocket.accept(subprotocol=_carried(_offered(websocket)))


async def _refuse_subprotocols(websocket: WebSocket, record: AuditRecord,
                               offered: list[str]) -> None:
    """No offered subprotocol is one the gateway carries: refuse the upgrade with a 400 Status
    that names what was offered and what is carried.

    Why this answer. In the real chain such an upgrade reaches the kubelet (kube-apiserver
    translates only ``v5.channel.k8s.io`` itself and proxies anything else), whose wsstream
    server, finding no protocol in common, answers 403 with an empty body; the agent's WebSocket
    dial then fails exactly as it does for a cluster older than 1.30, and the client would learn
    nothing but ``failed_precondition``. Nor could the gateway answer 101 and then refuse: its
    refusals after a 101 are channel-protocol frames, meaningless in an unknown protocol. So the
    emulator refuses before the upgrade, as a 400 ``BadRequest`` Status in the words wsstream
    uses for a failed negotiation (client-go shows a Status in a refused upgrade as the error),
    and records why. This is the emulator's own answer: it has no case in the error catalogue,
    so the record carries no error_id, only the explanation."""
    carried = " ".join(CHANNEL_PROTOCOLS)
    record.explanation = messages.AUDIT_UNSUPPORTED_SUBPROTOCOLS.format(
        offered=" ".join(offered), supported=carried)
    record.status = 400
    refusal = GatewayError(400, "BadRequest", messages.UNSUPPORTED_SUBPROTOCOLS.format(
        offered=" ".join(offered), supported=carried))
    await websocket.send_denial_response(render.status_response(refusal))


def _refused_upstream(answer: ClusterResponse, offered: list[str]) -> GatewayError:
    """The failure the client gets when the apiserver refused the agent's upgrade: always the
    page's ``failed_precondition`` after the 101; what differs is the case the audit records.

    - 403 with a Status: RBAC refused ``get`` on pods/exec or pods/attach (exec-rbac).
    - 403 with an empty body: the WebSocket server (the kubelet's, through kube-apiserver) took
      none of the offered subprotocols. For an offer of v5 without v4, that is a cluster older
      than 1.30 (cluster-too-old): only 1.30+ serves v5 (kubectl offers nothing else), while
      every kubelet serves v4.
    - Anything else (v4 refused, a missing pod, a container that is not running): a refusal no
      catalogue case describes; the audit explanation names it, the record carries no id."""
    if answer.status == 403 and answer.body:
        return cases.EXEC_RBAC.error()
    if answer.status == 403 and V5 in offered and V4 not in offered:
        return cases.CLUSTER_TOO_OLD.error()
    return GatewayError(101, "", messages.CLUSTER_ERROR)


async def _fail_after_accept(websocket: WebSocket, record: AuditRecord,
                             failure: GatewayError) -> None:
    """The stream opens, then carries the failure on the status channel and ends normally:
    kubectl prints ``error: <message>``."""
    record.error_id = failure.error_id
    record.explanation = record.explanation or failure.message
    await _accept(websocket)
    record.status = 101
    await asyncio.sleep(REFUSAL_AFTER_ACCEPT_SECONDS)
    with suppress(WebSocketDisconnect, RuntimeError):
        await websocket.send_bytes(_status_frame(failure.message))
    await _close(websocket, NORMAL_CLOSURE)


async def _close(websocket: WebSocket, code: int) -> None:
    with suppress(WebSocketDisconnect, RuntimeError):
        await websocket.close(code=code)


def _status_frame(message: str) -> bytes:
    status = {"metadata": {}, "status": "Failure", "message": message, "reason": "InternalError",
              "code": 500}
    return b"\x03" + json.dumps(status, separators=(",", ":")).encode()


def _close_reason(text: str) -> str:
    return text.encode()[:CLOSE_REASON_LIMIT].decode(errors="ignore")


def _handshake_failure(answer: ClusterResponse) -> str:
    """How the agent's WebSocket client reports a refused upgrade (gorilla's wording)."""
    status = f"{answer.status} {_REASONS.get(answer.status, '')}".strip()
    detail = ""
    if answer.body:
        try:
            parsed = limits.json_loads(answer.body)  # an apiserver's answer, but still bounded
        except ValueError:
            parsed = None
        detail = ": " + (str(parsed.get("message", "")) if isinstance(parsed, dict)
                         else answer.body.decode(errors="replace"))
    return messages.AGENT_LOG_BAD_HANDSHAKE.format(status=status, detail=detail)


_REASONS = {400: "Bad Request", 403: "Forbidden", 404: "Not Found", 500: "Internal Server Error"}
