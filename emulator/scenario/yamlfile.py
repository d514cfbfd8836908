"""YAML that remembers where each value came from, so scenario errors can say ``file:line``.

A document is checked against the emulator's nesting and size limits (``limits.check_yaml``)
before it is built, and a value PyYAML cannot build (an impossible date, an integer of thousands
of digits) is a YAML error at its line, like a syntax error.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Hashable, Iterable
from typing import Any

import yaml

from emulator import limits, messages


class LineDict(dict[str, Any]):
    line: int = 0
    key_lines: dict[str, int]


class LineList(list[Any]):
    line: int = 0
    item_lines: list[int]


class _Loader(yaml.SafeLoader):
    pass


class _Replay(yaml.composer.Composer, yaml.constructor.SafeConstructor, yaml.resolver.Resolver):
    """Builds a document from events already parsed (and checked against the limits), so a
    scenario is parsed once: ``_Loader``'s constructors, fed by a list instead of a parser."""

    def __init__(self, events: Iterable[yaml.Event]) -> None:
        self._events = deque(events)
        yaml.composer.Composer.__init__(self)
        yaml.constructor.SafeConstructor.__init__(self)
        yaml.resolver.Resolver.__init__(self)

    def check_event(self, *choices: type[yaml.Event]) -> bool:
        if not self._events:
            return False
        return not choices or isinstance(self._events[0], choices)

    def peek_event(self) -> yaml.Event:
        return self._events[0]

    def get_event(self) -> yaml.Event:
        return self._events.popleft()


def _mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, Hashable):  # "? [a]": a mistake to report, not a crash
            raise yaml.constructor.ConstructorError(None, None, messages.SCENARIO_UNHASHABLE_KEY,
                                                    key_node.start_mark)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    result = LineList()
    for child in node.value:  # a loop, not a generator: one stack frame less a level
        result.append(loader.construct_object(child, deep=True))
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


def _scalar_at_its_line(constructor: Callable[[Any, yaml.Node], Any]
                        ) -> Callable[[Any, yaml.Node], Any]:
    """A scalar PyYAML cannot build (a date like 2024-13-45, an integer of thousands of
    digits) becomes a YAML error at its line instead of escaping as a ValueError."""
    def construct(loader: Any, node: yaml.Node) -> Any:
        try:
            return constructor(loader, node)
        except (ValueError, OverflowError) as exc:
            raise yaml.constructor.ConstructorError(None, None, str(exc),
                                                    node.start_mark) from None
    return construct


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)
for _tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:timestamp"):
    _Loader.add_constructor(_tag, _scalar_at_its_line(_Loader.yaml_constructors[_tag]))
_Replay.yaml_constructors = _Loader.yaml_constructors  # the same constructors, once all are in


def load(text: str) -> Any:
    """Parse one YAML document; raises ``yaml.YAMLError`` (with a mark) on bad syntax, on a value
    that cannot be built, and on a document over the limits."""
    # Parsed once, checked as it is parsed, then built: nothing is built from a document over a
    # limit, and the events are the ones the limits were counted on.
    return _Replay(limits.checked_events(text, _Loader)).get_single_data()


def line_of(value: Any, key: str | int | None = None) -> int:
    if isinstance(value, LineDict):
        return value.key_lines.get(key, value.line) if isinstance(key, str) else value.line
    if isinstance(value, LineList):
        if isinstance(key, int) and 0 <= key < len(value.item_lines):
            return value.item_lines[key]
        return value.line
    return 0


def plain(value: Any) -> Any:
    """Drop the line bookkeeping: the plain JSON-like value the rest of the emulator stores."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value
