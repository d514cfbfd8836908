"""Stage 1: the gateway URL → which track, project, location, membership and Kubernetes path.

``/v1beta1/projects/123456789012/locations/global/memberships/my-cluster/api/v1/pods`` is the v1beta1
track, project number 123456789012, membership my-cluster, Kubernetes path ``/api/v1/pods``. A path
of any other shape is not a gateway URL: Google's front end answers it with its HTML 404.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from emulator.scenario.model import TRACKS

COLLECTIONS = ("memberships", "gkeMemberships")
_PROJECT_NUMBER = re.compile(r"^\d+$")


@dataclass(frozen=True)
class GatewayTarget:
    track: str  # v1 | v1beta1 | v1alpha1
    project_number: str
    location: str
    collection: str  # memberships | gkeMemberships
    membership: str
    k8s_path: str  # "/" when the request is for the gateway URL itself

    @property
    def prefix(self) -> str:
        return (f"/{self.track}/projects/{self.project_number}/locations/{self.location}/"
                f"{self.collection}/{self.membership}")


def parse(path: str) -> GatewayTarget | None:
    parts = path.split("/")
    # ['', track, 'projects', N, 'locations', L, collection, name, *k8s]
    if len(parts) < 8 or parts[0] != "":
        return None
    _, track, projects, number, locations, location, collection, name, *rest = parts
    if (track not in TRACKS or projects != "projects" or locations != "locations"
            or collection not in COLLECTIONS or not _PROJECT_NUMBER.match(number)
            or not location or not name):
        return None
    return GatewayTarget(track, number, location, collection, name, "/" + "/".join(rest))
