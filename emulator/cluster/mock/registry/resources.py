"""The resource types a cluster serves: every built-in resource of its Kubernetes minor.

The definitions are data (data/served/1.NN.json, from upstream's OpenAPI document of that minor; see
tools/kubedata/served_resources.py): discovery, OpenAPI, routing, Tables and RBAC resource names all
read one cluster's ``Registry``. Anything not in it is a 404, as on a real apiserver.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from importlib.resources import files
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from emulator.cluster.mock.registry.kinds import Behaviour
    from emulator.cluster.mock.registry.selectors import FieldRead

CRUD_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")

# Resources kube keeps in another resource's storage: the events.k8s.io API serves the core
# Events (pkg/registry/events builds its REST from the core event storage), so an Event written
# through either API is read, listed and watched through both, converted to each.
SHARED_STORAGE: dict[tuple[str, str], tuple[str, str]] = {
    ("events.k8s.io", "events"): ("", "events")}


@dataclass(frozen=True)
class Subresource:
    name: str  # "status", "log", "exec", ...
    kind: str  # response kind, e.g. "PodExecOptions"
    verbs: tuple[str, ...]
    group: str = ""
    version: str = "v1"


@dataclass(frozen=True)
class CustomKind:
    """What a CustomResourceDefinition says of one of its served versions, beyond names and verbs.

    Kept as canonical JSON text, not dicts: a ResourceType must stay hashable (the OpenAPI
    documents are cached by the resources they serve), and two CRDs that differ only in their
    schema must never share a cached document."""

    crd_name: str  # "<plural>.<group>", the CRD's own name
    schema_json: str = "null"  # the version's openAPIV3Schema, or null when it has none
    columns_json: str = "[]"  # additionalPrinterColumns as written in the CRD
    # The scale subresource's specReplicasPath, statusReplicasPath, labelSelectorPath ("" if
    # unset); None when the version has no scale subresource.
    scale: tuple[str, str, str] | None = None
    storage: bool = False  # the CRD's storage version
    storage_version: str = ""  # the version objects of this kind are stored in

    @functools.cached_property
    def schema(self) -> dict[str, Any] | None:
        loaded = json.loads(self.schema_json)
        return loaded if isinstance(loaded, dict) else None

    @functools.cached_property
    def columns(self) -> list[dict[str, Any]]:
        return list(json.loads(self.columns_json))


@dataclass(frozen=True)
class ResourceType:
    group: str  # "" for the core group
    version: str
    kind: str
    plural: str
    singular: str
    namespaced: bool
    verbs: tuple[str, ...] = CRUD_VERBS
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    subresources: tuple[Subresource, ...] = ()
    # Create-only "virtual" resources (reviews) are never stored.
    virtual: bool = False
    # Set for a custom resource: what its CustomResourceDefinition says (registry/crds.py).
    custom: CustomKind | None = None

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def list_kind(self) -> str:
        return f"{self.kind}List"

    @property
    def group_resource(self) -> str:
        """``pods`` or ``deployments.apps``: how kube-apiserver names a resource in messages."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    @property
    def base_path(self) -> str:
        """``/api/v1`` or ``/apis/apps/v1``."""
        return f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"

    @functools.cached_property
    def behaviour(self) -> Behaviour:
        """The kind's printer, defaulting and field selectors (kinds.py); looked up once per
        resource, as every write asks. Imported here, not at the top: kinds.py reaches the
        printers, which name ResourceType."""
        from emulator.cluster.mock.registry.kinds import behaviour_of, custom_behaviour
        if self.custom is not None:
            return custom_behaviour(self.custom)
        return behaviour_of(self.group, self.kind)

    @property
    def storage_key(self) -> tuple[str, str]:
        """(group, plural) of the storage that holds this resource's objects."""
        own = (self.group, self.plural)
        return SHARED_STORAGE.get(own, own)

    @property
    def field_selectors(self) -> tuple[str, ...]:
        """Every field label a list or watch of this resource may select on."""
        return ("metadata.name", "metadata.namespace", *self.behaviour.field_selectors)

    @property
    def field_reads(self) -> dict[str, FieldRead]:
        """How the field labels that are not a stored field's path are read (selectors.py)."""
        return dict(self.behaviour.field_reads)

    def subresource(self, name: str) -> Subresource | None:
        return next((s for s in self.subresources if s.name == name), None)


# The minors whose served resources the package carries (data/served/1.NN.json). A cluster of
# another minor serves the nearest one's.
FIRST_MINOR, LAST_MINOR = 27, 35


Served = tuple[tuple[ResourceType, ...], tuple[tuple[str, tuple[str, ...]], ...]]


def _load_served(minor: int) -> Served:
    """(resources, ((group, versions preferred first), ...)) of a kube-apiserver of 1.``minor``."""
    clamped = min(max(minor, FIRST_MINOR), LAST_MINOR)
    data_folder = files("emulator.cluster.mock.registry.data")
    text = (data_folder / "served" / f"1.{clamped}.json").read_text()
    data = json.loads(text)
    resources = tuple(
        ResourceType(
            r["group"], r["version"], r["kind"], r["plural"], r["singular"], r["namespaced"],
            tuple(r["verbs"]), tuple(r["shortNames"]), tuple(r["categories"]),
            tuple(Subresource(s["name"], s["kind"], tuple(s["verbs"]), s["group"], s["version"])
                  for s in r["subresources"]),
            # Create-only kinds (the reviews, bindings) answer a request and are never stored.
            virtual=tuple(r["verbs"]) == ("create",))
        for r in data["resources"])
    groups = tuple((g["name"], tuple(g["versions"])) for g in data["groups"])
    return resources, groups


_SERVED: dict[int, Served] = {}


def served(minor: int) -> Served:
    """Read once per minor: every cluster of that minor shares the same immutable definitions."""
    if minor not in _SERVED:
        _SERVED[minor] = _load_served(minor)
    return _SERVED[minor]


@dataclass(eq=False)
class Registry:
    """One cluster's kinds, looked up by the keys that requests use.

    Each cluster assembles its own (``for_version``): what it serves depends on its Kubernetes
    minor, and custom resources join one cluster's registry, not every cluster's. The built-in
    part never changes; ``install`` and ``uninstall`` add and remove a CustomResourceDefinition's
    resources, and ``generation`` counts those changes so that documents built from the registry
    (discovery's ETag, the OpenAPI index) can tell they are stale.
    """

    resources: tuple[ResourceType, ...]
    kubernetes_version: str = "1.30"
    # (group, versions preferred first), in the order kube lists groups; "" is the core group.
    group_versions_order: tuple[tuple[str, tuple[str, ...]], ...] = ()
    generation: int = 0
    _by_path: dict[tuple[str, str, str], ResourceType] = field(default_factory=dict, repr=False)
    _by_kind: dict[tuple[str, str], ResourceType] = field(default_factory=dict, repr=False)
    _builtin: tuple[ResourceType, ...] = field(default=(), repr=False)
    _builtin_groups: tuple[tuple[str, tuple[str, ...]], ...] = field(default=(), repr=False)
    _custom: dict[str, tuple[ResourceType, ...]] = field(default_factory=dict, repr=False)
    _versions: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._builtin, self._builtin_groups = self.resources, self.group_versions_order
        self._index()

    def _index(self) -> None:
        # Every write asks these (its storage version, its minor): kept, not searched.
        self._by_path.clear()
        self._by_kind.clear()
        for r in self.resources:
            self._by_path[(r.group, r.version, r.plural)] = r
            self._by_kind.setdefault((r.api_version, r.kind), r)
        self._versions.clear()
        for group, versions in self.group_versions_order:
            self._versions.setdefault(group, versions)

    def install(self, crd_name: str, resources: tuple[ResourceType, ...]) -> None:
        """Serve a CustomResourceDefinition's versions (replacing what it served before)."""
        self._custom[crd_name] = resources
        self._rebuild()

    def uninstall(self, crd_name: str) -> None:
        if self._custom.pop(crd_name, None) is not None:
            self._rebuild()

    def custom(self, crd_name: str) -> tuple[ResourceType, ...]:
        return self._custom.get(crd_name, ())

    def _rebuild(self) -> None:
        custom = [r for name in sorted(self._custom) for r in self._custom[name]]
        builtin_groups = {g for g, _ in self._builtin_groups}
        versions: dict[str, set[str]] = {}
        for r in custom:
            if r.group not in builtin_groups:
                versions.setdefault(r.group, set()).add(r.version)
        # kube lists CRD groups after the built-in ones, alphabetically (they share the lowest
        # group priority), each group's versions by kube-aware version priority.
        added = tuple((g, tuple(sorted(v, key=version_priority)))
                      for g, v in sorted(versions.items()))
        object.__setattr__(self, "resources", (*self._builtin, *custom))
        object.__setattr__(self, "group_versions_order", (*self._builtin_groups, *added))
        self.generation += 1
        self._index()

    @classmethod
    def for_version(cls, kubernetes_version: str) -> Registry:
        resources, groups = served(kubernetes_version_parts(kubernetes_version)[1])
        return cls(resources, kubernetes_version, groups)

    @functools.cached_property
    def minor(self) -> int:
        """30 for "1.30.4-gke.1348000" (read once: a cluster's version never changes)."""
        return kubernetes_version_parts(self.kubernetes_version)[1]

    def lookup(self, group: str, version: str, plural: str) -> ResourceType | None:
        return self._by_path.get((group, version, plural))

    def by_kind(self, api_version: str, kind: str) -> ResourceType | None:
        return self._by_kind.get((api_version, kind))

    def group_versions(self, group: str) -> list[str]:
        """Versions served for a group, preferred first."""
        return list(self._versions.get(group, ()))

    def in_group_version(self, group: str, version: str) -> list[ResourceType]:
        return [r for r in self.resources if r.group == group and r.version == version]

    def groups(self) -> list[str]:
        """Named groups (not the core group), in discovery order."""
        return [g for g, _ in self.group_versions_order if g]

    def preferred(self) -> list[ResourceType]:
        """Each resource once, at its group's most preferred version that has it: what
        ``kubectl api-resources`` lists."""
        seen: set[tuple[str, str]] = set()
        out = []
        for group, versions in self.group_versions_order:
            for version in versions:
                for r in self.in_group_version(group, version):
                    if (group, r.plural) not in seen:
                        seen.add((group, r.plural))
                        out.append(r)
        return out


def version_priority(version: str) -> tuple[int, int, int, str]:
    """Sort key of kube's version priority (CompareKubeAwareVersionStrings): GA before beta
    before alpha, higher numbers first, and names that look like no Kubernetes version last, in
    alphabetical order."""
    match = re.fullmatch(r"v(\d+)(?:(alpha|beta)(\d+))?", version)
    if not match:
        return (3, 0, 0, version)
    stability = {"": 0, "beta": 1, "alpha": 2}[match.group(2) or ""]
    return (stability, -int(match.group(1)), -int(match.group(3) or 0), "")


def kubernetes_version_parts(version: str) -> tuple[int, int]:
    """(1, 30) for "v1.30.4-gke.1348000" or "1.30"; (1, 30) when it cannot be read."""
    match = re.match(r"v?(\d+)\.(\d+)", version)
    return (int(match.group(1)), int(match.group(2))) if match else (1, 30)

