"""kube-scheduler ("default-scheduler") for the cluster's one fake node.

A pod that names no node, asks for the default scheduler and is not finished is bound to the
node, unless one of the filters that can reject a one-node cluster's pod does (kube's plugins in
their order: NodeUnschedulable, TaintToleration, NodeAffinity). Binding is the ``pods/binding``
subresource, as the scheduler posts it: it sets ``spec.nodeName`` and the PodScheduled condition
without a field manager (kube's binding storage bypasses it), then the ``Scheduled`` Event. A pod
that cannot be bound gets ``PodScheduled=False`` (reason Unschedulable) with the FitError text,
written by kube-scheduler through ``pods/status``, and a ``FailedScheduling`` Event; it is tried
again whenever the node changes. Scheduling gates hold a pod as kube does (SchedulingGated).

Left out: resources (every pod fits), ports, volumes, pod (anti-)affinity, topology spread,
priorities and preemption (the message says it is not helpful, as kube's does for these filters).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from emulator import messages
from emulator.clock import rfc3339
from emulator.cluster.mock import actions
from emulator.cluster.mock.controllers.context import SCHEDULER, Context
from emulator.cluster.mock.controllers.events import NORMAL, WARNING, Source
from emulator.cluster.mock.controllers.manager import Controller
from emulator.cluster.mock.controllers.podstatus import POD_SCHEDULED
from emulator.cluster.mock.query import Query
from emulator.cluster.mock.registry.jsoncopy import clone
from emulator.cluster.mock.registry.store import WatchEvent

NAME = "default-scheduler"
SOURCE = Source(NAME)
UNSCHEDULABLE_TAINT = "node.kubernetes.io/unschedulable"
# From 1.34 the taint filter no longer names the taint (kubernetes#134740, a security fix) and
# the DynamicResources plugin (GA, on by default) adds its PostFilter message before preemption's.
GENERIC_TAINT_MINOR = 34
DRA_POSTFILTER_MINOR = 34

PodKey = tuple[str, str]


class Scheduler:
    name = NAME
    watches = (("", "pods"), ("", "nodes"))

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self._first_seen: dict[str, datetime] = {}  # pod uid -> when the scheduler first saw it

    def keys(self, event: WatchEvent) -> Iterable[PodKey]:
        if event.resource == ("", "nodes"):
            # A node change may make an unschedulable pod fit: try every waiting pod again.
            return [(p["metadata"].get("namespace", ""), p["metadata"]["name"])
                    for p in self.ctx.store.select(("", "pods"), _unbound)]
        meta = event.object["metadata"]
        if event.type == "DELETED":
            self._first_seen.pop(meta.get("uid", ""), None)
            return ()
        return [(meta.get("namespace", ""), meta["name"])] if _unbound(event.object) else ()

    def sync(self, key: PodKey) -> None:
        namespace, name = key
        pod = self.ctx.get("", "pods", namespace, name)
        if pod is None or not _unbound(pod):
            return
        uid = pod["metadata"].get("uid", "")
        now = self.ctx.now()
        gates = (pod.get("spec") or {}).get("schedulingGates") or []
        if gates:
            self._set_condition(pod, "SchedulingGated", messages.SCHED_GATED, event=False)
            return
        delay = self.ctx.settings.delays.schedule
        if delay > 0:
            due = self._first_seen.setdefault(uid, now) + timedelta(seconds=delay)
            if now < due:
                self.ctx.later((due - now).total_seconds(), NAME, key)
                return
        node = self.ctx.get("", "nodes", "", self.ctx.node)
        if node is None:
            self._set_condition(pod, "Unschedulable", messages.SCHED_NO_NODES)
            return
        reason = fit_failure(pod, node, self.ctx.registry.minor)
        if reason is not None:
            self._set_condition(pod, "Unschedulable",
                                unschedulable_message(reason, self.ctx.registry.minor))
            return
        self._bind(pod, node["metadata"]["name"])
        self._first_seen.pop(uid, None)

    def _bind(self, pod: dict[str, Any], node: str) -> None:
        meta = pod["metadata"]
        namespace, name = meta.get("namespace", ""), meta["name"]
        body = {"apiVersion": "v1", "kind": "Binding",
                "metadata": {"name": name, "namespace": namespace, "uid": meta.get("uid")},
                "target": {"apiVersion": "v1", "kind": "Node", "name": node}}
        actions.bind(self.ctx.objects, self.ctx.registry, namespace, name, body, Query(()))
        # kube's binding storage sets the condition in the same write (setPodHostAndAnnotations);
        # here it is the next one, still without a field manager.
        bound = self.ctx.get("", "pods", namespace, name)
        if bound is None:
            return
        status = clone(bound.get("status") or {})
        status["conditions"] = _with_condition(status.get("conditions") or [], {
            "type": POD_SCHEDULED, "status": "True"}, self.ctx.now())
        bound["status"] = status
        stored = self.ctx.objects.update(self.ctx.resource("", "pods"), namespace, name, bound,
                                         Query(()), "status", trusted=True)
        self.ctx.event(stored, SOURCE, NORMAL, "Scheduled", messages.SCHED_SCHEDULED.format(
            namespace=namespace, pod=name, node=node))

    def _set_condition(self, pod: dict[str, Any], reason: str, message: str, *,
                       event: bool = True) -> None:
        """PodScheduled=False with ``reason`` and ``message`` (and a FailedScheduling Event),
        written only when it changes."""
        status = clone(pod.get("status") or {})
        wanted = {"type": POD_SCHEDULED, "status": "False", "reason": reason, "message": message}
        current = next((c for c in status.get("conditions") or []
                        if isinstance(c, dict) and c.get("type") == POD_SCHEDULED), None)
        if current is not None and all(current.get(k) == v for k, v in wanted.items()):
            return
        status["conditions"] = _with_condition(status.get("conditions") or [], wanted,
                                               self.ctx.now())
        pod["status"] = status
        stored = self.ctx.update("", "pods", pod, manager=SCHEDULER, subresource="status")
        if event:
            self.ctx.event(stored, SOURCE, WARNING, "FailedScheduling", message)


def _unbound(pod: dict[str, Any]) -> bool:
    """A pod this scheduler has to place (its informer's filter): no node yet, ours to schedule,
    not finished, not being deleted."""
    spec, status = pod.get("spec") or {}, pod.get("status") or {}
    return (not spec.get("nodeName")
            and spec.get("schedulerName", NAME) == NAME
            and status.get("phase") not in ("Succeeded", "Failed")
            and not pod["metadata"].get("deletionTimestamp"))


def _with_condition(conditions: list[Any], wanted: dict[str, Any],
                    now: datetime) -> list[dict[str, Any]]:
    """``conditions`` with ``wanted`` set (podutil.UpdatePodCondition): the transition time
    moves only when the status changes."""
    result, found = [], False
    for condition in conditions:
        if isinstance(condition, dict) and condition.get("type") == wanted["type"]:
            found = True
            since = (condition.get("lastTransitionTime")
                     if condition.get("status") == wanted["status"] else rfc3339(now))
            result.append({"lastProbeTime": None, "lastTransitionTime": since, **wanted})
        else:
            result.append(condition)
    if not found:
        result.append({"lastProbeTime": None, "lastTransitionTime": rfc3339(now), **wanted})
    return result


# -- the filters ------------------------------------------------------------------------------------

def fit_failure(pod: dict[str, Any], node: dict[str, Any], minor: int) -> str | None:
    """The reason the first failing filter gives for ``node`` (kube runs a node's filters in
    order and stops at the first that rejects it), or None when the pod fits."""
    spec = pod.get("spec") or {}
    tolerations = [t for t in spec.get("tolerations") or [] if isinstance(t, dict)]
    node_spec = node.get("spec") or {}
    if node_spec.get("unschedulable") and not any(
            tolerates(t, {"key": UNSCHEDULABLE_TAINT, "effect": "NoSchedule"})
            for t in tolerations):
        return messages.SCHED_REASON_UNSCHEDULABLE
    for taint in node_spec.get("taints") or []:
        if not isinstance(taint, dict) or taint.get("effect") not in ("NoSchedule", "NoExecute"):
            continue
        if not any(tolerates(t, taint) for t in tolerations):
            if minor >= GENERIC_TAINT_MINOR:
                return messages.SCHED_REASON_TAINTS
            return messages.SCHED_REASON_TAINT.format(key=taint.get("key", ""),
                                                      value=taint.get("value", ""))
    if not matches_node(spec, node):
        return messages.SCHED_REASON_AFFINITY
    return None


def unschedulable_message(reason: str, minor: int) -> str:
    """kube's FitError text for the one node: the filter's reason, then the PostFilter plugins'
    (preemption cannot help against these filters)."""
    post = messages.SCHED_PREEMPTION_NOT_HELPFUL.format(total=1, count=1)
    if minor >= DRA_POSTFILTER_MINOR:
        post = f"{messages.SCHED_NO_CLAIMS_TO_DEALLOCATE}, {post}"
    return messages.SCHED_NODES_UNAVAILABLE.format(total=1, reasons=f"1 {reason}", post=post)


def tolerates(toleration: dict[str, Any], taint: dict[str, Any]) -> bool:
    """v1.Toleration.ToleratesTaint."""
    effect = toleration.get("effect") or ""
    if effect and effect != taint.get("effect"):
        return False
    key = toleration.get("key") or ""
    if key and key != taint.get("key"):
        return False
    operator = toleration.get("operator") or "Equal"
    if operator == "Exists":
        return True
    return operator == "Equal" and (toleration.get("value") or "") == (taint.get("value") or "")


def matches_node(spec: dict[str, Any], node: dict[str, Any]) -> bool:
    """The NodeAffinity filter: the pod's nodeSelector and its required node affinity."""
    labels = node["metadata"].get("labels") or {}
    selector = spec.get("nodeSelector") or {}
    if any(labels.get(k) != v for k, v in selector.items()):
        return False
    required = (((spec.get("affinity") or {}).get("nodeAffinity") or {})
                .get("requiredDuringSchedulingIgnoredDuringExecution"))
    if not isinstance(required, dict):
        return True
    terms = [t for t in required.get("nodeSelectorTerms") or [] if isinstance(t, dict)]
    return any(_term_matches(t, labels, node["metadata"]["name"]) for t in terms)


def _term_matches(term: dict[str, Any], labels: dict[str, str], node_name: str) -> bool:
    expressions = [e for e in term.get("matchExpressions") or [] if isinstance(e, dict)]
    fields = [f for f in term.get("matchFields") or [] if isinstance(f, dict)]
    if not expressions and not fields:
        return False  # an empty term matches no node
    return (all(_requirement(e, labels) for e in expressions)
            and all(_requirement(f, {"metadata.name": node_name}) for f in fields))


def _requirement(expression: dict[str, Any], values: dict[str, str]) -> bool:
    key, operator = expression.get("key", ""), expression.get("operator", "")
    wanted = [str(v) for v in expression.get("values") or []]
    present, value = key in values, values.get(key)
    if operator == "In":
        return present and value in wanted
    if operator == "NotIn":
        return not present or value not in wanted
    if operator == "Exists":
        return present
    if operator == "DoesNotExist":
        return not present
    if operator in ("Gt", "Lt") and present and len(wanted) == 1:
        try:
            have, limit = int(str(value)), int(wanted[0])
        except ValueError:
            return False
        return have > limit if operator == "Gt" else have < limit
    return False


def controllers(ctx: Context) -> list[Controller]:
    return [Scheduler(ctx)]
