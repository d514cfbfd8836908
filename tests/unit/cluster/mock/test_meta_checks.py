"""kube's checks of an object's labels, annotations, owner references and finalizers
(registry/metachecks.py), through the mock's REST paths, for built-in kinds and custom
resources alike."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import call, create, invalid_causes, quiet_at, request, run

CONFIGMAPS = "/api/v1/namespaces/default/configmaps"
CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
LABEL_VALUE = ("a valid label must be an empty string or consist of alphanumeric characters, "
               "'-', '_' or '.', and must start and end with an alphanumeric character (e.g. "
               "'MyValue',  or 'my_value',  or '12345', regex used for validation is "
               "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')")
NAME_PART = ("name part must consist of alphanumeric characters, '-', '_' or '.', and must start "
             "and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or "
             "'123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')")


def config_map(**meta: Any) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", **meta}}


def test_a_helm_style_version_label_is_refused() -> None:
    body = config_map(labels={"app.kubernetes.io/version": "1.2.3+build", "long": "x" * 64})
    assert invalid_causes("v1.30.5", CONFIGMAPS, body) == [
        f'metadata.labels: Invalid value: "1.2.3+build": {LABEL_VALUE}',
        f'metadata.labels: Invalid value: "{"x" * 64}": must be no more than 63 characters']


def test_annotation_keys_are_qualified_names_whatever_their_case() -> None:
    body = config_map(annotations={"Example.COM/Key": "fine", "a b": "c"})
    assert invalid_causes("v1.30.5", CONFIGMAPS, body) == [
        f'metadata.annotations: Invalid value: "a b": {NAME_PART}']


@pytest.mark.parametrize(("version", "text"), [
    ("v1.30.5", "Too long: must have at most 262144 bytes"),
    ("v1.34.1", "Too long: may not be more than 262144 bytes")])
def test_annotations_hold_at_most_256_kib(version: str, text: str) -> None:
    body = config_map(annotations={"big": "x" * (256 * 1024 - 3)})
    assert call(quiet_at(version), "POST", CONFIGMAPS, body=body).status == 201
    body["metadata"]["annotations"]["big"] += "x"
    assert invalid_causes(version, CONFIGMAPS, body) == [f"metadata.annotations: {text}"]


def test_finalizers() -> None:
    body = config_map(finalizers=["my-finalizer", "example.com/ok", "orphan",
                                  "foregroundDeletion"])
    assert invalid_causes("v1.30.5", CONFIGMAPS, body) == [
        'metadata.finalizers: Invalid value: []string{"my-finalizer", "example.com/ok", '
        '"orphan", "foregroundDeletion"}: finalizer orphan and foregroundDeletion cannot be '
        "both set",
        'metadata.finalizers[0]: Invalid value: "my-finalizer": name is neither a standard '
        "finalizer name nor is it fully qualified"]


@pytest.mark.parametrize(("version", "empty", "banned", "both"), [
    ("v1.30.5", "{} must not be empty",
     'v1.OwnerReference{APIVersion:"v1", Kind:"Event", Name:"e", UID:"u1", '
     "Controller:(*bool)(nil), BlockOwnerDeletion:(*bool)(nil)}",
     '[]v1.OwnerReference{v1.OwnerReference{APIVersion:"v1", Kind:"Event", Name:"e", UID:"u1", '
     "Controller:(*bool)(nil), BlockOwnerDeletion:(*bool)(nil)}, v1.OwnerReference{"
     'APIVersion:"apps/v1", Kind:"Deployment", Name:"a", UID:"u2", Controller:(*bool)'
     "(0xc000012010), BlockOwnerDeletion:(*bool)(nil)}, v1.OwnerReference{APIVersion:"
     '"apps/v1", Kind:"ReplicaSet", Name:"b", UID:"u3", Controller:(*bool)(0xc000012020), '
     "BlockOwnerDeletion:(*bool)(0xc000012030)}}"),
    ("v1.34.1", "must not be empty",
     '{"apiVersion":"v1","kind":"Event","name":"e","uid":"u1"}',
     '[{"apiVersion":"v1","kind":"Event","name":"e","uid":"u1"},{"apiVersion":"apps/v1",'
     '"kind":"Deployment","name":"a","uid":"u2","controller":true},{"apiVersion":"apps/v1",'
     '"kind":"ReplicaSet","name":"b","uid":"u3","controller":true,'
     '"blockOwnerDeletion":true}]')])
def test_owner_references(version: str, empty: str, banned: str, both: str) -> None:
    owners = [{"apiVersion": "v1", "kind": "Event", "name": "e", "uid": "u1"},
              {"apiVersion": "apps/v1", "kind": "Deployment", "name": "a", "uid": "u2",
               "controller": True},
              {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "b", "uid": "u3",
               "controller": True, "blockOwnerDeletion": True}]
    at = "metadata.ownerReferences"
    assert invalid_causes(version, CONFIGMAPS, config_map(ownerReferences=owners)) == [
        f"{at}: Invalid value: {banned}: /v1, Kind=Event is disallowed from being an owner",
        f'{at}: Invalid value: {both}: Only one reference can have Controller set to true. '
        'Found "true" in references for Deployment/a and ReplicaSet/b']
    missing = config_map(ownerReferences=[{"apiVersion": "a/b/c", "kind": "", "name": "",
                                           "uid": ""}])
    assert invalid_causes(version, CONFIGMAPS, missing) == [
        f'{at}.apiVersion: Invalid value: "a/b/c": version must not be empty',
        *(f'{at}.{name}: Invalid value: "": {empty.format(name)}'
          for name in ("kind", "name", "uid"))]


def test_an_update_is_checked_and_may_not_add_finalizers_while_deleting() -> None:
    api = quiet_at("v1.30.5")
    create(api, CONFIGMAPS, config_map(finalizers=["example.com/hold"]))
    relabelled = call(api, "PATCH", f"{CONFIGMAPS}/c", body={"metadata": {"labels": {
        "tier": "a b"}}}, content_type="application/merge-patch+json")
    assert relabelled.status == 422
    assert call(api, "DELETE", f"{CONFIGMAPS}/c").status == 200
    added = call(api, "PATCH", f"{CONFIGMAPS}/c", body={"metadata": {"finalizers": [
        "example.com/hold", "example.com/more"]}}, content_type="application/merge-patch+json")
    assert added.status == 422
    assert added.body["message"] == (
        'ConfigMap "c" is invalid: metadata.finalizers: Forbidden: no new finalizers can be added '
        'if the object is being deleted, found new finalizers []string{"example.com/more"}')


def test_a_custom_resource_s_labels_but_not_its_finalizer_names_are_kube_s() -> None:
    """The custom resource strategy validates metadata with apimachinery's rules alone: a
    finalizer without a domain is taken (kube 1.29+ warns about it)."""
    api = quiet_at("v1.30.5")
    crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
           "metadata": {"name": "widgets.example.com"},
           "spec": {"group": "example.com", "scope": "Namespaced",
                    "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
                    "versions": [{"name": "v1", "served": True, "storage": True, "schema": {
                        "openAPIV3Schema": {"type": "object",
                                            "x-kubernetes-preserve-unknown-fields": True}}}]}}
    create(api, CRDS, crd)
    widgets = "/apis/example.com/v1/namespaces/default/widgets"
    widget = {"apiVersion": "example.com/v1", "kind": "Widget",
              "metadata": {"name": "w", "finalizers": ["cleanup"]}}
    assert call(api, "POST", widgets, body=widget).status == 201
    widget["metadata"] = {"name": "w2", "labels": {"v": "1.0+x"}}
    refused = call(api, "POST", widgets, body=widget)
    assert refused.status == 422
    assert refused.body["message"] == (
        f'Widget.example.com "w2" is invalid: metadata.labels: Invalid value: "1.0+x": '
        f"{LABEL_VALUE}")


def test_a_template_s_labels_and_annotations_are_named_without_metadata() -> None:
    """ValidatePodTemplateSpec checks them at the template's own path, a kube quirk that the
    error's field shows: spec.template.labels."""
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
                  "spec": {"selector": {"matchLabels": {"app": "d"}}, "template": {
                      "metadata": {"labels": {"app": "d", "v": "1+2"},
                                   "annotations": {"a b": "x"}},
                      "spec": {"containers": [{"name": "c", "image": "i"}],
                               "ephemeralContainers": [{"name": "e", "image": "i"}]}}}}
    assert invalid_causes("v1.30.5", "/apis/apps/v1/namespaces/default/deployments",
                          deployment) == [
        f'spec.template.labels: Invalid value: "1+2": {LABEL_VALUE}',
        f'spec.template.annotations: Invalid value: "a b": {NAME_PART}',
        "spec.template.spec.ephemeralContainers: Forbidden: ephemeral containers not allowed "
        "in pod template"]
    deployment["kind"] = "StatefulSet"
    del deployment["spec"]["template"]["spec"]["ephemeralContainers"]
    assert invalid_causes("v1.30.5", "/apis/apps/v1/namespaces/default/statefulsets",
                          deployment) == [
        f'spec.template.labels: Invalid value: "1+2": {LABEL_VALUE}',
        f'spec.template.annotations: Invalid value: "a b": {NAME_PART}']


def test_a_stateful_set_s_name_is_a_dns_label() -> None:
    """Its pods' hostnames are made from it (kubernetes/kubernetes#114172, 1.27)."""
    stateful = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "web.v1"},
                "spec": {"selector": {"matchLabels": {"app": "w"}}, "template": {
                    "metadata": {"labels": {"app": "w"}},
                    "spec": {"containers": [{"name": "c", "image": "i"}]}}}}
    assert invalid_causes("v1.27.3", "/apis/apps/v1/namespaces/default/statefulsets",
                          stateful) == [
        'metadata.name: Invalid value: "web.v1": must not contain dots']


@pytest.mark.parametrize(("path", "body", "warning"), [
    ("/apis/apps/v1/namespaces/default/deployments",
     {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web.v1"},
      "spec": {"selector": {"matchLabels": {"app": "w"}}, "template": {
          "metadata": {"labels": {"app": "w"}},
          "spec": {"containers": [{"name": "c", "image": "i"}]}}}},
     "this is used in Pod names and hostnames"),
    ("/api/v1/namespaces/default/pods",
     {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web.v1"},
      "spec": {"containers": [{"name": "c", "image": "i"}]}},
     "this is used in the Pod's hostname")])
def test_a_name_that_makes_a_surprising_hostname_is_warned_about(
        path: str, body: dict[str, Any], warning: str) -> None:
    api = quiet_at("v1.30.5")
    answer = run(api.handle(request("POST", path, body=body)))
    assert answer.status == 201
    assert [v for k, v in answer.headers if k.lower() == "warning"] == [
        f'299 - "metadata.name: {warning}, which can result in surprising behavior; a DNS label '
        'is recommended: [must not contain dots]"']
    body["metadata"]["name"] = "web-v1"
    answer = run(api.handle(request("POST", path, body=body)))
    assert [v for k, v in answer.headers if k.lower() == "warning"] == []
