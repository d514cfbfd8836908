"""The resource types a cluster serves: every built-in resource of its Kubernetes minor.

The definitions are data (data/served/1.NN.json, from upstream's OpenAPI document of that minor; see
tools/kubedata/served_resources.py): discovery, OpenAPI, routing, Tables and RBAC resource names all
read one cluster's ``Registry``. Anything not in it is a 404, as on a real apiserver.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from importlib.resources import files
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from emulator.cluster.mock.registry.kinds import Behaviour

CRUD_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")


@dataclass(frozen=True)
class Subresource:
    name: str  # "status", "log", "exec", ...
    kind: str  # response kind, e.g. "PodExecOptions"
    verbs: tuple[str, ...]
    group: str = ""
    version: str = "v1"


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

    @property
    def behaviour(self) -> Behaviour:
        """The kind's printer, defaulting and field selectors (kinds.py). Imported here, not at
        the top: kinds.py reaches the printers, which name ResourceType."""
        from emulator.cluster.mock.registry.kinds import behaviour_of
        return behaviour_of(self.group, self.kind)

    @property
    def field_selectors(self) -> tuple[str, ...]:
        """Every field label a list or watch of this resource may select on."""
        return ("metadata.name", "metadata.namespace", *self.behaviour.field_selectors)

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


@dataclass(frozen=True)
class Registry:
    """One cluster's kinds, looked up by the keys that requests use.

    Each cluster assembles its own (``for_version``): what it serves depends on its Kubernetes
    minor, and custom resources join one cluster's registry, not every cluster's.
    """

    resources: tuple[ResourceType, ...]
    kubernetes_version: str = "1.30"
    # (group, versions preferred first), in the order kube lists groups; "" is the core group.
    group_versions_order: tuple[tuple[str, tuple[str, ...]], ...] = ()
    _by_path: dict[tuple[str, str, str], ResourceType] = field(default_factory=dict, repr=False)
    _by_kind: dict[tuple[str, str], ResourceType] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for r in self.resources:
            self._by_path[(r.group, r.version, r.plural)] = r
            self._by_kind.setdefault((r.api_version, r.kind), r)

    @classmethod
    def for_version(cls, kubernetes_version: str) -> Registry:
        resources, groups = served(kubernetes_version_parts(kubernetes_version)[1])
        return cls(resources, kubernetes_version, groups)

    @property
    def minor(self) -> int:
        """30 for "1.30.4-gke.1348000"."""
        return kubernetes_version_parts(self.kubernetes_version)[1]

    def lookup(self, group: str, version: str, plural: str) -> ResourceType | None:
        return self._by_path.get((group, version, plural))

    def by_kind(self, api_version: str, kind: str) -> ResourceType | None:
        return self._by_kind.get((api_version, kind))

    def group_versions(self, group: str) -> list[str]:
        """Versions served for a group, preferred first."""
        return list(next((v for g, v in self.group_versions_order if g == group), ()))

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


def kubernetes_version_parts(version: str) -> tuple[int, int]:
    """(1, 30) for "v1.30.4-gke.1348000" or "1.30"; (1, 30) when it cannot be read."""
    match = re.match(r"v?(\d+)\.(\d+)", version)
    return (int(match.group(1)), int(match.group(2))) if match else (1, 30)

