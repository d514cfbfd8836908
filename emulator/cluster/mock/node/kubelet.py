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
        start_ephemeral_containers(pod, now=now)
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
    start_ephemeral_containers(pod, now=now)


def start_ephemeral_containers(pod: dict[str, Any], *, now: datetime) -> bool:
    """Start the running pod's ephemeral containers that have no status yet, as the kubelet does
    once ``pods/ephemeralcontainers`` added them: each gets a running entry in
    ``status.ephemeralContainerStatuses``. kube's kubelet never reports an ephemeral container
    ready (no probes run in it) nor sets ``started``. False when there was nothing to start."""
    status = pod.get("status")
    if not isinstance(status, dict) or status.get("phase") != "Running":
        return False
    statuses = list(status.get("ephemeralContainerStatuses") or [])
    known = {s.get("name") for s in statuses if isinstance(s, dict)}
    uid = pod["metadata"].get("uid", "")
    started = [
        {
            "name": c.get("name", ""),
            "image": c.get("image", ""),
            "imageID": "",
            "containerID": f"fake://{uid}/{c.get('name', '')}",
            "ready": False,
            "restartCount": 0,
            "state": {"running": {"startedAt": rfc3339(now)}},
        }
        for c in (pod.get("spec") or {}).get("ephemeralContainers") or []
        if isinstance(c, dict) and c.get("name") not in known
    ]
    if not started:
        return False
    status["ephemeralContainerStatuses"] = [*statuses, *started]
    return True


def main_process(pod: dict[str, Any], container: str) -> tuple[str, ...] | None:
    """What the fake runtime runs as an ephemeral container's main process, which ``attach``
    reaches (``kubectl debug -it``): its command and args, or the shell when it names none (the
    image's entrypoint is not known; debugging images start a shell). None for any other
    container, whose main process is the echoing one of attach.py."""
    for spec in (pod.get("spec") or {}).get("ephemeralContainers") or []:
        if isinstance(spec, dict) and spec.get("name") == container:
            argv = [str(a) for a in [*(spec.get("command") or []), *(spec.get("args") or [])]]
            return tuple(argv) or ("sh",)
    return None
