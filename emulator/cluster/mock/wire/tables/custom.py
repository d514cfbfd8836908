"""The Table of a custom resource: its CRD's additionalPrinterColumns, as kube-apiserver builds it
(apiextensions-apiserver registry/customresource/tableconvertor).

The columns are Name, then each printer column of the served version; a version without any
gets the one column kube's helpers serve by default, Age (the creation timestamp, as a date).
Each cell is the first value the column's JSONPath finds (``jsonpath.py``), converted by the
column's type the way kube converts an unstructured value: a value of the wrong type, a missing
one or a path that fails gives an empty (nil) cell; a ``string`` column prints numbers,
booleans, lists and objects as client-go's JSONPath prints them; a ``date`` column shows the
time since, like every Age cell. A path client-go cannot parse ends the column list there, as
kube falls back to the columns it had built when it met it.
"""

from __future__ import annotations

import functools
import json
import re
from datetime import datetime, timedelta, timezone
from typing import Any

from emulator import messages
from emulator.cluster.mock.registry import schema as kube_schema
from emulator.cluster.mock.registry.resources import CustomKind
from emulator.cluster.mock.wire.gojson import go_number
from emulator.cluster.mock.wire.tables import jsonpath
from emulator.cluster.mock.wire.tables.cells import (
    LATEST_MINOR, Cells, Column, Obj, Printer, aware, human_duration, name,
)

_OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"


@functools.lru_cache(maxsize=None)
def _object_meta_doc(field: str) -> str:
    """kube describes its Name and default Age columns with ObjectMeta's own field docs; the
    published schema carries the same text."""
    schema = kube_schema.schema_for(kube_schema.nearest_minor(LATEST_MINOR), documented=True)
    prop = schema.definitions[_OBJECT_META].get("properties", {}).get(field, {})
    return str(prop.get("description", ""))


def _default_columns() -> list[dict[str, Any]]:
    return [{"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp",
             "description": _object_meta_doc("creationTimestamp")}]


def custom_printer(custom: CustomKind) -> Printer:
    """The printer of one served version of a CRD."""
    name_column = Column("Name", _object_meta_doc("name"), format="name")
    columns: list[Column] = [name_column]
    paths: list[tuple[tuple[jsonpath.Node, ...], str]] = []
    for spec in custom.columns or _default_columns():
        path = str(spec.get("jsonPath", ""))
        try:
            parsed = jsonpath.parse_column(path)
        except jsonpath.JSONPathError:
            break  # kube keeps the columns before the one it could not parse
        kind = str(spec.get("type", ""))
        columns.append(Column(
            str(spec.get("name", "")),
            str(spec.get("description") or messages.CRD_COLUMN_DESCRIPTION.format(path=path)),
            type=kind, format=str(spec.get("format", "")), priority=int(spec.get("priority", 0))))
        paths.append((parsed, kind))

    def cells(obj: Obj, now: datetime) -> Cells:
        return [name(obj), *(cell(parsed, kind, obj, now) for parsed, kind in paths)]

    return Printer(tuple(columns), cells)


def cell(parsed: tuple[jsonpath.Node, ...], kind: str, obj: Obj, now: datetime) -> Any:
    """One column's cell: the first value found, or None when there is none or the path fails."""
    try:
        results = jsonpath.find_results(parsed, obj)
    except jsonpath.JSONPathError:
        return None
    if not results or not results[0]:
        return None
    value = results[0][0]
    if kind == "string":
        return print_value(value)
    return convert(kind, value, now)


def convert(kind: str, value: Any, now: datetime) -> Any:
    """kube's cellForJSONValue: the value as the column's type, or None when it is not one."""
    if value is None or isinstance(value, jsonpath.Byte):
        return None
    if kind == "integer" and not isinstance(value, bool):
        if isinstance(value, int):
            return value
        if isinstance(value, float):
            return int(value)  # Go converts toward zero
    elif kind == "number" and not isinstance(value, bool):
        if isinstance(value, (int, float)):
            return _number(float(value))
    elif kind == "boolean" and isinstance(value, bool):
        return value
    elif kind == "date" and isinstance(value, str):
        return _date(value, now)
    return None


def _number(value: float) -> int | float:
    """A float64 cell: Go's encoder writes a whole one without a fraction ("3", not "3.0")."""
    return int(value) if value.is_integer() and abs(value) < 1e21 else value


# --- date cells -----------------------------------------------------------------------------------

_RFC3339 = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?"
                      r"(Z|[+-]\d{2}:\d{2})")


def _date(text: str, now: datetime) -> str:
    """metav1.Time read from a query parameter, shown as ConvertToHumanReadableDateType does."""
    if text in ("", "null"):
        return messages.TABLE_UNKNOWN  # the zero time
    when = parse_rfc3339(text)
    if when is None:
        return messages.TABLE_INVALID
    return human_duration(aware(now) - when)


def parse_rfc3339(text: str) -> datetime | None:
    """Go's time.Parse(time.RFC3339, text): fractions of a second allowed, a zone required."""
    match = _RFC3339.fullmatch(text)
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    fraction, zone = match.group(7) or "", match.group(8)
    try:
        offset = timezone.utc if zone == "Z" else timezone(
            (1 if zone[0] == "+" else -1) * timedelta(hours=int(zone[1:3]),
                                                      minutes=int(zone[4:6])))
        when = datetime(year, month, day, hour, minute, second, tzinfo=offset)
    except ValueError:
        return None
    if fraction:
        when += timedelta(microseconds=int(fraction[:6].ljust(6, "0")))
    return when


# --- client-go JSONPath's text of one value -------------------------------------------------------


def print_value(value: Any) -> str:
    """JSONPath.PrintResults for one value: lists and objects as compact JSON, a null as
    text/template's "<no value>", anything else as Go's fmt.Fprint prints it."""
    if isinstance(value, (dict, list)):
        return go_marshal(value)
    if value is None:
        return messages.TABLE_NO_VALUE
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return go_number(value, json_style=False)
    return str(value)


# encoding/json's HTML-safe escapes, which json.Marshal applies.
_HTML_ESCAPES = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"),
                 ("\u2029", "\\u2029"))


def go_marshal(value: Any) -> str:
    """json.Marshal of an unstructured value: map keys sorted, floats as Go writes them."""
    text = _marshal(value)
    for char, escape in _HTML_ESCAPES:
        text = text.replace(char, escape)
    return text


def _marshal(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ",".join(f"{_marshal(str(k))}:{_marshal(value[k])}"
                              for k in sorted(value)) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_marshal(v) for v in value) + "]"
    if isinstance(value, float) and not isinstance(value, bool):
        return go_number(value, json_style=True)
    return json.dumps(value, ensure_ascii=False)
