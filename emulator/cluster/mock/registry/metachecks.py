"""kube's validation of an object's metadata beyond its name (checks.py has the names):
apimachinery's ValidateObjectMetaAccessor on create and ValidateObjectMetaAccessorUpdate on
update (pkg/api/validation/objectmeta.go), in their order, and the finalizer names that the
core group's wrapper of them adds for the built-in kinds (pkg/apis/core/validation):

- labels: each key a qualified name, each value a label value;
- annotations: each key a qualified name (case aside), all of them at most 256 KiB;
- owner references: a version, a kind, a name and a uid each, no Event as an owner, at most
  one controller;
- finalizers (on create): qualified names, not both ``orphan`` and ``foregroundDeletion``; for a
  built-in kind, one without a ``/`` must be a standard one (``kubernetes``, ``orphan``,
  ``foregroundDeletion``), also on update; and none added to an object being deleted.

Helm charts that template a version into a label (``1.2.3+build``) or a long value into one,
and operators that write finalizers without a domain, meet these on a cluster.
"""

from __future__ import annotations

from typing import Any

from emulator import messages
from emulator.cluster.mock.registry import fielderrors as fe
from emulator.cluster.mock.registry import namechecks
from emulator.cluster.mock.registry.fielderrors import FieldError, GoAddresses, GoText
from emulator.cluster.mock.registry.jsonread import as_dict, list_in
from emulator.cluster.mock.registry.schedulingchecks import labels as label_errors

Obj = dict[str, Any]

ANNOTATIONS_LIMIT = 256 * 1024  # TotalAnnotationSizeLimitB
STANDARD_FINALIZERS = frozenset(("kubernetes", "orphan", "foregroundDeletion"))
# The groups whose validation is apimachinery's own, without the core group's finalizer rule.
_PLAIN_GROUPS = frozenset(("apiextensions.k8s.io", "apiregistration.k8s.io"))


def object_meta(meta: Obj, old_meta: Obj | None, minor: int, *, group: str,
                custom: bool = False) -> list[FieldError]:
    """The metadata's errors, for a create (``old_meta`` None) or an update of a kind in
    ``group`` (a custom resource's: ``custom``)."""
    errors = labels_and_annotations(meta, "metadata", minor)
    errors += _owner_references(list_in(meta, "ownerReferences"), minor)
    finalizers = [f for f in list_in(meta, "finalizers") if isinstance(f, str)]
    if old_meta is None:
        errors += _finalizers(finalizers, minor)
    elif old_meta.get("deletionTimestamp"):
        old = {f for f in list_in(old_meta, "finalizers") if isinstance(f, str)}
        added = sorted(set(finalizers) - old)
        if added:
            errors.append(fe.forbidden("metadata.finalizers", messages.K8S_NO_NEW_FINALIZERS.format(
                finalizers=fe.go_strings(added))))
    if not custom and group not in _PLAIN_GROUPS:
        errors += [fe.invalid_value(f"metadata.finalizers[{i}]", name,
                                    messages.K8S_FINALIZER_NOT_STANDARD, minor)
                   for i, name in enumerate(finalizers)
                   if "/" not in name and name not in STANDARD_FINALIZERS]
    return errors


def labels_and_annotations(meta: Obj, path: str, minor: int) -> list[FieldError]:
    """ValidateLabels and ValidateAnnotations of the metadata at ``path``: ``metadata``, or a
    pod template, whose errors kube names ``spec.template.labels`` (no ``metadata``)."""
    return (label_errors(meta.get("labels"), f"{path}.labels", minor)
            + _annotations(as_dict(meta.get("annotations")), f"{path}.annotations", minor))


def _annotations(annotations: Obj, path: str, minor: int) -> list[FieldError]:
    """ValidateAnnotations: keys by the qualified name rule, case aside (kube walks them in
    Go's random map order; the mock by key), then their total size."""
    errors = [fe.invalid_value(path, key, text, minor)
              for key in sorted(annotations)
              for text in namechecks.qualified_name(key.lower(), minor)]
    size = sum(len(k.encode()) + len(str(v).encode()) for k, v in annotations.items())
    if size > ANNOTATIONS_LIMIT:
        errors.append(fe.too_long(path, ANNOTATIONS_LIMIT, minor))
    return errors


def _owner_references(references: list[Any], minor: int) -> list[FieldError]:
    """ValidateOwnerReferences."""
    errors: list[FieldError] = []
    path = "metadata.ownerReferences"
    first_controller = ""
    empty = messages.K8S_OWNER_FIELD_EMPTY if minor >= 34 else messages.K8S_OWNER_FIELD_EMPTY_OLD
    for item in references:
        ref = as_dict(item)
        api_version, kind = str(ref.get("apiVersion") or ""), str(ref.get("kind") or "")
        group, version = _group_version(api_version)
        if not version:
            errors.append(fe.invalid_value(f"{path}.apiVersion", api_version,
                                           messages.K8S_OWNER_VERSION_EMPTY, minor))
        for name, value in (("kind", kind), ("name", ref.get("name")), ("uid", ref.get("uid"))):
            if not value:
                errors.append(fe.invalid_value(f"{path}.{name}", "", empty.format(field=name),
                                               minor))
        if (group, version, kind) == ("", "v1", "Event"):
            errors.append(fe.invalid_value(path, _reference_value(ref, minor),
                                           messages.K8S_OWNER_BANNED.format(
                                               gvk=f"{group}/{version}, Kind={kind}"), minor))
        if ref.get("controller") is True:
            current = f"{kind}/{ref.get('name') or ''}"
            if first_controller:
                errors.append(fe.invalid_value(
                    path, _references_value(references, minor),
                    messages.K8S_OWNER_TWO_CONTROLLERS.format(first=first_controller,
                                                              second=current), minor))
            else:
                first_controller = current
    return errors


def _group_version(api_version: str) -> tuple[str, str]:
    """schema.ParseGroupVersion, its error read as an empty group and version."""
    if api_version in ("", "/"):
        return "", ""
    if api_version.count("/") > 1:
        return "", ""
    group, _, version = api_version.rpartition("/")
    return group, version


def _finalizers(finalizers: list[str], minor: int) -> list[FieldError]:
    """ValidateFinalizers: each a qualified name; the two deletion propagation finalizers are
    exclusive."""
    errors = [fe.invalid_value("metadata.finalizers", name, text, minor)
              for name in finalizers for text in namechecks.qualified_name(name, minor)]
    if "orphan" in finalizers and "foregroundDeletion" in finalizers:
        errors.append(fe.invalid_value("metadata.finalizers", fe.strings_value(finalizers, minor),
                                       messages.K8S_FINALIZERS_EXCLUSIVE, minor))
    return errors


# -- metav1.OwnerReference as ErrorBody prints it ------------------------------------------------


def _reference_value(ref: Obj, minor: int, address: GoAddresses | None = None) -> GoText:
    """Go's %#v before 1.34 (its two *bool at made-up addresses), encoding/json after."""
    if minor >= 34:  # the struct's field order; its two *bool are omitempty
        fields = [f'"{k}":{fe.go_json(str(ref.get(k) or ""))}'
                  for k in ("apiVersion", "kind", "name", "uid")]
        fields += [f'"{k}":{fe.go_json(ref[k])}' for k in ("controller", "blockOwnerDeletion")
                   if ref.get(k) is not None]
        return GoText("{" + ",".join(fields) + "}")
    address = address or GoAddresses()

    def flag(name: str) -> str:
        return "(*bool)(nil)" if ref.get(name) is None else address("*bool")

    return GoText(
        f"v1.OwnerReference{{APIVersion:{fe.go_quote(str(ref.get('apiVersion') or ''))}, "
        f"Kind:{fe.go_quote(str(ref.get('kind') or ''))}, "
        f"Name:{fe.go_quote(str(ref.get('name') or ''))}, "
        f"UID:{fe.go_quote(str(ref.get('uid') or ''))}, "
        f"Controller:{flag('controller')}, BlockOwnerDeletion:{flag('blockOwnerDeletion')}}}")


def _references_value(references: list[Any], minor: int) -> GoText:
    if minor >= 34:
        return GoText("[" + ",".join(_reference_value(as_dict(r), minor) for r in references)
                      + "]")
    address = GoAddresses()
    return GoText("[]v1.OwnerReference{" + ", ".join(
        _reference_value(as_dict(r), minor, address) for r in references) + "}")
