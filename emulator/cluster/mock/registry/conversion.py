"""One object between the versions a cluster serves of its kind, as kube-apiserver converts it.

kube keeps a resource in one storage version and converts every body it is sent into that version
and every object it answers out of it. Most kinds are the same in each version they are served in,
so only ``apiVersion`` changes. Two differ, and are converted as kube's conversion functions do:

* HorizontalPodAutoscaler, autoscaling/v2 and v1 (pkg/apis/autoscaling/v1/conversion.go). v1 has
  a single CPU target where v2 has a list of metrics. The CPU utilization target and the CPU
  utilization reading map onto v1's own fields. Everything else v1 cannot hold travels in four
  annotations of the v1 object, so a read-modify-write through v1 loses nothing:
  ``autoscaling.alpha.kubernetes.io/metrics`` (the other metrics, as v1 MetricSpecs),
  ``.../current-metrics`` (every current metric, as v1 MetricStatuses), ``.../behavior`` (kube
  marshals its internal type, so the keys are Go's field names: ``ScaleUp``, ``Policies``, ...)
  and ``.../conditions``. A v1 object read back gets its metrics from the annotation first, then
  the CPU target. With no metric at all it gets the 80% CPU target v1 always implied. The
  annotations are never stored, and an unreadable one is ignored, as kube ignores it.
* PriorityLevelConfiguration, flowcontrol v1beta2, v1beta3 and v1 (pkg/apis/flowcontrol/v1beta2
  and v1beta3). v1beta2 calls the limited level's shares ``assuredConcurrencyShares``. In v1beta3
  a share count of 0 means "unset" and is defaulted to 30, unless the annotation
  ``flowcontrol.k8s.io/v1beta3-preserve-zero-concurrency-shares`` says that 0 is meant. v1 allows
  0, and a v1 level with 0 shares is read through v1beta3 with that annotation.

Quantities are copied as written; kube would print them in canonical form.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from emulator import limits
from emulator.cluster.mock.registry.jsoncopy import clone
from emulator.cluster.mock.wire import gojson

Obj = dict[str, Any]

AUTOSCALING = "autoscaling"
FLOWCONTROL = "flowcontrol.apiserver.k8s.io"

METRICS = "autoscaling.alpha.kubernetes.io/metrics"
CURRENT_METRICS = "autoscaling.alpha.kubernetes.io/current-metrics"
BEHAVIOR = "autoscaling.alpha.kubernetes.io/behavior"
CONDITIONS = "autoscaling.alpha.kubernetes.io/conditions"
ROUND_TRIP = (METRICS, BEHAVIOR, CURRENT_METRICS, CONDITIONS)
DEFAULT_CPU_UTILIZATION = 80  # autoscaling.DefaultCPUUtilization

PRESERVE_ZERO_SHARES = "flowcontrol.k8s.io/v1beta3-preserve-zero-concurrency-shares"
DEFAULT_NOMINAL_SHARES = 30  # v1beta3's PriorityLevelConfigurationDefaultNominalConcurrencyShares

# A Go resource.Quantity that is not a pointer is written as "0" when unset.
_ZERO = "0"


def convert(obj: Obj, api_version: str) -> Obj:
    """``obj``, which names its own ``apiVersion`` and ``kind``, as ``api_version`` of its group
    shows it (or of the other group that shares its storage: an Event). Where nothing but the
    version changes (or ``obj`` names no version), ``obj`` itself comes back with ``apiVersion``
    set; otherwise a converted copy, ``obj`` untouched."""
    kind = obj.get("kind")
    found = _CONVERTERS.get(kind)  # None for nearly every object: nothing to do
    source = obj.get("apiVersion")
    if kind == "Event" and isinstance(source, str) and source != api_version \
            and source in _EVENT_LAYOUT and api_version in _EVENT_LAYOUT:
        return _event(obj, api_version)
    if found is not None and isinstance(source, str):
        group, converter = found
        source_group, _, source_version = source.rpartition("/")
        target_group, _, target_version = api_version.rpartition("/")
        if source_group == target_group == group:
            obj = converter(obj, source_version, target_version)
    obj["apiVersion"] = api_version
    return obj


def changes_only_version(kind: str) -> bool:
    """Whether ``convert`` changes nothing but ``apiVersion`` in objects of ``kind`` between the
    versions of its group (an Event converted to the other group's API is another matter: its
    callers see that the apiVersion differs)."""
    return kind not in _CONVERTERS


# --- HorizontalPodAutoscaler ----------------------------------------------------------------------


def _hpa(hpa: Obj, source: str, target: str) -> Obj:
    if (source, target) == ("v2", "v1"):
        return _hpa_to_v1(clone(hpa))
    if (source, target) == ("v1", "v2"):
        return _hpa_to_v2(clone(hpa))
    annotations = _annotations(hpa)
    if target == "v2" and any(k in annotations for k in ROUND_TRIP):
        # v2 holds every field itself: kube keeps none of these annotations sent through it.
        hpa = clone(hpa)
        _set_annotations(hpa, {k: v for k, v in annotations.items() if k not in ROUND_TRIP})
    return hpa


def _hpa_to_v1(hpa: Obj) -> Obj:
    """Convert_autoscaling_HorizontalPodAutoscaler_To_v1_HorizontalPodAutoscaler."""
    spec, status = _dict(hpa.get("spec")), hpa.get("status")
    metrics = _dicts(spec.get("metrics"))
    v1_spec = _copied(spec, "scaleTargetRef", "minReplicas", "maxReplicas")
    for metric in metrics:  # the first CPU metric only, as kube breaks there
        if _is_cpu(metric, "resource"):
            utilization = _dict(metric["resource"].get("target")).get("averageUtilization")
            if utilization is not None:
                v1_spec["targetCPUUtilizationPercentage"] = utilization
            break
    current = _dicts(_dict(status).get("currentMetrics"))
    conditions = _dicts(_dict(status).get("conditions"))
    annotations = {k: v for k, v in _annotations(hpa).items() if k not in ROUND_TRIP}
    others = [_v1_metric(m) for m in metrics if not _is_cpu_utilization(m)]
    if others:
        annotations[METRICS] = _go_json(others)
    if current:
        annotations[CURRENT_METRICS] = _go_json([_v1_metric_status(m) for m in current])
    if isinstance(spec.get("behavior"), dict):
        annotations[BEHAVIOR] = _go_json(_go_behavior(spec["behavior"]))
    if conditions:
        annotations[CONDITIONS] = _go_json([_v1_condition(c) for c in conditions])
    out = _with(hpa, annotations, v1_spec)
    if isinstance(status, dict):
        v1_status = _copied(status, "observedGeneration", "lastScaleTime")
        # Plain int32s in v1 (not omitempty): kube always writes them, and clients require them.
        v1_status.update(currentReplicas=status.get("currentReplicas", 0),
                         desiredReplicas=status.get("desiredReplicas", 0))
        for metric in current:  # the last CPU reading wins: kube does not break here
            if _is_cpu(metric, "resource"):
                reading = _dict(metric["resource"].get("current")).get("averageUtilization")
                if reading is not None:
                    v1_status["currentCPUUtilizationPercentage"] = reading
        out["status"] = v1_status
    return out


def _hpa_to_v2(hpa: Obj) -> Obj:
    """Convert_v1_HorizontalPodAutoscaler_To_autoscaling_HorizontalPodAutoscaler."""
    spec, status = _dict(hpa.get("spec")), hpa.get("status")
    annotations = _annotations(hpa)
    v2_spec = _copied(spec, "scaleTargetRef", "minReplicas", "maxReplicas")
    metrics = []
    if spec.get("targetCPUUtilizationPercentage") is not None:
        metrics = [_cpu_target(spec["targetCPUUtilizationPercentage"])]
    others = _decoded_list(annotations.get(METRICS), _v2_metric)
    if others is not None:
        metrics = others + metrics  # kube puts the CPU target after the others
    v2_spec["metrics"] = metrics or [_cpu_target(DEFAULT_CPU_UTILIZATION)]
    behavior = _decoded_behavior(annotations.get(BEHAVIOR))
    if behavior is not None:
        v2_spec["behavior"] = behavior
    v2_status = _copied(_dict(status), "observedGeneration", "lastScaleTime", "currentReplicas",
                        "desiredReplicas")
    if _dict(status).get("currentCPUUtilizationPercentage") is not None:
        v2_status["currentMetrics"] = [{"type": "Resource", "resource": {"name": "cpu", "current": {
            "averageUtilization": status["currentCPUUtilizationPercentage"]}}}]
    current = _decoded_list(annotations.get(CURRENT_METRICS), _v2_metric_status)
    if current is not None:  # more than the CPU reading: it replaces it
        v2_status["currentMetrics"] = current
    conditions = _decoded_list(annotations.get(CONDITIONS), _v2_condition)
    if conditions:
        v2_status["conditions"] = conditions
    out = _with(hpa, {k: v for k, v in annotations.items() if k not in ROUND_TRIP}, v2_spec)
    if isinstance(status, dict) or v2_status:
        out["status"] = {k: v for k, v in v2_status.items() if v != []}
    return out


def _cpu_target(utilization: Any) -> Obj:
    return {"type": "Resource", "resource": {"name": "cpu", "target": {
        "type": "Utilization", "averageUtilization": utilization}}}


def _is_cpu(metric: Obj, source: str) -> bool:
    return (metric.get("type") == "Resource" and isinstance(metric.get(source), dict)
            and metric[source].get("name") == "cpu")


def _is_cpu_utilization(metric: Obj) -> bool:
    """The metrics v1's targetCPUUtilizationPercentage stands for (all of them are left out of
    the annotation, though only the first one's target is kept)."""
    return (_is_cpu(metric, "resource")
            and _dict(metric["resource"].get("target")).get("averageUtilization") is not None)


# v2 → v1 metrics, in the v1 types' field order. ------------------------------------------------


def _v1_metric(metric: Obj) -> Obj:
    out: Obj = {"type": metric.get("type", "")}
    if isinstance(metric.get("object"), dict):
        source = metric["object"]
        target = _dict(source.get("target"))
        out["object"] = {"target": _reference(source.get("describedObject")),
                         "metricName": _dict(source.get("metric")).get("name", ""),
                         "targetValue": target.get("value", _ZERO),
                         **_present(_dict(source.get("metric")), selector="selector"),
                         **_present(target, averageValue="averageValue")}
    if isinstance(metric.get("pods"), dict):
        source = metric["pods"]
        out["pods"] = {"metricName": _dict(source.get("metric")).get("name", ""),
                       "targetAverageValue": _dict(source.get("target")).get("averageValue", _ZERO),
                       **_present(_dict(source.get("metric")), selector="selector")}
    for key in ("resource", "containerResource"):
        if isinstance(metric.get(key), dict):
            source = metric[key]
            target = _dict(source.get("target"))
            out[key] = {"name": source.get("name", ""),
                        **_present(target, targetAverageUtilization="averageUtilization",
                                   targetAverageValue="averageValue")}
            if key == "containerResource":
                out[key]["container"] = source.get("container", "")
    if isinstance(metric.get("external"), dict):
        source = metric["external"]
        out["external"] = {"metricName": _dict(source.get("metric")).get("name", ""),
                           **_present(_dict(source.get("metric")), metricSelector="selector"),
                           **_present(_dict(source.get("target")), targetValue="value",
                                      targetAverageValue="averageValue")}
    return out


def _v1_metric_status(metric: Obj) -> Obj:
    out: Obj = {"type": metric.get("type", "")}
    if isinstance(metric.get("object"), dict):
        source = metric["object"]
        current = _dict(source.get("current"))
        out["object"] = {"target": _reference(source.get("describedObject")),
                         "metricName": _dict(source.get("metric")).get("name", ""),
                         "currentValue": current.get("value", _ZERO),
                         **_present(_dict(source.get("metric")), selector="selector"),
                         **_present(current, averageValue="averageValue")}
    if isinstance(metric.get("pods"), dict):
        source = metric["pods"]
        out["pods"] = {"metricName": _dict(source.get("metric")).get("name", ""),
                       "currentAverageValue": _dict(source.get("current")).get("averageValue",
                                                                               _ZERO),
                       **_present(_dict(source.get("metric")), selector="selector")}
    for key in ("resource", "containerResource"):
        if isinstance(metric.get(key), dict):
            source = metric[key]
            current = _dict(source.get("current"))
            out[key] = {"name": source.get("name", ""),
                        **_present(current, currentAverageUtilization="averageUtilization"),
                        "currentAverageValue": current.get("averageValue", _ZERO)}
            if key == "containerResource":
                out[key]["container"] = source.get("container", "")
    if isinstance(metric.get("external"), dict):
        source = metric["external"]
        current = _dict(source.get("current"))
        out["external"] = {"metricName": _dict(source.get("metric")).get("name", ""),
                           **_present(_dict(source.get("metric")), metricSelector="selector"),
                           "currentValue": current.get("value", _ZERO),
                           **_present(current, currentAverageValue="averageValue")}
    return out


def _v1_condition(condition: Obj) -> Obj:
    # lastTransitionTime is a struct in Go: "omitempty" does not drop it, an unset one is null.
    return {"type": condition.get("type", ""), "status": condition.get("status", ""),
            "lastTransitionTime": condition.get("lastTransitionTime"),
            **{k: condition[k] for k in ("reason", "message") if condition.get(k)}}


def _go_behavior(behavior: Obj) -> Obj:
    """spec.behavior as kube's internal type marshals: Go's field names, nil as null."""
    def rules(given: Any) -> Obj | None:
        if not isinstance(given, dict):
            return None
        policies = given.get("policies")
        out = {"StabilizationWindowSeconds": given.get("stabilizationWindowSeconds"),
               "SelectPolicy": given.get("selectPolicy"),
               "Policies": None if not isinstance(policies, list) else [
                   {"Type": p.get("type", ""), "Value": p.get("value", 0),
                    "PeriodSeconds": p.get("periodSeconds", 0)} for p in _dicts(policies)]}
        if given.get("tolerance") is not None:  # 1.33's HPAConfigurableTolerance
            out["Tolerance"] = given["tolerance"]
        return out
    return {"ScaleUp": rules(behavior.get("scaleUp")),
            "ScaleDown": rules(behavior.get("scaleDown"))}


# v1 (annotations) → v2, in the v2 types' field order. Go reads JSON keys case-insensitively. ---


class _Unreadable(Exception):
    """An annotation Go's json.Unmarshal would fail on: kube then ignores the annotation."""


def _v2_metric(metric: Obj) -> Obj:
    out: Obj = {"type": _text(_field(metric, "type"))}
    source = _source(metric, "object")
    if source is not None:
        average = _field(source, "averageValue")
        out["object"] = {"describedObject": _reference(_source(source, "target")),
                         "target": {"type": "Value" if average is None else "AverageValue",
                                    "value": _quantity(_field(source, "targetValue")),
                                    **({} if average is None else {"averageValue": average})},
                         "metric": _identifier(source, "selector")}
    source = _source(metric, "pods")
    if source is not None:
        out["pods"] = {"metric": _identifier(source, "selector"), "target": {
            "type": "AverageValue", "averageValue": _quantity(_field(source,
                                                                     "targetAverageValue"))}}
    for key in ("resource", "containerResource"):
        source = _source(metric, key)
        if source is not None:
            utilization = _field(source, "targetAverageUtilization")
            target = {"type": "AverageValue" if utilization is None else "Utilization",
                      **_present_field(source, averageValue="targetAverageValue",
                                       averageUtilization="targetAverageUtilization")}
            out[key] = {"name": _text(_field(source, "name")), "target": target}
            if key == "containerResource":
                out[key]["container"] = _text(_field(source, "container"))
    source = _source(metric, "external")
    if source is not None:
        value = _field(source, "targetValue")
        out["external"] = {"metric": _identifier(source, "metricSelector"), "target": {
            "type": "AverageValue" if value is None else "Value",
            **_present_field(source, value="targetValue", averageValue="targetAverageValue")}}
    return out


def _v2_metric_status(metric: Obj) -> Obj:
    out: Obj = {"type": _text(_field(metric, "type"))}
    source = _source(metric, "object")
    if source is not None:
        out["object"] = {"metric": _identifier(source, "selector"), "current": {
            "value": _quantity(_field(source, "currentValue")),
            **_present_field(source, averageValue="averageValue")},
            "describedObject": _reference(_source(source, "target"))}
    source = _source(metric, "pods")
    if source is not None:
        out["pods"] = {"metric": _identifier(source, "selector"), "current": {
            "averageValue": _quantity(_field(source, "currentAverageValue"))}}
    for key in ("resource", "containerResource"):
        source = _source(metric, key)
        if source is not None:
            current = {"averageValue": _quantity(_field(source, "currentAverageValue")),
                       **_present_field(source, averageUtilization="currentAverageUtilization")}
            out[key] = {"name": _text(_field(source, "name")), "current": current}
            if key == "containerResource":
                out[key]["container"] = _text(_field(source, "container"))
    source = _source(metric, "external")
    if source is not None:
        out["external"] = {"metric": _identifier(source, "metricSelector"), "current": {
            "value": _quantity(_field(source, "currentValue")),
            **_present_field(source, averageValue="currentAverageValue")}}
    return out


def _v2_condition(condition: Obj) -> Obj:
    out = {"type": _text(_field(condition, "type")), "status": _text(_field(condition, "status"))}
    out.update(_present_field(condition, lastTransitionTime="lastTransitionTime"))
    for key in ("reason", "message"):
        if _text(_field(condition, key)):
            out[key] = _field(condition, key)
    return out


def _decoded_list(text: Any, convert_one: Callable[[Obj], Obj]) -> list[Obj] | None:
    """A v1 annotation's list converted item by item; None when absent or unreadable."""
    value = _json(text)
    if value is None:
        return None
    try:
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            raise _Unreadable
        return [convert_one(item) for item in value]
    except _Unreadable:
        return None


def _decoded_behavior(text: Any) -> Obj | None:
    """The behavior annotation (Go field names, or any case of them) as v2's spec.behavior; None
    when absent, unreadable, or naming neither direction."""
    value = _json(text)
    if not isinstance(value, dict):
        return None
    try:
        behavior = {}
        for go_name, name in (("ScaleUp", "scaleUp"), ("ScaleDown", "scaleDown")):
            rules = _field(value, go_name)
            if rules is None:
                continue
            if not isinstance(rules, dict):
                raise _Unreadable
            out: Obj = {}
            window = _field(rules, "StabilizationWindowSeconds")
            if window is not None:
                out["stabilizationWindowSeconds"] = _integer(window)
            if _field(rules, "SelectPolicy") is not None:
                out["selectPolicy"] = _text(_field(rules, "SelectPolicy"))
            policies = _field(rules, "Policies")
            if policies is not None:
                if not isinstance(policies, list) or not all(isinstance(p, dict) for p in policies):
                    raise _Unreadable
                if policies:
                    out["policies"] = [{"type": _text(_field(p, "Type")),
                                        "value": _integer(_field(p, "Value") or 0),
                                        "periodSeconds": _integer(_field(p, "PeriodSeconds") or 0)}
                                       for p in policies]
            if _field(rules, "Tolerance") is not None:
                out["tolerance"] = _field(rules, "Tolerance")
            behavior[name] = out
    except _Unreadable:
        return None
    return behavior or None


def _json(text: Any) -> Any:
    """An annotation's JSON; None when it is absent or unreadable (too deep included)."""
    if not isinstance(text, str):
        return None
    try:
        return limits.json_loads(text)
    except ValueError:  # TooDeep is one
        return None


def _field(obj: Obj, name: str) -> Any:
    """obj[name] as Go's json.Unmarshal finds it: the exact key, else one equal but for case."""
    if name in obj:
        return obj[name]
    folded = name.casefold()
    return next((v for k, v in obj.items() if k.casefold() == folded), None)


def _source(obj: Obj, name: str) -> Obj | None:
    value = _field(obj, name)
    if value is not None and not isinstance(value, dict):
        raise _Unreadable
    return value


def _text(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _Unreadable
    return value


def _integer(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Unreadable
    return value


def _quantity(value: Any) -> Any:
    return _ZERO if value is None else value


def _identifier(source: Obj, selector: str) -> Obj:
    """A v2 MetricIdentifier from a v1 source's metricName and selector."""
    return {"name": _text(_field(source, "metricName")),
            **_present_field(source, selector=selector)}


def _present_field(source: Obj, **names: str) -> Obj:
    return {new: _field(source, old) for new, old in names.items()
            if _field(source, old) is not None}


# --- Event, core v1 and events.k8s.io/v1 ---------------------------------------------------------
# pkg/apis/events/v1/conversion.go: one object under two APIs, stored as the core Event. A few
# fields have other names; the rest carry over.

_EVENTS_V1_NAMES = {"involvedObject": "regarding", "message": "note", "source": "deprecatedSource",
                    "firstTimestamp": "deprecatedFirstTimestamp",
                    "lastTimestamp": "deprecatedLastTimestamp", "count": "deprecatedCount",
                    "reportingComponent": "reportingController"}
# events.k8s.io/v1's names of those fields → the core Event's (a Table prints either).
CORE_EVENT_NAMES = {new: old for old, new in _EVENTS_V1_NAMES.items()}
_OMITTED = object()  # an omitempty field, left out when it holds its zero value
# Each version's fields in its Go struct's order, with what encoding/json writes for the field's
# zero value: a struct ({}), a metav1.Time (null) or a string without omitempty ("") is always
# written, the rest is omitted. A converted Event is the typed struct written again, so it holds
# them as kube's answer does.
_EVENT_LAYOUT: dict[str, tuple[tuple[str, Any], ...]] = {
    "v1": (("involvedObject", {}), ("reason", _OMITTED), ("message", _OMITTED), ("source", {}),
           ("firstTimestamp", None), ("lastTimestamp", None), ("count", _OMITTED),
           ("type", _OMITTED), ("eventTime", None), ("series", _OMITTED),
           ("action", _OMITTED), ("related", _OMITTED), ("reportingComponent", ""),
           ("reportingInstance", "")),
    "events.k8s.io/v1": (
        ("eventTime", None), ("series", _OMITTED), ("reportingController", _OMITTED),
        ("reportingInstance", _OMITTED), ("action", _OMITTED), ("reason", _OMITTED),
        ("regarding", {}), ("related", _OMITTED), ("note", _OMITTED), ("type", _OMITTED),
        ("deprecatedSource", {}), ("deprecatedFirstTimestamp", None),
        ("deprecatedLastTimestamp", None), ("deprecatedCount", _OMITTED)),
}
_EVENT_META = frozenset({"apiVersion", "kind", "metadata"})


def _event(event: Obj, target: str) -> Obj:
    """Convert_v1_Event_To_core_Event and back, through the core Event: a copy."""
    names = _EVENTS_V1_NAMES if target == "events.k8s.io/v1" else CORE_EVENT_NAMES
    copied = clone(event)
    out: Obj = {"apiVersion": target, "kind": "Event"}
    if "metadata" in copied:
        out["metadata"] = copied["metadata"]
    fields = {names.get(k, k): v for k, v in copied.items() if k not in _EVENT_META}
    for name, zero in _EVENT_LAYOUT[target]:
        value = fields.pop(name, None)
        if value is None or value == "" or value == 0 and not isinstance(value, bool):
            # Zero (or null, which decodes to zero): written as its type writes a zero value.
            if zero is not _OMITTED:
                out[name] = clone(zero)
            continue
        out[name] = value
    out.update(fields)  # nothing else survives decoding; kept rather than lost all the same
    return out


# --- PriorityLevelConfiguration -------------------------------------------------------------------


def _priority_level(level: Obj, source: str, target: str) -> Obj:
    if source == target:
        return level
    level = clone(level)
    limited = _dict(level.get("spec")).get("limited")
    limited = limited if isinstance(limited, dict) else None
    annotations = _annotations(level)
    if limited is not None and source == "v1beta2":
        _rename(limited, "assuredConcurrencyShares", "nominalConcurrencyShares")
    if (source, target) == ("v1beta3", "v1"):
        # v1beta3's defaulting: 0 (or none) means the default, unless the annotation says 0.
        if (limited is not None and not limited.get("nominalConcurrencyShares")
                and PRESERVE_ZERO_SHARES not in annotations):
            limited["nominalConcurrencyShares"] = DEFAULT_NOMINAL_SHARES
        annotations.pop(PRESERVE_ZERO_SHARES, None)
    if (source, target) == ("v1", "v1beta3"):
        if limited is not None and limited.get("nominalConcurrencyShares") == 0:
            annotations.setdefault(PRESERVE_ZERO_SHARES, "")
    if limited is not None and target == "v1beta2":
        _rename(limited, "nominalConcurrencyShares", "assuredConcurrencyShares")
    _set_annotations(level, annotations)
    return level


def _rename(obj: Obj, old: str, new: str) -> None:
    """Rename a key where it stands (the order of the other keys is kept)."""
    if old in obj:
        items = [(new if k == old else k, v) for k, v in obj.items()]
        obj.clear()
        obj.update(items)


# kind → (its group, converter(obj, from version, to version)), the converter answering obj itself
# when nothing changes, else a converted copy.
_CONVERTERS: dict[Any, tuple[str, Callable[[Obj, str, str], Obj]]] = {
    "HorizontalPodAutoscaler": (AUTOSCALING, _hpa),
    "PriorityLevelConfiguration": (FLOWCONTROL, _priority_level),
}


# --- helpers --------------------------------------------------------------------------------------


def _dict(value: Any) -> Obj:
    return value if isinstance(value, dict) else {}


def _dicts(value: Any) -> list[Obj]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _copied(obj: Obj, *keys: str) -> Obj:
    return {k: obj[k] for k in keys if k in obj}


def _present(obj: Obj, **names: str) -> Obj:
    """{new: obj[old]} for each ``new=old`` whose value is set (Go's omitempty)."""
    return {new: obj[old] for new, old in names.items() if obj.get(old) is not None}


def _reference(ref: Any) -> Obj:
    """A CrossVersionObjectReference: kind and name always, apiVersion when set."""
    ref = _dict(ref)
    return {"kind": _field(ref, "kind") or "", "name": _field(ref, "name") or "",
            **_present_field(ref, apiVersion="apiVersion")}


def _annotations(obj: Obj) -> dict[str, str]:
    return dict(_dict(_dict(obj.get("metadata")).get("annotations")))


def _set_annotations(obj: Obj, annotations: dict[str, str]) -> None:
    """Set metadata.annotations; an empty map is left out, as Go's omitempty leaves it."""
    meta = obj.setdefault("metadata", {})
    if annotations:
        meta["annotations"] = annotations
    else:
        meta.pop("annotations", None)


def _with(obj: Obj, annotations: dict[str, str], spec: Obj) -> Obj:
    """``obj`` with these annotations and spec (where it had its spec), and no status yet."""
    _set_annotations(obj, annotations)
    out = {k: v for k, v in obj.items() if k != "status"}
    out["spec"] = spec
    return out


def _go_json(value: Any) -> str:
    """``value`` as Go's json.Marshal writes it (compact, HTML-safe escapes, no newline)."""
    return gojson.encode(value).decode("utf-8")[:-1]
