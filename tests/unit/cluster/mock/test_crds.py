"""CustomResourceDefinitions at the handle() level: a CRD joins its cluster's registry once
established, its kind is served with its names, subresources and scope, and deleting it takes its
objects with it."""

from __future__ import annotations

import copy
import json
from typing import Any

from emulator.cluster.mock.apiserver import MockApiserver
from tests.unit.cluster.mock.conftest import TABLE_ACCEPT, call

CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
WIDGETS = "/apis/example.com/v1/namespaces/default/widgets"

CRD: dict[str, Any] = {
    "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
    "metadata": {"name": "widgets.example.com"},
    "spec": {
        "group": "example.com", "scope": "Namespaced",
        "names": {"plural": "widgets", "kind": "Widget", "shortNames": ["wd"],
                  "categories": ["all"]},
        "versions": [{
            "name": "v1", "served": True, "storage": True,
            "subresources": {"status": {}, "scale": {"specReplicasPath": ".spec.replicas",
                                                     "statusReplicasPath": ".status.replicas"}},
            "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                "spec": {"type": "object", "properties": {
                    "replicas": {"type": "integer", "minimum": 0},
                    "color": {"type": "string", "default": "blue"}}},
                "status": {"type": "object", "properties": {
                    "replicas": {"type": "integer"}}}}}},
        }],
    },
}


def widget(name: str, **spec: Any) -> dict[str, Any]:
    return {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": name},
            "spec": spec}


def created(api: MockApiserver, crd: dict[str, Any] = CRD) -> dict[str, Any]:
    reply = call(api, "POST", CRDS, body=crd)
    assert reply.status == 201, reply.body
    return call(api, "GET", f"{CRDS}/{crd['metadata']['name']}").body


def test_an_unknown_kind_is_not_served_before_its_crd(api: MockApiserver) -> None:
    assert call(api, "GET", WIDGETS).status == 404


def test_a_created_crd_is_established_and_its_kind_served(api: MockApiserver) -> None:
    crd = created(api)
    conditions = {c["type"]: (c["status"], c["reason"]) for c in crd["status"]["conditions"]}
    assert conditions == {"NamesAccepted": ("True", "NoConflicts"),
                          "Established": ("True", "InitialNamesAccepted")}
    assert crd["status"]["acceptedNames"] == {"plural": "widgets", "singular": "widget",
                                              "kind": "Widget", "listKind": "WidgetList",
                                              "shortNames": ["wd"], "categories": ["all"]}
    assert crd["status"]["storedVersions"] == ["v1"]
    assert crd["spec"]["conversion"] == {"strategy": "None"}
    # discovery lists the new group and its resource with its short names and subresources
    found = call(api, "GET", "/apis/example.com/v1").body
    names = {r["name"]: r for r in found["resources"]}
    assert set(names) == {"widgets", "widgets/status", "widgets/scale"}
    assert names["widgets"]["shortNames"] == ["wd"] and names["widgets"]["namespaced"] is True
    groups = [g["name"] for g in call(api, "GET", "/apis").body["groups"]]
    assert groups[-1] == "example.com"


def test_custom_objects_are_created_defaulted_and_listed(api: MockApiserver) -> None:
    created(api)
    reply = call(api, "POST", WIDGETS, body=widget("w1", replicas=2))
    assert reply.status == 201, reply.body
    assert reply.body["spec"] == {"replicas": 2, "color": "blue"}
    assert reply.body["metadata"]["generation"] == 1
    listed = call(api, "GET", WIDGETS).body
    assert listed["kind"] == "WidgetList" and [i["metadata"]["name"]
                                               for i in listed["items"]] == ["w1"]


def test_status_and_scale_subresources_of_a_custom_kind(api: MockApiserver) -> None:
    created(api)
    call(api, "POST", WIDGETS, body=widget("w1", replicas=2))
    status = call(api, "PATCH", f"{WIDGETS}/w1/status", body={"status": {"replicas": 2}},
                  content_type="application/merge-patch+json")
    assert status.status == 200 and status.body["status"] == {"replicas": 2}
    assert status.body["metadata"]["generation"] == 1  # status does not bump generation
    scale = call(api, "GET", f"{WIDGETS}/w1/scale").body
    assert scale["spec"] == {"replicas": 2} and scale["status"]["replicas"] == 2
    scaled = call(api, "PATCH", f"{WIDGETS}/w1/scale", body={"spec": {"replicas": 5}},
                  content_type="application/merge-patch+json")
    assert scaled.status == 200, scaled.body
    after = call(api, "GET", f"{WIDGETS}/w1").body
    assert after["spec"]["replicas"] == 5 and after["metadata"]["generation"] == 2


def test_a_strategic_merge_patch_of_a_custom_resource_is_refused_as_kube_does(
        api: MockApiserver) -> None:
    created(api)
    call(api, "POST", WIDGETS, body=widget("w1", replicas=2))
    reply = call(api, "PATCH", f"{WIDGETS}/w1", body={"spec": {"replicas": 3}},
                 content_type="application/strategic-merge-patch+json")
    assert reply.status == 415
    assert reply.body["message"].startswith(
        "the body of the request was in an unknown format - accepted media types include: "
        "application/json-patch+json, application/merge-patch+json")


def test_deleting_the_crd_removes_its_kind_and_its_objects(api: MockApiserver) -> None:
    created(api)
    call(api, "POST", WIDGETS, body=widget("w1", replicas=1))
    reply = call(api, "DELETE", f"{CRDS}/widgets.example.com")
    assert reply.status == 200, reply.body
    assert call(api, "GET", f"{CRDS}/widgets.example.com").status == 404
    assert call(api, "GET", WIDGETS).status == 404
    assert "example.com" not in [g["name"] for g in call(api, "GET", "/apis").body["groups"]]
    # the same CRD again starts empty
    created(api)
    assert call(api, "GET", WIDGETS).body["items"] == []


def test_a_second_crd_claiming_taken_names_is_not_accepted(api: MockApiserver) -> None:
    created(api)
    rival = copy.deepcopy(CRD)
    rival["metadata"]["name"] = "gadgets.example.com"
    rival["spec"]["names"] = {"plural": "gadgets", "kind": "Widget"}
    crd = created(api, rival)
    conditions = {c["type"]: (c["status"], c["reason"], c["message"])
                  for c in crd["status"]["conditions"]}
    # kube checks plural, singular, short names, kind, list kind; the last clash names the reason
    assert conditions["NamesAccepted"] == ("False", "ListKindConflict",
                                           "\"WidgetList\" is already in use")
    assert conditions["Established"][0] == "False"
    assert call(api, "GET", "/apis/example.com/v1/namespaces/default/gadgets").status == 404


def test_a_cluster_scoped_kind_and_table_of_a_custom_kind(api: MockApiserver) -> None:
    crd = copy.deepcopy(CRD)
    crd["spec"]["scope"] = "Cluster"
    created(api, crd)
    reply = call(api, "POST", "/apis/example.com/v1/widgets", body=widget("w1", replicas=1))
    assert reply.status == 201, reply.body
    assert "namespace" not in reply.body["metadata"]
    table = call(api, "GET", "/apis/example.com/v1/widgets", accept=TABLE_ACCEPT).body
    assert [c["name"] for c in table["columnDefinitions"]][0] == "Name"
    assert table["rows"][0]["cells"][0] == "w1"


AGGREGATED = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"


def test_aggregated_discovery_etag_changes_with_a_crd(api: MockApiserver) -> None:
    from tests.unit.cluster.mock.conftest import request, run
    before = run(api.handle(request("GET", "/apis", accept=AGGREGATED)))
    etag = dict(before.headers)["etag"]
    assert etag.startswith('"') and len(etag) == 130
    same = run(api.handle(request("GET", "/apis", accept=AGGREGATED,
                                  headers=[("If-None-Match", etag)])))
    assert same.status == 304 and same.body == b""
    created(api)
    after = run(api.handle(request("GET", "/apis", accept=AGGREGATED,
                                   headers=[("If-None-Match", etag)])))
    assert after.status == 200 and dict(after.headers)["etag"] != etag
    assert b'"example.com"' in after.body


def test_a_custom_object_is_validated_pruned_and_checked_by_its_cel_rules(
        api: MockApiserver) -> None:
    crd = copy.deepcopy(CRD)
    schema = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    schema["properties"]["spec"]["x-kubernetes-validations"] = [
        {"rule": "self.replicas <= 10", "message": "at most ten replicas"}]
    created(api, crd)
    wrong_type = call(api, "POST", WIDGETS, body=widget("w1", replicas="two"))
    assert wrong_type.status == 422
    # A type error blocks the CEL rules, and kube says so (customresource strategy's
    # hasBlockingErr: field.Invalid(nil, nil, ...), printed "<nil>: Invalid value: \"null\"").
    assert wrong_type.body["message"] == (
        'Widget.example.com "w1" is invalid: [spec.replicas: Invalid value: "string": '
        'spec.replicas in body must be of type integer: "string", <nil>: Invalid value: "null": '
        'some validation rules were not checked because the object was invalid; correct the '
        'existing errors to complete validation]')
    too_many = call(api, "POST", WIDGETS, body=widget("w1", replicas=11))
    assert too_many.status == 422
    assert too_many.body["message"] == (
        'Widget.example.com "w1" is invalid: spec: Invalid value: "object": at most ten replicas')
    assert too_many.body["details"]["causes"] == [
        {"reason": "FieldValueInvalid", "message": 'Invalid value: "object": at most ten replicas',
         "field": "spec"}]
    warned = run_with_warnings(api, widget("w1", replicas=1, extra=True))
    assert warned == ['unknown field "spec.extra"']
    assert "extra" not in call(api, "GET", f"{WIDGETS}/w1").body["spec"]
    strict = call(api, "POST", WIDGETS, "fieldValidation=Strict",
                  body=widget("w2", replicas=1, extra=True))
    assert strict.status == 400
    assert strict.body["message"].endswith('strict decoding error: unknown field "spec.extra"')


def run_with_warnings(api: MockApiserver, body: dict[str, Any]) -> list[str]:
    from tests.unit.cluster.mock.conftest import request, run
    response = run(api.handle(request("POST", WIDGETS, body=body)))
    assert response.status == 201, response.body
    return [json.loads(v.split(" ", 2)[2]) for k, v in response.headers if k == "warning"]


def test_without_cel_rules_a_type_error_stands_alone(api: MockApiserver) -> None:
    created(api)
    reply = call(api, "POST", WIDGETS, body=widget("w1", replicas="two"))
    assert reply.body["message"] == (
        'Widget.example.com "w1" is invalid: spec.replicas: Invalid value: "string": '
        'spec.replicas in body must be of type integer: "string"')


def test_an_invalid_crd_is_refused_with_kubes_wording(api: MockApiserver) -> None:
    crd = copy.deepcopy(CRD)
    crd["metadata"]["name"] = "widgets.other.com"
    reply = call(api, "POST", CRDS, body=crd)
    assert reply.status == 422
    assert reply.body["message"] == (
        'CustomResourceDefinition.apiextensions.k8s.io "widgets.other.com" is invalid: '
        'metadata.name: Invalid value: "widgets.other.com": must be spec.names.plural+"."+'
        'spec.group')


def test_the_main_endpoint_never_sets_a_status_the_object_lacks(api: MockApiserver) -> None:
    created(api)
    call(api, "POST", WIDGETS, body=widget("w1", replicas=2))
    before = call(api, "GET", f"{WIDGETS}/w1").body
    patched = call(api, "PATCH", f"{WIDGETS}/w1", body={"status": {"replicas": 3}},
                   content_type="application/merge-patch+json").body
    assert "status" not in patched
    assert patched["metadata"]["resourceVersion"] == before["metadata"]["resourceVersion"]


def test_several_versions_share_objects_kept_in_the_storage_version(api: MockApiserver) -> None:
    crd = copy.deepcopy(CRD)
    v1 = crd["spec"]["versions"][0]
    v1["storage"] = False
    beta = copy.deepcopy(v1)
    beta.update(name="v1beta1", storage=True)
    beta["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]["replicas"]["maximum"] = 3
    crd["spec"]["versions"].append(beta)
    crd_read = created(api, crd)
    assert crd_read["status"]["storedVersions"] == ["v1beta1"]
    groups = call(api, "GET", "/apis/example.com").body
    assert groups["preferredVersion"]["version"] == "v1"  # kube's version priority
    assert call(api, "POST", WIDGETS, body=widget("w1", replicas=5)).status == 201
    stored = api.store.get(("example.com", "widgets"), "default", "w1")
    assert stored["apiVersion"] == "example.com/v1beta1"
    read = call(api, "GET", "/apis/example.com/v1beta1/namespaces/default/widgets/w1").body
    assert (read["apiVersion"], read["spec"]["replicas"]) == ("example.com/v1beta1", 5)
    # each version validates with its own schema
    beta_write = call(api, "POST", "/apis/example.com/v1beta1/namespaces/default/widgets",
                      body={**widget("w2", replicas=5), "apiVersion": "example.com/v1beta1"})
    assert beta_write.status == 422
    assert "should be less than or equal to 3" in beta_write.body["message"]
