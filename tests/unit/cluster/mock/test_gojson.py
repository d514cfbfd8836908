"""gojson: the bytes Go's encoding/json Encoder writes, and the Status shape built for it."""

from __future__ import annotations

from emulator.cluster.mock.wire import gojson
from emulator.cluster.mock.wire.status import KubeError, status_body, success_status


def test_compact_with_a_trailing_newline() -> None:
    assert gojson.encode({"a": [1, {"b": None}], "c": True}) == b'{"a":[1,{"b":null}],"c":true}\n'


def test_non_ascii_text_stays_utf8() -> None:
    assert gojson.encode({"k": "caf\u00e9 \u2603 \U0001f600"}) == (
        '{"k":"caf\u00e9 \u2603 \U0001f600"}\n'.encode())


def test_html_characters_and_js_line_separators_are_escaped() -> None:
    assert gojson.encode({"a<b>": "x & y\u2028\u2029"}) == (
        b'{"a\\u003cb\\u003e":"x \\u0026 y\\u2028\\u2029"}\n')


def test_control_characters_as_go_writes_them() -> None:
    assert gojson.encode("\n\r\t\b\f\x00\x1f\x7f") == b'"\\n\\r\\t\\b\\f\\u0000\\u001f\x7f"\n'


def test_a_lone_surrogate_becomes_the_replacement_character() -> None:
    assert gojson.encode({"k": "a\ud800b"}) == '{"k":"a\ufffdb"}\n'.encode()


def test_a_status_is_in_go_field_order_without_empty_fields() -> None:
    body = status_body(404, "NotFound", 'pods "x" not found',
                       {"kind": "pods", "group": "", "name": "x", "uid": "", "causes": []})
    assert gojson.encode(body) == (
        b'{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",'
        b'"message":"pods \\"x\\" not found","reason":"NotFound",'
        b'"details":{"name":"x","kind":"pods"},"code":404}\n')


def test_empty_details_are_written_and_absent_ones_are_not() -> None:
    assert status_body(405, "MethodNotAllowed", "m", {})["details"] == {}
    assert "details" not in KubeError(400, "m").status()


def test_a_success_status_has_no_message_reason_or_code() -> None:
    assert gojson.encode(success_status({"uid": "u", "kind": "configmaps", "name": "a"})) == (
        b'{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success",'
        b'"details":{"name":"a","kind":"configmaps","uid":"u"}}\n')


def test_retry_after_comes_last_in_details() -> None:
    details = {"retryAfterSeconds": 5, "causes": [{"field": "f", "reason": "r"}], "name": "n"}
    assert gojson.encode(status_body(503, "ServiceUnavailable", "m", details)) == (
        b'{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"m",'
        b'"reason":"ServiceUnavailable","details":{"name":"n","causes":[{"reason":"r",'
        b'"field":"f"}],"retryAfterSeconds":5},"code":503}\n')
