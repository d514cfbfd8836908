"""The served resource of a group and plural, as a cluster of some minor 1.27-1.35 registers it,
so unit tests reach a kind's real definition (its printer, defaulting, field selectors)."""

from __future__ import annotations

import functools

from emulator.cluster.mock.registry.resources import FIRST_MINOR, LAST_MINOR, Registry, ResourceType


@functools.cache
def _by_group_resource() -> dict[str, ResourceType]:
    found: dict[str, ResourceType] = {}
    for minor in range(LAST_MINOR, FIRST_MINOR - 1, -1):  # the newest definition wins
        for resource in Registry.for_version(f"1.{minor}").resources:
            found.setdefault(resource.group_resource, resource)
    return found


def served_resource(group: str, plural: str) -> ResourceType:
    return _by_group_resource()[f"{plural}.{group}" if group else plural]


def every_served_resource() -> list[ResourceType]:
    return list(_by_group_resource().values())
