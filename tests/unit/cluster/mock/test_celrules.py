"""celrules: x-kubernetes-validations, worded as apiextensions-apiserver
pkg/apiserver/schema/cel/validation.go (validateExpressions, fieldErrorForReason,
ruleMessageOrDefault) and its validation_test.go expectations."""

from __future__ import annotations

from typing import Any

from emulator.cluster.mock.registry import celrules
from emulator.cluster.mock.registry import fielderrors as fe

SCHEMA: dict[str, Any] = {
    "type": "object",
    "x-kubernetes-validations": [
        {"rule": "!has(self.spec.min) || !has(self.spec.max) || self.spec.min <= self.spec.max",
         "message": "min must not exceed max"}],
    "properties": {"spec": {"type": "object", "properties": {
        "min": {"type": "integer",
                "x-kubernetes-validations": [{"rule": "self > 0", "message": "must be positive"}]},
        "max": {"type": "integer"},
        "name": {"type": "string", "x-kubernetes-validations": [
            {"rule": "self == oldSelf", "message": "name is immutable"},
            {"rule": "self.lowerAscii() == self",
             "messageExpression": "'name ' + self + ' must be lower case'"}]},
        "tags": {"type": "array", "items": {"type": "string"}, "x-kubernetes-validations": [
            {"rule": "self.all(t, t.size() < 4)", "reason": "FieldValueForbidden",
             "fieldPath": ".tags"}]},
        "labels": {"type": "object", "additionalProperties": {
            "type": "string", "x-kubernetes-validations": [{"rule": "self.startsWith('v')"}]}},
        "port": {"x-kubernetes-int-or-string": True, "x-kubernetes-validations": [
            {"rule": "type(self) == int ? self > 0 : self.endsWith('%')"}]},
    }}}}


def _errors(spec: dict[str, Any], old: Any = None, minor: int = 35) -> list[str]:
    return [str(e) for e in celrules.evaluate(SCHEMA, {"spec": spec}, old, minor=minor)]


def test_passing_rules_report_nothing() -> None:
    assert _errors({"min": 1, "max": 2, "name": "ab", "tags": ["a"], "labels": {"k": "v1"},
                    "port": 8}) == []
    assert _errors({"port": "50%"}) == []


def test_failed_rules_show_the_value_from_1_35_and_the_type_before() -> None:
    # 1.35 (commits "Show simple values" and "Omit values from validation rule errors"); 1.34 and
    # older: field.Invalid(path, sts.Type, ...), e.g. `root.foo: Invalid value: "string": ...`.
    spec = {"min": 0, "max": -1}
    assert _errors(spec) == ["<nil>: Invalid value: min must not exceed max",
                             "spec.min: Invalid value: 0: must be positive"]
    assert _errors(spec, minor=34) == [
        '<nil>: Invalid value: "object": min must not exceed max',
        'spec.min: Invalid value: "integer": must be positive']


def test_message_expression_reason_field_path_and_map_keys() -> None:
    assert _errors({"name": "AB"}) == ['spec.name: Invalid value: "AB": name AB must be lower case']
    assert _errors({"tags": ["long-tag"]}) == [
        "spec.tags.tags: Forbidden: failed rule: self.all(t, t.size() < 4)"]
    assert _errors({"labels": {"k": "x"}}) == [
        "spec.labels[k]: Invalid value: \"x\": failed rule: self.startsWith('v')"]
    assert _errors({"port": "50"}) == [
        "spec.port: Invalid value: \"50\": failed rule: type(self) == int ? self > 0 : "
        "self.endsWith('%')"]


def test_transition_rules_need_an_old_value() -> None:
    assert _errors({"name": "ab"}) == []
    assert _errors({"name": "ab"}, {"spec": {"name": "cd"}}) == [
        'spec.name: Invalid value: "ab": name is immutable']
    assert _errors({"name": "ab"}, {"spec": {}}) == []  # no correlated old value


def test_evaluation_errors() -> None:
    # "%v evaluating rule: %v" with cel-go's error text.
    schema = {"type": "object", "x-kubernetes-validations": [{"rule": "self.nope > 1"}]}
    assert [str(e) for e in celrules.evaluate(schema, {}, minor=34)] == [
        '<nil>: Invalid value: "object": no such key: nope evaluating rule: self.nope > 1']


def test_blocking_error_after_schema_errors() -> None:
    # pkg/registry/customresource/strategy.go hasBlockingErr.
    assert celrules.blocking_error([fe.invalid_value("spec.x", 1, "bad")]) is None
    blocked = celrules.blocking_error([fe.required("spec.x")])
    assert blocked is not None and str(blocked) == (
        "<nil>: Invalid value: null: some validation rules were not checked because the object "
        "was invalid; correct the existing errors to complete validation")


def test_compile_errors_name_the_rule_path() -> None:
    # compilation.go "compilation failed: " + issues.String(); the CRD error at
    # ...x-kubernetes-validations[i].rule with the ValidationRule as its value.
    schema = {"type": "object", "properties": {"spec": {
        "type": "object", "x-kubernetes-validations": [{"rule": "self.x >"}, {"rule": ""}]}}}
    errors = celrules.compile_errors(schema, "spec.validation.openAPIV3Schema", minor=34)
    base = "spec.validation.openAPIV3Schema.properties[spec].x-kubernetes-validations"
    assert [e.field for e in errors] == [f"{base}[0].rule", f"{base}[1].rule"]
    assert errors[0].body.startswith(
        'Invalid value: {"Rule":"self.x \\u003e","Message":"","MessageExpression":"",'
        '"Reason":null,"FieldPath":"","OptionalOldSelf":null}: compilation failed: ERROR: '
        "<input>:1:9: Syntax error: mismatched input '<EOF>'")
    assert errors[0].body.endswith("\n | self.x >\n | ........^")
    assert str(errors[1]) == f"{base}[1].rule: Required value: rule is not specified"


def test_the_cel_library_is_loaded_only_for_a_rule() -> None:
    # Its package loads its command line and `rich` too (some 24 MiB): a world without CEL
    # rules must not pay for it (benchmarks/registry.py measures idle RSS).
    import subprocess
    import sys
    probe = ("import sys, emulator.app, emulator.cluster.mock.registry.celrules as c; "
             "before = 'cel' in sys.modules; c.evaluate({'type': 'object', "
             "'x-kubernetes-validations': [{'rule': 'self.a == 1'}]}, {'a': 1}); "
             "print(before, 'cel' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=60)
    assert done.stdout.split() == ["False", "True"], done.stderr
