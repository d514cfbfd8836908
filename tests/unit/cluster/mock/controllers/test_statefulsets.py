"""The StatefulSet controller (controllers/statefulsets.py) against the mock apiserver: ordinal
pods with their claims made first, OrderedReady and Parallel, scaling down from the highest
ordinal, rolling updates (partition, OnDelete, rollback), ControllerRevisions and the status
kubectl's rollout status reads.

Only this area's controller runs (``isolate``): a pod stays Pending until a test reports it
Running and Ready, as the kubelet would, so every transition is the test's."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from emulator import messages
from emulator.clock import FakeClock, rfc3339
from emulator.cluster.mock.apiserver import MockApiserver
from emulator.cluster.mock.controllers import revisions, statefulsets
from tests.unit.cluster.mock.conftest import ADMIN, ADMIN_TOKEN, CLUSTER_NAME, CLUSTER_VERSION, call

MINE = {statefulsets.NAME}
STS_PATH = "/apis/apps/v1/namespaces/default/statefulsets"
POD_PATH = "/api/v1/namespaces/default/pods"


def isolate(api: MockApiserver) -> None:
    """Only the StatefulSet controller: no scheduler, kubelet or garbage collector moves pods."""
    for registered in api.controllers._by_resource.values():  # noqa: SLF001 - test isolation
        registered[:] = [c for c in registered if c.name in MINE]


def make_cluster(clock: FakeClock, version: str = CLUSTER_VERSION) -> MockApiserver:
    server = MockApiserver(CLUSTER_NAME, version, clock)
    server.authenticator.add(ADMIN_TOKEN, ADMIN)
    isolate(server)
    return server


@pytest.fixture
def cluster(clock: FakeClock) -> Iterator[MockApiserver]:
    server = make_cluster(clock)
    yield server
    server.close()


def stateful_set(name: str = "db", replicas: int = 2, image: str = "nginx:1.25",
                 claims: bool = True, **spec: Any) -> dict[str, Any]:
    labels = {"app": name}
    body: dict[str, Any] = {
        "replicas": replicas, "serviceName": name, "selector": {"matchLabels": labels},
        "template": {"metadata": {"labels": labels},
                     "spec": {"containers": [{"name": "main", "image": image}]}}, **spec}
    if claims:
        body["volumeClaimTemplates"] = [{
            "metadata": {"name": "data", "labels": {"tier": "storage"}},
            "spec": {"accessModes": ["ReadWriteOnce"],
                     "resources": {"requests": {"storage": "1Gi"}}}}]
    return {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": name},
            "spec": body}


def create(api: MockApiserver, obj: dict[str, Any]) -> dict[str, Any]:
    reply = call(api, "POST", STS_PATH, body=obj)
    assert reply.status == 201, reply.body
    return reply.body


def patch(api: MockApiserver, name: str, body: dict[str, Any]) -> None:
    reply = call(api, "PATCH", f"{STS_PATH}/{name}", body=body,
                 content_type="application/merge-patch+json")
    assert reply.status == 200, reply.body


def set_image(api: MockApiserver, name: str, image: str) -> None:
    patch(api, name, {"spec": {"template": {"spec": {"containers": [
        {"name": "main", "image": image}]}}}})


def get(api: MockApiserver, group: str, plural: str, name: str) -> dict[str, Any] | None:
    return api.store.get((group, plural), "default", name)


def the_set(api: MockApiserver, name: str = "db") -> dict[str, Any]:
    found = get(api, "apps", "statefulsets", name)
    assert found is not None
    return found


def names(api: MockApiserver, plural: str, group: str = "") -> list[str]:
    return sorted(o["metadata"]["name"] for o in api.store.list((group, plural), "default")[0])


def pod(api: MockApiserver, name: str) -> dict[str, Any]:
    found = get(api, "", "pods", name)
    assert found is not None, name
    return found


def report(api: MockApiserver, clock: FakeClock, name: str, *, phase: str = "Running",
           ready: bool = True) -> None:
    """What the kubelet writes for a started pod: its phase and Ready condition, since now."""
    current = pod(api, name)
    current["status"] = {"phase": phase, "conditions": [
        {"type": "Ready", "status": "True" if ready else "False", "lastProbeTime": None,
         "lastTransitionTime": rfc3339(clock.now())}]}
    reply = call(api, "PUT", f"{POD_PATH}/{name}/status", body=current)
    assert reply.status == 200, reply.body


def run_all(api: MockApiserver, clock: FakeClock, *, rounds: int = 20) -> None:
    """Report every pod still Pending as Running and Ready, until none is (the kubelet's job)."""
    for _ in range(rounds):
        pending = [p["metadata"]["name"] for p in api.store.list(("", "pods"), "default")[0]
                   if (p.get("status") or {}).get("phase") == "Pending"]
        if not pending:
            return
        for name in pending:
            report(api, clock, name)
    raise AssertionError("pods kept coming")


def events(api: MockApiserver) -> list[tuple[str, str]]:
    found = api.store.list(("", "events"), "default")[0]
    found.sort(key=lambda e: int(e["metadata"]["resourceVersion"]))
    return [(e["reason"], e["message"]) for e in found
            if e["source"].get("component") == statefulsets.NAME]


def revision_label(api: MockApiserver, name: str) -> str:
    return pod(api, name)["metadata"]["labels"][revisions.POD_REVISION_LABEL]


def controller_revisions(api: MockApiserver) -> dict[str, int]:
    return {r["metadata"]["name"]: r["revision"]
            for r in api.store.list(("apps", "controllerrevisions"), "default")[0]}


def pod_event(verb: str, name: str, set_name: str = "db") -> tuple[str, str]:
    return (f"Successful{verb.title()}", messages.STATEFULSET_POD_SUCCEEDED.format(
        verb=verb, pod=name, set=set_name))


def claim_event(claim: str, name: str, set_name: str = "db") -> tuple[str, str]:
    return ("SuccessfulCreate", messages.STATEFULSET_CLAIM_SUCCEEDED.format(
        verb="create", claim=claim, pod=name, set=set_name))


# -- creation -----------------------------------------------------------------------------------


def test_ordered_ready_makes_one_ordinal_at_a_time_claims_first(
        cluster: MockApiserver, clock: FakeClock) -> None:
    create(cluster, stateful_set())
    assert names(cluster, "pods") == ["db-0"]
    assert names(cluster, "persistentvolumeclaims") == ["data-db-0"]
    report(cluster, clock, "db-0", ready=False)
    assert names(cluster, "pods") == ["db-0"], "waits for db-0 to be Ready"
    report(cluster, clock, "db-0")
    assert names(cluster, "pods") == ["db-0", "db-1"]
    assert names(cluster, "persistentvolumeclaims") == ["data-db-0", "data-db-1"]
    assert events(cluster) == [claim_event("data-db-0", "db-0"), pod_event("create", "db-0"),
                               claim_event("data-db-1", "db-1"), pod_event("create", "db-1")]


def test_a_pod_has_the_sets_identity_and_claim(cluster: MockApiserver) -> None:
    created = create(cluster, stateful_set())
    made = pod(cluster, "db-0")
    revision = next(iter(controller_revisions(cluster)))
    assert made["metadata"]["generateName"] == "db-"
    assert made["metadata"]["labels"] == {
        "app": "db", statefulsets.POD_NAME_LABEL: "db-0", statefulsets.POD_INDEX_LABEL: "0",
        revisions.POD_REVISION_LABEL: revision}
    assert made["metadata"]["ownerReferences"] == [{
        "apiVersion": "apps/v1", "kind": "StatefulSet", "name": "db",
        "uid": created["metadata"]["uid"], "controller": True, "blockOwnerDeletion": True}]
    assert (made["spec"]["hostname"], made["spec"]["subdomain"]) == ("db-0", "db")
    claim, token = made["spec"]["volumes"]  # the ServiceAccount admission's token volume last
    assert claim == {"name": "data", "persistentVolumeClaim": {"claimName": "data-db-0"}}
    assert token["name"].startswith("kube-api-access-")
    claim = get(cluster, "", "persistentvolumeclaims", "data-db-0")
    assert claim is not None
    # The template's labels and the selector's; no owner under the default Retain policy.
    assert claim["metadata"]["labels"] == {"tier": "storage", "app": "db"}
    assert "ownerReferences" not in claim["metadata"]
    assert claim["spec"]["resources"] == {"requests": {"storage": "1Gi"}}
    assert claim["status"]["phase"] == "Pending"


def test_before_1_28_pods_have_no_index_label(clock: FakeClock) -> None:
    server = make_cluster(clock, "v1.27.16")
    try:
        create(server, stateful_set(claims=False))
        assert statefulsets.POD_INDEX_LABEL not in pod(server, "db-0")["metadata"]["labels"]
    finally:
        server.close()


def test_parallel_makes_every_ordinal_at_once(cluster: MockApiserver) -> None:
    create(cluster, stateful_set(replicas=3, podManagementPolicy="Parallel"))
    assert names(cluster, "pods") == ["db-0", "db-1", "db-2"]


def test_ordinals_start(cluster: MockApiserver, clock: FakeClock) -> None:
    create(cluster, stateful_set(claims=False, ordinals={"start": 5}))
    run_all(cluster, clock)
    assert names(cluster, "pods") == ["db-5", "db-6"]


def test_status_when_every_pod_is_ready(cluster: MockApiserver, clock: FakeClock) -> None:
    create(cluster, stateful_set())
    assert the_set(cluster)["status"] == {
        "observedGeneration": 1, "replicas": 1, "currentReplicas": 1, "updatedReplicas": 1,
        "currentRevision": next(iter(controller_revisions(cluster))),
        "updateRevision": next(iter(controller_revisions(cluster))),
        "collisionCount": 0, "availableReplicas": 0}
    run_all(cluster, clock)
    revision = next(iter(controller_revisions(cluster)))
    assert the_set(cluster)["status"] == {
        "observedGeneration": 1, "replicas": 2, "readyReplicas": 2, "currentReplicas": 2,
        "updatedReplicas": 2, "currentRevision": revision, "updateRevision": revision,
        "collisionCount": 0, "availableReplicas": 2}


def test_the_revision_stores_the_template_as_a_patch(cluster: MockApiserver) -> None:
    created = create(cluster, stateful_set(claims=False))
    [(name, number)] = controller_revisions(cluster).items()
    revision = get(cluster, "apps", "controllerrevisions", name)
    assert revision is not None and number == 1
    template = dict(created["spec"]["template"])
    template["metadata"] = {**template["metadata"], "creationTimestamp": None}
    assert revision["data"] == {"spec": {"template": {**template, "$patch": "replace"}}}
    hash_ = revisions.safe_encode(str(revisions.fnv32(revisions.go_json(revision["data"]) + b"0")))
    assert name == f"db-{hash_}"
    assert revision["metadata"]["labels"] == {"app": "db", revisions.REVISION_HASH_LABEL: hash_}
    assert revision["metadata"]["ownerReferences"][0]["uid"] == created["metadata"]["uid"]


def resource_versions(api: MockApiserver) -> dict[tuple[str, str], str]:
    return {(plural, o["metadata"]["name"]): o["metadata"]["resourceVersion"]
            for group, plural in (("", "pods"), ("apps", "statefulsets"),
                                  ("apps", "controllerrevisions"), ("", "persistentvolumeclaims"),
                                  ("", "events"))
            for o in api.store.list((group, plural), "default")[0]}


def test_a_settled_set_writes_nothing(cluster: MockApiserver, clock: FakeClock) -> None:
    create(cluster, stateful_set())
    run_all(cluster, clock)
    before = resource_versions(cluster)
    cluster.controllers.enqueue(statefulsets.NAME, ("default", "db"))
    cluster.controllers.settle()
    assert resource_versions(cluster) == before


# -- scaling ------------------------------------------------------------------------------------


def test_scale_up_and_down_from_the_highest_ordinal(cluster: MockApiserver,
                                                    clock: FakeClock) -> None:
    create(cluster, stateful_set(replicas=3, claims=False))
    run_all(cluster, clock)
    patch(cluster, "db", {"spec": {"replicas": 1}})
    assert names(cluster, "pods") == ["db-0"]
    deletes = [e for e in events(cluster) if e[0] == "SuccessfulDelete"]
    assert deletes == [pod_event("delete", "db-2"), pod_event("delete", "db-1")]
    assert the_set(cluster)["status"]["replicas"] == 1


def test_scale_down_waits_for_an_unready_predecessor(cluster: MockApiserver,
                                                     clock: FakeClock) -> None:
    create(cluster, stateful_set(replicas=3, claims=False))
    run_all(cluster, clock)
    report(cluster, clock, "db-0", ready=False)
    patch(cluster, "db", {"spec": {"replicas": 2}})
    assert names(cluster, "pods") == ["db-0", "db-1", "db-2"]
    report(cluster, clock, "db-0")
    assert names(cluster, "pods") == ["db-0", "db-1"]


def test_claims_stay_after_scale_down(cluster: MockApiserver, clock: FakeClock) -> None:
    create(cluster, stateful_set())
    run_all(cluster, clock)
    patch(cluster, "db", {"spec": {"replicas": 1}})
    assert names(cluster, "pods") == ["db-0"]
    assert names(cluster, "persistentvolumeclaims") == ["data-db-0", "data-db-1"]


def test_retention_policy_gives_claims_owners(cluster: MockApiserver, clock: FakeClock) -> None:
    created = create(cluster, stateful_set(persistentVolumeClaimRetentionPolicy={
        "whenDeleted": "Delete", "whenScaled": "Delete"}))
    run_all(cluster, clock)
    claim = get(cluster, "", "persistentvolumeclaims", "data-db-1")
    assert claim is not None
    assert [r["uid"] for r in claim["metadata"]["ownerReferences"]] == [created["metadata"]["uid"]]
    owners: list[list[str]] = []
    cluster.store.add_listener(lambda event: owners.append(
        [r["kind"] for r in event.object["metadata"].get("ownerReferences") or []])
        if event.resource == ("", "persistentvolumeclaims")
        and event.object["metadata"]["name"] == "data-db-1" and event.type == "MODIFIED"
        else None)
    patch(cluster, "db", {"spec": {"replicas": 1}})
    # Scaled down: the claim is handed to its pod, for the garbage collector to take with it.
    assert owners[:1] == [["Pod"]]
    kept = get(cluster, "", "persistentvolumeclaims", "data-db-0")
    assert kept is not None
    assert [r["kind"] for r in kept["metadata"]["ownerReferences"]] == ["StatefulSet"]


def test_a_failed_pod_is_replaced(cluster: MockApiserver, clock: FakeClock) -> None:
    create(cluster, stateful_set(claims=False))
    run_all(cluster, clock)
    old_uid = pod(cluster, "db-1")["metadata"]["uid"]
    report(cluster, clock, "db-1", phase="Failed", ready=False)
    assert pod(cluster, "db-1")["metadata"]["uid"] != old_uid
    assert pod_event("delete", "db-1") in events(cluster)


def test_an_orphan_with_the_sets_name_and_labels_is_adopted(cluster: MockApiserver) -> None:
    reply = call(cluster, "POST", POD_PATH, body={
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "db-0", "labels": {"app": "db"}},
        "spec": {"containers": [{"name": "main", "image": "nginx:1.25"}]}})
    assert reply.status == 201, reply.body
    created = create(cluster, stateful_set(claims=False))
    refs = pod(cluster, "db-0")["metadata"]["ownerReferences"]
    assert [r["uid"] for r in refs] == [created["metadata"]["uid"]]
    assert names(cluster, "pods") == ["db-0"]  # db-0 is Pending: OrderedReady waits


# -- updates ------------------------------------------------------------------------------------


def test_rolling_update_replaces_from_the_highest_ordinal(cluster: MockApiserver,
                                                          clock: FakeClock) -> None:
    create(cluster, stateful_set(replicas=3, claims=False))
    run_all(cluster, clock)
    old = revision_label(cluster, "db-0")
    set_image(cluster, "db", "nginx:1.26")
    assert len(controller_revisions(cluster)) == 2
    new = the_set(cluster)["status"]["updateRevision"]
    assert new != old and controller_revisions(cluster)[new] == 2
    # db-2 went and came back at the new revision; the rest wait for it to be Ready.
    assert revision_label(cluster, "db-2") == new
    assert (revision_label(cluster, "db-1"), revision_label(cluster, "db-0")) == (old, old)
    status = the_set(cluster)["status"]
    assert (status["currentRevision"], status["updatedReplicas"]) == (old, 1)
    report(cluster, clock, "db-2")
    assert revision_label(cluster, "db-1") == new and revision_label(cluster, "db-0") == old
    run_all(cluster, clock)
    assert [revision_label(cluster, f"db-{i}") for i in range(3)] == [new] * 3
    assert pod(cluster, "db-0")["spec"]["containers"][0]["image"] == "nginx:1.26"
    status = the_set(cluster)["status"]
    assert (status["currentRevision"], status["updateRevision"]) == (new, new)
    assert (status["currentReplicas"], status["updatedReplicas"], status["readyReplicas"]) == (
        3, 3, 3)
    assert status["observedGeneration"] == 2


def test_partition_keeps_lower_ordinals_at_the_current_revision(
        cluster: MockApiserver, clock: FakeClock) -> None:
    create(cluster, stateful_set(replicas=3, claims=False,
                                 updateStrategy={"type": "RollingUpdate",
                                                 "rollingUpdate": {"partition": 2}}))
    run_all(cluster, clock)
    old = revision_label(cluster, "db-0")
    set_image(cluster, "db", "nginx:1.26")
    run_all(cluster, clock)
    new = the_set(cluster)["status"]["updateRevision"]
    assert [revision_label(cluster, f"db-{i}") for i in range(3)] == [old, old, new]
    status = the_set(cluster)["status"]
    assert (status["currentRevision"], status["updatedReplicas"]) == (old, 1)
    # A pod below the partition that is deleted comes back at the current revision.
    reply = call(cluster, "DELETE", f"{POD_PATH}/db-0")
    assert reply.status == 200, reply.body
    assert revision_label(cluster, "db-0") == old


def test_on_delete_waits_for_the_user(cluster: MockApiserver, clock: FakeClock) -> None:
    create(cluster, stateful_set(claims=False, updateStrategy={"type": "OnDelete"}))
    run_all(cluster, clock)
    old = revision_label(cluster, "db-1")
    set_image(cluster, "db", "nginx:1.26")
    run_all(cluster, clock)
    assert revision_label(cluster, "db-1") == old
    new = the_set(cluster)["status"]["updateRevision"]
    reply = call(cluster, "DELETE", f"{POD_PATH}/db-1")
    assert reply.status == 200, reply.body
    assert revision_label(cluster, "db-1") == new
    assert revision_label(cluster, "db-0") == old


def test_rolling_back_renumbers_the_earlier_revision(cluster: MockApiserver,
                                                     clock: FakeClock) -> None:
    create(cluster, stateful_set(claims=False))
    run_all(cluster, clock)
    first = revision_label(cluster, "db-0")
    set_image(cluster, "db", "nginx:1.26")
    run_all(cluster, clock)
    set_image(cluster, "db", "nginx:1.25")
    run_all(cluster, clock)
    found = controller_revisions(cluster)
    assert len(found) == 2 and found[first] == 3
    assert the_set(cluster)["status"]["updateRevision"] == first


def test_history_is_truncated_to_the_limit(cluster: MockApiserver, clock: FakeClock) -> None:
    create(cluster, stateful_set(claims=False, revisionHistoryLimit=1))
    run_all(cluster, clock)
    for image in ("nginx:1.26", "nginx:1.27", "nginx:1.28"):
        set_image(cluster, "db", image)
        run_all(cluster, clock)
    found = controller_revisions(cluster)
    # The live revision and one more.
    assert sorted(found.values()) == [3, 4]


def test_revision_data_is_what_go_would_hash() -> None:
    data = {"spec": {"template": {"b": "<&>", "a": [1, {"y": None, "x": True}]}}}
    assert revisions.go_json(data) == (
        b'{"spec":{"template":{"a":[1,{"x":true,"y":null}],"b":"\\u003c\\u0026\\u003e"}}}')
    # FNV-1 and FNV-1a of "a" (the published test vectors).
    assert (revisions.fnv32(b"a"), revisions.fnv32a(b"a")) == (0x050C5D7E, 0xE40C292C)
    # Decimal digits land on kube's hash characters (real revision hashes use only these).
    assert revisions.safe_encode("0123456789") == "456789bcdf"


def test_with_every_controller_a_set_rolls_out_on_its_own(clock: FakeClock) -> None:
    """The scheduler and the kubelet take the pods to Running and Ready; nothing is faked."""
    server = MockApiserver(CLUSTER_NAME, CLUSTER_VERSION, clock)
    server.authenticator.add(ADMIN_TOKEN, ADMIN)
    try:
        create(server, stateful_set(replicas=3))
        status = the_set(server)["status"]
        assert (status["readyReplicas"], status["availableReplicas"]) == (3, 3)
        set_image(server, "db", "nginx:1.26")
        status = the_set(server)["status"]
        assert (status["updatedReplicas"], status["readyReplicas"]) == (3, 3)
        assert status["currentRevision"] == status["updateRevision"]
        assert {p["spec"]["containers"][0]["image"]
                for p in server.store.list(("", "pods"), "default")[0]} == {"nginx:1.26"}
    finally:
        server.close()
