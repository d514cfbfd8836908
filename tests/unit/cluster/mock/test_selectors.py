"""Label and field selectors: grammar, matching and the apiserver's error messages."""

from __future__ import annotations

from typing import Any

import pytest

from emulator import messages
from emulator.cluster.mock.registry.selectors import (
    FieldRequirement,
    LabelSelector,
    Operator,
    Requirement,
    label_selector_from_match,
    parse_field_selector,
    parse_label_selector,
)
from emulator.cluster.mock.wire.status import KubeError

LABELS = {"app": "web", "tier": "frontend", "version": "3", "example.com/owner": "team-a"}


def unable(detail: str) -> str:
    return messages.SELECTOR_UNABLE_TO_PARSE.format(detail=detail)


def found(literal: str, expected: str) -> str:
    return unable(messages.SELECTOR_FOUND_EXPECTED.format(found=literal, expected=expected))


# --- Label selectors: matching -------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("app=web", True),
    ("app=api", False),
    ("app==web", True),
    ("app==api", False),
    ("app!=api", True),
    ("app!=web", False),
    ("missing!=x", True),  # a negative requirement is met by an absent label
    ("app in (api,web)", True),
    ("app in (api,db)", False),
    ("missing in (a)", False),
    ("app notin (api,db)", True),
    ("app notin (web)", False),
    ("missing notin (a)", True),
    ("app", True),
    ("missing", False),
    ("!missing", True),
    ("!app", False),
    ("version>2", True),
    ("version>3", False),
    ("version<4", True),
    ("version<3", False),
    ("app>1", False),  # a non-numeric label never satisfies gt/lt
    ("missing<10", False),
    ("example.com/owner=team-a", True),
    ("app=web,tier=frontend", True),
    ("app=web,tier=backend", False),
    ("app in (web),!missing,tier,version!=4", True),
])
def test_label_operators(text: str, expected: bool) -> None:
    assert parse_label_selector(text).matches(LABELS) is expected


@pytest.mark.parametrize("text", ["", "   ", "\t\n"])
def test_empty_label_selector_selects_everything(text: str) -> None:
    selector = parse_label_selector(text)
    assert selector.empty
    assert selector.matches({}) and selector.matches(None) and selector.matches(LABELS)


@pytest.mark.parametrize("text", [
    "app=web,tier in (frontend)",
    "  app = web ,  tier  in(frontend)  ",
    "app\t==\tweb,\ntier in ( frontend )",
])
def test_whitespace_is_insignificant(text: str) -> None:
    assert parse_label_selector(text) == LabelSelector((
        Requirement("app", Operator.EQUALS if "==" not in text else Operator.DOUBLE_EQUALS,
                    ("web",)),
        Requirement("tier", Operator.IN, ("frontend",)),
    ))


def test_requirements_are_sorted_by_key_and_values_deduplicated() -> None:
    selector = parse_label_selector("zone in (b,a,b),app")
    assert selector.requirements == (
        Requirement("app", Operator.EXISTS),
        Requirement("zone", Operator.IN, ("a", "b")),
    )


@pytest.mark.parametrize(("text", "values"), [
    ("k in ()", ("",)),
    ("k in (a,)", ("", "a")),
    ("k in (,a)", ("", "a")),
    ("k in (a,,b)", ("", "a", "b")),
    ("k in (,)", ("",)),
])
def test_empty_values_inside_a_set(text: str, values: tuple[str, ...]) -> None:
    assert parse_label_selector(text).requirements == (Requirement("k", Operator.IN, values),)


@pytest.mark.parametrize(("text", "labels", "expected"), [
    ("k=", {"k": ""}, True),
    ("k=", {"k": "x"}, False),
    ("k=", {}, False),
    ("k!=", {"k": "x"}, True),
])
def test_empty_exact_value(text: str, labels: dict[str, str], expected: bool) -> None:
    assert parse_label_selector(text).matches(labels) is expected


def test_keywords_are_plain_words_outside_operator_position() -> None:
    selector = parse_label_selector("in=notin,notin in (in)")
    assert selector.matches({"in": "notin", "notin": "in"})
    assert not selector.matches({"in": "notin", "notin": "x"})


# --- Label selectors: errors ---------------------------------------------------------------------

OPERATORS = "in, notin, =, ==, !=, gt, lt"


@pytest.mark.parametrize(("text", "message"), [
    ("a in (b", found("", "',' or ')'")),
    ("a in (b c)", found("c", "',' or ')'")),
    ("a in (b,", found("", "',' or identifier")),
    ("a in (=)", found("=", "',', ')' or identifier")),
    ("a in b", found("b", "'('")),
    ("a b", found("b", OPERATORS)),
    ("a!", found("!", OPERATORS)),
    ("a=(", found("(", "identifier")),
    ("!", found("", "identifier")),
    ("!a=b", found("=", "',' or 'end of string'")),
    ("a=b c", found("c", "',' or 'end of string'")),
    ("a,", found("", "identifier after ','")),
    ("a,,b", found(",", "identifier after ','")),
    (",a", found(",", "!, identifier, or 'end of string'")),
    ("=a", found("=", "!, identifier, or 'end of string'")),
])
def test_label_syntax_errors(text: str, message: str) -> None:
    with pytest.raises(KubeError) as caught:
        parse_label_selector(text)
    assert caught.value.code == 400
    assert caught.value.reason == "BadRequest"
    assert caught.value.message == message


def invalid_key(key: str, reason: str) -> str:
    return unable(messages.SELECTOR_INVALID_LABEL_KEY.format(key=key, reason=reason))


def invalid_value(value: str, key: str, reason: str) -> str:
    return unable(messages.SELECTOR_INVALID_LABEL_VALUE.format(value=value, key=key, reason=reason))


@pytest.mark.parametrize(("text", "message"), [
    ("a/b/c", invalid_key("a/b/c", messages.SELECTOR_TOO_MANY_SLASHES)),
    ("/a", invalid_key("/a", messages.SELECTOR_PREFIX_EMPTY)),
    ("Example.com/a", invalid_key("Example.com/a", messages.SELECTOR_PREFIX_CHARSET)),
    ("a_b/c", invalid_key("a_b/c", messages.SELECTOR_PREFIX_CHARSET)),
    ("x" * 254 + "/a", invalid_key("x" * 254 + "/a", messages.SELECTOR_PREFIX_TOO_LONG)),
    ("a/", invalid_key("a/", messages.SELECTOR_NAME_PART_EMPTY)),
    ("k" * 64, invalid_key("k" * 64, messages.SELECTOR_NAME_PART_TOO_LONG)),
    ("-a=b", invalid_key("-a", messages.SELECTOR_NAME_PART_CHARSET)),
    ("a.=b", invalid_key("a.", messages.SELECTOR_NAME_PART_CHARSET)),
    ("!a*", invalid_key("a*", messages.SELECTOR_NAME_PART_CHARSET)),
    ("a=-b", invalid_value("-b", "a", messages.SELECTOR_VALUE_CHARSET)),
    ("a in (ok,b*)", invalid_value("b*", "a", messages.SELECTOR_VALUE_CHARSET)),
    ("a=" + "v" * 64, invalid_value("v" * 64, "a", messages.SELECTOR_VALUE_TOO_LONG)),
    ("a>b", unable(messages.SELECTOR_INTEGER_REQUIRED)),
    ("a<", unable(messages.SELECTOR_INTEGER_REQUIRED)),
])
def test_label_validation_errors(text: str, message: str) -> None:
    with pytest.raises(KubeError) as caught:
        parse_label_selector(text)
    assert caught.value.code == 400
    assert caught.value.message == message


@pytest.mark.parametrize("text", [
    "a" * 63, "A-b_c.d=E-f_g.h", "example.com/a", "a.b-c.example/x", "k=" + "v" * 63, "k=1",
])
def test_valid_keys_and_values_at_the_limits(text: str) -> None:
    assert len(parse_label_selector(text).requirements) == 1


# --- metav1.LabelSelector ------------------------------------------------------------------------

def test_match_labels_and_expressions() -> None:
    selector = label_selector_from_match({
        "matchLabels": {"app": "web"},
        "matchExpressions": [
            {"key": "tier", "operator": "In", "values": ["frontend", "edge"]},
            {"key": "env", "operator": "NotIn", "values": ["prod"]},
            {"key": "version", "operator": "Exists"},
            {"key": "canary", "operator": "DoesNotExist"},
        ],
    })
    assert selector.matches(LABELS)
    assert not selector.matches({**LABELS, "canary": "yes"})
    assert not selector.matches({**LABELS, "env": "prod"})
    assert not selector.matches({**LABELS, "tier": "backend"})
    assert not selector.matches({k: v for k, v in LABELS.items() if k != "version"})


def test_empty_match_selects_everything_and_none_selects_nothing() -> None:
    assert label_selector_from_match({}).matches({})
    assert label_selector_from_match({"matchLabels": {}}).matches(LABELS)
    nothing = label_selector_from_match(None)
    assert not nothing.matches({}) and not nothing.matches(LABELS)
    assert not nothing.empty


@pytest.mark.parametrize(("selector", "message"), [
    ({"matchExpressions": [{"key": "a", "operator": "Gt", "values": ["1"]}]},
     messages.SELECTOR_INVALID_OPERATOR.format(operator="Gt")),
    ({"matchExpressions": [{"key": "a", "operator": "In", "values": []}]},
     messages.SELECTOR_VALUES_REQUIRED),
    ({"matchExpressions": [{"key": "a", "operator": "NotIn"}]},
     messages.SELECTOR_VALUES_REQUIRED),
    ({"matchExpressions": [{"key": "a", "operator": "Exists", "values": ["x"]}]},
     messages.SELECTOR_VALUES_FORBIDDEN),
    ({"matchLabels": {"a": "-x"}},
     messages.SELECTOR_INVALID_LABEL_VALUE.format(
         value="-x", key="a", reason=messages.SELECTOR_VALUE_CHARSET)),
    ({"matchLabels": {"a/b/c": "x"}},
     messages.SELECTOR_INVALID_LABEL_KEY.format(
         key="a/b/c", reason=messages.SELECTOR_TOO_MANY_SLASHES)),
    ({"matchLabels": {"a": 1}}, messages.SELECTOR_MALFORMED_OBJECT),
    ({"matchLabels": ["a"]}, messages.SELECTOR_MALFORMED_OBJECT),
    ({"matchExpressions": {"key": "a"}}, messages.SELECTOR_MALFORMED_OBJECT),
    ({"matchExpressions": ["a"]}, messages.SELECTOR_MALFORMED_OBJECT),
    ({"matchExpressions": [{"operator": "Exists"}]}, messages.SELECTOR_MALFORMED_OBJECT),
    ({"matchExpressions": [{"key": "a", "operator": "In", "values": [1]}]},
     messages.SELECTOR_MALFORMED_OBJECT),
])
def test_match_errors(selector: dict[str, Any], message: str) -> None:
    with pytest.raises(KubeError) as caught:
        label_selector_from_match(selector)
    assert caught.value.code == 400
    assert caught.value.message == unable(message)


def test_match_rejects_a_non_mapping() -> None:
    with pytest.raises(KubeError) as caught:
        label_selector_from_match(["app"])  # type: ignore[arg-type]
    assert caught.value.message == unable(messages.SELECTOR_MALFORMED_OBJECT)


# --- Field selectors -----------------------------------------------------------------------------

POD: dict[str, Any] = {
    "metadata": {"name": "web-1", "namespace": "default"},
    "spec": {"nodeName": "node-a", "unschedulable": False, "priority": 7},
    "status": {"phase": "Running"},
}
SUPPORTED = ("metadata.name", "metadata.namespace", "spec.nodeName", "status.phase",
             "spec.unschedulable", "spec.priority", "spec.missing")


@pytest.mark.parametrize(("text", "expected"), [
    ("metadata.name=web-1", True),
    ("metadata.name==web-1", True),
    ("metadata.name=web-2", False),
    ("metadata.name!=web-2", True),
    ("metadata.name!=web-1", False),
    ("status.phase=Running,metadata.namespace=default", True),
    ("status.phase=Running,metadata.namespace=kube-system", False),
    ("status.phase!=Succeeded,status.phase!=Failed", True),
    ("spec.missing=", True),  # an absent field reads as ""
    ("spec.missing!=", False),
    ("spec.missing!=x", True),
    ("spec.unschedulable=false", True),
    ("spec.priority=7", True),
    ("", True),
    (",", True),
])
def test_field_operators(text: str, expected: bool) -> None:
    assert parse_field_selector(text, SUPPORTED).matches(POD) is expected


def test_field_requirements_are_parsed_in_sorted_order() -> None:
    selector = parse_field_selector("status.phase!=Failed,metadata.name==a", SUPPORTED)
    assert selector.requirements == (
        FieldRequirement("metadata.name", "a"),
        FieldRequirement("status.phase", "Failed", negated=True),
    )
    assert parse_field_selector("", SUPPORTED).empty


@pytest.mark.parametrize(("text", "value"), [
    (r"metadata.name=a\,b", "a,b"),
    (r"metadata.name=a\=b", "a=b"),
    (r"metadata.name=a\\b", "a\\b"),
    (r"metadata.name=a\\", "a\\"),
    (r"metadata.name==x\=", "x="),
    ("metadata.name=a!b", "a!b"),
])
def test_field_value_escapes(text: str, value: str) -> None:
    selector = parse_field_selector(text, SUPPORTED)
    assert selector.requirements == (FieldRequirement("metadata.name", value),)
    assert selector.matches({"metadata": {"name": value}})


def test_escaped_comma_does_not_split_terms() -> None:
    selector = parse_field_selector(r"metadata.name=a\,b,status.phase=Running", SUPPORTED)
    assert [r.field for r in selector.requirements] == ["metadata.name", "status.phase"]


@pytest.mark.parametrize(("text", "message"), [
    ("metadata.name", messages.SELECTOR_INVALID_FIELD.format(
        selector="metadata.name", term="metadata.name")),
    ("status.phase=Running,oops", messages.SELECTOR_INVALID_FIELD.format(
        selector="status.phase=Running,oops", term="oops")),
    ("metadata.name!web", messages.SELECTOR_INVALID_FIELD.format(
        selector="metadata.name!web", term="metadata.name!web")),
    (r"metadata.name=a\b", messages.SELECTOR_INVALID_ESCAPE.format(sequence=r"\b")),
    (r"metadata.name=a\!", messages.SELECTOR_INVALID_ESCAPE.format(sequence=r"\!")),
    ("metadata.name=a\\", messages.SELECTOR_INVALID_ESCAPE.format(sequence="\\")),
    ("metadata.name=a=b", messages.SELECTOR_UNESCAPED_CHARACTER.format(character="=")),
    ("metadata.name===a", messages.SELECTOR_UNESCAPED_CHARACTER.format(character="=")),
    ("metadata.labels=a", messages.SELECTOR_FIELD_NOT_SUPPORTED.format(field="metadata.labels")),
    ("metadata.name =a", messages.SELECTOR_FIELD_NOT_SUPPORTED.format(field="metadata.name ")),
    ("=a", messages.SELECTOR_FIELD_NOT_SUPPORTED.format(field="")),
    # Syntax errors win over unsupported fields, whatever their order in the selector.
    ("spec.foo=1,bar", messages.SELECTOR_INVALID_FIELD.format(
        selector="spec.foo=1,bar", term="bar")),
])
def test_field_errors(text: str, message: str) -> None:
    with pytest.raises(KubeError) as caught:
        parse_field_selector(text, SUPPORTED)
    assert caught.value.code == 400
    assert caught.value.message == message
