"""The object store (resourceVersions, copies, history) and ``?watch=true`` streams over it."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from typing import Any

import pytest

from emulator import messages
from emulator.cluster.mock.registry import store as store_module
from emulator.cluster.mock.apiserver import MockApiserver
from emulator.cluster.mock.registry.jsoncopy import weigh
from emulator.cluster.mock.registry.store import ObjectStore, TooOldResourceVersion, WatchEvent

from .conftest import (
    TABLE_ACCEPT,
    acall,
    assert_status,
    call,
    configmap,
    create,
    events,
    next_chunk,
    pod,
    read_stream,
    run,
    send,
)

CMS = "/api/v1/namespaces/default/configmaps"
PODS = "/api/v1/namespaces/default/pods"
MERGE = "application/merge-patch+json"
KEY = ("", "configmaps")


def _obj(name: str, namespace: str = "default", **extra: Any) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": name, "namespace": namespace}, **extra}


def _summary(raw: bytes) -> list[tuple[str, str]]:
    return [(e["type"], e["object"]["metadata"]["name"]) for e in events(raw)]


# --- the store ------------------------------------------------------------------------------------


def test_put_assigns_increasing_resource_versions() -> None:
    store = ObjectStore()
    first = store.put(KEY, _obj("a"), event="ADDED")
    second = store.put(KEY, _obj("b"), event="ADDED")
    assert first["metadata"]["resourceVersion"] == "1"
    assert second["metadata"]["resourceVersion"] == "2"
    assert store.resource_version == 2


def test_put_does_not_keep_the_callers_dict() -> None:
    store = ObjectStore()
    obj = _obj("a", data={"k": "v"})
    store.put(KEY, obj, event="ADDED")
    obj["data"]["k"] = "changed"
    assert store.get(KEY, "default", "a")["data"] == {"k": "v"}  # type: ignore[index]


def test_get_and_list_return_copies() -> None:
    store = ObjectStore()
    store.put(KEY, _obj("a", data={"k": "v"}), event="ADDED")
    store.get(KEY, "default", "a")["data"]["k"] = "x"  # type: ignore[index]
    store.list(KEY, None)[0][0]["data"]["k"] = "y"
    assert store.get(KEY, "default", "a")["data"] == {"k": "v"}  # type: ignore[index]


def test_get_of_a_missing_object_is_none() -> None:
    assert ObjectStore().get(KEY, "default", "a") is None


def test_list_is_sorted_and_filtered_by_namespace() -> None:
    store = ObjectStore()
    for ns, name in [("b", "x"), ("a", "z"), ("a", "y")]:
        store.put(KEY, _obj(name, ns), event="ADDED")
    items, rv = store.list(KEY, None)
    assert [(o["metadata"]["namespace"], o["metadata"]["name"]) for o in items] == [
        ("a", "y"), ("a", "z"), ("b", "x")]
    assert rv == 3
    assert [o["metadata"]["name"] for o in store.list(KEY, "a")[0]] == ["y", "z"]


def test_resources_are_kept_apart() -> None:
    store = ObjectStore()
    store.put(KEY, _obj("a"), event="ADDED")
    assert store.get(("", "secrets"), "default", "a") is None
    assert store.list(("", "secrets"), None)[0] == []


def test_remove_emits_deleted_with_a_new_resource_version() -> None:
    store = ObjectStore()
    seen: list[WatchEvent] = []
    store.add_listener(seen.append)
    store.put(KEY, _obj("a"), event="ADDED")
    removed = store.remove(KEY, "default", "a")
    assert removed is not None and removed["metadata"]["resourceVersion"] == "2"
    assert [(e.type, e.resource_version) for e in seen] == [("ADDED", 1), ("DELETED", 2)]
    assert store.get(KEY, "default", "a") is None


def test_remove_of_a_missing_object_changes_nothing() -> None:
    store = ObjectStore()
    store.put(KEY, _obj("a"), event="ADDED")
    assert store.remove(KEY, "default", "b") is None
    assert store.resource_version == 1


def test_namespaces_in_use_lists_every_resource() -> None:
    store = ObjectStore()
    store.put(KEY, _obj("a", "team"), event="ADDED")
    store.put(("", "secrets"), _obj("s", "team"), event="ADDED")
    store.put(KEY, _obj("b", "other"), event="ADDED")
    assert sorted(store.namespaces_in_use("team")) == [(("", "configmaps"), "a"),
                                                        (("", "secrets"), "s")]


def test_open_watch_replays_history_after_the_resource_version() -> None:
    async def scenario() -> list[tuple[str, str]]:
        store = ObjectStore()
        for name in "abc":
            store.put(KEY, _obj(name), event="ADDED")
        watcher = store.open_watch(KEY, None, 1, asyncio.get_running_loop())
        replay = [watcher.queue.get_nowait() for _ in range(watcher.queue.qsize())]
        store.close_watch(watcher)
        return [(e.type, e.object["metadata"]["name"]) for e in replay]

    assert run(scenario()) == [("ADDED", "b"), ("ADDED", "c")]


def test_open_watch_filters_by_namespace_and_resource() -> None:
    async def scenario() -> list[str]:
        store = ObjectStore()
        store.put(KEY, _obj("here"), event="ADDED")
        store.put(KEY, _obj("there", "other"), event="ADDED")
        store.put(("", "secrets"), _obj("secret"), event="ADDED")
        watcher = store.open_watch(KEY, "default", 0, asyncio.get_running_loop())
        names = [watcher.queue.get_nowait().object["metadata"]["name"]
                 for _ in range(watcher.queue.qsize())]
        store.close_watch(watcher)
        return names

    assert run(scenario()) == ["here"]


def test_history_keeps_only_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_module, "HISTORY_LIMIT", 3)
    store = ObjectStore()
    for i in range(5):
        store.put(KEY, _obj(f"o{i}"), event="ADDED")

    async def scenario() -> None:
        loop = asyncio.get_running_loop()
        with pytest.raises(TooOldResourceVersion) as info:
            store.open_watch(KEY, None, 1, loop)
        assert (info.value.requested, info.value.oldest) == (1, 3)
        watcher = store.open_watch(KEY, None, 2, loop)  # oldest kept event is rv 3
        assert watcher.queue.qsize() == 3
        store.close_watch(watcher)

    run(scenario())


def test_history_keeps_only_its_byte_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    """Large objects leave the history by weight, not only by count, so that deleting them
    frees their memory; the newest event stays whatever it weighs."""
    monkeypatch.setattr(store_module, "HISTORY_BYTES", 50_000)
    store = ObjectStore()
    for i in range(4):
        big = _obj(f"big{i}")
        big["data"] = {"v": "x" * 20_000}
        store.put(KEY, big, event="ADDED")
    huge = _obj("huge")
    huge["data"] = {"v": "x" * 100_000}
    store.put(KEY, huge, event="ADDED")

    async def scenario() -> None:
        loop = asyncio.get_running_loop()
        with pytest.raises(TooOldResourceVersion) as info:
            store.open_watch(KEY, None, 3, loop)
        assert info.value.oldest == 5  # only the newest, over budget on its own, is kept
        watcher = store.open_watch(KEY, None, 4, loop)
        assert [watcher.queue.get_nowait().object["metadata"]["name"]
                for _ in range(watcher.queue.qsize())] == ["huge"]
        store.close_watch(watcher)

    run(scenario())


@pytest.mark.parametrize("value", [{"a": "xyz"}, [1, None, True], {"data": {"v": "x" * 10_000}},
                                   {"metadata": {"labels": {"app": "web"}}, "spec": [{}, []]}])
def test_weigh_is_about_the_json_text(value: object) -> None:
    text = len(json.dumps(value, separators=(",", ":")))
    assert text <= weigh(value) <= 2 * text + 16


def test_watch_whose_loop_is_gone_does_not_break_writes() -> None:
    store = ObjectStore()

    async def abandon() -> None:
        store.open_watch(KEY, None, None, asyncio.get_running_loop())

    run(abandon())
    stored = store.put(KEY, _obj("a"), event="ADDED")
    assert stored["metadata"]["resourceVersion"] == "1"


def test_changes_from_the_loop_and_from_other_threads_reach_a_watch_in_their_order() -> None:
    """A change on the watch's own loop is queued without the cross-thread wake-up, yet never
    overtakes one another thread made before it."""
    store = ObjectStore()

    def elsewhere(name: str) -> None:
        thread = threading.Thread(target=store.put, args=(KEY, _obj(name)),
                                  kwargs={"event": "ADDED"})
        thread.start()
        thread.join()

    async def scenario() -> list[str]:
        watcher = store.open_watch(KEY, None, None, asyncio.get_running_loop())
        elsewhere("a")
        store.put(KEY, _obj("b"), event="ADDED")
        elsewhere("c")
        store.put(KEY, _obj("d"), event="ADDED")
        got = [(await asyncio.wait_for(watcher.queue.get(), 5)).object["metadata"]["name"]
               for _ in range(4)]
        store.close_watch(watcher)
        return got

    assert run(scenario()) == ["a", "b", "c", "d"]


# --- watch over HTTP ------------------------------------------------------------------------------


def test_watch_from_a_resource_version_replays_later_events_in_order(api: MockApiserver) -> None:
    start = api.store.resource_version
    create(api, CMS, configmap("a"))
    call(api, "PATCH", f"{CMS}/a", body={"data": {"k": "v"}}, content_type=MERGE)
    call(api, "DELETE", f"{CMS}/a")
    reply = call(api, "GET", CMS, f"watch=true&resourceVersion={start}", stream_timeout=0.3)
    assert reply.status == 200
    got = events(reply.body)
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in got] == [
        ("ADDED", "a"), ("MODIFIED", "a"), ("DELETED", "a")]
    versions = [int(e["object"]["metadata"]["resourceVersion"]) for e in got]
    assert versions == sorted(versions) and len(set(versions)) == 3
    assert versions[0] > start
    assert got[1]["object"]["data"] == {"k": "v"}


def test_watch_from_the_current_resource_version_sends_nothing_old(api: MockApiserver) -> None:
    create(api, CMS, configmap("a"))
    reply = call(api, "GET", CMS, f"watch=true&resourceVersion={api.store.resource_version}",
                 stream_timeout=0.3)
    assert reply == (200, b"")


def test_watch_without_resource_version_starts_with_existing_objects(quiet: MockApiserver) -> None:
    create(quiet, CMS, configmap("b"))
    create(quiet, CMS, configmap("a"))

    async def scenario() -> list[tuple[str, str]]:
        response = await send(quiet, "GET", CMS, "watch=true")
        assert response.stream is not None
        # Both existing objects in the first chunk: written together, as kube flushes a watch
        # only when nothing more is queued.
        first = await next_chunk(response.stream)
        assert _summary(first or b"") == [("ADDED", "a"), ("ADDED", "b")]
        await acall(quiet, "POST", CMS, body=configmap("c"))
        await acall(quiet, "DELETE", f"{CMS}/a")
        rest = await read_stream(response.stream, 0.3)
        return _summary((first or b"") + rest)

    assert run(scenario()) == [("ADDED", "a"), ("ADDED", "b"), ("ADDED", "c"), ("DELETED", "a")]


def test_watch_with_resource_version_zero_starts_with_existing_objects(quiet: MockApiserver) -> None:
    create(quiet, CMS, configmap("a"))
    reply = call(quiet, "GET", CMS, "watch=true&resourceVersion=0", stream_timeout=0.3)
    assert _summary(reply.body) == [("ADDED", "a")]


def test_watch_stream_is_newline_delimited_json(quiet: MockApiserver) -> None:
    create(quiet, CMS, configmap("a"))
    reply = call(quiet, "GET", CMS, "watch=true", stream_timeout=0.3)
    assert isinstance(reply.body, bytes) and reply.body.endswith(b"\n")
    assert reply.body.count(b"\n") == 1
    assert events(reply.body)[0]["object"]["kind"] == "ConfigMap"


def test_watch_in_a_namespace_ignores_other_namespaces(api: MockApiserver) -> None:
    create(api, "/api/v1/namespaces", {"metadata": {"name": "team"}})
    start = api.store.resource_version
    create(api, "/api/v1/namespaces/team/configmaps", configmap("there"))
    create(api, CMS, configmap("here"))
    reply = call(api, "GET", CMS, f"watch=true&resourceVersion={start}", stream_timeout=0.3)
    assert _summary(reply.body) == [("ADDED", "here")]
    everywhere = call(api, "GET", "/api/v1/configmaps", f"watch=true&resourceVersion={start}",
                      stream_timeout=0.3)
    assert _summary(everywhere.body) == [("ADDED", "there"), ("ADDED", "here")]


def test_label_selector_watch_filters_events(api: MockApiserver) -> None:
    start = api.store.resource_version
    create(api, CMS, configmap("web", labels={"app": "web"}))
    create(api, CMS, configmap("db", labels={"app": "db"}))
    call(api, "PATCH", f"{CMS}/db", body={"data": {"k": "v"}}, content_type=MERGE)
    call(api, "PATCH", f"{CMS}/web", body={"data": {"k": "v"}}, content_type=MERGE)
    reply = call(api, "GET", CMS, f"watch=true&resourceVersion={start}&labelSelector=app%3Dweb",
                 stream_timeout=0.3)
    assert _summary(reply.body) == [("ADDED", "web"), ("MODIFIED", "web")]


def test_field_selector_watch_on_one_name(api: MockApiserver) -> None:
    start = api.store.resource_version
    create(api, CMS, configmap("a"))
    create(api, CMS, configmap("b"))
    reply = call(api, "GET", CMS,
                 f"watch=true&resourceVersion={start}&fieldSelector=metadata.name%3Db",
                 stream_timeout=0.3)
    assert _summary(reply.body) == [("ADDED", "b")]


def test_object_leaving_a_label_selector_is_reported_deleted(api: MockApiserver) -> None:
    start = api.store.resource_version
    create(api, CMS, configmap("web", labels={"app": "web"}))
    relabel = call(api, "PATCH", f"{CMS}/web", body={"metadata": {"labels": {"app": "old"}}},
                   content_type=MERGE).body
    reply = call(api, "GET", CMS, f"watch=true&resourceVersion={start}&labelSelector=app%3Dweb",
                 stream_timeout=0.3)
    got = events(reply.body)
    assert [e["type"] for e in got] == ["ADDED", "DELETED"]
    # kube sends the last matching state, at the resourceVersion of the change.
    assert got[1]["object"]["metadata"]["labels"] == {"app": "web"}
    assert got[1]["object"]["metadata"]["resourceVersion"] == relabel["metadata"]["resourceVersion"]


def test_object_entering_a_label_selector_is_reported_added(api: MockApiserver) -> None:
    create(api, CMS, configmap("web", labels={"app": "old"}))
    start = api.store.resource_version
    call(api, "PATCH", f"{CMS}/web", body={"metadata": {"labels": {"app": "web"}}},
         content_type=MERGE)
    reply = call(api, "GET", CMS, f"watch=true&resourceVersion={start}&labelSelector=app%3Dweb",
                 stream_timeout=0.3)
    assert _summary(reply.body) == [("ADDED", "web")]


def test_pod_leaving_a_phase_field_selector_is_reported_deleted(api: MockApiserver) -> None:
    create(api, PODS, pod("job"))

    async def scenario() -> list[tuple[str, str]]:
        response = await send(api, "GET", PODS, "watch=true&fieldSelector=status.phase%3DRunning")
        assert response.stream is not None
        first = await next_chunk(response.stream)
        await acall(api, "PATCH", f"{PODS}/job/status", body={"status": {"phase": "Succeeded"}},
                    content_type=MERGE)
        return _summary((first or b"") + await read_stream(response.stream, 0.3))

    assert run(scenario()) == [("ADDED", "job"), ("DELETED", "job")]


def test_namespace_delete_is_seen_as_deleted_contents(quiet: MockApiserver) -> None:
    create(quiet, "/api/v1/namespaces", {"metadata": {"name": "team"}})
    create(quiet, "/api/v1/namespaces/team/configmaps", configmap("app"))
    start = quiet.store.resource_version
    call(quiet, "DELETE", "/api/v1/namespaces/team")
    reply = call(quiet, "GET", "/api/v1/configmaps", f"watch=true&resourceVersion={start}",
                 stream_timeout=0.3)
    assert _summary(reply.body) == [("DELETED", "app")]


def test_timeout_seconds_ends_the_stream(quiet: MockApiserver) -> None:
    async def scenario() -> tuple[bytes | None, float]:
        response = await send(quiet, "GET", CMS, "watch=true&timeoutSeconds=1")
        assert response.stream is not None
        started = time.monotonic()
        end = await next_chunk(response.stream, timeout=5)
        return end, time.monotonic() - started

    end, elapsed = run(scenario())
    assert end is None
    assert 0.5 < elapsed < 4


def test_watch_sees_changes_made_after_it_opened(api: MockApiserver) -> None:
    async def scenario() -> list[tuple[str, str]]:
        response = await send(api, "GET", CMS, f"watch=true&resourceVersion="
                                              f"{api.store.resource_version}")
        assert response.stream is not None
        await acall(api, "POST", CMS, body=configmap("late"))
        chunk = await next_chunk(response.stream)
        await response.stream.aclose()  # type: ignore[attr-defined]
        return _summary(chunk or b"")

    assert run(scenario()) == [("ADDED", "late")]


def test_events_queued_while_a_watch_waits_go_out_as_one_chunk(api: MockApiserver) -> None:
    """As kube-apiserver flushes a watch only when its channel is empty: what the client has not
    been sent yet is written at once, each event still a whole line."""
    async def scenario() -> bytes | None:
        response = await send(api, "GET", CMS, f"watch=true&resourceVersion="
                                              f"{api.store.resource_version}")
        assert response.stream is not None
        for name in ("x", "y", "z"):
            await acall(api, "POST", CMS, body=configmap(name))
        chunk = await next_chunk(response.stream)
        await response.stream.aclose()  # type: ignore[attr-defined]
        return chunk

    chunk = run(scenario())
    assert chunk is not None and chunk.endswith(b"\n")
    assert _summary(chunk) == [("ADDED", "x"), ("ADDED", "y"), ("ADDED", "z")]


def test_a_chunk_of_queued_events_is_cut_at_the_write_size(
        quiet: MockApiserver, monkeypatch: pytest.MonkeyPatch) -> None:
    from emulator.cluster.mock.wire import watch

    monkeypatch.setattr(watch, "WRITE_BYTES", 1)  # every event is over it: one a chunk
    create(quiet, CMS, configmap("old"))

    async def scenario() -> list[bytes | None]:
        response = await send(quiet, "GET", CMS, "watch=true")
        assert response.stream is not None
        for name in ("x", "y"):
            await acall(quiet, "POST", CMS, body=configmap(name))
        chunks = [await next_chunk(response.stream) for _ in range(3)]
        await response.stream.aclose()  # type: ignore[attr-defined]
        return chunks

    assert [_summary(chunk or b"") for chunk in run(scenario())] == [
        [("ADDED", "old")], [("ADDED", "x")], [("ADDED", "y")]]


def test_too_old_resource_version_is_410_expired(api: MockApiserver) -> None:
    start = api.store.resource_version
    create(api, CMS, configmap("hot"))
    for i in range(store_module.HISTORY_LIMIT):
        api.store.put(KEY, {**_obj("hot"), "data": {"i": str(i)}}, event="MODIFIED")
    oldest = api.store.resource_version - store_module.HISTORY_LIMIT + 1
    reply = call(api, "GET", CMS, f"watch=true&resourceVersion={start}")
    assert_status(reply, 410, "Expired", messages.K8S_TOO_OLD_RESOURCE_VERSION.format(
        requested=start, oldest=oldest))


def test_oldest_resource_version_still_in_history_resumes(api: MockApiserver) -> None:
    for i in range(store_module.HISTORY_LIMIT + 10):
        api.store.put(KEY, {**_obj("hot"), "data": {"i": str(i)}}, event="MODIFIED")
    oldest = api.store.resource_version - store_module.HISTORY_LIMIT + 1
    reply = call(api, "GET", CMS, f"watch=true&resourceVersion={oldest - 1}", stream_timeout=0.5)
    assert reply.status == 200
    assert len(events(reply.body)) == store_module.HISTORY_LIMIT


def test_non_numeric_resource_version_is_400(api: MockApiserver) -> None:
    assert_status(call(api, "GET", CMS, "watch=true&resourceVersion=abc"), 400, "BadRequest",
                  messages.K8S_INVALID_INTEGER.format(name="resourceVersion", value="abc"))


def test_unknown_parameter_on_a_watch_is_400(api: MockApiserver) -> None:
    assert_status(call(api, "GET", CMS, "watch=true&sendInitialEvents=true"), 400, "BadRequest",
                  messages.K8S_UNSUPPORTED_PARAMETER.format(name="sendInitialEvents",
                                                            value="true"))


def test_unsupported_field_selector_on_a_watch_is_400(api: MockApiserver) -> None:
    assert_status(call(api, "GET", CMS, "watch=true&fieldSelector=data.k%3Dv"), 400,
                  "BadRequest", messages.SELECTOR_FIELD_NOT_SUPPORTED.format(field="data.k"))


def test_watch_as_table_sends_column_definitions_once(api: MockApiserver) -> None:
    start = api.store.resource_version
    create(api, CMS, configmap("a", data={"k": "v"}))
    create(api, CMS, configmap("b"))
    reply = call(api, "GET", CMS, f"watch=true&resourceVersion={start}", accept=TABLE_ACCEPT,
                 stream_timeout=0.3)
    first, second = events(reply.body)
    assert first["object"]["kind"] == second["object"]["kind"] == "Table"
    assert [c["name"] for c in first["object"]["columnDefinitions"]] == ["Name", "Data", "Age"]
    assert second["object"]["columnDefinitions"] == []
    assert [first["object"]["rows"][0]["cells"][:2], second["object"]["rows"][0]["cells"][:2]] == [
        ["a", 1], ["b", 0]]


def test_unread_watch_does_not_break_later_writes(api: MockApiserver) -> None:
    async def open_and_drop() -> int:
        response = await send(api, "GET", CMS, "watch=true")
        return response.status

    assert run(open_and_drop()) == 200
    assert call(api, "POST", CMS, body=configmap("after")).status == 201


def test_closed_watch_unregisters_its_watcher(api: MockApiserver) -> None:
    async def scenario() -> None:
        response = await send(api, "GET", CMS, "watch=true")
        assert response.stream is not None
        await read_stream(response.stream, 0.05)

    run(scenario())
    # After the stream closed, a write has no one to notify: the store is back to no watchers.
    assert api.store._watchers == []  # noqa: SLF001 - the leak is only visible inside


def test_a_watch_writes_an_object_stored_in_its_version_as_the_stored_json(
        api: MockApiserver, monkeypatch: pytest.MonkeyPatch) -> None:
    """The bytes are those encoding the object again would write, for every kind of event: as
    itself, moved out of a selector (a DELETED made for that watch), compressed (Events), Go's
    escapes and UTF-8, and converted to another version (HPA v2 stored, watched as v1)."""
    from emulator.cluster.mock.wire import watch

    start = api.store.resource_version
    create(api, CMS, configmap("web", labels={"app": "web"}, data={"page": "<b>&ü\u2028</b>"}))
    call(api, "PATCH", f"{CMS}/web", body={"data": {"k": "v"}}, content_type=MERGE)
    call(api, "PATCH", f"{CMS}/web", body={"metadata": {"labels": {"app": "gone"}}},
         content_type=MERGE)
    call(api, "DELETE", f"{CMS}/web")
    create(api, PODS, pod("p"))  # the kubelet writes its Events, which are stored compressed
    hpas = "/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers"
    create(api, hpas, {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
                       "metadata": {"name": "h"}, "spec": {
                           "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment",
                                              "name": "web"}, "maxReplicas": 3}})
    watches = [(CMS, ""), (CMS, "&labelSelector=app%3Dweb"), (PODS, ""),
               ("/api/v1/namespaces/default/events", ""),
               (hpas, ""), (hpas.replace("/v2/", "/v1/"), "")]

    def bodies() -> list[bytes]:
        return [call(api, "GET", path, f"watch=true&resourceVersion={start}{more}",
                     stream_timeout=0.3).body for path, more in watches]

    encoded: list[str] = []
    line = watch._line
    monkeypatch.setattr(watch, "_line", lambda kind, obj: encoded.append(kind) or line(kind, obj))
    shared = bodies()
    shared_encodes = len(encoded)
    monkeypatch.setattr(store_module.WatchEvent, "object_json", lambda self: None)
    assert bodies() == shared
    # Encoded again only for the event made for the selector watch, and the HPA's (a kind whose
    # versions differ in more than their name is never written as stored).
    assert shared_encodes == 3 and len(encoded) - shared_encodes == 18  # every line
    assert [body.count(b"\n") for body in shared] == [4, 3, 4, 5, 1, 1]
