"""A built embedded cluster's image: what it holds once its controllers have settled, kept so that
the next world of the same scenario starts from it instead of being built again.

Building a cluster costs milliseconds (the boot objects, the Connect Agent's Deployment rolled
out by the controllers, the scenario's seeds); a test suite resets the world before every test.
Restoring is a controller-manager restart on a copied etcd: the objects come back as they were
(shared with the image: stored objects are replaced, never changed in place), the controllers
relearn them from one replay of the store, and what lives outside the store (pod logs, tokens,
seeded files and scripted answers, address counters) is copied. A cluster whose build left
something in motion (a timer, a container process, a sandbox) has no image: it is built afresh.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from emulator.cluster.mock.auth.identity import UserInfo
from emulator.cluster.mock.registry.serviceallocation import AllocationCursors
from emulator.cluster.mock.registry.store import StoreSnapshot

if TYPE_CHECKING:
    from datetime import datetime
    from emulator.cluster.mock.node import container
    from emulator.cluster.mock.node.podlogs import PodLogs

ContainerKey = tuple[str, str, str]  # (namespace, pod, container)


@dataclass(frozen=True)
class ClusterImage:
    store: StoreSnapshot
    logs: PodLogs  # a copy no cluster writes to
    tokens: dict[str, UserInfo]
    expiries: dict[str, datetime]
    pod_files: dict[ContainerKey, dict[str, str | bytes]]
    scripted: dict[ContainerKey, dict[str, container.Scripted]]
    pod_ips: int
    service_cursors: AllocationCursors  # a copy no cluster allocates from
    root_ca: bytes | None  # the cluster's CA, once kube-root-ca.crt published it

    @property
    def objects(self) -> int:
        """How many stored objects the image holds (what its memory grows with)."""
        return self.store.count


V = TypeVar("V")


def per_container(contents: dict[ContainerKey, dict[str, V]]) -> dict[ContainerKey, dict[str, V]]:
    """A copy with each container's own map copied too (seeded files, scripted answers): a
    sandbox made from them may add or change entries."""
    return {key: dict(entries) for key, entries in contents.items()}
