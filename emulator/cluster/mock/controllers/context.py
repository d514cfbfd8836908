"""What a controller may do to its cluster: read the store, write through the same path as
clients (defaulting, validation, resourceVersions, watch events, managedFields under kube's
manager names), record Events and set timers. Controllers never see the request path: they act
as the cluster's own components, which RBAC does not stand in front of."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from emulator.cluster.mock.controllers.events import EventRecorder, Source
from emulator.cluster.mock.controllers.settings import ControllerSettings
from emulator.cluster.mock.query import Query
from emulator.cluster.mock.registry import records
from emulator.cluster.mock.registry.resources import Registry, ResourceType
from emulator.cluster.mock.registry.store import ObjectStore
from emulator.cluster.mock.wire.status import KubeError

if TYPE_CHECKING:
    from emulator.cluster.mock.controllers.manager import ControllerManager
    from emulator.cluster.mock.node.podlogs import PodLogs
    from emulator.cluster.mock.registry.objects import Objects

# The field managers kube's components write under (their user agents' first word).
CONTROLLER_MANAGER = "kube-controller-manager"
KUBELET = "kubelet"
SCHEDULER = "kube-scheduler"

_NO_QUERY = Query(())


class Context:
    def __init__(self, *, store: ObjectStore, objects: Objects, registry: Registry,
                 manager: ControllerManager, now: Callable[[], datetime],
                 settings: ControllerSettings, logs: PodLogs, node: str,
                 after_create: Callable[[ResourceType, dict[str, Any]], None],
                 sandbox: Callable[[str, str, str], Any], pod_ip: Callable[[], str],
                 root_ca: Callable[[], bytes]) -> None:
        self.store = store
        self.objects = objects
        self.registry = registry
        self.manager = manager
        self.now = now
        self.settings = settings
        self.logs = logs
        self.node = node  # the cluster's one fake node
        self.sandbox = sandbox  # (namespace, pod, container) -> the container's fake sandbox
        self.pod_ip = pod_ip  # the next free pod IP of the node's range
        self.root_ca = root_ca  # the cluster's CA certificate (PEM)
        self._after_create = after_create
        self.recorder = EventRecorder(now)

    # -- reading --------------------------------------------------------------------------------

    def resource(self, group: str, plural: str) -> ResourceType:
        """The kind's resource in its storage version (what the store holds)."""
        for version in self.registry.group_versions(group):
            found = self.registry.lookup(group, version, plural)
            if found is not None:
                return self.objects.storage(found)
        raise LookupError(f"{group}/{plural} is not served")

    def get(self, group: str, plural: str, namespace: str, name: str) -> dict[str, Any] | None:
        obj = self.store.get((group, plural), namespace, name)
        return None if obj is None else _typed(self.resource(group, plural), obj)

    def list(self, group: str, plural: str, namespace: str | None = None) -> list[dict[str, Any]]:
        items, _ = self.store.list((group, plural), namespace)
        resource = self.resource(group, plural)  # once a list: controllers list on every sync
        return [_typed(resource, o) for o in items]

    def labelled(self, group: str, plural: str, namespace: str,
                 labels: dict[str, Any]) -> list[dict[str, Any]]:
        """The objects of ``group/plural`` in ``namespace`` (as stored, in key order) whose labels
        include all of ``labels``. Only those whose JSON holds each label as written are
        decoded: a namespace may hold many more, and a Service's controllers ask on every
        change of one of its pods."""
        def wanted(obj: dict[str, Any]) -> bool:
            present = obj["metadata"].get("labels") or {}
            return all(present.get(k) == v for k, v in labels.items())

        return self.store.select((group, plural), wanted, namespace=namespace, containing=[
            records.member(k, v) for k, v in labels.items() if isinstance(v, str)])

    def owned_by(self, group: str, plural: str, owner: dict[str, Any]) -> list[dict[str, Any]]:
        """The objects of ``group/plural`` whose controller reference is ``owner``."""
        uid = owner["metadata"].get("uid")
        namespace = owner["metadata"].get("namespace")
        return [o for o in self.list(group, plural, namespace)
                if any(ref.get("uid") == uid and ref.get("controller")
                       for ref in o["metadata"].get("ownerReferences") or [])]

    # -- writing (as a cluster component: no authorization) ---------------------------------------
    # A controller's object is built from stored ones, already decoded and pruned, so the schema
    # walk that drops unknown fields from a client's body has nothing to drop (not once over the
    # controllers' tests): it is skipped, as for the boot objects. It was a third of the time a
    # seeded pod costs, scheduled, started and its Events written.

    def create(self, group: str, plural: str, obj: dict[str, Any],
               manager: str = CONTROLLER_MANAGER) -> dict[str, Any]:
        resource = self.resource(group, plural)
        namespace = obj.get("metadata", {}).get("namespace") if resource.namespaced else None
        created = self.objects.create(resource, namespace, _typed_body(resource, obj), _NO_QUERY,
                                      manager=manager, trusted=True)
        self._after_create(resource, created)
        return created

    def update(self, group: str, plural: str, obj: dict[str, Any],
               manager: str = CONTROLLER_MANAGER, subresource: str | None = None) -> dict[str, Any]:
        """Replace ``obj`` (with its resourceVersion: a stale one is a 409, retried by the
        manager). ``subresource="status"`` writes its status alone."""
        resource = self.resource(group, plural)
        meta = obj["metadata"]
        return self.objects.update(resource, meta.get("namespace") if resource.namespaced else None,
                                   meta["name"], _typed_body(resource, obj), _NO_QUERY, subresource,
                                   manager=manager, trusted=True)

    def delete(self, group: str, plural: str, namespace: str, name: str,
               propagation: str | None = None, grace: int | None = None,
               uid: str | None = None) -> None:
        """Delete as a controller does; gone already is fine. ``uid`` is a precondition, so
        that a namesake made since is never taken."""
        resource = self.resource(group, plural)
        options: dict[str, Any] = {"propagationPolicy": propagation,
                                   "gracePeriodSeconds": grace}
        if uid:
            options["preconditions"] = {"uid": uid}
        try:
            self.objects.delete(resource, namespace if resource.namespaced else None, name,
                                options, _NO_QUERY)
        except KubeError as err:
            if err.code not in (404, 409):
                raise

    # -- events and time --------------------------------------------------------------------------

    def event(self, obj: dict[str, Any], source: Source, type_: str, reason: str, message: str,
              field_path: str = "") -> None:
        """Record an Event about ``obj``; a failure to write one never fails the controller."""
        observed = self.recorder.event(obj, source, type_, reason, message, field_path)
        if observed.skip:  # over the spam filter's rate: counted, not written
            self.recorder.remember(observed, source)
            return
        try:
            stored = None if observed.new else self._update_event(observed.event, source)
            if stored is None:
                stored = self.create("", "events", observed.event, manager=source.component)
        except KubeError:
            return
        meta = stored["metadata"]
        self.recorder.remember(observed, source, self.store.record(("", "events"),
                                                                   meta["namespace"], meta["name"]))

    def _update_event(self, event: dict[str, Any], source: Source) -> dict[str, Any] | None:
        """A counted repeat written onto its Event; None when that Event was deleted since
        (kubectl delete events): client-go's recordEvent then creates it again, under its name,
        with the count it has now."""
        try:
            return self.update("", "events", event, manager=source.component)
        except KubeError as err:
            if err.code != 404:
                raise
            return None

    def later(self, seconds: float, controller: str, key: Hashable) -> None:
        self.manager.after(seconds, controller, key)

    def at(self, controller: str, key: Hashable, due: datetime) -> None:
        self.manager.at(controller, key, due)

    def cancel(self, controller: str, key: Hashable) -> None:
        self.manager.cancel(controller, key)

    def enqueue(self, controller: str, key: Hashable) -> None:
        self.manager.enqueue(controller, key)

    def run(self, work: Callable[[], Awaitable[object]],
            done: Callable[[object | BaseException], None]) -> None:
        """Run a container's process on the runtime thread (see ``ControllerManager.run``)."""
        self.manager.run(work, done)


def _typed(resource: ResourceType, obj: dict[str, Any]) -> dict[str, Any]:
    """A stored object (a copy, the caller's) with the apiVersion and kind it is stored as."""
    obj.setdefault("apiVersion", resource.api_version)
    obj.setdefault("kind", resource.kind)
    return obj


def _typed_body(resource: ResourceType, obj: dict[str, Any]) -> dict[str, Any]:
    # A shallow copy: the registry copies a trusted body whole before it changes anything.
    return {**obj, "apiVersion": resource.api_version, "kind": resource.kind}
