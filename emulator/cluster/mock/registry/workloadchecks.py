"""kube's validation of the workload kinds the controllers act on, where a bad object would make
a controller misbehave rather than merely look odd: the apps/v1 specs (pkg/apis/apps/validation:
ValidateDeploymentSpec, ValidateReplicaSetSpec, ValidateStatefulSetSpec, ValidateDaemonSetSpec)
and a ReplicationController's (ValidateReplicationControllerSpec in pkg/apis/core/validation),
each in kube's order with the pod template's checks (podspecchecks.py) where kube makes them,
and Jobs and CronJobs have theirs (jobchecks.py).

A Deployment whose selector does not select its own template's pods would have its ReplicaSet
create pods forever, each one unselected; one with ``maxSurge`` and ``maxUnavailable`` both 0
could never roll out; a negative replica count or a percentage such as ``150x`` has no meaning to
the controllers that read it. kube-apiserver refuses all of them, and so does the mock.

A StatefulSet's ``updateStrategy.rollingUpdate.maxUnavailable`` is not checked: its feature gate
(MaxUnavailableStatefulSet) is off in every minor served, and kube drops the field unchecked
(defaults.drop_disabled_stateful_set_fields).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from emulator import messages
from emulator.cluster.mock.registry import fielderrors as fe
from emulator.cluster.mock.registry import (namechecks, podspecchecks, schedulingchecks,
                                            selectors)
from emulator.cluster.mock.registry.fielderrors import FieldError, GoAddresses, GoText
from emulator.cluster.mock.registry.jsonread import as_dict, dict_at_path, dict_in, is_int

Obj = dict[str, Any]
Validator = Callable[[Obj, Obj | None, int], list[FieldError]]

SERVICE_NAME_CHECKED_FROM = 33  # kubernetes/kubernetes#130233
_PERCENT = re.compile(r"[0-9]+%")  # apimachinery's percentFmt
GO_INT = re.compile(r"[+-]?[0-9]+")  # what strconv.Atoi takes (within an int64)


def validator(kind: str) -> Validator:
    """The whole spec validation of an apps/v1 workload ``kind`` or a ReplicationController, as
    a ``Behaviour.validate``."""
    return _VALIDATORS[kind]


def deployment(obj: Obj, old: Obj | None, minor: int) -> list[FieldError]:
    """ValidateDeploymentSpec."""
    spec = dict_in(obj, "spec")
    errors = not_negative(spec, "spec", "replicas", minor)
    selected, parsed = _selector("deployment", obj, minor)
    errors += selected
    if parsed:
        errors += _template(obj, old, minor, "ReplicaSet")  # kube's words for a Deployment's too
    errors += _deployment_strategy(dict_in(spec, "strategy"), minor)
    for name in ("minReadySeconds", "revisionHistoryLimit", "progressDeadlineSeconds"):
        errors += not_negative(spec, "spec", name, minor)
    deadline = spec.get("progressDeadlineSeconds")
    if is_int(deadline) and deadline <= as_int(spec.get("minReadySeconds")):
        errors.append(fe.invalid_value("spec.progressDeadlineSeconds", deadline,
                                       messages.K8S_DEADLINE_NOT_OVER_MIN_READY, minor))
    return errors


def replica_set(obj: Obj, old: Obj | None, minor: int) -> list[FieldError]:
    """ValidateReplicaSetSpec."""
    spec = dict_in(obj, "spec")
    errors = not_negative(spec, "spec", "replicas", minor)
    errors += not_negative(spec, "spec", "minReadySeconds", minor)
    selected, parsed = _selector("deployment", obj, minor)
    return errors + selected + (_template(obj, old, minor, "ReplicaSet") if parsed else [])


def stateful_set(obj: Obj, old: Obj | None, minor: int) -> list[FieldError]:
    """ValidateStatefulSetSpec."""
    spec = dict_in(obj, "spec")
    errors: list[FieldError] = []
    policy = spec.get("podManagementPolicy")
    if policy not in (None, "OrderedReady", "Parallel"):  # defaulting fills a missing one
        errors.append(fe.invalid_value("spec.podManagementPolicy", policy,
                                       messages.K8S_POD_MANAGEMENT_POLICY, minor))
    errors += _stateful_set_strategy(dict_in(spec, "updateStrategy"), minor)
    retention = spec.get("persistentVolumeClaimRetentionPolicy")
    if isinstance(retention, dict):
        for name in ("whenDeleted", "whenScaled"):
            value = retention.get(name)
            if value not in ("Retain", "Delete"):
                errors.append(fe.not_supported(
                    f"spec.persistentVolumeClaimRetentionPolicy.{name}",
                    "" if value is None else value, ["Retain", "Delete"], minor))
    errors += not_negative(spec, "spec", "replicas", minor)
    errors += not_negative(spec, "spec", "minReadySeconds", minor)
    errors += not_negative(dict_in(spec, "ordinals"), "spec.ordinals", "start", minor)
    errors += _service_name(spec, old, minor)
    selected, parsed = _selector("statefulset", obj, minor)
    return errors + selected + (podspecchecks.stateful_set_template(obj, old, minor)
                                if parsed else [])


def _service_name(spec: Obj, old: Obj | None, minor: int) -> list[FieldError]:
    """From 1.33 a StatefulSet's serviceName is its pods' subdomain, a DNS-1123 label; one
    stored before, and kept, is let be."""
    name = spec.get("serviceName")
    if minor < SERVICE_NAME_CHECKED_FROM or not isinstance(name, str) or not name:
        return []
    kept = old is not None and dict_in(old, "spec").get("serviceName")
    if isinstance(kept, str) and namechecks.dns1123_label(kept):
        return []
    return [fe.invalid_value("spec.serviceName", name, text, minor)
            for text in namechecks.dns1123_label(name)]


def daemon_set(obj: Obj, old: Obj | None, minor: int) -> list[FieldError]:
    """ValidateDaemonSetSpec."""
    spec = dict_in(obj, "spec")
    errors, _ = _selector("daemonset", obj, minor)
    errors += _template(obj, old, minor, "DaemonSet")
    errors += not_negative(spec, "spec", "minReadySeconds", minor)
    errors += _daemon_set_strategy(dict_in(spec, "updateStrategy"), minor)
    return errors + not_negative(spec, "spec", "revisionHistoryLimit", minor)


def replication_controller(obj: Obj, old: Obj | None, minor: int) -> list[FieldError]:
    """ValidateReplicationControllerSpec: its selector is a plain map, which defaulting copies
    from the template's labels, so only a template without labels leaves it empty."""
    spec = dict_in(obj, "spec")
    errors = not_negative(spec, "spec", "minReadySeconds", minor)
    selector = as_dict(spec.get("selector"))
    if not selector:
        errors.append(fe.required("spec.selector"))
    errors += not_negative(spec, "spec", "replicas", minor)
    template = spec.get("template")
    if not isinstance(template, dict):  # a pointer in kube: no template, nothing else to check
        return errors + [fe.required("spec.template")]
    labels = as_dict(template.get("metadata")).get("labels")
    if selector and not all(as_dict(labels).get(k) == v for k, v in selector.items()):
        errors.append(fe.invalid_value("spec.template.metadata.labels",
                                       labels_value(labels, minor),
                                       messages.K8S_SELECTOR_MISMATCH, minor))
    return errors + _template(obj, old, minor, "ReplicationController")


def _selector(noun: str, obj: Obj, minor: int) -> tuple[list[FieldError], bool]:
    """The selector part of ValidateDeploymentSpec / ReplicaSetSpec / StatefulSetSpec /
    DaemonSetSpec: required (but a DaemonSet's, which kube never asks for), a valid label
    selector (ValidateLabelSelector), not empty, and selecting the template's labels (an empty
    one selects everything, and is not compared). Also whether kube's LabelSelectorAsSelector
    took it, without which it checks no template (but a DaemonSet's): it refuses exactly what
    ValidateLabelSelector refuses."""
    selector = dict_in(obj, "spec").get("selector")
    labels = dict_at_path(obj, "spec.template.metadata").get("labels")
    mismatch = fe.invalid_value("spec.template.metadata.labels", labels_value(labels, minor),
                                messages.K8S_SELECTOR_MISMATCH, minor)
    if not isinstance(selector, dict):
        # No selector selects nothing (labels.Nothing), so no template matches it either.
        return ([] if noun == "daemonset" else [fe.required("spec.selector")]) + [mismatch], True
    errors = schedulingchecks.label_selector(selector, "spec.selector", minor)
    parsed = not errors
    empty = [] if selector.get("matchLabels") or selector.get("matchExpressions") else [
        fe.invalid_value("spec.selector", selector_value(selector, minor),
                         messages.K8S_EMPTY_SELECTOR.format(kind=noun), minor)]
    if noun != "daemonset":
        errors += empty
        if not parsed:
            detail = "" if noun == "statefulset" else messages.K8S_INVALID_LABEL_SELECTOR
            return errors + [fe.invalid_value("spec.selector", selector_value(selector, minor),
                                              detail, minor)], False
    if parsed and not empty:
        try:
            matches = selectors.label_selector_from_match(selector).matches(as_dict(labels))
        except Exception:  # noqa: BLE001 - what ValidateLabelSelector took, it parses
            matches = True
        errors += [] if matches else [mismatch]
    return errors + (empty if noun == "daemonset" else []), parsed


def _template(obj: Obj, old: Obj | None, minor: int, owner: str) -> list[FieldError]:
    """ValidatePodTemplateSpecFor{ReplicaSet,RC} and the DaemonSet's: the pod template, a pod
    that restarts Always and has no deadline of its own."""
    return podspecchecks.template("spec.template", "Always", owner)(obj, old, minor)


def _deployment_strategy(strategy: Obj, minor: int) -> list[FieldError]:
    """ValidateDeploymentStrategy and ValidateRollingUpdateDeployment."""
    path, kind, rolling = "spec.strategy", strategy.get("type"), strategy.get("rollingUpdate")
    if kind == "Recreate":
        return [] if rolling is None else [fe.forbidden(
            f"{path}.rollingUpdate", messages.K8S_RECREATE_ROLLING_UPDATE)]
    if kind != "RollingUpdate":
        shown = _strategy_value("DeploymentStrategy", "RollingUpdateDeployment", strategy,
                                ("maxUnavailable", "maxSurge"), minor)
        return [fe.not_supported(path, shown, ["Recreate", "RollingUpdate"], minor)]
    rolling = as_dict(rolling)  # defaulting made it, with both fields
    unavailable, surge = rolling.get("maxUnavailable"), rolling.get("maxSurge")
    errors = int_or_percent(unavailable, f"{path}.rollingUpdate.maxUnavailable", minor)
    errors += int_or_percent(surge, f"{path}.rollingUpdate.maxSurge", minor)
    if _scalar(unavailable) == 0 and _scalar(surge) == 0:
        errors.append(fe.invalid_value(f"{path}.rollingUpdate.maxUnavailable",
                                       fe.int_or_string(unavailable, minor),
                                       messages.K8S_SURGE_AND_UNAVAILABLE_ZERO, minor))
    return errors + not_over_100(unavailable, f"{path}.rollingUpdate.maxUnavailable", minor)


def _stateful_set_strategy(strategy: Obj, minor: int) -> list[FieldError]:
    """ValidateStatefulSetSpec's updateStrategy part."""
    path, kind, rolling = "spec.updateStrategy", strategy.get("type"), strategy.get("rollingUpdate")
    if kind == "OnDelete":
        if rolling is None:
            return []
        shown = _rolling_stateful_set_value(as_dict(rolling), minor)
        return [fe.invalid_value(f"{path}.rollingUpdate", shown,
                                 messages.K8S_ROLLING_UPDATE_ON_DELETE, minor)]
    if kind == "RollingUpdate":
        return not_negative(as_dict(rolling), f"{path}.rollingUpdate", "partition", minor)
    shown = _strategy_value("StatefulSetUpdateStrategy", "RollingUpdateStatefulSetStrategy",
                            strategy, (), minor)
    return [fe.invalid_value(path, shown, messages.K8S_STATEFUL_SET_STRATEGY, minor)]


def _daemon_set_strategy(strategy: Obj, minor: int) -> list[FieldError]:
    """ValidateDaemonSetUpdateStrategy and ValidateRollingUpdateDaemonSet: exactly one of
    maxSurge and maxUnavailable is not zero."""
    path, kind = "spec.updateStrategy", strategy.get("type")
    if kind == "OnDelete":
        return []
    if kind != "RollingUpdate":
        shown = _strategy_value("DaemonSetUpdateStrategy", "RollingUpdateDaemonSet", strategy,
                                ("maxUnavailable", "maxSurge"), minor)
        return [fe.not_supported(path, shown, ["RollingUpdate", "OnDelete"], minor)]
    rolling = as_dict(strategy.get("rollingUpdate"))  # defaulting made it, with both fields
    unavailable, surge = rolling.get("maxUnavailable"), rolling.get("maxSurge")
    at = f"{path}.rollingUpdate"
    errors = int_or_percent(unavailable, f"{at}.maxUnavailable", minor)
    errors += int_or_percent(surge, f"{at}.maxSurge", minor)
    errors += not_over_100(unavailable, f"{at}.maxUnavailable", minor)
    errors += not_over_100(surge, f"{at}.maxSurge", minor)
    has_unavailable, has_surge = _scalar(unavailable) != 0, _scalar(surge) != 0
    if has_unavailable and has_surge:
        errors.append(fe.invalid_value(f"{at}.maxSurge", fe.int_or_string(surge, minor),
                                       messages.K8S_DAEMON_SET_SURGE_WITH_UNAVAILABLE, minor))
    elif not has_unavailable and not has_surge:
        errors.append(fe.required(f"{at}.maxUnavailable", messages.K8S_DAEMON_SET_BOTH_ZERO))
    return errors


# -- numbers and IntOrStrings, as kube reads them --------------------------------------------------


def as_int(value: Any) -> int:
    return value if is_int(value) else 0


def not_negative(obj: Obj, path: str, name: str, minor: int) -> list[FieldError]:
    """ValidateNonnegativeField of ``obj[name]``, when it is there."""
    value = obj.get(name)
    if is_int(value) and value < 0:
        return [fe.invalid_value(f"{path}.{name}", value, messages.K8S_NOT_NEGATIVE, minor)]
    return []


def int_or_percent(value: Any, path: str, minor: int) -> list[FieldError]:
    """ValidatePositiveIntOrPercent: a percentage such as ``25%``, or an int not below 0."""
    if isinstance(value, str):
        if _PERCENT.fullmatch(value):
            return []
        return [fe.invalid_value(path, fe.int_or_string(value, minor), messages.K8S_PERCENT,
                                 minor)]
    if is_int(value) and value < 0:
        return [fe.invalid_value(path, value, messages.K8S_NOT_NEGATIVE, minor)]
    return []


def not_over_100(value: Any, path: str, minor: int) -> list[FieldError]:
    """IsNotMoreThan100Percent: only a well-formed percentage is compared."""
    if isinstance(value, str) and _PERCENT.fullmatch(value) and _atoi(value[:-1]) > 100:
        return [fe.invalid_value(path, fe.int_or_string(value, minor),
                                 messages.K8S_OVER_100_PERCENT, minor)]
    return []


def _scalar(value: Any) -> int:
    """getIntOrPercentValue: a percentage's number, else IntValue() (a string that is no
    number is 0, as strconv.Atoi's failure leaves it)."""
    if isinstance(value, str):
        return _atoi(value[:-1] if _PERCENT.fullmatch(value) else value)
    return as_int(value)


def _atoi(text: str) -> int:
    """strconv.Atoi's value, its error ignored: 0 for what is no number, the int64 bound for
    what overflows it."""
    if not GO_INT.fullmatch(text):
        return 0
    return max(-(2 ** 63), min(2 ** 63 - 1, int(text)))


# -- internal structs as ErrorBody prints them -----------------------------------------------------


def _strategy_value(go_type: str, rolling_type: str, strategy: Obj, fields: tuple[str, ...],
                    minor: int) -> GoText:
    """A strategy of internal type ``apps.<go_type>`` ({Type, RollingUpdate}): Go's %#v before
    1.34 (a rolling update that is there is a pointer, printed at a made-up address), then
    encoding/json with Go's field names (internal types have no json tags)."""
    kind, rolling = strategy.get("type", ""), strategy.get("rollingUpdate")
    if minor >= 34:
        inner = "null" if not isinstance(rolling, dict) else "{" + ",".join(
            f'"{_go_name(name)}":{fe.int_or_string(rolling.get(name), minor)}'
            for name in fields) + "}"
        return GoText(f'{{"Type":{fe.go_json(kind)},"RollingUpdate":{inner}}}')
    pointer = (f"(*apps.{rolling_type})(nil)" if not isinstance(rolling, dict)
               else GoAddresses()(f"*apps.{rolling_type}"))
    return GoText(f"apps.{go_type}{{Type:{fe.go_quote(str(kind))}, RollingUpdate:{pointer}}}")


def _rolling_stateful_set_value(rolling: Obj, minor: int) -> GoText:
    """An apps.RollingUpdateStatefulSetStrategy. Its maxUnavailable is always nil here: kube
    dropped it, its feature gate being off."""
    partition = as_int(rolling.get("partition"))
    if minor >= 34:
        return GoText(f'{{"Partition":{partition},"MaxUnavailable":null}}')
    return GoText(f"apps.RollingUpdateStatefulSetStrategy{{Partition:{partition}, "
                  "MaxUnavailable:(*intstr.IntOrString)(nil)}")


def _go_name(json_name: str) -> str:
    return json_name[0].upper() + json_name[1:]


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


_VALIDATORS: dict[str, Validator] = {
    "Deployment": deployment, "ReplicaSet": replica_set, "StatefulSet": stateful_set,
    "DaemonSet": daemon_set, "ReplicationController": replication_controller}
