"""The Deployment controller (controllers/deployments.py) and its rollout arithmetic
(controllers/rollout.py): ReplicaSets per template and revision, rolling updates within surge
and unavailability, Recreate, scaling, pause, undo, history, conditions and the progress
deadline, against the mock apiserver with only this area's controllers running."""

from __future__ import annotations

from typing import Any

import pytest

from emulator import messages
from emulator.clock import FakeClock
from emulator.cluster.mock.apiserver import MockApiserver
from emulator.cluster.mock.controllers import rollout
from tests.unit.cluster.mock.conftest import call
from tests.unit.cluster.mock.controllers.test_replicasets import (advance, cluster, controller,
                                                                   events, get, pod_names,
                                                                   pods, set_ready, template)

__all__ = ["cluster"]  # the fixture, shared

PATH = "/apis/apps/v1/namespaces/default/deployments"
MERGE = "application/merge-patch+json"


def deployment(name: str = "shop", replicas: int = 2, image: str = "nginx:1.25",
               **spec: Any) -> dict[str, Any]:
    labels = {"app": name}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
            "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                     "template": template(labels, image), **spec}}


def create(api: MockApiserver, body: dict[str, Any]) -> dict[str, Any]:
    reply = call(api, "POST", PATH, body=body)
    assert reply.status == 201, reply.body
    return reply.body


def patch(api: MockApiserver, name: str, body: dict[str, Any]) -> None:
    reply = call(api, "PATCH", f"{PATH}/{name}", body=body, content_type=MERGE)
    assert reply.status == 200, reply.body


def set_image(api: MockApiserver, image: str, name: str = "shop") -> None:
    patch(api, name, {"spec": {"template": {"spec": {"containers": [
        {"name": "app", "image": image}]}}}})


def replica_sets(api: MockApiserver) -> dict[str, dict[str, Any]]:
    return {rs["metadata"]["name"]: rs
            for rs in api.store.list(("apps", "replicasets"), "default")[0]}


def sizes(api: MockApiserver) -> dict[str, int]:
    return {name: rs["spec"]["replicas"] for name, rs in replica_sets(api).items()}


def revisions(api: MockApiserver) -> dict[str, str]:
    return {name: rs["metadata"]["annotations"][rollout.REVISION]
            for name, rs in replica_sets(api).items()}


def status(api: MockApiserver, name: str = "shop") -> dict[str, Any]:
    return get(api, "apps", "deployments", name).get("status") or {}


def condition(api: MockApiserver, type_: str, name: str = "shop") -> dict[str, Any]:
    found = rollout.get_condition(status(api, name), type_)
    assert found is not None, status(api, name)
    return found


def not_ready(api: MockApiserver) -> list[str]:
    return [p["metadata"]["name"] for p in pods(api)
            if not any(c.get("type") == "Ready" and c.get("status") == "True"
                       for c in (p.get("status") or {}).get("conditions") or [])]


def make_ready(api: MockApiserver, clock: FakeClock, *, once: bool = False) -> None:
    """The kubelet's part: pods not yet ready become so, one at a time, until none is left
    (``once``: only one)."""
    while waiting := not_ready(api):
        set_ready(api, clock, waiting[0])
        if once:
            return


def rollout_status(api: MockApiserver, name: str = "shop") -> str:
    """What ``kubectl rollout status`` decides from the object (rollout_status.go)."""
    d = get(api, "apps", "deployments", name)
    s = d.get("status") or {}
    if d["metadata"]["generation"] > s.get("observedGeneration", 0):
        return "waiting for spec update to be observed"
    progressing = rollout.get_condition(s, rollout.PROGRESSING)
    if progressing is not None and progressing["reason"] == rollout.TIMED_OUT:
        return f'error: deployment "{name}" exceeded its progress deadline'
    if s.get("updatedReplicas", 0) < d["spec"]["replicas"]:
        return "waiting: not all updated"
    if s.get("replicas", 0) > s.get("updatedReplicas", 0):
        return "waiting: old replicas pending termination"
    if s.get("availableReplicas", 0) < s.get("updatedReplicas", 0):
        return "waiting: not all available"
    return f'deployment "{name}" successfully rolled out'


# -- rollout arithmetic ---------------------------------------------------------------------------


@pytest.mark.parametrize(("surge", "unavailable", "desired", "expected"), [
    ("25%", "25%", 10, (3, 2)),  # surge rounds up, unavailability down
    ("25%", "25%", 3, (1, 0)),
    ("25%", "25%", 1, (1, 0)),
    (1, 0, 4, (1, 0)),
    ("0%", "0%", 5, (0, 1)),  # never both zero: one may be unavailable
    (0, "1%", 50, (0, 1)),
    ("50%", 2, 3, (2, 2)),
])
def test_fenceposts_round_as_kube(surge: Any, unavailable: Any, desired: int,
                                  expected: tuple[int, int]) -> None:
    resolved = rollout.resolve_fenceposts(surge, unavailable, desired)
    assert (resolved.surge, resolved.unavailable) == expected


def test_max_unavailable_is_capped_and_zero_for_recreate() -> None:
    rolling = deployment(replicas=2, strategy={"type": "RollingUpdate", "rollingUpdate": {
        "maxSurge": 0, "maxUnavailable": 5}})
    assert rollout.max_unavailable(rolling) == 2
    recreate = deployment(replicas=2, strategy={"type": "Recreate"})
    assert (rollout.max_unavailable(recreate), rollout.max_surge(recreate)) == (0, 0)
    assert rollout.max_unavailable(deployment(replicas=0, strategy={
        "type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 1}})) == 0


def test_the_template_hash_is_stable_uses_kubes_alphabet_and_moves_with_collisions() -> None:
    one = template({"app": "shop"})
    same = template({"app": "shop"})
    other = template({"app": "shop"}, image="nginx:1.27")
    hashed = rollout.compute_hash(one, None)
    assert hashed == rollout.compute_hash(same, None)
    assert hashed != rollout.compute_hash(other, None)
    assert hashed != rollout.compute_hash(one, 1)
    # The decimal digits of a 32-bit hash, each mapped by SafeEncodeString.
    assert 1 <= len(hashed) <= 10 and set(hashed) <= set("4567899bcdf")
    assert rollout.safe_encode("0123456789") == "456789bcdf"


def test_proportions_share_a_scaling_event_by_annotated_size() -> None:
    d = deployment(replicas=15, strategy={"type": "RollingUpdate", "rollingUpdate": {
        "maxSurge": 3, "maxUnavailable": 2}})

    def rs(size: int) -> dict[str, Any]:
        return {"metadata": {"name": "x", "annotations": {rollout.MAX_REPLICAS: "13"}},
                "spec": {"replicas": size}}
    # Scaled from 10 to 15 while two ReplicaSets hold 8 and 5 (13 = 10 + surge 3): 18 allowed.
    assert rollout.get_proportion(rs(8), d, 5, 0) == 3  # round(8 * 18 / 13) - 8
    assert rollout.get_proportion(rs(5), d, 5, 3) == 2
    assert rollout.get_proportion(rs(0), d, 5, 0) == 0


def test_new_replicas_respect_the_surge() -> None:
    d = deployment(replicas=4, strategy={"type": "RollingUpdate", "rollingUpdate": {
        "maxSurge": 1, "maxUnavailable": 0}})
    old = {"spec": {"replicas": 4}}
    new = {"spec": {"replicas": 0}}
    assert rollout.new_rs_new_replicas(d, [old, new], new) == 1
    assert rollout.new_rs_new_replicas(d, [{"spec": {"replicas": 2}}, new], new) == 3
    recreate = deployment(replicas=4, strategy={"type": "Recreate"})
    assert rollout.new_rs_new_replicas(recreate, [old, new], new) == 4


def test_a_reused_replica_set_keeps_its_former_revisions() -> None:
    d = {"metadata": {"annotations": {"kubernetes.io/change-cause": "undo",
                                      rollout.REVISION: "4"}},
         "spec": {"replicas": 1}}
    rs: dict[str, Any] = {"metadata": {"annotations": {rollout.REVISION: "1"}},
                          "spec": {"replicas": 0}}
    assert rollout.set_new_rs_annotations(d, rs, 3, exists=True)
    assert rs["metadata"]["annotations"] == {
        rollout.REVISION: "3", rollout.REVISION_HISTORY: "1",
        "kubernetes.io/change-cause": "undo"}
    assert rollout.set_new_rs_annotations(d, rs, 5, exists=True)
    assert rs["metadata"]["annotations"][rollout.REVISION_HISTORY] == "1,3"
    assert not rollout.set_new_rs_annotations(d, rs, 5, exists=True)


# -- a Deployment's ReplicaSets -------------------------------------------------------------------


def test_a_deployment_gets_a_hashed_replica_set_whose_pods_carry_the_hash(
        cluster: MockApiserver, clock: FakeClock) -> None:
    created = create(cluster, deployment(replicas=2))
    ((name, rs),) = replica_sets(cluster).items()
    pod_hash = rs["metadata"]["labels"][rollout.POD_TEMPLATE_HASH]
    assert name == f"shop-{pod_hash}"
    assert rs["metadata"]["labels"] == {"app": "shop", rollout.POD_TEMPLATE_HASH: pod_hash}
    assert rs["spec"]["selector"] == {"matchLabels": {"app": "shop",
                                                      rollout.POD_TEMPLATE_HASH: pod_hash}}
    assert rs["spec"]["template"]["metadata"]["labels"][rollout.POD_TEMPLATE_HASH] == pod_hash
    assert rs["metadata"]["ownerReferences"] == [{
        "apiVersion": "apps/v1", "kind": "Deployment", "name": "shop",
        "uid": created["metadata"]["uid"], "controller": True, "blockOwnerDeletion": True}]
    assert rs["metadata"]["annotations"] == {
        rollout.REVISION: "1", rollout.DESIRED_REPLICAS: "2", rollout.MAX_REPLICAS: "3"}
    assert all(p.startswith(f"{name}-") and len(p) == len(name) + 6 for p in pod_names(cluster))
    assert events(cluster, "ScalingReplicaSet") == [
        ("deployment-controller", "ScalingReplicaSet",
         messages.DEPLOYMENT_SCALED_UP_NEW.format(replica_set=name, replicas=2))]
    assert get(cluster, "apps", "deployments", "shop")["metadata"]["annotations"] == {
        rollout.REVISION: "1"}


def test_status_and_conditions_follow_the_pods(cluster: MockApiserver,
                                               clock: FakeClock) -> None:
    create(cluster, deployment(replicas=2))
    rs_name = next(iter(replica_sets(cluster)))
    s = status(cluster)
    assert {k: v for k, v in s.items() if k != "conditions"} == {
        "observedGeneration": 1, "replicas": 2, "updatedReplicas": 2, "unavailableReplicas": 2}
    assert (condition(cluster, "Available")["status"],
            condition(cluster, "Available")["reason"]) == ("False", rollout.MINIMUM_UNAVAILABLE)
    assert condition(cluster, "Progressing")["status"] == "True"
    assert rollout_status(cluster) == "waiting: not all available"
    make_ready(cluster, clock)
    s = status(cluster)
    assert {k: v for k, v in s.items() if k != "conditions"} == {
        "observedGeneration": 1, "replicas": 2, "updatedReplicas": 2, "readyReplicas": 2,
        "availableReplicas": 2}
    available = condition(cluster, "Available")
    assert (available["status"], available["reason"], available["message"]) == (
        "True", rollout.MINIMUM_AVAILABLE, messages.DEPLOYMENT_MINIMUM_AVAILABLE)
    progressing = condition(cluster, "Progressing")
    assert (progressing["status"], progressing["reason"], progressing["message"]) == (
        "True", rollout.NEW_RS_AVAILABLE,
        messages.DEPLOYMENT_RS_PROGRESSED.format(replica_set=rs_name))
    assert [c["type"] for c in s["conditions"]] == ["Available", "Progressing"]
    assert rollout_status(cluster) == 'deployment "shop" successfully rolled out'


def test_a_settled_deployment_is_not_written_again(cluster: MockApiserver,
                                                   clock: FakeClock) -> None:
    create(cluster, deployment(replicas=2))
    make_ready(cluster, clock)
    before = cluster.store.resource_version
    controller(cluster, "deployment-controller").sync(("default", "shop"))
    cluster.controllers.settle()
    assert cluster.store.resource_version == before


# -- rolling updates ------------------------------------------------------------------------------


def test_a_rolling_update_stays_within_surge_and_unavailability(
        cluster: MockApiserver, clock: FakeClock) -> None:
    create(cluster, deployment(replicas=4, strategy={
        "type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}}))
    make_ready(cluster, clock)
    (old,) = replica_sets(cluster)
    set_image(cluster, "nginx:1.27")
    (new,) = set(replica_sets(cluster)) - {old}
    assert sizes(cluster) == {old: 4, new: 1}  # one surge pod, nothing taken away yet
    assert rollout_status(cluster) == "waiting: not all updated"
    seen = []
    while sizes(cluster)[old] > 0:
        total = sum(sizes(cluster).values())
        assert total <= 5
        ready = sum(1 for p in pods(cluster) if (p.get("status") or {}).get("phase") == "Running")
        assert ready >= 4  # maxUnavailable 0: never fewer than 4 ready
        seen.append(dict(sizes(cluster)))
        make_ready(cluster, clock, once=True)
    assert sizes(cluster) == {old: 0, new: 4}
    assert seen[:2] == [{old: 4, new: 1}, {old: 3, new: 2}]
    scaled = [m for _, _, m in events(cluster, "ScalingReplicaSet")]
    assert messages.DEPLOYMENT_SCALED_UP_NEW.format(replica_set=new, replicas=1) in scaled
    assert messages.DEPLOYMENT_SCALED.format(direction="down", replica_set=old, replicas=3,
                                             previous=4) in scaled
    assert messages.DEPLOYMENT_SCALED.format(direction="up", replica_set=new, replicas=2,
                                             previous=1) in scaled
    assert revisions(cluster) == {old: "1", new: "2"}
    assert rollout_status(cluster) == 'deployment "shop" successfully rolled out'


def test_undo_reuses_the_old_replica_set_under_a_new_revision(
        cluster: MockApiserver, clock: FakeClock) -> None:
    create(cluster, deployment(replicas=2))
    make_ready(cluster, clock)
    (first,) = replica_sets(cluster)
    set_image(cluster, "nginx:1.27")
    make_ready(cluster, clock)
    (second,) = set(replica_sets(cluster)) - {first}
    # kubectl rollout undo: the first ReplicaSet's template (without its hash) patched back.
    old_template = replica_sets(cluster)[first]["spec"]["template"]
    old_template["metadata"]["labels"].pop(rollout.POD_TEMPLATE_HASH)
    reply = call(cluster, "PATCH", f"{PATH}/shop", content_type="application/json-patch+json",
                 body=[{"op": "replace", "path": "/spec/template", "value": old_template}])
    assert reply.status == 200, reply.body
    make_ready(cluster, clock)
    assert set(replica_sets(cluster)) == {first, second}  # no third ReplicaSet
    assert revisions(cluster) == {first: "3", second: "2"}
    notes = replica_sets(cluster)[first]["metadata"]["annotations"]
    assert notes[rollout.REVISION_HISTORY] == "1"
    assert sizes(cluster) == {first: 2, second: 0}
    assert get(cluster, "apps", "deployments", "shop")["metadata"]["annotations"][
        rollout.REVISION] == "3"
    assert rollout_status(cluster) == 'deployment "shop" successfully rolled out'


def test_old_replica_sets_beyond_the_history_limit_are_deleted(
        cluster: MockApiserver, clock: FakeClock) -> None:
    create(cluster, deployment(replicas=1, revisionHistoryLimit=1))
    make_ready(cluster, clock)
    names = [next(iter(replica_sets(cluster)))]
    for image in ("nginx:1.26", "nginx:1.27"):
        set_image(cluster, image)
        make_ready(cluster, clock)
        names.append(next(iter(set(replica_sets(cluster)) - set(names))))
    # Revision 1 went; revision 2 is the one old ReplicaSet kept for a rollback.
    assert revisions(cluster) == {names[1]: "2", names[2]: "3"}


def test_a_template_annotation_change_is_a_new_revision(cluster: MockApiserver,
                                                        clock: FakeClock) -> None:
    create(cluster, deployment(replicas=1))
    make_ready(cluster, clock)
    patch(cluster, "shop", {"spec": {"template": {"metadata": {"annotations": {
        "kubectl.kubernetes.io/restartedAt": "2026-01-01T00:00:00Z"}}}}})
    make_ready(cluster, clock)
    assert sorted(revisions(cluster).values()) == ["1", "2"]
    assert sorted(sizes(cluster).values()) == [0, 1]


# -- scaling, pausing, Recreate -------------------------------------------------------------------


def test_scaling_resizes_the_replica_set_and_its_annotations(cluster: MockApiserver,
                                                             clock: FakeClock) -> None:
    create(cluster, deployment(replicas=2))
    make_ready(cluster, clock)
    (name,) = replica_sets(cluster)
    patch(cluster, "shop", {"spec": {"replicas": 3}})
    rs = replica_sets(cluster)[name]
    assert rs["spec"]["replicas"] == 3 and len(pod_names(cluster)) == 3
    assert (rs["metadata"]["annotations"][rollout.DESIRED_REPLICAS],
            rs["metadata"]["annotations"][rollout.MAX_REPLICAS]) == ("3", "4")
    assert events(cluster, "ScalingReplicaSet")[-1][2] == messages.DEPLOYMENT_SCALED.format(
        direction="up", replica_set=name, replicas=3, previous=2)


def test_scaling_mid_rollout_shares_the_new_replicas_in_proportion(
        cluster: MockApiserver, clock: FakeClock) -> None:
    create(cluster, deployment(replicas=10, strategy={
        "type": "RollingUpdate", "rollingUpdate": {"maxSurge": 3, "maxUnavailable": 2}}))
    make_ready(cluster, clock)
    (old,) = replica_sets(cluster)
    set_image(cluster, "nginx:1.27")  # the new pods never become ready
    (new,) = set(replica_sets(cluster)) - {old}
    # 13 pods at most, 8 available at least, the 5 new ones unavailable: stuck at 8 + 5.
    assert sizes(cluster) == {old: 8, new: 5}
    patch(cluster, "shop", {"spec": {"replicas": 15}})
    # 18 allowed now, 5 more: round(8 * 18 / 13) - 8 = 3 to the old, the other 2 to the new.
    assert sizes(cluster) == {old: 11, new: 7}
    scaled = [m for _, _, m in events(cluster, "ScalingReplicaSet")]
    assert scaled[-2:] == [
        messages.DEPLOYMENT_SCALED.format(direction="up", replica_set=old, replicas=11,
                                          previous=8),
        messages.DEPLOYMENT_SCALED.format(direction="up", replica_set=new, replicas=7,
                                          previous=5)]
    assert {rs["metadata"]["annotations"][rollout.MAX_REPLICAS]
            for rs in replica_sets(cluster).values()} == {"18"}


def test_a_paused_deployment_scales_but_does_not_roll_out(cluster: MockApiserver,
                                                          clock: FakeClock) -> None:
    create(cluster, deployment(replicas=2))
    make_ready(cluster, clock)
    patch(cluster, "shop", {"spec": {"paused": True}})
    paused = condition(cluster, "Progressing")
    assert (paused["status"], paused["reason"], paused["message"]) == (
        "Unknown", rollout.PAUSED, messages.DEPLOYMENT_PAUSED)
    set_image(cluster, "nginx:1.27")
    patch(cluster, "shop", {"spec": {"replicas": 3}})
    assert list(sizes(cluster).values()) == [3]  # scaled, yet no new ReplicaSet
    assert "updatedReplicas" not in status(cluster)  # zero, so left out
    assert rollout_status(cluster) == "waiting: not all updated"
    patch(cluster, "shop", {"spec": {"paused": False}})
    assert len(replica_sets(cluster)) == 2
    make_ready(cluster, clock)
    assert rollout_status(cluster) == 'deployment "shop" successfully rolled out'
    assert condition(cluster, "Progressing")["reason"] == rollout.NEW_RS_AVAILABLE


def test_recreate_removes_every_old_pod_before_making_new_ones(
        cluster: MockApiserver, clock: FakeClock) -> None:
    create(cluster, deployment(replicas=2, strategy={"type": "Recreate"}))
    make_ready(cluster, clock)
    (old,) = replica_sets(cluster)
    old_pods = set(pod_names(cluster))
    set_image(cluster, "nginx:1.27")
    (new,) = set(replica_sets(cluster)) - {old}
    assert sizes(cluster) == {old: 0, new: 2}
    assert not old_pods & set(pod_names(cluster))
    scaled = [m for _, _, m in events(cluster, "ScalingReplicaSet")]
    assert scaled[-2:] == [
        messages.DEPLOYMENT_SCALED.format(direction="down", replica_set=old, replicas=0,
                                          previous=2),
        messages.DEPLOYMENT_SCALED_UP_NEW.format(replica_set=new, replicas=2)]


def test_recreate_waits_for_old_pods_that_are_still_terminating(
        cluster: MockApiserver, clock: FakeClock) -> None:
    create(cluster, deployment(replicas=1, strategy={"type": "Recreate"}))
    make_ready(cluster, clock)
    (old_pod,) = pod_names(cluster)
    held = get(cluster, "", "pods", old_pod)
    held["metadata"]["finalizers"] = ["example.com/hold"]
    assert call(cluster, "PUT", f"/api/v1/namespaces/default/pods/{old_pod}",
                body=held).status == 200
    set_image(cluster, "nginx:1.27")
    assert len(replica_sets(cluster)) == 1  # the old pod is still there: no new ReplicaSet
    held = get(cluster, "", "pods", old_pod)
    held["metadata"]["finalizers"] = []
    assert call(cluster, "PUT", f"/api/v1/namespaces/default/pods/{old_pod}",
                body=held).status == 200
    assert len(replica_sets(cluster)) == 2
    assert old_pod not in pod_names(cluster) and len(pod_names(cluster)) == 1


# -- the progress deadline ------------------------------------------------------------------------


def test_a_rollout_without_progress_exceeds_its_deadline(cluster: MockApiserver,
                                                         clock: FakeClock) -> None:
    create(cluster, deployment(replicas=1, progressDeadlineSeconds=60))
    make_ready(cluster, clock)
    set_image(cluster, "nginx:does-not-exist")  # its pod never becomes ready
    new = next(name for name, rs in replica_sets(cluster).items()
               if rs["metadata"]["annotations"][rollout.REVISION] == "2")
    advance(cluster, clock, 30)
    assert condition(cluster, "Progressing")["reason"] != rollout.TIMED_OUT
    advance(cluster, clock, 35)
    timed_out = condition(cluster, "Progressing")
    assert (timed_out["status"], timed_out["reason"], timed_out["message"]) == (
        "False", rollout.TIMED_OUT, messages.DEPLOYMENT_RS_TIMED_OUT.format(replica_set=new))
    assert rollout_status(cluster) == 'error: deployment "shop" exceeded its progress deadline'
    # Still available: the old pod serves, as maxUnavailable allows no less.
    assert condition(cluster, "Available")["status"] == "True"


def test_a_paused_deployment_never_times_out(cluster: MockApiserver, clock: FakeClock) -> None:
    create(cluster, deployment(replicas=1, progressDeadlineSeconds=60, paused=True))
    advance(cluster, clock, 600)
    assert condition(cluster, "Progressing")["reason"] == rollout.PAUSED


def stored_as_is(api: MockApiserver, body: dict[str, Any]) -> None:
    """``body`` as a Deployment already in storage that today's validation refuses (written by
    an older apiserver): the controller must cope with it. Stored over a valid one, which then
    made nothing (paused)."""
    valid = deployment()
    valid["spec"]["paused"] = True
    created = create(api, {**valid, "metadata": body["metadata"]})
    spec = created["spec"]  # defaulted; only the selector and the template's labels differ
    spec["paused"] = False
    spec["selector"] = body["spec"]["selector"]
    spec["template"]["metadata"]["labels"] = body["spec"]["template"]["metadata"]["labels"]
    created.pop("apiVersion"), created.pop("kind")
    with api.controllers.lock:
        api.store.put(("apps", "deployments"), created, event="MODIFIED")
        api.controllers.settle()


def test_a_deployment_selecting_everything_is_refused_with_an_event(
        cluster: MockApiserver) -> None:
    body = deployment()
    body["spec"]["selector"] = {}
    assert call(cluster, "POST", PATH, body=body).status == 422  # workloadchecks.py
    stored_as_is(cluster, body)
    assert replica_sets(cluster) == {}
    assert events(cluster, "SelectingAll")[0][2] == messages.DEPLOYMENT_SELECTING_ALL


def test_a_selector_that_misses_its_own_template_makes_nothing(cluster: MockApiserver) -> None:
    body = deployment()
    body["spec"]["template"]["metadata"]["labels"] = {"app": "other"}
    assert call(cluster, "POST", PATH, body=body).status == 422  # workloadchecks.py
    stored_as_is(cluster, body)
    assert replica_sets(cluster) == {} and pods(cluster) == []
