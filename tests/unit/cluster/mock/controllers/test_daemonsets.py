"""The DaemonSet controller (controllers/daemonsets.py) against the mock apiserver: a pod per
node that should run one (node selector, affinity, taints and the default tolerations), nodes
coming and going, rolling updates with maxUnavailable and maxSurge, ControllerRevisions and the
status ``kubectl rollout status`` reads.

Only this area's controller runs (``isolate``) unless a test adds the scheduler: pods stay
Pending and unbound until a test reports them Running and Ready, as the kubelet would."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from emulator import messages
from emulator.clock import FakeClock, rfc3339
from emulator.cluster.mock.apiserver import MockApiserver
from emulator.cluster.mock.controllers import daemonsets, revisions, scheduler
from emulator.cluster.mock.node.kubelet import node_name
from tests.unit.cluster.mock.conftest import ADMIN, ADMIN_TOKEN, CLUSTER_NAME, CLUSTER_VERSION, call

DS_PATH = "/apis/apps/v1/namespaces/default/daemonsets"
POD_PATH = "/api/v1/namespaces/default/pods"
NODE_PATH = "/api/v1/nodes"
SEEDED = node_name(CLUSTER_NAME)


def isolate(api: MockApiserver, mine: set[str]) -> None:
    for registered in api.controllers._by_resource.values():  # noqa: SLF001 - test isolation
        registered[:] = [c for c in registered if c.name in mine]


@pytest.fixture
def cluster(clock: FakeClock) -> Iterator[MockApiserver]:
    server = MockApiserver(CLUSTER_NAME, CLUSTER_VERSION, clock)
    server.authenticator.add(ADMIN_TOKEN, ADMIN)
    isolate(server, {daemonsets.NAME})
    yield server
    server.close()


def daemon_set(name: str = "agent", image: str = "agent:1", **spec: Any) -> dict[str, Any]:
    labels = {"app": name}
    template_spec = {"containers": [{"name": "main", "image": image}],
                     **spec.pop("template_spec", {})}
    return {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": name},
            "spec": {"selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels}, "spec": template_spec},
                     **spec}}


def create(api: MockApiserver, path: str, obj: dict[str, Any]) -> dict[str, Any]:
    reply = call(api, "POST", path, body=obj)
    assert reply.status == 201, reply.body
    return reply.body


def add_node(api: MockApiserver, name: str, labels: dict[str, str] | None = None,
             taints: list[dict[str, str]] | None = None) -> None:
    node: dict[str, Any] = {"apiVersion": "v1", "kind": "Node",
                            "metadata": {"name": name, "labels": labels or {}}}
    if taints is not None:
        node["spec"] = {"taints": taints}
    create(api, NODE_PATH, node)


def patch(api: MockApiserver, path: str, body: dict[str, Any]) -> None:
    reply = call(api, "PATCH", path, body=body, content_type="application/merge-patch+json")
    assert reply.status == 200, reply.body


def set_image(api: MockApiserver, image: str, name: str = "agent") -> None:
    patch(api, f"{DS_PATH}/{name}", {"spec": {"template": {"spec": {"containers": [
        {"name": "main", "image": image}]}}}})


def daemon_pods(api: MockApiserver) -> list[dict[str, Any]]:
    return api.store.list(("", "pods"), "default")[0]


def by_node(api: MockApiserver) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for pod in daemon_pods(api):
        found.setdefault(str(daemonsets.target_node(pod)), []).append(pod["metadata"]["name"])
    return found


def the_set(api: MockApiserver, name: str = "agent") -> dict[str, Any]:
    found = api.store.get(("apps", "daemonsets"), "default", name)
    assert found is not None
    return found


def report(api: MockApiserver, clock: FakeClock, name: str, *, phase: str = "Running",
           ready: bool = True) -> None:
    """What the kubelet writes for a started pod: its phase and Ready condition, since now."""
    pod = api.store.get(("", "pods"), "default", name)
    assert pod is not None, name
    pod["status"] = {"phase": phase, "conditions": [
        {"type": "Ready", "status": "True" if ready else "False", "lastProbeTime": None,
         "lastTransitionTime": rfc3339(clock.now())}]}
    reply = call(api, "PUT", f"{POD_PATH}/{name}/status", body=pod)
    assert reply.status == 200, reply.body


def run_all(api: MockApiserver, clock: FakeClock, *, rounds: int = 20) -> None:
    """Report every pod still Pending as Running and Ready, until none is."""
    for _ in range(rounds):
        pending = [p["metadata"]["name"] for p in daemon_pods(api)
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
            if e["source"].get("component") == daemonsets.NAME]


def hashes(api: MockApiserver) -> set[str]:
    return {p["metadata"]["labels"][revisions.POD_REVISION_LABEL] for p in daemon_pods(api)}


def controller_revisions(api: MockApiserver) -> dict[str, int]:
    return {r["metadata"]["name"]: r["revision"]
            for r in api.store.list(("apps", "controllerrevisions"), "default")[0]}


# -- placement ----------------------------------------------------------------------------------


def test_one_pod_per_node(cluster: MockApiserver) -> None:
    created = create(cluster, DS_PATH, daemon_set())
    assert list(by_node(cluster)) == [SEEDED]
    add_node(cluster, "node-2")
    assert sorted(by_node(cluster)) == sorted([SEEDED, "node-2"])
    assert all(len(pods) == 1 for pods in by_node(cluster).values())
    made = [pod for pod in daemon_pods(cluster) if daemonsets.target_node(pod) == "node-2"][0]
    [revision] = controller_revisions(cluster)
    assert made["metadata"]["generateName"] == "agent-"
    assert made["metadata"]["labels"] == {
        "app": "agent", revisions.POD_REVISION_LABEL: revision.removeprefix("agent-")}
    assert made["metadata"]["ownerReferences"][0]["uid"] == created["metadata"]["uid"]
    assert made["spec"]["affinity"] == {"nodeAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
            {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["node-2"]}]}]}}}
    assert "nodeName" not in made["spec"], "the scheduler binds it"
    assert events(cluster) == [("SuccessfulCreate", messages.DAEMONSET_POD_CREATED.format(pod=p))
                               for p in [by_node(cluster)[SEEDED][0], made["metadata"]["name"]]]


def test_default_tolerations_in_kubes_order(cluster: MockApiserver) -> None:
    own = {"key": "dedicated", "operator": "Equal", "value": "agents", "effect": "NoSchedule"}
    # One of the defaults with a tolerationSeconds: kube's default takes its place.
    timed = {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute",
             "tolerationSeconds": 30}
    create(cluster, DS_PATH, daemon_set(template_spec={"tolerations": [timed, own],
                                                       "hostNetwork": True}))
    [pod] = daemon_pods(cluster)
    assert pod["spec"]["tolerations"] == [
        {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"},
        own] + [
        {"key": f"node.kubernetes.io/{key}", "operator": "Exists", "effect": effect}
        for key, effect in (("unreachable", "NoExecute"),
                            ("disk-pressure", "NoSchedule"), ("memory-pressure", "NoSchedule"),
                            ("pid-pressure", "NoSchedule"), ("unschedulable", "NoSchedule"),
                            ("network-unavailable", "NoSchedule"))]


def test_taints_the_pod_does_not_tolerate(cluster: MockApiserver) -> None:
    create(cluster, DS_PATH, daemon_set())
    add_node(cluster, "tainted", taints=[{"key": "dedicated", "value": "db",
                                          "effect": "NoSchedule"}])
    add_node(cluster, "cordoned", taints=[{"key": "node.kubernetes.io/unschedulable",
                                           "effect": "NoSchedule"}])
    assert sorted(by_node(cluster)) == sorted([SEEDED, "cordoned"])
    status = the_set(cluster)["status"]
    assert (status["desiredNumberScheduled"], status["currentNumberScheduled"]) == (2, 2)


def test_a_new_taint_evicts_only_with_no_execute(cluster: MockApiserver) -> None:
    create(cluster, DS_PATH, daemon_set())
    add_node(cluster, "node-2")
    patch(cluster, f"{NODE_PATH}/node-2", {"spec": {"taints": [
        {"key": "dedicated", "effect": "NoSchedule"}]}})
    assert "node-2" in by_node(cluster), "NoSchedule keeps a running pod"
    status = the_set(cluster)["status"]
    assert (status["desiredNumberScheduled"], status["numberMisscheduled"]) == (1, 1)
    patch(cluster, f"{NODE_PATH}/node-2", {"spec": {"taints": [
        {"key": "dedicated", "effect": "NoExecute"}]}})
    assert "node-2" not in by_node(cluster)
    assert the_set(cluster)["status"]["numberMisscheduled"] == 0


def test_node_selector_and_affinity(cluster: MockApiserver) -> None:
    create(cluster, DS_PATH, daemon_set(template_spec={
        "nodeSelector": {"disk": "ssd"},
        "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": [{"matchExpressions": [
                {"key": "zone", "operator": "In", "values": ["a", "b"]}]}]}}}}))
    add_node(cluster, "ssd-a", {"disk": "ssd", "zone": "a"})
    add_node(cluster, "ssd-c", {"disk": "ssd", "zone": "c"})
    add_node(cluster, "hdd-a", {"disk": "hdd", "zone": "a"})
    assert list(by_node(cluster)) == ["ssd-a"]
    # The node's labels change: the pod follows.
    patch(cluster, f"{NODE_PATH}/ssd-c", {"metadata": {"labels": {"zone": "b"}}})
    assert sorted(by_node(cluster)) == ["ssd-a", "ssd-c"]


def test_a_deleted_nodes_unscheduled_pod_goes(cluster: MockApiserver) -> None:
    create(cluster, DS_PATH, daemon_set())
    add_node(cluster, "node-2")
    reply = call(cluster, "DELETE", f"{NODE_PATH}/node-2")
    assert reply.status == 200, reply.body
    assert list(by_node(cluster)) == [SEEDED]
    assert the_set(cluster)["status"]["desiredNumberScheduled"] == 1


def test_the_scheduler_binds_the_pod_for_its_node(clock: FakeClock) -> None:
    server = MockApiserver(CLUSTER_NAME, CLUSTER_VERSION, clock)
    server.authenticator.add(ADMIN_TOKEN, ADMIN)
    isolate(server, {daemonsets.NAME, scheduler.NAME})
    try:
        create(server, DS_PATH, daemon_set())
        add_node(server, "node-2")
        bound = {daemonsets.target_node(p): p["spec"].get("nodeName") for p in daemon_pods(server)}
        # This cluster's scheduler knows only its own node: node-2's pod waits (as it would
        # for a node without a kubelet).
        assert bound == {SEEDED: SEEDED, "node-2": None}
        assert the_set(server)["status"]["currentNumberScheduled"] == 2
    finally:
        server.close()


# -- status -------------------------------------------------------------------------------------


def test_status_counts(cluster: MockApiserver, clock: FakeClock) -> None:
    create(cluster, DS_PATH, daemon_set())
    add_node(cluster, "node-2")
    assert the_set(cluster)["status"] == {
        "currentNumberScheduled": 2, "numberMisscheduled": 0, "desiredNumberScheduled": 2,
        "numberReady": 0, "observedGeneration": 1, "updatedNumberScheduled": 2,
        "numberUnavailable": 2}
    run_all(cluster, clock)
    assert the_set(cluster)["status"] == {
        "currentNumberScheduled": 2, "numberMisscheduled": 0, "desiredNumberScheduled": 2,
        "numberReady": 2, "observedGeneration": 1, "updatedNumberScheduled": 2,
        "numberAvailable": 2}


def test_min_ready_seconds(cluster: MockApiserver, clock: FakeClock) -> None:
    create(cluster, DS_PATH, daemon_set(minReadySeconds=10))
    run_all(cluster, clock)
    status = the_set(cluster)["status"]
    assert (status["numberReady"], status.get("numberAvailable", 0)) == (1, 0)
    clock.advance(11)
    cluster.controllers._fire_due()  # noqa: SLF001 - the timer, without the runtime thread
    assert the_set(cluster)["status"]["numberAvailable"] == 1


def resource_versions(api: MockApiserver) -> dict[tuple[str, str], str]:
    return {(plural, o["metadata"]["name"]): o["metadata"]["resourceVersion"]
            for group, plural in (("", "pods"), ("apps", "daemonsets"),
                                  ("apps", "controllerrevisions"), ("", "events"))
            for o in api.store.list((group, plural), "default")[0]}


def test_a_settled_daemon_set_writes_nothing(cluster: MockApiserver, clock: FakeClock) -> None:
    create(cluster, DS_PATH, daemon_set())
    add_node(cluster, "node-2")
    run_all(cluster, clock)
    before = resource_versions(cluster)
    cluster.controllers.enqueue(daemonsets.NAME, ("default", "agent"))
    cluster.controllers.settle()
    assert resource_versions(cluster) == before


def test_a_failed_pod_is_replaced(cluster: MockApiserver, clock: FakeClock) -> None:
    create(cluster, DS_PATH, daemon_set())
    run_all(cluster, clock)
    [old] = [p["metadata"]["name"] for p in daemon_pods(cluster)]
    report(cluster, clock, old, phase="Failed", ready=False)
    [new] = [p["metadata"]["name"] for p in daemon_pods(cluster)]
    assert new != old
    assert ("FailedDaemonPod", messages.DAEMONSET_FAILED_POD.format(
        namespace="default", pod=old, node=SEEDED)) in events(cluster)
    assert ("SuccessfulDelete", messages.DAEMONSET_POD_DELETED.format(pod=old)) in events(cluster)


# -- updates ------------------------------------------------------------------------------------


def test_rolling_update_one_node_at_a_time(cluster: MockApiserver, clock: FakeClock) -> None:
    create(cluster, DS_PATH, daemon_set())
    add_node(cluster, "node-2")
    add_node(cluster, "node-3")
    run_all(cluster, clock)
    [old_hash] = hashes(cluster)
    set_image(cluster, "agent:2")
    assert len(controller_revisions(cluster)) == 2
    # maxUnavailable 1: one old pod went and its replacement is Pending; the others wait.
    assert len(daemon_pods(cluster)) == 3
    new_hash = (hashes(cluster) - {old_hash}).pop()
    assert sorted(p["metadata"]["labels"][revisions.POD_REVISION_LABEL]
                  for p in daemon_pods(cluster)) == sorted([old_hash, old_hash, new_hash])
    status = the_set(cluster)["status"]
    assert (status["observedGeneration"], status["updatedNumberScheduled"]) == (2, 1)
    run_all(cluster, clock)
    assert hashes(cluster) == {new_hash}
    assert all(p["spec"]["containers"][0]["image"] == "agent:2" for p in daemon_pods(cluster))
    status = the_set(cluster)["status"]
    assert (status["updatedNumberScheduled"], status["numberAvailable"]) == (3, 3)


def test_max_unavailable_percent(cluster: MockApiserver, clock: FakeClock) -> None:
    create(cluster, DS_PATH, daemon_set(updateStrategy={
        "type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "50%"}}))
    for index in range(2, 5):
        add_node(cluster, f"node-{index}")
    run_all(cluster, clock)
    [old_hash] = hashes(cluster)
    set_image(cluster, "agent:2")
    old_left = [p for p in daemon_pods(cluster)
                if p["metadata"]["labels"][revisions.POD_REVISION_LABEL] == old_hash]
    assert len(old_left) == 2  # 50% of 4 nodes


def test_surge_makes_the_new_pod_before_the_old_goes(cluster: MockApiserver,
                                                     clock: FakeClock) -> None:
    create(cluster, DS_PATH, daemon_set(updateStrategy={
        "type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}}))
    run_all(cluster, clock)
    [old] = [p["metadata"]["name"] for p in daemon_pods(cluster)]
    set_image(cluster, "agent:2")
    names = sorted(p["metadata"]["name"] for p in daemon_pods(cluster))
    assert len(names) == 2 and old in names, "the old pod stays while the new one starts"
    [new] = [n for n in names if n != old]
    report(cluster, clock, new)
    assert [p["metadata"]["name"] for p in daemon_pods(cluster)] == [new]


def test_on_delete_waits_for_the_user(cluster: MockApiserver, clock: FakeClock) -> None:
    create(cluster, DS_PATH, daemon_set(updateStrategy={"type": "OnDelete"}))
    run_all(cluster, clock)
    [old_hash] = hashes(cluster)
    set_image(cluster, "agent:2")
    assert hashes(cluster) == {old_hash}
    [old] = [p["metadata"]["name"] for p in daemon_pods(cluster)]
    assert call(cluster, "DELETE", f"{POD_PATH}/{old}").status == 200
    assert hashes(cluster) - {old_hash}


def test_revisions_roll_back_and_are_cleaned_up(cluster: MockApiserver,
                                                clock: FakeClock) -> None:
    create(cluster, DS_PATH, daemon_set(revisionHistoryLimit=1))
    run_all(cluster, clock)
    [first] = controller_revisions(cluster)
    set_image(cluster, "agent:2")
    run_all(cluster, clock)
    set_image(cluster, "agent:1")
    run_all(cluster, clock)
    found = controller_revisions(cluster)
    assert found[first] == 3, "the first template's revision is renumbered, not made again"
    set_image(cluster, "agent:3")
    run_all(cluster, clock)
    set_image(cluster, "agent:4")
    run_all(cluster, clock)
    assert sorted(controller_revisions(cluster).values()) == [4, 5]
    revision = cluster.store.get(("apps", "controllerrevisions"), "default",
                                 max(controller_revisions(cluster).items(),
                                     key=lambda item: item[1])[0])
    assert revision is not None
    template = revision["data"]["spec"]["template"]
    assert template["$patch"] == "replace"
    assert template["spec"]["containers"][0]["image"] == "agent:4"
    assert revision["metadata"]["labels"][revisions.POD_REVISION_LABEL] == hashes(cluster).pop()


def test_with_every_controller_the_pod_runs_on_the_node(clock: FakeClock) -> None:
    """The scheduler binds the pod and the kubelet runs it; nothing is faked."""
    server = MockApiserver(CLUSTER_NAME, CLUSTER_VERSION, clock)
    server.authenticator.add(ADMIN_TOKEN, ADMIN)
    try:
        create(server, DS_PATH, daemon_set())
        [pod] = daemon_pods(server)
        assert (pod["spec"]["nodeName"], pod["status"]["phase"]) == (SEEDED, "Running")
        status = the_set(server)["status"]
        assert (status["desiredNumberScheduled"], status["numberAvailable"]) == (1, 1)
        set_image(server, "agent:2")
        [pod] = daemon_pods(server)
        assert pod["spec"]["containers"][0]["image"] == "agent:2"
        assert the_set(server)["status"]["updatedNumberScheduled"] == 1
    finally:
        server.close()
