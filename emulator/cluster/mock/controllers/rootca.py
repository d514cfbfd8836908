"""kube-controller-manager's root-ca-cert-publisher: a ``kube-root-ca.crt`` ConfigMap in every
namespace, holding the cluster's CA (``ca.crt``), which the ServiceAccount admission's token
volume projects into every pod (registry/admission.py). Deleted, it is made again; changed, its
data and its description annotation are put back (pkg/controller/certificates/
rootcacertpublisher). A namespace being terminated gets none.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from emulator.cluster.mock.controllers.context import Context
from emulator.cluster.mock.controllers.manager import Controller
from emulator.cluster.mock.registry.admission import ROOT_CA_CONFIG_MAP
from emulator.cluster.mock.registry.jsoncopy import clone
from emulator.cluster.mock.registry.store import WatchEvent
from emulator.cluster.mock.wire.status import KubeError

NAME = "root-ca-cert-publisher"
DESCRIPTION_ANNOTATION = "kubernetes.io/description"
DESCRIPTION = (
    "Contains a CA bundle that can be used to verify the kube-apiserver when using internal "
    "endpoints such as the internal service IP or kubernetes.default.svc. No other usage is "
    "guaranteed across distributions of Kubernetes clusters.")
_NAMESPACES = ("", "namespaces")
_CONFIG_MAPS = ("", "configmaps")


class RootCaPublisher:
    name = NAME
    watches = (_NAMESPACES, _CONFIG_MAPS)

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def keys(self, event: WatchEvent) -> Iterable[str]:
        meta = event.object["metadata"]
        if event.resource == _NAMESPACES:
            # Added, or changed while active (kube's namespaceAdded and namespaceUpdated).
            if event.type == "DELETED" or (event.type == "MODIFIED" and (
                    event.object.get("status") or {}).get("phase", "Active") != "Active"):
                return ()
            return (meta["name"],)
        if meta["name"] != ROOT_CA_CONFIG_MAP or event.type == "ADDED":
            return ()
        return (meta.get("namespace", ""),)

    def sync(self, namespace: str) -> None:
        found = self.ctx.store.get(_NAMESPACES, "", namespace)
        if found is None or (found.get("status") or {}).get("phase") == "Terminating":
            return  # kube's create fails there, and the publisher does not retry it
        data = {"ca.crt": self.ctx.root_ca().decode()}
        current = self.ctx.store.get(_CONFIG_MAPS, namespace, ROOT_CA_CONFIG_MAP)
        if current is None:
            self._create(namespace, data)
            return
        annotations = current["metadata"].get("annotations") or {}
        if current.get("data") == data and annotations.get(DESCRIPTION_ANNOTATION):
            return
        restored = clone(current)
        restored["data"] = data
        restored["metadata"]["annotations"] = {**annotations,
                                               DESCRIPTION_ANNOTATION: DESCRIPTION}
        self.ctx.update(*_CONFIG_MAPS, restored)

    def _create(self, namespace: str, data: dict[str, Any]) -> None:
        try:
            self.ctx.create(*_CONFIG_MAPS, {
                "apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": ROOT_CA_CONFIG_MAP, "namespace": namespace,
                             "annotations": {DESCRIPTION_ANNOTATION: DESCRIPTION}},
                "data": data})
        except KubeError as err:
            if err.code != 409:  # made meanwhile: the next change brings it here again
                raise


def controllers(ctx: Context) -> list[Controller]:
    return [RootCaPublisher(ctx)]
