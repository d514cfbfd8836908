"""The error catalogue (design §4): one definition per case a client can meet at the gateway.

Each case says what triggers it, which family of answer carries it (design §3), and which
``messages`` templates it speaks with. The gateway raises from these definitions, the audit trail
records their ids, the scenario loader and the test helpers accept no other id, and the table in
docs/errors.md is rendered from them (``python -m emulator.error_catalogue``). Adding a case is
one definition here plus the code that triggers it; tests/unit/test_error_catalogue.py then asks
for a built-in scenario that shows it with the real kubectl.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from emulator import messages
from emulator.errors import GatewayError


class Family(Enum):
    """The kind of answer a case is delivered as (design §3), plus the two a gateway path adds.
    Google's JSON errors (§3.2) answer gcloud's calls to the Google APIs, which no case covers:
    those calls are not gateway requests and leave no audit record."""

    GOOGLE_HTML = "Google HTML page"  # §3.1: Google's front end, before any Kubernetes handling
    KUBERNETES_STATUS = "Kubernetes Status"  # §3.3: a `kind: Status` on a Kubernetes path
    # After a stream's 101: a Status on the exec status channel, or the WebSocket close reason.
    STREAM_STATUS = "stream status"
    # A denied root discovery answered with the bare version list (render.discovery_fallback).
    DISCOVERY_FALLBACK = "bare discovery list"


@dataclass(frozen=True)
class ErrorCase:
    id: str
    trigger: str  # what causes it, in the docs' words
    family: Family
    code: int  # the HTTP status of the answer (101 when the failure follows the upgrade)
    reason: str  # the Kubernetes StatusReason kubectl shows in parentheses ("" when none)
    # Every messages.py template the case can carry, the usual one first ("" for a Google page,
    # whose text is the page itself, and for cases whose text the cluster writes).
    templates: tuple[str, ...]
    client_prints: str  # what the real client prints, as the docs show it
    documented: bool = True  # a case of the product page; False: the emulator's own addition

    def error(self, template: str | None = None, **fields: Any) -> GatewayError:
        """The gateway's refusal for this case, with ``template`` (one of the case's own, the
        usual one by default) filled in from ``fields``."""
        chosen = self.templates[0] if template is None else template
        if chosen not in self.templates:
            raise ValueError(f"{self.id} does not speak with {chosen!r}")
        return GatewayError(self.code, self.reason, chosen.format(**fields) if chosen else "",
                            error_id=self.id, html=self.family is Family.GOOGLE_HTML)


# --- The gateway's own refusals, in the order a request meets them --------------------------------

URL_NOT_FOUND = ErrorCase(
    "url-not-found",
    "a path that is not a gateway URL of the fleet host project (wrong version, collection, "
    "project ID instead of number, shape)",
    Family.GOOGLE_HTML, 404, "", (messages.GFE_404_TEMPLATE,),
    "Google's HTML 404, `The requested URL <code>/…</code> was not found on this server.`")
UNAUTHENTICATED = ErrorCase(
    "unauthenticated",
    "no bearer token, one the scenario does not know, or one past its `token_expires`",
    Family.KUBERNETES_STATUS, 401, "Unauthorized",
    (messages.UNAUTHENTICATED, messages.TOKEN_EXPIRED),
    "`error: You must be logged in to the server (…)`")
IMPERSONATION_HEADER = ErrorCase(
    "impersonation-header",
    "the client sends `Impersonate-*` headers, e.g. `kubectl --as`",
    Family.KUBERNETES_STATUS, 403, "Forbidden", (messages.IMPERSONATION_HEADER_REFUSED,),
    "`Error from server (Forbidden): Connect Gateway refuses client-supplied Impersonate-User "
    "headers …`")
HEADER_TOO_LARGE = ErrorCase(
    "header-too-large",
    "the request headers, with one line per Google group of the caller, pass 8 KB",
    Family.KUBERNETES_STATUS, 401, "Unauthorized", (messages.HEADER_TOO_LARGE,),
    "`error: You must be logged in to the server (…)`")
RATE_LIMIT = ErrorCase(
    "rate-limit",
    "more than 2,400 requests a minute in the fleet host project "
    "(`limits: {requests_per_minute: N}`)",
    Family.KUBERNETES_STATUS, 429, "TooManyRequests", (messages.RATE_LIMITED,),
    "`Error from server (TooManyRequests): generic::resource_exhausted: Quota exceeded …`")
IAM_DENIED = ErrorCase(
    "iam-denied",
    "the principal (or one of its groups) lacks `gkehub.gateway.<verb>` on the project: "
    "GET/HEAD/OPTIONS → get, POST → post, PUT → put, PATCH → patch, DELETE → delete, "
    "an upgrade → stream",
    Family.KUBERNETES_STATUS, 403, "Forbidden", (messages.IAM_DENIED,),
    "`Error from server (Forbidden): Permission 'gkehub.gateway.delete' denied on '…' for "
    "user:bob@example.com: … (roles/gkehub.gatewayAdmin, roles/gkehub.gatewayEditor) …`")
NO_ACTIVE_CONNECTION = ErrorCase(
    "no-active-connection",
    "an unknown membership, a location or collection that does not match it, or a "
    "disconnected agent",
    Family.KUBERNETES_STATUS, 400, "BadRequest", (messages.NO_ACTIVE_CONNECTION,),
    "`No active connection found for cluster (project: 123456789012, membership: NAME)`")

# --- Answers the cluster writes, recognised by the gateway for its audit trail ------------------

AGENT_NOT_AUTHORIZED = ErrorCase(
    "agent-not-authorized",
    "the agent's service account lacks RBAC `impersonate` on the user (or a group)",
    Family.KUBERNETES_STATUS, 403, "Forbidden", (messages.K8S_IMPERSONATE_FORBIDDEN,),
    "`Error from server (Forbidden): users \"EMAIL\" is forbidden: User "
    "\"system:serviceaccount:gke-connect:connect-agent-sa\" cannot impersonate resource "
    "\"users\" in API group \"\" at the cluster scope`")
RBAC_DENIED = ErrorCase(
    "rbac-denied",
    "the impersonated user lacks RBAC for the request",
    Family.KUBERNETES_STATUS, 403, "Forbidden", (messages.K8S_FORBIDDEN,),
    "Kubernetes' own Forbidden, e.g. `pods is forbidden: User \"dave@example.com\" cannot list "
    "resource \"pods\" in API group \"\" in the namespace \"default\"`")
DISCOVERY_DENIED = ErrorCase(
    "discovery-denied",
    "iam-denied, agent-not-authorized or rbac-denied on kubectl's first (discovery) request; "
    "the gateway answers the root discovery with the bare version list",
    Family.DISCOVERY_FALLBACK, 200, "", ("",),
    "`error: the server doesn't have a resource type \"ns\"`; `-v 9` shows the denial")
CLUSTER_UNREACHABLE = ErrorCase(
    "cluster-unreachable",
    "a membership served with `--cluster` (or `kubeconfig:`) whose apiserver refuses the "
    "connection, fails TLS, times out, answers a 5xx that is not a Status, or goes away "
    "during a stream",
    Family.KUBERNETES_STATUS, 400, "BadRequest",
    (messages.CLUSTER_ERROR, messages.AGENT_UPSTREAM_INTERRUPTED),
    "`Error from server (BadRequest): generic::failed_precondition: error encountered within "
    "the cluster`; the agent log names the cause",
    documented=False)

# --- Streams: exec, attach, cp, port-forward ---------------------------------------------------

GA_TRACK_STREAM = ErrorCase(
    "ga-track-stream",
    "exec, attach or cp on the v1 (GA) track",
    Family.GOOGLE_HTML, 400, "BadRequest", (messages.GFE_400_TEMPLATE,),
    "`error: unable to upgrade connection: <!DOCTYPE html>… Error 400 (Bad Request)`")
PORT_FORWARD = ErrorCase(
    "port-forward",
    "port-forward on any track",
    Family.GOOGLE_HTML, 400, "BadRequest", (messages.GFE_400_TEMPLATE,),
    "`error: error upgrading connection: unable to upgrade connection: …Error 400 "
    "(Bad Request)…`")
GKE_PREVIEW = ErrorCase(
    "gke-preview",
    "a v1beta1 stream to a `gkeMemberships` cluster (GKE on Google Cloud)",
    Family.KUBERNETES_STATUS, 400, "BadRequest", (messages.GKE_PREVIEW,),
    "`Error from server (BadRequest): kubectl attach, cp and exec through Connect Gateway are "
    "in preview, and the preview does not support GKE clusters …`")
SPDY_STREAM = ErrorCase(
    "spdy-stream",
    "a SPDY upgrade on any track: kubectl 1.27/1.28, 1.29 without "
    "`KUBECTL_REMOTE_COMMAND_WEBSOCKETS=true`, or any fallback",
    Family.GOOGLE_HTML, 400, "BadRequest", (messages.GFE_400_TEMPLATE,),
    "the same 400 page as ga-track-stream")
STREAM_PERMISSION = ErrorCase(
    "stream-permission",
    "a v1beta1 stream without `gkehub.gateway.stream` (only gatewayAdmin has it)",
    Family.STREAM_STATUS, 101, "", (messages.STREAM_PERMISSION_DENIED,),
    "`error: error reading from error stream: … close 1008 (policy violation): "
    "generic::permission_denied: …`")
AGENT_STREAM_FAILURE = ErrorCase(
    "agent-stream-failure",
    "a stream to a disconnected agent (at once), one that outlives its session limit "
    "(5–10 minutes by default), or one cut by an injected fault",
    Family.STREAM_STATUS, 101, "",
    (messages.AGENT_CONNECT_FAILED, messages.AGENT_STREAM_INTERRUPTED,
     messages.AGENT_STREAM_DROPPED),
    "`error: generic::failed_precondition: the connection to the Connect Agent was "
    "interrupted …`")
QUOTA = ErrorCase(
    "quota",
    "an 11th concurrent stream in the fleet host project (`limits: {active_streams: N}`)",
    Family.STREAM_STATUS, 101, "", (messages.QUOTA_EXHAUSTED,),
    "`error: generic::resource_exhausted: Gateway's active_streams quota exhausted (…)`")
CLUSTER_TOO_OLD = ErrorCase(
    "cluster-too-old",
    "a v1beta1 stream to a cluster older than 1.30 (its apiserver cannot serve "
    "`v5.channel.k8s.io`); the agent log holds `failed to create the websocket connection`",
    Family.STREAM_STATUS, 101, "", (messages.CLUSTER_ERROR,),
    "`error: generic::failed_precondition: error encountered within the cluster`")
EXEC_RBAC = ErrorCase(
    "exec-rbac",
    "the user lacks RBAC `get` on `pods/exec` or `pods/attach` (from Kubernetes 1.35, `create` "
    "too); the agent log holds `403 Forbidden`",
    Family.STREAM_STATUS, 101, "", (messages.CLUSTER_ERROR,),
    "the same `failed_precondition` as cluster-too-old")

CATALOGUE: tuple[ErrorCase, ...] = (
    URL_NOT_FOUND, UNAUTHENTICATED, IMPERSONATION_HEADER, HEADER_TOO_LARGE, RATE_LIMIT,
    IAM_DENIED, NO_ACTIVE_CONNECTION, AGENT_NOT_AUTHORIZED, RBAC_DENIED, DISCOVERY_DENIED,
    CLUSTER_UNREACHABLE, GA_TRACK_STREAM, PORT_FORWARD, GKE_PREVIEW, SPDY_STREAM,
    STREAM_PERMISSION, AGENT_STREAM_FAILURE, QUOTA, CLUSTER_TOO_OLD, EXEC_RBAC)
BY_ID: dict[str, ErrorCase] = {case.id: case for case in CATALOGUE}


def known_ids() -> str:
    """The ids, for an error message that names what would have been accepted."""
    return ", ".join(case.id for case in CATALOGUE)


def markdown_table() -> str:
    """The catalogue as the table docs/errors.md shows (kept equal by a test)."""
    rows = ["| case | answered as | trigger | a real client prints |", "|---|---|---|---|"]
    for case in CATALOGUE:
        family = case.family.value if case.code in (101, 200) else (
            f"{case.family.value}, {case.code}")
        name = case.id if case.documented else f"{case.id} (the emulator's own)"
        rows.append(f"| {name} | {family} | {case.trigger} | {case.client_prints} |")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(markdown_table(), end="")
