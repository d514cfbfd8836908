"""The ReplicaSet and ReplicationController controllers (controllers/replicasets.py) against the
mock apiserver: pods made from the template and owned, orphans adopted and released, the least
useful pods removed first, and the status with kube's omitempty fields.

Only this area's controllers run here (``isolate``), so a pod stays Pending until a test makes
it Running and Ready itself, as the kubelet would: the tests decide every transition."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from emulator import messages
from emulator.clock import FakeClock, rfc3339
from emulator.cluster.mock.apiserver import MockApiserver
from emulator.cluster.mock.controllers import replicasets
from emulator.cluster.mock.wire.status import KubeError
from tests.unit.cluster.mock.conftest import ADMIN, ADMIN_TOKEN, CLUSTER_NAME, CLUSTER_VERSION, call

MINE = {"replicaset-controller", "replication-controller", "deployment-controller"}
RS_PATH = "/apis/apps/v1/namespaces/default/replicasets"
RC_PATH = "/api/v1/namespaces/default/replicationcontrollers"
POD_PATH = "/api/v1/namespaces/default/pods"


# -- helpers shared with test_deployments.py ------------------------------------------------------


def isolate(api: MockApiserver) -> None:
    """Leave only this area's controllers registered: the scheduler, kubelet and garbage
    collector of other areas would otherwise move pods on their own."""
    for registered in api.controllers._by_resource.values():  # noqa: SLF001 - test isolation
        registered[:] = [c for c in registered if c.name in MINE]


@pytest.fixture
def cluster(clock: FakeClock) -> Iterator[MockApiserver]:
    server = MockApiserver(CLUSTER_NAME, CLUSTER_VERSION, clock)
    server.authenticator.add(ADMIN_TOKEN, ADMIN)
    isolate(server)
    yield server
    server.close()


def controller(api: MockApiserver, name: str) -> Any:
    """A registered controller by its component name."""
    return next(c for registered in api.controllers._by_resource.values()  # noqa: SLF001
                for c in registered if c.name == name)


def advance(api: MockApiserver, clock: FakeClock, seconds: float) -> None:
    """Move the emulator's clock and run the timers now due, at once."""
    clock.advance(seconds)
    api.controllers._fire_due()  # noqa: SLF001 - synchronous, instead of the runtime thread


def pods(api: MockApiserver, namespace: str = "default") -> list[dict[str, Any]]:
    return api.store.list(("", "pods"), namespace)[0]


def pod_names(api: MockApiserver) -> list[str]:
    return [p["metadata"]["name"] for p in pods(api)]


def get(api: MockApiserver, group: str, plural: str, name: str) -> dict[str, Any]:
    found = api.store.get((group, plural), "default", name)
    assert found is not None, name
    return found


def set_ready(api: MockApiserver, clock: FakeClock, name: str, *, ready: bool = True,
              phase: str = "Running", node: str | None = None, restarts: int = 0) -> None:
    """What the kubelet reports for a started pod: Running, and Ready or not since now."""
    pod = get(api, "", "pods", name)
    if node is not None:  # as a scheduler binds a pod: an update may not change its node
        reply = call(api, "POST", f"{POD_PATH}/{name}/binding", body={
            "apiVersion": "v1", "kind": "Binding", "metadata": {"name": name},
            "target": {"apiVersion": "v1", "kind": "Node", "name": node}})
        assert reply.status == 201, reply.body
        pod = get(api, "", "pods", name)
    now = rfc3339(clock.now())
    pod["status"] = {
        "phase": phase,
        "conditions": [{"type": "Ready", "status": "True" if ready else "False",
                        "lastProbeTime": None, "lastTransitionTime": now}],
        "containerStatuses": [{"name": c["name"], "ready": ready, "restartCount": restarts,
                               "image": c["image"], "imageID": "", "started": ready}
                              for c in pod["spec"]["containers"]]}
    reply = call(api, "PUT", f"{POD_PATH}/{name}/status", body=pod)
    assert reply.status == 200, reply.body


def events(api: MockApiserver, reason: str | None = None) -> list[tuple[str, str, str]]:
    """(source component, reason, message) of the namespace's Events, oldest first."""
    found = sorted(api.store.list(("", "events"), "default")[0],
                   key=lambda e: (e["firstTimestamp"], e["metadata"]["name"]))
    return [(e["source"]["component"], e["reason"], e["message"]) for e in found
            if reason is None or e["reason"] == reason]


def template(labels: dict[str, str], image: str = "nginx:1.25") -> dict[str, Any]:
    return {"metadata": {"labels": labels},
            "spec": {"containers": [{"name": "app", "image": image}]}}


# -- builders -------------------------------------------------------------------------------------


def replica_set(name: str, replicas: int, labels: dict[str, str] | None = None,
                min_ready: int = 0) -> dict[str, Any]:
    labels = labels or {"app": name}
    spec: dict[str, Any] = {"replicas": replicas, "selector": {"matchLabels": labels},
                            "template": template(labels)}
    if min_ready:
        spec["minReadySeconds"] = min_ready
    return {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": name},
            "spec": spec}


def orphan(name: str, labels: dict[str, str]) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": labels},
            "spec": {"containers": [{"name": "app", "image": "nginx:1.25"}]}}


def scale(api: MockApiserver, name: str, replicas: int) -> None:
    reply = call(api, "PATCH", f"{RS_PATH}/{name}", body={"spec": {"replicas": replicas}},
                 content_type="application/merge-patch+json")
    assert reply.status == 200, reply.body


# -- making pods ----------------------------------------------------------------------------------


def test_pods_are_made_from_the_template_named_after_and_owned_by_the_replica_set(
        cluster: MockApiserver) -> None:
    created = call(cluster, "POST", RS_PATH, body=replica_set("web", 3)).body
    made = pods(cluster)
    assert len(made) == 3
    for pod in made:
        meta = pod["metadata"]
        assert meta["name"].startswith("web-") and len(meta["name"]) == len("web-") + 5
        assert meta["generateName"] == "web-"
        assert meta["labels"] == {"app": "web"}
        assert meta["ownerReferences"] == [{
            "apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web",
            "uid": created["metadata"]["uid"], "controller": True, "blockOwnerDeletion": True}]
        assert pod["spec"]["containers"][0]["image"] == "nginx:1.25"
    assert sorted(events(cluster, "SuccessfulCreate")) == sorted(
        ("replicaset-controller", "SuccessfulCreate", messages.REPLICAS_CREATED_POD.format(pod=n))
        for n in pod_names(cluster))


def test_status_counts_pods_and_leaves_zero_counts_out_as_go_does(
        cluster: MockApiserver, clock: FakeClock) -> None:
    call(cluster, "POST", RS_PATH, body=replica_set("web", 2))
    status = get(cluster, "apps", "replicasets", "web")["status"]
    # Nothing ready yet: readyReplicas and availableReplicas are omitempty; replicas is not.
    assert status == {"replicas": 2, "fullyLabeledReplicas": 2, "observedGeneration": 1}
    for name in pod_names(cluster):
        set_ready(cluster, clock, name)
    status = get(cluster, "apps", "replicasets", "web")["status"]
    assert status == {"replicas": 2, "fullyLabeledReplicas": 2, "readyReplicas": 2,
                      "availableReplicas": 2, "observedGeneration": 1}
    scale(cluster, "web", 0)
    assert pods(cluster) == []
    assert get(cluster, "apps", "replicasets", "web")["status"] == {
        "replicas": 0, "observedGeneration": 2}


def test_a_settled_replica_set_is_not_written_again(cluster: MockApiserver,
                                                    clock: FakeClock) -> None:
    call(cluster, "POST", RS_PATH, body=replica_set("web", 2))
    for name in pod_names(cluster):
        set_ready(cluster, clock, name)
    before = cluster.store.resource_version
    controller(cluster, "replicaset-controller").sync(("default", "web"))
    cluster.controllers.settle()
    assert cluster.store.resource_version == before


def test_ready_pods_are_available_only_after_min_ready_seconds(
        cluster: MockApiserver, clock: FakeClock) -> None:
    call(cluster, "POST", RS_PATH, body=replica_set("web", 1, min_ready=30))
    set_ready(cluster, clock, pod_names(cluster)[0])
    status = get(cluster, "apps", "replicasets", "web")["status"]
    assert status.get("readyReplicas") == 1 and "availableReplicas" not in status
    advance(cluster, clock, 10)
    assert "availableReplicas" not in get(cluster, "apps", "replicasets", "web")["status"]
    advance(cluster, clock, 21)  # past 30 seconds: the timer set for that moment syncs it
    assert get(cluster, "apps", "replicasets", "web")["status"]["availableReplicas"] == 1


# -- removing pods --------------------------------------------------------------------------------


def test_scale_down_removes_pending_and_not_ready_pods_before_ready_ones(
        cluster: MockApiserver, clock: FakeClock) -> None:
    call(cluster, "POST", RS_PATH, body=replica_set("web", 4))
    first, second, third, fourth = pod_names(cluster)
    set_ready(cluster, clock, first, node="node-1")
    set_ready(cluster, clock, second, node="node-1", ready=False)
    set_ready(cluster, clock, third, node="node-1")
    # ``fourth`` stays Pending and unscheduled: it goes first, then the not-ready one.
    scale(cluster, "web", 2)
    assert sorted(pod_names(cluster)) == sorted([first, third])
    assert [m for _, _, m in events(cluster, "SuccessfulDelete")] == [
        messages.REPLICAS_DELETED_POD.format(pod=fourth),
        messages.REPLICAS_DELETED_POD.format(pod=second)]


def test_the_ranking_prefers_restarting_then_newest_pods_among_equals() -> None:
    def pod(name: str, created: str, restarts: int = 0, ready_at: str = "2026-01-01T00:00:00Z",
            cost: str | None = None) -> dict[str, Any]:
        meta: dict[str, Any] = {"name": name, "creationTimestamp": created}
        if cost is not None:
            meta["annotations"] = {replicasets.DELETION_COST: cost}
        return {"metadata": meta, "spec": {"nodeName": "n"},
                "status": {"phase": "Running",
                           "conditions": [{"type": "Ready", "status": "True",
                                           "lastTransitionTime": ready_at}],
                           "containerStatuses": [{"restartCount": restarts}]}}
    old = pod("old", "2026-01-01T00:00:00Z")
    new = pod("new", "2026-01-01T00:05:00Z")
    crashing = pod("crashing", "2026-01-01T00:00:00Z", restarts=4)
    recently_ready = pod("recent", "2026-01-01T00:00:00Z", ready_at="2026-01-01T00:09:00Z")
    costly = pod("costly", "2026-01-01T00:09:00Z", restarts=9, cost="100")
    ranked = replicasets.pods_to_delete([old, costly, new, crashing, recently_ready], 4)
    assert [p["metadata"]["name"] for p in ranked] == ["recent", "crashing", "new", "old"]


def test_pods_being_deleted_or_finished_do_not_count_and_are_replaced(
        cluster: MockApiserver, clock: FakeClock) -> None:
    call(cluster, "POST", RS_PATH, body=replica_set("web", 2))
    first, second = pod_names(cluster)
    held = get(cluster, "", "pods", first)
    held["metadata"]["finalizers"] = ["example.com/hold"]
    assert call(cluster, "PUT", f"{POD_PATH}/{first}", body=held).status == 200
    assert call(cluster, "DELETE", f"{POD_PATH}/{first}").status == 200
    set_ready(cluster, clock, second, phase="Failed", ready=False)
    active = [p["metadata"]["name"] for p in pods(cluster)
              if replicasets.is_active(p)]
    assert len(active) == 2 and first not in active and second not in active
    assert get(cluster, "apps", "replicasets", "web")["status"]["replicas"] == 2


# -- ownership ------------------------------------------------------------------------------------


def test_a_matching_orphan_is_adopted_instead_of_a_new_pod(cluster: MockApiserver) -> None:
    assert call(cluster, "POST", POD_PATH, body=orphan("stray", {"app": "web"})).status == 201
    created = call(cluster, "POST", RS_PATH, body=replica_set("web", 2)).body
    names = pod_names(cluster)
    assert len(names) == 2 and "stray" in names
    refs = get(cluster, "", "pods", "stray")["metadata"]["ownerReferences"]
    assert refs == [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web",
                     "uid": created["metadata"]["uid"], "controller": True,
                     "blockOwnerDeletion": True}]


def test_a_pod_relabelled_out_of_the_selector_is_released_and_replaced(
        cluster: MockApiserver) -> None:
    call(cluster, "POST", RS_PATH, body=replica_set("web", 1))
    (name,) = pod_names(cluster)
    pod = get(cluster, "", "pods", name)
    pod["metadata"]["labels"] = {"app": "debugging"}
    assert call(cluster, "PUT", f"{POD_PATH}/{name}", body=pod).status == 200
    assert "ownerReferences" not in get(cluster, "", "pods", name)["metadata"]
    assert len(pod_names(cluster)) == 2  # the released pod stays; a new one replaces it


def test_another_controllers_pod_is_left_alone(cluster: MockApiserver) -> None:
    call(cluster, "POST", RS_PATH, body=replica_set("one", 1, {"app": "web"}))
    (owned,) = pod_names(cluster)
    # A second ReplicaSet with the same selector neither takes nor counts the first one's pod.
    call(cluster, "POST", RS_PATH, body=replica_set("two", 1, {"app": "web"}))
    assert len(pod_names(cluster)) == 2
    assert get(cluster, "", "pods", owned)["metadata"]["ownerReferences"][0]["name"] == "one"


# -- ReplicationControllers -----------------------------------------------------------------------


def test_a_replication_controller_works_the_same_with_a_map_selector(
        cluster: MockApiserver, clock: FakeClock) -> None:
    body = {"apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": "legacy"},
            "spec": {"replicas": 2, "selector": {"app": "legacy"},
                     "template": template({"app": "legacy"})}}
    created = call(cluster, "POST", RC_PATH, body=body).body
    made = pods(cluster)
    assert len(made) == 2
    assert all(p["metadata"]["generateName"] == "legacy-" for p in made)
    assert made[0]["metadata"]["ownerReferences"][0] | {} == {
        "apiVersion": "v1", "kind": "ReplicationController", "name": "legacy",
        "uid": created["metadata"]["uid"], "controller": True, "blockOwnerDeletion": True}
    for name in pod_names(cluster):
        set_ready(cluster, clock, name)
    assert get(cluster, "", "replicationcontrollers", "legacy")["status"] == {
        "replicas": 2, "fullyLabeledReplicas": 2, "readyReplicas": 2, "availableReplicas": 2,
        "observedGeneration": 1}
    assert {c for c, _, _ in events(cluster, "SuccessfulCreate")} == {"replication-controller"}


def test_a_refused_create_is_an_event_and_a_replica_failure_condition(
        cluster: MockApiserver, monkeypatch: pytest.MonkeyPatch) -> None:
    replicas = controller(cluster, "replicaset-controller")
    refusal = 'pods "web-" is forbidden: exceeded quota: compute'

    create = replicas.ctx.create

    def refuse(group: str, plural: str, obj: dict[str, Any], **kw: Any) -> dict[str, Any]:
        if plural == "pods":
            raise KubeError(403, refusal)
        return create(group, plural, obj, **kw)
    monkeypatch.setattr(replicas.ctx, "create", refuse)
    call(cluster, "POST", RS_PATH, body=replica_set("web", 1))
    assert pods(cluster) == []
    assert events(cluster, "FailedCreate") == [
        ("replicaset-controller", "FailedCreate",
         messages.REPLICAS_CREATE_FAILED.format(error=refusal))]
    status = get(cluster, "apps", "replicasets", "web")["status"]
    assert status["replicas"] == 0
    (condition,) = status["conditions"]
    assert {k: condition[k] for k in ("type", "status", "reason", "message")} == {
        "type": "ReplicaFailure", "status": "True", "reason": "FailedCreate", "message": refusal}
    monkeypatch.undo()  # the quota is lifted: the next sync makes the pod, the condition goes
    # Under the controllers' lock, as every sync runs: the refusal's back-off timer may fire on
    # the runtime thread meanwhile, and two syncs at once would conflict.
    with cluster.controllers.lock:
        replicas.sync(("default", "web"))
        cluster.controllers.settle()
    assert len(pods(cluster)) == 1
    assert "conditions" not in get(cluster, "apps", "replicasets", "web")["status"]


def test_a_selector_that_misses_its_own_template_makes_nothing(cluster: MockApiserver) -> None:
    # kube's validation refuses this; were it stored, pods the selector cannot see would be
    # made on every sync, so the controller leaves it alone.
    body = replica_set("web", 2, {"app": "web"})
    body["spec"]["template"]["metadata"]["labels"] = {"app": "other"}
    assert call(cluster, "POST", RS_PATH, body=body).status == 422  # workloadchecks.py
    created = call(cluster, "POST", RS_PATH, body=replica_set("web", 0, {"app": "web"})).body
    # As an older apiserver stored it: the template's labels no longer match the selector.
    created["spec"]["replicas"] = 2
    created["spec"]["template"]["metadata"]["labels"] = {"app": "other"}
    created.pop("apiVersion"), created.pop("kind")
    with cluster.controllers.lock:
        cluster.store.put(("apps", "replicasets"), created, event="MODIFIED")
        cluster.controllers.settle()
    assert pods(cluster) == []


def test_thirty_pods_make_nine_events_and_a_combined_one(cluster: MockApiserver) -> None:
    """client-go's EventCorrelator: from the tenth "Created pod" message about the ReplicaSet
    they are counted on one combined Event, and of 30 the spam filter lets 25 through."""
    assert call(cluster, "POST", RS_PATH, body=replica_set("big", 30)).status == 201
    assert len(pods(cluster)) == 30
    created = [e for e in cluster.store.list(("", "events"), "default")[0]
               if e["reason"] == "SuccessfulCreate"]
    singles = [e for e in created if not e["message"].startswith("(combined from similar events)")]
    combined = [e for e in created if e not in singles]
    assert len(singles) == 9 and all(e["count"] == 1 for e in singles)
    assert [e["count"] for e in combined] == [16]  # 9 + 16: the burst of 25
    assert combined[0]["message"].startswith("(combined from similar events): Created pod: big-")
    assert combined[0]["reportingComponent"] == ""
