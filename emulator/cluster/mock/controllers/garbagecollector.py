"""kube's garbage collector (pkg/controller/garbagecollector): dependents go with their owners.

An object's ``metadata.ownerReferences`` name its owners by uid. When the last of them is gone
the collector deletes the dependent (in the background, or as the dependent's own finalizers
say); a dependent that keeps another owner only loses the dangling reference. An owner deleted
with ``propagationPolicy=Foreground`` keeps its deletionTimestamp and the ``foregroundDeletion``
finalizer until every dependent that blocks it (``blockOwnerDeletion: true``) is gone; one
deleted with ``Orphan`` (or a kind that orphans by default) first has its references removed from
its dependents, then loses the ``orphan`` finalizer. A dependent whose owner never existed, or
was gone before it came, is collected too (the owner is looked up where the dependent lives).

kube's graph builder watches every deletable resource and keeps a uid -> node graph; here one
store listener keeps the same index from every change (custom resources included), so that a
deletion finds its dependents without a scan of the world. The decisions themselves
(``attemptToDeleteItem``, ``processDeletingDependentsItem``, ``attemptToOrphanWorker``) read the
objects' current state from the store, as kube's read them from the apiserver.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Any

from emulator import messages
from emulator.cluster.mock.controllers.context import Context
from emulator.cluster.mock.controllers.events import WARNING, Source
from emulator.cluster.mock.controllers.manager import Controller
from emulator.cluster.mock.registry.deletion import FOREGROUND, ORPHAN
from emulator.cluster.mock.registry.jsoncopy import clone
from emulator.cluster.mock.registry.store import ResourceKey, WatchEvent
from emulator.cluster.mock.wire.status import KubeError

log = logging.getLogger(__name__)

NAME = "garbage-collector-controller"
SOURCE = Source(NAME)
# The resources the collector ignores (graph_builder.go ignoredResources).
IGNORED: frozenset[ResourceKey] = frozenset({("", "events"), ("events.k8s.io", "events")})

# Work item kinds: kube's two queues, and the Event the graph builder records.
DELETE = "attemptToDelete"  # (DELETE, uid)
ORPHANING = "attemptToOrphan"  # (ORPHANING, uid)
INVALID_NAMESPACE = "invalidNamespace"  # (INVALID_NAMESPACE, dependent uid, owner uid)


@dataclass(frozen=True)
class Ref:
    """One ownerReference, as the collector compares them."""

    uid: str
    api_version: str
    kind: str
    name: str
    block: bool  # blockOwnerDeletion

    @classmethod
    def of(cls, raw: dict[str, Any]) -> Ref:
        return cls(str(raw.get("uid") or ""), str(raw.get("apiVersion") or ""),
                   str(raw.get("kind") or ""), str(raw.get("name") or ""),
                   raw.get("blockOwnerDeletion") is True)

    @property
    def group(self) -> str:
        return self.api_version.rpartition("/")[0] if "/" in self.api_version else ""


@dataclass
class Node:
    """What the collector knows of one live object (kube's graph node)."""

    resource: ResourceKey
    namespace: str
    name: str
    kind: str
    owners: tuple[Ref, ...]
    deleting_dependents: bool  # deletionTimestamp with the foregroundDeletion finalizer


def _owner_refs(obj: dict[str, Any]) -> tuple[Ref, ...]:
    refs = obj.get("metadata", {}).get("ownerReferences") or []
    return tuple(Ref.of(r) for r in refs if isinstance(r, dict) and r.get("uid"))


def _deleting_dependents(obj: dict[str, Any] | None) -> bool:
    meta = (obj or {}).get("metadata") or {}
    return bool(meta.get("deletionTimestamp")) and FOREGROUND in (meta.get("finalizers") or [])


def _starts(previous: dict[str, Any] | None, obj: dict[str, Any], finalizer: str) -> bool:
    """kube's deletionStartsWithFinalizer: being deleted with ``finalizer`` now, and not before."""
    def held(o: dict[str, Any] | None) -> bool:
        meta = (o or {}).get("metadata") or {}
        return bool(meta.get("deletionTimestamp")) and finalizer in (meta.get("finalizers") or [])
    return held(obj) and (previous is None or not held(previous))


class GarbageCollector:
    name = NAME
    watches: tuple[ResourceKey, ...] = ()  # every resource: fed by its own store listener

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.nodes: dict[str, Node] = {}  # uid -> the live object
        self.dependents: dict[str, set[str]] = {}  # owner uid -> uids of objects naming it
        ctx.store.add_listener(self._observe)

    def keys(self, event: WatchEvent) -> Iterable[Hashable]:
        return ()  # never offered events by the manager: ``_observe`` sees them all

    # -- the graph builder ----------------------------------------------------------------------

    def _observe(self, event: WatchEvent) -> None:
        """The store's listener: keep the index and enqueue what kube's graph builder would."""
        if not self.ctx.manager.enabled or event.resource in IGNORED:
            return
        obj = event.object
        meta = obj.get("metadata") or {}
        uid = meta.get("uid")
        if not uid:
            return
        if event.type == "DELETED":
            self._removed(uid)
            return
        owners = _owner_refs(obj)
        node = self.nodes.get(uid)
        before = node.owners if node is not None else ()
        if node is None:
            node = Node(event.resource, meta.get("namespace") or "", meta.get("name", ""),
                        str(obj.get("kind") or ""), owners, False)
            self.nodes[uid] = node
        node.owners = owners
        node.deleting_dependents = _deleting_dependents(obj)
        if before != owners:
            self._owners_changed(uid, node, before, owners)
        self._transitions(uid, event.previous, obj)

    def _owners_changed(self, uid: str, node: Node, before: tuple[Ref, ...],
                        after: tuple[Ref, ...]) -> None:
        old = {r.uid: r for r in before}
        new = {r.uid: r for r in after}
        for owner_uid, ref in old.items():
            changed = new.get(owner_uid)
            if changed is None:
                self._unlink(owner_uid, uid)
            # A blocking reference removed or unblocked: an owner waiting in the foreground may
            # be free to go (addUnblockedOwnersToDeleteQueue).
            if ref.block and (changed is None or not changed.block) and owner_uid in self.nodes:
                self._enqueue(DELETE, owner_uid)
        suspect = False
        for owner_uid, ref in new.items():
            if owner_uid in old:
                continue
            self.dependents.setdefault(owner_uid, set()).add(uid)
            owner = self.nodes.get(owner_uid)
            if owner is None:
                # kube adds a virtual node for the owner and verifies it exists; the lookup of
                # the dependent's references does the same, where the dependent lives.
                suspect = True
            elif owner.namespace and owner.namespace != node.namespace:
                self._enqueue(INVALID_NAMESPACE, uid, owner_uid)
                suspect = True
            elif (ref.group, ref.kind, ref.name) != (owner.resource[0], owner.kind, owner.name):
                suspect = True
        if suspect:
            self._enqueue(DELETE, uid)

    def _transitions(self, uid: str, previous: dict[str, Any] | None,
                     obj: dict[str, Any]) -> None:
        """processTransitions: an owner whose deletion starts with the orphan finalizer is to
        orphan its dependents; one that starts with foregroundDeletion, to delete them first."""
        if _starts(previous, obj, ORPHAN):
            self._enqueue(ORPHANING, uid)
        elif _starts(previous, obj, FOREGROUND):
            for dependent in sorted(self.dependents.get(uid, ())):
                self._enqueue(DELETE, dependent)
            self._enqueue(DELETE, uid)

    def _removed(self, uid: str) -> None:
        node = self.nodes.pop(uid, None)
        for dependent in sorted(self.dependents.pop(uid, ())):
            if dependent in self.nodes:
                self._enqueue(DELETE, dependent)
        if node is None:
            return
        for ref in node.owners:
            self._unlink(ref.uid, uid)
            owner = self.nodes.get(ref.uid)
            if owner is not None and owner.deleting_dependents:
                self._enqueue(DELETE, ref.uid)  # it may have no blocking dependent left

    def _unlink(self, owner_uid: str, uid: str) -> None:
        dependents = self.dependents.get(owner_uid)
        if dependents is not None:
            dependents.discard(uid)
            if not dependents:
                del self.dependents[owner_uid]

    def _enqueue(self, *key: str) -> None:
        self.ctx.enqueue(self.name, key)

    # -- the workers ----------------------------------------------------------------------------

    def sync(self, key: Hashable) -> None:
        assert isinstance(key, tuple)
        if key[0] == DELETE:
            self._attempt_to_delete(key[1])
        elif key[0] == ORPHANING:
            self._attempt_to_orphan(key[1])
        elif key[0] == INVALID_NAMESPACE:
            self._report_invalid_namespace(key[1], key[2])

    def _latest(self, uid: str) -> tuple[Node, dict[str, Any]] | None:
        node = self.nodes.get(uid)
        if node is None:
            return None
        obj = self.ctx.store.get(node.resource, node.namespace, node.name)
        if obj is None or obj["metadata"].get("uid") != uid:
            return None
        return node, obj

    def _attempt_to_delete(self, uid: str) -> None:
        """attemptToDeleteItem: delete the object if none of its owners is left, or remove the
        references to the ones that are gone (or waiting for their dependents) if some are."""
        found = self._latest(uid)
        if found is None:
            return
        node, obj = found
        meta = obj["metadata"]
        if meta.get("deletionTimestamp"):
            if _deleting_dependents(obj):
                self._process_deleting_dependents(uid, node, obj)
            return  # a one-way trip: its own dependents are seen to when it goes
        refs = _owner_refs(obj)
        if not refs:
            return
        classified = self._classify(node, refs)
        if classified is None:
            return
        solid, dangling, waiting = classified
        if solid:
            if dangling or waiting:
                gone = {r.uid for r in (*dangling, *waiting)}
                self._update_refs(node, obj, lambda r: None if r.get("uid") in gone else r)
            return
        if waiting and self.dependents.get(uid):
            if any(self.nodes[d].deleting_dependents for d in self.dependents[uid]
                   if d in self.nodes):
                # A possible cycle: its references stop blocking, then it goes in the foreground.
                self._update_refs(node, obj, _unblocked)
            policy = "Foreground"
        else:
            finalizers = meta.get("finalizers") or []
            policy = ("Orphan" if ORPHAN in finalizers else
                      "Foreground" if FOREGROUND in finalizers else "Background")
        self.ctx.delete(node.resource[0], node.resource[1], node.namespace, node.name,
                        propagation=policy, uid=uid)

    def _classify(self, node: Node, refs: tuple[Ref, ...]
                  ) -> tuple[list[Ref], list[Ref], list[Ref]] | None:
        """classifyReferences: solid (the owner exists), dangling (it does not, where the
        dependent would find it), waiting (it is being deleted in the foreground). None when a
        reference cannot be resolved: its kind is not served, or a cluster-scoped object names a
        namespaced owner (kube drops the item rather than retrying forever)."""
        solid: list[Ref] = []
        dangling: list[Ref] = []
        waiting: list[Ref] = []
        for ref in refs:
            resource = self.ctx.registry.by_kind(ref.api_version, ref.kind)
            if resource is None:
                log.debug("%s: no resource for %s/%s", NAME, ref.api_version, ref.kind)
                return None
            if resource.namespaced and not node.namespace:
                return None
            owner = self.ctx.store.get(resource.storage_key,
                                       node.namespace if resource.namespaced else "", ref.name)
            if owner is None or owner["metadata"].get("uid") != ref.uid:
                dangling.append(ref)
            elif _deleting_dependents(owner):
                waiting.append(ref)
            else:
                solid.append(ref)
        return solid, dangling, waiting

    def _process_deleting_dependents(self, uid: str, node: Node, obj: dict[str, Any]) -> None:
        """processDeletingDependentsItem: the owner goes once no dependent blocks it."""
        blocking = [d for d in sorted(self.dependents.get(uid, ()))
                    if d in self.nodes
                    and any(r.uid == uid and r.block for r in self.nodes[d].owners)]
        if not blocking:
            self._drop_finalizer(node, obj, FOREGROUND)
            return
        for dependent in blocking:
            if not self.nodes[dependent].deleting_dependents:
                self._enqueue(DELETE, dependent)

    def _attempt_to_orphan(self, uid: str) -> None:
        """attemptToOrphanWorker: remove the owner from its dependents' references, then the
        orphan finalizer from the owner."""
        found = self._latest(uid)
        if found is None:
            return
        node, obj = found
        meta = obj["metadata"]
        if not meta.get("deletionTimestamp") or ORPHAN not in (meta.get("finalizers") or []):
            return
        for dependent in sorted(self.dependents.get(uid, ())):
            held = self._latest(dependent)
            if held is not None:
                self._update_refs(held[0], held[1],
                                  lambda r: None if r.get("uid") == uid else r)
        self._drop_finalizer(node, obj, ORPHAN)

    def _report_invalid_namespace(self, uid: str, owner_uid: str) -> None:
        """reportInvalidNamespaceOwnerRef: a Warning on the dependent, whose reference names an
        owner that lives in another namespace."""
        found = self._latest(uid)
        if found is None:
            return
        node, obj = found
        ref = next((r for r in _owner_refs(obj) if r.uid == owner_uid), None)
        if ref is None:
            return
        message = messages.GC_OWNER_REF_INVALID_NAMESPACE.format(
            api_version=ref.api_version, kind=ref.kind, namespace=node.namespace, name=ref.name,
            uid=ref.uid)
        self.ctx.event(obj, SOURCE, WARNING, "OwnerRefInvalidNamespace", message)

    # -- writes ---------------------------------------------------------------------------------

    def _update_refs(self, node: Node, obj: dict[str, Any],
                     change: Callable[[dict[str, Any]], dict[str, Any] | None]
                     ) -> dict[str, Any] | None:
        """Write ``obj`` with each ownerReference mapped by ``change`` (None drops it), as the
        collector's patches do; gone meanwhile is fine."""
        refs = obj["metadata"].get("ownerReferences") or []
        kept = [r for r in (change(clone(r)) for r in refs) if r is not None]
        if kept == refs:
            return None
        updated = clone(obj)
        updated["metadata"]["ownerReferences"] = kept
        return self._write(node, updated)

    def _drop_finalizer(self, node: Node, obj: dict[str, Any], finalizer: str) -> None:
        """removeFinalizer: the last finalizer of an object being deleted takes it with it."""
        updated = clone(obj)
        updated["metadata"]["finalizers"] = [
            f for f in obj["metadata"].get("finalizers") or [] if f != finalizer]
        self._write(node, updated)

    def _write(self, node: Node, obj: dict[str, Any]) -> dict[str, Any] | None:
        try:
            return self.ctx.update(node.resource[0], node.resource[1], obj)
        except KubeError as err:
            if err.code == 404:
                return None
            raise


def _unblocked(ref: dict[str, Any]) -> dict[str, Any]:
    if ref.get("blockOwnerDeletion") is True:
        ref["blockOwnerDeletion"] = False
    return ref


def controllers(ctx: Context) -> list[Controller]:
    return [GarbageCollector(ctx)]
