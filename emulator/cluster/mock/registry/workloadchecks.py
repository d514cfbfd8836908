"""kube's validation of the workload kinds the controllers act on, where a bad object would make
a controller misbehave rather than merely look odd: apps/v1 selectors (pkg/apis/apps/validation)
and a CronJob's schedule and time zone (pkg/apis/batch/validation).

A Deployment whose selector does not select its own template's pods would have its ReplicaSet
create pods forever, each one unselected; kube-apiserver refuses it, and so does the mock.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from emulator import messages
from emulator.cluster.mock.controllers import cronschedule
from emulator.cluster.mock.registry import fielderrors as fe
from emulator.cluster.mock.registry import selectors
from emulator.cluster.mock.registry.fielderrors import FieldError, GoText

# The noun each kind's "empty selector" error names; kube's ReplicaSet reuses the Deployment's.
EMPTY_NOUN = {"Deployment": "deployment", "ReplicaSet": "deployment",
              "StatefulSet": "statefulset", "DaemonSet": "daemonset"}


def workload(kind: str) -> Callable[[dict[str, Any], dict[str, Any] | None, int],
                                    list[FieldError]]:
    """The selector checks of ``kind`` (a key of ``EMPTY_NOUN``), as a ``Behaviour.validate``."""
    return functools.partial(_workload, EMPTY_NOUN[kind])


def _workload(noun: str, obj: dict[str, Any], old: dict[str, Any] | None,
              minor: int) -> list[FieldError]:
    """ValidateDeploymentSpec / ReplicaSetSpec / StatefulSetSpec / DaemonSetSpec, their selector
    part: required, not empty, and selecting the template's labels (an empty one selects
    everything, and is not compared)."""
    spec = obj.get("spec") if isinstance(obj.get("spec"), dict) else {}
    selector = spec.get("selector")
    template = spec.get("template") if isinstance(spec.get("template"), dict) else {}
    labels = (template.get("metadata") or {}).get("labels")
    mismatch = fe.invalid_value("spec.template.metadata.labels", labels_value(labels, minor),
                                messages.K8S_SELECTOR_MISMATCH, minor)
    if not isinstance(selector, dict):
        # No selector selects nothing (labels.Nothing), so no template matches it either.
        return [fe.required("spec.selector"), mismatch]
    if not (selector.get("matchLabels") or selector.get("matchExpressions")):
        return [fe.invalid_value("spec.selector", selector_value(selector, minor),
                                 messages.K8S_EMPTY_SELECTOR.format(kind=noun), minor)]
    try:
        wanted = selectors.label_selector_from_match(selector)
    except Exception:  # noqa: BLE001 - a malformed selector is the schema's and RBAC's to word
        return []
    return [] if wanted.matches(labels or {}) else [mismatch]


def cron_job(obj: dict[str, Any], old: dict[str, Any] | None, minor: int) -> list[FieldError]:
    """ValidateCronJobSpec's schedule and timeZone checks, on create and whenever they change."""
    spec = obj.get("spec") if isinstance(obj.get("spec"), dict) else {}
    schedule, zone = spec.get("schedule"), spec.get("timeZone")
    if not isinstance(schedule, str):
        return [fe.required("spec.schedule")]
    if old is not None:
        old_spec = old.get("spec") or {}
        if old_spec.get("schedule") == schedule and old_spec.get("timeZone") == zone:
            return []  # unchanged: kube lets an object it once accepted keep what it has
    return [fe.invalid_value(path, schedule if path == "spec.schedule" else zone, text, minor)
            for path, text in cronschedule.validation_errors(
                schedule, zone if isinstance(zone, str) else None)]


def labels_value(labels: dict[str, Any] | None, minor: int) -> Any:
    """How ErrorBody prints a map[string]string: Go's %#v before apimachinery 0.34, JSON after."""
    if minor >= 34:
        return GoText("null") if labels is None else labels
    if labels is None:
        return GoText("map[string]string(nil)")
    inner = ", ".join(f"{fe.go_quote(str(k))}:{fe.go_quote(str(v))}"
                      for k, v in sorted(labels.items()))
    return GoText("map[string]string{" + inner + "}")


def selector_value(selector: dict[str, Any] | None, minor: int) -> Any:
    """A *metav1.LabelSelector as ErrorBody prints it: before apimachinery 0.34 the pointer is
    followed and the struct printed with %#v (its String method wants the pointer); from 0.34 as
    encoding/json writes it (its own field names, in Go's order, empty fields left out)."""
    if selector is None:
        return GoText("null") if minor >= 34 else None
    labels, expressions = selector.get("matchLabels"), selector.get("matchExpressions")
    if minor >= 34:
        parts = []
        if labels:
            parts.append('"matchLabels":' + fe.go_json(labels))
        if expressions:
            parts.append('"matchExpressions":[' + ",".join(
                _requirement_json(r) for r in expressions) + "]")
        return GoText("{" + ",".join(parts) + "}")
    listed = go_requirements(expressions, "v1.LabelSelectorRequirement")
    return GoText(f"v1.LabelSelector{{MatchLabels:{labels_value(labels, minor)}, "
                  f"MatchExpressions:{listed}}}")


def _requirement_json(requirement: Any) -> str:
    """A LabelSelectorRequirement as encoding/json writes it: key, operator, values if any."""
    r = requirement if isinstance(requirement, dict) else {}
    text = f'{{"key":{fe.go_json(r.get("key", ""))},"operator":{fe.go_json(r.get("operator", ""))}'
    if r.get("values"):
        text += ',"values":' + fe.go_json(r["values"])
    return text + "}"


def go_requirements(items: Any, go_type: str) -> str:
    """Go's %#v of a list of selector requirements (key, operator, values) of type ``go_type``:
    metav1's LabelSelectorRequirement, or core's NodeSelectorRequirement."""
    if not isinstance(items, list):
        return f"[]{go_type}(nil)"
    shown = []
    for item in items:
        r = item if isinstance(item, dict) else {}
        shown.append(f"{go_type}{{Key:{fe.go_quote(str(r.get('key', '')))}, "
                     f"Operator:{fe.go_quote(str(r.get('operator', '')))}, "
                     f"Values:{fe.go_strings(r.get('values'))}}}")
    return f"[]{go_type}{{" + ", ".join(shown) + "}"
