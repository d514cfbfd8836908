"""kube's field manager between a write and the server-side apply engine (apply.py): which
structure a kind is merged by, what its object was before a create, which fields an endpoint
never records, and what an apply configuration may hold.
"""

from __future__ import annotations

import functools
from typing import Any

from emulator import messages
from emulator.cluster.mock.registry import apply, applytypes, customresources, fieldvalidation
from emulator.cluster.mock.registry import schema as kube_schema
from emulator.cluster.mock.registry.resources import ResourceType
from emulator.cluster.mock.wire import protobuf
from emulator.cluster.mock.wire.status import KubeError


def record_update(resource: ResourceType, live: dict[str, Any] | None, obj: dict[str, Any],
                  manager: str, subresource: str | None, minor: int,
                  now: str) -> dict[str, Any]:
    """``obj`` with the managedFields kube records for an Update by ``manager`` (a create when
    ``live`` is None); both in the request's version."""
    return apply.update_managed_fields(
        live, obj, manager=manager, operation_time=now, api_version=resource.api_version,
        types=types_of(resource, minor), subresource=subresource,
        reset_paths=reset_paths(resource, subresource, obj), zero=zero(resource))


def applied(resource: ResourceType, live: dict[str, Any] | None, config: dict[str, Any],
            manager: str, force: bool, subresource: str | None, minor: int,
            now: str) -> dict[str, Any]:
    """What an apply configuration by ``manager`` makes of ``live`` (None: a new object)."""
    return apply.apply(live, config, manager=manager, force=force, operation_time=now,
                       api_version=resource.api_version, types=types_of(resource, minor),
                       kind=resource.kind, subresource=subresource,
                       reset_paths=reset_paths(resource, subresource, config),
                       zero=zero(resource), minor=minor)


def apply_configuration(resource: ResourceType, config: dict[str, Any], directive: str,
                        warnings: list[str] | None, minor: int) -> dict[str, Any]:
    """The configuration as the apply sees it: of this kind, without the fields its kind does
    not have (refused, warned of or dropped, as fieldValidation says), undefaulted."""
    if config.get("apiVersion") != resource.api_version or config.get("kind") != resource.kind:
        raise KubeError(400, messages.SSA_INVALID_OBJECT_TYPE.format(
            gvk=f"{resource.group}/{resource.version}, Kind={config.get('kind') or ''}"
            if config.get("apiVersion") == resource.api_version else
            f"{config.get('apiVersion') or ''}, Kind={config.get('kind') or ''}"))
    if not isinstance(config.get("metadata", {}), dict):
        raise KubeError(400, messages.K8S_BODY_NOT_OBJECT.format(detail="metadata"))
    if resource.custom is not None:
        return customresources.decoded(resource, config, directive, warnings, minor,
                                       defaulted=False)
    checked = fieldvalidation.check(config, resource.kind, api_version=resource.api_version,
                                    minor=minor, go_types=False)  # typed by the apply instead
    fieldvalidation.settle(checked.problems, directive, warnings, fieldvalidation.cannot_handle(
        resource.kind, resource.version, resource.kind))
    return checked.obj


@functools.lru_cache(maxsize=512)
def types_of(resource: ResourceType, minor: int) -> applytypes.Type:
    """The structure server-side apply merges ``resource`` by: its CRD's schema (metadata typed
    as ObjectMeta), or its built-in schema of the minor."""
    schema = kube_schema.schema_for(minor)
    if resource.custom is not None:
        return applytypes.crd_types(resource.custom.schema, schema)
    return applytypes.builtin_types(schema, resource.api_version, resource.kind)


def zero(resource: ResourceType) -> dict[str, Any] | None:
    """What an object is before its create, for the field manager: a built-in kind's Go zero
    value (its non-pointer structs, such as spec.template, already there and empty, so a create
    records only their fields), a custom resource's empty object."""
    if resource.custom is not None:
        return None
    return protobuf.zero_object(resource.api_version, resource.kind) or {}


def reset_paths(resource: ResourceType, subresource: str | None,
                obj: dict[str, Any]) -> list[tuple[str, ...]]:
    """The fields an endpoint never records as anyone's (the strategies' GetResetFields): a
    kind with a status subresource leaves status to /status, and /status everything else."""
    if resource.subresource("status") is None:
        return []
    if subresource == "status":
        return [(k,) for k in obj if k not in ("apiVersion", "kind", "metadata", "status")]
    return [("status",)]
