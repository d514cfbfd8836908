"""kube's field errors (apimachinery pkg/util/validation/field) and apierrors.NewInvalid.

A ``FieldError`` keeps what a Status cause needs: its type (the ErrorType reason, such as
``FieldValueInvalid``), its field path, and its body, the text after ``"<field>: "``. Bodies are
rendered once, here, the way ``field.Error.ErrorBody`` renders them for the cluster's minor: how a
bad value prints changed in apimachinery v0.34 (JSON instead of Go's ``%#v`` for maps and lists),
and the TooLong/TooMany details changed in v0.32 and v0.34.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from emulator import messages
from emulator.cluster.mock.registry.fieldvalidation import go_quote
from emulator.cluster.mock.wire.gojson import go_number
from emulator.cluster.mock.wire.status import KubeError

LATEST_MINOR = 35
NIL_PATH = "<nil>"  # field.Path(nil).String(): what an error at the root of the object names


class _Omit:
    """field.OmitValueType: an error that shows no value at all ("Invalid value: detail")."""

    def __repr__(self) -> str:
        return "OMIT"


OMIT = _Omit()


class GoText(str):
    """A bad value already printed as Go prints it (a struct of an internal type)."""


class GoAddresses:
    """Made-up heap addresses for Go's %#v of non-nil pointers in an internal struct kube
    prints before 1.34 (kube's are its process's, which no copy can know): each call a new
    ``(*T)(0x...)``."""

    def __init__(self) -> None:
        self.next = 0xc000012000

    def __call__(self, go_type: str) -> str:
        self.next += 0x10
        return f"({go_type})({hex(self.next)})"


@dataclass(frozen=True)
class FieldError:
    type: str  # kube's ErrorType reason: FieldValueInvalid, FieldValueRequired, ...
    field: str
    body: str  # ErrorBody(): 'Invalid value: "x": detail'

    def __str__(self) -> str:
        return messages.K8S_FIELD_ERROR.format(field=self.field, body=self.body)


# -- paths ---------------------------------------------------------------------------------------


def child(path: str, name: str) -> str:
    return name if path in ("", NIL_PATH) else f"{path}.{name}"


def index(path: str, i: int) -> str:
    return f"{'' if path == NIL_PATH else path}[{i}]"


def key(path: str, k: str) -> str:
    return f"{'' if path == NIL_PATH else path}[{k}]"


# -- values as Go prints them ----------------------------------------------------------------------


def go_float(value: float) -> str:
    """Go's %v of a float64 (ErrorBody prints a float value so): shortest digits, exponent
    below 1e-4 and from 1e6 (``1e+06``)."""
    return go_number(value, json_style=False)


def _go_sharp(value: Any) -> str:
    """Go's %#v of a decoded JSON value inside an interface{} (apimachinery before v0.34)."""
    if value is None:
        return "interface {}(nil)"
    if isinstance(value, dict):
        inner = ", ".join(f"{go_quote(k)}:{_go_sharp(value[k])}" for k in sorted(value))
        return "map[string]interface {}{" + inner + "}"
    if isinstance(value, list):
        return "[]interface {}{" + ", ".join(_go_sharp(v) for v in value) + "}"
    return go_value(value, LATEST_MINOR)


def go_strings(values: Any) -> str:
    """Go's %#v of a []string: ``[]string(nil)`` when there is none."""
    if not isinstance(values, list):
        return "[]string(nil)"
    return "[]string{" + ", ".join(go_quote(str(v)) for v in values) + "}"


def strings_value(values: list[str] | None, minor: int = LATEST_MINOR) -> GoText:
    """A []string bad value as ErrorBody prints it: Go's %#v before 1.34, JSON after (None is
    the nil slice: ``[]string(nil)``, ``null``)."""
    return GoText(go_json(values) if minor >= 34 else go_strings(values))


def go_json(value: Any) -> str:
    """encoding/json: map keys sorted, <, > and & escaped."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def go_value(value: Any, minor: int = LATEST_MINOR) -> str:
    """How ErrorBody prints a bad value of a decoded JSON object."""
    if isinstance(value, GoText):
        return str(value)
    if value is None:
        return "null" if minor >= 34 else '"null"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return go_float(value)
    if isinstance(value, str):
        return go_quote(value)
    if minor >= 34:
        return go_json(value)
    return _go_sharp(value)


def int_or_string(value: Any, minor: int = LATEST_MINOR) -> GoText:
    """An intstr.IntOrString bad value: Go's %#v of the struct before apimachinery 0.34 (its
    String method wants a pointer, so ErrorBody does not call it), its JSON after. A value that
    is not there is the zero IntOrString, the int 0."""
    if minor >= 34:
        return GoText(go_json(0 if value is None else value))
    if isinstance(value, str):
        return GoText(f"intstr.IntOrString{{Type:1, IntVal:0, StrVal:{go_quote(value)}}}")
    return GoText(f'intstr.IntOrString{{Type:0, IntVal:{int(value or 0)}, StrVal:""}}')


# -- the constructors of package field ----------------------------------------------------------------


def _body(type_: str, value: Any, detail: str, minor: int) -> str:
    label = messages.CR_TYPE_LABELS[type_]
    no_value = type_ in ("FieldValueRequired", "FieldValueForbidden", "FieldValueTooLong",
                         "InternalError")
    text = label if no_value or value is OMIT else f"{label}: {go_value(value, minor)}"
    return f"{text}: {detail}" if detail else text


def make(type_: str, path: str, value: Any = "", detail: str = "",
         minor: int = LATEST_MINOR) -> FieldError:
    return FieldError(type_, path or NIL_PATH, _body(type_, value, detail, minor))


def invalid_value(path: str, value: Any, detail: str, minor: int = LATEST_MINOR) -> FieldError:
    return make("FieldValueInvalid", path, value, detail, minor)


def type_invalid(path: str, value: Any, detail: str, minor: int = LATEST_MINOR) -> FieldError:
    return make("FieldValueTypeInvalid", path, value, detail, minor)


def required(path: str, detail: str = "") -> FieldError:
    return make("FieldValueRequired", path, "", detail)


def forbidden(path: str, detail: str) -> FieldError:
    return make("FieldValueForbidden", path, "", detail)


def duplicate(path: str, value: Any, minor: int = LATEST_MINOR) -> FieldError:
    return make("FieldValueDuplicate", path, value, "", minor)


def not_supported(path: str, value: Any, valid: list[str],
                  minor: int = LATEST_MINOR) -> FieldError:
    detail = messages.CR_SUPPORTED_VALUES.format(
        values=", ".join(go_quote(v) for v in valid)) if valid else ""
    return make("FieldValueNotSupported", path, value, detail, minor)


def too_long(path: str, limit: int, minor: int = LATEST_MINOR) -> FieldError:
    if minor <= 31:
        detail = messages.CR_TOO_LONG_1_31.format(limit=limit)
    else:
        unit = "byte" if limit == 1 and minor >= 34 else "bytes"
        detail = messages.CR_TOO_LONG.format(limit=limit, unit=unit)
    return make("FieldValueTooLong", path, "", detail, minor)


def too_many(path: str, actual: int, limit: int, minor: int = LATEST_MINOR) -> FieldError:
    unit = "item" if limit == 1 and minor >= 34 else "items"
    detail = messages.CR_TOO_MANY.format(limit=limit, unit=unit)
    return make("FieldValueTooMany", path, actual if actual >= 0 else OMIT, detail, minor)


# -- apierrors.NewInvalid ------------------------------------------------------------------------


def invalid(kind: str, group: str, name: str, errors: list[FieldError]) -> KubeError:
    """apierrors.NewInvalid: 422 Invalid, every error a cause, the message the distinct errors
    (one as it is, several in brackets), the kind qualified by its group when it has one."""
    qualified = f"{kind}.{group}" if group else kind
    texts = list(dict.fromkeys(str(e) for e in errors))
    if not texts:
        message = messages.CR_OBJECT_INVALID_BARE.format(kind=qualified, name=name)
    else:
        joined = texts[0] if len(texts) == 1 else "[" + ", ".join(texts) + "]"
        message = messages.K8S_OBJECT_INVALID.format(kind=qualified, name=name, errors=joined)
    details: dict[str, Any] = {"name": name, "group": group, "kind": kind, "causes": [
        {"reason": e.type, "message": e.body, "field": e.field} for e in errors]}
    return KubeError(422, message, reason="Invalid", details=details)
