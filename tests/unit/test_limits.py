"""emulator/limits.py: the limit table agrees with docs/limits.md, and its checks measure depth and
size without recursion and without reading more of a body than the limit."""

from __future__ import annotations

import asyncio
import importlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from starlette.requests import Request

from emulator import limits, messages

DOC = Path(__file__).resolve().parents[2] / "docs" / "limits.md"
# A table row's last cell: the constant that holds the limit, as `module.NAME` or `Class.attr`.
CONSTANT = re.compile(r"`((?:emulator|hypercorn)\.[\w.]+)`\s*\|\s*$")
FIRST_NUMBER = re.compile(r"\d[\d,]*")


def documented() -> dict[str, str]:
    """Each documented constant's dotted path -> the row's value cell."""
    rows = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        match = CONSTANT.search(line)
        if match and line.startswith("|"):
            rows[match.group(1)] = line.split("|")[2]
    return rows


def resolve(dotted: str) -> Any:
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found: Any = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for name in parts[cut:]:
            found = getattr(found, name)
        return found
    raise AssertionError(f"{dotted} names nothing importable")


@pytest.mark.parametrize("dotted", sorted(documented()))
def test_each_documented_limit_is_the_codes_number(dotted: str) -> None:
    value = resolve(dotted)
    shown = FIRST_NUMBER.search(documented()[dotted])
    assert shown is not None, dotted
    assert isinstance(value, (int, float)) and not isinstance(value, bool), dotted
    assert int(shown.group().replace(",", "")) == value, dotted


def test_every_limit_of_the_table_is_documented() -> None:
    table = {f"emulator.limits.{name}" for name, value in vars(limits).items()
             if name.isupper() and type(value) is int}
    assert table - set(documented()) == set()


def test_the_header_limit_has_one_home() -> None:
    from emulator.gateway import auth
    assert auth.HEADER_LIMIT is limits.HEADER_LIMIT == 8192


# --- JSON depth ------------------------------------------------------------------------------------


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize(("text", "depth"), [
    ("{}", 1), ("3", 0), ('{"a": [1, {"b": []}]}', 4), ("[[], [[]], []]", 3),
    ('["[[[[", "}}}}"]', 1),  # brackets inside strings are text
    ('["a\\"[[[[", []]', 2),  # an escaped quote does not end the string
    ('{"a": "\\\\"}', 1),  # nor does an escaped backslash leave it open
    ('["never closed [[[[[', 1),  # an unterminated string runs to the end
])
def test_json_depth_counts_brackets_outside_strings(text: str, depth: int) -> None:
    assert limits.json_depth(text) == depth


def test_json_at_the_limit_is_parsed_and_past_it_refused() -> None:
    at_limit = nested(limits.MAX_NESTING_DEPTH)
    assert limits.json_loads(at_limit.encode()) == json.loads(at_limit)
    with pytest.raises(limits.TooDeep) as refused:
        limits.json_loads(nested(limits.MAX_NESTING_DEPTH + 1).encode())
    assert str(refused.value) == messages.NESTING_TOO_DEEP.format(limit=limits.MAX_NESTING_DEPTH)


def test_far_deeper_json_is_refused_before_the_recursive_parser_runs() -> None:
    with pytest.raises(limits.TooDeep):  # json.loads alone raises RecursionError here
        limits.json_loads(nested(100_000))


def test_json_in_utf16_is_measured_as_json_reads_it() -> None:
    # json.loads takes UTF-16; its bytes hold quote and bracket bytes that are not characters.
    body = json.dumps(["\u2222" * 3, [[]]]).encode("utf-16")
    assert limits.json_loads(body) == ["\u2222" * 3, [[]]]
    with pytest.raises(limits.TooDeep):
        limits.json_loads(nested(limits.MAX_NESTING_DEPTH + 1).encode("utf-16"))


def test_a_too_deep_body_is_a_value_error_like_any_unreadable_one() -> None:
    assert issubclass(limits.TooDeep, ValueError)


# --- decoded values --------------------------------------------------------------------------------


def value_of_depth(depth: int) -> Any:
    value: Any = {}
    for index in range(depth - 1):
        value = {"a": value} if index % 2 else [value]
    return value


def test_check_depth_measures_without_recursion() -> None:
    limits.check_depth(value_of_depth(limits.MAX_NESTING_DEPTH))
    limits.check_depth("scalar")
    with pytest.raises(limits.TooDeep):
        limits.check_depth(value_of_depth(limits.MAX_NESTING_DEPTH + 1))
    with pytest.raises(limits.TooDeep):
        limits.check_depth(value_of_depth(50_000))  # deeper than Python could recurse


# --- YAML ------------------------------------------------------------------------------------------

FAST = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@pytest.mark.parametrize("loader", [yaml.SafeLoader, FAST])
def test_yaml_nesting_is_refused_at_the_line_that_crosses_the_limit(loader: type) -> None:
    limits.check_yaml("a: " + nested(limits.MAX_NESTING_DEPTH - 1), loader)
    text = "a: 1\nb:\n  c: " + nested(limits.MAX_NESTING_DEPTH)
    with pytest.raises(limits.YamlLimitError) as refused:
        limits.check_yaml(text, loader)
    assert refused.value.problem == messages.NESTING_TOO_DEEP.format(
        limit=limits.MAX_NESTING_DEPTH)
    assert refused.value.problem_mark.line == 2


LAUGHS = "\n".join(
    [f"l0: &l0 [{', '.join(['lol'] * 10)}]"]
    + [f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 10)}]" for n in range(1, 9)])


@pytest.mark.parametrize("loader", [yaml.SafeLoader, FAST])
def test_aliases_count_as_what_they_stand_for(loader: type) -> None:
    with pytest.raises(limits.YamlLimitError) as refused:
        limits.check_yaml(LAUGHS, loader)  # a billion values from a few hundred bytes
    assert refused.value.problem == messages.YAML_TOO_MANY_VALUES.format(
        limit=limits.YAML_MAX_VALUES)
    limits.check_yaml("\n".join(LAUGHS.splitlines()[:4]), loader)  # ten thousand: fine


@pytest.mark.parametrize("loader", [yaml.SafeLoader, FAST])
def test_a_document_at_the_value_limit_passes_and_one_more_does_not(loader: type) -> None:
    # The sequence itself is one value.
    limits.check_yaml("[" + ", ".join(["1"] * (limits.YAML_MAX_VALUES - 1)) + "]", loader)
    with pytest.raises(limits.YamlLimitError):
        limits.check_yaml("[" + ", ".join(["1"] * limits.YAML_MAX_VALUES) + "]", loader)


def test_an_alias_inside_the_collection_it_names_is_refused() -> None:
    with pytest.raises(limits.YamlLimitError) as refused:
        limits.check_yaml("a: &loop\n  b: *loop\n", yaml.SafeLoader)
    assert refused.value.problem == messages.YAML_RECURSIVE_ALIAS.format(anchor="loop")
    limits.check_yaml("a: &base {x: 1}\nb: *base\n", yaml.SafeLoader)  # a plain reuse is fine


def test_a_syntax_error_is_the_parsers_own() -> None:
    text = "a: [1, 2\nb: 3\n"
    with pytest.raises(yaml.YAMLError) as from_load:
        yaml.load(text, Loader=yaml.SafeLoader)
    with pytest.raises(yaml.YAMLError) as from_check:
        limits.check_yaml(text, yaml.SafeLoader)
    assert str(from_check.value) == str(from_load.value)


# --- request bodies --------------------------------------------------------------------------------


class Upload:
    """An ASGI client sending ``chunks`` of ``size`` bytes; counts how many were asked for."""

    def __init__(self, chunks: int, size: int, content_length: int | None = None) -> None:
        self.chunks, self.size, self.pulled = chunks, size, 0
        headers = [] if content_length is None else [(b"content-length",
                                                      str(content_length).encode())]
        self.request = Request({"type": "http", "method": "POST", "path": "/", "headers": headers,
                                "query_string": b""}, self.receive)

    async def receive(self) -> dict[str, Any]:
        self.pulled += 1
        return {"type": "http.request", "body": b"x" * self.size,
                "more_body": self.pulled < self.chunks}


def test_a_body_within_the_limit_is_read_whole() -> None:
    upload = Upload(chunks=4, size=100)
    assert asyncio.run(limits.read_body(upload.request, 400)) == b"x" * 400


def test_reading_stops_at_the_chunk_that_crosses_the_limit() -> None:
    upload = Upload(chunks=1000, size=100)  # 100 kB sent, the limit is 1 kB
    with pytest.raises(limits.BodyTooLarge) as refused:
        asyncio.run(limits.read_body(upload.request, 1000))
    assert upload.pulled == 11
    assert (refused.value.code, refused.value.reason, refused.value.message, refused.value.limit) == (
        413, "RequestEntityTooLarge", messages.K8S_REQUEST_TOO_LARGE.format(limit=1000), 1000)


def test_a_declared_length_over_the_limit_is_refused_before_reading() -> None:
    upload = Upload(chunks=1000, size=100, content_length=100_000)
    with pytest.raises(limits.BodyTooLarge):
        asyncio.run(limits.read_body(upload.request, 1000))
    assert upload.pulled == 0


def test_a_capped_read_keeps_one_byte_past_the_limit() -> None:
    upload = Upload(chunks=1000, size=100)
    assert asyncio.run(limits.read_capped(upload.request, 1000)) == b"x" * 1001
    assert upload.pulled == 11
