"""CustomResourceDefinitions: what a CRD object makes the cluster serve, and the status kube's
CRD controllers give it.

kube-apiserver's apiextensions controllers (naming, establishing, finalizing) run apart from the
request that wrote the CRD; here they run right after it (``Crds.reconcile``), so a client that
waits for ``Established`` sees it at once and a deleted CRD takes its objects with it before the
delete returns. A CRD's served versions join the cluster's ``Registry``; its schema, printer
columns and scale paths ride along as a ``CustomKind``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from emulator.clock import rfc3339
from emulator.cluster.mock.registry.jsoncopy import clone
from emulator.cluster.mock.registry.resources import (CRUD_VERBS, CustomKind, Registry,
                                                      ResourceType, Subresource)
from emulator.cluster.mock.registry.store import ObjectStore

GROUP = "apiextensions.k8s.io"
KEY = (GROUP, "customresourcedefinitions")
# The finalizer kube's CRD handler adds, so that a deleted CRD's objects go before it does.
CLEANUP_FINALIZER = "customresourcecleanup.apiextensions.k8s.io"
# What a status or scale subresource of a custom resource answers to (kube: get, patch, update).
CRUD_VERBS_OF_STATUS = ("get", "patch", "update")


def accepted_names(spec_names: dict[str, Any]) -> dict[str, Any]:
    """spec.names as the naming controller accepts them: singular defaults to the lower-case
    kind and listKind to <kind>List (the v1 defaults)."""
    names = {k: v for k, v in spec_names.items() if v not in (None, "", [])}
    kind = str(names.get("kind", ""))
    names.setdefault("singular", kind.lower())
    names.setdefault("listKind", f"{kind}List")
    return names


def resources_of(crd: dict[str, Any]) -> tuple[ResourceType, ...]:
    """One ResourceType per served version of an established CRD, named by its accepted
    names."""
    spec = crd.get("spec") or {}
    names = accepted_names((crd.get("status") or {}).get("acceptedNames") or spec.get("names")
                           or {})
    versions = [v for v in spec.get("versions") or [] if isinstance(v, dict)]
    storage = next((v.get("name", "") for v in versions if v.get("storage")), "")
    out = []
    for version in versions:
        if not version.get("served"):
            continue
        subs = version.get("subresources") or {}
        subresources: list[Subresource] = []
        if "status" in subs:
            subresources.append(Subresource("status", names["kind"], CRUD_VERBS_OF_STATUS,
                                            spec.get("group", ""), version.get("name", "")))
        scale = subs.get("scale")
        if isinstance(scale, dict):
            subresources.append(Subresource("scale", "Scale", CRUD_VERBS_OF_STATUS,
                                            "autoscaling", "v1"))
        custom = CustomKind(
            crd_name=crd["metadata"]["name"],
            schema_json=_canonical((version.get("schema") or {}).get("openAPIV3Schema")),
            columns_json=_canonical(version.get("additionalPrinterColumns") or []),
            scale=None if not isinstance(scale, dict) else (
                str(scale.get("specReplicasPath", "")), str(scale.get("statusReplicasPath", "")),
                str(scale.get("labelSelectorPath") or "")),
            storage=bool(version.get("storage")), storage_version=storage)
        out.append(ResourceType(
            spec.get("group", ""), version.get("name", ""), names["kind"], names["plural"],
            names["singular"], spec.get("scope") == "Namespaced", CRUD_VERBS,
            tuple(names.get("shortNames") or ()), tuple(names.get("categories") or ()),
            tuple(subresources), custom=custom))
    return tuple(out)


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


class Crds:
    """The CRD controllers of one cluster, run after every write to a CRD."""

    def __init__(self, store: ObjectStore, registry: Registry,
                 now: Callable[[], datetime]) -> None:
        self.store, self.registry, self.now = store, registry, now

    def reconcile(self) -> None:
        """Bring every CRD's status, and the registry, in line with the stored CRDs."""
        crds, _ = self.store.list(KEY, "")
        present = set()
        for crd in crds:
            name = crd["metadata"]["name"]
            if crd["metadata"].get("deletionTimestamp"):
                self._finalize(crd)
                continue
            present.add(name)
            settled = self._with_status(crd, crds)
            if settled != crd:
                crd = self.store.put(KEY, settled, event="MODIFIED")
            if _established(crd):
                served = resources_of(crd)
                if served != self.registry.custom(name):
                    self.registry.install(name, served)
            else:
                self.registry.uninstall(name)
        for name in [r.custom.crd_name for r in self.registry.resources if r.custom]:
            if name not in present:
                self.registry.uninstall(name)

    def _with_status(self, crd: dict[str, Any], crds: list[dict[str, Any]]) -> dict[str, Any]:
        """The naming and establishing controllers' status: each requested name accepted unless
        a CRD of the group already holds it, NamesAccepted, Established, stored versions."""
        spec = crd.get("spec") or {}
        status = clone(crd.get("status") or {})
        names, accepted = _accept_names(accepted_names(spec.get("names") or {}),
                                        status.get("acceptedNames") or {}, crd, crds)
        status["acceptedNames"] = names
        now = rfc3339(self.now())
        conditions = {c.get("type"): c for c in status.get("conditions") or []
                      if isinstance(c, dict)}
        conditions["NamesAccepted"] = _condition(conditions.get("NamesAccepted"), "NamesAccepted",
                                                 *accepted, now)
        if accepted[0] == "True":
            # The establishing controller, at once: the kind is served from here on.
            conditions["Established"] = _condition(
                conditions.get("Established"), "Established", "True", "InitialNamesAccepted",
                "the initial names have been accepted", now)
        elif "Established" not in conditions:
            conditions["Established"] = _condition(None, "Established", "False", "NotAccepted",
                                                   "not all names are accepted", now)
        status["conditions"] = [conditions[t] for t in ("NamesAccepted", "Established",
                                                        "Terminating") if t in conditions]
        storage = next((v.get("name") for v in spec.get("versions") or []
                        if isinstance(v, dict) and v.get("storage")), None)
        stored = list(status.get("storedVersions") or [])
        if storage and storage not in stored:
            stored.append(storage)
        status["storedVersions"] = stored
        return {**crd, "status": status}

    def _finalize(self, crd: dict[str, Any]) -> None:
        """The finalizing controller: delete every object of the kind, then let the CRD go."""
        name = crd["metadata"]["name"]
        served = self.registry.custom(name) or resources_of(crd)
        self.registry.uninstall(name)
        for resource in served[:1]:
            items, _ = self.store.list((resource.group, resource.plural), None)
            for item in items:
                meta = item["metadata"]
                self.store.remove((resource.group, resource.plural),
                                  meta.get("namespace") or "", meta["name"])
        finalizers = [f for f in crd["metadata"].get("finalizers") or []
                      if f != CLEANUP_FINALIZER]
        if finalizers:
            kept = clone(crd)
            kept["metadata"]["finalizers"] = finalizers
            if kept != crd:
                self.store.put(KEY, kept, event="MODIFIED")
            return
        self.store.remove(KEY, "", name)


def _established(crd: dict[str, Any]) -> bool:
    return any(c.get("type") == "Established" and c.get("status") == "True"
               for c in (crd.get("status") or {}).get("conditions") or [] if isinstance(c, dict))


def _accept_names(requested: dict[str, Any], accepted: dict[str, Any], crd: dict[str, Any],
                  crds: list[dict[str, Any]]) -> tuple[dict[str, Any], tuple[str, str, str]]:
    """The naming controller: each requested name is taken unless another name of the group
    (as any CRD of it, this one included, accepted it) already holds it; the condition
    (status, reason, message) names the last clash, as kube's does."""
    group = (crd.get("spec") or {}).get("group")
    resources: set[str] = set()
    kinds: set[str] = set()
    for other in crds:
        if (other.get("spec") or {}).get("group") != group:
            continue
        taken = (other.get("status") or {}).get("acceptedNames") or {}
        resources.update((taken.get("plural", ""), taken.get("singular", ""),
                          *(taken.get("shortNames") or [])))
        kinds.update((taken.get("kind", ""), taken.get("listKind", "")))
    names = dict(accepted)
    condition = ("True", "NoConflicts", "no conflicts found")
    for field_name, used, reason in (("plural", resources, "PluralConflict"),
                                     ("singular", resources, "SingularConflict"),
                                     ("kind", kinds, "KindConflict"),
                                     ("listKind", kinds, "ListKindConflict")):
        wanted = requested.get(field_name, "")
        if wanted != accepted.get(field_name, "") and wanted in used:
            condition = ("False", reason, f'"{wanted}" is already in use')
        else:
            names[field_name] = wanted
        if field_name == "singular":  # kube checks short names between singular and kind
            clash = _short_names_clash(requested, accepted, resources)
            if clash:
                condition = ("False", "ShortNamesConflict", clash)
            elif requested.get("shortNames"):
                names["shortNames"] = requested["shortNames"]
            else:
                names.pop("shortNames", None)
    if requested.get("categories"):
        names["categories"] = requested["categories"]
    else:
        names.pop("categories", None)
    # Go's field order of CustomResourceDefinitionNames.
    order = ("plural", "singular", "shortNames", "kind", "listKind", "categories")
    return {k: names[k] for k in order if names.get(k) not in (None, "")}, condition


def _short_names_clash(requested: dict[str, Any], accepted: dict[str, Any],
                       used: set[str]) -> str:
    ours = set(accepted.get("shortNames") or [])
    clashes = [f'"{n}" is already in use' for n in requested.get("shortNames") or []
               if n not in ours and n in used]
    # utilerrors' aggregate: one error as it is, several in brackets.
    return clashes[0] if len(clashes) == 1 else ("[" + ", ".join(clashes) + "]" if clashes
                                                 else "")


def _condition(old: dict[str, Any] | None, kind: str, status: str, reason: str, message: str,
               now: str) -> dict[str, Any]:
    """A condition as kube sets it: the transition time moves only when the status does."""
    since = (old or {}).get("lastTransitionTime") if (old or {}).get("status") == status else None
    return {"type": kind, "status": status, "lastTransitionTime": since or now,
            "reason": reason, "message": message}
