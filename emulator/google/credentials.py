"""Connect Gateway's control plane (generateCredentials) and IAM Credentials (generateAccessToken).

generateCredentials returns the kubeconfig gcloud merges (gcloud-wire.md §4.1): one context,
``connectgateway_{project}_{location}_{membership}``, the gateway URL on the track asked for, the
emulator's CA, and the gke-gcloud-auth-plugin exec user. generateAccessToken mints a token that
acts as the service account at the gateway and at these APIs, as impersonation does in Google Cloud.
"""

from __future__ import annotations

import base64
import re
from datetime import timedelta

import yaml
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from emulator import limits, messages
from emulator.clock import rfc3339
from emulator.google.common import caller, require
from emulator.google.errors import GoogleApiError, not_found, read_json
from emulator.kubeconfig import GatewayCluster, gateway_kubeconfig, server_url
from emulator.state import EmulatorState

PLUGIN_HINT = ("Install gke-gcloud-auth-plugin for use with kubectl by following "
               "https://cloud.google.com/kubernetes-engine/docs/how-to/cluster-access-for-kubectl"
               "#install_plugin")
_PARAMETERS = {"alt", "forceUseAgent", "kubernetesNamespace", "operatingSystem", "version",
               "impersonatedServiceAccount"}
_LIFETIME = re.compile(r"^(\d+)(\.\d+)?s$")


async def generate_credentials(request: Request, state: EmulatorState, track: str,
                               project: str, location: str, name: str) -> Response:
    principal = caller(state, request)
    resource = f"projects/{project}/locations/{location}/memberships/{name}"
    require(state, principal, "gkehub.gateway.generateCredentials", resource,
            "connectgateway.googleapis.com")
    params = request.query_params
    unknown = sorted(set(params) - _PARAMETERS)
    if unknown or params.get("forceUseAgent", "false").lower() not in ("true", "false"):
        raise GoogleApiError(400, "INVALID_ARGUMENT", messages.GOOGLE_BAD_ARGUMENT.format(
            detail=", ".join(unknown) or "forceUseAgent"))
    scenario = state.scenario
    membership = state.membership(name)
    if (membership is None or project != scenario.project_number
            or membership.spec.location != location):
        raise not_found(messages.GOOGLE_MEMBERSHIP_NOT_FOUND.format(name=resource), resource)
    cluster = GatewayCluster.of(scenario, membership.spec)
    plugin: dict[str, object] = {
        "apiVersion": "client.authentication.k8s.io/v1beta1", "command": "gke-gcloud-auth-plugin",
        "installHint": PLUGIN_HINT, "provideClusterInfo": True, "interactiveMode": "IfAvailable"}
    if params.get("impersonatedServiceAccount"):
        plugin["args"] = [f"--impersonate_service_account={params['impersonatedServiceAccount']}"]
    base = str(request.base_url).rstrip("/")
    config = gateway_kubeconfig(base, state.ca_pem, cluster, track, {"exec": plugin},
                                params.get("kubernetesNamespace") or None)
    encoded = base64.b64encode(yaml.safe_dump(config, sort_keys=False).encode()).decode()
    return JSONResponse({"kubeconfig": encoded, "endpoint": server_url(base, cluster, track)})


async def generate_access_token(request: Request, state: EmulatorState, email: str) -> Response:
    principal = caller(state, request)
    permission = "iam.serviceAccounts.getAccessToken"
    if not state.iam.check(principal, permission, f"serviceAccount:{email}").allowed:
        raise GoogleApiError(403, "PERMISSION_DENIED", messages.GOOGLE_GET_ACCESS_TOKEN_DENIED, [{
            "@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "IAM_PERMISSION_DENIED",
            "domain": "iam.googleapis.com",
            "metadata": {"permission": permission,
                         "resource": f"projects/-/serviceAccounts/{email}"}}])
    target = state.principal(email)  # the control API may have added it
    if target is None or target.kind != "serviceAccount":
        raise not_found(messages.GOOGLE_SA_NOT_FOUND.format(email=email),
                        f"projects/-/serviceAccounts/{email}")
    try:
        body = await read_json(request)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise GoogleApiError(400, "INVALID_ARGUMENT", messages.GOOGLE_BAD_ARGUMENT.format(
            detail="body"))
    # scope is required, delegates optional: both repeated strings, as the API's proto says.
    for field, required in (("scope", True), ("delegates", False)):
        value = body.get(field)
        if (value is None and required) or (value is not None and not (
                isinstance(value, list) and all(isinstance(v, str) for v in value))):
            raise GoogleApiError(400, "INVALID_ARGUMENT", messages.GOOGLE_BAD_ARGUMENT.format(
                detail=field))
    try:
        lifetime = _lifetime(str(body.get("lifetime") or "3600s"))
    except ValueError:
        raise GoogleApiError(400, "INVALID_ARGUMENT", messages.GOOGLE_BAD_ARGUMENT.format(
            detail="lifetime")) from None
    token, expires = state.mint_token(target, timedelta(seconds=lifetime))
    return JSONResponse({"accessToken": token, "expireTime": rfc3339(expires)})


def _lifetime(raw: str) -> float:
    match = _LIFETIME.match(raw)
    seconds = float(raw[:-1]) if match else -1.0
    if not 1 <= seconds <= limits.GOOGLE_MAX_TOKEN_LIFETIME_SECONDS:
        raise ValueError(messages.GOOGLE_BAD_LIFETIME.format(value=raw))
    return seconds
