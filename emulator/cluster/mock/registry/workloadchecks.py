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
    part: required, not empty, and selecting the template's labels."""
    spec = obj.get("spec") if isinstance(obj.get("spec"), dict) else {}
    selector = spec.get("selector")
    if not isinstance(selector, dict):
        return [fe.required("spec.selector")]
    errors: list[FieldError] = []
    if not (selector.get("matchLabels") or selector.get("matchExpressions")):
        errors.append(fe.invalid_value("spec.selector", _selector_value(selector, minor),
                                       messages.K8S_EMPTY_SELECTOR.format(kind=noun),
                                       minor))
        return errors
    template = spec.get("template") if isinstance(spec.get("template"), dict) else {}
    labels = (template.get("metadata") or {}).get("labels") or {}
    try:
        wanted = selectors.label_selector_from_match(selector)
    except Exception:  # noqa: BLE001 - a malformed selector is the schema's and RBAC's to word
        return errors
    if not wanted.matches(labels):
        errors.append(fe.invalid_value("spec.template.metadata.labels", _labels_value(labels, minor),
                                       messages.K8S_SELECTOR_MISMATCH, minor))
    return errors


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


def _labels_value(labels: dict[str, Any], minor: int) -> Any:
    """How ErrorBody prints a map[string]string: Go's %#v before apimachinery 0.34, JSON after."""
    if minor >= 34:
        return labels
    inner = ", ".join(f"{fe.go_json(str(k))}:{fe.go_json(str(v))}" for k, v in sorted(labels.items()))
    return GoText("map[string]string{" + inner + "}")


def _selector_value(selector: dict[str, Any], minor: int) -> Any:
    """A *metav1.LabelSelector as ErrorBody prints it."""
    if minor >= 34:
        return selector
    labels = selector.get("matchLabels")
    shown = ("map[string]string(nil)" if labels is None
             else str(_labels_value(labels, minor)))
    expressions = ("[]v1.LabelSelectorRequirement(nil)" if selector.get("matchExpressions") is None
                   else "[]v1.LabelSelectorRequirement{}")
    return GoText(f"&v1.LabelSelector{{MatchLabels:{shown}, MatchExpressions:{expressions}}}")
