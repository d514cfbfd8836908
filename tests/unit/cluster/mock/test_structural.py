"""structural: defaulting, pruning and OpenAPI validation of custom resources.

Wording: kube-openapi pkg/validation/errors/schema.go, turned into field errors by
apiextensions-apiserver pkg/apiserver/validation/validation.go kubeOpenAPIResultToFieldErrors.
"""

from __future__ import annotations

from typing import Any

from emulator.cluster.mock.registry import structural

SCHEMA: dict[str, Any] = {"type": "object", "properties": {
    "spec": {"type": "object", "required": ["size"], "properties": {
        "replicas": {"type": "integer", "minimum": 1, "maximum": 5},
        "mode": {"type": "string", "enum": ["a", "b"]},
        "name": {"type": "string", "maxLength": 3, "pattern": "^[a-z]+$"},
        "short": {"type": "string", "minLength": 2},
        "when": {"type": "string", "format": "date-time"},
        "tags": {"type": "array", "maxItems": 2, "minItems": 1, "items": {"type": "string"},
                 "x-kubernetes-list-type": "set"},
        "ports": {"type": "array", "x-kubernetes-list-type": "map",
                  "x-kubernetes-list-map-keys": ["name"],
                  "items": {"type": "object", "properties": {"name": {"type": "string"}}}},
        "port": {"x-kubernetes-int-or-string": True},
        "size": {"type": "integer", "default": 3},
        "labels": {"type": "object", "additionalProperties": {"type": "string",
                                                              "default": "x"}},
        "count": {"type": "integer", "format": "int32"},
        "opt": {"type": "string", "nullable": True},
        "template": {"type": "object", "x-kubernetes-embedded-resource": True,
                     "x-kubernetes-preserve-unknown-fields": True},
        "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": True,
                 "properties": {"known": {"type": "object", "properties": {}}}},
    }}}}


def _errors(spec: dict[str, Any], minor: int = 35) -> list[str]:
    return [str(e) for e in structural.validate(SCHEMA, {"spec": {"size": 1, **spec}},
                                                minor=minor)]


def test_type_errors_name_the_json_type() -> None:
    # schema.go typeFailWithData '%s in %s must be of type %s: %q'; kube: field.TypeInvalid.
    assert _errors({"replicas": "string"}) == [
        'spec.replicas: Invalid value: "string": spec.replicas in body must be of type '
        'integer: "string"']
    assert _errors({"port": True}) == [
        'spec.port: Invalid value: "boolean": spec.port in body must be of type '
        'integer,string: "boolean"']
    assert _errors({"port": 80}) == [] and _errors({"port": "80%"}) == []
    assert _errors({"replicas": 2.0}) == []  # isFloatInt


def test_null_is_a_type_error_unless_nullable() -> None:
    assert _errors({"opt": None}) == []
    assert _errors({"mode": "a", "short": None}) == [
        'spec.short: Invalid value: "null": spec.short in body must be of type string: "null"']


def test_bounds_enum_lengths_and_pattern() -> None:
    # minIncFail/maxIncFail, enum via field.NotSupported, tooShort, patternFail; TooLong via
    # field.TooLong (apimachinery v0.32+ wording at 1.35).
    assert _errors({"replicas": 0, "mode": "x"}) == [
        "spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or "
        "equal to 1",
        'spec.mode: Unsupported value: "x": supported values: "a", "b"']
    assert _errors({"replicas": 6}) == [
        "spec.replicas: Invalid value: 6: spec.replicas in body should be less than or equal to 5"]
    assert _errors({"name": "abcd"}) == ["spec.name: Too long: may not be more than 3 bytes"]
    assert _errors({"name": "abcd"}, minor=31) == ["spec.name: Too long: must have at most 3 bytes"]
    assert _errors({"name": "AB"}) == [
        "spec.name: Invalid value: \"AB\": spec.name in body should match '^[a-z]+$'"]
    assert _errors({"short": "a"}) == [
        'spec.short: Invalid value: "a": spec.short in body should be at least 2 chars long']


def test_items_and_list_types() -> None:
    # maxItems: field.TooMany; minItems: default branch; listtype: field.Duplicate at the second
    # occurrence (pkg/apiserver/schema/listtype/validation.go).
    assert _errors({"tags": ["a", "b", "c"]}) == ["spec.tags: Too many: 3: must have at most 2 items"]
    assert _errors({"tags": []}) == [
        "spec.tags: Invalid value: 0: spec.tags in body should have at least 1 items"]
    assert _errors({"tags": ["a", "a"]}) == ['spec.tags[1]: Duplicate value: "a"']
    assert _errors({"tags": [1]}) == [
        'spec.tags[0]: Invalid value: "integer": spec.tags[0] in body must be of type string: '
        '"integer"']
    assert _errors({"ports": [{"name": "a"}, {"name": "a"}]}) == [
        'spec.ports[1]: Duplicate value: {"name":"a"}']
    assert _errors({"ports": [{"name": "a"}, {"name": "a"}]}, minor=33) == [
        'spec.ports[1]: Duplicate value: map[string]interface {}{"name":"a"}']


def test_required_format_and_int32() -> None:
    errors = [str(e) for e in structural.validate(SCHEMA, {"spec": {"when": "soon"}})]
    assert errors == [
        'spec.when: Invalid value: "soon": spec.when in body must be of type date-time: "soon"',
        "spec.size: Required value"]
    assert _errors({"when": "2024-01-02T03:04:05Z"}) == []
    # IsValueValidAgainstRange returns a plain error: kube puts it at the nil path.
    assert _errors({"count": 2 ** 31}) == [
        '<nil>: Invalid value: "": Checked value must be of type integer with format int32 in '
        "spec.count"]


def test_embedded_resources_need_apiversion_and_kind() -> None:
    # pkg/apiserver/schema/objectmeta/validation.go validateEmbeddedResource.
    assert _errors({"template": {"metadata": {"name": "a/b"}}}) == [
        "spec.template.apiVersion: Required value", "spec.template.kind: Required value",
        "spec.template.metadata.name: Invalid value: \"a/b\": may not contain '/'"]
    assert _errors({"template": {"apiVersion": "v1", "kind": "Pod"}}) == []


def test_default_fills_absent_fields_and_map_values() -> None:
    obj: dict[str, Any] = {"spec": {"labels": {"a": None, "b": "y"}}}
    structural.default(SCHEMA, obj)
    assert obj == {"spec": {"size": 3, "labels": {"a": "x", "b": "y"}}}
    given = {"spec": {"size": 7}}
    structural.default(SCHEMA, given)
    assert given["spec"]["size"] == 7


def test_prune_reports_kube_paths() -> None:
    # pruning/algorithm.go: sorted paths; root apiVersion/kind kept; metadata coerced to
    # ObjectMeta; preserve-unknown-fields keeps unknowns but prunes inside known properties.
    obj: dict[str, Any] = {
        "apiVersion": "x/v1", "kind": "K", "metadata": {"name": "a", "bogus": 1}, "extra": 1,
        "spec": {"zzz": 1, "ports": [{"name": "a", "x": 2}], "opt": None, "short": None,
                 "template": {"apiVersion": "v1", "kind": "Pod", "anything": 1,
                              "metadata": {"name": "p", "junk": 2}},
                 "free": {"kept": 1, "known": {"gone": 1}}}}
    assert structural.prune(SCHEMA, obj) == [
        "extra", "metadata.bogus", "spec.free.known.gone", "spec.ports[0].x",
        "spec.template.metadata.junk", "spec.zzz"]
    assert obj["metadata"] == {"name": "a"} and obj["spec"]["free"] == {"kept": 1, "known": {}}
    assert "short" not in obj["spec"] and obj["spec"]["opt"] is None  # non-nullable nulls go
    assert obj["spec"]["template"]["anything"] == 1
