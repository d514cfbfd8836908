"""fielderrors: kube's field.Error rendering and apierrors.NewInvalid."""

from __future__ import annotations

from emulator.cluster.mock.registry import fielderrors as fe


def test_invalid_renders_go_values() -> None:
    # apimachinery pkg/util/validation/field/errors.go ErrorBody: strings %q, numbers %v.
    assert str(fe.invalid_value("spec.x", "a\"b", "bad")) == 'spec.x: Invalid value: "a\\"b": bad'
    assert str(fe.invalid_value("spec.x", 3, "bad")) == "spec.x: Invalid value: 3: bad"
    assert str(fe.invalid_value("spec.x", 1.5, "bad")) == "spec.x: Invalid value: 1.5: bad"
    assert str(fe.invalid_value("spec.x", fe.OMIT, "bad")) == "spec.x: Invalid value: bad"


def test_maps_print_as_json_from_1_34_and_as_go_syntax_before() -> None:
    # errors.go v0.34 json.Marshal's the value; v0.33 and older print it with %#v.
    assert fe.duplicate("l[1]", {"name": "a"}, 34).body == 'Duplicate value: {"name":"a"}'
    assert fe.duplicate("l[1]", {"name": "a"}, 33).body == \
        'Duplicate value: map[string]interface {}{"name":"a"}'


def test_too_long_and_too_many_wording_by_minor() -> None:
    # field.TooLong: "must have at most N bytes" (v0.31), "may not be more than N bytes" (v0.32),
    # singular "byte" from v0.34; TooMany's "item" likewise.
    assert fe.too_long("s", 5, 31).body == "Too long: must have at most 5 bytes"
    assert fe.too_long("s", 5, 32).body == "Too long: may not be more than 5 bytes"
    assert fe.too_long("s", 1, 33).body == "Too long: may not be more than 1 bytes"
    assert fe.too_long("s", 1, 34).body == "Too long: may not be more than 1 byte"
    assert fe.too_many("s", 3, 2, 33).body == "Too many: 3: must have at most 2 items"
    assert fe.too_many("s", 3, 1, 35).body == "Too many: 3: must have at most 1 item"


def test_not_supported_quotes_every_value() -> None:
    # field.NotSupported: 'supported values: "a", "b"'.
    error = fe.not_supported("spec.mode", "x", ["a", "b"])
    assert str(error) == 'spec.mode: Unsupported value: "x": supported values: "a", "b"'
    assert error.type == "FieldValueNotSupported"


def test_invalid_is_new_invalid() -> None:
    # apimachinery pkg/api/errors NewInvalid: one error bare, several in brackets, deduplicated
    # in the message but every one a cause; the kind qualified by its group.
    one = fe.invalid("Widget", "example.com", "w", [fe.required("spec.size")])
    assert (one.code, one.reason) == (422, "Invalid")
    assert one.message == 'Widget.example.com "w" is invalid: spec.size: Required value'
    errors = [fe.required("spec.a"), fe.required("spec.a"), fe.forbidden("spec.b", "no")]
    many = fe.invalid("Pod", "", "p", errors)
    assert many.message == 'Pod "p" is invalid: [spec.a: Required value, spec.b: Forbidden: no]'
    assert many.details is not None and len(many.details["causes"]) == 3
    assert many.details["causes"][2] == {"reason": "FieldValueForbidden",
                                         "message": "Forbidden: no", "field": "spec.b"}
    assert many.status()["details"]["kind"] == "Pod"
    assert "group" not in many.status()["details"]  # omitempty
    assert fe.invalid("Pod", "", "p", []).message == 'Pod "p" is invalid'


def test_root_errors_name_the_nil_path() -> None:
    # field.Path(nil).String() is "<nil>".
    assert fe.invalid_value("", "x", "d").field == "<nil>"


def test_a_float_value_prints_as_gos_v() -> None:
    # fmt's %v of a float64 turns to an exponent from 1e6 on (checked with Go: 1e+06,
    # 1.234567895e+08), where encoding/json stays positional up to 1e21
    assert str(fe.invalid_value("spec.x", 1e6, "bad")) == "spec.x: Invalid value: 1e+06: bad"
    assert fe.go_float(123456789.5) == "1.234567895e+08"
    assert fe.go_float(0.0001) == "0.0001"
