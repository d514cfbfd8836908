"""Discovery documents of the mock apiserver: /api, /apis, /apis/{group}, resource lists, /version.

Everything is derived from the cluster's ``Registry``. The functions are pure; ``core_api`` and
``named_apis`` return ``(content_type, body)`` because their format is negotiated, the others a
JSON body.

The one subtle part is content negotiation for aggregated discovery (k8s-streaming.md §7.1,
gcloud-wire.md §6.3): kubectl 1.27-1.29 ask only for v2beta1 and fail with "the server doesn't
have a resource type" if they get v2, so the answer must be a version the client listed, in the
client's order of preference.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from emulator import messages
from emulator.cluster.mock.registry.resources import Registry, ResourceType, Subresource
from emulator.cluster.mock.wire.status import path_not_found

JSON = "application/json"
DISCOVERY_GROUP = "apidiscovery.k8s.io"
DISCOVERY_LIST_KIND = "APIGroupDiscoveryList"
# Aggregated discovery versions the mock can answer; order does not matter, the client's does.
AGGREGATED_VERSIONS = ("v2", "v2beta1")

# /version constants. The commit only has to look like one; the build date and Go version are
# those of a plausible 1.30 build and are not read by any client.
# What plain /api advertises when the caller does not say; clients do not dial it.
DEFAULT_SERVER_ADDRESS = "127.0.0.1:6443"

GIT_COMMIT = "6f7a43b6e3f1d0c2b9a8e7d6c5b4a3f2e1d0c9b8"
BUILD_DATE = "2024-09-11T00:00:00Z"
GO_VERSION = "go1.22.6"


# --- Accept negotiation ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MediaRange:
    """One clause of an Accept header: ``type/subtype;k=v;...`` with its q-value."""

    mime: str
    params: tuple[tuple[str, str], ...]
    q: float

    def param(self, name: str) -> str | None:
        return next((v for k, v in self.params if k == name), None)

    @property
    def is_plain_json(self) -> bool:
        """True when a plain JSON body (legacy discovery) satisfies this clause."""
        if self.param("as") is not None:
            return False
        return self.mime in (JSON, "application/*", "*/*")


def parse_accept(accept: str) -> list[MediaRange]:
    """Clauses in the client's order of preference: by q-value, then as listed (stable sort)."""
    ranges: list[MediaRange] = []
    for clause in accept.split(","):
        parts = [p.strip() for p in clause.split(";")]
        mime = parts[0].lower()
        if not mime:
            continue
        params: list[tuple[str, str]] = []
        q = 1.0
        for part in parts[1:]:
            key, sep, value = part.partition("=")
            if not sep:
                continue
            key, value = key.strip().lower(), value.strip().strip('"')
            if key == "q":
                q = _parse_q(value)
            else:
                params.append((key, value))
        if q > 0:
            ranges.append(MediaRange(mime, tuple(params), q))
    return sorted(ranges, key=lambda r: -r.q)


def _parse_q(value: str) -> float:
    try:
        return float(value)
    except ValueError:
        return 1.0  # a malformed weight should not make an otherwise valid clause unacceptable


def negotiate_aggregated(accept: str) -> str | None:
    """The aggregated discovery version to answer, or None for plain (legacy) discovery.

    Walks the clauses in preference order and stops at the first one the mock can satisfy: an
    aggregated clause with a supported ``v`` gives that version, a plain JSON clause gives None.
    """
    for media in parse_accept(accept):
        if _is_aggregated(media):
            version = media.param("v")
            if version in AGGREGATED_VERSIONS:
                return version
            continue
        if media.is_plain_json:
            return None
    return None


def _is_aggregated(media: MediaRange) -> bool:
    return (media.mime == JSON and media.param("g") == DISCOVERY_GROUP
            and media.param("as") == DISCOVERY_LIST_KIND)


def aggregated_content_type(version: str) -> str:
    """The exact Content-Type kubectl matches against what it asked for."""
    return f"{JSON};g={DISCOVERY_GROUP};v={version};as={DISCOVERY_LIST_KIND}"


# --- /api and /apis -------------------------------------------------------------------------------


def core_api(registry: Registry, accept: str, server_address: str = DEFAULT_SERVER_ADDRESS,
             ) -> tuple[str, dict[str, Any]]:
    """GET /api."""
    version = negotiate_aggregated(accept)
    if version is not None:
        item = {"metadata": {"creationTimestamp": None},
                "versions": [_version_discovery(registry, "", v)
                             for v in registry.group_versions("")]}
        return aggregated_content_type(version), _discovery_list(version, [item])
    return JSON, {
        "kind": "APIVersions",
        "versions": registry.group_versions(""),
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0",
                                        "serverAddress": server_address}],
    }


def named_apis(registry: Registry, accept: str) -> tuple[str, dict[str, Any]]:
    """GET /apis."""
    version = negotiate_aggregated(accept)
    if version is not None:
        items = [_group_discovery(registry, g) for g in registry.groups()]
        return aggregated_content_type(version), _discovery_list(version, items)
    return JSON, {"kind": "APIGroupList", "apiVersion": "v1",
                  "groups": [_api_group(registry, g) for g in registry.groups()]}


def group(registry: Registry, group_name: str) -> dict[str, Any]:
    """GET /apis/{group} (application/json)."""
    if group_name not in registry.groups():
        raise path_not_found()
    return {"kind": "APIGroup", "apiVersion": "v1", **_api_group(registry, group_name)}


def _discovery_list(version: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"kind": DISCOVERY_LIST_KIND, "apiVersion": f"{DISCOVERY_GROUP}/{version}",
            "metadata": {}, "items": items}


def _group_discovery(registry: Registry, group_name: str) -> dict[str, Any]:
    return {"metadata": {"name": group_name, "creationTimestamp": None},
            "versions": [_version_discovery(registry, group_name, v)
                         for v in registry.group_versions(group_name)]}


def _version_discovery(registry: Registry, group_name: str, version: str) -> dict[str, Any]:
    resources = sorted(registry.in_group_version(group_name, version), key=lambda r: r.plural)
    return {"version": version, "resources": [_resource_discovery(r) for r in resources],
            "freshness": "Current"}


def _resource_discovery(resource: ResourceType) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "resource": resource.plural,
        "responseKind": _gvk(resource.group, resource.version, resource.kind),
        "scope": "Namespaced" if resource.namespaced else "Cluster",
        "singularResource": resource.singular,
        "verbs": list(resource.verbs),
    }
    # Empty lists are omitted, as kube-apiserver's omitempty fields are.
    if resource.short_names:
        entry["shortNames"] = list(resource.short_names)
    if resource.categories:
        entry["categories"] = list(resource.categories)
    if resource.subresources:
        entry["subresources"] = [
            {"subresource": sub.name, "responseKind": _gvk(*_subresource_gvk(resource, sub)),
             "verbs": list(sub.verbs)}
            for sub in sorted(resource.subresources, key=lambda s: s.name)
        ]
    return entry


def _gvk(group_name: str, version: str, kind: str) -> dict[str, str]:
    return {"group": group_name, "version": version, "kind": kind}


def _subresource_gvk(resource: ResourceType, sub: Subresource) -> tuple[str, str, str]:
    """A subresource without its own kind answers with the parent's."""
    if not sub.kind:
        return resource.group, resource.version, resource.kind
    return sub.group, sub.version, sub.kind


def _api_group(registry: Registry, group_name: str) -> dict[str, Any]:
    versions = [{"groupVersion": f"{group_name}/{v}", "version": v}
                for v in registry.group_versions(group_name)]
    return {"name": group_name, "versions": versions, "preferredVersion": versions[0]}


# --- /api/v1 and /apis/{group}/{version} ----------------------------------------------------------


def resource_list(registry: Registry, group_name: str, version: str) -> dict[str, Any]:
    """GET /api/v1 or /apis/{group}/{version}: the legacy APIResourceList (application/json)."""
    resources = sorted(registry.in_group_version(group_name, version), key=lambda r: r.plural)
    if not resources:
        raise path_not_found()
    entries: list[dict[str, Any]] = []
    for resource in resources:
        entries.append(_resource_entry(resource))
        entries.extend(_subresource_entry(resource, sub)
                       for sub in sorted(resource.subresources, key=lambda s: s.name))
    body: dict[str, Any] = {"kind": "APIResourceList"}
    if group_name:
        # kube-apiserver sets apiVersion on named-group lists only; /api/v1 has none.
        body["apiVersion"] = "v1"
    body["groupVersion"] = f"{group_name}/{version}" if group_name else version
    body["resources"] = entries
    return body


def _resource_entry(resource: ResourceType) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "name": resource.plural,
        "singularName": resource.singular,
        "namespaced": resource.namespaced,
        "kind": resource.kind,
        "verbs": list(resource.verbs),
    }
    if resource.short_names:
        entry["shortNames"] = list(resource.short_names)
    if resource.categories:
        entry["categories"] = list(resource.categories)
    return entry


def _subresource_entry(resource: ResourceType, sub: Subresource) -> dict[str, Any]:
    group_name, version, kind = _subresource_gvk(resource, sub)
    entry: dict[str, Any] = {"name": f"{resource.plural}/{sub.name}", "singularName": "",
                             "namespaced": resource.namespaced}
    # Like kube, name the group/version only when the response kind lives elsewhere
    # (deployments/scale answers autoscaling/v1 Scale).
    if (group_name, version) != (resource.group, resource.version):
        entry["group"] = group_name
        entry["version"] = version
    entry["kind"] = kind
    entry["verbs"] = list(sub.verbs)
    return entry


# --- /version -------------------------------------------------------------------------------------


def version_info(git_version: str) -> dict[str, str]:
    """GET /version. The gcloud kubectl dispatcher picks ``kubectl.1.<minor>`` from ``minor``."""
    parts = git_version.split(".")
    major = _digits(parts[0])
    minor = _digits(parts[1]) if len(parts) > 1 else ""
    return {
        "major": major,
        "minor": minor,
        "gitVersion": git_version,
        "gitCommit": GIT_COMMIT,
        "gitTreeState": "clean",
        "buildDate": BUILD_DATE,
        "goVersion": GO_VERSION,
        "compiler": "gc",
        "platform": messages.MOCK_CLUSTER_PLATFORM,
    }


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())
