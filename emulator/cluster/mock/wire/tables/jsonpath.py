"""client-go's JSONPath (k8s.io/client-go/util/jsonpath), as a CRD's printer columns use it.

kube-apiserver wraps each column's ``jsonPath`` in braces, parses it as a template, and evaluates
it with missing keys allowed. CRD validation only asks that the path start with a dot, so any
template client-go can parse may arrive here: fields (with ``\\`` escapes), ``['key']``,
indexes and slices (``[0]``, ``[-1]``, ``[1:3]``, ``[::2]``, ``[*]``), unions (``[0,2]``),
wildcards (``.*``), recursive descent (``..name``), filters (``[?(@.type=="Ready")]``,
comparisons with ``== != < > <= >=`` or existence) and literals.

The semantics are Go's, not those of other JSONPath libraries (which is why this is not
jsonpath-ng or similar): a missing key gives no result rather than an error, an index out of
range or a filter over a non-list is an error, a comparison between values of different Go kinds
is an error, and ``..`` lists a container before what it holds. ``range``/``end`` blocks, which
make no sense in one table cell, are reported as errors (the cell is empty, as for any error).
Evaluation is iterative over a value's nodes, so a long path costs no recursion.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Union


class JSONPathError(Exception):
    """A template client-go would not parse, or an evaluation that would fail."""

    def __init__(self, message: str, partial: list[Any] | None = None) -> None:
        super().__init__(message)
        # What Go's function returned beside its error: an existence filter still counts it.
        self.partial = partial if partial is not None else []


class Byte(int):
    """One byte of a string that ``*`` or ``..`` walked into: a Go uint8, not an int64."""


# --- nodes ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Field:
    name: str


@dataclass(frozen=True)
class Param:
    known: bool = False
    value: int = 0
    derived: bool = False  # the end of a plain index, one past its start


@dataclass(frozen=True)
class Array:
    params: tuple[Param, Param, Param]


@dataclass(frozen=True)
class Filter:
    left: "ListNode"
    right: "ListNode"
    operator: str


@dataclass(frozen=True)
class Literal:
    value: int | float | bool


@dataclass(frozen=True)
class Wildcard:
    pass


@dataclass(frozen=True)
class Recursive:
    pass


@dataclass(frozen=True)
class Union_:
    paths: tuple["ListNode", ...]


@dataclass(frozen=True)
class Identifier:
    name: str


@dataclass(frozen=True)
class ListNode:
    nodes: tuple["Node", ...]


Node = Union[Text, Field, Array, Filter, Literal, Wildcard, Recursive, Union_, Identifier,
             ListNode]


# --- parsing --------------------------------------------------------------------------------------

_TERMINATORS = frozenset(" \t\r\n.,[]$@{}")
_DICT_KEY = re.compile(r"'([^']*)'")
_SLICE = re.compile(r"(-?[0-9]*)(:-?[0-9]*)?(:-?[0-9]*)?")
_COMPARISON = re.compile(r"([^!<>=]+)([!<>=]+)(.+)", re.DOTALL)
_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v",
            "\\": "\\", "'": "'", '"': '"'}


def parse(template: str) -> tuple[Node, ...]:
    """The template's top-level nodes: text between actions, and one ListNode per ``{...}``."""
    return _Parser(template).parse()


def parse_column(json_path: str) -> tuple[Node, ...]:
    """A printer column's path, wrapped in braces as kube-apiserver does."""
    return parse("{" + json_path + "}")


def _is_word(char: str) -> bool:
    return char == "_" or char.isalpha() or char.isdecimal()


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.start = 0

    def _take(self) -> str:
        value = self.text[self.start:self.pos]
        self.start = self.pos
        return value

    def _peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def parse(self) -> tuple[Node, ...]:
        root: list[Node] = []
        while True:
            brace = self.text.find("{", self.pos)
            if brace < 0:
                if len(self.text) > self.start:
                    root.append(Text(self.text[self.start:]))
                return tuple(root)
            if brace > self.start:
                root.append(Text(self.text[self.start:brace]))
            self.pos = self.start = brace + 1
            root.append(self._action())

    def _action(self) -> ListNode:
        """The nodes of one action, up to and past its closing brace."""
        nodes: list[Node] = []
        while True:
            rest = self.text[self.pos:]
            if rest.startswith("}"):
                self.pos += 1
                self._take()
                return ListNode(tuple(nodes))
            if rest.startswith("[?("):
                nodes.append(self._filter())
                continue
            if rest.startswith(".."):
                if nodes and isinstance(nodes[-1], Recursive):
                    raise JSONPathError("invalid multiple recursive descent")
                self.pos += 2
                self._take()
                nodes.append(Recursive())
                if _is_word(self._peek()):
                    nodes.append(self._field())
                continue
            char = self._peek()
            if char in ("", "\r", "\n"):
                raise JSONPathError("unclosed action")
            if char in " @$":  # the current object: nothing to do
                self.pos += 1
                self._take()
            elif char == "[":
                self.pos += 1
                nodes.append(self._array())
            elif char in "\"'":
                self.pos += 1
                nodes.append(self._quote(char))
            elif char == ".":
                self.pos += 1
                nodes.append(self._field())
            elif char in "+-" or char.isdecimal():
                nodes.append(self._number())
            elif _is_word(char):
                nodes.append(self._identifier())
            else:
                raise JSONPathError(f"unrecognized character in action: {char!r}")

    def _field(self) -> Node:
        self._take()  # drop the dot
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char == "\\":
                self.pos += 2
            elif char in _TERMINATORS:
                break
            else:
                self.pos += 1
        self.pos = min(self.pos, len(self.text))
        value = self._take()
        return Wildcard() if value == "*" else Field(value.replace("\\", ""))

    def _array(self) -> Node:
        end = self.text.find("]", self.pos)
        newline = self.text.find("\n", self.pos)
        if end < 0 or 0 <= newline < end:
            raise JSONPathError("unterminated array")
        self.pos = end + 1
        inside = self._take()[1:-1]
        if inside == "*":
            inside = ":"
        parts = inside.split(",")
        if len(parts) > 1:
            return Union_(tuple(_sub_action(f"[{part.strip(' ')}]") for part in parts))
        key = _DICT_KEY.fullmatch(inside)
        if key:
            # client-go reads ['a.b'] as the fields a and b.
            nodes = _sub_action("." + key.group(1)).nodes
            return nodes[0] if len(nodes) == 1 else ListNode(nodes)
        match = _SLICE.fullmatch(inside)
        if not match:
            raise JSONPathError(f"invalid array index {inside}")
        params: list[Param] = []
        for i, text in enumerate(match.groups()):
            text = text or ""
            if text:
                if i > 0:
                    text = text[1:]
                if i > 0 and not text:
                    params.append(Param())
                    continue
                try:
                    params.append(Param(True, int(text)))
                except ValueError:
                    raise JSONPathError(f"array index {text} is not a number") from None
            elif i == 1:
                params.append(Param(True, params[0].value + 1, derived=True))
            else:
                params.append(Param())
        return Array((params[0], params[1], params[2]))

    def _filter(self) -> Node:
        self.pos += 3
        self._take()
        opened = closed = False
        pair = ""
        while True:
            if self.pos >= len(self.text) or self.text[self.pos] == "\n":
                raise JSONPathError("unterminated filter")
            char = self.text[self.pos]
            self.pos += 1
            if char in "\"'":
                if not opened:
                    opened, pair = True, char
                    continue
                if self.text[self.pos - 2] != "\\" and char == pair:
                    closed = True
            elif char == ")" and opened == closed:
                break
        if self._peek() != "]":
            raise JSONPathError("unclosed array expect ]")
        self.pos += 1
        inside = self._take()[:-2]
        match = _COMPARISON.fullmatch(inside)
        if match is None:
            return Filter(_sub_action(inside), ListNode(()), "exists")
        left, operator, right = match.groups()
        return Filter(_sub_action(left), _sub_action(right), operator)

    def _quote(self, quote: str) -> Node:
        while True:
            if self.pos >= len(self.text) or self.text[self.pos] == "\n":
                raise JSONPathError("unterminated quoted string")
            char = self.text[self.pos]
            self.pos += 1
            if char == quote and self.text[self.pos - 2] != "\\":
                break
        return Text(_unquote(self._take()[1:-1], quote))

    def _number(self) -> Node:
        if self._peek() in "+-":
            self.pos += 1
        while self.pos < len(self.text) and (self.text[self.pos] == "."
                                             or self.text[self.pos].isdecimal()):
            self.pos += 1
        value = self._take()
        if re.fullmatch(r"[+-]?[0-9]+", value):
            return Literal(int(value))
        try:
            return Literal(float(value))
        except ValueError:
            raise JSONPathError(f"cannot parse number {value}") from None

    def _identifier(self) -> Node:
        while self.pos < len(self.text) and self.text[self.pos] not in _TERMINATORS:
            self.pos += 1
        value = self._take()
        if value in ("true", "false"):
            return Literal(value == "true")
        return Identifier(value)


def _sub_action(text: str) -> ListNode:
    """Part of a path parsed on its own (a union member, a filter's side), as client-go does."""
    first = parse("{" + text + "}")[0]
    return first if isinstance(first, ListNode) else ListNode((first,))


def _unquote(body: str, quote: str) -> str:
    """Go's escapes in a quoted literal (strconv.UnquoteChar)."""
    if "\\" not in body:
        return body
    out: list[str] = []
    i = 0
    while i < len(body):
        char = body[i]
        if char != "\\":
            out.append(char)
            i += 1
            continue
        code = body[i + 1:i + 2]
        if code in _ESCAPES and (code not in "'\"" or code == quote):
            out.append(_ESCAPES[code])
            i += 2
        elif code in ("x", "u", "U"):
            width = {"x": 2, "u": 4, "U": 8}[code]
            digits = body[i + 2:i + 2 + width]
            if len(digits) != width or not re.fullmatch(r"[0-9a-fA-F]+", digits):
                raise JSONPathError(f"unquote string {body} error invalid syntax")
            out.append(chr(int(digits, 16)))
            i += 2 + width
        elif re.fullmatch(r"[0-7]{3}", body[i + 1:i + 4]):
            out.append(chr(int(body[i + 1:i + 4], 8)))
            i += 4
        else:
            raise JSONPathError(f"unquote string {body} error invalid syntax")
    return "".join(out)


# --- evaluation -----------------------------------------------------------------------------------


def find_results(nodes: tuple[Node, ...], data: Any) -> list[list[Any]]:
    """Each top-level node's results against ``data`` (missing keys allowed), or an error."""
    return [_walk([data], node) for node in nodes]


def _walk(values: list[Any], node: Node) -> list[Any]:
    if isinstance(node, ListNode):
        for part in node.nodes:  # an error carries the failing step's partial results
            values = _walk(values, part)
        return values
    if isinstance(node, Text):
        return [node.text]
    if isinstance(node, Field):
        return [v[node.name] for v in values if isinstance(v, dict) and node.name in v]
    if isinstance(node, Array):
        return _array(values, node)
    if isinstance(node, Filter):
        return _filter(values, node)
    if isinstance(node, Literal):
        return [node.value] * len(values)
    if isinstance(node, Wildcard):
        return [child for v in values for child in _children(v)]
    if isinstance(node, Recursive):
        return _descend(values)
    if isinstance(node, Union_):
        try:
            return [r for path in node.paths for r in _walk(values, path)]
        except JSONPathError as error:
            raise JSONPathError(str(error), values) from None
    # range/end (and any other identifier) have no meaning in a single cell.
    raise JSONPathError(f"unsupported identifier {node.name}", values)


def _children(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return list(value.values())
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        return [Byte(b) for b in value.encode()]
    return []


def _descend(values: list[Any]) -> list[Any]:
    """``..``: every container, then what it holds, depth first (a work stack, not recursion)."""
    out: list[Any] = []
    stack: list[Any] = list(reversed(values))
    while stack:
        value = stack.pop()
        children = _children(value)
        if children:
            out.append(value)
            stack.extend(reversed(children))
    return out


def _array(values: list[Any], node: Array) -> list[Any]:
    out: list[Any] = []
    for value in values:
        if value is None:
            continue
        if not isinstance(value, list):
            raise JSONPathError(f"{_go_type(value)} is not array or slice", values)
        length = len(value)
        first, last, step = node.params
        start = first.value if first.known else 0
        if start < 0:
            start += length
        end = last.value if last.known else length
        if end < 0 or (end == 0 and last.derived):
            end += length
        if end == start:
            return out  # zero elements asked for: what was found so far
        if not 0 <= start < length:
            raise JSONPathError(f"array index out of bounds: index {start}, length {length}",
                                values)
        if not 0 <= end <= length:
            raise JSONPathError(f"array index out of bounds: index {end - 1}, length {length}",
                                values)
        if start > end:
            raise JSONPathError(f"starting index {start} is greater than ending index {end}",
                                values)
        stride = 1
        if step.known:
            if step.value <= 0:
                raise JSONPathError("step must be > 0", values)
            stride = step.value
        out.extend(value[start:end:stride])
    return out


def _filter(values: list[Any], node: Filter) -> list[Any]:
    out: list[Any] = []
    for value in values:
        if not isinstance(value, list):
            raise JSONPathError(f"{value} is not array or slice and cannot be filtered", values)
        for element in value:
            try:
                lefts = _walk([element], node.left)
                failure: JSONPathError | None = None
            except JSONPathError as error:
                lefts, failure = error.partial, error
            if node.operator == "exists":
                if lefts:
                    out.append(element)
                continue
            if failure is not None:
                raise JSONPathError(str(failure), values)
            left = _single(lefts, values)
            if left is _NOTHING:
                continue
            right = _single(_walk([element], node.right), values)
            if right is _NOTHING:
                continue
            if compare(node.operator, left, right, out):
                out.append(element)
    return out


_NOTHING = object()


def _single(results: list[Any], values: list[Any]) -> Any:
    if not results:
        return _NOTHING
    if len(results) > 1:
        raise JSONPathError("can only compare one element at a time", values)
    return results[0]


def _kind(value: Any) -> str:
    """The Go kind text/template compares by."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, Byte):
        return "uint"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    raise JSONPathError("invalid type for comparison")


def compare(operator: str, left: Any, right: Any, found: list[Any] | None = None) -> bool:
    """text/template's eq, ne, lt, le, gt, ge on two values (client-go's forked copy)."""
    try:
        if operator == "==":
            return _equal(left, right)
        if operator == "!=":
            return not _equal(left, right)
        if operator == "<":
            return _less(left, right)
        if operator == ">":
            return not (_less(left, right) or _equal(left, right))
        if operator == "<=":
            return _less(left, right) or _equal(left, right)
        if operator == ">=":
            return not _less(left, right)
    except JSONPathError as error:
        raise JSONPathError(str(error), found) from None
    raise JSONPathError(f"unrecognized filter operator {operator}", found)


def _equal(left: Any, right: Any) -> bool:
    kinds = {_kind(left), _kind(right)}
    if len(kinds) > 1 and kinds != {"int", "uint"}:
        raise JSONPathError("incompatible types for comparison")
    return bool(left == right)


def _less(left: Any, right: Any) -> bool:
    kinds = {_kind(left), _kind(right)}
    if len(kinds) > 1 and kinds != {"int", "uint"}:
        raise JSONPathError("incompatible types for comparison")
    if kinds == {"bool"}:
        raise JSONPathError("invalid type for comparison")
    return bool(left < right)


def _go_type(value: Any) -> str:
    return {dict: "map[string]interface {}", str: "string", bool: "bool", int: "int64",
            float: "float64", Byte: "uint8"}.get(type(value), "interface {}")
