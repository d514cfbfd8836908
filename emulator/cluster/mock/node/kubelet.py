"""What the mock's one fake node does with a new pod: schedule it and report it running at once.

There is no container runtime: containers are sandboxed fakes that never touch the host. Reporting
pods Running straight away is what makes ``get``, ``logs`` and (later) ``exec`` usable in tests.
With the cluster's controllers on, the kubelet controller (controllers/kubelet.py) starts pods
instead; what it runs as a container's process is decided here (``command_line``, ``runnable``).
"""

from __future__ import annotations

import shlex
from datetime import datetime
from typing import Any

from emulator.clock import rfc3339
from emulator.cluster.mock.node import container as fake
from emulator.cluster.mock.node.container import shell, syntax
from emulator.cluster.mock.registry.defaults import pod_spec as default_pod_spec
from emulator.cluster.mock.registry.podupdate import qos_class

NODE_IP = "10.0.0.10"


def node_name(cluster_name: str) -> str:
    return f"{cluster_name}-node-1"


def pending_pod(pod: dict[str, Any]) -> None:
    """A new pod as kube-apiserver stores it before any scheduler or kubelet saw it (mutates
    ``pod``): defaulted (admission, registry/admission.py, came first), phase Pending and its
    QoS class; a status a client sent is dropped, as the pod strategy's PrepareForCreate does.
    A scenario's seeded status is kept: the emulator may set what a client cannot."""
    spec = pod.setdefault("spec", {})
    default_pod_spec(spec)
    if pod.get("status", {}).get("phase"):
        return
    pod["status"] = {"phase": "Pending", "qosClass": qos_class(spec)}


def admit_pod(pod: dict[str, Any], *, node: str, pod_ip: str, now: datetime) -> None:
    """Fill in the defaults and status a scheduled, started pod has (mutates ``pod``)."""
    spec = pod.setdefault("spec", {})
    default_pod_spec(spec)
    spec.setdefault("nodeName", node)  # the scheduler's choice
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


def command_line(spec: dict[str, Any]) -> list[str] | None:
    """A container's command and args; None for the image's own entrypoint (neither given) and
    for a container that reads its stdin (``kubectl run -i``: attach drives it)."""
    if spec.get("stdin"):
        return None
    argv = [str(a) for a in [*(spec.get("command") or []), *(spec.get("args") or [])]]
    return argv or None


def runnable(argv: list[str], sandbox: fake.Container) -> bool:
    """Whether the fake runs ``argv`` as the container's process: a scenario scripted it, or the
    fake shell knows the program (and, for ``sh -c``, the script's grammar). Args handed to an
    image's entrypoint name their program first (``kubectl run --image=busybox -- echo hi``);
    anything else is an image's own program, which the fake leaves running."""
    if shlex.join(argv) in sandbox.scripted:
        return True
    if not _known(argv[0]):
        return False
    script = _shell_script(argv)
    if script is not None:
        try:
            syntax.parse(script)
        except syntax.ShellSyntaxError:
            return False
    return True


def _known(program: str) -> bool:
    directory, _, name = program.rpartition("/")
    if directory and fake.normalize(directory) not in shell.BIN_DIRS:
        return False
    return name in shell.COMMANDS


def _shell_script(argv: list[str]) -> str | None:
    """The script of ``sh -c SCRIPT`` (with combined flags like ``-ec``), if that is argv."""
    if argv[0].rpartition("/")[2] not in shell.SHELLS:
        return None
    for index, arg in enumerate(argv[1:], start=1):
        if not arg.startswith("-") or arg == "-":
            return None
        if "c" in arg[1:] and not arg.startswith("--"):
            return argv[index + 1] if index + 1 < len(argv) else None
    return None
