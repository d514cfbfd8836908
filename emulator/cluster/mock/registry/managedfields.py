"""``metadata.managedFields`` as kube keeps it: entries decoded into per-manager field sets and
encoded back, sorted, capped (k8s.io/apimachinery pkg/util/managedfields/internal:
managedfields.go, buildmanagerinfo.go, capmanagers.go)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from emulator.cluster.mock.registry.fieldsets import FieldSet, from_fields_v1, to_fields_v1

APPLY = "Apply"
UPDATE = "Update"
FIELDS_TYPE = "FieldsV1"
# capmanagers.go: at most this many Update managers; the oldest are merged into one bucket per
# apiVersion named "ancient-changes".
MAX_UPDATE_MANAGERS = 10
ANCIENT_CHANGES = "ancient-changes"


@dataclass(frozen=True)
class ManagerId:
    """Who owns a set: kube's manager identifier (BuildManagerIdentifier) is the entry without
    its fields and time, and, for appliers, without apiVersion (an applier is one manager
    whatever version it applies in)."""

    manager: str
    operation: str
    api_version: str = ""
    subresource: str = ""

    @classmethod
    def of(cls, manager: str, operation: str, api_version: str, subresource: str = "") -> ManagerId:
        return cls(manager, operation, "" if operation == APPLY else api_version, subresource)

    def identifier(self) -> str:
        """The JSON kube keys managers by (and sorts conflicts by): ManagedFieldsEntry's fields
        in declaration order, empty ones left out."""
        entry: dict[str, str] = {}
        for key, value in (("manager", self.manager), ("operation", self.operation),
                           ("apiVersion", self.api_version), ("subresource", self.subresource)):
            if value:
                entry[key] = value
        return json.dumps(entry, separators=(",", ":"), ensure_ascii=False)


@dataclass
class VersionedSet:
    fields: FieldSet
    api_version: str
    applied: bool


@dataclass
class Managed:
    fields: dict[ManagerId, VersionedSet] = field(default_factory=dict)
    times: dict[ManagerId, str | None] = field(default_factory=dict)

    def copy(self) -> Managed:
        return Managed({m: VersionedSet(vs.fields.copy(), vs.api_version, vs.applied)
                        for m, vs in self.fields.items()}, dict(self.times))


class InvalidManagedFields(ValueError):
    """Entries kube cannot decode (DecodeManagedFields' errors)."""


def decode(entries: Any) -> Managed:
    """DecodeManagedFields."""
    managed = Managed()
    if entries is None:
        return managed
    if not isinstance(entries, list):
        raise InvalidManagedFields("managedFields must be a list")
    for i, entry in enumerate(entries):
        if not isinstance(entry, Mapping):
            raise InvalidManagedFields("managedFields entries must be objects")
        operation = entry.get("operation")
        if operation not in (APPLY, UPDATE):
            raise InvalidManagedFields("operation must be `Apply` or `Update`")
        api_version = entry.get("apiVersion") or ""
        if not api_version:
            raise InvalidManagedFields("apiVersion must not be empty")
        fields_type = entry.get("fieldsType") or ""
        if fields_type != FIELDS_TYPE:
            raise InvalidManagedFields(
                f"missing fieldsType in managed fields entry {i}" if not fields_type
                else f"invalid fieldsType {json.dumps(fields_type)} in managed fields entry {i}")
        manager = ManagerId.of(entry.get("manager") or "", operation, api_version,
                               entry.get("subresource") or "")
        try:
            fields = from_fields_v1(entry.get("fieldsV1") or {})
        except (ValueError, TypeError) as error:
            raise InvalidManagedFields(f"error decoding set: {error}") from error
        managed.fields[manager] = VersionedSet(fields, api_version, operation == APPLY)
        managed.times[manager] = entry.get("time")
    return managed


def _seconds(time: str | None) -> int:
    if not time:
        return 0
    try:
        return int(datetime.fromisoformat(time.replace("Z", "+00:00")).timestamp())
    except ValueError:
        return 0


def encode(managed: Managed) -> list[dict[str, Any]] | None:
    """encodeManagedFields: one entry per manager, sorted by operation, time, manager,
    apiVersion, subresource; None when no manager is left (kube then drops the field)."""
    if not managed.fields:
        return None
    entries = []
    for manager, versioned in managed.fields.items():
        entry: dict[str, Any] = {}
        if manager.manager:
            entry["manager"] = manager.manager
        entry["operation"] = APPLY if versioned.applied else manager.operation
        entry["apiVersion"] = versioned.api_version
        time = managed.times.get(manager)
        if time:
            entry["time"] = time
        entry["fieldsType"] = FIELDS_TYPE
        entry["fieldsV1"] = to_fields_v1(versioned.fields)
        if manager.subresource:
            entry["subresource"] = manager.subresource
        entries.append(entry)
    entries.sort(key=lambda e: (e["operation"], _seconds(e.get("time")), e.get("manager", ""),
                                e["apiVersion"], e.get("subresource", "")))
    return entries


def is_reset(entries: Any) -> bool:
    """isResetManagedFields: ``[]`` or ``[{}]`` in a request clears managedFields."""
    if isinstance(entries, list):
        return len(entries) == 0 or (len(entries) == 1 and entries[0] == {})
    return False


def cap_update_managers(managed: Managed, limit: int = MAX_UPDATE_MANAGERS) -> None:
    """capUpdateManagers: past ``limit`` Update managers, the oldest ones (by time, then
    identifier) are folded, per apiVersion, into an "ancient-changes" Update entry."""
    updaters = [m for m, vs in managed.fields.items() if not vs.applied]
    if len(updaters) <= limit:
        return
    updaters.sort(key=lambda m: (_seconds(managed.times.get(m)), m.identifier()))
    first_by_version: dict[str, ManagerId] = {}
    length = len(updaters)
    for manager in updaters:
        if length <= limit:
            break
        versioned = managed.fields[manager]
        time = managed.times.get(manager)
        bucket = ManagerId.of(ANCIENT_CHANGES, UPDATE, versioned.api_version)
        first = first_by_version.get(versioned.api_version)
        if first is None:
            first_by_version[versioned.api_version] = manager
            continue
        if bucket not in managed.fields:
            managed.fields[bucket] = managed.fields.pop(first)
            managed.times.pop(first, None)
        managed.fields[bucket] = VersionedSet(
            versioned.fields.union(managed.fields[bucket].fields), versioned.api_version,
            versioned.applied)
        del managed.fields[manager]
        managed.times.pop(manager, None)
        length -= 1
        managed.times[bucket] = time
