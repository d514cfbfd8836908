"""Server-side apply and managedFields bookkeeping: what kube's field manager does on every write.

``update_managed_fields`` is kube's FieldManager.Update (create, update, non-apply patches);
``apply`` is FieldManager.Apply (``application/apply-patch+yaml``). Both run the managers of
k8s.io/apimachinery pkg/util/managedfields/internal in their order (NewDefaultFieldManager):
version check → last-applied updater → last-applied manager → skip-non-applied → cap managers →
build manager info → managedFields updater → strip meta → structured merge (SMD's Updater).
Pure functions: objects in, object out; the caller stores it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from emulator import messages
from emulator.cluster.mock.registry import applycheck
from emulator.cluster.mock.registry import managedfields as mf
from emulator.cluster.mock.registry.applymerge import (
    MISSING, SchemaMismatch, compare, json_equal, merge, remove_items, to_field_set,
    with_named_fields)
from emulator.cluster.mock.registry.applytypes import Type
from emulator.cluster.mock.registry.fieldsets import FieldSet, Path, make_path, render_path
from emulator.cluster.mock.registry.jsoncopy import clone
from emulator.cluster.mock.wire import gojson
from emulator.cluster.mock.wire.status import KubeError

__all__ = ["apply", "update_managed_fields", "SchemaMismatch", "LAST_APPLIED", "STRIPPED"]

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
# stripmeta.go: never recorded for anyone (a plain difference: only these exact paths).
STRIPPED = FieldSet.of([make_path("apiVersion"), make_path("kind"), make_path("metadata")] + [
    make_path("metadata", name) for name in (
        "name", "namespace", "creationTimestamp", "selfLink", "uid", "clusterName", "generation",
        "managedFields", "resourceVersion")])
_CURRENT = mf.ManagerId("current-operation", mf.UPDATE)  # managedfieldsupdater.go's "self"
_BEFORE_FIRST_APPLY = "before-first-apply"  # skipnonapplied.go
_ANNOTATIONS_LIMIT = 256 * 1024  # apimachinery validation: TotalAnnotationSizeLimitB


class _Conflicts(Exception):
    def __init__(self, conflicts: list[tuple[mf.ManagerId, Path]]) -> None:
        super().__init__(len(conflicts))
        self.conflicts = conflicts


def _reset_set(reset_paths: Iterable[Path | Iterable[str]]) -> FieldSet:
    paths = []
    for path in reset_paths:
        items = tuple(path)
        paths.append(items if items and not isinstance(items[0], str) else make_path(*items))
    return FieldSet.of(paths)


def _without_managed(obj: Any) -> dict[str, Any]:
    out = clone(obj) if isinstance(obj, dict) else {}
    meta = out.get("metadata")
    if isinstance(meta, dict):
        meta.pop("managedFields", None)
    return out


def _read_without_managed(obj: dict[str, Any]) -> dict[str, Any]:
    """``obj`` without managedFields, sharing all the rest with it: only to be read (the
    comparison of a write), which spares copying the whole live object on every write."""
    meta = obj.get("metadata")
    if not isinstance(meta, dict) or "managedFields" not in meta:
        return obj
    return {**obj, "metadata": {k: v for k, v in meta.items() if k != "managedFields"}}


def _uid(obj: Any) -> str:
    meta = obj.get("metadata") if isinstance(obj, dict) else None
    return str(meta.get("uid") or "") if isinstance(meta, dict) else ""


def _set_managed(obj: dict[str, Any], managed: mf.Managed) -> dict[str, Any]:
    entries = mf.encode(managed)
    meta = obj.setdefault("metadata", {})
    if entries is None:
        meta.pop("managedFields", None)
    else:
        meta["managedFields"] = entries
    return obj


# -- SMD's Updater -------------------------------------------------------------------------------


def _update_sets(live: Any, new: Any, managed: mf.Managed, workflow: mf.ManagerId, types: Type,
                 ignored: FieldSet, force: bool):  # type: ignore[no-untyped-def]
    """merge.Updater.update: take changed fields from other managers (conflicts unless forced),
    and removed fields from everyone else; drop managers left with nothing."""
    comparison = compare(live, new, types).exclude(ignored)
    changed = comparison.modified.union(comparison.added)
    conflicts: list[tuple[mf.ManagerId, Path]] = []
    taken: dict[mf.ManagerId, FieldSet] = {}
    for manager, versioned in managed.fields.items():
        if manager == workflow:
            continue
        clash = versioned.fields.intersection(changed)
        if not clash.empty():
            taken[manager] = clash
            conflicts.extend((manager, path) for path in clash.paths())
    if conflicts and not force:
        raise _Conflicts(conflicts)
    for manager, versioned in list(managed.fields.items()):
        if manager == workflow:
            continue
        rest = versioned.fields.difference(taken.get(manager, FieldSet()))
        rest = rest.difference(comparison.removed)
        if rest.empty():
            del managed.fields[manager]
        else:
            versioned.fields = rest
    for manager in [m for m, vs in managed.fields.items() if vs.fields.empty()]:
        del managed.fields[manager]
    return comparison


def _smd_update(live: Any, new: Any, managed: mf.Managed, manager: mf.ManagerId, api_version: str,
                types: Type, ignored: FieldSet, time: str) -> None:
    """Updater.Update as the managedFields updater runs it ("current-operation", then folded
    into the manager's entry with a new time) with strip-meta in between."""
    comparison = _update_sets(live, new, managed, _CURRENT, types, ignored, force=True)
    previous = managed.fields.pop(_CURRENT, None)
    base = previous.fields if previous else FieldSet()
    own = base.difference(comparison.removed).union(comparison.modified).union(comparison.added)
    own = own.recursive_difference(ignored).difference(STRIPPED)
    if own.empty():
        return
    before = managed.fields.get(manager)
    if before is not None:
        own = own.union(before.fields)
    managed.fields[manager] = mf.VersionedSet(own, api_version, False)
    managed.times[manager] = time


def _prune(merged: Any, managed: mf.Managed, manager: mf.ManagerId,
           last: mf.VersionedSet | None, types: Type) -> Any:
    """Updater.prune: drop what the applier applied last time but not now, unless someone else
    (or the new configuration) owns it, or it was never the applier's alone."""
    if last is None or last.fields.empty():
        return merged

    def named(fields: FieldSet) -> FieldSet:
        return with_named_fields(fields, types)

    def removed(value: Any, fields: FieldSet) -> Any:
        out = remove_items(value, fields, types)
        return {} if out is MISSING else out

    pruned = removed(merged, named(last.fields))
    owned = FieldSet()
    for versioned in managed.fields.values():
        owned = owned.union(versioned.fields)
    merged_set = named(to_field_set(merged, types))
    pruned = removed(merged, merged_set.difference(
        named(to_field_set(pruned, types)).union(named(owned))))
    dangling = merged_set.difference(named(to_field_set(pruned, types)))
    return removed(merged, dangling.intersection(named(last.fields)))


def _smd_apply(live: Any, config: dict[str, Any], managed: mf.Managed, manager: mf.ManagerId,
               api_version: str, types: Type, ignored: FieldSet, force: bool, time: str,
               zero: dict[str, Any]) -> Any:
    base = live if live is not None else {}
    merged = merge(base, config, types)
    merged = {} if merged is MISSING else merged
    last = managed.fields.get(manager)
    managed.fields[manager] = mf.VersionedSet(
        to_field_set(config, types).recursive_difference(ignored), api_version, True)
    merged = _prune(merged, managed, manager, last, types)
    _update_sets(base if live is not None else zero, merged, managed, manager, types, ignored,
                 force)
    mine = managed.fields.get(manager)
    if mine is not None:
        mine.fields = mine.fields.difference(STRIPPED)
        if mine.fields.empty():
            del managed.fields[manager]
    if not json_equal(base, merged):
        managed.times[manager] = time
    return merged


# -- kube's FieldManager -------------------------------------------------------------------------


def update_managed_fields(live: dict[str, Any] | None, new: dict[str, Any], *, manager: str,
                          operation_time: str, api_version: str, types: Type,
                          subresource: str | None = None,
                          reset_paths: Iterable[Path | Iterable[str]] = (),
                          zero: dict[str, Any] | None = None) -> dict[str, Any]:
    """``new`` with the managedFields kube records for an Update by ``manager`` (a create is an
    Update from ``zero``, the empty object of the kind). The request's own managedFields are
    taken as given when they decode and are not empty; ``[]`` or ``[{}]`` clears them (and an
    object without any is then not tracked); on a subresource they are ignored."""
    sub = subresource or ""
    live_fields = (live or {}).get("metadata", {}).get("managedFields") if live else None
    new_fields = (new.get("metadata") or {}).get("managedFields")
    if sub:
        managed = _decode_or_empty(live_fields)
    elif mf.is_reset(new_fields):
        managed = mf.Managed()
    else:
        try:
            managed = mf.decode(new_fields)
        except mf.InvalidManagedFields:
            managed = mf.Managed()
        if not managed.fields:
            managed = _decode_or_empty(live_fields)
    out = _without_managed(new)
    if not managed.fields and live is not None and _uid(live):
        return out  # skipnonapplied.go: an untracked object stays untracked
    manager_id = mf.ManagerId.of(manager or "unknown", mf.UPDATE, api_version, sub)
    base = _read_without_managed(live) if live is not None else (zero or {})
    try:
        _smd_update(base, out, managed, manager_id, api_version, types,
                    _reset_set(reset_paths), operation_time)
    except SchemaMismatch:
        # kube's UpdateNoErrors: an object SMD cannot type (a container without its name) is
        # written without managedFields, for validation to refuse in its own words.
        return out
    mf.cap_update_managers(managed)
    return _set_managed(out, managed)


def _decode_or_empty(entries: Any) -> mf.Managed:
    try:
        return mf.decode(entries)
    except mf.InvalidManagedFields:
        return mf.Managed()


def apply(live: dict[str, Any] | None, config: dict[str, Any], *, manager: str, force: bool,
          operation_time: str, api_version: str, types: Type, kind: str | None = None,
          subresource: str | None = None,
          reset_paths: Iterable[Path | Iterable[str]] = (),
          zero: dict[str, Any] | None = None, minor: int | None = None) -> dict[str, Any]:
    """The object an apply patch by ``manager`` makes of ``live`` (None: the object does not
    exist yet), with its managedFields. Raises KubeError 409 on conflicts (kube's wording and
    causes), 400 for a configuration of another kind, carrying managedFields or that does not
    fit its types (applycheck.py, as Kubernetes 1.``minor`` checks them), 500 for live
    managedFields kube cannot decode; SchemaMismatch for an object SMD cannot type. An apply
    that changes nothing returns an object equal to ``live`` (managedFields aside)."""
    if kind is not None and (config.get("apiVersion") != api_version or config.get("kind") != kind):
        raise KubeError(400, messages.SSA_INVALID_OBJECT_TYPE.format(
            gvk=_gvk(config.get("apiVersion") or "", config.get("kind") or "")))
    if (config.get("metadata") or {}).get("managedFields") is not None:
        raise KubeError(400, messages.SSA_MANAGED_FIELDS_NOT_NIL)
    applycheck.check(config, types, _gvk(api_version, kind or config.get("kind") or ""), minor)
    try:
        managed = mf.decode((live or {}).get("metadata", {}).get("managedFields") if live else None)
    except mf.InvalidManagedFields as error:
        raise KubeError(500, messages.SSA_DECODE_FAILED.format(error=error)) from error
    sub = subresource or ""
    ignored = _reset_set(reset_paths)
    zero_object = zero or {}
    base = _without_managed(live) if live is not None else None
    if not managed.fields and base is not None:
        # skipnonapplied.go: someone wrote the object before anyone applied; those fields
        # become "before-first-apply"'s.
        _smd_update(zero_object, base, managed, mf.ManagerId.of(
            _BEFORE_FIRST_APPLY, mf.UPDATE, api_version, sub), api_version, types, ignored,
            operation_time)
    manager_id = mf.ManagerId.of(manager or "unknown", mf.APPLY, api_version, sub)
    config = clone(config)

    def run(forced: bool) -> tuple[Any, mf.Managed]:
        attempt = managed.copy()
        result = _smd_apply(base, config, attempt, manager_id, api_version, types, ignored,
                            forced, operation_time, zero_object)
        return result, attempt

    try:
        result, managed = run(force)
    except _Conflicts as found:
        conflicts = found.conflicts
        if manager == "kubectl":
            # lastappliedmanager.go: conflicts on fields kubectl's client-side apply last set
            # (and that still hold those values) are kubectl's to take.
            allowed = _allowed_from_last_applied(base, api_version, types)
            if allowed is not None:
                conflicts = [(m, p) for m, p in conflicts if not allowed.has(p)]
                if not conflicts:
                    result, managed = run(True)
        if conflicts:
            raise _conflict_error(conflicts) from None
    out = result if isinstance(result, dict) else {}
    if manager == "kubectl" and _has_last_applied(out):
        _set_last_applied(out, config)
    return _set_managed(out, managed)


def _gvk(api_version: str, kind: str) -> str:
    group, _, version = api_version.rpartition("/")
    return f"{group}/{version}, Kind={kind}"


# -- conflicts -----------------------------------------------------------------------------------


def _print_manager(manager: mf.ManagerId) -> str:
    """printManager: the manager quoted, its subresource, and for an updater its apiVersion (the
    identifier has no time, so kube never prints one)."""
    text = gojson.encode(manager.manager)[:-1].decode("utf-8")
    if manager.subresource:
        text = messages.SSA_MANAGER_SUBRESOURCE.format(
            manager=text, subresource=gojson.encode(manager.subresource)[:-1].decode("utf-8"))
    if manager.operation == mf.UPDATE:
        text = messages.SSA_MANAGER_USING.format(manager=text, api_version=manager.api_version)
    return text


def _conflict_error(conflicts: list[tuple[mf.ManagerId, Path]]) -> KubeError:
    """NewConflictError: 409 Conflict, one FieldManagerConflict cause per field."""
    conflicts = sorted(conflicts, key=lambda c: c[0].identifier())  # stable: paths stay in order
    causes = [{"reason": "FieldManagerConflict",
               "message": messages.SSA_CONFLICT_CAUSE.format(manager=_print_manager(m)),
               "field": render_path(p)} for m, p in conflicts]
    if len(conflicts) == 1:
        manager, path = conflicts[0]
        message = messages.SSA_CONFLICT_ONE.format(manager=_print_manager(manager),
                                                   path=render_path(path))
    else:
        lines: list[str] = []
        current = None
        for manager, path in conflicts:
            if manager != current:
                lines.append(messages.SSA_CONFLICTS_WITH.format(manager=_print_manager(manager)))
                current = manager
            lines.append(messages.SSA_CONFLICT_LINE.format(path=render_path(path)))
        message = messages.SSA_CONFLICT_MANY.format(count=len(conflicts), details="\n".join(lines))
    return KubeError(409, message, reason="Conflict", details={"causes": causes})


# -- kubectl's last-applied-configuration --------------------------------------------------------


def _annotations(obj: Any) -> dict[str, Any]:
    meta = obj.get("metadata") if isinstance(obj, dict) else None
    found = meta.get("annotations") if isinstance(meta, dict) else None
    return found if isinstance(found, dict) else {}


def _has_last_applied(obj: Any) -> bool:
    return bool(_annotations(obj).get(LAST_APPLIED))


def _allowed_from_last_applied(live: Any, api_version: str, types: Type) -> FieldSet | None:
    """allowedConflictsFromLastApplied: the fields of the annotation whose values live still
    has; None when there is no usable annotation."""
    import json

    text = _annotations(live).get(LAST_APPLIED)
    if not text or not isinstance(text, str):
        return None
    try:
        last = json.loads(text)
    except ValueError:
        return None
    if not isinstance(last, dict) or last.get("apiVersion") != api_version:
        return None
    try:
        fields = to_field_set(last, types)
        comparison = compare(last, live, types)
    except SchemaMismatch:
        return None
    return (fields.difference(comparison.modified).difference(comparison.added)
            .difference(comparison.removed))


def _sorted_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _sorted_keys(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_sorted_keys(v) for v in value]
    return value


def _set_last_applied(obj: dict[str, Any], config: dict[str, Any]) -> None:
    """lastappliedupdater.go: the applied configuration, without the annotation itself, as
    Go's JSON encoder writes an unstructured object (keys sorted, trailing newline); left out
    if it would pass the 256 KiB annotation limit."""
    applied = clone(config)
    meta = applied.get("metadata")
    if isinstance(meta, dict) and isinstance(meta.get("annotations"), dict):
        meta["annotations"].pop(LAST_APPLIED, None)
    text = gojson.encode(_sorted_keys(applied)).decode("utf-8")
    annotations = obj.setdefault("metadata", {}).setdefault("annotations", {})
    annotations[LAST_APPLIED] = text
    if sum(len(k) + len(str(v)) for k, v in annotations.items()) > _ANNOTATIONS_LIMIT:
        del annotations[LAST_APPLIED]
