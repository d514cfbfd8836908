"""The garbage collector controller at the handle() level: dependents (any kind, custom
resources too) go with their last owner, in the background, in the foreground (the owner waits
for the dependents that block it) or not at all (orphaned); a reference to an owner that is gone
or never was is collected; one that names an owner in another namespace is reported."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from emulator import messages
from emulator.clock import FakeClock
from emulator.cluster.mock.apiserver import MockApiserver
from emulator.cluster.mock.controllers.settings import ControllerSettings
from tests.unit.cluster.mock.conftest import (
    ADMIN,
    ADMIN_TOKEN,
    CLUSTER_NAME,
    CLUSTER_VERSION,
    acall,
    call,
    create,
    events,
    read_stream,
    run,
    send,
)

CMS = "/api/v1/namespaces/default/configmaps"
SECRETS = "/api/v1/namespaces/default/secrets"
RCS = "/api/v1/namespaces/default/replicationcontrollers"
CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
WIDGETS = "/apis/example.com/v1/namespaces/default/widgets"
CLUSTER_ROLES = "/apis/rbac.authorization.k8s.io/v1/clusterroles"
MERGE = "application/merge-patch+json"
NOW = "2026-01-01T00:00:00Z"  # the FakeClock's


@pytest.fixture
def cluster(api: MockApiserver) -> MockApiserver:
    """The cluster with its garbage collector controller doing the collector's work."""
    api.objects.collector_runs = True
    return api


def owner(api: MockApiserver, name: str, collection: str = CMS) -> dict[str, Any]:
    body = create(api, collection, {"metadata": {"name": name}})
    return {"apiVersion": body["apiVersion"], "kind": body["kind"], "name": name,
            "uid": body["metadata"]["uid"]}


def dependent(api: MockApiserver, name: str, *owners: dict[str, Any],
              collection: str = SECRETS, finalizers: list[str] | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "ownerReferences": list(owners)}
    if finalizers:
        meta["finalizers"] = finalizers
    return create(api, collection, {"metadata": meta})


def blocking(ref: dict[str, Any]) -> dict[str, Any]:
    return {**ref, "controller": True, "blockOwnerDeletion": True}


def exists(api: MockApiserver, path: str) -> bool:
    reply = call(api, "GET", path)
    assert reply.status in (200, 404), reply.body
    return reply.status == 200


def delete(api: MockApiserver, path: str, policy: str | None = None) -> Any:
    body = None if policy is None else {"kind": "DeleteOptions", "apiVersion": "v1",
                                        "propagationPolicy": policy}
    reply = call(api, "DELETE", path, body=body)
    assert reply.status == 200, reply.body
    return reply.body


def watched(api: MockApiserver, collections: list[str],
            action: Callable[[], Awaitable[Any]]) -> list[tuple[str, str, str | None]]:
    """(type, name, deletionTimestamp) of what watches on ``collections`` see ``action`` cause."""
    async def scenario() -> list[bytes]:
        since = api.store.resource_version
        streams = []
        for collection in collections:
            response = await send(api, "GET", collection, f"watch=true&resourceVersion={since}")
            assert response.stream is not None
            streams.append(response.stream)
        await action()
        return [await read_stream(stream, 0.3) for stream in streams]
    seen = [e for raw in run(scenario()) for e in events(raw)]
    seen.sort(key=lambda e: int(e["object"]["metadata"]["resourceVersion"]))
    return [(e["type"], e["object"]["metadata"]["name"],
             e["object"]["metadata"].get("deletionTimestamp")) for e in seen]


# -- background ------------------------------------------------------------------------------------

def test_a_dependent_goes_with_its_owner(cluster: MockApiserver) -> None:
    ref = owner(cluster, "owner")
    dependent(cluster, "dep", ref)
    seen = watched(cluster, [CMS, SECRETS], lambda: acall(cluster, "DELETE", f"{CMS}/owner"))
    assert seen == [("DELETED", "owner", None), ("DELETED", "dep", None)]


def test_a_chain_of_dependents_goes_link_by_link(cluster: MockApiserver) -> None:
    top = owner(cluster, "top")
    middle = dependent(cluster, "middle", top, collection=CMS)
    dependent(cluster, "leaf", {"apiVersion": "v1", "kind": "ConfigMap", "name": "middle",
                                "uid": middle["metadata"]["uid"]})
    delete(cluster, f"{CMS}/top")
    assert not exists(cluster, f"{CMS}/middle") and not exists(cluster, f"{SECRETS}/leaf")


def test_a_dependent_with_another_owner_only_loses_the_reference(cluster: MockApiserver) -> None:
    first, second = owner(cluster, "first"), owner(cluster, "second")
    dependent(cluster, "dep", first, second)
    delete(cluster, f"{CMS}/first")
    kept = call(cluster, "GET", f"{SECRETS}/dep").body
    assert kept["metadata"]["ownerReferences"] == [second]
    delete(cluster, f"{CMS}/second")
    assert not exists(cluster, f"{SECRETS}/dep")


def test_a_cluster_scoped_owner_takes_namespaced_dependents(cluster: MockApiserver) -> None:
    role = owner(cluster, "owner-role", CLUSTER_ROLES)
    dependent(cluster, "dep", role, collection=CMS)
    delete(cluster, f"{CLUSTER_ROLES}/owner-role")
    assert not exists(cluster, f"{CMS}/dep")


WIDGET_CRD: dict[str, Any] = {
    "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
    "metadata": {"name": "widgets.example.com"},
    "spec": {"group": "example.com", "scope": "Namespaced",
             "names": {"plural": "widgets", "kind": "Widget"},
             "versions": [{"name": "v1", "served": True, "storage": True,
                           "schema": {"openAPIV3Schema": {
                               "type": "object", "x-kubernetes-preserve-unknown-fields": True}}}]},
}


def test_custom_resources_are_owners_and_dependents(cluster: MockApiserver) -> None:
    create(cluster, CRDS, WIDGET_CRD)
    widget = owner(cluster, "parent", WIDGETS)
    dependent(cluster, "child", widget, collection=WIDGETS)
    dependent(cluster, "secret", widget)
    delete(cluster, f"{WIDGETS}/parent")
    assert not exists(cluster, f"{WIDGETS}/child") and not exists(cluster, f"{SECRETS}/secret")


def test_a_dependent_of_an_owner_that_never_existed_is_collected(cluster: MockApiserver) -> None:
    ghost = {"apiVersion": "v1", "kind": "ConfigMap", "name": "ghost",
             "uid": "7b3c1c0e-0000-4000-8000-000000000000"}
    reply = call(cluster, "POST", SECRETS, body={"metadata": {"name": "dep",
                                                              "ownerReferences": [ghost]}})
    assert reply.status == 201  # created as asked; the collector takes it after
    assert not exists(cluster, f"{SECRETS}/dep")


def test_a_reference_to_a_namesake_with_another_uid_is_dangling(cluster: MockApiserver) -> None:
    real = owner(cluster, "owner")
    dependent(cluster, "dep", {**real, "uid": "7b3c1c0e-0000-4000-8000-000000000001"}, real)
    kept = call(cluster, "GET", f"{SECRETS}/dep").body
    assert kept["metadata"]["ownerReferences"] == [real]


def test_a_reference_into_another_namespace_is_reported_and_collected(
        cluster: MockApiserver) -> None:
    create(cluster, "/api/v1/namespaces", {"metadata": {"name": "other"}})
    elsewhere = owner(cluster, "owner", "/api/v1/namespaces/other/configmaps")
    dep = dependent(cluster, "dep", elsewhere)
    assert not exists(cluster, f"{SECRETS}/dep")  # no such owner where the dependent lives
    warned = [e for e in call(cluster, "GET", "/api/v1/namespaces/default/events").body["items"]
              if e["reason"] == "OwnerRefInvalidNamespace"]
    assert [(e["type"], e["source"], e["involvedObject"]["uid"], e["message"]) for e in warned] \
        == [("Warning", {"component": "garbage-collector-controller"}, dep["metadata"]["uid"],
             messages.GC_OWNER_REF_INVALID_NAMESPACE.format(
                 api_version="v1", kind="ConfigMap", namespace="default", name="owner",
                 uid=elsewhere["uid"]))]
    assert exists(cluster, "/api/v1/namespaces/other/configmaps/owner")


def test_a_dependent_is_kept_while_its_owner_lives(cluster: MockApiserver) -> None:
    ref = owner(cluster, "owner")
    created = dependent(cluster, "dep", ref)
    call(cluster, "PATCH", f"{CMS}/owner", body={"data": {"k": "v"}}, content_type=MERGE)
    assert call(cluster, "GET", f"{SECRETS}/dep").body == created  # never written


# -- foreground ------------------------------------------------------------------------------------

def test_foreground_deletes_the_dependents_before_the_owner(cluster: MockApiserver) -> None:
    ref = owner(cluster, "owner")
    dependent(cluster, "dep", blocking(ref))
    replies: list[Any] = []

    async def delete_in_foreground() -> None:
        replies.append(await acall(cluster, "DELETE", f"{CMS}/owner",
                                   body={"propagationPolicy": "Foreground"}))

    seen = watched(cluster, [CMS, SECRETS], delete_in_foreground)
    assert replies[0].status == 200
    assert replies[0].body["metadata"]["finalizers"] == ["foregroundDeletion"]
    assert seen == [("MODIFIED", "owner", NOW), ("DELETED", "dep", None),
                    ("DELETED", "owner", NOW)]


def test_a_foreground_owner_waits_for_a_blocking_dependent(cluster: MockApiserver) -> None:
    ref = owner(cluster, "owner")
    dependent(cluster, "dep", blocking(ref), finalizers=["example.com/hold"])
    delete(cluster, f"{CMS}/owner", "Foreground")
    waiting = call(cluster, "GET", f"{CMS}/owner").body
    assert waiting["metadata"]["deletionTimestamp"] == NOW
    assert waiting["metadata"]["finalizers"] == ["foregroundDeletion"]
    held = call(cluster, "GET", f"{SECRETS}/dep").body
    assert held["metadata"]["deletionTimestamp"] == NOW  # the collector deleted it
    # The dependent's own finalizer goes: it goes, and so does its owner.
    call(cluster, "PATCH", f"{SECRETS}/dep", body={"metadata": {"finalizers": None}},
         content_type=MERGE)
    assert not exists(cluster, f"{SECRETS}/dep") and not exists(cluster, f"{CMS}/owner")


def test_a_dependent_that_does_not_block_is_not_waited_for(cluster: MockApiserver) -> None:
    ref = owner(cluster, "owner")
    dependent(cluster, "dep", {**ref, "blockOwnerDeletion": False},
              finalizers=["example.com/hold"])
    delete(cluster, f"{CMS}/owner", "Foreground")
    assert not exists(cluster, f"{CMS}/owner")
    assert call(cluster, "GET", f"{SECRETS}/dep").body["metadata"]["deletionTimestamp"] == NOW


def test_foreground_goes_down_the_chain(cluster: MockApiserver) -> None:
    top = owner(cluster, "top")
    middle = dependent(cluster, "middle", blocking(top), collection=CMS)
    dependent(cluster, "leaf", blocking({"apiVersion": "v1", "kind": "ConfigMap",
                                         "name": "middle", "uid": middle["metadata"]["uid"]}),
              finalizers=["example.com/hold"])
    delete(cluster, f"{CMS}/top", "Foreground")
    # The middle one has a dependent of its own: it is deleted in the foreground too.
    assert call(cluster, "GET", f"{CMS}/middle").body["metadata"]["finalizers"] == [
        "foregroundDeletion"]
    assert exists(cluster, f"{CMS}/top")
    call(cluster, "PATCH", f"{SECRETS}/leaf", body={"metadata": {"finalizers": None}},
         content_type=MERGE)
    assert not any(exists(cluster, p) for p in (f"{SECRETS}/leaf", f"{CMS}/middle",
                                                f"{CMS}/top"))


def test_a_dependent_of_a_foreground_owner_with_another_owner_is_kept(
        cluster: MockApiserver) -> None:
    going, staying = owner(cluster, "going"), owner(cluster, "staying")
    dependent(cluster, "dep", blocking(going), staying)
    delete(cluster, f"{CMS}/going", "Foreground")
    assert not exists(cluster, f"{CMS}/going")
    assert call(cluster, "GET", f"{SECRETS}/dep").body["metadata"]["ownerReferences"] == [staying]


# -- orphan ----------------------------------------------------------------------------------------

def test_orphan_keeps_the_dependents_without_the_reference(cluster: MockApiserver) -> None:
    ref, other = owner(cluster, "owner"), owner(cluster, "other")
    dependent(cluster, "dep", blocking(ref), other)
    answer = delete(cluster, f"{CMS}/owner", "Orphan")
    assert answer["metadata"]["finalizers"] == ["orphan"]
    assert not exists(cluster, f"{CMS}/owner")
    assert call(cluster, "GET", f"{SECRETS}/dep").body["metadata"]["ownerReferences"] == [other]


def test_orphan_leaves_a_dependent_with_no_references(cluster: MockApiserver) -> None:
    ref = owner(cluster, "owner")
    dependent(cluster, "dep", ref)
    delete(cluster, f"{CMS}/owner", "Orphan")
    assert "ownerReferences" not in call(cluster, "GET", f"{SECRETS}/dep").body["metadata"]


def test_a_replication_controller_orphans_by_default(cluster: MockApiserver) -> None:
    rc = create(cluster, RCS, {"metadata": {"name": "rc"}, "spec": {
        "replicas": 0, "selector": {"app": "x"},
        "template": {"metadata": {"labels": {"app": "x"}},
                     "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}})
    dependent(cluster, "dep", {"apiVersion": "v1", "kind": "ReplicationController",
                               "name": "rc", "uid": rc["metadata"]["uid"]})
    call(cluster, "DELETE", f"{RCS}/rc")
    assert not exists(cluster, f"{RCS}/rc")
    assert "ownerReferences" not in call(cluster, "GET", f"{SECRETS}/dep").body["metadata"]


def test_an_orphaning_owner_with_another_finalizer_waits_for_it(cluster: MockApiserver) -> None:
    create(cluster, CMS, {"metadata": {"name": "owner", "finalizers": ["example.com/hold"]}})
    uid = call(cluster, "GET", f"{CMS}/owner").body["metadata"]["uid"]
    dependent(cluster, "dep", {"apiVersion": "v1", "kind": "ConfigMap", "name": "owner",
                               "uid": uid})
    delete(cluster, f"{CMS}/owner", "Orphan")
    held = call(cluster, "GET", f"{CMS}/owner").body
    assert held["metadata"]["finalizers"] == ["example.com/hold"]
    assert "ownerReferences" not in call(cluster, "GET", f"{SECRETS}/dep").body["metadata"]


# -- without controllers ---------------------------------------------------------------------------

def test_without_controllers_nothing_is_collected_and_nothing_waits() -> None:
    off = MockApiserver(CLUSTER_NAME, CLUSTER_VERSION, FakeClock(),
                        settings=ControllerSettings(enabled=False))
    off.authenticator.add(ADMIN_TOKEN, ADMIN)
    assert off.objects.collector_runs is False
    ref = owner(off, "owner")
    dependent(off, "dep", blocking(ref), finalizers=["example.com/hold"])
    delete(off, f"{CMS}/owner", "Foreground")
    # The collector's finalizer is dropped at once, and the dependent is left as it was.
    assert not exists(off, f"{CMS}/owner")
    assert "deletionTimestamp" not in call(off, "GET", f"{SECRETS}/dep").body["metadata"]
