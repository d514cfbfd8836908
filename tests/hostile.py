"""Hostile requests for every surface the emulator serves, as hypothesis strategies: the gateway's
Kubernetes paths, the Google APIs gcloud calls, and the control API. Shared by the in-suite fuzz
test (tests/flow/test_fuzz.py) and the long run (benchmarks/fuzz.py).

The inputs are what a broken or malicious client sends: bodies nested far deeper than any
manifest, non-finite and out-of-range numbers, the wrong content type, bytes that are not text,
unknown query parameters and absurd values for known ones. Long-running requests (watch, follow)
are left out: a fuzzer waiting on them tests nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import urlencode

from hypothesis import strategies as st

PROJECT_NUMBER = "123456789012"
ALICE = "ya29.fake-alice"
TOKENS = [ALICE, ALICE, ALICE, "ya29.fake-bob", "ya29.fake-carol", "ya29.unknown", ""]
MEMBERSHIPS = ["my-cluster", "old-cluster", "gke-cluster", "aws-cluster", "azure-cluster",
               "no-such-cluster", "MY-CLUSTER", "a" * 300]
TRACKS = ["v1", "v1beta1", "v1alpha1", "v2", ""]
NAMES = ["web", "x", "does-not-exist", "a" * 254, "UPPER", "dots.in.name", "-", "%2F", "..", "ü"]
NAMESPACES = ["default", "kube-system", "gke-connect", "missing", "a" * 70]
RESOURCE_PATHS = [
    "/api", "/apis", "/version", "/openapi/v2", "/openapi/v3", "/openapi/v3/api/v1",
    "/api/v1", "/apis/apps/v1", "/apis/rbac.authorization.k8s.io/v1",
    "/api/v1/namespaces", "/api/v1/namespaces/{ns}", "/api/v1/nodes", "/api/v1/nodes/{name}",
    "/api/v1/namespaces/{ns}/pods", "/api/v1/namespaces/{ns}/pods/{name}",
    "/api/v1/namespaces/{ns}/pods/{name}/log", "/api/v1/namespaces/{ns}/pods/{name}/status",
    "/api/v1/namespaces/{ns}/pods/{name}/exec", "/api/v1/namespaces/{ns}/pods/{name}/portforward",
    "/api/v1/namespaces/{ns}/pods/{name}/ephemeralcontainers",
    "/api/v1/namespaces/{ns}/configmaps", "/api/v1/namespaces/{ns}/configmaps/{name}",
    "/api/v1/namespaces/{ns}/secrets", "/api/v1/namespaces/{ns}/secrets/{name}",
    "/api/v1/namespaces/{ns}/services/{name}", "/api/v1/namespaces/{ns}/events",
    "/api/v1/namespaces/{ns}/serviceaccounts/{name}/token",
    "/apis/apps/v1/namespaces/{ns}/deployments",
    "/apis/apps/v1/namespaces/{ns}/deployments/{name}",
    "/apis/apps/v1/namespaces/{ns}/deployments/{name}/scale",
    "/apis/rbac.authorization.k8s.io/v1/clusterroles/{name}",
    "/apis/rbac.authorization.k8s.io/v1/namespaces/{ns}/rolebindings",
    "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
    "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews",
    "/apis/authentication.k8s.io/v1/selfsubjectreviews",
    "/apis/batch/v1/namespaces/{ns}/jobs", "/api/v1/namespaces/{ns}/nope", "/{name}",
]
QUERY_KEYS = ["limit", "continue", "labelSelector", "fieldSelector", "resourceVersion",
              "resourceVersionMatch", "fieldValidation", "dryRun", "fieldManager", "force",
              "propagationPolicy", "gracePeriodSeconds", "tailLines", "sinceSeconds", "sinceTime",
              "limitBytes", "timestamps", "container", "previous", "pretty", "timeoutSeconds",
              "allowWatchBookmarks", "command", "stdin", "stdout", "tty", "x-unknown"]
QUERY_VALUES = ["", "0", "1", "-1", "500", "99999999999", str(2**63), "1e21", "NaN", "inf",
                "true", "false", "Strict", "Warn", "Bogus", "All", "a=b", "a in (b,c)", "!a",
                "metadata.name=web", "status.phase!=Running", "x" * 300, "%00", "\u2603", "=",
                "2026-01-01T00:00:00Z", "yesterday"]
CONTENT_TYPES = ["application/json", "application/yaml", "application/merge-patch+json",
                 "application/strategic-merge-patch+json", "application/json-patch+json",
                 "application/apply-patch+yaml", "application/vnd.kubernetes.protobuf",
                 "text/plain", "multipart/form-data; boundary=x", "application/json; charset=latin1",
                 ""]
KINDS = [("v1", "ConfigMap"), ("v1", "Secret"), ("v1", "Pod"), ("v1", "Namespace"),
         ("apps/v1", "Deployment"), ("authorization.k8s.io/v1", "SelfSubjectAccessReview"),
         ("authentication.k8s.io/v1", "TokenRequest"), ("autoscaling/v1", "Scale"),
         ("v1", "Status"), ("", "")]


@dataclass(frozen=True)
class HostileRequest:
    method: str
    path: str  # with its query string
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def describe(self) -> str:
        shown = self.body[:120] + (b"..." if len(self.body) > 120 else b"")
        return f"{self.method} {self.path[:200]} {self.headers} {shown!r}"


# -- bodies ---------------------------------------------------------------------------------------

_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=20),
                     st.floats(allow_nan=True, allow_infinity=True),
                     st.sampled_from([2**63, -(2**63) - 1, 10**400, 1e308]))
json_values = st.recursive(_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)),
    max_leaves=20)


def _dumps(value: object) -> bytes:
    # allow_nan: Python writes NaN and Infinity, which JSON does not have; a server must cope.
    return json.dumps(value, allow_nan=True).encode()


@st.composite
def manifests(draw: st.DrawFn) -> bytes:
    """A body shaped like an object of a kind, with hostile fields in it."""
    api_version, kind = draw(st.sampled_from(KINDS))
    manifest: dict[str, object] = {"apiVersion": api_version, "kind": kind,
                                   "metadata": draw(st.one_of(
                                       st.fixed_dictionaries({"name": st.sampled_from(NAMES)}),
                                       json_values))}
    for key in draw(st.lists(st.sampled_from(["spec", "data", "status", "replicas", "stringData",
                                              "binaryData", "rules", "subjects"]), max_size=3)):
        manifest[key] = draw(json_values)
    return _dumps(manifest)


@st.composite
def deep(draw: st.DrawFn) -> bytes:
    """Nesting far past any real manifest: the body that used to raise RecursionError."""
    depth = draw(st.sampled_from([50, 500, 1000, 3000, 20000]))
    opener, closer = draw(st.sampled_from([("[", "]"), ('{"a":', "}"), ("- ", ""),
                                           ('{"metadata":{"labels":', "}}")]))
    if opener == "- ":  # YAML block sequences, one level per line
        return "".join("  " * i + "- \n" for i in range(min(depth, 3000))).encode()
    return (opener * depth + "1" + closer * depth).encode()


bodies = st.one_of(manifests(), json_values.map(_dumps), deep(), st.binary(max_size=200),
                   st.sampled_from([b"", b"{", b"null", b"NaN", b"[]", b"\xff\xfe",
                                    b'{"a": 1, "a": 2}', b"--- !!python/object:os.system {}",
                                    b"&a [*a]", b"- &x [*x, *x]"]))


# -- requests -------------------------------------------------------------------------------------

def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


@st.composite
def queries(draw: st.DrawFn) -> str:
    pairs = draw(st.lists(st.tuples(st.sampled_from(QUERY_KEYS),
                                    st.one_of(st.sampled_from(QUERY_VALUES), st.text(max_size=8))),
                          max_size=3))
    return ("?" + urlencode(pairs)) if pairs else ""


@st.composite
def gateway_requests(draw: st.DrawFn) -> HostileRequest:
    membership = draw(st.sampled_from(MEMBERSHIPS))
    collection = "gkeMemberships" if membership == "gke-cluster" else draw(
        st.sampled_from(["memberships", "memberships", "gkeMemberships", "clusters"]))
    prefix = (f"/{draw(st.sampled_from(TRACKS))}/projects/"
              f"{draw(st.sampled_from([PROJECT_NUMBER, PROJECT_NUMBER, 'my-project', '1']))}"
              f"/locations/{draw(st.sampled_from(['global', 'us-central1', 'x']))}"
              f"/{collection}/{membership}")
    k8s = draw(st.sampled_from(RESOURCE_PATHS)).format(ns=draw(st.sampled_from(NAMESPACES)),
                                                       name=draw(st.sampled_from(NAMES)))
    headers = _auth(draw(st.sampled_from(TOKENS)))
    content_type = draw(st.sampled_from(CONTENT_TYPES))
    if content_type:
        headers["Content-Type"] = content_type
    headers["Accept"] = draw(st.sampled_from([
        "application/json", "application/json;as=Table;v=v1;g=meta.k8s.io,application/json",
        "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList",
        "application/vnd.kubernetes.protobuf", "*/*", "text/html", "garbage;;;"]))
    if draw(st.integers(0, 9)) == 0:
        headers[draw(st.sampled_from(["Impersonate-User", "X-Remote-User", "Cookie",
                                      "Kubectl-Command", "Upgrade"]))] = "system:admin"
    method = draw(st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]))
    body = draw(bodies) if method in ("POST", "PUT", "PATCH", "DELETE") else b""
    return HostileRequest(method, prefix + k8s + draw(queries()), headers, body)


CONTROL_ENDPOINTS = [("POST", "/reset"), ("POST", "/scenario"), ("GET", "/world"),
                     ("POST", "/iam/grant"), ("POST", "/iam/revoke"), ("POST", "/principals"),
                     ("POST", "/groups"), ("POST", "/tokens"), ("PUT", "/limits"),
                     ("DELETE", "/limits"), ("POST", "/memberships/{name}/disconnect"),
                     ("POST", "/memberships/{name}/connect"),
                     ("GET", "/memberships/{name}/agent-log"), ("POST", "/faults"),
                     ("DELETE", "/faults"), ("GET", "/audit"), ("PATCH", "/world"),
                     ("GET", "/nothing")]
CONTROL_FIELDS = ["role", "member", "resource", "email", "kind", "token", "members",
                  "lifetime_seconds", "active_streams", "stream_timeout_seconds", "membership",
                  "latency_ms", "cluster_status", "drop_stream_after_bytes", "extends", "x"]
_control_values = st.one_of(json_values, st.sampled_from([
    float("nan"), float("inf"), -1, 0, 10**30, True, "user:alice@example.com",
    "roles/gkehub.gatewayAdmin", "my-cluster", "quickstart", "x" * 5000]))


@st.composite
def control_requests(draw: st.DrawFn) -> HostileRequest:
    """Control API calls with hostile bodies. The faults that make the cluster slow or answer
    5xx on purpose are left to their own tests: here a 5xx must mean a bug."""
    method, path = draw(st.sampled_from(CONTROL_ENDPOINTS))
    path = path.format(name=draw(st.sampled_from(MEMBERSHIPS)))
    if path == "/scenario":
        body = draw(st.one_of(deep(), st.binary(max_size=200), st.sampled_from([
            b"extends: " + b"q" * 5000 + b"\n", b"extends: ../../etc/passwd\n",
            b"extends: quickstart\nlimits: {active_streams: .nan}\n",
            b"extends: quickstart\nmemberships: [{name: m, kubernetes_version: v1.30.1, "
            b"kubeconfig: /dev/null}]\n"])))
        return HostileRequest(method, "/_emulator/scenario",
                              {"Content-Type": "application/yaml"}, body)
    fields = draw(st.dictionaries(st.sampled_from(CONTROL_FIELDS), _control_values, max_size=4))
    if path == "/faults":
        # Deliberate failures, not bugs: a cluster that answers 5xx, and latency, which makes the
        # fuzzer wait instead of testing.
        fields.pop("cluster_status", None)
        fields.pop("latency_ms", None)
    body = draw(st.one_of(st.just(_dumps(fields)), deep(), st.binary(max_size=50)))
    return HostileRequest(method, "/_emulator" + path, {"Content-Type": "application/json"},
                          body if method in ("POST", "PUT") else b"")


@st.composite
def google_requests(draw: st.DrawFn) -> HostileRequest:
    version = draw(st.sampled_from(["v1", "v1beta", "v1alpha", "v1beta1"]))
    membership = draw(st.sampled_from(MEMBERSHIPS))
    kind = draw(st.sampled_from(["aws", "azure", "attached", "gke"]))
    location = draw(st.sampled_from(["us-east4", "us-west1", "global", "-", "%2F"]))
    method, path = draw(st.sampled_from([
        ("GET", f"/{version}/projects/my-project/locations/-/memberships"),
        ("GET", f"/{version}/projects/my-project/locations/global/memberships/{membership}"),
        ("GET", f"/{version}/projects/{PROJECT_NUMBER}/locations/global/memberships/"
                f"{membership}:generateCredentials"),
        ("GET", "/v1/projects/my-project"),
        ("POST", "/v1/projects/my-project:testIamPermissions"),
        ("POST", "/v1/projects/-/serviceAccounts/ci-bot@my-project.iam.gserviceaccount.com"
                 ":generateAccessToken"),
        ("GET", "/v1/projects/my-project/services/connectgateway.googleapis.com"),
        ("GET", f"/v1/projects/my-project/locations/{location}/{kind}Clusters"),
        ("GET", f"/v1/projects/my-project/locations/{location}/{kind}Clusters/{membership}"),
        ("GET", f"/v1/projects/{PROJECT_NUMBER}/locations/{location}/awsClusters/{membership}"
                f"/awsNodePools"),
        ("GET", f"/v1/projects/my-project/locations/{location}/{kind}ServerConfig"),
        ("GET", "/v1/projects/my-project/unknown")]))
    fields = draw(st.dictionaries(st.sampled_from(["permissions", "scope", "lifetime", "x"]),
                                  json_values, max_size=3))
    body = draw(st.one_of(st.just(_dumps(fields)), deep(), st.binary(max_size=50)))
    return HostileRequest(method, path + draw(queries()), {
        "Authorization": f"Bearer {draw(st.sampled_from(TOKENS)) or 'x'}",
        "Content-Type": "application/json"}, body if method == "POST" else b"")


any_request = st.one_of(gateway_requests(), gateway_requests(), control_requests(),
                        google_requests())
