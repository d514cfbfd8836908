"""Gateway kubeconfigs, shaped like the ones gcloud writes (gcloud-wire.md §4).

Server ``https://HOST:PORT/{track}/projects/{NUMBER}/locations/{LOC}/{collection}/{NAME}``, context
``connectgateway_{project}_{location}_{membership}`` (``_ns-{ns}`` with a namespace), and the
emulator's CA, since kubectl only sends credentials over verified TLS.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from emulator.scenario.model import MembershipSpec, Scenario


@dataclass(frozen=True)
class GatewayCluster:
    project_id: str
    project_number: str
    location: str
    collection: str  # memberships | gkeMemberships
    membership: str

    @classmethod
    def of(cls, scenario: Scenario, spec: MembershipSpec) -> GatewayCluster:
        return cls(scenario.project_id, scenario.project_number, spec.location, spec.collection,
                   spec.name)


def context_name(cluster: GatewayCluster, namespace: str | None = None) -> str:
    name = f"connectgateway_{cluster.project_id}_{cluster.location}_{cluster.membership}"
    return f"{name}_ns-{namespace}" if namespace else name


def server_url(base_url: str, cluster: GatewayCluster, track: str) -> str:
    return (f"{base_url.rstrip('/')}/{track}/projects/{cluster.project_number}/locations/"
            f"{cluster.location}/{cluster.collection}/{cluster.membership}")


def gateway_kubeconfig(base_url: str, ca_pem: bytes, cluster: GatewayCluster, track: str,
                       user: dict[str, Any], namespace: str | None = None) -> dict[str, Any]:
    """A one-context kubeconfig; ``user`` is the kubeconfig user entry (token or exec plugin)."""
    name = context_name(cluster, namespace)
    context: dict[str, Any] = {"cluster": name, "user": name}
    if namespace:
        context["namespace"] = namespace
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": name, "cluster": {
            "server": server_url(base_url, cluster, track),
            "certificate-authority-data": base64.b64encode(ca_pem).decode(),
        }}],
        "users": [{"name": name, "user": user}],
        "contexts": [{"name": name, "context": context}],
        "current-context": name,
        "preferences": {},
    }
