"""DELETE as kube-apiserver answers it, per kind: a Success Status, the object (kinds whose storage
sets ReturnDeletedObject), or the object still being deleted (graceful pods, finalizers,
namespaces), and what a watch sees meanwhile."""

from __future__ import annotations

from typing import Any

import pytest

from emulator import messages
from emulator.cluster.mock.apiserver import MockApiserver

from .conftest import (
    acall,
    assert_status,
    call,
    configmap,
    create,
    deployment,
    events,
    pod,
    read_stream,
    run,
    send,
)

CMS = "/api/v1/namespaces/default/configmaps"
PODS = "/api/v1/namespaces/default/pods"
SERVICES = "/api/v1/namespaces/default/services"
SAS = "/api/v1/namespaces/default/serviceaccounts"
DEPLOYS = "/apis/apps/v1/namespaces/default/deployments"
NAMESPACES = "/api/v1/namespaces"
MERGE = "application/merge-patch+json"
NOW = "2026-01-01T00:00:00Z"  # the FakeClock's


def _watched(api: MockApiserver, collection: str, action: Any) -> list[tuple[str, str | None]]:
    """The (type, deletionTimestamp) of each watch event ``action`` causes."""
    async def scenario() -> bytes:
        response = await send(api, "GET", collection,
                              f"watch=true&resourceVersion={api.store.resource_version}")
        assert response.stream is not None
        await action()
        return await read_stream(response.stream, 0.3)
    return [(e["type"], e["object"]["metadata"].get("deletionTimestamp"))
            for e in events(run(scenario()))]


def test_a_configmap_delete_answers_a_status_and_the_watch_sees_it_go(api: MockApiserver) -> None:
    created = create(api, CMS, configmap("app"))
    seen = _watched(api, CMS, lambda: acall(api, "DELETE", f"{CMS}/app"))
    assert seen == [("DELETED", None)]
    assert call(api, "GET", f"{CMS}/app").status == 404
    again = call(api, "DELETE", f"{CMS}/app")
    assert_status(again, 404, "NotFound", messages.K8S_NOT_FOUND.format(resource="configmaps",
                                                                        name="app"))
    assert created["metadata"]["uid"]


def test_a_deployment_delete_status_names_its_group(api: MockApiserver) -> None:
    created = create(api, DEPLOYS, deployment("web"))
    assert call(api, "DELETE", f"{DEPLOYS}/web").body["details"] == {
        "name": "web", "group": "apps", "kind": "deployments", "uid": created["metadata"]["uid"]}


@pytest.mark.parametrize("collection", [SERVICES, SAS])
def test_kinds_that_return_the_deleted_object(api: MockApiserver, collection: str) -> None:
    body: dict[str, Any] = {"metadata": {"name": "thing"}}
    if collection == SERVICES:
        body["spec"] = {"ports": [{"port": 80}]}  # kube requires them
    created = create(api, collection, body)
    reply = call(api, "DELETE", f"{collection}/thing")
    assert reply.status == 200
    assert reply.body["kind"] == created["kind"]
    assert reply.body["metadata"]["uid"] == created["metadata"]["uid"]
    # The deletion's own resourceVersion, like the DELETED event's.
    assert int(reply.body["metadata"]["resourceVersion"]) > int(
        created["metadata"]["resourceVersion"])
    assert call(api, "GET", f"{collection}/thing").status == 404


def test_a_running_pod_is_deleted_gracefully(api: MockApiserver) -> None:
    create(api, PODS, pod("web"))
    replies: list[Any] = []

    async def delete() -> None:
        replies.append(await acall(api, "DELETE", f"{PODS}/web"))

    seen = _watched(api, PODS, delete)
    reply = replies[0]
    assert reply.status == 200
    assert reply.body["kind"] == "Pod"
    # Thirty seconds of grace (the pod's terminationGracePeriodSeconds) from the clock's now.
    assert reply.body["metadata"]["deletionTimestamp"] == "2026-01-01T00:00:30Z"
    assert reply.body["metadata"]["deletionGracePeriodSeconds"] == 30
    # The fake kubelet's containers stop at once: the pod goes right after being marked.
    assert seen == [("MODIFIED", "2026-01-01T00:00:30Z"), ("DELETED", "2026-01-01T00:00:30Z")]
    assert call(api, "GET", f"{PODS}/web").status == 404


@pytest.mark.parametrize(("query", "body"), [
    ("", {"kind": "DeleteOptions", "apiVersion": "v1", "gracePeriodSeconds": 0}),
    ("gracePeriodSeconds=0", None),
])
def test_a_pod_deleted_without_grace_goes_at_once(api: MockApiserver, query: str,
                                                  body: dict[str, Any] | None) -> None:
    create(api, PODS, pod("web"))
    reply = call(api, "DELETE", f"{PODS}/web", query, body=body)
    assert reply.status == 200
    assert reply.body["kind"] == "Pod"
    assert reply.body["metadata"]["deletionTimestamp"] == NOW
    assert reply.body["metadata"]["deletionGracePeriodSeconds"] == 0
    assert call(api, "GET", f"{PODS}/web").status == 404


def test_an_object_with_finalizers_stays_until_they_are_removed(api: MockApiserver) -> None:
    created = create(api, CMS, {**configmap("held"),
                                "metadata": {"name": "held", "finalizers": ["example.com/x"]}})
    reply = call(api, "DELETE", f"{CMS}/held")
    assert reply.status == 200
    assert reply.body["kind"] == "ConfigMap"  # the object, not a Status: it is not gone
    assert reply.body["metadata"]["deletionTimestamp"] == NOW
    assert reply.body["metadata"]["deletionGracePeriodSeconds"] == 0
    still = call(api, "GET", f"{CMS}/held").body
    assert still["metadata"]["finalizers"] == ["example.com/x"]
    # A second delete changes nothing and answers the object again.
    again = call(api, "DELETE", f"{CMS}/held")
    assert again.body["metadata"]["resourceVersion"] == still["metadata"]["resourceVersion"]
    # An update keeps the deletion whatever it sends.
    kept = call(api, "PATCH", f"{CMS}/held", body={"metadata": {"deletionTimestamp": None},
                                                   "data": {"k": "v"}}, content_type=MERGE)
    assert kept.body["metadata"]["deletionTimestamp"] == NOW
    # Removing the last finalizer deletes it; the update answers the object as it was stored.
    gone = call(api, "PATCH", f"{CMS}/held", body={"metadata": {"finalizers": None}},
                content_type=MERGE)
    assert gone.status == 200
    assert gone.body["metadata"]["uid"] == created["metadata"]["uid"]
    assert call(api, "GET", f"{CMS}/held").status == 404


def test_orphan_dependents_false_on_a_held_object_is_202(api: MockApiserver) -> None:
    create(api, CMS, {"metadata": {"name": "held", "finalizers": ["example.com/x"]}})
    reply = call(api, "DELETE", f"{CMS}/held", body={"orphanDependents": False})
    assert reply.status == 202
    assert reply.body["kind"] == "ConfigMap"


def test_an_immediate_delete_with_orphan_dependents_false_stays_200(api: MockApiserver) -> None:
    create(api, CMS, configmap("app"))
    assert call(api, "DELETE", f"{CMS}/app", "orphanDependents=false").status == 200


def test_foreground_deletion_answers_the_marked_object(api: MockApiserver) -> None:
    create(api, DEPLOYS, deployment("web"))
    reply = call(api, "DELETE", f"{DEPLOYS}/web",
                 body={"kind": "DeleteOptions", "apiVersion": "v1",
                       "propagationPolicy": "Foreground"})
    assert reply.status == 200
    assert reply.body["kind"] == "Deployment"
    assert reply.body["metadata"]["finalizers"] == ["foregroundDeletion"]
    assert reply.body["metadata"]["deletionTimestamp"] == NOW
    assert reply.body["metadata"]["generation"] == 2  # the first mark bumps it
    # No dependents to wait for: the garbage collector lets it go.
    assert call(api, "GET", f"{DEPLOYS}/web").status == 404


def test_a_namespace_delete_answers_it_terminating(api: MockApiserver) -> None:
    create(api, NAMESPACES, {"metadata": {"name": "team"}})
    create(api, "/api/v1/namespaces/team/configmaps", configmap("app"))
    reply = call(api, "DELETE", f"{NAMESPACES}/team")
    assert reply.status == 200
    assert reply.body["kind"] == "Namespace"
    assert reply.body["status"] == {"phase": "Terminating"}
    assert reply.body["metadata"]["deletionTimestamp"] == NOW
    assert reply.body["spec"] == {"finalizers": ["kubernetes"]}
    assert call(api, "GET", f"{NAMESPACES}/team").status == 404
    assert call(api, "GET", "/api/v1/namespaces/team/configmaps/app").status == 404


def test_a_namespace_with_finalizers_stays_terminating(api: MockApiserver) -> None:
    create(api, NAMESPACES, {"metadata": {"name": "team", "finalizers": ["example.com/x"]}})
    create(api, "/api/v1/namespaces/team/configmaps", configmap("app"))
    call(api, "DELETE", f"{NAMESPACES}/team")
    held = call(api, "GET", f"{NAMESPACES}/team").body
    assert held["status"]["phase"] == "Terminating"
    assert held["spec"]["finalizers"] == []  # the namespace controller finished its part
    assert call(api, "GET", "/api/v1/namespaces/team/configmaps").body["items"] == []
    assert call(api, "DELETE", f"{NAMESPACES}/team").body["kind"] == "Namespace"
    call(api, "PATCH", f"{NAMESPACES}/team", body={"metadata": {"finalizers": None}},
         content_type=MERGE)
    assert call(api, "GET", f"{NAMESPACES}/team").status == 404


def test_a_dry_run_delete_answers_as_the_real_one_and_keeps_the_object(
        api: MockApiserver) -> None:
    created = create(api, CMS, configmap("app"))
    reply = call(api, "DELETE", f"{CMS}/app", "dryRun=All")
    assert reply.body == {"kind": "Status", "apiVersion": "v1", "metadata": {},
                          "status": "Success", "details": {
                              "name": "app", "kind": "configmaps",
                              "uid": created["metadata"]["uid"]}}
    assert call(api, "GET", f"{CMS}/app").body == created


def test_deletecollection_answers_the_list_it_deleted(api: MockApiserver) -> None:
    create(api, PODS, pod("a"))
    listed = call(api, "GET", PODS).body["items"]
    reply = call(api, "DELETE", PODS)
    assert reply.body["items"] == listed
    assert call(api, "GET", PODS).body["items"] == []
