"""Pods come alive through the gateway, with every real kubectl: ``kubectl run`` makes a Pending
pod that the cluster's scheduler binds and its kubelet starts (Ready for ``kubectl wait``), a
command's pod runs to Succeeded with its output as ``kubectl logs``, the kubelet's Events tell
the start, and a started pod takes ``kubectl exec``."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.harness import KubectlRunner, Served

pytestmark = pytest.mark.contract

WAIT = "--timeout=60s"


@pytest.fixture
def cleanup(gateway: Served, kubectl_run: KubectlRunner) -> Iterator[list[str]]:
    """Pods a test made, deleted at the end (--real-cluster does not reset the cluster)."""
    names: list[str] = []
    yield names
    if names:
        kubectl_run.run(gateway.kubeconfig(), "delete", "pod", "--ignore-not-found", "--wait=false",
                        *names)


def test_kubectl_run_becomes_ready(gateway: Served, kubectl_run: KubectlRunner,
                                   cleanup: list[str]) -> None:
    kubeconfig = gateway.kubeconfig()
    cleanup.append("alive")
    ran = kubectl_run.run(kubeconfig, "run", "alive", "--image=nginx")
    assert (ran.returncode, ran.stdout) == (0, "pod/alive created\n"), ran.stderr
    waited = kubectl_run.run(kubeconfig, "wait", "--for=condition=Ready", "pod/alive", WAIT)
    assert (waited.returncode, waited.stdout) == (0, "pod/alive condition met\n"), waited.stderr
    got = kubectl_run.run(kubeconfig, "get", "pod", "alive", "-o",
                          "jsonpath={.status.phase} {.status.containerStatuses[0].ready}")
    assert (got.returncode, got.stdout) == (0, "Running true"), got.stderr


def test_a_commands_pod_succeeds_and_logs_its_output(gateway: Served, kubectl_run: KubectlRunner,
                                                     cleanup: list[str]) -> None:
    kubeconfig = gateway.kubeconfig()
    cleanup.append("hello")
    ran = kubectl_run.run(kubeconfig, "run", "hello", "--image=busybox", "--restart=Never",
                          "--", "echo", "hi")
    assert ran.returncode == 0, ran.stderr
    waited = kubectl_run.run(kubeconfig, "wait", "--for=jsonpath={.status.phase}=Succeeded",
                             "pod/hello", WAIT)
    assert (waited.returncode, waited.stdout) == (0, "pod/hello condition met\n"), waited.stderr
    logs = kubectl_run.run(kubeconfig, "logs", "hello")
    assert (logs.returncode, logs.stdout) == (0, "hi\n"), logs.stderr
    listed = kubectl_run.run(kubeconfig, "get", "pod", "hello", "--no-headers")
    assert listed.stdout.split()[:3] == ["hello", "0/1", "Completed"], listed.stdout


def test_the_events_tell_the_pods_start(gateway: Served, kubectl_run: KubectlRunner,
                                        cleanup: list[str]) -> None:
    kubeconfig = gateway.kubeconfig()
    cleanup.append("told")
    assert kubectl_run.run(kubeconfig, "run", "told", "--image=nginx").returncode == 0
    waited = kubectl_run.run(kubeconfig, "wait", "--for=condition=Ready", "pod/told", WAIT)
    assert waited.returncode == 0, waited.stderr
    listed = kubectl_run.run(kubeconfig, "get", "events", "-o", "json")
    assert listed.returncode == 0, listed.stderr
    reasons = [e["reason"] for e in json.loads(listed.stdout)["items"]
               if e["involvedObject"].get("name") == "told"]
    assert {"Scheduled", "Pulling", "Pulled", "Created", "Started"} <= set(reasons), reasons
    table = kubectl_run.run(kubeconfig, "get", "events", "--field-selector",
                            "involvedObject.name=told")
    assert "Successfully assigned default/told to " in table.stdout, table.stderr
    assert 'Pulling image "nginx"' in table.stdout


def test_exec_into_a_pod_the_kubelet_started(gateway: Served, kubectl_run: KubectlRunner,
                                             cleanup: list[str]) -> None:
    minor = kubectl_run.binary.minor
    env = {"KUBECTL_REMOTE_COMMAND_WEBSOCKETS": "true"} if minor == 29 else {}
    kubeconfig = gateway.kubeconfig(track="v1beta1")
    cleanup.append("shell")
    assert kubectl_run.run(kubeconfig, "run", "shell", "--image=busybox", "--",
                           "sleep", "3600").returncode == 0
    waited = kubectl_run.run(kubeconfig, "wait", "--for=condition=Ready", "pod/shell", WAIT)
    assert waited.returncode == 0, waited.stderr
    result = kubectl_run.run(kubeconfig, "exec", "shell", "--", "echo", "ok", extra_env=env)
    if minor < 29:  # SPDY, which the gateway refuses whatever the pod (test_streams.py)
        assert result.returncode == 1 and "unable to upgrade connection" in result.stderr, \
            result.stderr
        return
    assert (result.returncode, result.stdout, result.stderr) == (0, "ok\n", "")
