"""What an update may not change, kind by kind: the strategies' ``ValidateUpdate`` beyond their
create checks (pkg/apis/{apps,batch,core,rbac,storage,scheduling}/validation), for a write to
the object itself. Pods have their own module (podupdate.py), Services theirs
(servicechecks.py).

- apps/v1 Deployment, ReplicaSet, DaemonSet: ``spec.selector`` is immutable.
- apps/v1 StatefulSet: only replicas, ordinals, template, updateStrategy,
  persistentVolumeClaimRetentionPolicy, minReadySeconds (and from 1.33 revisionHistoryLimit)
  may change; anything else is one Forbidden on ``spec``.
- batch/v1 Job: completions (an Indexed job's only with parallelism), selector, template
  (a suspended job that never started may change its pods' labels, annotations, node selector,
  node affinity, tolerations and scheduling gates), completionMode, podFailurePolicy,
  backoffLimitPerIndex (1.28+), managedBy and successPolicy (1.30+).
- RoleBinding and ClusterRoleBinding: ``roleRef`` cannot change.
- ConfigMap and Secret marked ``immutable``: their data stays, and so does the mark; a Secret's
  ``type`` never changes.
- PersistentVolumeClaim: the spec, but for a bound claim's storage request, a volume name set
  once, and a class given to a claim that had none; and ``volumeMode``.
- StorageClass: parameters, provisioner, reclaimPolicy, volumeBindingMode.
- PriorityClass: value and preemptionPolicy.

Values are printed as ``field.Error`` prints them for the minor (Go's %#v before 1.34, JSON
after). Two values kube prints as its internal Go structs, with pointer addresses in them (a
Job's pod template and its policies), are printed as the JSON of the v1 object instead; and the
diff after a claim's Forbidden is podupdate.py's (see there).
"""

from __future__ import annotations

from typing import Any

from emulator import messages
from emulator.cluster.mock.registry import fielderrors as fe
from emulator.cluster.mock.registry.fielderrors import FieldError, GoText
from emulator.cluster.mock.registry.jsonread import as_dict, dict_in
from emulator.cluster.mock.registry.podupdate import semantic, spec_diff
from emulator.cluster.mock.registry.workloadchecks import selector_value

Obj = dict[str, Any]

# The StatefulSet spec fields an update may change, in the order kube's message names them.
_STATEFUL_SET_MUTABLE = ("replicas", "ordinals", "template", "updateStrategy",
                         "persistentVolumeClaimRetentionPolicy", "minReadySeconds")
REVISION_LIMIT_MUTABLE_FROM = 33  # kubernetes#130263
# What a suspended Job that never started may change in its pods' template.
_SCHEDULING_DIRECTIVES = ("nodeSelector", "tolerations", "schedulingGates")


def selector(obj: Obj, old: Obj, minor: int) -> list[FieldError]:
    """apps/v1 Deployment, ReplicaSet and DaemonSet: ValidateImmutableField on the selector."""
    new_selector, old_selector = dict_in(obj, "spec").get("selector"), dict_in(old, "spec").get("selector")
    return _immutable("spec.selector", new_selector, old_selector,
                      selector_value(new_selector, minor), minor)


def stateful_set(obj: Obj, old: Obj, minor: int) -> list[FieldError]:
    mutable = list(_STATEFUL_SET_MUTABLE)
    if minor >= REVISION_LIMIT_MUTABLE_FROM:
        mutable.insert(4, "revisionHistoryLimit")
    spec, old_spec = dict_in(obj, "spec"), dict_in(old, "spec")
    kept = {**{k: v for k, v in spec.items() if k not in mutable},
            **{k: old_spec[k] for k in mutable if k in old_spec}}
    if semantic(kept) == semantic(old_spec):
        return []
    named = ", ".join(f"'{name}'" for name in mutable[:-1])
    return [fe.forbidden("spec", messages.K8S_STATEFUL_SET_UPDATE.format(
        fields=named, last=f"'{mutable[-1]}'"))]


def job(obj: Obj, old: Obj, minor: int) -> list[FieldError]:
    """ValidateJobSpecUpdate, in kube's order."""
    spec, old_spec = dict_in(obj, "spec"), dict_in(old, "spec")
    errors = _completions(spec, old_spec, minor)
    new_selector = spec.get("selector")
    errors += _immutable("spec.selector", new_selector, old_spec.get("selector"),
                         selector_value(new_selector, minor), minor)
    errors += _template(spec, old_spec, old, minor)
    fields = ["completionMode", "podFailurePolicy"]
    if minor >= 28:
        fields.append("backoffLimitPerIndex")
    if minor >= 30:
        fields += ["managedBy", "successPolicy"]
    for name in fields:
        errors += _immutable(f"spec.{name}", spec.get(name), old_spec.get(name),
                             _shown(spec.get(name), minor), minor)
    return errors


def role_binding(obj: Obj, old: Obj, minor: int) -> list[FieldError]:
    """ValidateRoleBindingUpdate / ValidateClusterRoleBindingUpdate: the role stays."""
    ref, old_ref = _role_ref(obj), _role_ref(old)
    if ref == old_ref:
        return []
    group, kind, name = ref
    shown = (f"{{\"APIGroup\":{fe.go_json(group)},\"Kind\":{fe.go_json(kind)},"
             f"\"Name\":{fe.go_json(name)}}}" if minor >= 34 else
             f"rbac.RoleRef{{APIGroup:{fe.go_quote(group)}, Kind:{fe.go_quote(kind)}, "
             f"Name:{fe.go_quote(name)}}}")
    return [fe.invalid_value("roleRef", GoText(shown), messages.K8S_ROLE_REF_CHANGED, minor)]


def config_map(obj: Obj, old: Obj, minor: int) -> list[FieldError]:
    return _immutable_data(obj, old, ("data", "binaryData"))


def secret(obj: Obj, old: Obj, minor: int) -> list[FieldError]:
    kind = obj.get("type")
    errors = _immutable("type", kind, old.get("type"), _shown(kind, minor), minor)
    return errors + _immutable_data(obj, old, ("data",))


def persistent_volume_claim(obj: Obj, old: Obj, minor: int) -> list[FieldError]:
    """ValidatePersistentVolumeClaimUpdate's spec rule and volumeMode."""
    spec, old_spec = dict_in(obj, "spec"), dict_in(old, "spec")
    clone = dict(spec)
    if not old_spec.get("volumeName"):
        clone.pop("volumeName", None)  # set once, by the binder
    if old_spec.get("storageClassName") is None and not _bound(old):
        clone.pop("storageClassName", None)  # a class given to a claim that had none
    if _bound(old):
        requests = dict(as_dict(as_dict(clone.get("resources")).get("requests")))
        before = as_dict(as_dict(old_spec.get("resources")).get("requests"))
        if "storage" in before:
            requests["storage"] = before["storage"]
        else:
            requests.pop("storage", None)
        clone["resources"] = {**as_dict(clone.get("resources")), "requests": requests}
    errors: list[FieldError] = []
    if semantic(clone) != semantic(old_spec):
        text = (messages.K8S_CLAIM_UPDATE_1_28 if minor <= 28 else messages.K8S_CLAIM_UPDATE)
        errors.append(fe.forbidden("spec", f"{text}\n{spec_diff(old_spec, clone)}"))
    mode = spec.get("volumeMode")
    # kube names the field without its "spec." here.
    return errors + _immutable("volumeMode", mode, old_spec.get("volumeMode"),
                               _shown(mode, minor), minor)


def storage_class(obj: Obj, old: Obj, minor: int) -> list[FieldError]:
    errors = []
    if as_dict(obj.get("parameters")) != as_dict(old.get("parameters")):
        errors.append(fe.forbidden("parameters", messages.K8S_STORAGE_CLASS_UPDATE.format(
            field="parameters")))
    for name in ("provisioner", "reclaimPolicy"):
        if obj.get(name) != old.get(name):
            errors.append(fe.forbidden(name, messages.K8S_STORAGE_CLASS_UPDATE.format(
                field=name)))
    mode = obj.get("volumeBindingMode")
    return errors + _immutable("volumeBindingMode", mode, old.get("volumeBindingMode"),
                               _shown(mode, minor), minor)


def priority_class(obj: Obj, old: Obj, minor: int) -> list[FieldError]:
    errors = []
    if obj.get("value") != old.get("value"):
        errors.append(fe.forbidden("value", messages.K8S_PRIORITY_VALUE_CHANGED))
    policy = obj.get("preemptionPolicy")
    return errors + _immutable("preemptionPolicy", policy, old.get("preemptionPolicy"),
                               _shown(policy, minor), minor)


# -- Job -------------------------------------------------------------------------------------


def _completions(spec: Obj, old: Obj, minor: int) -> list[FieldError]:
    """validateCompletions: an Indexed job may change its completions with its parallelism."""
    completions = spec.get("completions")
    if spec.get("completionMode") != "Indexed":
        return _immutable("spec.completions", completions, old.get("completions"),
                          completions, minor)
    if completions == old.get("completions") or completions is None:
        return []
    if completions != spec.get("parallelism"):
        return [fe.invalid_value("spec.completions", completions,
                                 messages.K8S_COMPLETIONS_WITH_PARALLELISM, minor)]
    return []


def _template(spec: Obj, old_spec: Obj, old: Obj, minor: int) -> list[FieldError]:
    """validatePodTemplateUpdate: the old template, with what a suspended job that never
    started may change taken from the new one, must equal the new template."""
    template, old_template = as_dict(spec.get("template")), as_dict(old_spec.get("template"))
    expected = old_template
    never_started = not as_dict(old.get("status")).get("startTime")
    if old_spec.get("suspend") is True and never_started:
        expected = _with_directives(old_template, template)
    if semantic(template) == semantic(expected):
        return []
    return [fe.invalid_value("spec.template", _shown(template, minor), messages.CRD_IMMUTABLE,
                             minor)]


def _with_directives(old: Obj, new: Obj) -> Obj:
    meta, old_meta = as_dict(new.get("metadata")), as_dict(old.get("metadata"))
    spec, old_spec = as_dict(new.get("spec")), dict(as_dict(old.get("spec")))
    taken_meta = {**old_meta, **{k: meta[k] for k in ("labels", "annotations") if k in meta}}
    for k in ("labels", "annotations"):
        if k not in meta:
            taken_meta.pop(k, None)
    for name in _SCHEDULING_DIRECTIVES:
        if name in spec:
            old_spec[name] = spec[name]
        else:
            old_spec.pop(name, None)
    node = as_dict(spec.get("affinity")).get("nodeAffinity")
    others = {k: v for k, v in as_dict(old_spec.get("affinity")).items() if k != "nodeAffinity"}
    affinity = {**others, **({"nodeAffinity": node} if node is not None else {})}
    if affinity:
        old_spec["affinity"] = affinity
    else:
        old_spec.pop("affinity", None)
    return {**old, "metadata": taken_meta, "spec": old_spec}


# -- helpers ----------------------------------------------------------------------------------


def _immutable(path: str, new: Any, old: Any, shown: Any, minor: int) -> list[FieldError]:
    """ValidateImmutableField: the new value, as kube prints it, when it differs."""
    if semantic(new) == semantic(old):
        return []
    return [fe.invalid_value(path, shown, messages.CRD_IMMUTABLE, minor)]


def _immutable_data(obj: Obj, old: Obj, fields: tuple[str, ...]) -> list[FieldError]:
    if old.get("immutable") is not True:
        return []
    errors = []
    if obj.get("immutable") is not True:
        errors.append(fe.forbidden("immutable", messages.K8S_IMMUTABLE_WHEN_SET))
    # An empty map and none are taken as the same (kube's reflect.DeepEqual tells them apart,
    # but kube never stores an empty one to compare with).
    errors += [fe.forbidden(name, messages.K8S_IMMUTABLE_WHEN_SET) for name in fields
               if as_dict(obj.get(name)) != as_dict(old.get(name))]
    return errors


def _shown(value: Any, minor: int) -> Any:
    """A value kube prints plainly (a string, a number), or as JSON for a structure: kube's own
    rendering of those is its internal Go struct, with pointer addresses before 1.34."""
    if isinstance(value, (dict, list)):
        return GoText(fe.go_json(value))
    return value


def _role_ref(binding: Obj) -> tuple[str, str, str]:
    ref = as_dict(binding.get("roleRef"))
    return str(ref.get("apiGroup") or ""), str(ref.get("kind") or ""), str(ref.get("name") or "")


def _bound(claim: Obj) -> bool:
    return as_dict(claim.get("status")).get("phase") == "Bound"
