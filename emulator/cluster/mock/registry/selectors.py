"""Label and field selectors, parsed and matched as k8s.io/apimachinery does.

kubectl sends them verbatim in ``labelSelector`` / ``fieldSelector`` query parameters, and its
error output echoes the apiserver's message, so the grammar, the key/value validation and the
error wording follow the ``labels`` and ``fields`` packages of apimachinery.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from enum import StrEnum
from typing import Any

from emulator import messages
from emulator.cluster.mock.wire.status import KubeError


class Operator(StrEnum):
    EQUALS = "="
    DOUBLE_EQUALS = "=="
    NOT_EQUALS = "!="
    IN = "in"
    NOT_IN = "notin"
    EXISTS = "exists"
    DOES_NOT_EXIST = "!"
    GREATER_THAN = "gt"
    LESS_THAN = "lt"


@dataclass(frozen=True)
class Requirement:
    key: str
    operator: Operator
    values: tuple[str, ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        present = self.key in labels
        match self.operator:
            case Operator.EQUALS | Operator.DOUBLE_EQUALS | Operator.IN:
                return present and labels[self.key] in self.values
            case Operator.NOT_EQUALS | Operator.NOT_IN:
                # A missing label satisfies a negative requirement, as in apimachinery.
                return not present or labels[self.key] not in self.values
            case Operator.EXISTS:
                return present
            case Operator.DOES_NOT_EXIST:
                return not present
            case Operator.GREATER_THAN | Operator.LESS_THAN:
                # As Go's ParseInt: no spaces, no "1_000"; non-numbers never match.
                if not present or not _is_int(labels[self.key]):
                    return False
                actual, bound = int(labels[self.key]), int(self.values[0])
                return actual > bound if self.operator is Operator.GREATER_THAN else actual < bound
        return False  # pragma: no cover - the enum is exhausted above


@dataclass(frozen=True)
class LabelSelector:
    requirements: tuple[Requirement, ...] = ()
    # A nil metav1.LabelSelector selects nothing, unlike an empty one, which selects everything.
    match_nothing: bool = False

    def matches(self, labels: Mapping[str, str] | None) -> bool:
        if self.match_nothing:
            return False
        present = labels or {}
        return all(r.matches(present) for r in self.requirements)

    @property
    def empty(self) -> bool:
        return not self.requirements and not self.match_nothing

    def text(self) -> str:
        """The selector as apimachinery's ``Selector.String()`` writes it: ``app=web,tier in
        (a,b)``, requirements by key, values sorted."""
        return ",".join(_requirement_text(r) for r in self.requirements)


_SYMBOLS = {Operator.EQUALS: "=", Operator.DOUBLE_EQUALS: "==", Operator.NOT_EQUALS: "!=",
            Operator.IN: " in ", Operator.NOT_IN: " notin ", Operator.GREATER_THAN: ">",
            Operator.LESS_THAN: "<"}


def _requirement_text(requirement: Requirement) -> str:
    if requirement.operator is Operator.EXISTS:
        return requirement.key
    if requirement.operator is Operator.DOES_NOT_EXIST:
        return "!" + requirement.key
    values = ",".join(sorted(requirement.values))
    if requirement.operator in (Operator.IN, Operator.NOT_IN):
        values = f"({values})"
    return requirement.key + _SYMBOLS[requirement.operator] + values


# --- Validation (k8s.io/apimachinery/pkg/util/validation) ----------------------------------------

_NAME_RE = re.compile(r"[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?")
_DNS_SUBDOMAIN_RE = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_MAX_NAME = 63
_MAX_PREFIX = 253


def _key_problem(key: str) -> str | None:
    parts = key.split("/")
    if len(parts) > 2:
        return messages.SELECTOR_TOO_MANY_SLASHES
    if len(parts) == 2:
        prefix = parts[0]
        if not prefix:
            return messages.SELECTOR_PREFIX_EMPTY
        if len(prefix) > _MAX_PREFIX:
            return messages.SELECTOR_PREFIX_TOO_LONG
        if not _DNS_SUBDOMAIN_RE.fullmatch(prefix):
            return messages.SELECTOR_PREFIX_CHARSET
    name = parts[-1]
    if not name:
        return messages.SELECTOR_NAME_PART_EMPTY
    if len(name) > _MAX_NAME:
        return messages.SELECTOR_NAME_PART_TOO_LONG
    if not _NAME_RE.fullmatch(name):
        return messages.SELECTOR_NAME_PART_CHARSET
    return None


def _value_problem(value: str) -> str | None:
    if len(value) > _MAX_NAME:
        return messages.SELECTOR_VALUE_TOO_LONG
    if value and not _NAME_RE.fullmatch(value):
        return messages.SELECTOR_VALUE_CHARSET
    return None


def _parse_error(detail: str) -> KubeError:
    return KubeError(400, messages.SELECTOR_UNABLE_TO_PARSE.format(detail=detail))


def _validate_key(key: str) -> None:
    problem = _key_problem(key)
    if problem is not None:
        raise _parse_error(messages.SELECTOR_INVALID_LABEL_KEY.format(key=key, reason=problem))


def _requirement(key: str, operator: Operator, values: Collection[str]) -> Requirement:
    """Build a requirement with apimachinery's ``NewRequirement`` checks."""
    _validate_key(key)
    if operator in (Operator.IN, Operator.NOT_IN) and not values:
        raise _parse_error(messages.SELECTOR_VALUES_REQUIRED)
    if operator in (Operator.EXISTS, Operator.DOES_NOT_EXIST) and values:
        raise _parse_error(messages.SELECTOR_VALUES_FORBIDDEN)
    for value in values:
        problem = _value_problem(value)
        if problem is not None:
            raise _parse_error(messages.SELECTOR_INVALID_LABEL_VALUE.format(
                value=value, key=key, reason=problem))
        if operator in (Operator.GREATER_THAN, Operator.LESS_THAN) and not _is_int(value):
            raise _parse_error(messages.SELECTOR_INTEGER_REQUIRED)
    # apimachinery keeps values in a set and prints them sorted.
    return Requirement(key, operator, tuple(sorted(set(values))))


def _is_int(text: str) -> bool:
    return re.fullmatch(r"[+-]?[0-9]+", text) is not None


def _selector(requirements: list[Requirement]) -> LabelSelector:
    # Sorted by key (stable), as apimachinery's internalSelector is.
    return LabelSelector(tuple(sorted(requirements, key=lambda r: r.key)))


# --- Label selector grammar (k8s.io/apimachinery/pkg/labels/selector.go) -------------------------

# Token kinds: the symbol or keyword itself, _IDENT for any other word, _END after the last token.
_IDENT = "identifier"
_END = ""
# Two-character operators come first so that "!=" is not read as "!" then "=". Whitespace is
# whatever neither alternative matches (apimachinery's lexer knows only space, tab, CR and LF).
_TOKEN_RE = re.compile(r"(!=|==|[!=<>(),])|([^ \t\r\n!=<>(),]+)")
_BINARY_OPERATORS: dict[str, Operator] = {
    "in": Operator.IN, "notin": Operator.NOT_IN, "=": Operator.EQUALS,
    "==": Operator.DOUBLE_EQUALS, "!=": Operator.NOT_EQUALS,
    ">": Operator.GREATER_THAN, "<": Operator.LESS_THAN,
}
_EXPECTED_OPERATOR = "in, notin, =, ==, !=, gt, lt"


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    for symbol, word in _TOKEN_RE.findall(text):
        kind = symbol or (word if word in ("in", "notin") else _IDENT)
        tokens.append((kind, symbol or word))
    tokens.append((_END, ""))
    return tokens


class _LabelParser:
    """Recursive-descent parser over the token list, following apimachinery's grammar."""

    def __init__(self, text: str) -> None:
        self._tokens = _tokenize(text)
        self._pos = 0

    def _peek(self, as_value: bool = True) -> tuple[str, str]:
        kind, literal = self._tokens[self._pos]
        # "in"/"notin" are operators only right after a key; elsewhere they are ordinary words
        # (a label may be called "in").
        if as_value and kind in ("in", "notin"):
            return _IDENT, literal
        return kind, literal

    def _next(self, as_value: bool = True) -> tuple[str, str]:
        token = self._peek(as_value)
        self._pos += 1
        return token

    def parse(self) -> LabelSelector:
        requirements: list[Requirement] = []
        while True:
            kind, literal = self._peek()
            if kind == _END:
                return _selector(requirements)
            if kind not in (_IDENT, "!"):
                raise _found(literal, "!, identifier, or 'end of string'")
            requirements.append(self._requirement())
            kind, literal = self._next()
            if kind == _END:
                return _selector(requirements)
            if kind != ",":
                raise _found(literal, "',' or 'end of string'")
            kind, literal = self._peek()
            if kind not in (_IDENT, "!"):
                raise _found(literal, "identifier after ','")

    def _requirement(self) -> Requirement:
        negated = self._peek()[0] == "!"
        if negated:
            self._next()
        kind, key = self._next()
        if kind != _IDENT:
            raise _found(key, "identifier")
        _validate_key(key)
        if negated:
            return _requirement(key, Operator.DOES_NOT_EXIST, ())
        if self._peek()[0] in (_END, ","):
            return _requirement(key, Operator.EXISTS, ())
        kind, literal = self._next(as_value=False)
        if kind not in _BINARY_OPERATORS:
            raise _found(literal, _EXPECTED_OPERATOR)
        operator = _BINARY_OPERATORS[kind]
        if operator in (Operator.IN, Operator.NOT_IN):
            return _requirement(key, operator, self._value_set())
        return _requirement(key, operator, (self._exact_value(),))

    def _exact_value(self) -> str:
        kind, literal = self._peek()
        if kind in (_END, ","):
            return ""  # "k=" selects the empty value
        self._next()
        if kind != _IDENT:
            raise _found(literal, "identifier")
        return literal

    def _value_set(self) -> set[str]:
        kind, literal = self._next()
        if kind != "(":
            raise _found(literal, "'('")
        kind, literal = self._peek()
        if kind == ")":
            self._next()
            return {""}  # "k in ()" selects the empty value
        if kind not in (_IDENT, ","):
            raise _found(literal, "',', ')' or identifier")
        values: set[str] = set()
        expect_value = True
        while True:
            kind, literal = self._next()
            if not expect_value:
                if kind == ")":
                    return values
                if kind != ",":
                    raise _found(literal, "',' or ')'")
                expect_value = True
            elif kind == _IDENT:
                values.add(literal)
                expect_value = False
            elif kind in (",", ")"):
                # A missing value next to "(", "," or ")" is the empty value: "(a,)", "(,a)".
                values.add("")
                if kind == ")":
                    return values
            else:
                raise _found(literal, "',' or identifier")


def _found(literal: str, expected: str) -> KubeError:
    return _parse_error(messages.SELECTOR_FOUND_EXPECTED.format(found=literal, expected=expected))


def parse_label_selector(text: str) -> LabelSelector:
    """Parse a ``labelSelector`` query value; the empty string selects everything."""
    return _LabelParser(text).parse()


_MATCH_OPERATORS: dict[str, Operator] = {
    "In": Operator.IN, "NotIn": Operator.NOT_IN,
    "Exists": Operator.EXISTS, "DoesNotExist": Operator.DOES_NOT_EXIST,
}


def label_selector_from_match(selector: Mapping[str, Any] | None) -> LabelSelector:
    """Convert a ``metav1.LabelSelector`` (``matchLabels`` / ``matchExpressions``)."""
    if selector is None:
        return LabelSelector(match_nothing=True)
    if not isinstance(selector, Mapping):
        raise _parse_error(messages.SELECTOR_MALFORMED_OBJECT)
    match_labels = selector.get("matchLabels") or {}
    expressions = selector.get("matchExpressions") or []
    if not isinstance(match_labels, Mapping) or not isinstance(expressions, list):
        raise _parse_error(messages.SELECTOR_MALFORMED_OBJECT)
    requirements: list[Requirement] = []
    for key, value in match_labels.items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise _parse_error(messages.SELECTOR_MALFORMED_OBJECT)
        requirements.append(_requirement(key, Operator.EQUALS, (value,)))
    requirements.extend(_match_expression(expression) for expression in expressions)
    return _selector(requirements)


def _match_expression(expression: Any) -> Requirement:
    if not isinstance(expression, Mapping):
        raise _parse_error(messages.SELECTOR_MALFORMED_OBJECT)
    key, operator = expression.get("key"), expression.get("operator")
    values = expression.get("values") or []
    if (not isinstance(key, str) or not isinstance(values, list)
            or not all(isinstance(v, str) for v in values)):
        raise _parse_error(messages.SELECTOR_MALFORMED_OBJECT)
    if operator not in _MATCH_OPERATORS:
        raise _parse_error(messages.SELECTOR_INVALID_OPERATOR.format(operator=operator))
    return _requirement(key, _MATCH_OPERATORS[operator], values)


# --- Field selectors (k8s.io/apimachinery/pkg/fields/selector.go) --------------------------------

# Reads a field label's value from a stored object, for a label whose value is not the field at
# its own path (GetAttrs computes it, or the label names another version's field).
FieldRead = Callable[[Mapping[str, Any]], str]


@dataclass(frozen=True)
class FieldRequirement:
    field: str
    value: str
    negated: bool = False
    read: FieldRead | None = dataclass_field(default=None, compare=False)

    def matches(self, obj: Mapping[str, Any]) -> bool:
        found = _field_value(obj, self.field) if self.read is None else self.read(obj)
        return (found == self.value) != self.negated


def field_at(path: str) -> FieldRead:
    """A label read from ``path`` instead of its own name."""
    return lambda obj: _field_value(obj, path)


@dataclass(frozen=True)
class FieldSelector:
    requirements: tuple[FieldRequirement, ...] = ()

    def matches(self, obj: Mapping[str, Any]) -> bool:
        return all(r.matches(obj) for r in self.requirements)

    @property
    def empty(self) -> bool:
        return not self.requirements


def _field_value(obj: Mapping[str, Any], path: str) -> str:
    """Read a dotted path the way the apiserver's field sets render it; absent means ""."""
    current: Any = obj
    for part in path.split("."):
        if not isinstance(current, Mapping) or part not in current:
            return ""
        current = current[part]
    if isinstance(current, bool):
        return "true" if current else "false"  # e.g. spec.unschedulable
    if isinstance(current, (str, int, float)):
        return str(current)
    return ""


# Checked in this order so that "a==b" is not read as "a" "=" "=b".
_FIELD_OPERATORS = ("!=", "==", "=")


def _split_terms(text: str) -> list[str]:
    """Split on commas that are not backslash-escaped, keeping the escapes for later."""
    terms: list[str] = []
    start = 0
    escaped = False
    for i, ch in enumerate(text):
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == ",":
            terms.append(text[start:i])
            start = i + 1
    terms.append(text[start:])
    return terms


def _split_term(term: str) -> tuple[str, str, str] | None:
    # The field name cannot be escaped, so the first operator anywhere splits the term.
    for i in range(len(term)):
        for operator in _FIELD_OPERATORS:
            if term.startswith(operator, i):
                return term[:i], operator, term[i + len(operator):]
    return None


def _unescape_field_value(raw: str) -> str:
    out: list[str] = []
    escaped = False
    for ch in raw:
        if escaped:
            if ch not in "\\,=":
                raise KubeError(400, messages.SELECTOR_INVALID_ESCAPE.format(sequence="\\" + ch))
            out.append(ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch in ",=":
            raise KubeError(400, messages.SELECTOR_UNESCAPED_CHARACTER.format(character=ch))
        else:
            out.append(ch)
    if escaped:
        raise KubeError(400, messages.SELECTOR_INVALID_ESCAPE.format(sequence="\\"))
    return "".join(out)


def parse_field_selector(text: str, supported: Collection[str],
                         reads: Mapping[str, FieldRead] | None = None) -> FieldSelector:
    """Parse a ``fieldSelector`` query value against the fields this resource can be listed by;
    ``reads``: how the labels that are not a stored field's path are read."""
    requirements: list[FieldRequirement] = []
    # apimachinery sorts the terms before parsing, which decides which bad term is reported.
    for term in sorted(_split_terms(text)):
        if not term:
            continue
        split = _split_term(term)
        if split is None:
            raise KubeError(400, messages.SELECTOR_INVALID_FIELD.format(selector=text, term=term))
        field, operator, raw = split
        requirements.append(FieldRequirement(field, _unescape_field_value(raw), operator == "!=",
                                             (reads or {}).get(field)))
    # Syntax errors come first; unsupported fields are found later, by the field-label conversion.
    for requirement in requirements:
        if requirement.field not in supported:
            raise KubeError(400, messages.SELECTOR_FIELD_NOT_SUPPORTED.format(
                field=requirement.field))
    return FieldSelector(tuple(requirements))
