"""Cloud Resource Manager v1: projects.get (the project number) and testIamPermissions."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from emulator import messages
from emulator.google.common import caller, require
from emulator.google.errors import GoogleApiError, read_json
from emulator.state import EmulatorState

DOMAIN = "cloudresourcemanager.googleapis.com"


async def get_project(request: Request, state: EmulatorState, project: str) -> Response:
    principal = caller(state, request)
    scenario = state.scenario
    require(state, principal, "resourcemanager.projects.get", f"projects/{project}", DOMAIN)
    if project not in (scenario.project_id, scenario.project_number):
        raise GoogleApiError(403, "PERMISSION_DENIED", messages.GOOGLE_PROJECT_NOT_FOUND.format(
            project=project))
    return JSONResponse({"projectNumber": scenario.project_number,
                         "projectId": scenario.project_id, "lifecycleState": "ACTIVE",
                         "name": scenario.project_id, "createTime": "2025-01-01T00:00:00Z",
                         "parent": {"type": "organization", "id": "100000000001"}})


async def test_iam_permissions(request: Request, state: EmulatorState, project: str) -> Response:
    """Anyone may ask; the answer is the subset of the permissions the caller holds."""
    principal = caller(state, request)
    try:
        asked = (await read_json(request)).get("permissions") or []
    except (ValueError, AttributeError):
        raise GoogleApiError(400, "INVALID_ARGUMENT", messages.GOOGLE_BAD_ARGUMENT.format(
            detail="body")) from None
    if not isinstance(asked, list) or not all(isinstance(p, str) for p in asked):
        # A repeated string field: Google's JSON parser refuses anything else.
        raise GoogleApiError(400, "INVALID_ARGUMENT", messages.GOOGLE_BAD_ARGUMENT.format(
            detail="permissions"))
    if project not in (state.scenario.project_id, state.scenario.project_number):
        return JSONResponse({})
    granted = state.iam.granted(principal, asked)
    return JSONResponse({"permissions": granted} if granted else {})
