"""pods/ephemeralcontainers: what kube's ``EphemeralContainersREST`` and
``podEphemeralContainersStrategy`` (pkg/registry/core/pod) do with a write.

A PUT or PATCH through the subresource changes one thing of the stored pod, its
``spec.ephemeralContainers`` (``dropNonEphemeralContainerUpdates``): whatever else the body or
the patch changed is dropped. The list is defaulted as any container is, then checked as
``validateEphemeralContainers`` and ``ValidatePodEphemeralContainersUpdate`` check it (the subset
clients meet): a name and an image are required, the name a DNS label unique among all the pod's
containers; ``targetContainerName`` names a container or an init container; the fields kube keeps
from ephemeral containers (ports, resources, probes, lifecycle, ...) and volume subpaths are
refused; an existing ephemeral container may be neither changed nor removed; a static pod takes
none.
"""

from __future__ import annotations

import json
import re
from typing import Any

from emulator import messages
from emulator.cluster.mock.registry import defaults, fieldvalidation
from emulator.cluster.mock.registry.fielderrors import FieldError, invalid
from emulator.cluster.mock.registry.jsoncopy import clone
from emulator.cluster.mock.wire.status import KubeError

FIELD = "spec.ephemeralContainers"
MIRROR_POD_ANNOTATION = "kubernetes.io/config.mirror"
# EphemeralContainerCommon's fields that kube's allowedEphemeralContainerFields leaves out, in the
# struct's order (the order kube reports them in).
FORBIDDEN_FIELDS = ("ports", "resources", "resizePolicy", "restartPolicy", "restartPolicyRules",
                    "livenessProbe", "readinessProbe", "startupProbe", "lifecycle")
# Go bools and strings: false and "" are what an absent field decodes to.
_ZERO_WHEN_ABSENT = ("stdin", "stdinOnce", "tty", "name", "image", "workingDir",
                     "terminationMessagePath", "terminationMessagePolicy", "imagePullPolicy",
                     "targetContainerName")
_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


def prepared(current: dict[str, Any], wanted: Any, minor: int) -> dict[str, Any]:
    """The pod to store for a write that asked for ``wanted`` (a PUT's body, or what a patch
    made of ``current``): ``current`` with ``wanted``'s ephemeral containers, defaulted. Raises
    kube's Invalid error when the change is not allowed. What identifies the write (apiVersion,
    kind, name, namespace, resourceVersion) is taken from ``wanted``, so the update checks them."""
    if not isinstance(wanted, dict):
        raise KubeError(400, messages.K8S_BODY_NOT_OBJECT.format(detail=type(wanted).__name__))
    spec = wanted.get("spec")
    if spec is not None and not isinstance(spec, dict):
        raise KubeError(400, messages.K8S_BODY_NOT_OBJECT.format(detail="spec"))
    containers = (spec or {}).get("ephemeralContainers")
    if containers is None:
        containers = []
    if not (isinstance(containers, list) and all(_well_typed(c) for c in containers)):
        raise KubeError(400, messages.K8S_BODY_NOT_OBJECT.format(detail=FIELD))
    containers = clone(containers)
    for each in containers:
        defaults.container(each)
    validate(current, _known(containers, current.get("apiVersion", "v1"), minor))
    pod = clone(current)
    if containers:
        pod.setdefault("spec", {})["ephemeralContainers"] = containers
    else:
        pod.setdefault("spec", {}).pop("ephemeralContainers", None)
    for key in ("apiVersion", "kind"):
        if key in wanted:
            pod[key] = wanted[key]
    meta = wanted.get("metadata")
    if isinstance(meta, dict):
        for key in ("name", "namespace", "resourceVersion"):
            if key in meta:
                pod["metadata"][key] = meta[key]
    return pod


def validate(current: dict[str, Any], containers: list[dict[str, Any]]) -> None:
    """ValidatePodEphemeralContainersUpdate for ``current`` given ``containers`` as its new
    ephemeral containers (defaulted, without unknown fields)."""
    meta = current.get("metadata") or {}
    if MIRROR_POD_ANNOTATION in (meta.get("annotations") or {}):
        static = messages.K8S_FIELD_FORBIDDEN.format(detail=messages.K8S_EPHEMERAL_STATIC_POD)
        _raise(meta.get("name", ""), [FieldError("FieldValueForbidden", "", static)])
    spec = current.get("spec") or {}
    errors = _new_list_errors(spec, containers)
    by_name = {c.get("name"): c for c in containers}
    for old in spec.get("ephemeralContainers") or []:
        new = by_name.get(old.get("name"))
        quoted = fieldvalidation.go_quote(str(old.get("name", "")))
        if new is None:
            detail = messages.K8S_EPHEMERAL_REMOVED.format(name=quoted)
        elif _normal(old) != _normal(new):
            detail = messages.K8S_EPHEMERAL_CHANGED.format(name=quoted, diff=_diff(old, new))
        else:
            continue
        errors.append(FieldError("FieldValueForbidden", FIELD,
                       messages.K8S_FIELD_FORBIDDEN.format(detail=detail)))
    if errors:
        _raise(meta.get("name", ""), errors)


def _new_list_errors(spec: dict[str, Any], containers: list[dict[str, Any]]) -> list[FieldError]:
    """validateEphemeralContainers, for the rules kept here."""
    others = {c.get("name") for key in ("containers", "initContainers")
              for c in spec.get(key) or [] if isinstance(c, dict)}
    names = set(others)
    errors: list[FieldError] = []
    for index, container in enumerate(containers):
        at = f"{FIELD}[{index}]"
        name = container.get("name") or ""
        if not name:
            errors.append(FieldError("FieldValueRequired", f"{at}.name", messages.K8S_FIELD_REQUIRED))
        elif not (len(name) <= 63 and _DNS_LABEL.match(name)):
            errors.append(FieldError("FieldValueInvalid", f"{at}.name", messages.K8S_FIELD_INVALID.format(
                value=fieldvalidation.go_quote(name), detail=messages.K8S_DNS_LABEL_DETAIL)))
        if not container.get("image"):
            errors.append(FieldError("FieldValueRequired", f"{at}.image", messages.K8S_FIELD_REQUIRED))
        if name in names:
            errors.append(FieldError("FieldValueDuplicate", f"{at}.name", messages.K8S_FIELD_DUPLICATE.format(
                value=fieldvalidation.go_quote(name))))
        names.add(name)
        target = container.get("targetContainerName") or ""
        if target and target not in others:
            errors.append(FieldError("FieldValueNotFound", f"{at}.targetContainerName",
                           messages.K8S_FIELD_NOT_FOUND.format(
                               value=fieldvalidation.go_quote(target))))
        forbidden = messages.K8S_FIELD_FORBIDDEN.format(
            detail=messages.K8S_EPHEMERAL_FIELD_FORBIDDEN)
        for field_name in FORBIDDEN_FIELDS:
            if _is_set(field_name, container.get(field_name)):
                errors.append(FieldError("FieldValueForbidden", f"{at}.{field_name}", forbidden))
        mounts = container.get("volumeMounts")
        for mount_index, mount in enumerate(mounts if isinstance(mounts, list) else []):
            for sub in ("subPath", "subPathExpr"):
                if isinstance(mount, dict) and mount.get(sub):
                    errors.append(FieldError("FieldValueForbidden",
                                   f"{at}.volumeMounts[{mount_index}].{sub}", forbidden))
    return errors


def _is_set(field_name: str, value: Any) -> bool:
    """Go's zero test on the decoded field: ``resources`` is a struct (zero while it holds no
    limits, requests or claims); the rest are pointers or slices, set by any non-null value."""
    if value is None:
        return False
    if field_name == "resources" and isinstance(value, dict):
        return any(v is not None for v in value.values())
    return True


def _raise(name: str, errors: list[FieldError]) -> None:
    """apierrors.NewInvalid for a Pod (core group)."""
    raise invalid("Pod", "", name, errors)


def _well_typed(container: Any) -> bool:
    return isinstance(container, dict) and all(
        container.get(key) is None or isinstance(container.get(key), str)
        for key in ("name", "image", "targetContainerName"))


def _known(containers: list[dict[str, Any]], api_version: str, minor: int) -> list[dict[str, Any]]:
    """The containers as kube's decoding keeps them: without fields the schema lacks."""
    checked = fieldvalidation.check({"apiVersion": api_version, "kind": "Pod",
                                     "spec": {"ephemeralContainers": containers}},
                                    "Pod", minor=minor, go_types=False)
    known = (checked.obj.get("spec") or {}).get("ephemeralContainers")
    return known if isinstance(known, list) else containers


def _normal(container: dict[str, Any]) -> dict[str, Any]:
    """A container as kube's semantic equality sees it: null and empty lists are absent, and so
    are the false or empty values of plain Go bools and strings."""
    return {k: v for k, v in container.items()
            if v is not None and v != [] and not (k in _ZERO_WHEN_ABSENT and v in (False, ""))}


def _diff(old: dict[str, Any], new: dict[str, Any]) -> str:
    before, after = _normal(old), _normal(new)
    lines = []
    for key in dict.fromkeys([*before, *after]):
        if before.get(key) == after.get(key):
            continue
        for sign, side in (("-", before), ("+", after)):
            if key in side:
                lines.append(messages.K8S_EPHEMERAL_DIFF_LINE.format(
                    sign=sign, field=key, value=json.dumps(side[key], separators=(",", ":"))))
    return "\n".join(lines)
