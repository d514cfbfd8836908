"""The kubelet of the fake node (controllers/kubelet.py), as kube's kubelet reports pods: the
image, create and start steps with their Events, the status (phase, IPs, conditions, container
statuses) by Kubernetes minor, container commands run in the fake container with their output as
the log, exits and restart policies with kube's back-off, failing images, init containers, the
scenario's delays as timers, and deletion (Killing Events first, processes stopped).

Pods are created through the API; the scheduler (controllers/scheduler.py) binds them. A test that
needs a container's process to end polls with a deadline: processes run on the controllers'
runtime thread."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from emulator.clock import FakeClock
from emulator.cluster.mock.apiserver import MockApiserver
from emulator.cluster.mock.controllers import podstatus
from emulator.cluster.mock.controllers.settings import ControllerSettings, Delays, ImageRule
from emulator.cluster.mock.node.kubelet import NODE_IP, node_name
from emulator.cluster.mock.registry.store import WatchEvent
from tests.unit.cluster.mock.conftest import ADMIN, ADMIN_TOKEN, CLUSTER_NAME, call

NS = "default"
PODS = f"/api/v1/namespaces/{NS}/pods"
NODE = node_name(CLUSTER_NAME)
T0 = "2026-01-01T00:00:00Z"
WAIT_SECONDS = 10.0


@pytest.fixture
def clusters(clock: FakeClock) -> Iterator[Callable[..., MockApiserver]]:
    made: list[MockApiserver] = []

    def make(version: str = "v1.30.5", **settings: Any) -> MockApiserver:
        api = MockApiserver(CLUSTER_NAME, version, clock, settings=ControllerSettings(**settings))
        api.authenticator.add(ADMIN_TOKEN, ADMIN)
        made.append(api)
        return api
    yield make
    for api in made:
        api.close()


@pytest.fixture
def api(clusters: Callable[..., MockApiserver]) -> MockApiserver:
    return clusters()


def container(name: str = "app", image: str = "nginx", **fields: Any) -> dict[str, Any]:
    return {"name": name, "image": image, **fields}


def create_pod(api: MockApiserver, name: str, *containers: dict[str, Any],
               **spec: Any) -> dict[str, Any]:
    body = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"containers": list(containers) or [container()],
                     "terminationGracePeriodSeconds": 30, **spec}}
    reply = call(api, "POST", PODS, body=body)
    assert reply.status == 201, reply.body
    return reply.body


def pod(api: MockApiserver, name: str) -> dict[str, Any]:
    reply = call(api, "GET", f"{PODS}/{name}")  # a request also settles what is queued
    assert reply.status == 200, reply.body
    return reply.body


def status(api: MockApiserver, name: str) -> dict[str, Any]:
    return pod(api, name)["status"]


def container_status(api: MockApiserver, name: str, index: int = 0) -> dict[str, Any]:
    return status(api, name)["containerStatuses"][index]


def conditions(found: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    return [(c["type"], c["status"], c.get("reason")) for c in found.get("conditions") or []]


def condition(found: dict[str, Any], type_: str) -> dict[str, Any]:
    return next(c for c in found["conditions"] if c["type"] == type_)


def events(api: MockApiserver, name: str) -> list[tuple[str, str, str]]:
    found = [e for e in api.store.list(("", "events"), NS)[0]
             if e["involvedObject"]["name"] == name and e["source"]["component"] == "kubelet"]
    found.sort(key=lambda e: int(e["metadata"]["resourceVersion"]))
    return [(e["type"], e["reason"], e["message"]) for e in found]


def wait_for(what: str, check: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.02)


def advance(api: MockApiserver, clock: FakeClock, seconds: float) -> None:
    clock.advance(seconds)
    api.controllers.clock_moved()


def log_of(api: MockApiserver, name: str) -> str:
    reply = call(api, "GET", f"{PODS}/{name}/log")
    assert reply.status == 200, reply.body
    return reply.body.decode() if isinstance(reply.body, bytes) else str(reply.body)


# -- a server's pod -------------------------------------------------------------------------------

def test_a_pod_without_a_command_runs_with_the_kubelets_status(api: MockApiserver) -> None:
    create_pod(api, "web", container("web", "nginx"))
    found = pod(api, "web")
    got = found["status"]
    assert got["phase"] == "Running"
    assert (got["hostIP"], got["hostIPs"]) == (NODE_IP, [{"ip": NODE_IP}])
    assert got["podIP"].startswith("10.244.") and got["podIPs"] == [{"ip": got["podIP"]}]
    assert (got["startTime"], got["qosClass"]) == (T0, "BestEffort")
    assert conditions(got) == [("PodReadyToStartContainers", "True", None),
                               ("Initialized", "True", None), ("Ready", "True", None),
                               ("ContainersReady", "True", None), ("PodScheduled", "True", None)]
    assert all(c["lastProbeTime"] is None and c["lastTransitionTime"] == T0
               for c in got["conditions"])
    [web] = got["containerStatuses"]
    assert web["containerID"].startswith("containerd://") and len(web["containerID"]) == 77
    assert web["image"] == "docker.io/library/nginx:latest"
    assert web["imageID"].startswith("docker.io/library/nginx@sha256:")
    assert len(web["imageID"].rsplit(":", 1)[1]) == 64
    assert {k: web[k] for k in ("name", "ready", "started", "restartCount", "lastState",
                                 "state")} == {
        "name": "web", "ready": True, "started": True, "restartCount": 0, "lastState": {},
        "state": {"running": {"startedAt": T0}}}
    managers = [(e["manager"], e.get("subresource")) for e in found["metadata"]["managedFields"]]
    assert ("kubelet", "status") in managers


def test_the_start_is_told_by_the_kubelets_events(api: MockApiserver) -> None:
    create_pod(api, "web", container("web", "nginx"))
    got = events(api, "web")
    assert [(t, r) for t, r, _ in got] == [("Normal", "Pulling"), ("Normal", "Pulled"),
                                           ("Normal", "Created"), ("Normal", "Started")]
    assert got[0][2] == 'Pulling image "nginx"'
    size = podstatus.image_size("nginx")
    took = podstatus.go_duration(podstatus.pull_seconds("nginx"))
    assert got[1][2] == (f'Successfully pulled image "nginx" in {took} ({took} including '
                         f'waiting). Image size: {size} bytes.')
    assert got[2][2:] == ("Created container web",)
    assert got[3][2:] == ("Started container web",)
    event = next(e for e in api.store.list(("", "events"), NS)[0] if e["reason"] == "Started")
    assert event["source"] == {"component": "kubelet", "host": NODE}
    assert event["involvedObject"]["fieldPath"] == "spec.containers{web}"


def test_an_image_pulled_before_is_already_present_for_if_not_present(
        api: MockApiserver) -> None:
    create_pod(api, "one", container("app", "nginx:1.27"))
    create_pod(api, "two", container("app", "nginx:1.27"))
    assert ("Normal", "Pulling", 'Pulling image "nginx:1.27"') in events(api, "one")
    assert events(api, "two")[0] == (
        "Normal", "Pulled", 'Container image "nginx:1.27" already present on machine')
    assert not any(reason == "Pulling" for _, reason, _ in events(api, "two"))


def test_texts_and_fields_follow_the_clusters_minor(
        clusters: Callable[..., MockApiserver]) -> None:
    old = clusters("v1.27.3")
    create_pod(old, "web", container("web", "nginx"))
    got = status(old, "web")
    assert "hostIPs" not in got
    assert [t for t, _, _ in conditions(got)] == ["Initialized", "Ready", "ContainersReady",
                                                  "PodScheduled"]
    pulled = next(m for _, r, m in events(old, "web") if r == "Pulled")
    assert pulled.endswith("including waiting)")
    named = clusters("v1.33.2")
    create_pod(named, "web", container("web", "nginx"))
    assert ("Normal", "Created", "Created container: web") in events(named, "web")
    assert ("Normal", "Started", "Started container web") in events(named, "web")
    newest = clusters("v1.35.0")
    create_pod(newest, "web", container("web", "nginx"))
    assert ("Normal", "Created", "Container created") in events(newest, "web")
    assert ("Normal", "Started", "Container started") in events(newest, "web")


def test_a_host_network_pod_has_the_nodes_address(api: MockApiserver) -> None:
    create_pod(api, "host", hostNetwork=True)
    assert status(api, "host")["podIP"] == NODE_IP


def test_a_settled_pod_is_never_rewritten_and_sets_no_timer(api: MockApiserver) -> None:
    create_pod(api, "web")
    before = pod(api, "web")["metadata"]["resourceVersion"]
    with api.controllers.lock:
        api.controllers.enqueue("kubelet", (NS, "web"))
        api.controllers.settle()
    assert pod(api, "web")["metadata"]["resourceVersion"] == before
    assert not api.controllers._timers  # nothing pending: the runtime thread has nothing to do


def test_a_scenarios_seeded_status_is_left_as_it_is(api: MockApiserver) -> None:
    seeded = {"phase": "Running", "conditions": [{"type": "Ready", "status": "False"}]}
    api.seed({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "seeded", "namespace": NS},
              "spec": {"containers": [container()]}, "status": seeded})
    got = pod(api, "seeded")
    assert got["spec"]["nodeName"] == NODE  # the scheduler places it (its binding says so)
    assert got["status"] == {**seeded, "conditions": [*seeded["conditions"], {
        "type": "PodScheduled", "status": "True", "lastProbeTime": None,
        "lastTransitionTime": T0}]}
    assert events(api, "seeded") == []


def test_a_scenarios_seeded_pending_pod_stays_pending(api: MockApiserver) -> None:
    api.seed({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "stuck", "namespace": NS},
              "spec": {"containers": [container()]}, "status": {"phase": "Pending"}})
    assert status(api, "stuck")["phase"] == "Pending"
    assert "containerStatuses" not in status(api, "stuck")


def test_a_running_pods_ephemeral_containers_are_started(api: MockApiserver) -> None:
    api.seed({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "dbg", "namespace": NS},
              "spec": {"containers": [container()],
                       "ephemeralContainers": [{"name": "debugger", "image": "busybox"}]}})
    [debugger] = status(api, "dbg")["ephemeralContainerStatuses"]
    assert (debugger["name"], debugger["state"]) == ("debugger", {"running": {"startedAt": T0}})


def test_a_terminal_phase_a_client_writes_is_kept(api: MockApiserver) -> None:
    create_pod(api, "web")
    reply = call(api, "PATCH", f"{PODS}/web/status", body={"status": {"phase": "Failed"}},
                 content_type="application/merge-patch+json")
    assert reply.status == 200, reply.body
    got = status(api, "web")
    assert got["phase"] == "Failed"
    assert "terminated" in got["containerStatuses"][0]["state"]
    assert ("Ready", "False", "PodFailed") in conditions(got)


# -- delays and readiness ---------------------------------------------------------------------------

def test_each_stage_waits_for_its_delay(clock: FakeClock,
                                        clusters: Callable[..., MockApiserver]) -> None:
    api = clusters(delays=Delays(pull=5, start=2, ready=3))
    create_pod(api, "slow", container("web", "nginx"))
    got = status(api, "slow")
    assert got["phase"] == "Pending"
    assert got["containerStatuses"][0]["state"] == {"waiting": {"reason": "ContainerCreating"}}
    assert condition(got, "Ready")["message"] == "containers with unready status: [web]"
    assert [r for _, r, _ in events(api, "slow")] == ["Pulling"]
    advance(api, clock, 5)
    wait_for("pulled", lambda: [r for _, r, _ in events(api, "slow")] == ["Pulling", "Pulled"])
    assert "in 5s (5s including waiting)" in events(api, "slow")[1][2]
    advance(api, clock, 2)
    wait_for("started", lambda: status(api, "slow")["phase"] == "Running")
    got = status(api, "slow")
    assert got["containerStatuses"][0]["state"] == {"running": {"startedAt": "2026-01-01T00:00:07Z"}}
    assert (got["containerStatuses"][0]["ready"], condition(got, "Ready")["status"]) == (
        False, "False")
    assert condition(got, "ContainersReady")["reason"] == "ContainersNotReady"
    advance(api, clock, 3)
    wait_for("ready", lambda: condition(status(api, "slow"), "Ready")["status"] == "True")
    ready = condition(status(api, "slow"), "Ready")
    assert ready["lastTransitionTime"] == "2026-01-01T00:00:10Z"
    assert condition(status(api, "slow"), "PodScheduled")["lastTransitionTime"] == T0


def test_a_readiness_gate_keeps_the_pod_unready(api: MockApiserver) -> None:
    create_pod(api, "gated", readinessGates=[{"conditionType": "example.com/lb"}])
    ready = condition(status(api, "gated"), "Ready")
    assert (ready["status"], ready["reason"], ready["message"]) == (
        "False", "ReadinessGatesNotReady",
        'corresponding condition of pod readiness gate "example.com/lb" does not exist.')
    assert condition(status(api, "gated"), "ContainersReady")["status"] == "True"


# -- processes --------------------------------------------------------------------------------------

def test_a_finished_command_makes_the_pod_succeed_with_its_log(api: MockApiserver) -> None:
    create_pod(api, "hello", container("hello", "busybox", args=["echo", "hi"]),
               restartPolicy="Never")
    wait_for("the pod succeeded", lambda: status(api, "hello")["phase"] == "Succeeded")
    assert log_of(api, "hello") == "hi\n"
    got = status(api, "hello")
    terminated = got["containerStatuses"][0]["state"]["terminated"]
    assert (terminated["exitCode"], terminated["reason"]) == (0, "Completed")
    assert terminated["containerID"] == got["containerStatuses"][0]["containerID"]
    assert conditions(got) == [("PodReadyToStartContainers", "False", None),
                               ("Initialized", "True", "PodCompleted"),
                               ("Ready", "False", "PodCompleted"),
                               ("ContainersReady", "False", "PodCompleted"),
                               ("PodScheduled", "True", None)]


def test_a_failing_command_fails_the_pod_with_both_streams_logged(api: MockApiserver) -> None:
    create_pod(api, "oops", container("oops", "busybox", command=[
        "sh", "-c", "echo out; echo err >&2; exit 3"]), restartPolicy="Never")
    wait_for("the pod failed", lambda: status(api, "oops")["phase"] == "Failed")
    assert log_of(api, "oops").splitlines() == ["out", "err"]
    terminated = container_status(api, "oops")["state"]["terminated"]
    assert (terminated["exitCode"], terminated["reason"]) == (3, "Error")
    assert ("Ready", "False", "PodFailed") in conditions(status(api, "oops"))


def test_sleep_really_waits_before_the_container_ends(api: MockApiserver) -> None:
    create_pod(api, "nap", container("nap", "busybox", command=["sleep", "0.3"]),
               restartPolicy="Never")
    assert status(api, "nap")["phase"] == "Running"
    wait_for("the nap ended", lambda: status(api, "nap")["phase"] == "Succeeded")


def test_programs_the_fake_does_not_know_keep_running(api: MockApiserver) -> None:
    create_pod(api, "server", container("server", "nginx", command=["nginx", "-g",
                                                                    "daemon off;"]),
               container("looper", "busybox", command=[
                   "sh", "-c", "while true; do echo tick; sleep 1; done"]),
               container("wrapper", "busybox", command=["sh", "-c", "echo starting; myserver"]),
               restartPolicy="Never")
    wait_for("the wrapper's line", lambda: "starting" in log_of_container(api, "server",
                                                                           "wrapper"))
    time.sleep(0.2)
    got = status(api, "server")
    assert got["phase"] == "Running"
    assert all("running" in s["state"] for s in got["containerStatuses"])
    assert log_of_container(api, "server", "wrapper") == "starting\n"


def log_of_container(api: MockApiserver, name: str, container_name: str) -> str:
    reply = call(api, "GET", f"{PODS}/{name}/log", f"container={container_name}")
    assert reply.status == 200, reply.body
    return reply.body.decode() if isinstance(reply.body, bytes) else str(reply.body)


# -- restarts and failures --------------------------------------------------------------------------

def test_a_crashing_container_backs_off_doubling(clock: FakeClock,
                                                 clusters: Callable[..., MockApiserver]) -> None:
    api = clusters(images=(ImageRule("crasher*", exit_code=1),))
    uid = create_pod(api, "crash", container("app", "crasher:1"))["metadata"]["uid"]
    got = container_status(api, "crash")
    assert got["restartCount"] == 1  # the first restart is at once, then the back-off
    assert got["state"] == {"waiting": {"reason": "CrashLoopBackOff", "message": (
        f"back-off 10s restarting failed container=app pod=crash_default({uid})")}}
    last = got["lastState"]["terminated"]
    assert (last["exitCode"], last["reason"]) == (1, "Error")
    assert status(api, "crash")["phase"] == "Running"
    assert ("Warning", "BackOff",
            f"Back-off restarting failed container app in pod crash_default({uid})"
            ) in events(api, "crash")
    advance(api, clock, 10)
    wait_for("the restart", lambda: container_status(api, "crash")["restartCount"] == 2)
    assert "back-off 20s" in container_status(api, "crash")["state"]["waiting"]["message"]


def test_on_failure_restarts_only_a_failure(clusters: Callable[..., MockApiserver]) -> None:
    api = clusters(images=(ImageRule("fails*", exit_code=2), ImageRule("works*", exit_code=0)))
    create_pod(api, "retry", container("app", "fails:1"), restartPolicy="OnFailure")
    create_pod(api, "done", container("app", "works:1"), restartPolicy="OnFailure")
    assert container_status(api, "retry")["state"]["waiting"]["reason"] == "CrashLoopBackOff"
    assert status(api, "retry")["phase"] == "Running"
    assert status(api, "done")["phase"] == "Succeeded"
    assert container_status(api, "done")["restartCount"] == 0


def test_the_exit_rule_runs_for_its_time(clock: FakeClock,
                                         clusters: Callable[..., MockApiserver]) -> None:
    api = clusters(images=(ImageRule("batch*", exit_code=0, runs_for=30),))
    create_pod(api, "batch", container("app", "batch:1"), restartPolicy="Never")
    assert status(api, "batch")["phase"] == "Running"
    advance(api, clock, 30)
    wait_for("the batch ended", lambda: status(api, "batch")["phase"] == "Succeeded")
    terminated = container_status(api, "batch")["state"]["terminated"]
    assert terminated["finishedAt"] == "2026-01-01T00:00:30Z"


def test_a_failing_pull_backs_off_and_retries(clock: FakeClock,
                                              clusters: Callable[..., MockApiserver]) -> None:
    api = clusters(images=(ImageRule("registry.example/missing*", pull_fails=True),))
    image = "registry.example/missing:1"
    seen: list[str] = []
    api.store.add_listener(lambda e: seen.append(_waiting_reason(e)))
    create_pod(api, "broken", container("app", image))
    assert [s for s in seen if s] == ["ErrImagePull", "ImagePullBackOff"]
    got = container_status(api, "broken")
    assert got["state"] == {"waiting": {"reason": "ImagePullBackOff",
                                        "message": f'Back-off pulling image "{image}"'}}
    assert (got["image"], got["imageID"], "containerID" in got) == (image, "", False)
    assert status(api, "broken")["phase"] == "Pending"
    ref = f"{image}"
    error = (f'rpc error: code = NotFound desc = failed to pull and unpack image "{ref}": '
             f'failed to resolve reference "{ref}": {ref}: not found')
    assert events(api, "broken") == [
        ("Normal", "Pulling", f'Pulling image "{image}"'),
        ("Warning", "Failed", f'Failed to pull image "{image}": {error}'),
        ("Warning", "Failed", "Error: ErrImagePull"),
        ("Normal", "BackOff", f'Back-off pulling image "{image}"'),
        ("Warning", "Failed", "Error: ImagePullBackOff")]
    advance(api, clock, 10)
    wait_for("a second pull", lambda: _count(api, "broken", "Pulling") == 2)


def test_a_repeat_of_a_deleted_event_writes_it_again_with_its_count(
        clock: FakeClock, clusters: Callable[..., MockApiserver]) -> None:
    """client-go's recordEvent: the Event a repeat counts onto was deleted (kubectl delete
    events), so the repeat creates it again, under the same name, with the count it has now."""
    api = clusters(images=(ImageRule("registry.example/missing*", pull_fails=True),))
    create_pod(api, "broken", container("app", "registry.example/missing:1"))
    pulling = [e for e in api.store.list(("", "events"), NS)[0] if e["reason"] == "Pulling"]
    assert [e["count"] for e in pulling] == [1]
    reply = call(api, "DELETE", f"/api/v1/namespaces/{NS}/events/{pulling[0]['metadata']['name']}")
    assert reply.status == 200, reply.body
    advance(api, clock, 10)
    wait_for("a second pull", lambda: _count(api, "broken", "Pulling") == 2)
    again = [e for e in api.store.list(("", "events"), NS)[0] if e["reason"] == "Pulling"]
    assert [(e["metadata"]["name"], e["count"]) for e in again] == [
        (pulling[0]["metadata"]["name"], 2)]
    assert again[0]["metadata"]["uid"] != pulling[0]["metadata"]["uid"]


def _waiting_reason(event: WatchEvent) -> str:
    if event.resource != ("", "pods"):
        return ""
    statuses = (event.object.get("status") or {}).get("containerStatuses") or [{}]
    return str(((statuses[0].get("state") or {}).get("waiting") or {}).get("reason") or "")


def _count(api: MockApiserver, name: str, reason: str) -> int:
    return sum(int(e.get("count") or 1) for e in api.store.list(("", "events"), NS)[0]
               if e["involvedObject"]["name"] == name and e["reason"] == reason)


# -- init containers --------------------------------------------------------------------------------

def test_init_containers_complete_before_the_containers_start(api: MockApiserver) -> None:
    create_pod(api, "staged", container("web", "nginx:1.27"),
               initContainers=[container("prepare", "busybox", command=["sh", "-c",
                                                                         "echo prepared"]),
                               container("migrate", "migrator:2")])
    wait_for("running", lambda: status(api, "staged")["phase"] == "Running")
    got = status(api, "staged")
    for init in got["initContainerStatuses"]:
        assert init["state"]["terminated"]["reason"] == "Completed"
        assert (init["ready"], init["started"]) == (True, False)
    assert ("Initialized", "True", None) in conditions(got)
    assert log_of_container(api, "staged", "prepare") == "prepared\n"
    order = [(r, m) for _, r, m in events(api, "staged") if r == "Started"]
    assert order == [("Started", "Started container prepare"),
                     ("Started", "Started container migrate"),
                     ("Started", "Started container web")]


def test_a_failed_init_container_fails_a_never_restarting_pod(
        clusters: Callable[..., MockApiserver]) -> None:
    api = clusters(images=(ImageRule("broken-init*", exit_code=1),))
    create_pod(api, "nope", container("web", "nginx"),
               initContainers=[container("init", "broken-init:1")], restartPolicy="Never")
    got = status(api, "nope")
    assert got["phase"] == "Failed"
    assert got["initContainerStatuses"][0]["state"]["terminated"]["exitCode"] == 1
    assert got["containerStatuses"][0]["state"] == {"waiting": {"reason": "PodInitializing"}}
    initialized = condition(got, "Initialized")
    assert (initialized["status"], initialized["reason"], initialized["message"]) == (
        "False", "ContainersNotInitialized", "containers with incomplete status: [init]")


# -- deletion ---------------------------------------------------------------------------------------

def test_deleting_a_pod_records_killing_before_the_pod_goes(api: MockApiserver) -> None:
    create_pod(api, "web", container("a", "nginx"), container("b", "nginx"))
    order: list[tuple[str, str, str]] = []
    api.store.add_listener(lambda e: order.append(
        (e.type, e.resource[1], e.object.get("reason") or e.object["metadata"]["name"])))
    reply = call(api, "DELETE", f"{PODS}/web")
    assert reply.status == 200, reply.body
    killing = [i for i, (_, kind, what) in enumerate(order) if kind == "events"
               and what == "Killing"]
    gone = order.index(("DELETED", "pods", "web"))
    assert len(killing) == 2 and max(killing) < gone
    assert [m for _, r, m in events(api, "web") if r == "Killing"] == [
        "Stopping container a", "Stopping container b"]


def test_a_deleted_pods_process_stops_writing_to_a_namesakes_log(api: MockApiserver) -> None:
    create_pod(api, "job", container("app", "busybox", command=[
        "sh", "-c", "echo first; sleep 0.5; echo late"]))
    wait_for("the first line", lambda: log_of(api, "job") == "first\n")
    assert call(api, "DELETE", f"{PODS}/job").status == 200
    create_pod(api, "job", container("app", "nginx"))
    time.sleep(0.8)
    assert log_of(api, "job") == ""
    assert status(api, "job")["phase"] == "Running"


def test_a_pod_held_by_a_finalizer_goes_terminal(api: MockApiserver) -> None:
    body = {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "held", "finalizers": ["example.com/hold"]},
            "spec": {"containers": [container()]}}
    assert call(api, "POST", PODS, body=body).status == 201
    assert call(api, "DELETE", f"{PODS}/held").status == 200
    got = pod(api, "held")
    assert got["metadata"]["deletionTimestamp"]
    assert got["status"]["phase"] == "Succeeded"
    assert got["status"]["containerStatuses"][0]["state"]["terminated"]["reason"] == "Completed"
