"""Events under two APIs (upstream pkg/registry/events, pkg/apis/events/v1/conversion.go and
AddFieldLabelConversionsForEvent): events.k8s.io/v1 serves the core Events' storage, so one
object is read, written, listed and watched through either, in each API's shape."""

from __future__ import annotations

import copy
from typing import Any

from emulator.cluster.mock.apiserver import MockApiserver
from emulator.cluster.mock.registry import conversion

from .conftest import TABLE_ACCEPT, acall, call, create, events, pod, read_stream, run, send

CORE = "/api/v1/namespaces/default/events"
V1 = "/apis/events.k8s.io/v1/namespaces/default/events"
TIME = "2026-01-01T00:00:00.000000Z"


def event_v1(name: str, **fields: Any) -> dict[str, Any]:
    """An Event as a client of events.k8s.io/v1 writes it (client-go's tools/events)."""
    return {"apiVersion": "events.k8s.io/v1", "kind": "Event",
            "metadata": {"name": name, "namespace": "default"},
            "eventTime": TIME, "reportingController": "example.com/ctl",
            "reportingInstance": "ctl-1", "action": "Reconcile", "reason": "Synced",
            "regarding": {"apiVersion": "v1", "kind": "Pod", "name": "web",
                          "namespace": "default"},
            "note": "in sync", "type": "Normal", **fields}


def event_core(name: str, **fields: Any) -> dict[str, Any]:
    """An Event as client-go's tools/record writes it through the core API."""
    return {"apiVersion": "v1", "kind": "Event",
            "metadata": {"name": name, "namespace": "default"},
            "involvedObject": {"apiVersion": "v1", "kind": "Pod", "name": "web",
                               "namespace": "default"},
            "reason": "BackOff", "message": "backing off", "source": {"component": "kubelet"},
            "firstTimestamp": "2026-01-01T00:00:00Z", "lastTimestamp": "2026-01-01T00:00:05Z",
            "count": 3, "type": "Warning", **fields}


# -- the conversion ------------------------------------------------------------------------------


def test_an_events_v1_event_is_the_core_event_with_the_core_names() -> None:
    sent = event_v1("e", deprecatedCount=2)
    kept = copy.deepcopy(sent)
    core = conversion.convert(sent, "v1")
    assert sent == kept  # a converted copy
    assert list(core) == ["apiVersion", "kind", "metadata", "involvedObject", "reason", "message",
                          "source", "firstTimestamp", "lastTimestamp", "count", "type",
                          "eventTime", "action", "reportingComponent", "reportingInstance"]
    assert (core["involvedObject"], core["message"], core["count"]) == (
        sent["regarding"], "in sync", 2)
    assert core["reportingComponent"] == "example.com/ctl"
    # What the core struct writes when zero: an empty source, null timestamps.
    assert (core["source"], core["firstTimestamp"], core["lastTimestamp"]) == ({}, None, None)


def test_a_core_event_through_events_v1_keeps_every_field_under_its_new_name() -> None:
    core = event_core("e", reportingComponent="kubelet", reportingInstance="node-1",
                      eventTime=None)
    shown = conversion.convert(core, "events.k8s.io/v1")
    assert shown == {
        "apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": core["metadata"],
        "eventTime": None, "reportingController": "kubelet", "reportingInstance": "node-1",
        "reason": "BackOff", "regarding": core["involvedObject"], "note": "backing off",
        "type": "Warning", "deprecatedSource": {"component": "kubelet"},
        "deprecatedFirstTimestamp": "2026-01-01T00:00:00Z",
        "deprecatedLastTimestamp": "2026-01-01T00:00:05Z", "deprecatedCount": 3}
    assert conversion.convert(shown, "v1") == {**core, "eventTime": None}


def test_omitempty_fields_that_hold_zero_are_left_out() -> None:
    core = event_core("e", count=0, reportingComponent="", reportingInstance="")
    shown = conversion.convert(core, "events.k8s.io/v1")
    assert not {"deprecatedCount", "reportingController", "reportingInstance"} & shown.keys()
    back = conversion.convert(shown, "v1")
    assert (back["reportingComponent"], back["reportingInstance"]) == ("", "")  # not omitempty
    assert "count" not in back


# -- one storage ----------------------------------------------------------------------------------


def test_written_through_one_api_read_through_the_other(quiet: MockApiserver) -> None:
    created = create(quiet, V1, event_v1("synced"))
    assert created["apiVersion"] == "events.k8s.io/v1" and created["note"] == "in sync"
    core = call(quiet, "GET", f"{CORE}/synced").body
    assert (core["apiVersion"], core["message"], core["metadata"]["uid"]) == (
        "v1", "in sync", created["metadata"]["uid"])
    # managedFields are recorded in the version the manager wrote, and read as they are.
    entry, = core["metadata"]["managedFields"]
    assert entry["apiVersion"] == "events.k8s.io/v1"
    assert {"f:note", "f:regarding", "f:reportingController"} <= entry["fieldsV1"].keys()

    create(quiet, CORE, event_core("backoff"))
    shown = call(quiet, "GET", f"{V1}/backoff").body
    assert (shown["note"], shown["deprecatedCount"]) == ("backing off", 3)
    listed = call(quiet, "GET", V1).body
    assert sorted(i["metadata"]["name"] for i in listed["items"]) == ["backoff", "synced"]
    assert {i["apiVersion"] for i in listed["items"]} == {"events.k8s.io/v1"}

    assert call(quiet, "DELETE", f"{V1}/backoff").status == 200
    assert call(quiet, "GET", f"{CORE}/backoff").status == 404


def test_an_update_through_the_core_api_shows_through_events_v1(quiet: MockApiserver) -> None:
    create(quiet, V1, event_v1("synced"))
    current = call(quiet, "GET", f"{CORE}/synced").body
    current["count"] = 2  # a core write is held to the legacy checks alone
    assert call(quiet, "PUT", f"{CORE}/synced", body=current).status == 200
    assert call(quiet, "GET", f"{V1}/synced").body["deprecatedCount"] == 2


def test_a_missing_event_is_named_by_the_api_asked(quiet: MockApiserver) -> None:
    for accept in (None, TABLE_ACCEPT):
        reply = call(quiet, "GET", f"{V1}/nothing", accept=accept)
        assert reply.status == 404
        assert reply.body["message"] == 'events.events.k8s.io "nothing" not found'
    assert call(quiet, "GET", f"{CORE}/nothing").body["message"] == 'events "nothing" not found'


def test_the_table_through_events_v1_prints_the_core_columns(quiet: MockApiserver) -> None:
    create(quiet, CORE, event_core("backoff"))
    table = call(quiet, "GET", V1, accept=TABLE_ACCEPT).body
    row, = table["rows"]
    columns = [c["name"] for c in table["columnDefinitions"]]
    cells = dict(zip(columns, row["cells"]))
    assert (cells["Reason"], cells["Object"], cells["Message"]) == (
        "BackOff", "pod/web", "backing off")


# -- field selectors ----------------------------------------------------------------------------


def names(reply_body: dict[str, Any]) -> list[str]:
    return sorted(item["metadata"]["name"] for item in reply_body["items"])


def test_each_api_selects_by_its_own_labels(quiet: MockApiserver) -> None:
    create(quiet, V1, event_v1("synced"))
    create(quiet, CORE, event_core("backoff", involvedObject={"kind": "Pod", "name": "db"}))
    assert names(call(quiet, "GET", V1, "fieldSelector=regarding.name%3Dweb").body) == ["synced"]
    assert names(call(quiet, "GET", CORE, "fieldSelector=involvedObject.name%3Ddb").body) == [
        "backoff"]
    assert names(call(quiet, "GET", V1,
                      "fieldSelector=reportingController%3Dexample.com/ctl").body) == ["synced"]
    for path, label in ((V1, "involvedObject.name"), (V1, "reportingComponent"),
                        (CORE, "regarding.name"), (CORE, "note")):
        reply = call(quiet, "GET", path, f"fieldSelector={label}%3Dx")
        assert reply.status == 400
        assert reply.body["message"] == f"field label not supported: {label}"


def test_source_is_the_component_else_the_reporting_controller(quiet: MockApiserver) -> None:
    create(quiet, V1, event_v1("synced"))
    create(quiet, CORE, event_core("backoff"))
    for path in (CORE, V1):
        assert names(call(quiet, "GET", path, "fieldSelector=source%3Dkubelet").body) == [
            "backoff"]
        assert names(call(quiet, "GET", path,
                          "fieldSelector=source%3Dexample.com/ctl").body) == ["synced"]


def test_a_watch_through_events_v1_sees_core_writes_in_its_shape(quiet: MockApiserver) -> None:
    create(quiet, CORE, event_core("before"))

    async def scenario() -> bytes:
        response = await send(quiet, "GET", V1, "watch=true&fieldSelector=regarding.name%3Dweb")
        assert response.stream is not None
        other = event_core("elsewhere", involvedObject={"kind": "Pod", "name": "db"})
        for body in (event_core("after"), other):
            created = await acall(quiet, "POST", CORE, body=body)
            assert created.status == 201, created.body
        return await read_stream(response.stream, timeout=0.5)

    sent = events(run(scenario()))
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in sent] == [
        ("ADDED", "before"), ("ADDED", "after")]
    assert {e["object"]["apiVersion"] for e in sent} == {"events.k8s.io/v1"}
    assert sent[1]["object"]["note"] == "backing off"


def test_the_kubelets_events_are_listed_through_events_v1(api: MockApiserver) -> None:
    create(api, "/api/v1/namespaces/default/pods", pod("web", "main"))
    shown = call(api, "GET", V1, "fieldSelector=regarding.name%3Dweb,reason%3DStarted").body
    started, = shown["items"]
    assert started["deprecatedSource"]["component"] == "kubelet"
    assert started["eventTime"] is None  # written through the core API, never given one
    core = call(api, "GET", CORE, "fieldSelector=involvedObject.name%3Dweb").body
    assert names(call(api, "GET", V1, "fieldSelector=regarding.name%3Dweb").body) == names(core)


# -- validation (pkg/apis/core/validation/events.go) ---------------------------------------------


def test_events_v1_wants_a_new_events_fields(quiet: MockApiserver) -> None:
    bare = {"apiVersion": "events.k8s.io/v1", "kind": "Event",
            "metadata": {"name": "bare", "namespace": "default"},
            "regarding": {"kind": "Pod", "name": "web", "namespace": "default"}}
    reply = call(quiet, "POST", V1, body=bare)
    assert reply.status == 422
    assert reply.body["message"] == (
        'Event "bare" is invalid: [eventTime: Required value, '
        'type: Invalid value: "": has invalid value: ]')
    assert reply.body["details"]["kind"] == "Event" and "group" not in reply.body["details"]

    timed = {**bare, "eventTime": TIME, "type": "Normal"}
    assert call(quiet, "POST", V1, body=timed).body["message"] == (
        'Event "bare" is invalid: [reportingController: Required value, '
        'reportingController: Invalid value: "": name part must be non-empty, '
        'reportingController: Invalid value: "": name part must consist of alphanumeric '
        "characters, '-', '_' or '.', and must start and end with an alphanumeric character "
        "(e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
        "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]'), reportingInstance: Required value, "
        "action: Required value, reason: Required value]")


def test_events_v1_refuses_the_deprecated_core_fields_on_create(quiet: MockApiserver) -> None:
    sent = event_v1("old-style", deprecatedCount=2, deprecatedSource={"component": "kubelet"},
                    deprecatedFirstTimestamp="2026-01-01T00:00:00Z", type="Info")
    reply = call(quiet, "POST", V1, body=sent)
    assert reply.status == 422
    assert reply.body["message"] == (
        'Event "old-style" is invalid: [type: Invalid value: "": has invalid value: Info, '
        'firstTimestamp: Invalid value: "": needs to be unset, '
        'count: Invalid value: "": needs to be unset, '
        'source: Invalid value: "": needs to be unset]')


def test_every_write_passes_the_legacy_checks(quiet: MockApiserver) -> None:
    elsewhere = event_core("stray", involvedObject={"kind": "Pod", "name": "web",
                                                    "namespace": "other"})
    reply = call(quiet, "POST", CORE, body=elsewhere)
    assert reply.status == 422
    assert reply.body["message"] == ('Event "stray" is invalid: involvedObject.namespace: '
                                     'Invalid value: "other": does not match event.namespace')
    # A core Event with an eventTime is a new one: the core API names its reporting controller
    # by the core field.
    timed = event_core("timed", eventTime=TIME, reportingComponent="bad name!",
                       reportingInstance="x" * 129, action="Act")
    causes = call(quiet, "POST", CORE, body=timed).body["details"]["causes"]
    assert [(c["field"], c["message"]) for c in causes] == [
        ("reportingComponent", 'Invalid value: "bad name!": name part must consist of '
         "alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
         "character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
         "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"),
        ("reportingInstance", 'Invalid value: "": can have at most 128 characters')]


def test_an_events_v1_update_changes_its_series_alone(quiet: MockApiserver) -> None:
    created = create(quiet, V1, event_v1("synced"))
    created["series"] = {"count": 2, "lastObservedTime": "2026-01-01T00:01:00.000000Z"}
    updated = call(quiet, "PUT", f"{V1}/synced", body=created)
    assert updated.status == 200, updated.body
    updated.body["series"]["count"] = 1
    assert call(quiet, "PUT", f"{V1}/synced", body=updated.body).body["message"] == (
        'Event "synced" is invalid: series.count: Invalid value: "": should be at least 2')

    current = call(quiet, "GET", f"{V1}/synced").body
    changed = {**current, "note": "changed", "reason": "Other",
               "regarding": {**current["regarding"], "name": "db"}}
    reply = call(quiet, "PUT", f"{V1}/synced", body=changed)
    assert reply.status == 422
    assert [(c["field"], c["message"]) for c in reply.body["details"]["causes"]] == [
        ("involvedObject", 'Invalid value: core.ObjectReference{Kind:"Pod", '
         'Namespace:"default", Name:"db", UID:"", APIVersion:"v1", ResourceVersion:"", '
         'FieldPath:""}: field is immutable'),
        ("reason", 'Invalid value: "Other": field is immutable'),
        ("message", 'Invalid value: "changed": field is immutable'),
        ("reason", 'Invalid value: "Other": field is immutable')]
    # A MicroTime takes exactly six fraction digits in JSON (time.Parse of RFC3339Micro).
    finer = {**current, "eventTime": "2026-01-01T00:00:00.000000400Z"}
    assert call(quiet, "PUT", f"{V1}/synced", body=finer).body["message"] == (
        'Event in version "v1" cannot be handled as a Event: parsing time '
        '"2026-01-01T00:00:00.000000400Z" as "2006-01-02T15:04:05.000000Z07:00": cannot parse '
        '"400Z" as "Z07:00"')
    # The core API holds the same Event to the legacy checks alone.
    core = call(quiet, "GET", f"{CORE}/synced").body
    assert call(quiet, "PUT", f"{CORE}/synced", body={**core, "message": "free"}).status == 200
