"""Service Usage: services.get, which gcloud's client-side kubeconfig generation asks. Every API
of the emulated project is enabled."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from emulator.google.common import caller, require
from emulator.state import EmulatorState

TITLES = {"connectgateway.googleapis.com": "Connect Gateway API",
          "gkehub.googleapis.com": "GKE Hub API"}


async def get_service(request: Request, state: EmulatorState, project: str,
                      service: str) -> Response:
    principal = caller(state, request)
    resource = f"projects/{project}/services/{service}"
    require(state, principal, "serviceusage.services.get", resource, "serviceusage.googleapis.com")
    number = state.scenario.project_number
    return JSONResponse({"name": f"projects/{number}/services/{service}",
                         "parent": f"projects/{number}", "state": "ENABLED",
                         "config": {"name": service, "title": TITLES.get(service, service)}})
