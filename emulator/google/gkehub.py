"""GKE Hub memberships: list and get, on v1, v1beta and v1alpha (gcloud-wire.md §2, §3)."""

from __future__ import annotations

import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from emulator import messages
from emulator.google.common import caller, page, require
from emulator.google.errors import GoogleApiError, not_found
from emulator.scenario.model import MembershipSpec, Scenario
from emulator.state import EmulatorState

DOMAIN = "gkehub.googleapis.com"
CREATED = "2025-01-01T00:00:00Z"


def membership_resource(scenario: Scenario, spec: MembershipSpec, connected: bool) -> dict[str, Any]:
    name = f"projects/{scenario.project_id}/locations/{spec.location}/memberships/{spec.name}"
    # Stable identifiers: the same membership keeps its IDs across runs and resets.
    unique = str(uuid.uuid5(uuid.NAMESPACE_URL, f"cgw:{scenario.project_number}:{name}"))
    endpoint: dict[str, Any] = {"kubernetesMetadata": {
        "kubernetesApiServerVersion": spec.kubernetes_version, "nodeProviderId": "emulator",
        "nodeCount": 1, "vcpuCount": 2, "memoryMb": 4096, "updateTime": CREATED}}
    if spec.cluster_type == "gke":
        endpoint["gkeCluster"] = {"resourceLink": (
            f"//container.googleapis.com/projects/{scenario.project_id}/locations/"
            f"{spec.location}/clusters/{spec.name}")}
    elif spec.multicloud is not None:  # GKE on AWS / on Azure, or attached through gkemulticloud
        endpoint["multiCloudCluster"] = {"resourceLink": (
            f"//gkemulticloud.googleapis.com/projects/{scenario.project_number}/locations/"
            f"{spec.multicloud.location}/{spec.cluster_type}Clusters/{spec.name}")}
    return {"name": name, "description": spec.name, "endpoint": endpoint,
            "state": {"code": "READY"}, "createTime": CREATED, "updateTime": CREATED,
            "externalId": str(uuid.uuid5(uuid.NAMESPACE_DNS, unique)), "uniqueId": unique,
            "lastConnectionTime": CREATED if connected else None, "authority": {},
            "monitoringConfig": {}}


def _project_matches(scenario: Scenario, project: str) -> bool:
    return project in (scenario.project_id, scenario.project_number)


async def list_memberships(request: Request, state: EmulatorState, project: str,
                           location: str) -> Response:
    principal = caller(state, request)
    resource = f"projects/{project}/locations/{location}/memberships"
    require(state, principal, "gkehub.memberships.list", resource, DOMAIN)
    scenario = state.scenario
    if not _project_matches(scenario, project):
        raise GoogleApiError(403, "PERMISSION_DENIED", messages.GOOGLE_PERMISSION_DENIED.format(
            permission="gkehub.memberships.list", resource=resource))
    found = [membership_resource(scenario, m.spec, m.connected)
             for m in state.world.memberships.values()
             if location in ("-", m.spec.location)]
    return JSONResponse(page(request, found, "resources"))


async def get_membership(request: Request, state: EmulatorState, project: str, location: str,
                         name: str) -> Response:
    principal = caller(state, request)
    resource = f"projects/{project}/locations/{location}/memberships/{name}"
    require(state, principal, "gkehub.memberships.get", resource, DOMAIN)
    membership = state.membership(name)
    if (membership is None or not _project_matches(state.scenario, project)
            or membership.spec.location != location):
        raise not_found(messages.GOOGLE_RESOURCE_NOT_FOUND.format(resource=resource), resource)
    return JSONResponse(membership_resource(state.scenario, membership.spec, membership.connected))
