"""kube's validation of what bounds a workload's scale: a HorizontalPodAutoscaler
(pkg/apis/autoscaling/validation) and a PodDisruptionBudget (pkg/apis/policy/validation).

- An HPA has at least one replica (a minReplicas of 0 needs the HPAScaleToZero gate, which is
  off, unless the stored HPA already had it), a maxReplicas above 0 and not below minReplicas,
  a target it names by kind and name, metrics whose type matches the one source they fill and
  whose targets are positive, and scaling rules with known policies within kube's bounds.
- A PodDisruptionBudget sets minAvailable or maxUnavailable, not both, each an int that is not
  negative or a percentage up to 100%, a valid label selector, and a known unhealthy pod
  eviction policy.

The HPA's rules are checked on the stored autoscaling/v2 object, as kube checks its internal
one: an autoscaling/v1 ``targetCPUUtilizationPercentage`` of 0 is named by the path of the
metric it becomes. A target quantity that is not positive is printed as its canonical string
in every minor; kube before 1.34 prints Go's %#v of the internal resource.Quantity struct.
"""

from __future__ import annotations

import decimal
from typing import Any

from emulator import messages
from emulator.cluster.mock.registry import fielderrors as fe
from emulator.cluster.mock.registry import podspecchecks, schedulingchecks
from emulator.cluster.mock.registry.fielderrors import FieldError, GoAddresses, GoText
from emulator.cluster.mock.registry.jsonread import as_dict, dict_in, is_int, list_in
from emulator.cluster.mock.registry.namechecks import dns1123_label, path_segment_name
from emulator.cluster.mock.registry.quantities import canonical_quantity, parse_quantity
from emulator.cluster.mock.registry.workloadchecks import (int_or_percent, not_over_100,
                                                           selector_value)

Obj = dict[str, Any]

MAX_PERIOD_SECONDS = 1800
MAX_STABILIZATION_WINDOW_SECONDS = 3600
_METRIC_TYPES = ["ContainerResource", "External", "Object", "Pods", "Resource"]  # sorted
_SOURCE_FIELDS = {"Object": "object", "Pods": "pods", "Resource": "resource",
                  "External": "external", "ContainerResource": "containerResource"}
_TARGET_TYPES = ("Utilization", "Value", "AverageValue")


# -- HorizontalPodAutoscaler ---------------------------------------------------------------------


def horizontal_pod_autoscaler(obj: Obj, old: Obj | None, minor: int) -> list[FieldError]:
    """validateHorizontalPodAutoscalerSpec, with the lower bound of minReplicas kube uses on
    create, or on an update of an HPA that already scaled to zero."""
    spec = dict_in(obj, "spec")
    had_zero = old is not None and dict_in(old, "spec").get("minReplicas") == 0
    bound = 0 if had_zero else 1
    least, most = spec.get("minReplicas"), spec.get("maxReplicas")
    errors: list[FieldError] = []
    if is_int(least) and least < bound:
        errors.append(fe.invalid_value("spec.minReplicas", least,
                                       messages.K8S_AT_LEAST.format(bound=bound), minor))
    most = most if is_int(most) else 0
    if most < 1:
        errors.append(fe.invalid_value("spec.maxReplicas", most, messages.K8S_MUST_BE_POSITIVE,
                                       minor))
    if is_int(least) and most < least:
        errors.append(fe.invalid_value("spec.maxReplicas", most,
                                       messages.K8S_MAX_UNDER_MIN_REPLICAS, minor))
    errors += _object_reference(dict_in(spec, "scaleTargetRef"), "spec.scaleTargetRef", minor)
    errors += _metrics(list_in(spec, "metrics"), "spec.metrics", least, minor)
    behavior = spec.get("behavior")
    if isinstance(behavior, dict):
        for name in ("scaleUp", "scaleDown"):
            if isinstance(behavior.get(name), dict):
                errors += _scaling_rules(behavior[name], f"spec.behavior.{name}", minor)
    return errors


def _object_reference(ref: Obj, path: str, minor: int) -> list[FieldError]:
    """ValidateCrossVersionObjectReference: a kind and a name, each a path segment."""
    errors = []
    for name in ("kind", "name"):
        value = ref.get(name)
        if not isinstance(value, str) or not value:
            errors.append(fe.required(f"{path}.{name}"))
        else:
            errors += [fe.invalid_value(f"{path}.{name}", value, text, minor)
                       for text in path_segment_name(value)]
    return errors


def _metrics(metrics: list[Any], path: str, least: Any, minor: int) -> list[FieldError]:
    """validateMetrics: each metric, then what scaling to zero needs."""
    errors: list[FieldError] = []
    for i, metric in enumerate(metrics):
        errors += _metric(as_dict(metric), f"{path}[{i}]", minor)
    kinds = {as_dict(m).get("type") for m in metrics}
    if least == 0 and not kinds & {"Object", "External"}:
        errors.append(fe.forbidden(path, messages.K8S_SCALE_TO_ZERO_METRICS))
    return errors


def _metric(metric: Obj, path: str, minor: int) -> list[FieldError]:
    """validateMetricSpec: a known type, its own source filled (and checked), no other."""
    kind = metric.get("type")
    kind = kind if isinstance(kind, str) else ""
    errors: list[FieldError] = []
    if not kind:
        errors.append(fe.required(f"{path}.type", messages.K8S_METRIC_TYPE_REQUIRED))
    if kind not in _METRIC_TYPES:
        errors.append(fe.not_supported(f"{path}.type", kind, _METRIC_TYPES, minor))
    present = []
    for field in ("object", "external", "pods", "resource", "containerResource"):
        if isinstance(metric.get(field), dict):
            present.append(field)
            if len(present) == 1:  # kube checks only the first source it finds
                errors += _SOURCES[field](metric[field], f"{path}.{field}", minor)
    expected = _SOURCE_FIELDS.get(kind)
    if expected is None:
        errors.append(fe.not_supported(f"{path}.type", kind, _METRIC_TYPES, minor))
    elif expected not in present:
        errors.append(fe.required(f"{path}.{expected}", messages.K8S_METRIC_SOURCE_REQUIRED))
    if len(present) != 1:
        # Go ranges over a set here, in no order; the mock names them in the spec's order.
        errors += [fe.forbidden(f"{path}.{field}", messages.K8S_METRIC_SOURCE_ONLY)
                   for field in present if field != expected]
    return errors


def _object_source(source: Obj, path: str, minor: int) -> list[FieldError]:
    target = dict_in(source, "target")
    errors = _object_reference(dict_in(source, "describedObject"), f"{path}.describedObject",
                               minor)
    errors += _metric_identifier(dict_in(source, "metric"), f"{path}.metric", minor)
    errors += _target(target, f"{path}.target", minor)
    if target.get("value") is None and target.get("averageValue") is None:
        errors.append(fe.required(f"{path}.target.averageValue", messages.K8S_OBJECT_TARGET))
    return errors


def _external_source(source: Obj, path: str, minor: int) -> list[FieldError]:
    target = dict_in(source, "target")
    errors = _metric_identifier(dict_in(source, "metric"), f"{path}.metric", minor)
    errors += _target(target, f"{path}.target", minor)
    value, average = target.get("value"), target.get("averageValue")
    if value is None and average is None:
        errors.append(fe.required(f"{path}.target.averageValue", messages.K8S_EXTERNAL_TARGET))
    if value is not None and average is not None:
        errors.append(fe.forbidden(f"{path}.target.value", messages.K8S_EXTERNAL_BOTH))
    return errors


def _pods_source(source: Obj, path: str, minor: int) -> list[FieldError]:
    target = dict_in(source, "target")
    errors = _metric_identifier(dict_in(source, "metric"), f"{path}.metric", minor)
    errors += _target(target, f"{path}.target", minor)
    if target.get("averageValue") is None:
        errors.append(fe.required(f"{path}.target.averageValue", messages.K8S_PODS_TARGET))
    return errors


def _resource_source(source: Obj, path: str, minor: int,
                     container: bool = False) -> list[FieldError]:
    """validateResourceSource, and validateContainerResourceSource (``container``), which also
    checks the resource name and names a container."""
    name = source.get("name")
    errors: list[FieldError] = []
    if not isinstance(name, str) or not name:
        errors.append(fe.required(f"{path}.name", messages.K8S_RESOURCE_NAME_REQUIRED))
    elif container:
        errors += podspecchecks.container_resource_name(name, f"{path}.name", minor)
    if container:
        owner = source.get("container")
        if not isinstance(owner, str) or not owner:
            errors.append(fe.required(f"{path}.container", messages.K8S_METRIC_CONTAINER_REQUIRED))
        else:
            errors += [fe.invalid_value(f"{path}.container", owner, text, minor)
                       for text in dns1123_label(owner)]
    target = dict_in(source, "target")
    errors += _target(target, f"{path}.target", minor)
    utilization, average = target.get("averageUtilization"), target.get("averageValue")
    if utilization is None and average is None:
        errors.append(fe.required(f"{path}.target.averageUtilization",
                                  messages.K8S_RESOURCE_TARGET))
    if utilization is not None and average is not None:
        errors.append(fe.forbidden(f"{path}.target.averageValue", messages.K8S_RESOURCE_BOTH))
    return errors


def _container_resource_source(source: Obj, path: str, minor: int) -> list[FieldError]:
    return _resource_source(source, path, minor, container=True)


_SOURCES = {"object": _object_source, "external": _external_source, "pods": _pods_source,
            "resource": _resource_source, "containerResource": _container_resource_source}


def _target(target: Obj, path: str, minor: int) -> list[FieldError]:
    """validateMetricTarget."""
    kind = target.get("type")
    kind = kind if isinstance(kind, str) else ""
    errors: list[FieldError] = []
    if not kind:
        errors.append(fe.required(f"{path}.type", messages.K8S_TARGET_TYPE_REQUIRED))
    if kind not in _TARGET_TYPES:
        errors.append(fe.invalid_value(f"{path}.type", kind, messages.K8S_TARGET_TYPE, minor))
    for name in ("value", "averageValue"):
        quantity = target.get(name)
        number = parse_quantity(quantity)
        if isinstance(number, decimal.Decimal) and number <= 0:
            errors.append(fe.invalid_value(f"{path}.{name}", canonical_quantity(quantity),
                                           messages.K8S_TARGET_NOT_POSITIVE, minor))
    utilization = target.get("averageUtilization")
    if is_int(utilization) and utilization < 1:
        errors.append(fe.invalid_value(f"{path}.averageUtilization", utilization,
                                       messages.K8S_MUST_BE_POSITIVE, minor))
    return errors


def _metric_identifier(metric: Obj, path: str, minor: int) -> list[FieldError]:
    name = metric.get("name")
    if not isinstance(name, str) or not name:
        return [fe.required(f"{path}.name", messages.K8S_METRIC_NAME_REQUIRED)]
    return [fe.invalid_value(f"{path}.name", name, text, minor) for text in path_segment_name(name)]


def _scaling_rules(rules: Obj, path: str, minor: int) -> list[FieldError]:
    """validateScalingRules and validateScalingPolicy."""
    errors: list[FieldError] = []
    window = rules.get("stabilizationWindowSeconds")
    if is_int(window) and window < 0:
        errors.append(fe.invalid_value(f"{path}.stabilizationWindowSeconds", window,
                                       messages.K8S_NOT_BELOW_ZERO, minor))
    if is_int(window) and window > MAX_STABILIZATION_WINDOW_SECONDS:
        errors.append(fe.invalid_value(f"{path}.stabilizationWindowSeconds", window,
                                       messages.K8S_AT_MOST.format(
                                           limit=MAX_STABILIZATION_WINDOW_SECONDS), minor))
    select = rules.get("selectPolicy")
    if select is not None and select not in ("Disabled", "Max", "Min"):
        errors.append(fe.not_supported(f"{path}.selectPolicy", select,
                                       ["Disabled", "Max", "Min"], minor))
    policies = list_in(rules, "policies")
    if not policies:
        errors.append(fe.required(f"{path}.policies", messages.K8S_NO_SCALING_POLICY))
    for i, item in enumerate(policies):
        policy, at = as_dict(item), f"{path}.policies[{i}]"
        kind = policy.get("type")
        if kind not in ("Pods", "Percent"):
            errors.append(fe.not_supported(f"{at}.type", kind if isinstance(kind, str) else "",
                                           ["Percent", "Pods"], minor))
        for name in ("value", "periodSeconds"):
            number = policy.get(name) if is_int(policy.get(name)) else 0
            if number <= 0:
                errors.append(fe.invalid_value(f"{at}.{name}", number,
                                               messages.K8S_GREATER_THAN_ZERO, minor))
        period = policy.get("periodSeconds")
        if is_int(period) and period > MAX_PERIOD_SECONDS:
            errors.append(fe.invalid_value(f"{at}.periodSeconds", period,
                                           messages.K8S_AT_MOST.format(limit=MAX_PERIOD_SECONDS),
                                           minor))
    return errors


# -- PodDisruptionBudget -------------------------------------------------------------------------


def pod_disruption_budget(obj: Obj, old: Obj | None, minor: int) -> list[FieldError]:
    """ValidatePodDisruptionBudgetSpec, on create and update alike."""
    spec = dict_in(obj, "spec")
    least, most = spec.get("minAvailable"), spec.get("maxUnavailable")
    errors: list[FieldError] = []
    if least is not None and most is not None:
        errors.append(fe.invalid_value("spec", _budget_value(spec, minor),
                                       messages.K8S_PDB_BOTH_SET, minor))
    for name, value in (("minAvailable", least), ("maxUnavailable", most)):
        if value is not None:
            errors += int_or_percent(value, f"spec.{name}", minor)
            errors += not_over_100(value, f"spec.{name}", minor)
    selector = spec.get("selector")
    if isinstance(selector, dict):
        errors += schedulingchecks.label_selector(selector, "spec.selector", minor)
    policy = spec.get("unhealthyPodEvictionPolicy")
    if policy is not None and policy not in ("IfHealthyBudget", "AlwaysAllow"):
        errors.append(fe.not_supported("spec.unhealthyPodEvictionPolicy", policy,
                                       ["AlwaysAllow", "IfHealthyBudget"], minor))
    return errors


def _budget_value(spec: Obj, minor: int) -> GoText:
    """An internal policy.PodDisruptionBudgetSpec: four pointers (%#v prints made-up addresses
    before 1.34; JSON with Go's field names after)."""
    selector, policy = spec.get("selector"), spec.get("unhealthyPodEvictionPolicy")
    if minor >= 34:
        return GoText(
            f'{{"MinAvailable":{fe.int_or_string(spec["minAvailable"], minor)},'
            f'"Selector":{selector_value(selector, minor)},'
            f'"MaxUnavailable":{fe.int_or_string(spec["maxUnavailable"], minor)},'
            f'"UnhealthyPodEvictionPolicy":{fe.go_json(policy)}}}')
    address = GoAddresses()

    def pointer(go_type: str, value: Any) -> str:
        return f"({go_type})(nil)" if value is None else address(go_type)

    return GoText(
        f"policy.PodDisruptionBudgetSpec{{MinAvailable:{address('*intstr.IntOrString')}, "
        f"Selector:{pointer('*v1.LabelSelector', selector)}, "
        f"MaxUnavailable:{address('*intstr.IntOrString')}, "
        "UnhealthyPodEvictionPolicy:"
        f"{pointer('*policy.UnhealthyPodEvictionPolicyType', policy)}}}")
