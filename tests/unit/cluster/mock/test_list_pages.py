"""Lists read from the store's key order page by page, and their answers written from the stored
JSON: the same bytes as encoding the whole answer, whatever the page, version or includeObject."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import quote

import pytest

from emulator.cluster.mock.apiserver import MockApiserver
from emulator.cluster.mock.query import Query
from emulator.cluster.mock.registry import conversion
from emulator.cluster.mock.registry.jsoncopy import clone
from emulator.cluster.mock.registry.store import ObjectStore, WatchEvent
from emulator.cluster.mock.wire import gojson, tables

from .conftest import TABLE_ACCEPT, request, run

PODS = ("", "pods")
NAMESPACES = ["a", "a-b", "ab", "b", "zz"]  # "a" is a prefix of the next two


def _pod(name: str, namespace: str, **labels: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": namespace, "labels": labels}}


def _filled() -> ObjectStore:
    store = ObjectStore()
    for i in range(12):
        for namespace in reversed(NAMESPACES):  # stored out of key order
            store.put(PODS, _pod(f"p{i:02d}", namespace, shard=str(i % 3)), event="ADDED")
    return store


def _keys(objects: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(o["metadata"]["namespace"], o["metadata"]["name"]) for o in objects]


def test_a_list_is_in_key_order_and_a_namespace_is_its_own_run() -> None:
    store = _filled()
    everything = _keys(store.list(PODS, None)[0])
    assert everything == sorted(everything) and len(everything) == 60
    assert _keys(store.list(PODS, "a")[0]) == [("a", f"p{i:02d}") for i in range(12)]
    assert store.list(PODS, "nope")[0] == []


def test_pages_follow_each_other_without_gaps_or_repeats() -> None:
    store = _filled()
    seen: list[tuple[str, str]] = []
    after = None
    while True:
        page = store.scan(PODS, None, after=after, limit=7, decode=True)
        seen += _keys(page.objects)
        if page.last is None:
            break
        assert page.last == seen[-1] and len(page.objects) == 7
        after = page.last
    assert seen == _keys(store.list(PODS, None)[0])


def test_a_page_resumes_after_a_key_that_is_gone() -> None:
    store = _filled()
    page = store.scan(PODS, "b", after=("b", "p03x"), decode=True)
    assert _keys(page.objects)[0] == ("b", "p04")


def test_a_selector_filters_before_the_limit_counts() -> None:
    store = _filled()
    page = store.scan(PODS, None, limit=4, decode=True,
                      wanted=lambda o: o["metadata"]["labels"]["shard"] == "1")
    assert [o["metadata"]["labels"]["shard"] for o in page.objects] == ["1"] * 4
    assert page.last == _keys(page.objects)[-1]


def test_the_last_page_names_no_key_even_when_it_is_full() -> None:
    store = _filled()
    assert store.scan(PODS, "zz", limit=12).last is None
    assert store.scan(PODS, "zz", limit=11).last == ("zz", "p10")


def test_select_in_a_namespace_passes_over_objects_without_the_bytes() -> None:
    store = _filled()
    found = store.select(PODS, lambda o: o["metadata"]["labels"].get("shard") == "2",
                         namespace="a-b", containing=[b'"shard":"2"'])
    assert _keys(found) == [("a-b", f"p{i:02d}") for i in (2, 5, 8, 11)]


def test_a_snapshot_and_the_stores_restored_from_it_never_see_each_others_writes() -> None:
    store = _filled()
    snapshot = store.snapshot()
    store.put(PODS, _pod("later", "a"), event="ADDED")
    restored = ObjectStore()
    restored.restore(snapshot)
    assert restored.get(PODS, "a", "later") is None
    restored.remove(PODS, "a", "p00")
    assert store.get(PODS, "a", "p00") is not None
    again = ObjectStore()
    again.restore(snapshot)
    assert again.get(PODS, "a", "p00") is not None and len(again.list(PODS, None)[0]) == 60
    # The records themselves are shared, never copied.
    assert again.record(PODS, "b", "p01") is store.record(PODS, "b", "p01")


def test_watch_events_decode_their_objects_once_and_on_demand() -> None:
    store = ObjectStore()
    seen: list[WatchEvent] = []
    store.add_listener(seen.append)
    store.put(PODS, _pod("w", "a", app="one"), event="ADDED")
    store.put(PODS, _pod("w", "a", app="two"), event="MODIFIED")
    added, modified = seen
    assert added.previous is None and added.namespace == "a"
    assert modified.previous is not None and modified.previous["metadata"]["labels"] == {
        "app": "one"}
    assert modified.object is modified.object  # decoded once, shared by its readers
    assert modified.object["metadata"]["resourceVersion"] == "2"


# -- the answers ---------------------------------------------------------------------------------


@pytest.fixture
def cluster(quiet: MockApiserver) -> MockApiserver:
    for namespace in ("a", "b"):
        quiet.seed({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}})
    for i in range(9):
        quiet.seed({"apiVersion": "v1", "kind": "Pod", "metadata": {
            "name": f"p{i}", "namespace": "ab"[i % 2],
            # Go escapes <, > and & in JSON (a label value may hold none of them)
            "labels": {"app": "web" if i % 3 else "db"},
            "annotations": {"note": "caf\u00e9 & <w\u00e9b> \u2028"}},
            "spec": {"containers": [{"name": "c", "image": "nginx"}]},
            # A Table finishes all its cells at once, joined by newlines: a cell that holds
            # one, and the characters Go escapes, must come out as they would alone.
            "status": {"phase": "Pending", "containerStatuses": [{
                "name": "c", "image": "nginx", "imageID": "", "ready": False,
                "restartCount": 0, "state": {"waiting": {
                    "reason": f"Pull\nfailed {i} & <retry> \u2028 caf\u00e9"}}}]}})
    for i in range(3):
        quiet.seed({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
                    "metadata": {"name": f"h{i}", "namespace": "a"},
                    "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment",
                                                "name": "web"},
                             "minReplicas": 1, "maxReplicas": 4, "metrics": [
                                 {"type": "Resource", "resource": {"name": "memory", "target": {
                                     "type": "AverageValue", "averageValue": "1Gi"}}}]}})
    return quiet


def _get(api: MockApiserver, path: str, query: str, accept: str | None) -> tuple[int, bytes]:
    answer = run(api.handle(request("GET", path, query, accept=accept)))
    return answer.status, answer.body


def _expected(api: MockApiserver, path: str, query: str, table: bool) -> bytes:
    """The answer as it was written before lists were written from records: the whole list
    decoded, then encoded at once."""
    from emulator.cluster.mock import paths, query as queries
    target = paths.parse(path, api.registry)
    resource = target.resource
    q = queries.checked(list(_pairs(query)), "list")
    read_as = api.objects.storage(resource) if table else resource
    items, rv, token = api.objects.list(read_as, target.namespace, q)
    if not table:
        meta: dict[str, Any] = {"resourceVersion": str(rv)}
        if token:
            meta["continue"] = token
        return gojson.encode({"kind": resource.list_kind, "apiVersion": resource.api_version,
                              "metadata": meta, "items": items})
    answer = tables.to_table(resource, items, now=api.clock.now(), minor=api.registry.minor,
                             include_object=q.get("includeObject") or "Metadata",
                             resource_version=str(rv), continue_token=token)
    for row in answer["rows"]:
        if row.get("object", {}).get("kind") == resource.kind:
            row["object"] = conversion.convert(clone(row["object"]), resource.api_version)
    return gojson.encode(answer)


def _pairs(query: str) -> list[tuple[str, str]]:
    from urllib.parse import parse_qsl
    return parse_qsl(query, keep_blank_values=True)


@pytest.mark.parametrize("path", ["/api/v1/pods", "/api/v1/namespaces/a/pods",
                                  "/apis/autoscaling/v1/namespaces/a/horizontalpodautoscalers",
                                  "/apis/autoscaling/v2/horizontalpodautoscalers"])
@pytest.mark.parametrize("query", ["", "limit=2", "labelSelector=app%3Ddb",
                                   "limit=1&labelSelector=app%3Ddb", "includeObject=None",
                                   "includeObject=Object", "includeObject=Object&limit=2"])
@pytest.mark.parametrize("table", [False, True])
def test_every_page_is_the_bytes_of_the_whole_answer(cluster: MockApiserver, path: str,
                                                     query: str, table: bool) -> None:
    query_now = query
    for _ in range(10):  # the pages, each with its predecessor's token
        status, body = _get(cluster, path, query_now, TABLE_ACCEPT if table else None)
        assert status == 200
        assert body == _expected(cluster, path, query_now, table)
        token = json.loads(body)["metadata"].get("continue")
        if not token:
            break
        query_now = f"{query}&continue={quote(token)}" if query else f"continue={quote(token)}"


def test_a_continue_token_names_the_last_key_as_before(cluster: MockApiserver) -> None:
    status, body = _get(cluster, "/api/v1/pods", "limit=3", None)
    token = json.loads(body)["metadata"]["continue"]
    assert json.loads(base64.urlsafe_b64decode(token)) == {"v": 1, "after": ["a", "p4"]}


def test_a_bad_token_or_include_object_is_still_refused(cluster: MockApiserver) -> None:
    status, body = _get(cluster, "/api/v1/pods", "continue=bad", TABLE_ACCEPT)
    assert status == 400 and b"continue" in body
    status, body = _get(cluster, "/api/v1/pods", "includeObject=Bad", TABLE_ACCEPT)
    assert status == 400


def test_a_large_namespace_page_reads_only_its_page(quiet: MockApiserver) -> None:
    quiet.seed({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "big"}})
    for i in range(300):
        quiet.seed({"apiVersion": "v1", "kind": "ConfigMap",
                    "metadata": {"name": f"cm{i:03d}", "namespace": "big"}})
    resource = quiet.registry.lookup("", "v1", "configmaps")
    assert resource is not None
    page = quiet.objects.page(resource, "big", Query((("limit", "5"),)))
    assert len(page.records) == 5 and page.continue_token is not None


def test_a_table_cell_holding_a_newline_and_go_escapes_is_written_as_alone(
        cluster: MockApiserver) -> None:
    status, body = _get(cluster, "/api/v1/namespaces/a/pods", "", TABLE_ACCEPT)
    assert status == 200
    reasons = [row["cells"][2] for row in json.loads(body)["rows"]]
    assert reasons == [f"Pull\nfailed {i} & <retry> \u2028 caf\u00e9" for i in (0, 2, 4, 6, 8)]
    assert b'"Pull\\nfailed 0 \\u0026 \\u003cretry\\u003e \\u2028 caf\xc3\xa9"' in body
