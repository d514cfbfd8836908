"""What the mock's one fake node does with a new pod: schedule it and report it running at once.

There is no container runtime: containers are sandboxed fakes that never touch the host. Reporting
pods Running straight away is what makes ``get``, ``logs`` and (later) ``exec`` usable in tests.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from emulator.clock import rfc3339
from emulator.cluster.mock.registry.defaults import pod_spec as default_pod_spec

NODE_IP = "10.0.0.10"


def node_name(cluster_name: str) -> str:
    return f"{cluster_name}-node-1"


def admit_pod(pod: dict[str, Any], *, node: str, pod_ip: str, now: datetime) -> None:
    """Fill in the defaults and status a scheduled, started pod has (mutates ``pod``)."""
    spec = pod.setdefault("spec", {})
    default_pod_spec(spec)
    # The ServiceAccount admission plugin's default, then the scheduler's choice.
    spec.setdefault("serviceAccountName", "default")
    spec.setdefault("nodeName", node)
    if pod.get("status", {}).get("phase"):
        return  # a scenario may seed a pod in a given phase; keep it
    started = rfc3339(now)
    pod["status"] = {
        "phase": "Running",
        "hostIP": NODE_IP,
        "podIP": pod_ip,
        "podIPs": [{"ip": pod_ip}],
        "startTime": started,
        "qosClass": "BestEffort",
        "conditions": [
            {"type": t, "status": "True", "lastProbeTime": None, "lastTransitionTime": started}
            for t in ("Initialized", "Ready", "ContainersReady", "PodScheduled")
        ],
        "containerStatuses": [
            {
                "name": c.get("name", ""),
                "image": c.get("image", ""),
                "imageID": "",
                "containerID": f"fake://{pod['metadata'].get('uid', '')}/{c.get('name', '')}",
                "ready": True,
                "started": True,
                "restartCount": 0,
                "state": {"running": {"startedAt": started}},
            }
            for c in spec.get("containers", [])
        ],
    }
