"""The gateway's Kubernetes path, in request order (design §1).

Each stage either enriches what the next one needs or raises the error that production raises at
that point; this module only strings them together.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from emulator import messages
from emulator.agent.impersonation import as_agent, is_impersonation_header
from emulator.cluster.backend import ClusterRequest
from emulator.errors import GatewayError, UnknownUrl
from emulator.gateway import auth, render, route
from emulator.gateway.connection import connected_membership
from emulator.state import EmulatorState


async def handle(request: Request, state: EmulatorState) -> Response:
    try:
        return await _handle(request, state)
    except UnknownUrl as unknown:
        return render.not_found_page(unknown.path)
    except GatewayError as error:
        return render.status_response(error)


async def _handle(request: Request, state: EmulatorState) -> Response:
    # 1 route: only gateway URLs of the fleet host project exist.
    target = route.parse(request.url.path)
    if target is None or target.project_number != state.scenario.project_number:
        raise UnknownUrl(request.url.path)
    # 2 auth: the bearer token names a Google principal.
    principal = auth.authenticate(state, request.headers.get("authorization"))
    # A client never picks its identity: the gateway impersonates the caller itself.
    for name in request.headers:
        if is_impersonation_header(name):
            raise GatewayError(403, "Forbidden", messages.IMPERSONATION_HEADER_REFUSED.format(
                header=name.title(), principal=principal.email))
    # 7 connection: the membership's cluster must be reachable through its agent.
    membership = connected_membership(state, target)
    # 8 impersonation: the agent re-issues the request as itself, naming the caller.
    cluster_request: ClusterRequest = as_agent(
        request.method, target.k8s_path, request.url.query, request.headers.items(),
        await request.body(), principal=principal.email, groups=(),
        agent_token=membership.transport.token)
    return render.cluster_response(await membership.cluster.handle(cluster_request))
