"""Server-side apply and managedFields (emulator.cluster.mock.registry.apply). Expected values
come from kube's behaviour as its code states it: k8s.io/apimachinery
pkg/util/managedfields/internal and sigs.k8s.io/structured-merge-diff merge/ (cited per test)."""

from __future__ import annotations

import json

import pytest

from emulator.cluster.mock.registry.apply import apply, update_managed_fields
from emulator.cluster.mock.registry.applymerge import compare, merge, to_field_set
from emulator.cluster.mock.registry.applytypes import DEDUCED, builtin_types, crd_types
from emulator.cluster.mock.registry.fieldsets import to_fields_v1
from emulator.cluster.mock.registry.schema import schema_for
from emulator.cluster.mock.wire.status import KubeError

T0, T1, T2 = "2026-12-06T17:00:00Z", "2026-12-06T17:00:01Z", "2026-12-06T17:00:02Z"
SCHEMA = schema_for(30)
CM = builtin_types(SCHEMA, "v1", "ConfigMap")
DEPLOY = builtin_types(SCHEMA, "apps/v1", "Deployment")


def cm(data: dict, **meta) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "c", "namespace": "default", **meta}, "data": data}


def stored(obj: dict) -> dict:
    """As the apiserver keeps a created object: with a uid."""
    obj["metadata"]["uid"] = "u-1"
    return obj


def entries(obj: dict) -> list[tuple[str, str, dict]]:
    return [(e["manager"], e["operation"], e["fieldsV1"]) for e in obj["metadata"]["managedFields"]]


def do_apply(live, config, manager="kubectl", force=False, time=T1, types=CM, api_version="v1"):
    return apply(live, config, manager=manager, force=force, operation_time=time,
                 api_version=api_version, types=types)


def create(obj, manager="kubectl-create", types=CM, api_version="v1"):
    return stored(update_managed_fields(None, obj, manager=manager, operation_time=T0,
                                        api_version=api_version, types=types))


def test_create_records_an_update_entry() -> None:
    # managedfieldsupdater.go + compare.go: a new granular map is itself added ("." member);
    # managedfields.go encodes manager, operation, apiVersion, time, fieldsType, fieldsV1.
    out = create(cm({"a": "1"}, labels={"app": "x"}))
    assert out["metadata"]["managedFields"] == [{
        "manager": "kubectl-create", "operation": "Update", "apiVersion": "v1", "time": T0,
        "fieldsType": "FieldsV1",
        "fieldsV1": {"f:data": {".": {}, "f:a": {}},
                     "f:metadata": {"f:labels": {".": {}, "f:app": {}}}}}]


def test_apply_entry_has_no_dot_for_applied_maps() -> None:
    # tofieldset.go: an applied configuration owns leaves and list items, not the named maps
    # around them; stripmeta.go drops apiVersion, kind, metadata.name/namespace.
    out = do_apply(None, cm({"a": "1"}))
    assert entries(out) == [("kubectl", "Apply", {"f:data": {"f:a": {}}})]
    assert out["data"] == {"a": "1"}


def test_conflict_with_an_updater_has_kubes_wording() -> None:
    # conflict.go getConflictMessage / printManager (an Update manager: "using <apiVersion>";
    # the identifier has no time); NewApplyConflict: 409 Conflict, FieldManagerConflict causes.
    live = create(cm({"a": "1"}), manager="kubectl-client-side-apply")
    with pytest.raises(KubeError) as caught:
        do_apply(live, cm({"a": "2"}), manager="kubectl")
    error = caught.value
    assert (error.code, error.reason) == (409, "Conflict")
    assert error.message == ('Apply failed with 1 conflict: conflict with '
                             '"kubectl-client-side-apply" using v1: .data.a')
    assert error.details == {"causes": [{"reason": "FieldManagerConflict",
                                         "message": 'conflict with "kubectl-client-side-apply" using v1',
                                         "field": ".data.a"}]}


def test_plural_conflicts_grouped_by_sorted_manager() -> None:
    # conflict_test.go: "Apply failed with 2 conflicts: conflicts with "bar":\n- ...".
    live = do_apply(None, cm({"a": "1"}), manager="bar")
    live = stored(live)
    live = update_managed_fields(live, cm({"a": "1", "b": "1"}) | {
        "metadata": live["metadata"]}, manager="foo", operation_time=T1, api_version="v1",
        types=CM)
    with pytest.raises(KubeError) as caught:
        do_apply(live, cm({"a": "2", "b": "2"}), manager="baz", time=T2)
    assert caught.value.message == (
        'Apply failed with 2 conflicts: conflicts with "bar":\n- .data.a\n'
        'conflicts with "foo" using v1:\n- .data.b')


def test_force_takes_ownership() -> None:
    # update.go Updater.update: with force, conflicting fields leave the other manager; it
    # keeps the map it created (".data", written "f:data": {}) since nobody changed that.
    live = create(cm({"a": "1"}), manager="kubectl-client-side-apply")
    out = do_apply(live, cm({"a": "2"}), force=True)
    assert out["data"] == {"a": "2"}
    assert entries(out) == [("kubectl", "Apply", {"f:data": {"f:a": {}}}),
                            ("kubectl-client-side-apply", "Update", {"f:data": {}})]


def test_same_value_is_shared_without_conflict() -> None:
    # update.go: only modified or added fields conflict; two appliers of one value both own it.
    live = stored(do_apply(None, cm({"a": "1"}), manager="one"))
    out = do_apply(live, cm({"a": "1"}), manager="two", time=T2)
    # Nothing changed, so "two" gets no time (managedfieldsupdater.go Apply sets one only
    # when the object changes), and sorts first (managedfields.go: no time is second 0).
    assert [(m, op) for m, op, _ in entries(out)] == [("two", "Apply"), ("one", "Apply")]
    assert all(f == {"f:data": {"f:a": {}}} for _, _, f in entries(out))
    assert "time" not in out["metadata"]["managedFields"][0]


def test_fields_no_longer_applied_are_removed_unless_someone_else_owns_them() -> None:
    # update.go prune / addBackOwnedItems.
    live = stored(do_apply(None, cm({"a": "1", "b": "1", "c": "1"})))
    live = do_apply(live, cm({"a": "1", "c": "1"}), manager="other", time=T2)
    out = do_apply(live, cm({"a": "1"}), time=T2)
    assert out["data"] == {"a": "1", "c": "1"}
    assert ("kubectl", "Apply", {"f:data": {"f:a": {}}}) in entries(out)


def test_update_after_apply_moves_changed_fields() -> None:
    # Updater.Update run as "current-operation" (managedfieldsupdater.go): the updater gets
    # what it changed, the applier keeps the rest.
    live = stored(do_apply(None, cm({"a": "1", "b": "1"})))
    new = cm({"a": "9", "b": "1"})
    new["metadata"]["managedFields"] = live["metadata"]["managedFields"]
    out = update_managed_fields(live, new, manager="kubectl-edit", operation_time=T2,
                                api_version="v1", types=CM)
    assert entries(out) == [("kubectl", "Apply", {"f:data": {"f:b": {}}}),
                            ("kubectl-edit", "Update", {"f:data": {"f:a": {}}})]


def test_request_managed_fields_are_taken_as_given() -> None:
    # fieldmanager.go decodeLiveOrNew: kubectl's csaupgrade patches managedFields; kube keeps
    # what the request sends (a change or not), and [] resets, leaving the object untracked
    # (skipnonapplied.go: a live object with a uid and no managers is not tracked).
    live = create(cm({"a": "1"}), manager="kubectl-client-side-apply")
    given = [{"manager": "kubectl", "operation": "Apply", "apiVersion": "v1", "time": T0,
              "fieldsType": "FieldsV1", "fieldsV1": {"f:data": {"f:a": {}}}}]
    new = cm({"a": "1"})
    new["metadata"]["managedFields"] = given
    out = update_managed_fields(live, new, manager="kubectl", operation_time=T1,
                                api_version="v1", types=CM)
    assert out["metadata"]["managedFields"] == given
    new["metadata"]["managedFields"] = []
    out = update_managed_fields(live, new, manager="kubectl", operation_time=T1,
                                api_version="v1", types=CM)
    assert "managedFields" not in out["metadata"]


def test_subresource_ignores_request_managed_fields_and_records_subresource() -> None:
    live = create(cm({"a": "1"}))
    new = cm({"a": "1"}, labels={"x": "y"})
    new["metadata"]["managedFields"] = []
    out = update_managed_fields(live, new, manager="m", operation_time=T1, api_version="v1",
                                types=CM, subresource="status", reset_paths=[("data",)])
    assert out["metadata"]["managedFields"][1]["subresource"] == "status"
    assert out["metadata"]["managedFields"][1]["fieldsV1"] == {
        "f:metadata": {"f:labels": {".": {}, "f:x": {}}}}


def test_reset_paths_are_not_recorded() -> None:
    # Updater IgnoreFilter from a strategy's GetResetFields (e.g. deployment: "status").
    out = update_managed_fields(None, cm({"a": "1"}), manager="m", operation_time=T0,
                                api_version="v1", types=CM, reset_paths=[("data",)])
    assert "managedFields" not in out["metadata"]


def test_update_managers_are_capped_into_ancient_changes() -> None:
    # capmanagers.go: more than 10 Update managers; the oldest fold into "ancient-changes".
    obj = cm({})
    live = None
    for i in range(11):
        obj = cm({f"k{i:02}": "v"} | (live or {}).get("data", {}))
        if live:
            obj["metadata"]["managedFields"] = live["metadata"]["managedFields"]
        live = stored(update_managed_fields(live, obj, manager=f"m{i:02}",
                                            operation_time=f"2026-12-06T17:00:{i:02}Z",
                                            api_version="v1", types=CM))
    managers = [e["manager"] for e in live["metadata"]["managedFields"]]
    assert len(managers) == 10 and "ancient-changes" in managers
    assert "m00" not in managers and "m01" not in managers


def test_deployment_lists_merge_by_key_with_defaulted_protocol() -> None:
    # Container ports are keyed on containerPort+protocol; SMD fills the missing protocol from
    # the schema's default "TCP" (k8s.io/api core/v1 ContainerPort +default="TCP").
    config = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
              "spec": {"template": {"spec": {"containers": [
                  {"name": "nginx", "image": "nginx:1", "args": ["a"],
                   "ports": [{"containerPort": 80}]}]}}}}
    fields = to_fields_v1(to_field_set(config, DEPLOY))
    container = fields["f:spec"]["f:template"]["f:spec"]["f:containers"]['k:{"name":"nginx"}']
    assert container == {".": {}, "f:args": {}, "f:image": {}, "f:name": {}, "f:ports": {
        'k:{"containerPort":80,"protocol":"TCP"}': {".": {}, "f:containerPort": {}}}}
    live = {"spec": {"template": {"spec": {"containers": [
        {"name": "sidecar", "image": "s"}, {"name": "nginx", "image": "old", "args": ["x", "y"]}]}}}}
    merged = merge(live, config, DEPLOY)
    containers = merged["spec"]["template"]["spec"]["containers"]
    assert [c["name"] for c in containers] == ["sidecar", "nginx"]  # live order kept
    assert containers[1]["image"] == "nginx:1" and containers[1]["args"] == ["a"]  # atomic list


def test_set_lists_union_and_new_items_append() -> None:
    # merge.go visitListItems: finalizers are a set; a new applied item placed before a shared
    # one comes before it, live-only items keep their place after the shared ones.
    pod = builtin_types(SCHEMA, "v1", "Pod")
    merged = merge({"metadata": {"finalizers": ["a", "b"]}},
                   {"metadata": {"finalizers": ["c", "a"]}}, pod)
    assert merged["metadata"]["finalizers"] == ["c", "a", "b"]
    merged = merge({"metadata": {"finalizers": ["a", "b"]}},
                   {"metadata": {"finalizers": ["a", "c"]}}, pod)
    assert merged["metadata"]["finalizers"] == ["a", "b", "c"]


def test_compare_marks_new_granular_maps_added() -> None:
    c = compare({}, {"data": {"a": "1"}}, CM)
    assert to_fields_v1(c.added) == {"f:data": {".": {}, "f:a": {}}}
    assert c.modified.empty() and c.removed.empty()


@pytest.mark.parametrize(("before", "after", "modified"), [
    (1, 1.0, False),  # SMD's value.Equals: numbers by value
    (True, 1, True),  # a bool is never a number
    (1, True, True),
    (False, False, False),
    ("1", 1, True),
    (None, None, False),
    ([1, True], [1.0, True], False),
    ([True], [1], True),
    ({"k": 1}, {"k": 1.0}, False),
    ({"k": False}, {"k": 0}, True),
], ids=["int-float", "bool-int", "int-bool", "bools", "string-int", "nulls", "list-numbers",
        "list-bool-int", "map-numbers", "map-bool-int"])
def test_compare_holds_values_equal_as_smd_does(before: object, after: object,
                                                modified: bool) -> None:
    # A deduced type (no schema: a custom resource's free-form field) is where any JSON value
    # can meet any other.
    c = compare({"m": {"x": before}}, {"m": {"x": after}}, DEDUCED)
    assert c.modified.empty() is not modified, to_fields_v1(c.modified)
    assert c.added.empty() and c.removed.empty()


def test_an_update_leaves_the_live_object_as_it_was() -> None:
    live = create(cm({"a": "1"}))
    kept = json.dumps(live, sort_keys=True)
    update_managed_fields(live, cm({"a": "2"}, uid="u-1"), manager="other", operation_time=T1,
                          api_version="v1", types=CM)
    assert json.dumps(live, sort_keys=True) == kept


def test_crd_list_map_and_typed_metadata() -> None:
    schema = {"type": "object", "properties": {"spec": {"type": "object", "properties": {
        "items": {"type": "array", "x-kubernetes-list-type": "map",
                  "x-kubernetes-list-map-keys": ["id"],
                  "items": {"type": "object", "properties": {"id": {"type": "string"},
                                                            "v": {"type": "string"}}}}}}}}
    types = crd_types(schema, SCHEMA)
    config = {"apiVersion": "x.io/v1", "kind": "W", "metadata": {"name": "w",
                                                               "labels": {"a": "b"}},
              "spec": {"items": [{"id": "1", "v": "x"}]}}
    assert to_fields_v1(to_field_set(config, types)) == {
        "f:apiVersion": {}, "f:kind": {},
        "f:metadata": {"f:labels": {"f:a": {}}, "f:name": {}},
        "f:spec": {"f:items": {'k:{"id":"1"}': {".": {}, "f:id": {}, "f:v": {}}}}}


def test_deduced_lists_are_atomic() -> None:
    assert to_fields_v1(to_field_set({"a": [1, 2], "m": {"k": 1}}, DEDUCED)) == {
        "f:a": {}, "f:m": {".": {}, "f:k": {}}}


def test_kubectl_may_take_fields_its_last_applied_set() -> None:
    # lastappliedmanager.go: a conflict on a field of the last-applied annotation that live
    # still holds is no conflict for "kubectl"; lastappliedupdater.go rewrites the annotation.
    annotation = json.dumps(cm({"a": "1"}))
    live = create(cm({"a": "1"}, annotations={
        "kubectl.kubernetes.io/last-applied-configuration": annotation}),
        manager="kubectl-client-side-apply")
    out = do_apply(live, cm({"a": "2"}))
    assert out["data"] == {"a": "2"}
    written = out["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"]
    assert written.endswith("\n") and json.loads(written)["data"] == {"a": "2"}
    with pytest.raises(KubeError):
        do_apply(live, cm({"a": "2"}), manager="other")


def test_apply_refuses_managed_fields_in_the_configuration() -> None:
    config = cm({"a": "1"})
    config["metadata"]["managedFields"] = []
    with pytest.raises(KubeError) as caught:
        do_apply(None, config)
    assert (caught.value.code, caught.value.message) == (400, "metadata.managedFields must be nil")


def test_list_item_no_longer_applied_is_pruned() -> None:
    # update.go prune: the applier's last set had containers[name="b"]; nobody else owns it.
    def dep(containers: list) -> dict:
        return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
                "spec": {"template": {"spec": {"containers": containers}}}}
    live = stored(do_apply(None, dep([{"name": "a", "image": "x"}, {"name": "b", "image": "y"}]),
                           types=DEPLOY, api_version="apps/v1"))
    out = do_apply(live, dep([{"name": "a", "image": "x"}]), types=DEPLOY, api_version="apps/v1")
    assert out["spec"]["template"]["spec"]["containers"] == [{"name": "a", "image": "x"}]


def test_first_apply_on_an_untracked_object_credits_before_first_apply() -> None:
    # skipnonapplied.go: the existing fields become "before-first-apply"'s (an Update).
    live = stored(cm({"a": "1"}))
    out = do_apply(live, cm({"b": "1"}))
    assert out["data"] == {"a": "1", "b": "1"}
    assert entries(out) == [("kubectl", "Apply", {"f:data": {"f:b": {}}}),
                            ("before-first-apply", "Update", {"f:data": {".": {}, "f:a": {}}})]


def test_an_update_smd_cannot_type_loses_its_managed_fields_as_in_kube() -> None:
    """UpdateNoErrors: a container without its name (a key of its list) cannot be typed, so kube
    writes the object without managedFields and leaves the refusal to validation; a 500
    before."""
    live = create(deployment_body([{"name": "web", "image": "nginx"}]), types=DEPLOY,
                  api_version="apps/v1")
    changed = deployment_body([{"image": "nginx"}])
    changed["metadata"]["managedFields"] = live["metadata"]["managedFields"]
    out = update_managed_fields(live, changed, manager="kubectl-edit", operation_time=T1,
                                api_version="apps/v1", types=DEPLOY)
    assert "managedFields" not in out["metadata"]
    assert out["spec"] == changed["spec"]


def deployment_body(containers: list[dict]) -> dict:
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "d", "namespace": "default"},
            "spec": {"template": {"spec": {"containers": containers}}}}
