"""Kubernetes API paths → what they address.

``/api/v1/namespaces/default/pods/web/log`` becomes a ``ResourcePath`` for pods in ``default``
named ``web`` with subresource ``log``. Anything that is not a served resource path is a
``NonResourcePath`` (discovery, OpenAPI, /version) or a 404.
"""

from __future__ import annotations

from dataclasses import dataclass

from emulator.cluster.mock.registry.resources import Registry, ResourceType
from emulator.cluster.mock.wire.status import path_not_found


@dataclass(frozen=True)
class ResourcePath:
    resource: ResourceType
    namespace: str | None  # None: cluster-scoped, or all namespaces for a namespaced list
    name: str | None = None
    subresource: str | None = None


@dataclass(frozen=True)
class NonResourcePath:
    path: str


def parse(path: str, registry: Registry) -> ResourcePath | NonResourcePath:
    parts = [p for p in path.split("/") if p]
    if len(parts) >= 2 and parts[0] == "api":
        group, version, rest = "", parts[1], parts[2:]
    elif len(parts) >= 3 and parts[0] == "apis":
        group, version, rest = parts[1], parts[2], parts[3:]
    else:
        return NonResourcePath("/" + "/".join(parts))
    if not rest:
        return NonResourcePath("/" + "/".join(parts))
    if not registry.in_group_version(group, version):
        raise path_not_found()
    return _resource_path(group, version, rest, registry)


def _resource_path(group: str, version: str, rest: list[str], registry: Registry) -> ResourcePath:
    # /namespaces/{ns}/{plural}... addresses a namespaced resource, unless {plural} is really a
    # subresource of the namespace itself (status, finalize).
    if len(rest) >= 3 and rest[0] == "namespaces":
        inner = registry.lookup(group, version, rest[2])
        if inner is not None and inner.namespaced:
            return _item(inner, rest[1], rest[3:])
    resource = registry.lookup(group, version, rest[0])
    if resource is None:
        raise path_not_found()
    return _item(resource, None, rest[1:])


def _item(resource: ResourceType, namespace: str | None, rest: list[str]) -> ResourcePath:
    if len(rest) > 2:
        raise path_not_found()
    name = rest[0] if rest else None
    subresource = rest[1] if len(rest) == 2 else None
    if subresource is not None and resource.subresource(subresource) is None:
        raise path_not_found()
    return ResourcePath(resource, namespace, name, subresource)
