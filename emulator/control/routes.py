"""The emulator's own admin API under ``/_emulator/``: JSON in, JSON out, from any language.

Errors are ``{"error": {"code", "status", "message"}}``, never a traceback. It answers loopback
clients only: a served emulator bound to another address with ``--allow-remote`` still keeps its
controls local. Handlers live in ``handlers``; this module is the URL table and the one place that
turns their answers and errors into responses.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from emulator import messages
from emulator.control import handlers as h
from emulator.control.body import ControlApiError
from emulator.loopback import is_loopback
from emulator.scenario.loader import ScenarioError
from emulator.state import EmulatorState

PREFIX = "/_emulator"
Handler = Callable[[Request, EmulatorState], Awaitable[dict[str, Any]]]

ENDPOINTS: tuple[tuple[str, str, Handler], ...] = (
    ("POST", "/reset", h.reset),
    ("POST", "/scenario", h.load_scenario),
    ("GET", "/world", h.world),
    ("POST", "/iam/grant", h.grant),
    ("POST", "/iam/revoke", h.revoke),
    ("POST", "/principals", h.add_principal),
    ("POST", "/groups", h.set_group),
    ("POST", "/tokens", h.mint_token),
    ("PUT", "/limits", h.set_limits),
    ("DELETE", "/limits", h.restore_limits),
    ("POST", "/clock", h.advance_clock),
    ("POST", "/memberships/{name}/disconnect", h.disconnect),
    ("POST", "/memberships/{name}/connect", h.connect),
    ("GET", "/memberships/{name}/agent-log", h.agent_log),
    ("POST", "/faults", h.inject_faults),
    ("DELETE", "/faults", h.clear_faults),
    ("GET", "/audit", h.audit),
)

# Every path takes every method, so a wrong one gets a JSON 405 here instead of falling through
# to the gateway's catch-all (Google's HTML 404).
_ANY_METHOD = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def routes(state: EmulatorState) -> list[Route]:
    by_path: dict[str, dict[str, Handler]] = {}
    for method, path, handler in ENDPOINTS:
        by_path.setdefault(path, {})[method] = handler
    table = [Route(PREFIX + path, _endpoint(state, path, methods), methods=_ANY_METHOD)
             for path, methods in by_path.items()]
    # Anything else under the prefix is a mistyped control URL, not a gateway URL.
    unknown = _endpoint(state, "", {})
    return table + [Route(PREFIX, unknown, methods=_ANY_METHOD),
                    Route(PREFIX + "/{rest:path}", unknown, methods=_ANY_METHOD)]


def _endpoint(state: EmulatorState, path: str,
              methods: dict[str, Handler]) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        refused = _refuse_remote(request)
        if refused is not None:
            return refused
        handler = methods.get(request.method)
        if handler is None:
            return _refuse_method(request, path, methods)
        try:
            return JSONResponse(await handler(request, state))
        except ControlApiError as err:
            return error_response(err)
        except ScenarioError as err:  # the loader's "file:line: reason", as it is
            return error_response(ControlApiError(400, str(err)))
    return endpoint


def _refuse_method(request: Request, path: str, methods: dict[str, Handler]) -> Response:
    if not methods:
        listed = ", ".join(f"{m} {PREFIX}{p}" for m, p, _ in ENDPOINTS)
        return error_response(ControlApiError(404, messages.CONTROL_UNKNOWN_ENDPOINT.format(
            method=request.method, path=request.url.path, endpoints=listed)))
    allowed = ", ".join(methods)
    answer = error_response(ControlApiError(405, messages.CONTROL_METHOD_NOT_ALLOWED.format(
        path=request.url.path, allowed=allowed, method=request.method)))
    answer.headers["Allow"] = allowed
    return answer


def error_response(error: ControlApiError) -> Response:
    return JSONResponse({"error": {"code": error.code, "status": error.status,
                                   "message": error.message}}, status_code=error.code)


def _refuse_remote(request: Request) -> Response | None:
    host = request.client.host if request.client else ""
    # starlette's TestClient calls itself "testclient".
    if is_loopback(host) or host == "testclient":
        return None
    return error_response(ControlApiError(403, messages.CONTROL_LOOPBACK_ONLY))
