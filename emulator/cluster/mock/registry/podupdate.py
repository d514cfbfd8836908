"""What an update may change in a pod's spec: kube's ``ValidatePodUpdate``
(pkg/apis/core/validation), as the pod strategy runs it on a write to the pod itself (its
subresources have their own rules: status, binding, ephemeralcontainers).

A pod is almost immutable once created. Its containers' and init containers' images may change,
``activeDeadlineSeconds`` may be set or lowered, tolerations may be added (an existing one may
change only its ``tolerationSeconds``), scheduling gates may be removed, a negative
``terminationGracePeriodSeconds`` may become 1, and while the pod still has scheduling gates its
``nodeSelector`` and required node affinity may gain terms. Anything else gives kube's
``spec: Forbidden: pod updates may not change fields other than ...``, followed by a diff of the
old spec and the new one with the allowed changes taken back.

The checks run in kube's order, with its early returns. What differs from kube, on purpose:

- The diff after the Forbidden message. kube 1.34+ prints a unified diff of its *internal*
  ``core.PodSpec`` as JSON (Go field names, every field present); 1.27-1.33 print go-cmp's
  pseudo-Go, which go-cmp itself randomises per process. The mock prints, for every minor, a
  unified diff (three lines of context, no file header, as kube 1.34) of the v1 spec as stored.
  The line before it is kube's, byte for byte.
- Equality is kube's ``Semantic.DeepEqual`` as far as JSON shows it: a missing list or map
  equals an empty one, and quantities compare by value; but an empty object also equals a
  missing one, where kube tells a nil pointer from an empty struct.
- With kube's default feature gates: in-place resize through the pod itself (1.27-1.31, gate
  off by default) is not modelled; the Pod QoS check of 1.29-1.31 is.
"""

from __future__ import annotations

import decimal
import difflib
import json
from typing import Any

from emulator import messages
from emulator.cluster.mock.registry import fielderrors as fe
from emulator.cluster.mock.registry.fielderrors import FieldError, GoText
from emulator.cluster.mock.registry.jsonread import as_dict, dict_in, list_in
from emulator.cluster.mock.registry.quantities import parse_quantity
from emulator.cluster.mock.registry.workloadchecks import go_requirements, labels_value

Obj = dict[str, Any]

MAX_INT32 = 2**31 - 1
# The fields whose values are resource.Quantity maps (ResourceList), compared by value.
_QUANTITY_MAPS = frozenset({"limits", "requests", "overhead"})
_QOS_RESOURCES = frozenset({"cpu", "memory"})  # the compute resources QoS is made of
def validate(pod: Obj, old: Obj | None, minor: int) -> list[FieldError]:
    """The spec checks of ValidatePodUpdate, in kube's order; [] on create."""
    if old is None:
        return []
    spec, old_spec = dict_in(pod, "spec"), dict_in(old, "spec")
    errors: list[FieldError] = []
    for field in ("containers", "initContainers"):
        found, stop = _container_updates(list_in(spec, field), list_in(old_spec, field), field)
        errors += found
        if stop:
            return errors
    found, stop = _active_deadline(spec, old_spec, minor)
    errors += found
    if stop:
        return errors
    errors += _only_added_tolerations(list_in(spec, "tolerations"), list_in(old_spec, "tolerations"))
    errors += _only_deleted_gates(list_in(spec, "schedulingGates"),
                                  list_in(old_spec, "schedulingGates"))
    if semantic(spec) == semantic(old_spec):
        return errors
    if 29 <= minor <= 31:
        errors += _qos_unchanged(pod, old)
    munged = _munged(spec, old_spec, minor)
    if old_spec.get("schedulingGates"):
        errors += _gated_scheduling_changes(munged, old_spec, minor)
    if semantic(munged) != semantic(old_spec):
        detail = messages.K8S_POD_UPDATE_FORBIDDEN.format(
            fields=",".join(messages.K8S_POD_UPDATABLE_FIELDS), diff=spec_diff(old_spec, munged))
        errors.append(fe.forbidden("spec", detail))
    return errors


def qos_class(spec: Obj) -> str:
    """kube's QoS class of a pod (pkg/apis/core/helper/qos, ComputePodQOS), from the positive
    cpu and memory quantities of its containers and init containers: BestEffort without any,
    Guaranteed when every container limits both and the summed requests equal the summed
    limits, else Burstable. Quantities compare by value (``1000m`` is ``1``)."""
    requests: dict[str, decimal.Decimal] = {}
    limits: dict[str, decimal.Decimal] = {}
    guaranteed = True
    for container in [*list_in(spec, "containers"), *list_in(spec, "initContainers")]:
        resources = dict_in(container if isinstance(container, dict) else {}, "resources")
        for totals, kind in ((requests, "requests"), (limits, "limits")):
            found = set()
            for name, value in dict_in(resources, kind).items():
                quantity = parse_quantity(value)
                if name in _QOS_RESOURCES and isinstance(quantity, decimal.Decimal) \
                        and quantity > 0:
                    totals[name] = totals.get(name, decimal.Decimal(0)) + quantity
                    found.add(name)
            if kind == "limits" and not _QOS_RESOURCES <= found:
                guaranteed = False
    if not requests and not limits:
        return "BestEffort"
    if guaranteed and all(limits.get(name) == value for name, value in requests.items()) \
            and len(requests) == len(limits):
        return "Guaranteed"
    return "Burstable"


def spec_diff(old: Obj, new: Obj) -> str:
    """A unified diff of the two specs as indented JSON, as kube 1.34's ``diff.Diff`` writes
    one: three lines of context, no file header, every line ending in a newline."""
    before, after = _pretty(old), _pretty(new)
    lines = list(difflib.unified_diff(before, after, n=3))
    return "".join(lines[2:])  # without the "---" and "+++" lines


# -- the steps --------------------------------------------------------------------------------


def _container_updates(new: list[Any], old: list[Any],
                       field: str) -> tuple[list[FieldError], bool]:
    """ValidateContainerUpdates: the same number of containers (else kube stops there), and an
    image that is set and not padded with spaces."""
    if len(new) != len(old):
        return [fe.forbidden(f"spec.{field}", messages.K8S_POD_UPDATE_CONTAINER_COUNT)], True
    errors: list[FieldError] = []
    for i, container in enumerate(new):
        image = container.get("image") if isinstance(container, dict) else None
        path = f"spec.{field}[{i}].image"
        if not image:
            errors.append(fe.required(path))
        elif isinstance(image, str) and image != image.strip():
            errors.append(fe.invalid_value(path, image, messages.K8S_IMAGE_WHITESPACE))
    return errors, False


def _active_deadline(spec: Obj, old: Obj, minor: int) -> tuple[list[FieldError], bool]:
    path = "spec.activeDeadlineSeconds"
    new_value, old_value = spec.get("activeDeadlineSeconds"), old.get("activeDeadlineSeconds")
    if isinstance(new_value, int):
        if not 0 <= new_value <= MAX_INT32:
            return [fe.invalid_value(path, new_value, messages.K8S_INCLUSIVE_RANGE.format(
                low=0, high=MAX_INT32))], True
        if isinstance(old_value, int) and old_value < new_value:
            return [fe.invalid_value(path, new_value, messages.K8S_DEADLINE_RAISED)], True
    elif new_value is None and old_value is not None:
        return [fe.invalid_value(path, None, messages.K8S_DEADLINE_UNSET, minor)], False
    return [], False


def _only_added_tolerations(new: list[Any], old: list[Any]) -> list[FieldError]:
    """validateOnlyAddedTolerations: every old toleration is still there, give or take its
    tolerationSeconds (kube stops at the first that is not)."""
    wanted = [_toleration(t) for t in new]
    for toleration in old:
        if _toleration(toleration) not in wanted:
            return [fe.forbidden("spec.tolerations", messages.K8S_TOLERATION_CHANGED)]
    return []


def _toleration(toleration: Any) -> tuple[Any, ...]:
    t = toleration if isinstance(toleration, dict) else {}
    return tuple(t.get(k) or "" for k in ("key", "operator", "value", "effect"))


def _only_deleted_gates(new: list[Any], old: list[Any]) -> list[FieldError]:
    """validateOnlyDeletedSchedulingGates: no gate the old pod did not have."""
    before = {g.get("name") for g in old if isinstance(g, dict)}
    return [fe.forbidden(f"spec.schedulingGates[{i}].name",
                         messages.K8S_SCHEDULING_GATE_ADDED.format(gate=gate.get("name")))
            for i, gate in enumerate(new)
            if isinstance(gate, dict) and gate.get("name") not in before]


def _qos_unchanged(pod: Obj, old: Obj) -> list[FieldError]:
    """1.29-1.31: the old pod's QoS class (its status's, else computed) against the new spec's.
    kube shows the class in the new pod's status, which the strategy copied from the old."""
    status = old.get("status") if isinstance(old.get("status"), dict) else {}
    shown = status.get("qosClass") or ""
    if (shown or qos_class(dict_in(old, "spec"))) == qos_class(dict_in(pod, "spec")):
        return []
    return [fe.invalid_value("metadata", shown, messages.K8S_POD_QOS_IMMUTABLE)]


def _munged(spec: Obj, old: Obj, minor: int) -> Obj:
    """The new spec with every change kube allows taken back, to compare with the old."""
    munged = dict(spec)
    for field in ("containers", "initContainers"):
        containers = list_in(spec, field)
        before = list_in(old, field)
        if containers:
            munged[field] = [_with_image(c, before[i]) for i, c in enumerate(containers)]
    for field in ("activeDeadlineSeconds", "schedulingGates", "tolerations"):
        _restore(munged, old, field)
    grace, old_grace = spec.get("terminationGracePeriodSeconds"), old.get(
        "terminationGracePeriodSeconds")
    if isinstance(old_grace, int) and old_grace < 0 and grace == 1:
        munged["terminationGracePeriodSeconds"] = old_grace
    return munged


def _with_image(container: Any, old: Any) -> Any:
    if not (isinstance(container, dict) and isinstance(old, dict)):
        return container
    taken = dict(container)
    _restore(taken, old, "image")
    return taken


def _gated_scheduling_changes(munged: Obj, old: Obj, minor: int) -> list[FieldError]:
    """A pod that still has scheduling gates may gain nodeSelector entries and required node
    affinity terms; anything else in them is an error. Both are taken back in ``munged``."""
    errors: list[FieldError] = []
    selector, old_selector = dict_in(munged, "nodeSelector"), dict_in(old, "nodeSelector")
    if semantic(selector) != semantic(old_selector):
        if any(k not in selector or selector[k] != v for k, v in old_selector.items()):
            errors.append(fe.invalid_value("spec.nodeSelector", labels_value(
                munged.get("nodeSelector"), minor), messages.K8S_NODE_SELECTOR_MUTATED, minor))
        _restore(munged, old, "nodeSelector")
    affinity = munged.get("affinity") if isinstance(munged.get("affinity"), dict) else None
    old_affinity = old.get("affinity") if isinstance(old.get("affinity"), dict) else None
    node = (affinity or {}).get("nodeAffinity")
    old_node = (old_affinity or {}).get("nodeAffinity")
    if semantic(node) == semantic(old_node):
        return errors
    errors += _node_affinity_mutation(node, old_node, minor)
    others = {k: v for k, v in (affinity or {}).items() if k != "nodeAffinity"}
    if affinity is None:
        if old_node is not None:
            munged["affinity"] = {"nodeAffinity": old_node}
    elif old_affinity is None and not others:
        # 1.27 left an empty affinity to compare with none, and refused the change; the mock
        # leaves the new one, which JSON can tell from none.
        if minor >= 28:
            munged.pop("affinity", None)
    else:
        munged["affinity"] = {**others, **({"nodeAffinity": old_node} if old_node is not None
                                           else {})}
    return errors


def _node_affinity_mutation(node: Any, old: Any, minor: int) -> list[FieldError]:
    """validateNodeAffinityMutation: with required terms before, none added or removed, and
    each old term's expressions and fields still its first ones."""
    old_terms = _terms(old)
    if old_terms is None:
        return []
    sent = _terms(node)
    terms = sent or []
    path = "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution" \
           ".nodeSelectorTerms"
    if old_terms and len(old_terms) != len(terms):
        return [fe.invalid_value(path, _go_terms(sent, minor),
                                 messages.K8S_NODE_TERMS_COUNT_CHANGED, minor)]
    return [fe.invalid_value(f"{path}[{i}]", _go_term(terms[i], minor),
                             messages.K8S_NODE_TERM_MUTATED, minor)
            for i, old_term in enumerate(old_terms) if not _only_additions(terms[i], old_term)]


def _terms(node: Any) -> list[Any] | None:
    """The required node selector terms; None when there is no required part at all."""
    required = node.get("requiredDuringSchedulingIgnoredDuringExecution") \
        if isinstance(node, dict) else None
    if not isinstance(required, dict):
        return None
    terms = required.get("nodeSelectorTerms")
    return terms if isinstance(terms, list) else []


def _only_additions(term: Any, old: Any) -> bool:
    term, old = as_dict(term), as_dict(old)
    kinds = ("matchExpressions", "matchFields")
    if not any(list_in(old, k) for k in kinds) and any(list_in(term, k) for k in kinds):
        return False
    for k in kinds:
        before, after = list_in(old, k), list_in(term, k)
        if before and (len(after) < len(before)
                       or semantic(after[:len(before)]) != semantic(before)):
            return False
    return True


# -- values as kube prints them ----------------------------------------------------------------


def _go_terms(terms: list[Any] | None, minor: int) -> Any:
    """A []core.NodeSelectorTerm: %#v before 1.34; JSON of the internal type (Go field names,
    nil fields as null) after."""
    if minor >= 34:
        return GoText("null" if terms is None else fe.go_json([_term_json(t) for t in terms]))
    if terms is None:
        return GoText("[]core.NodeSelectorTerm(nil)")
    return GoText("[]core.NodeSelectorTerm{" + ", ".join(_sharp_term(t) for t in terms) + "}")


def _go_term(term: Any, minor: int) -> Any:
    return GoText(fe.go_json(_term_json(term)) if minor >= 34 else _sharp_term(term))


def _term_json(term: Any) -> Obj:
    term = as_dict(term)
    return {"MatchExpressions": _requirements_json(term.get("matchExpressions")),
            "MatchFields": _requirements_json(term.get("matchFields"))}


def _requirements_json(items: Any) -> Any:
    if not isinstance(items, list):
        return None
    return [{"Key": as_dict(r).get("key", ""), "Operator": as_dict(r).get("operator", ""),
             "Values": as_dict(r).get("values")} for r in items]


def _sharp_term(term: Any) -> str:
    term, kind = as_dict(term), "core.NodeSelectorRequirement"
    return (f"core.NodeSelectorTerm{{MatchExpressions:"
            f"{go_requirements(term.get('matchExpressions'), kind)}, "
            f"MatchFields:{go_requirements(term.get('matchFields'), kind)}}}")


# -- equality as kube's Semantic.DeepEqual sees JSON -------------------------------------------


def semantic(value: Any, quantities: bool = False) -> Any:
    """``value`` with empty lists, maps and nulls dropped from objects, the v1-only
    ``serviceAccount`` alias left out, and quantities as numbers."""
    if isinstance(value, dict):
        if quantities:  # a ResourceList: its values are quantities
            return {k: parse_quantity(v) for k, v in value.items()}
        return {k: semantic(v, k in _QUANTITY_MAPS) for k, v in value.items()
                if v not in (None, [], {}) and k != "serviceAccount"}
    if isinstance(value, list):
        return [semantic(v) for v in value]
    return value


# -- small helpers ------------------------------------------------------------------------------


def _restore(munged: Obj, old: Obj, field: str) -> None:
    if field in old:
        munged[field] = old[field]
    else:
        munged.pop(field, None)


def _pretty(spec: Obj) -> list[str]:
    text = json.dumps(spec, indent=1, ensure_ascii=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return [line + "\n" for line in text.split("\n")]
