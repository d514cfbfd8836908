"""Jobs and CronJobs come alive through the gateway, with every real kubectl: a Job's pod runs
its command to completion (its log readable with ``kubectl logs job/...``), a failing one ends
Failed, a CronJob fires when the emulator's clock is moved on (the control API), ``kubectl create
job --from=cronjob/...`` runs, and ``kubectl get events`` shows what the controllers did."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from emulator.control.client import ControlClient
from tests.harness import KubectlRunner, Served, wait_until

pytestmark = pytest.mark.contract

FAILING_JOB = """\
apiVersion: batch/v1
kind: Job
metadata:
  name: doomed
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: main
        image: busybox
        command: ["sh", "-c", "exit 1"]
"""
# How long kubectl waits for a condition: the fake containers run at once, so this is slack.
WAIT = "--timeout=30s"
# Past the next */5 schedule time from wherever the emulator's clock is.
FIVE_MINUTES_AND_A_BIT = 301


@pytest.fixture
def cleanup(gateway: Served, kubectl_run: KubectlRunner) -> Iterator[None]:
    """--real-cluster does not reset the cluster: what the tests made goes at the end."""
    yield
    kubectl_run.run(gateway.kubeconfig(), "delete", "--ignore-not-found", "--wait=false",
                    "cronjob/tick", "job/hello", "job/doomed", "job/manual")


def test_a_job_runs_its_pod_to_completion(gateway: Served, kubectl_run: KubectlRunner,
                                          cleanup: None) -> None:
    kubeconfig = gateway.kubeconfig()
    created = kubectl_run.run(kubeconfig, "create", "job", "hello", "--image=busybox", "--",
                              "echo", "hi")
    assert (created.returncode, created.stdout) == (0, "job.batch/hello created\n"), \
        created.stderr
    waited = kubectl_run.run(kubeconfig, "wait", "--for=condition=complete", "job/hello", WAIT)
    assert waited.stdout == "job.batch/hello condition met\n", waited.stderr
    logs = kubectl_run.run(kubeconfig, "logs", "job/hello")
    assert (logs.returncode, logs.stdout) == (0, "hi\n"), logs.stderr
    shown = kubectl_run.run(kubeconfig, "get", "job", "hello")
    assert shown.stdout.splitlines()[1].split()[:3] == ["hello", "Complete", "1/1"] \
        or shown.stdout.splitlines()[1].split()[:2] == ["hello", "1/1"], shown.stdout


def test_a_failing_job_ends_failed(gateway: Served, kubectl_run: KubectlRunner, tmp_path: Path,
                                   cleanup: None) -> None:
    kubeconfig = gateway.kubeconfig()
    manifest = tmp_path / "doomed.yaml"
    manifest.write_text(FAILING_JOB)
    applied = kubectl_run.run(kubeconfig, "apply", "-f", str(manifest))
    assert applied.stdout == "job.batch/doomed created\n", applied.stderr
    waited = kubectl_run.run(kubeconfig, "wait", "--for=condition=failed", "job/doomed", WAIT)
    assert waited.stdout == "job.batch/doomed condition met\n", waited.stderr
    reason = kubectl_run.run(kubeconfig, "get", "job", "doomed", "-o",
                             "jsonpath={.status.conditions[?(@.type=='Failed')].reason}")
    assert reason.stdout == "BackoffLimitExceeded", reason.stderr


def _tick_jobs(kubectl_run: KubectlRunner, kubeconfig: Path) -> list[str]:
    listed = kubectl_run.run(kubeconfig, "get", "jobs", "-o", "name")
    return [n for n in listed.stdout.split() if re.fullmatch(r"job\.batch/tick-[0-9]+", n)]


@pytest.mark.mock_only("moves the emulator's clock, which a real cluster does not follow")
def test_a_cron_job_fires_when_the_clock_moves(gateway: Served, kubectl_run: KubectlRunner,
                                               cleanup: None) -> None:
    kubeconfig = gateway.kubeconfig()
    created = kubectl_run.run(kubeconfig, "create", "cronjob", "tick", "--image=busybox",
                              "--schedule=*/5 * * * *", "--", "echo", "tick")
    assert (created.returncode, created.stdout) == (0, "cronjob.batch/tick created\n"), \
        created.stderr
    moved = ControlClient(gateway.url, gateway.server.ca_pem).advance_clock(
        FIVE_MINUTES_AND_A_BIT)
    now = datetime.fromisoformat(moved["now"].replace("Z", "+00:00"))
    wait_until(lambda: bool(_tick_jobs(kubectl_run, kubeconfig)), "the CronJob made no Job")
    # Named by its schedule time in minutes since the epoch: a five-minute mark, due by then
    # (the emulator's clock runs on, so a later mark may have come since: the earliest is ours).
    job = min(_tick_jobs(kubectl_run, kubeconfig))
    minutes = int(job.rsplit("-", 1)[1])
    assert minutes % 5 == 0 and minutes * 60 <= now.timestamp(), (job, moved)
    waited = kubectl_run.run(kubeconfig, "wait", "--for=condition=complete", job, WAIT)
    assert waited.stdout == f"{job} condition met\n", waited.stderr
    logs = kubectl_run.run(kubeconfig, "logs", job)
    assert logs.stdout == "tick\n", logs.stderr
    # The CronJob saw it finish; the events say what the controllers did.
    name = job.split("/", 1)[1]
    wait_until(lambda: f"Saw completed job: {name}" in kubectl_run.run(
        kubeconfig, "get", "events").stdout, "no SawCompletedJob event")
    shown = kubectl_run.run(kubeconfig, "get", "events").stdout
    assert f"Created job {name}" in shown, shown
    assert f"Saw completed job: {name}, status: Complete" in shown, shown
    assert "Created pod: " in shown and "Job completed" in shown, shown


def test_a_job_from_a_cron_job_runs(gateway: Served, kubectl_run: KubectlRunner,
                                    cleanup: None) -> None:
    kubeconfig = gateway.kubeconfig()
    created = kubectl_run.run(kubeconfig, "create", "cronjob", "tick", "--image=busybox",
                              "--schedule=0 0 1 1 *", "--", "echo", "by hand")
    assert created.returncode == 0, created.stderr
    manual = kubectl_run.run(kubeconfig, "create", "job", "--from=cronjob/tick", "manual")
    assert (manual.returncode, manual.stdout) == (0, "job.batch/manual created\n"), manual.stderr
    waited = kubectl_run.run(kubeconfig, "wait", "--for=condition=complete", "job/manual", WAIT)
    assert waited.stdout == "job.batch/manual condition met\n", waited.stderr
    logs = kubectl_run.run(kubeconfig, "logs", "job/manual")
    assert logs.stdout == "by hand\n", logs.stderr


def test_events_show_the_job_controller(gateway: Served, kubectl_run: KubectlRunner,
                                        cleanup: None) -> None:
    kubeconfig = gateway.kubeconfig()
    created = kubectl_run.run(kubeconfig, "create", "job", "hello", "--image=busybox", "--",
                              "echo", "hi")
    assert created.returncode == 0, created.stderr
    kubectl_run.run(kubeconfig, "wait", "--for=condition=complete", "job/hello", WAIT)
    shown = kubectl_run.run(kubeconfig, "get", "events", "--field-selector",
                            "involvedObject.name=hello", "-o",
                            "custom-columns=REASON:.reason,SOURCE:.source.component,"
                            "MESSAGE:.message")
    rows = [line.split(None, 2) for line in shown.stdout.splitlines()[1:]]
    assert ["SuccessfulCreate", "job-controller"] == rows[0][:2], shown.stdout
    assert rows[0][2].startswith("Created pod: hello-"), shown.stdout
    assert ["Completed", "job-controller", "Job completed"] in rows, shown.stdout
