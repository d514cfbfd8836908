"""The GKE Multi-Cloud API (gkemulticloud v1) as gcloud's `container aws|azure|attached clusters
describe|list|get-credentials` call it: clusters get and list, AWS and Azure node pools get and
list, and the server configs `describe` and `list` read for their upgrade hints.

A membership with ``multicloud:`` in its scenario is one such cluster, in that region. The answers
carry what gcloud reads: ``fleet.membership`` (the Connect Gateway path of get-credentials), the
version (``controlPlane.version`` for AWS and Azure, ``platformVersion`` and
``kubernetesVersion`` for attached clusters), ``state`` and ``endpoint``. IAM is checked on the
project before anything is looked up, so a caller without the permission learns nothing.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from emulator import messages
from emulator.google.common import caller, page, require
from emulator.google.errors import GoogleApiError, not_found
from emulator.scenario.model import MembershipSpec, Scenario
from emulator.state import EmulatorState

DOMAIN = "gkemulticloud.googleapis.com"
CREATED = "2025-01-01T00:00:00Z"
_MINOR_PATCH = re.compile(r"^v1\.(\d+)(?:\.(\d+))?")
# What each kind's control plane and nodes run on, and where, for the fields gcloud's tables show.
_CLOUD = {
    "aws": {"region": ("awsRegion", "us-east-1"), "machine": ("instanceType", "t3.medium")},
    "azure": {"region": ("azureRegion", "eastus"), "machine": ("vmSize", "Standard_D2s_v3")},
}


def _clusters(state: EmulatorState, kind: str) -> list[MembershipSpec]:
    return [m.spec for m in state.world.memberships.values()
            if m.spec.multicloud is not None and m.spec.cluster_type == kind]


def _known_project(scenario: Scenario, project: str, permission: str, resource: str) -> None:
    """An unknown project is refused as IAM refuses it: the caller holds nothing there."""
    if project not in (scenario.project_id, scenario.project_number):
        raise GoogleApiError(403, "PERMISSION_DENIED", messages.GOOGLE_PERMISSION_DENIED.format(
            permission=permission, resource=resource))


def versions(spec: MembershipSpec) -> tuple[str, str]:
    """(the GKE Multi-Cloud version, the Kubernetes version) of a membership's cluster: v1.30.5
    runs as 1.30.5-gke.100 on AWS and Azure; an attached cluster's platform is 1.30.0-gke.1."""
    match = _MINOR_PATCH.match(spec.kubernetes_version)
    minor, patch = (match.group(1), match.group(2) or "0") if match else ("0", "0")
    kubernetes = f"1.{minor}.{patch}"
    if spec.cluster_type == "attached":
        return f"1.{minor}.0-gke.1", kubernetes
    return f"{kubernetes}-gke.100", kubernetes


def _uid(scenario: Scenario, name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"cgw:{scenario.project_number}:{name}"))


def cluster_resource(scenario: Scenario, spec: MembershipSpec, project: str) -> dict[str, Any]:
    assert spec.multicloud is not None
    kind, number = spec.cluster_type, scenario.project_number
    name = f"projects/{project}/locations/{spec.multicloud.location}/{kind}Clusters/{spec.name}"
    version, kubernetes = versions(spec)
    body: dict[str, Any] = {
        "name": name, "description": spec.name, "state": "RUNNING", "reconciling": False,
        "uid": _uid(scenario, name), "etag": _uid(scenario, name + ":etag"),
        "createTime": CREATED, "updateTime": CREATED,
        "fleet": {"project": f"projects/{number}",
                  "membership": f"projects/{number}/locations/{spec.location}/memberships/"
                                f"{spec.name}"},
        "workloadIdentityConfig": {
            "issuerUri": f"https://{DOMAIN}/v1/{name}",
            "workloadPool": f"{scenario.project_id}.svc.id.goog",
            "identityProvider": f"https://{DOMAIN}/v1/{name}"},
    }
    if kind == "attached":
        body.update({"platformVersion": version, "kubernetesVersion": kubernetes,
                     "distribution": "generic",
                     "oidcConfig": {"issuerUrl": f"https://oidc.{spec.name}.example.com"}})
        return body
    region_field, region = _CLOUD[kind]["region"]
    machine_field, machine = _CLOUD[kind]["machine"]
    body.update({
        region_field: region,
        "controlPlane": {"version": version, machine_field: machine},
        # The control plane's private address, which gcloud's --private-endpoint kubeconfig uses.
        "endpoint": f"{spec.name}.internal.example.com",
        "networking": {"podAddressCidrBlocks": ["10.2.0.0/16"],
                       "serviceAddressCidrBlocks": ["10.1.0.0/16"]},
    })
    return body


def node_pool_resource(scenario: Scenario, spec: MembershipSpec, cluster_name: str,
                       pool: str) -> dict[str, Any]:
    kind = spec.cluster_type
    name = f"{cluster_name}/{kind}NodePools/{pool}"
    machine_field, machine = _CLOUD[kind]["machine"]
    return {"name": name, "version": versions(spec)[0], "state": "RUNNING", "reconciling": False,
            "config": {machine_field: machine}, "subnetId": f"{spec.name}-subnet",
            "autoscaling": {"minNodeCount": 1, "maxNodeCount": 3},
            "maxPodsConstraint": {"maxPodsPerNode": "110"}, "uid": _uid(scenario, name),
            "etag": _uid(scenario, name + ":etag"), "createTime": CREATED, "updateTime": CREATED}


def _find(state: EmulatorState, request: Request, project: str, location: str, kind: str,
          name: str, permission: str, resource: str) -> MembershipSpec:
    require(state, caller(state, request), permission, resource, DOMAIN)
    cluster = f"projects/{project}/locations/{location}/{kind}Clusters/{name}"
    _known_project(state.scenario, project, permission, resource)
    spec = next((s for s in _clusters(state, kind) if s.name == name), None)
    if spec is None or spec.multicloud is None or spec.multicloud.location != location:
        raise not_found(messages.GOOGLE_RESOURCE_NOT_FOUND.format(resource=cluster), cluster)
    return spec


async def list_clusters(request: Request, state: EmulatorState, project: str, location: str,
                        kind: str) -> Response:
    resource = f"projects/{project}/locations/{location}"
    permission = f"gkemulticloud.{kind}Clusters.list"
    require(state, caller(state, request), permission, resource, DOMAIN)
    _known_project(state.scenario, project, permission, resource)
    found = [cluster_resource(state.scenario, spec, project) for spec in _clusters(state, kind)
             if spec.multicloud is not None and spec.multicloud.location == location]
    return JSONResponse(page(request, found, f"{kind}Clusters"))


async def get_cluster(request: Request, state: EmulatorState, project: str, location: str,
                      kind: str, name: str) -> Response:
    resource = f"projects/{project}/locations/{location}/{kind}Clusters/{name}"
    spec = _find(state, request, project, location, kind, name,
                 f"gkemulticloud.{kind}Clusters.get", resource)
    return JSONResponse(cluster_resource(state.scenario, spec, project))


async def list_node_pools(request: Request, state: EmulatorState, project: str, location: str,
                          kind: str, cluster: str) -> Response:
    resource = f"projects/{project}/locations/{location}/{kind}Clusters/{cluster}"
    spec = _find(state, request, project, location, kind, cluster,
                 f"gkemulticloud.{kind}NodePools.list", resource)
    assert spec.multicloud is not None
    pools = [node_pool_resource(state.scenario, spec, resource, pool)
             for pool in spec.multicloud.node_pools]
    return JSONResponse(page(request, pools, f"{kind}NodePools"))


async def get_node_pool(request: Request, state: EmulatorState, project: str, location: str,
                        kind: str, cluster: str, pool: str) -> Response:
    cluster_name = f"projects/{project}/locations/{location}/{kind}Clusters/{cluster}"
    resource = f"{cluster_name}/{kind}NodePools/{pool}"
    spec = _find(state, request, project, location, kind, cluster,
                 f"gkemulticloud.{kind}NodePools.get", resource)
    assert spec.multicloud is not None
    if pool not in spec.multicloud.node_pools:
        raise not_found(messages.GOOGLE_RESOURCE_NOT_FOUND.format(resource=resource), resource)
    return JSONResponse(node_pool_resource(state.scenario, spec, cluster_name, pool))


async def get_server_config(request: Request, state: EmulatorState, project: str, location: str,
                            kind: str) -> Response:
    """Every version a cluster of this kind runs in the world is valid and supported, so gcloud
    adds no end-of-life mark or upgrade hint."""
    resource = f"projects/{project}/locations/{location}/{kind}ServerConfig"
    permission = f"gkemulticloud.{kind}ServerConfigs.get"
    require(state, caller(state, request), permission, resource, DOMAIN)
    _known_project(state.scenario, project, permission, resource)
    valid = sorted({versions(spec)[0] for spec in _clusters(state, kind)})
    if kind not in _CLOUD:  # attached: platform versions, with nothing more to say of them
        return JSONResponse({"name": resource, "validVersions": [{"version": v} for v in valid]})
    return JSONResponse({
        "name": resource, f"supported{kind.capitalize()}Regions": [_CLOUD[kind]["region"][1]],
        "validVersions": [{"version": v, "enabled": True, "endOfLife": False} for v in valid]})
