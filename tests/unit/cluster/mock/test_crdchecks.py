"""crdchecks: a v1 CustomResourceDefinition's checks, worded as apiextensions-apiserver
pkg/apis/apiextensions/validation/validation.go and pkg/apiserver/schema/validation.go."""

from __future__ import annotations

import copy
from typing import Any

from emulator.cluster.mock.registry.crdchecks import validate_crd

SCHEMA = {"type": "object", "properties": {"spec": {"type": "object", "properties": {
    "size": {"type": "integer"}}}}}
CRD: dict[str, Any] = {
    "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
    "metadata": {"name": "widgets.example.com"},
    "spec": {"group": "example.com", "scope": "Namespaced",
             "names": {"plural": "widgets", "singular": "widget", "kind": "Widget",
                       "listKind": "WidgetList"},
             "versions": [{"name": "v1", "served": True, "storage": True,
                           "schema": {"openAPIV3Schema": SCHEMA}}]}}


def _crd(**spec: Any) -> dict[str, Any]:
    crd = copy.deepcopy(CRD)
    crd["spec"].update(spec)
    return crd


def _errors(crd: dict[str, Any], old: dict[str, Any] | None = None) -> list[str]:
    return [str(e) for e in validate_crd(crd, old)]


def test_a_valid_crd_passes() -> None:
    assert _errors(CRD) == []


def test_name_group_and_scope() -> None:
    crd = _crd(group="example", scope="Global")
    assert _errors(crd) == [
        'metadata.name: Invalid value: "widgets.example.com": must be '
        'spec.names.plural+"."+spec.group',
        'spec.group: Invalid value: "example": should be a domain with at least one dot',
        'spec.scope: Unsupported value: "Global": supported values: "Cluster", "Namespaced"']


def test_names_are_required_and_dns_labels() -> None:
    crd = _crd(names={"plural": "widgets", "kind": "Wid get", "listKind": "Wid get"})
    errors = _errors(crd)
    assert "spec.names.singular: Required value" in errors
    assert ('spec.names.kind: Invalid value: "Wid get": may have mixed case, but should otherwise '
            "match: a DNS-1035 label must consist of lower case alphanumeric characters or '-', "
            "start with an alphabetic character, and end with an alphanumeric character (e.g. "
            "'my-name',  or 'abc-123', regex used for validation is "
            "'[a-z]([-a-z0-9]*[a-z0-9])?')") in errors
    assert 'spec.names.listKind: Invalid value: "Wid get": kind and listKind may not be the same' \
        in errors


def test_versions_storage_and_schemas() -> None:
    versions = [{"name": "v1", "served": True, "storage": False},
                {"name": "v2", "served": True, "storage": False}]
    assert _errors(_crd(versions=versions)) == [
        "spec.versions[0].schema.openAPIV3Schema: Required value",
        "spec.versions[1].schema.openAPIV3Schema: Required value",
        'spec.versions: Invalid value: [{"Name":"v1","Served":true,"Storage":false},'
        '{"Name":"v2","Served":true,"Storage":false}]: must have exactly one version marked as '
        "storage version"]


def test_structural_errors_of_a_shared_schema_name_spec_validation() -> None:
    schema = {"type": "object", "properties": {"spec": {"properties": {"a": {}}},
                                               "list": {"type": "array"}}}
    crd = _crd(versions=[{"name": "v1", "served": True, "storage": True,
                          "schema": {"openAPIV3Schema": schema}}])
    base = "spec.validation.openAPIV3Schema"
    assert _errors(crd) == [
        f"{base}.properties[list].items: Required value: must be specified",
        f"{base}.properties[spec].properties[a].type: Required value: must not be empty for "
        "specified object fields",
        f"{base}.properties[spec].type: Required value: must not be empty for specified object "
        "fields"]


def test_differing_schemas_keep_their_version_path_and_rules_compile() -> None:
    bad = {"type": "object", "x-kubernetes-validations": [{"rule": "self.a >"}]}
    crd = _crd(versions=[
        {"name": "v1", "served": True, "storage": True, "schema": {"openAPIV3Schema": SCHEMA}},
        {"name": "v2", "served": True, "storage": False, "schema": {"openAPIV3Schema": bad}}])
    (error,) = validate_crd(crd, None)
    assert error.field == \
        "spec.versions[1].schema.openAPIV3Schema.x-kubernetes-validations[0].rule"
    assert "compilation failed: ERROR: <input>:1:9: Syntax error" in error.body


def test_unique_items_and_root_nullable_are_forbidden() -> None:
    schema = {"type": "object", "nullable": True, "properties": {
        "l": {"type": "array", "uniqueItems": True, "items": {"type": "string"}}}}
    crd = _crd(versions=[{"name": "v1", "served": True, "storage": True,
                          "schema": {"openAPIV3Schema": schema}}])
    assert _errors(crd) == [
        "spec.validation.openAPIV3Schema.nullable: Forbidden: nullable cannot be true at the root",
        "spec.validation.openAPIV3Schema.properties[l].uniqueItems: Forbidden: uniqueItems "
        "cannot be set to true since the runtime complexity becomes quadratic"]


def test_group_and_plural_are_immutable() -> None:
    # validateCustomResourceDefinitionSpecUpdate: genericvalidation.ValidateImmutableField.
    new = _crd(group="other.io")
    new["metadata"]["name"] = "widgets.other.io"
    assert _errors(new, CRD) == ['spec.group: Invalid value: "other.io": field is immutable']
