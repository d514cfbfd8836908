"""The Job controller (controllers/jobs.py) in a mock cluster, as kube's job-controller behaves:
pods from the template with the tracking finalizer, finished pods counted through
uncountedTerminatedPods, Complete / Failed (with 1.31's interim conditions), back-off, active
deadline, parallelism, Indexed Jobs and suspend.

Objects are created through the API (the controllers settle after each request, as for a client)
and pod phases are set as the kubelet would set them. The tests' pods are bound to a node that
has no kubelet here (``elsewhere``), so only the test moves their phases. The helpers at the top
are shared with test_cronjobs.py."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from emulator.clock import FakeClock
from emulator.cluster.mock.apiserver import MockApiserver
from emulator.cluster.mock.controllers import jobs
from emulator.cluster.mock.query import Query
from tests.unit.cluster.mock.conftest import ADMIN, ADMIN_TOKEN, CLUSTER_NAME, call

NS = "default"
JOBS = f"/apis/batch/v1/namespaces/{NS}/jobs"
CRONJOBS = f"/apis/batch/v1/namespaces/{NS}/cronjobs"
# How long a test waits for the controllers' runtime thread to act on a timer that is due.
TIMER_WAIT_SECONDS = 5.0


@contextmanager
def cluster(clock: FakeClock, version: str) -> Iterator[MockApiserver]:
    """A mock cluster of ``version``, its controllers' runtime stopped at the end."""
    api = MockApiserver(CLUSTER_NAME, version, clock)
    api.authenticator.add(ADMIN_TOKEN, ADMIN)
    try:
        yield api
    finally:
        api.close()


def pod_template(command: list[str] | None = None, restart: str = "Never") -> dict[str, Any]:
    return {"spec": {"nodeName": "elsewhere", "terminationGracePeriodSeconds": 0,
                     "restartPolicy": restart,
                     "containers": [{"name": "main", "image": "busybox",
                                     "command": command or ["true"]}]}}


def create_job(api: MockApiserver, name: str = "pi", **spec: Any) -> dict[str, Any]:
    body = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name},
            "spec": {"template": pod_template(), **spec}}
    reply = call(api, "POST", JOBS, body=body)
    assert reply.status == 201, reply.body
    return reply.body


def job(api: MockApiserver, name: str = "pi") -> dict[str, Any]:
    found = api.store.get(("batch", "jobs"), NS, name)
    assert found is not None, name
    return found


def pods_of(api: MockApiserver, owner: dict[str, Any]) -> list[dict[str, Any]]:
    uid = owner["metadata"]["uid"]
    return [p for p in api.store.list(("", "pods"), NS)[0]
            if any(r.get("uid") == uid for r in p["metadata"].get("ownerReferences") or [])]


def set_pod_status(api: MockApiserver, name: str, **status: Any) -> None:
    """What the kubelet writes (the status subresource), and what the controllers make of it."""
    resource = api.objects.storage(api.registry.lookup("", "v1", "pods"))
    with api.controllers.lock:
        pod = api.store.get(("", "pods"), NS, name)
        assert pod is not None, name
        pod.update(apiVersion="v1", kind="Pod")
        pod["status"] = {**(pod.get("status") or {}), **status}
        api.objects.update(resource, NS, name, pod, Query(()), "status")
        api.controllers.settle()


def finish(api: MockApiserver, name: str, phase: str, exit_code: int = 0) -> None:
    set_pod_status(api, name, phase=phase, containerStatuses=[{
        "name": "main", "image": "busybox", "imageID": "", "ready": False, "restartCount": 0,
        "state": {"terminated": {"exitCode": exit_code, "reason": "Completed" if not exit_code
                                 else "Error", "startedAt": "2026-01-01T00:00:00Z",
                                 "finishedAt": "2026-01-01T00:00:00Z"}}}])


def events(api: MockApiserver, kind: str, name: str) -> list[tuple[str, str, str]]:
    """(type, reason, message) of the Events about one object, oldest first."""
    found = [e for e in api.store.list(("", "events"), NS)[0]
             if e["involvedObject"].get("kind") == kind and e["involvedObject"]["name"] == name]
    found.sort(key=lambda e: (e.get("firstTimestamp") or "", e["metadata"]["name"]))
    return [(e["type"], e["reason"], e["message"]) for e in found]


def advance(api: MockApiserver, clock: FakeClock, seconds: float) -> None:
    """The control API's clock move: the clock jumps, the controllers fire what is due."""
    clock.advance(seconds)
    api.controllers.clock_moved()


def wait_for(api: MockApiserver, condition: Callable[[], bool], what: str) -> None:
    """Timers fire on the controllers' runtime thread: poll, with a deadline that fails. The
    condition is read under the controllers' lock, so never halfway through a sync."""
    deadline = time.monotonic() + TIMER_WAIT_SECONDS
    while True:
        with api.controllers.lock:
            if condition():
                return
        if time.monotonic() > deadline:
            pytest.fail(what)
        time.sleep(0.01)


def quiet(api: MockApiserver, seconds: float = 0.2) -> None:
    """Give the runtime thread a moment to do what it would (for checks that nothing happens),
    then wait for a sync it is in the middle of."""
    time.sleep(seconds)
    with api.controllers.lock:
        pass


# -- fixtures -------------------------------------------------------------------------------------

@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def api(clock: FakeClock) -> Iterator[MockApiserver]:
    """A 1.30 cluster: terminal conditions at once, terminating pods reported."""
    with cluster(clock, "v1.30.5") as api:
        yield api


@pytest.fixture
def api31(clock: FakeClock) -> Iterator[MockApiserver]:
    """A 1.31 cluster: SuccessCriteriaMet / FailureTarget come before the terminal condition."""
    with cluster(clock, "v1.31.2") as api:
        yield api


def conditions(obj: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    return [(c["type"], c["status"], c.get("reason", ""), c.get("message", ""))
            for c in obj.get("status", {}).get("conditions", [])]


# -- pods -----------------------------------------------------------------------------------------

def test_a_job_creates_its_pod_as_kube_does(api: MockApiserver) -> None:
    created = create_job(api)
    [pod] = pods_of(api, created)
    meta = pod["metadata"]
    assert meta["name"].startswith("pi-") and len(meta["name"]) == len("pi-") + 5
    assert meta["generateName"] == "pi-"
    assert meta["finalizers"] == ["batch.kubernetes.io/job-tracking"]
    assert meta["ownerReferences"] == [{
        "apiVersion": "batch/v1", "kind": "Job", "name": "pi",
        "uid": created["metadata"]["uid"], "controller": True, "blockOwnerDeletion": True}]
    uid = created["metadata"]["uid"]
    assert meta["labels"] == {"batch.kubernetes.io/controller-uid": uid,
                              "batch.kubernetes.io/job-name": "pi",
                              "controller-uid": uid, "job-name": "pi"}
    assert pod["spec"]["containers"][0]["command"] == ["true"]
    assert events(api, "Job", "pi") == [
        ("Normal", "SuccessfulCreate", f"Created pod: {meta['name']}")]
    status = job(api)["status"]
    assert status == {"startTime": "2026-01-01T00:00:00Z", "active": 1,
                      "terminating": 0, "uncountedTerminatedPods": {}, "ready": 0}


def test_a_settled_job_is_not_written_again(api: MockApiserver) -> None:
    create_job(api)
    before = job(api)["metadata"]["resourceVersion"]
    with api.controllers.lock:
        api.controllers.enqueue("job-controller", jobs.JobKey(NS, "pi"))
        api.controllers.settle()
    assert job(api)["metadata"]["resourceVersion"] == before


def test_a_ready_pod_counts_as_ready(api: MockApiserver) -> None:
    [pod] = pods_of(api, create_job(api))
    set_pod_status(api, pod["metadata"]["name"], phase="Running",
                   conditions=[{"type": "Ready", "status": "True"}])
    assert job(api)["status"]["ready"] == 1


# -- success --------------------------------------------------------------------------------------

def test_a_succeeded_pod_completes_the_job(api: MockApiserver) -> None:
    [pod] = pods_of(api, create_job(api))
    name = pod["metadata"]["name"]
    finish(api, name, "Succeeded")
    done = job(api)
    assert conditions(done) == [("Complete", "True", "", "")]
    status = done["status"]
    assert status["succeeded"] == 1 and "active" not in status and "failed" not in status
    assert status["completionTime"] == "2026-01-01T00:00:00Z"
    assert status["uncountedTerminatedPods"] == {}
    assert api.store.get(("", "pods"), NS, name)["metadata"].get("finalizers") is None
    assert events(api, "Job", "pi")[-1] == ("Normal", "Completed", "Job completed")


def test_from_1_31_success_criteria_come_first(api31: MockApiserver) -> None:
    [pod] = pods_of(api31, create_job(api31))
    finish(api31, pod["metadata"]["name"], "Succeeded")
    reached = "Reached expected number of succeeded pods"
    assert conditions(job(api31)) == [
        ("SuccessCriteriaMet", "True", "CompletionsReached", reached),
        ("Complete", "True", "CompletionsReached", reached)]


def test_completions_run_parallelism_pods_at_a_time(api: MockApiserver) -> None:
    created = create_job(api, completions=3, parallelism=2)
    first = pods_of(api, created)
    assert len(first) == 2
    finish(api, first[0]["metadata"]["name"], "Succeeded")
    running = [p for p in pods_of(api, created) if p["status"]["phase"] == "Pending"]
    assert len(running) == 2  # the last completion's pod joined the one still running
    assert job(api)["status"]["succeeded"] == 1
    for pod in running:
        finish(api, pod["metadata"]["name"], "Succeeded")
    done = job(api)
    assert done["status"]["succeeded"] == 3
    assert conditions(done) == [("Complete", "True", "", "")]
    assert len(pods_of(api, created)) == 3


def test_a_job_without_completions_ends_with_its_first_success(api: MockApiserver) -> None:
    body = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "queue"},
            "spec": {"parallelism": 2, "template": pod_template()}}
    assert call(api, "POST", JOBS, body=body).status == 201
    created = job(api, "queue")
    assert "completions" not in created["spec"]
    first, second = pods_of(api, created)
    finish(api, first["metadata"]["name"], "Succeeded")
    assert len(pods_of(api, created)) == 2  # no new pod once one succeeded
    assert conditions(job(api, "queue")) == []
    finish(api, second["metadata"]["name"], "Succeeded")
    assert conditions(job(api, "queue")) == [("Complete", "True", "", "")]


# -- failure --------------------------------------------------------------------------------------

def test_a_failure_past_the_backoff_limit_fails_the_job(api: MockApiserver) -> None:
    [pod] = pods_of(api, create_job(api, backoffLimit=0))
    finish(api, pod["metadata"]["name"], "Failed", exit_code=1)
    failed = job(api)
    limit = "Job has reached the specified backoff limit"
    assert conditions(failed) == [("Failed", "True", "BackoffLimitExceeded", limit)]
    assert failed["status"]["failed"] == 1 and "completionTime" not in failed["status"]
    assert events(api, "Job", "pi")[-1] == ("Warning", "BackoffLimitExceeded", limit)


def test_from_1_31_failure_target_comes_first(api31: MockApiserver) -> None:
    [pod] = pods_of(api31, create_job(api31, backoffLimit=0))
    finish(api31, pod["metadata"]["name"], "Failed", exit_code=1)
    limit = "Job has reached the specified backoff limit"
    assert conditions(job(api31)) == [("FailureTarget", "True", "BackoffLimitExceeded", limit),
                                      ("Failed", "True", "BackoffLimitExceeded", limit)]


def test_a_failed_pod_is_replaced_after_a_back_off(api: MockApiserver, clock: FakeClock) -> None:
    created = create_job(api, backoffLimit=2)
    [pod] = pods_of(api, created)
    finish(api, pod["metadata"]["name"], "Failed", exit_code=1)
    assert len(pods_of(api, created)) == 1  # 10 s of back-off first
    assert job(api)["status"]["failed"] == 1
    advance(api, clock, 5)
    quiet(api)
    assert len(pods_of(api, created)) == 1
    advance(api, clock, 6)
    wait_for(api, lambda: len(pods_of(api, created)) == 2, "no replacement pod after the back-off")
    assert conditions(job(api)) == []


def test_restarts_count_against_the_limit_with_on_failure(api: MockApiserver) -> None:
    body = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "pi"},
            "spec": {"backoffLimit": 1, "template": pod_template(restart="OnFailure")}}
    assert call(api, "POST", JOBS, body=body).status == 201
    [pod] = pods_of(api, job(api))
    set_pod_status(api, pod["metadata"]["name"], phase="Running", containerStatuses=[
        {"name": "main", "image": "busybox", "imageID": "", "ready": False, "restartCount": 1,
         "state": {"waiting": {"reason": "CrashLoopBackOff"}}}])
    assert conditions(job(api)) == [("Failed", "True", "BackoffLimitExceeded",
                                     "Job has reached the specified backoff limit")]
    assert pods_of(api, job(api)) == []  # the running pod was deleted


def test_the_active_deadline_fails_the_job(api: MockApiserver, clock: FakeClock) -> None:
    created = create_job(api, activeDeadlineSeconds=30)
    advance(api, clock, 31)
    deadline = "Job was active longer than specified deadline"
    wait_for(api, lambda: conditions(job(api)) == [("Failed", "True", "DeadlineExceeded", deadline)],
             "the deadline passed without a Failed condition")
    assert pods_of(api, created) == []
    status = job(api)["status"]
    assert status["failed"] == 1 and "active" not in status
    assert ("Warning", "DeadlineExceeded", deadline) in events(api, "Job", "pi")
    assert any(e[1] == "SuccessfulDelete" for e in events(api, "Job", "pi"))


def test_from_1_31_failed_waits_for_terminating_pods(api31: MockApiserver,
                                                     clock: FakeClock) -> None:
    """A pod that is still terminating keeps the Job at FailureTarget (a finalizer of someone
    else's holds it here, as a kubelet that takes its grace period would)."""
    template = pod_template()
    template["metadata"] = {"finalizers": ["example.com/hold"]}
    body = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "pi"},
            "spec": {"activeDeadlineSeconds": 5, "template": template}}
    assert call(api31, "POST", JOBS, body=body).status == 201
    advance(api31, clock, 6)
    deadline = "Job was active longer than specified deadline"
    wait_for(api31, lambda: conditions(job(api31)) == [
        ("FailureTarget", "True", "DeadlineExceeded", deadline)], "no FailureTarget")
    [pod] = pods_of(api31, job(api31))
    assert pod["metadata"]["deletionTimestamp"]
    assert pod["metadata"]["finalizers"] == ["example.com/hold"]  # the Job's own is gone
    status = job(api31)["status"]
    assert (status["terminating"], status["failed"]) == (1, 1)
    held = api31.store.get(("", "pods"), NS, pod["metadata"]["name"])
    held.update(apiVersion="v1", kind="Pod")
    held["metadata"]["finalizers"] = []
    with api31.controllers.lock:
        api31.objects.update(api31.objects.storage(api31.registry.lookup("", "v1", "pods")), NS,
                             pod["metadata"]["name"], held, Query(()))
        api31.controllers.settle()
    assert pods_of(api31, job(api31)) == []
    assert conditions(job(api31))[-1] == ("Failed", "True", "DeadlineExceeded", deadline)
    assert job(api31)["status"]["terminating"] == 0
    assert events(api31, "Job", "pi")[-1] == ("Warning", "DeadlineExceeded", deadline)


# -- Indexed -------------------------------------------------------------------------------------

def test_indexed_pods_carry_their_index(api: MockApiserver) -> None:
    created = create_job(api, completions=3, parallelism=3, completionMode="Indexed")
    pods = sorted(pods_of(api, created), key=lambda p: p["metadata"]["name"])
    assert [p["metadata"]["generateName"] for p in pods] == ["pi-0-", "pi-1-", "pi-2-"]
    for ix, pod in enumerate(pods):
        index = "batch.kubernetes.io/job-completion-index"
        assert pod["metadata"]["annotations"][index] == str(ix)
        assert pod["metadata"]["labels"][index] == str(ix)
        assert pod["spec"]["hostname"] == f"pi-{ix}"
        env = pod["spec"]["containers"][0]["env"]
        assert env[0]["name"] == "JOB_COMPLETION_INDEX"
        assert env[0]["valueFrom"]["fieldRef"]["fieldPath"] == f"metadata.labels['{index}']"
    finish(api, pods[0]["metadata"]["name"], "Succeeded")
    finish(api, pods[2]["metadata"]["name"], "Succeeded")
    assert job(api)["status"]["completedIndexes"] == "0,2"
    finish(api, pods[1]["metadata"]["name"], "Succeeded")
    done = job(api)
    assert done["status"]["completedIndexes"] == "0-2" and done["status"]["succeeded"] == 3
    assert conditions(done) == [("Complete", "True", "", "")]


def test_a_failed_index_is_run_again(api: MockApiserver, clock: FakeClock) -> None:
    created = create_job(api, completions=2, parallelism=2, completionMode="Indexed")
    pods = sorted(pods_of(api, created), key=lambda p: p["metadata"]["name"])
    finish(api, pods[1]["metadata"]["name"], "Failed", exit_code=1)
    advance(api, clock, 11)
    wait_for(api, lambda: len(pods_of(api, created)) == 3, "index 1 was not run again")
    again = [p for p in pods_of(api, created) if p["status"]["phase"] == "Pending"
             and p["metadata"]["name"] != pods[0]["metadata"]["name"]]
    assert [p["metadata"]["generateName"] for p in again] == ["pi-1-"]


def test_indexes_are_compressed_as_kube_writes_them() -> None:
    assert jobs.format_indexes([1, 3, 4, 5, 7]) == "1,3-5,7"
    assert jobs.format_indexes([0, 1]) == "0,1"
    assert jobs.format_indexes([]) == ""
    assert jobs.parse_indexes("1,3-5,7", 5) == {1, 3, 4}


# -- suspend -------------------------------------------------------------------------------------

def test_a_suspended_job_runs_no_pod_until_resumed(api: MockApiserver, clock: FakeClock) -> None:
    created = create_job(api, suspend=True)
    assert pods_of(api, created) == []
    status = job(api)["status"]
    assert "startTime" not in status
    assert conditions(job(api)) == [("Suspended", "True", "JobSuspended", "Job suspended")]
    assert events(api, "Job", "pi") == [("Normal", "Suspended", "Job suspended")]
    clock.advance(60)
    patch = call(api, "PATCH", f"{JOBS}/pi", body=b'{"spec":{"suspend":false}}',
                 content_type="application/merge-patch+json")
    assert patch.status == 200, patch.body
    assert len(pods_of(api, created)) == 1
    resumed = job(api)
    assert conditions(resumed) == [("Suspended", "False", "JobResumed", "Job resumed")]
    assert resumed["status"]["startTime"] == "2026-01-01T00:01:00Z"
    pod = pods_of(api, created)[0]["metadata"]["name"]
    assert events(api, "Job", "pi")[-2:] == [
        ("Normal", "SuccessfulCreate", f"Created pod: {pod}"), ("Normal", "Resumed", "Job resumed")]


def test_suspending_deletes_the_active_pods_without_counting_them(api: MockApiserver) -> None:
    created = create_job(api)
    patch = call(api, "PATCH", f"{JOBS}/pi", body=b'{"spec":{"suspend":true}}',
                 content_type="application/merge-patch+json")
    assert patch.status == 200, patch.body
    assert pods_of(api, created) == []
    status = job(api)["status"]
    assert "failed" not in status and "active" not in status
    assert conditions(job(api)) == [("Suspended", "True", "JobSuspended", "Job suspended")]


# -- tracking finalizers --------------------------------------------------------------------------

@pytest.mark.parametrize("propagation", ["Orphan", "Background"])
def test_a_deleted_jobs_pods_lose_the_tracking_finalizer(api: MockApiserver,
                                                         propagation: str) -> None:
    """Whatever the garbage collector does with them, the pods of a Job that is gone are never
    held by its tracking finalizer."""
    created = create_job(api)
    [pod] = pods_of(api, created)
    reply = call(api, "DELETE", f"{JOBS}/pi", body={"propagationPolicy": propagation})
    assert reply.status == 200, reply.body
    left = api.store.get(("", "pods"), NS, pod["metadata"]["name"])
    assert left is None or "batch.kubernetes.io/job-tracking" not in (
        left["metadata"].get("finalizers") or [])


def test_a_finished_jobs_pods_keep_no_tracking_finalizer(api: MockApiserver) -> None:
    """A pod that got the finalizer back (say, an old client's update) loses it again."""
    [pod] = pods_of(api, create_job(api))
    name = pod["metadata"]["name"]
    finish(api, name, "Succeeded")
    again = api.store.get(("", "pods"), NS, name)
    again.update(apiVersion="v1", kind="Pod")
    again["metadata"]["finalizers"] = ["batch.kubernetes.io/job-tracking"]
    with api.controllers.lock:
        api.objects.update(api.objects.storage(api.registry.lookup("", "v1", "pods")), NS, name,
                           again, Query(()))
        api.controllers.settle()
    assert not api.store.get(("", "pods"), NS, name)["metadata"].get("finalizers")
    assert job(api)["status"]["succeeded"] == 1  # and it is not counted twice


def test_a_job_managed_elsewhere_is_left_alone(clock: FakeClock) -> None:
    with cluster(clock, "v1.32.1") as api:
        created = create_job(api, managedBy="example.com/other")
        assert pods_of(api, created) == []
        assert "status" not in job(api) or job(api)["status"] == {}


def test_minors_before_1_29_do_not_report_terminating(clock: FakeClock) -> None:
    with cluster(clock, "v1.28.9") as api:
        create_job(api)
        assert "terminating" not in job(api)["status"]
