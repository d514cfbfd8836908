"""The emulator's own admin API under ``/_emulator/`` (issue #6 grows it; the audit trail is here
first). It answers loopback clients only: a served emulator bound to another address with
``--allow-remote`` still keeps its controls local.
"""

from __future__ import annotations

import ipaddress

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from emulator import messages
from emulator.state import EmulatorState

PREFIX = "/_emulator"


def routes(state: EmulatorState) -> list[Route]:
    async def audit(request: Request) -> Response:
        refused = _refuse_remote(request)
        if refused is not None:
            return refused
        return JSONResponse({"records": state.audit.as_json()})

    async def agent_log(request: Request) -> Response:
        refused = _refuse_remote(request)
        if refused is not None:
            return refused
        name = request.path_params["name"]
        membership = state.membership(name)
        if membership is None:
            return JSONResponse({"error": {"code": 404, "status": "NOT_FOUND",
                                           "message": messages.CONTROL_NO_MEMBERSHIP.format(
                                               name=name)}}, status_code=404)
        return JSONResponse({"membership": name, "lines": membership.agent_log.lines()})

    return [Route(f"{PREFIX}/audit", audit, methods=["GET"]),
            Route(f"{PREFIX}/memberships/{{name}}/agent-log", agent_log, methods=["GET"])]


def _refuse_remote(request: Request) -> Response | None:
    host = request.client.host if request.client else ""
    try:
        local = ipaddress.ip_address(host).is_loopback
    except ValueError:
        local = host in ("localhost", "testclient")  # starlette's TestClient calls itself so
    if local:
        return None
    return JSONResponse({"error": {"code": 403, "status": "PERMISSION_DENIED",
                                   "message": messages.CONTROL_LOOPBACK_ONLY}}, status_code=403)
