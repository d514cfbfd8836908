"""Every area of controllers, in the order their loops are registered."""

from __future__ import annotations

from emulator.cluster.mock.controllers import (
    cronjobs,
    daemonsets,
    deployments,
    endpoints,
    garbagecollector,
    jobs,
    kubelet,
    replicasets,
    rootca,
    scheduler,
    statefulsets,
)
from emulator.cluster.mock.controllers.context import Context
from emulator.cluster.mock.controllers.manager import Controller

AREAS = (scheduler, kubelet, replicasets, deployments, statefulsets, daemonsets, jobs, cronjobs,
         endpoints, rootca, garbagecollector)


def build(ctx: Context) -> list[Controller]:
    return [controller for area in AREAS for controller in area.controllers(ctx)]
