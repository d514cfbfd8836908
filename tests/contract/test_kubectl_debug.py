"""`kubectl debug` through the gateway: every kubectl adds its debug container with a strategic
merge patch of pods/ephemeralcontainers, the cluster's kubelet starts it, and exec and attach
reach it like any container: on the beta track over WebSocket (kubectl 1.30+, or 1.29 with
KUBECTL_REMOTE_COMMAND_WEBSOCKETS=true); a SPDY kubectl is refused as for every stream.

Each test debugs a pod of its own, named for its kubectl version and deleted at the end: an
ephemeral container can be neither changed nor removed, and --real-cluster does not reset."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.contract.test_streams import BAD_REQUEST, run_in_pty
from tests.harness import KubectlRunner, Served, wait_until

pytestmark = pytest.mark.contract

WEBSOCKETS = {"KUBECTL_REMOTE_COMMAND_WEBSOCKETS": "true"}  # 1.29 needs it; later ones default
DEBUG_IMAGE = "busybox:1.36"


def streams_work(kubectl_run: KubectlRunner) -> bool:
    return kubectl_run.binary.minor >= 29


@pytest.fixture
def target(gateway: Served, kubectl_run: KubectlRunner) -> Iterator[str]:
    """A running pod whose one container has the pod's name (kubectl run's)."""
    name = f"debugged-{kubectl_run.binary.minor}"
    config = gateway.kubeconfig()
    created = kubectl_run.run(config, "run", name, "--image=nginx:1.27")
    assert created.returncode == 0, created.stderr
    ready = kubectl_run.run(config, "wait", "--for=condition=Ready", f"pod/{name}",
                            "--timeout=120s")
    assert ready.returncode == 0, ready.stderr
    yield name
    kubectl_run.run(config, "delete", "pod", name, "--wait=false")


def jsonpath(gateway: Served, kubectl_run: KubectlRunner, pod: str, path: str) -> str:
    got = kubectl_run.run(gateway.kubeconfig(), "get", "pod", pod, "-o", f"jsonpath={path}")
    assert got.returncode == 0, got.stderr
    return got.stdout


def debugger_running(gateway: Served, kubectl_run: KubectlRunner, pod: str) -> bool:
    return bool(jsonpath(gateway, kubectl_run, pod, "{.status.ephemeralContainerStatuses[?("
                         '@.name=="debugger")].state.running.startedAt}'))


def add_debugger(gateway: Served, kubectl_run: KubectlRunner, pod: str) -> None:
    added = kubectl_run.run(gateway.kubeconfig(track="v1beta1"), "debug", pod,
                            f"--image={DEBUG_IMAGE}", "-c", "debugger", f"--target={pod}",
                            "--", "sleep", "3600")
    assert added.returncode == 0, added.stderr
    assert added.stdout.startswith(f'Targeting container "{pod}".'), added.stdout
    wait_until(lambda: debugger_running(gateway, kubectl_run, pod),
               "the debug container never ran", seconds=120)


def test_kubectl_debug_adds_a_running_ephemeral_container(gateway: Served,
                                                          kubectl_run: KubectlRunner,
                                                          target: str) -> None:
    add_debugger(gateway, kubectl_run, target)
    spec = jsonpath(gateway, kubectl_run, target, (
        "{range .spec.ephemeralContainers[*]}{.name} {.image} {.targetContainerName} "
        "{.command} {.imagePullPolicy} {.terminationMessagePath} "
        "{.terminationMessagePolicy}{end}"))
    assert spec == (f'debugger {DEBUG_IMAGE} {target} ["sleep","3600"] IfNotPresent '
                    "/dev/termination-log File")
    status = jsonpath(gateway, kubectl_run, target, (
        '{.status.ephemeralContainerStatuses[?(@.name=="debugger")].ready}'))
    assert status == "false"  # no probe ever runs in an ephemeral container
    # The pod's own container is untouched.
    assert jsonpath(gateway, kubectl_run, target, "{.spec.containers[*].name}") == target
    # Like every container of the pod, the debug container has a log (empty: it printed nothing).
    logs = kubectl_run.run(gateway.kubeconfig(), "logs", target, "-c", "debugger")
    assert (logs.returncode, logs.stdout) == (0, ""), logs.stderr


def test_exec_reaches_the_debug_container(gateway: Served, kubectl_run: KubectlRunner,
                                          target: str) -> None:
    add_debugger(gateway, kubectl_run, target)
    result = kubectl_run.run(gateway.kubeconfig(track="v1beta1"), "exec", target, "-c",
                             "debugger", "--", "echo", "hi", extra_env=WEBSOCKETS)
    if not streams_work(kubectl_run):
        assert result.returncode == 1, result.stdout
        assert "unable to upgrade connection" in result.stderr
        assert BAD_REQUEST in result.stderr
        return
    assert (result.returncode, result.stdout, result.stderr) == (0, "hi\n", "")


def test_kubectl_debug_attaches_to_the_debug_container(gateway: Served,
                                                       kubectl_run: KubectlRunner,
                                                       target: str) -> None:
    # -i without a terminal: kubectl waits for the container to run, then attaches to its shell.
    result = kubectl_run.run(gateway.kubeconfig(track="v1beta1"), "debug", target, "-i",
                             f"--image={DEBUG_IMAGE}", "-c", "debugger", "--", "sh",
                             stdin="echo hi-from-$HOSTNAME\n", extra_env=WEBSOCKETS)
    if not streams_work(kubectl_run):  # kubectl falls back to the container's log
        assert "falling back to streaming logs: unable to upgrade connection" in result.stderr
        return
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"hi-from-{target}\n"


def test_kubectl_debug_with_a_terminal(gateway: Served, kubectl_run: KubectlRunner,
                                       target: str) -> None:
    rc, output = run_in_pty(kubectl_run, gateway.kubeconfig(track="v1beta1"),
                            ["debug", target, "-it", f"--image={DEBUG_IMAGE}",
                             f"--target={target}", "--", "sh"],
                            b"echo tty-$HOSTNAME\rexit 5\r", WEBSOCKETS)
    if not streams_work(kubectl_run):
        # kubectl 1.27/1.28 attach over SPDY, which the gateway refuses: the container is made,
        # and kubectl shows its log instead of a terminal.
        assert "falling back to streaming logs: unable to upgrade connection" in output, output
        return
    assert f"tty-{target}\r\n" in output
    assert "Defaulting debug container name to debugger-" in output
    assert "Session ended, the ephemeral container will not be restarted" in output
    assert rc == 0, output  # an attach ends in Success, whatever the shell's exit code


def test_debugging_needs_rbac_on_the_ephemeralcontainers_subresource(
        gateway: Served, kubectl_run: KubectlRunner, target: str) -> None:
    # erin has `edit` (through sre@example.com), which kube's bootstrap policy gives pods,
    # pods/exec and pods/attach but not pods/ephemeralcontainers.
    result = kubectl_run.run(gateway.kubeconfig(token="ya29.fake-erin", track="v1beta1"),
                             "debug", target, f"--image={DEBUG_IMAGE}", "-c", "debugger")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        f'Error from server (Forbidden): pods "{target}" is forbidden: User "erin@example.com" '
        'cannot patch resource "pods/ephemeralcontainers" in API group "" in the namespace '
        '"default"')
    assert jsonpath(gateway, kubectl_run, target, "{.spec.ephemeralContainers}") == ""
