"""Create, read, update, patch and delete of stored objects, with kube-apiserver's rules.

The rules that clients notice are kept: names validated, generateName filled, uid and
creationTimestamp set once, resourceVersion conflicts, status updated only through /status,
namespaces that must exist, deletes that really delete (so ``kubectl delete`` returns), and a
namespace delete that takes its contents with it.
"""

from __future__ import annotations

import base64
import json
import random
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from emulator import limits, messages
from emulator.clock import rfc3339
from emulator.cluster.mock.query import Query
from emulator.cluster.mock.registry import (admission, checks, conversion, customresources,
                                            defaults, deletion, fieldmanager, fieldvalidation)
from emulator.cluster.mock.registry import patch as patches
from emulator.cluster.mock.registry import metachecks, records, selectors
from emulator.cluster.mock.registry.fielderrors import invalid
from emulator.cluster.mock.registry.jsoncopy import clone
from emulator.cluster.mock.registry.resources import Registry, ResourceType
from emulator.cluster.mock.registry.records import Record
from emulator.cluster.mock.registry.store import ObjectStore
from emulator.cluster.mock.wire import gojson
from emulator.cluster.mock.wire.status import KubeError, success_status

# kube's generateName alphabet: no vowels or look-alikes, so suffixes never spell words.
_SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
PROTECTED_NAMESPACES = ("default", "kube-system", "kube-public")

# Called on a pod before it is first stored (the fake kubelet's admission).
PodHook = Callable[[dict[str, Any]], None]
# A Service to allocate for, the stored one an update replaces (None on a create), and whether
# the request is a dry run (which allocates and keeps nothing).
ServiceHook = Callable[[dict[str, Any], "dict[str, Any] | None", bool], None]


def generated_name(base: str) -> str:
    """``base`` and five random characters (names.SimpleNameGenerator)."""
    return base + "".join(random.choices(_SUFFIX_ALPHABET, k=5))


def key(resource: ResourceType) -> tuple[str, str]:
    return resource.storage_key


class Objects:
    def __init__(self, store: ObjectStore, registry: Registry, now: Callable[[], datetime],
                 on_new_pod: PodHook, on_new_service: ServiceHook) -> None:
        self.store = store
        self.registry = registry
        self.now = now
        self.on_new_pod = on_new_pod
        self.on_new_service = on_new_service
        # True when the cluster's garbage collector controller runs (controllers/
        # garbagecollector.py): it then orphans or deletes a deleted object's dependents and drops
        # the orphan and foregroundDeletion finalizers itself, as kube's does. False: they are
        # dropped at once, as before controllers.
        self.collector_runs = False

    # -- reads ---------------------------------------------------------------------------------

    def get(self, resource: ResourceType, namespace: str | None, name: str, *,
            asked: ResourceType | None = None) -> dict[str, Any]:
        """The object in ``resource``'s version; ``asked``: the resource the request named, when
        that is another (a Table is printed from the stored version), for a 404's wording."""
        return _with_type(resource, self._stored(resource, namespace, name, asked))

    def _stored(self, resource: ResourceType, namespace: str | None, name: str,
                asked: ResourceType | None = None) -> dict[str, Any]:
        """The object as stored, in its storage version: what writes compare and change."""
        obj = self.store.get(key(resource), namespace or "", name)
        if obj is None:
            raise _not_found(asked or resource, name)
        return obj

    def list(self, resource: ResourceType, namespace: str | None,
             query: Query) -> tuple[list[dict[str, Any]], int, str | None]:
        """Matching items, the list's resourceVersion, and a continue token if ``limit`` cut it."""
        page = self.page(resource, namespace, query, decode=True)
        return page.items(), page.resource_version, page.continue_token

    def page(self, resource: ResourceType, namespace: str | None, query: Query, *,
             decode: bool = False, asked: ResourceType | None = None) -> ListPage:
        """The list a query asks for, read from the store's key order: selectors filter before
        ``limit`` counts, ``continue`` resumes right after the key its token names, and only
        the page's objects are read (decoded too with ``decode``, or to apply a selector).
        ``asked``: the resource the request named, whose field labels its selector uses, when
        the page is read as another version (a Table is printed from the stored objects)."""
        labels_of = asked or resource
        label = selectors.parse_label_selector(query.get("labelSelector") or "")
        field = selectors.parse_field_selector(query.get("fieldSelector") or "",
                                               labels_of.field_selectors, labels_of.field_reads)
        after = _decode_continue(query.get("continue"))
        limit = query.int("limit")
        wanted = None if label.empty and field.empty else (
            lambda o: label.matches(o["metadata"].get("labels") or {}) and field.matches(o))
        found = self.store.scan(key(resource), namespace, after=after, limit=limit,
                                wanted=wanted, decode=decode)
        token = _encode_continue(found.last) if found.last is not None else None
        return ListPage(resource, found.records, found.objects, found.resource_version, token)

    # -- writes --------------------------------------------------------------------------------

    def create(self, resource: ResourceType, namespace: str | None, body: dict[str, Any],
               query: Query, *, seeding: bool = False, trusted: bool = False,
               warnings: list[str] | None = None, manager: str | None = None) -> dict[str, Any]:
        """Store a new object. ``seeding`` is the emulator itself writing a scenario's world, which
        may set a status; a client's create never can (kube resets it). A scenario's typo is an
        error, as with ``fieldValidation=Strict``. ``trusted``: the cluster's own boot objects and
        its controllers' writes, built by the emulator and checked by its tests, skip the schema
        walk that every world reset and every controller write would otherwise repeat for them.
        ``warnings`` collects the request's warnings."""
        directive = fieldvalidation.STRICT if seeding else query.field_validation
        obj = (self._as_stored(resource, clone(body)) if trusted
               else self._typed_body(resource, body, directive, warnings))
        if not seeding and resource.subresource("status") is not None:
            obj.pop("status", None)
        meta = obj.setdefault("metadata", {})
        if resource.namespaced:
            meta["namespace"] = self._namespace_for(meta, namespace)
            # kube's admission runs before the storage names, checks and defaults anything.
            admission.admit_namespaced_create(resource.group_resource, obj,
                                              self._require_namespace(meta["namespace"]))
        else:
            meta.pop("namespace", None)
        if resource.kind == "Pod" and resource.group == "":
            admission.admit_pod_create(obj, meta["namespace"], self.store, generated_name)
        if not meta.get("name"):
            if not meta.get("generateName"):
                raise KubeError(422, messages.K8S_NAME_REQUIRED, reason="Invalid")
            meta["name"] = generated_name(meta["generateName"])
        checks.validate_name(resource, meta["name"])
        if self.store.get(key(resource), meta.get("namespace", ""), meta["name"]) is not None:
            raise KubeError(409, messages.K8S_ALREADY_EXISTS.format(
                resource=resource.group_resource, name=meta["name"]), reason="AlreadyExists",
                details={"name": meta["name"], "group": resource.group, "kind": resource.plural})
        for transient in ("resourceVersion", "deletionTimestamp"):
            meta.pop(transient, None)
        if seeding:  # the emulator's own objects record no field managers
            meta.pop("managedFields", None)
        meta["uid"] = str(uuid.uuid4())
        meta["creationTimestamp"] = rfc3339(self.now())
        if resource.behaviour.tracks_generation:
            meta["generation"] = 1
        self._defaults(resource, obj, dry_run=query.dry_run)
        self._validate(resource, obj, None)
        if warnings is not None:
            warnings += checks.name_warnings(resource, meta["name"])
        self._validating_admission(resource, obj, creating=True)
        if manager is not None:
            obj = self._as_stored(resource, self._managed(resource, None, obj, manager, None))
        checks.check_data_size(resource, obj, self.registry.minor)
        if query.dry_run:
            return _with_type(resource, obj)
        return _with_type(resource, self.store.put(key(resource), obj, event="ADDED"))

    def update(self, resource: ResourceType, namespace: str | None, name: str,
               body: dict[str, Any], query: Query, subresource: str | None = None, *,
               warnings: list[str] | None = None, manager: str | None = None,
               trusted: bool = False) -> dict[str, Any]:
        """Replace an object. ``trusted``: a body the cluster's own components wrote (see
        ``create``), which skips the schema walk."""
        current = self._stored(resource, namespace, name)
        obj = (self._as_stored(resource, clone(body)) if trusted
               else self._typed_body(resource, body, query.field_validation, warnings))
        meta = obj.setdefault("metadata", {})
        if meta.get("name", name) != name:
            raise KubeError(400, messages.K8S_NAME_MISMATCH.format(
                body_name=meta.get("name"), url_name=name))
        if resource.namespaced and meta.get("namespace", namespace) != namespace:
            raise KubeError(400, messages.K8S_NAMESPACE_MISMATCH)
        check_resource_version(resource, current, obj)
        return self._store_update(resource, current, obj, query, subresource, manager,
                                  private=True)

    def patch(self, resource: ResourceType, namespace: str | None, name: str, body: bytes,
              content_type: str, query: Query, subresource: str | None = None, *,
              warnings: list[str] | None = None, manager: str | None = None) -> dict[str, Any]:
        current = self._stored(resource, namespace, name)
        sent = patches.decode_patch(body, content_type)
        # As kube: the patch applies to the object in the request's version, converted back after.
        result = patches.apply_patch(_with_type(resource, current), sent, content_type,
                                     kind=resource.kind,
                                     api_version=resource.api_version, minor=self.registry.minor)
        try:
            # The patch was within the limit, but a JSON patch can add a value under the
            # object's deepest field: the result is measured (without recursion) before it is
            # walked, so nothing stored is ever deeper than a body may be.
            limits.check_depth(result)
        except limits.TooDeep as deep:
            raise KubeError(422, messages.K8S_PATCH_FAILED.format(detail=deep)) from None
        patched = self._as_stored(resource, _strictly_patched(
            resource, sent, content_type, query.field_validation, result, warnings,
            self.registry.minor))
        check_resource_version(resource, current, patched)
        return self._store_update(resource, current, patched, query, subresource, manager)

    def apply(self, resource: ResourceType, namespace: str | None, name: str,
              config: dict[str, Any], query: Query, subresource: str | None = None, *,
              manager: str, force: bool,
              warnings: list[str] | None = None) -> tuple[dict[str, Any], bool]:
        """Server-side apply (``application/apply-patch+yaml``): ``config`` merged into the
        object by ``manager``'s ownership (registry/apply.py), creating it when it does not
        exist. Returns the object and whether it was created."""
        config = fieldmanager.apply_configuration(resource, config, query.field_validation,
                                                  warnings, self.registry.minor)
        meta = config.get("metadata") if isinstance(config.get("metadata"), dict) else {}
        if meta.get("name", name) != name:
            raise KubeError(400, messages.K8S_NAME_MISMATCH.format(
                body_name=meta.get("name"), url_name=name))
        if resource.namespaced and meta.get("namespace", namespace) != namespace:
            raise KubeError(400, messages.K8S_NAMESPACE_MISMATCH)
        stored = self.store.get(key(resource), namespace or "", name)
        live = None if stored is None else _with_type(resource, stored)
        if live is None and subresource is not None:
            raise _not_found(resource, name)
        merged = fieldmanager.applied(resource, live, config, manager, force, subresource,
                                      self.registry.minor,
                                      rfc3339(self.now().replace(microsecond=0)))
        if stored is None:
            merged.setdefault("metadata", {})["name"] = name
            return self.create(resource, namespace, merged, query, warnings=warnings), True
        check_resource_version(resource, stored, merged)
        return self._store_update(resource, stored, self._as_stored(resource, merged), query,
                                  subresource), False

    def _managed(self, resource: ResourceType, live: dict[str, Any] | None,
                 obj: dict[str, Any], manager: str, subresource: str | None) -> dict[str, Any]:
        """``obj`` with the managedFields kube's field manager records for an Update by
        ``manager`` (a create when ``live`` is None)."""
        # A shallow copy: retyping sets apiVersion and kind at the top (a conversion copies),
        # and the field manager only reads the live object.
        return fieldmanager.record_update(
            resource, None if live is None else _with_type(resource, {**live}),
            _with_type(resource, obj), manager, subresource, self.registry.minor,
            rfc3339(self.now().replace(microsecond=0)))

    def delete(self, resource: ResourceType, namespace: str | None, name: str,
               options: dict[str, Any], query: Query) -> deletion.Deletion:
        """Delete as kube's registry does (generic/registry/store.go ``Delete``; the namespace and
        pod storages): at once, or gracefully, or held by finalizers, and answered with what the
        kind's storage answers (``Deletion``). The controllers that finish a deletion kube only
        starts (the kubelet, the garbage collector, the namespace controller) do their part at
        once, so a client that waits for the object to go sees it gone."""
        current = self._stored(resource, namespace, name)
        preconditions = options.get("preconditions") or {}
        if not isinstance(preconditions, dict):  # was a 500 (AttributeError) before
            raise KubeError(400, messages.K8S_BODY_NOT_OBJECT.format(detail="preconditions"))
        deletion.check_preconditions(current, preconditions)
        if resource.kind == "Namespace" and name in PROTECTED_NAMESPACES:
            raise KubeError(403, messages.K8S_NAMESPACE_PROTECTED.format(namespace=name))
        dry_run = query.dry_run or bool(options.get("dryRun"))
        if resource.kind == "Namespace" and not resource.group:
            return self._delete_namespace(resource, current, options, dry_run)
        meta = current["metadata"]
        if meta.get("deletionTimestamp") and meta.get("deletionGracePeriodSeconds"):
            # A graceful deletion under way: nothing changes (rest.BeforeDelete's pending case).
            return deletion.Deletion(self._finished(resource, current), immediate=False)
        # None: the kind is never graceful
        grace = deletion.grace_period(resource, current, options)
        collector = deletion.gc_finalizers(resource, meta.get("finalizers") or [], options)
        marked = clone(current)
        if collector is not None:
            marked["metadata"]["finalizers"] = collector
        cleanup = resource.behaviour.deletion_finalizer
        if cleanup and cleanup not in (marked["metadata"].get("finalizers") or []):
            marked["metadata"]["finalizers"] = [*(marked["metadata"].get("finalizers") or []),
                                                cleanup]
        pending = bool(marked["metadata"].get("finalizers"))
        if not pending and not grace:
            if grace == 0:  # a graceful kind deleted without grace: kube updates, then deletes
                deletion.mark_deleting(marked["metadata"], self.now(), 0)
                if not dry_run:
                    self.store.put(key(resource), marked, event="MODIFIED")
            gone = marked if dry_run else self._remove(resource, marked)
            return deletion.Deletion(self._finished(resource, gone), immediate=True)
        deletion.mark_deleting(marked["metadata"], self.now(), grace or 0)
        if dry_run:
            return deletion.Deletion(_with_type(resource, marked), immediate=False)
        if marked == current:  # already marked and held: kube's update changes and writes nothing
            return deletion.Deletion(_with_type(resource, current), immediate=False)
        stored = self.store.put(key(resource), marked, event="MODIFIED")
        self._finish_deletion(resource, stored)
        return deletion.Deletion(_with_type(resource, stored), immediate=False)

    def delete_collection(self, resource: ResourceType, namespace: str | None,
                          options: dict[str, Any], query: Query) -> list[dict[str, Any]]:
        """kube answers a deletecollection with the list it deleted, as it was listed."""
        items, _, _ = self.list(resource, namespace, query)
        for o in items:
            self.delete(resource, o["metadata"].get("namespace"), o["metadata"]["name"], options,
                        query)
        return items

    def _delete_namespace(self, resource: ResourceType, current: dict[str, Any],
                          options: dict[str, Any], dry_run: bool) -> deletion.Deletion:
        """The namespace storage's own Delete: the first request only starts the termination
        (deletionTimestamp, phase Terminating) and answers the namespace; the namespace controller
        then empties it, clears ``spec.finalizers`` and, with no finalizers left, it goes."""
        name = current["metadata"]["name"]
        if current["metadata"].get("deletionTimestamp"):
            if (current.get("spec") or {}).get("finalizers"):
                raise KubeError(409, messages.K8S_CONFLICT_DETAIL.format(
                    resource=resource.group_resource, name=name,
                    detail=messages.K8S_NAMESPACE_FINALIZING), reason="Conflict",
                    details={"name": name, "kind": resource.plural})
            return deletion.Deletion(_with_type(resource, current), immediate=False)
        terminating = clone(current)
        terminating["metadata"]["deletionTimestamp"] = rfc3339(self.now())
        if options.get("orphanDependents") is False:
            terminating["metadata"]["finalizers"] = [
                f for f in terminating["metadata"].get("finalizers") or [] if f != deletion.ORPHAN]
        terminating.setdefault("status", {})["phase"] = "Terminating"
        if dry_run:
            return deletion.Deletion(_with_type(resource, terminating), immediate=False)
        stored = _with_type(resource, self.store.put(key(resource), terminating, event="MODIFIED"))
        # The namespace controller, at once.
        self._empty_namespace(name)
        if stored["metadata"].get("finalizers"):
            finalized = clone(stored)
            finalized.setdefault("spec", {})["finalizers"] = []
            self.store.put(key(resource), finalized, event="MODIFIED")
        else:
            self._remove(resource, stored)
        return deletion.Deletion(stored, immediate=False)

    def _finish_deletion(self, resource: ResourceType, stored: dict[str, Any]) -> None:
        """What finishes a deletion kube only starts: the kubelet stops a pod's containers at
        once (they exit on SIGTERM) and deletes it without grace; the garbage collector drops its
        own finalizers: at once when its controller does not run (no dependents are waited for),
        else the controller does, once it has orphaned or deleted the dependents. Anyone else's
        finalizers keep the object (deletionTimestamp set) until a client removes them."""
        meta = stored["metadata"]
        held = meta.get("finalizers") or []
        finalizers = (list(held) if self.collector_runs
                      else [f for f in held if f not in deletion.GC_FINALIZERS])
        if finalizers == (meta.get("finalizers") or []) and not meta.get(
                "deletionGracePeriodSeconds"):
            return  # held by finalizers nothing here removes
        if not finalizers:
            self._remove(resource, stored)
            return
        settled = clone(stored)
        settled["metadata"]["finalizers"] = finalizers
        if settled["metadata"].get("deletionGracePeriodSeconds"):  # the kubelet's final delete
            deletion.mark_deleting(settled["metadata"], self.now(), 0)
        self.store.put(key(resource), settled, event="MODIFIED")

    def _remove(self, resource: ResourceType, obj: dict[str, Any]) -> dict[str, Any]:
        meta = obj["metadata"]
        removed = self.store.remove(key(resource), meta.get("namespace") or "", meta["name"])
        if removed is None:  # lost a race with another delete
            raise _not_found(resource, meta["name"])
        return _with_type(resource, removed)

    def _finished(self, resource: ResourceType, obj: dict[str, Any]) -> dict[str, Any]:
        """The answer to a delete that went through (store.go ``finalizeDelete``): the object for
        kinds whose storage sets ReturnDeletedObject, else a Success Status naming it."""
        if resource.behaviour.returns_deleted_object:
            return _with_type(resource, obj)
        return success_status({"name": obj["metadata"]["name"], "group": resource.group,
                               "kind": resource.plural, "uid": obj["metadata"].get("uid", "")})

    # -- helpers -------------------------------------------------------------------------------

    def _store_update(self, resource: ResourceType, current: dict[str, Any], obj: dict[str, Any],
                      query: Query, subresource: str | None,
                      manager: str | None = None, *, private: bool = False) -> dict[str, Any]:
        """``private``: ``obj`` is this call's own copy, shared with nothing (an update's decoded
        body), and is changed in place; a patch's result may share parts with the live object."""
        merged = obj if private else clone(obj)
        checks.check_shapes(resource, merged)  # a patch can produce what a body may not hold
        meta = merged["metadata"]
        # Fields the server owns survive whatever the client sent (an update never sets, moves
        # or clears a deletion either: rest.BeforeUpdate).
        for owned in ("uid", "creationTimestamp", "namespace", "name", "generation",
                      "deletionTimestamp", "deletionGracePeriodSeconds"):
            if owned in current["metadata"]:
                meta[owned] = current["metadata"][owned]
            else:
                meta.pop(owned, None)
        has_status = resource.subresource("status") is not None
        if subresource != "status":
            self._update_defaults(resource, current, merged, query.dry_run)
        if subresource is None and resource.kind == "Pod" and resource.group == "":
            admission.admit_pod_update(merged, current)
        if subresource == "status":
            # Only status changes through /status.
            merged = {**current, "status": obj.get("status", {})}
            merged["metadata"] = {**current["metadata"],
                                  "labels": meta.get("labels", current["metadata"].get("labels")),
                                  "annotations": meta.get("annotations",
                                                          current["metadata"].get("annotations"))}
            merged["metadata"] = {k: v for k, v in merged["metadata"].items() if v is not None}
        elif has_status and "status" in current:
            merged["status"] = current["status"]
        elif has_status:  # the main endpoint never sets a status the object lacks
            merged.pop("status", None)
        if "generation" in meta and _generation_changes(resource, current, merged):
            meta["generation"] = current["metadata"]["generation"] + 1
        self._validate(resource, merged, current, subresource)
        if subresource is None:
            self._validating_admission(resource, merged, creating=False)
        if manager is not None:
            merged = self._as_stored(resource, self._managed(resource, current, merged, manager,
                                                             subresource))
        checks.check_shapes(resource, merged)  # again: /status takes the body's status as sent
        checks.check_data_size(resource, merged, self.registry.minor)
        # A no-op update does not bump resourceVersion, as in kube. The comparison ignores the
        # resourceVersion itself: an unconditional PUT (none in the body) of the stored content
        # is a no-op too, and used to get a new resourceVersion and a MODIFIED event.
        if _without_resource_version(merged) == _without_resource_version(current):
            return _with_type(resource, current)
        if deletion.finalized(resource, current, merged):
            # The update that removes the last finalizer of an object being deleted deletes it.
            return _with_type(resource, merged) if query.dry_run else self._remove(resource,
                                                                                   current)
        if query.dry_run:
            return _with_type(resource, merged)
        return _with_type(resource, self.store.put(key(resource), merged, event="MODIFIED"))

    def _typed_body(self, resource: ResourceType, body: dict[str, Any], directive: str,
                    warnings: list[str] | None) -> dict[str, Any]:
        api_version = body.get("apiVersion", resource.api_version)
        kind = body.get("kind", resource.kind)
        if api_version != resource.api_version:
            raise KubeError(400, messages.K8S_KIND_MISMATCH.format(
                got=api_version, want=resource.api_version))
        if kind != resource.kind:
            raise KubeError(400, messages.K8S_KIND_WRONG.format(
                kind=kind, version=api_version, want=resource.kind))
        failure = fieldvalidation.cannot_handle(kind, str(api_version).rsplit("/", 1)[-1],
                                                resource.kind)
        if resource.custom is not None:
            if not isinstance(body.get("metadata", {}), dict):
                raise KubeError(400, messages.K8S_BODY_NOT_OBJECT.format(detail="metadata"))
            return self._as_stored(resource, customresources.decoded(
                resource, body, directive, warnings, self.registry.minor))
        checked = fieldvalidation.check(  # a copy without unknown fields
            body, resource.kind, api_version=resource.api_version, minor=self.registry.minor)
        if checked.decode_error is not None:  # Go's decoding failed: 400 whatever the directive
            raise failure(checked.decode_error)
        obj = checked.obj
        checks.check_shapes(resource, obj)  # a wrong JSON type outranks strictness in kube too
        fieldvalidation.settle(checked.problems, directive, warnings, failure)
        return self._as_stored(resource, obj)

    def _validate(self, resource: ResourceType, obj: dict[str, Any],
                  old: dict[str, Any] | None, subresource: str | None = None) -> None:
        """The kind's own validation (a custom resource's schema and rules, a CRD's checks, a
        pod spec's); on an update of the object itself, also what an update may not change.
        A built-in kind's status strategy checks the status alone, which the mock does not:
        its spec, unchanged, is not checked again on every controller's status write."""
        minor = self.registry.minor
        # The metadata's labels, annotations, owners and finalizers come first, as kube's
        # ValidateObjectMeta does; a subresource's write keeps the object's metadata.
        errors = [] if subresource is not None else metachecks.object_meta(
            obj.get("metadata") or {}, None if old is None else old.get("metadata") or {},
            minor, group=resource.group, custom=resource.custom is not None)
        if resource.custom is not None:
            customresources.validate(resource, obj, old, minor, errors)
            return
        behaviour = resource.behaviour
        errors += (behaviour.validate(obj, old, minor)
                   if behaviour.validate is not None and subresource != "status" else [])
        if subresource is None and old is not None and behaviour.validate_update is not None:
            errors += behaviour.validate_update(obj, old, minor)
        if errors:
            # kube names the kind of the object it validated, the stored one (an Event written
            # through events.k8s.io is a core Event).
            raise invalid(resource.kind, self.storage(resource).group,
                          obj["metadata"].get("name", ""), errors)

    def _validating_admission(self, resource: ResourceType, obj: dict[str, Any], *,
                              creating: bool) -> None:
        """kube's validating admission, after the kind's own validation (admission.py)."""
        if resource.kind == "PriorityClass" and resource.group == "scheduling.k8s.io":
            admission.validate_priority_class(obj, self.store, creating=creating)

    def _as_stored(self, resource: ResourceType, obj: dict[str, Any]) -> dict[str, Any]:
        """An object written through ``resource``'s version, converted to the storage version."""
        stored = conversion.convert(_with_type(resource, obj), self.storage(resource).api_version)
        _omit_empty_metadata(stored)
        return stored

    def storage(self, resource: ResourceType) -> ResourceType:
        """The version kube stores ``resource`` in: its group's most preferred one that serves it
        (an HPA written through autoscaling/v1 is kept as v2); for a custom resource, its CRD's
        storage version when that version is served; for a resource kept in another's storage
        (events.k8s.io Events), that one's."""
        if resource.custom is not None:
            stored = self.registry.lookup(resource.group, resource.custom.storage_version,
                                          resource.plural)
            return stored or resource
        group, plural = resource.storage_key
        for version in self.registry.group_versions(group):
            stored = self.registry.lookup(group, version, plural)
            if stored is not None:
                return stored
        return resource

    def _update_defaults(self, resource: ResourceType, current: dict[str, Any],
                         obj: dict[str, Any], dry_run: bool) -> None:
        """kube defaults every write, not only creates. Without this a replaced Service lost its
        cluster IP, a Namespace its kubernetes.io/metadata.name label, a Deployment sent
        without replicas kept none (kube: 1), and a Secret's stringData was stored as sent."""
        if resource.kind == "Pod":
            # kube's defaults only: the kubelet's start (on_new_pod) happens once. Without them
            # a body that leaves a default out would differ from the stored pod, which an update
            # may not change (podupdate.py).
            defaults.apply(self.storage(resource), obj, self.registry.minor)
        else:
            self._defaults(resource, obj, current, dry_run=dry_run)

    def _namespace_for(self, meta: dict[str, Any], url_namespace: str | None) -> str:
        body_ns = meta.get("namespace")
        if url_namespace and body_ns and body_ns != url_namespace:
            raise KubeError(400, messages.K8S_NAMESPACE_MISMATCH)
        return url_namespace or body_ns or "default"

    def _require_namespace(self, namespace: str) -> dict[str, Any]:
        found = self.store.get(("", "namespaces"), "", namespace)
        if found is None:
            raise KubeError(404, messages.K8S_NAMESPACE_NOT_FOUND.format(namespace=namespace),
                            details={"name": namespace, "kind": "namespaces"})
        return found

    def _defaults(self, resource: ResourceType, obj: dict[str, Any],
                  old: dict[str, Any] | None = None, *, dry_run: bool = False) -> None:
        """kube's defaulting for the cluster's minor (defaults.py), then what a kind's strategy or
        the mock's own kubelet and service allocator add (``old``: the object an update
        replaces; the allocator keeps what the update leaves out)."""
        defaults.apply(self.storage(resource), obj, self.registry.minor)
        if resource.kind == "Namespace":
            obj.setdefault("spec", {}).setdefault("finalizers", ["kubernetes"])
            obj["status"] = {"phase": "Active"}
        elif resource.kind == "Pod":
            self.on_new_pod(obj)
        elif resource.kind == "Service":
            self.on_new_service(obj, old, dry_run)
        elif resource.kind == "StatefulSet":
            defaults.drop_disabled_stateful_set_fields(obj, old)
        elif resource.kind == "Secret":
            # kube merges the write-only stringData into data (base64) and never stores it; it
            # used to be stored as sent, so .data lacked those keys.
            string_data = obj.pop("stringData", None) or {}
            data = obj.get("data") or {}
            for name, value in (("stringData", string_data), ("data", data)):
                if not isinstance(value, dict) or not all(isinstance(v, str)
                                                          for v in value.values()):
                    raise KubeError(400, messages.K8S_BODY_NOT_OBJECT.format(detail=name))
            if string_data:
                obj["data"] = {**data, **{k: base64.b64encode(v.encode()).decode()
                                          for k, v in string_data.items()}}

    def _empty_namespace(self, namespace: str) -> None:
        by_key = {key(r): r for r in self.registry.resources}
        for res_key, name in self.store.namespaces_in_use(namespace):
            if res_key in by_key:
                self.store.remove(res_key, namespace, name)


class ListPage:
    """One list answer's objects as stored (records, in key order), with its resourceVersion and
    continue token; ``resource`` is the version the list was read through."""

    def __init__(self, resource: ResourceType, stored: list[Record],
                 decoded: list[dict[str, Any]], resource_version: int,
                 continue_token: str | None) -> None:
        self.resource = resource
        self.records = stored
        self._decoded = decoded  # the stored objects, when the scan decoded them
        self.resource_version = resource_version
        self.continue_token = continue_token
        # A stored object that begins with this names the list's version and kind: when only
        # the version can differ between versions of its kind, its JSON is the item's as is.
        self._same = (b'{"apiVersion":%b,"kind":%b,' % (gojson.fragment(resource.api_version),
                                                         gojson.fragment(resource.kind))
                      if conversion.changes_only_version(resource.kind) else None)

    def stored(self) -> list[dict[str, Any]]:
        """The objects as stored (decoded once; the caller's, the same ones on each call)."""
        if len(self._decoded) != len(self.records):
            self._decoded = [records.thaw(r) for r in self.records]
        return self._decoded

    def items(self) -> list[dict[str, Any]]:
        """The objects in the list's version, as a list answer holds them."""
        return [_with_type(self.resource, o) for o in self.stored()]

    def item(self, record: Record) -> dict[str, Any]:
        """One of the page's records decoded (again: a copy of its own) in the list's version."""
        return _with_type(self.resource, records.thaw(record))

    def printed(self, record: Record, *,
                whole: bool = True) -> tuple[dict[str, Any], memoryview | None] | None:
        """The object and its metadata's JSON, for a Table row of a plain record that the
        list's version shows as stored (``records.printed``; not ``whole``: without the
        fields no row reads, for cells only); else None."""
        return None if self._same is None else records.printed(record, self._same, whole=whole)

    def verbatim(self, record: Record) -> bool:
        """Whether the list's version shows this stored object exactly as stored."""
        return self._same is not None and records.begins_with(record, self._same)

    def item_json(self, record: Record) -> bytes | memoryview:
        """The JSON of one of the page's records as an item of this list: the stored JSON
        itself, unless the list's version shows the object otherwise."""
        record = records.opened(record)
        if self.verbatim(record):
            return records.body(record)
        return gojson.fragment(self.item(record))


def _with_type(resource: ResourceType, obj: dict[str, Any]) -> dict[str, Any]:
    """``obj`` as ``resource``'s version shows it: converted from the version it names (for a
    stored object, the storage version) where the kind differs between them, else retyped."""
    obj = conversion.convert(obj, resource.api_version)
    obj["kind"] = resource.kind
    return obj


# ObjectMeta's maps and lists kube drops when empty (json omitempty): every write is decoded into
# the typed ObjectMeta (a custom resource's too, by objectmeta.Coerce), so a patch's
# "annotations": {} (kubectl diff sends one) is not stored. managedFields is not among them: an
# empty list there asks for the managers to be reset.
_OMITTED_WHEN_EMPTY = ("labels", "annotations", "finalizers", "ownerReferences")


def _omit_empty_metadata(obj: dict[str, Any]) -> None:
    meta = obj.get("metadata")
    if isinstance(meta, dict):
        for name in _OMITTED_WHEN_EMPTY:
            if name in meta and meta[name] in ({}, [], None):
                del meta[name]


def check_resource_version(resource: ResourceType, current: dict[str, Any],
                           wanted: dict[str, Any]) -> None:
    """409 when what a client wrote names a resourceVersion other than the stored one."""
    meta = wanted.get("metadata")
    wanted_rv = meta.get("resourceVersion") if isinstance(meta, dict) else None
    if wanted_rv and wanted_rv != current["metadata"]["resourceVersion"]:
        raise conflict(resource, current["metadata"]["name"])


def _strictly_patched(resource: ResourceType, sent: Any, content_type: str, directive: str,
                      patched: dict[str, Any], warnings: list[str] | None,
                      minor: int) -> dict[str, Any]:
    """The patched object as kube decodes it: without unknown fields, and with the patch's own
    duplicate keys and the result's unknown fields handled as the directive says. kube reports
    them as an invalid ``patch``, quoting a strategic patch as Go prints the decoded map and any
    other patch by the object it produced."""
    media = patches.require_supported(content_type)

    def invalid(detail: str) -> KubeError:
        return fieldvalidation.invalid_patch(
            fieldvalidation.go_value(sent) if media == patches.STRATEGIC_MERGE_PATCH
            else fieldvalidation.go_json(patched), detail)

    own = () if directive == fieldvalidation.IGNORE else (
        fieldvalidation.json_patch_problems(sent) if media == patches.JSON_PATCH
        else fieldvalidation.duplicates(sent))
    if resource.custom is not None:
        fieldvalidation.settle(own, directive, warnings, invalid)
        return customresources.decoded(resource, patched, directive, warnings, minor,
                                       failure=invalid)
    checked = fieldvalidation.check(patched, resource.kind, api_version=resource.api_version,
                                    minor=minor,
                                    converted=media == patches.STRATEGIC_MERGE_PATCH)
    if checked.decode_error is not None:
        raise invalid(checked.decode_error)
    fieldvalidation.settle(own + checked.problems, directive, warnings, invalid)
    return checked.obj


def _generation_changes(resource: ResourceType, current: dict[str, Any],
                        merged: dict[str, Any]) -> bool:
    """Whether a write bumps metadata.generation: a change of spec for built-in kinds; for a
    custom resource, a change of anything but metadata (and status, when it has a status
    subresource), as the custom resource strategy decides."""
    if resource.custom is None:
        return merged.get("spec") != current.get("spec")
    ignored = {"metadata", "status"} if resource.subresource("status") else {"metadata"}
    return ({k: v for k, v in merged.items() if k not in ignored}
            != {k: v for k, v in current.items() if k not in ignored})


def _without_resource_version(obj: dict[str, Any]) -> dict[str, Any]:
    meta = {k: v for k, v in obj.get("metadata", {}).items() if k != "resourceVersion"}
    return {**obj, "metadata": meta}


def _not_found(resource: ResourceType, name: str) -> KubeError:
    return KubeError(404, messages.K8S_NOT_FOUND.format(resource=resource.group_resource,
                                                        name=name),
                     details={"name": name, "group": resource.group, "kind": resource.plural})


def conflict(resource: ResourceType, name: str) -> KubeError:
    return KubeError(409, messages.K8S_CONFLICT.format(resource=resource.group_resource, name=name),
                     reason="Conflict",
                     details={"name": name, "group": resource.group, "kind": resource.plural})


def _encode_continue(last: tuple[str, str]) -> str:
    raw = json.dumps({"v": 1, "after": list(last)}).encode()
    return base64.urlsafe_b64encode(raw).decode()


def _decode_continue(token: str | None) -> tuple[str, str] | None:
    if not token:
        return None
    try:
        data = limits.json_loads(base64.urlsafe_b64decode(token.encode()))
        namespace, name = data["after"]
        return (str(namespace), str(name))
    except (ValueError, KeyError, TypeError) as exc:
        raise KubeError(400, messages.K8S_INVALID_CONTINUE.format(detail=exc)) from None
