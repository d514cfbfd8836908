"""A world built once and restored cheaply: lazy clusters, cluster images, the parse cache.

Each restored cluster is compared with the one built from scratch, object by object, and then
used: the controllers and the garbage collector must know the restored objects as if they had
seen them being made.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from emulator import messages
from emulator.agent.install import CONTAINER, NAMESPACE
from emulator.clock import FakeClock, SystemClock
from emulator.cluster.mock.apiserver import MockApiserver
from emulator.cluster.mock.query import Query
from emulator.images import ClusterImages
from emulator.scenario import loader
from emulator.state import EmulatorState, build_world
from tests.unit.scenario.test_loader import VALID

SCENARIO = VALID + """\
    objects:
      - {apiVersion: v1, kind: ConfigMap, metadata: {name: seeded, namespace: default},
         data: {k: v}}
  - name: c2
    kubernetes_version: v1.29.3
"""
CRON = """\
      - {apiVersion: batch/v1, kind: CronJob, metadata: {name: tick, namespace: default},
         spec: {schedule: "*/5 * * * *", jobTemplate: {spec: {template: {spec: {
           restartPolicy: Never, containers: [{name: c, image: busybox}]}}}}}}
"""
PODS = ("", "pods")
DEPLOYMENTS = ("apps", "deployments")
REPLICASETS = ("apps", "replicasets")


def scenario(text: str = SCENARIO) -> loader.Scenario:
    return loader.parse(text, Path("s.yaml"))


def contents(cluster: MockApiserver) -> dict[str, Any]:
    """Every stored object by resource and key, and the resourceVersion."""
    snapshot = cluster.store.snapshot()
    return {"rv": cluster.store.resource_version,
            "objects": {resource: {key: cluster.store.get(resource, *key)
                                   for key in bucket.keys}
                        for resource, bucket in sorted(snapshot.objects.items())}}


def embedded(state: EmulatorState, name: str) -> MockApiserver:
    cluster = state.membership(name).cluster  # type: ignore[union-attr]
    assert isinstance(cluster, MockApiserver)
    return cluster


def test_a_cluster_without_seeds_is_built_on_first_use_not_with_the_world() -> None:
    state = EmulatorState(scenario(), FakeClock())
    c2 = state.membership("c2")
    assert c2 is not None and c2.embedded is None  # nothing built yet
    state.reset()
    assert state.membership("c2").embedded is None  # type: ignore[union-attr]
    assert embedded(state, "c2").store.get(("", "namespaces"), "", NAMESPACE) is not None
    assert state.membership("c2").embedded is not None  # type: ignore[union-attr]


def test_a_cluster_with_seeds_is_built_with_its_first_world_so_a_refused_seed_fails_the_load(
) -> None:
    state = EmulatorState(scenario(), FakeClock())
    assert state.membership("c1").embedded is not None  # type: ignore[union-attr]
    refused = SCENARIO.replace("name: seeded", "name: Not_Valid")
    with pytest.raises(loader.ScenarioError, match="Not_Valid"):
        state.load(scenario(refused))


def test_a_restored_cluster_holds_what_the_built_one_held_and_writes_nothing() -> None:
    state = EmulatorState(scenario(), FakeClock())
    built = contents(embedded(state, "c1"))
    for _ in range(2):
        state.reset()
        restored = embedded(state, "c1")
        assert contents(restored) == built  # the resourceVersion too: restoring wrote nothing
        assert restored.controllers.idle


def test_restored_clusters_are_independent_of_each_other_and_of_the_image() -> None:
    state = EmulatorState(scenario(), FakeClock())
    first = embedded(state, "c1")
    configmaps = first.registry.lookup("", "v1", "configmaps")
    assert configmaps is not None
    body = first.objects.get(configmaps, "default", "seeded")
    body["data"] = {"k": "changed"}
    first.objects.update(configmaps, "default", "seeded", body, Query(()))
    state.reset()
    second = embedded(state, "c1")
    assert second.objects.get(configmaps, "default", "seeded")["data"] == {"k": "v"}
    second.objects.delete(configmaps, "default", "seeded", {}, Query(()))
    state.reset()
    third = embedded(state, "c1")
    assert third.objects.get(configmaps, "default", "seeded")["data"] == {"k": "v"}
    assert first.objects.get(configmaps, "default", "seeded")["data"] == {"k": "changed"}


def test_the_controllers_of_a_restored_cluster_know_its_objects() -> None:
    """Deleting the restored agent Deployment takes its ReplicaSet and pod: the garbage
    collector's graph was rebuilt from the restored store, and the controllers still run."""
    state = EmulatorState(scenario(), FakeClock())
    embedded(state, "c2")
    state.reset()
    cluster = embedded(state, "c2")
    assert cluster.store.list(REPLICASETS, NAMESPACE)[0]
    deployments = cluster.registry.lookup("apps", "v1", "deployments")
    assert deployments is not None
    with cluster.controllers.lock:
        cluster.objects.delete(deployments, NAMESPACE, "gke-connect-agent", {}, Query(()))
        cluster.controllers.settle()
    assert cluster.store.list(DEPLOYMENTS, NAMESPACE)[0] == []
    assert cluster.store.list(REPLICASETS, NAMESPACE)[0] == []
    assert cluster.store.list(PODS, NAMESPACE)[0] == []


def test_the_agent_log_reaches_the_agent_pod_of_a_cluster_built_later() -> None:
    state = EmulatorState(scenario(), FakeClock())
    for _ in range(2):  # built, then restored
        membership = state.membership("c2")
        assert membership is not None and membership.embedded is None
        membership.agent_log.error("before the cluster")
        cluster = embedded(state, "c2")
        membership.agent_log.info("after the cluster")
        pod = membership.transport.pod
        assert pod is not None
        lines = cluster.logs._snapshot((NAMESPACE, pod, CONTAINER))[0]  # noqa: SLF001
        texts = [line.text for line in lines]
        started = messages.AGENT_LOG_STARTED.format(project="p")
        assert [t.split("\t", 2)[2] for t in texts] == [started, "before the cluster",
                                                         "after the cluster"]
        state.reset()


def test_a_cluster_with_a_pending_timer_has_no_image_and_is_built_each_time() -> None:
    with_cron = SCENARIO.replace("  - name: c2\n", CRON + "  - name: c2\n")
    state = EmulatorState(scenario(with_cron), FakeClock())
    first = embedded(state, "c1")
    assert first.image() is None  # the CronJob waits for its next run on a timer
    state.reset()
    second = embedded(state, "c1")
    uid = first.store.get(("batch", "cronjobs"), "default", "tick")["metadata"]["uid"]
    assert second.store.get(("batch", "cronjobs"), "default", "tick")["metadata"]["uid"] != uid


def test_states_on_the_machines_clock_share_images_and_a_moved_clock_stops_sharing() -> None:
    shared = scenario()
    one = EmulatorState(shared)
    two = EmulatorState(shared)
    assert one.membership("c1").transport == two.membership("c1").transport  # type: ignore
    fake = EmulatorState(shared, FakeClock())
    assert fake.membership("c1").transport != one.membership("c1").transport  # type: ignore
    one.advance_clock(60)
    one.load(scenario())  # a scenario the others never loaded: built for ``one`` alone
    two.load(one.scenario)
    assert (one.membership("c1").transport  # type: ignore[union-attr]
            != two.membership("c1").transport)  # type: ignore[union-attr]


def test_a_cluster_first_built_after_the_clock_moved_is_not_shared() -> None:
    shared = scenario()
    moved = EmulatorState(shared)
    moved.advance_clock(3600)
    later = embedded(moved, "c2")  # built after the move: its objects are an hour ahead
    assert ClusterImages.for_clock(SystemClock()).of(shared).get("c2") is None
    other = embedded(EmulatorState(shared), "c2")
    assert (other.store.get(("", "namespaces"), "", NAMESPACE)["metadata"]["uid"]
            != later.store.get(("", "namespaces"), "", NAMESPACE)["metadata"]["uid"])


def test_images_of_older_scenarios_go_when_over_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("emulator.images.OBJECTS_KEPT", 1)
    images = ClusterImages()
    old, new = scenario(), scenario()
    world = build_world(old, FakeClock(), images=lambda: images.of(old))
    assert images.of(old).get("c1") is not None
    images.of(new)  # the newest is kept whatever it holds; the older one goes
    assert images.of(old).get("c1") is None
    assert world.memberships["c1"].embedded is not None


def test_a_scenario_file_is_parsed_once_while_its_text_stays(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO)
    first = loader.load(str(path))
    assert loader.load(str(path)) is first
    path.write_text(SCENARIO.replace("v1.29.3", "v1.29.4"))
    changed = loader.load(str(path))
    assert changed is not first and changed.memberships[1].kubernetes_version == "v1.29.4"


def test_a_cached_scenario_that_extends_a_builtin_is_parsed_again_when_the_base_changes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    builtin = tmp_path / "builtin"
    builtin.mkdir()
    (builtin / "base.yaml").write_text(SCENARIO)
    monkeypatch.setattr(loader, "builtin_dir", lambda: builtin)
    case = tmp_path / "case.yaml"
    case.write_text("extends: base\ndescription: a case\n")
    first = loader.load(str(case))
    assert loader.load(str(case)) is first
    (builtin / "base.yaml").write_text(SCENARIO.replace("v1.29.3", "v1.29.4"))
    assert loader.load(str(case)).memberships[1].kubernetes_version == "v1.29.4"


def test_the_real_clock_is_what_the_shared_images_are_for() -> None:
    assert ClusterImages.for_clock(SystemClock()) is ClusterImages.for_clock(SystemClock())
    assert ClusterImages.for_clock(FakeClock()) is not ClusterImages.for_clock(FakeClock())
    moved = SystemClock()
    moved.advance(1)
    assert ClusterImages.for_clock(moved) is not ClusterImages.for_clock(SystemClock())


def test_building_a_worlds_clusters_pushes_no_other_scenarios_images_out(
        monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = scenario(), scenario()
    state = EmulatorState(first, FakeClock())
    uid = embedded(state, "c1").store.get(("", "namespaces"), "", "default")["metadata"]["uid"]
    # Room for the first scenario's images alone: the second's, once its clusters are built,
    # put the kept images over budget; only a later lookup may push the older ones out.
    monkeypatch.setattr("emulator.images.OBJECTS_KEPT", embedded(state, "c1").store.count)
    state.load(second)
    embedded(state, "c2")  # a cluster built after the seeded one made its image
    state.load(first)
    restored = embedded(state, "c1").store.get(("", "namespaces"), "", "default")
    assert restored["metadata"]["uid"] == uid  # restored from the image, not built again


def test_a_file_bigger_than_the_whole_text_budget_is_not_kept_and_pushes_no_other_out(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loader, "PARSED_TEXT_KEPT", 2 * len(SCENARIO))
    small, big = tmp_path / "small.yaml", tmp_path / "big.yaml"
    small.write_text(SCENARIO)
    big.write_text(SCENARIO + "#" * (2 * len(SCENARIO)) + "\n")
    kept = loader.load(str(small))
    once = loader.load(str(big))
    assert loader.load(str(big)) is not once  # parsed again: its thousands of objects not held
    assert loader.load(str(small)) is kept


@pytest.fixture
def closed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the embedded clusters closed, in order; every world counts as big."""
    monkeypatch.setattr("emulator.state.GIVE_BACK_AFTER_OBJECTS", 0)
    names: list[str] = []
    close = MockApiserver.close
    monkeypatch.setattr(MockApiserver, "close", lambda self: (names.append(self.name),
                                                              close(self)))
    return names


def test_a_world_replacing_a_big_one_is_made_again_once_the_big_one_is_gone(
        closed: list[str]) -> None:
    state = EmulatorState(scenario(), FakeClock())
    old = embedded(state, "c1")
    refused = SCENARIO.replace("name: seeded", "name: Not_Valid")
    with pytest.raises(loader.ScenarioError, match="Not_Valid"):
        state.load(scenario(refused))
    assert embedded(state, "c1") is old and closed == []  # a refused world replaces nothing

    state.load(scenario())  # a scenario never loaded: its first world builds c1 at once
    # Both the old world's c1 and the one built first, for the seeds' sake, were closed; the
    # world kept was made again afterwards, from the image, with nothing built yet.
    assert closed == ["c1", "c1"]
    assert state.membership("c1").embedded is None  # type: ignore[union-attr]
    assert embedded(state, "c1").store.get(("", "configmaps"), "default", "seeded") is not None
    assert embedded(state, "c1") is not old


def test_a_world_whose_cluster_has_no_image_is_kept_as_first_made_after_a_big_one(
        closed: list[str]) -> None:
    with_cron = scenario(SCENARIO.replace("  - name: c2\n", CRON + "  - name: c2\n"))
    state = EmulatorState(scenario(), FakeClock())
    state.load(with_cron)  # no image (the CronJob's timer): made again, it would build c1 again
    assert closed == ["c1"]  # the old world's only
    assert state.membership("c1").embedded is not None  # type: ignore[union-attr]
    assert state.world.scenario is with_cron
