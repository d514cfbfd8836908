"""``meta.k8s.io/v1`` Tables: what ``kubectl get`` prints (k8s-streaming.md §7.2).

kubectl asks for ``as=Table`` and prints the columns the server chose, so these printers follow
kube-apiserver's built-in ones (pkg/printers/internalversion) column by column and cell by cell:
names, types, formats, priorities, placeholders, the age format, and each kind's rules. Like
kube-apiserver, every row carries the wide (priority 1) cells too; kubectl shows them only with
``-o wide``. Where a minor printed other columns than the newest one, ``minor`` picks its layout.

The printers live by area: ``core`` (pods, services, core objects, events, RBAC), ``workloads``,
``network``, ``storage`` and ``cluster`` (leases, quotas, admission, flow control, API services);
``kinds.py`` says which printer each kind uses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from emulator import messages
from emulator.cluster.mock.registry.jsoncopy import clone
from emulator.cluster.mock.registry.resources import ResourceType
from emulator.cluster.mock.wire import gojson
from emulator.cluster.mock.wire.status import KubeError
from emulator.cluster.mock.wire.tables.cells import (
    AGE, LATEST_MINOR, NAME, Column, Obj, Printer, age, human_duration, meta, name, parse_time,
)

__all__ = ["INCLUDE_METADATA", "INCLUDE_NONE", "INCLUDE_OBJECT", "LATEST_MINOR",
           "Column", "Printer", "age", "encode_table", "human_duration", "parse_time",
           "printer_for", "to_table"]

INCLUDE_NONE = "None"
INCLUDE_METADATA = "Metadata"
INCLUDE_OBJECT = "Object"


def _generic_cells(obj: Obj, now: datetime) -> list[Any]:
    return [name(obj), age(meta(obj).get("creationTimestamp"), now)]


# Anything without a printer of its own (the reviews, and kinds kube has not printed yet).
GENERIC = Printer((NAME, AGE), _generic_cells)


def printer_for(resource: ResourceType, minor: int | None = None) -> Printer:
    """The printer for a resource, with the columns ``minor`` (default: the newest) prints."""
    found = resource.behaviour.printer or GENERIC  # kinds.py names each kind's printer
    at = LATEST_MINOR if minor is None else minor
    printer = found if isinstance(found, Printer) else found(at)
    columns, cells = printer.layout(at)
    return Printer(tuple(columns), cells, printer.order)


# --- the Table ------------------------------------------------------------------------------------


def to_table(resource: ResourceType, objects: list[Obj], *, now: datetime,
             include_object: str = INCLUDE_METADATA, resource_version: str,
             continue_token: str | None = None, minor: int | None = None) -> Obj:
    """A ``meta.k8s.io/v1`` Table of ``objects`` (a list page, or one object for a GET), with the
    columns of Kubernetes 1.``minor`` (the newest the printers know when None)."""
    printer, table = _table_head(resource, include_object, resource_version, continue_token,
                                 minor)
    ordered = printer.order(list(objects)) if printer.order else objects
    table["rows"] = [_row(printer, obj, now, include_object or INCLUDE_METADATA)
                     for obj in ordered]
    return table


def _table_head(resource: ResourceType, include_object: str, resource_version: str,
                continue_token: str | None, minor: int | None) -> tuple[Printer, Obj]:
    """The printer, and the Table without its rows."""
    if include_object not in (INCLUDE_NONE, INCLUDE_METADATA, INCLUDE_OBJECT, ""):
        raise KubeError(400, messages.TABLE_INVALID_INCLUDE_OBJECT.format(value=include_object))
    printer = printer_for(resource, minor)
    metadata: Obj = {"resourceVersion": resource_version}
    if continue_token:
        metadata["continue"] = continue_token
    return printer, {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": metadata,
        "columnDefinitions": [column.definition() for column in printer.columns],
    }


Json = bytes | memoryview
# One row to write: the object, and where its JSON is at hand already, its metadata's and the
# whole object's as the row embeds it (None: written from the object).
Row = tuple[Obj, Json | None, Json | None]
# What a row writes between its cells and the JSON it embeds, by ``includeObject``.
_EMBEDDED_HEAD = {
    INCLUDE_OBJECT: b',"object":',
    INCLUDE_METADATA:
        b',"object":{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":',
}
# And after it, to the row's end.
_ROW_END = {INCLUDE_NONE: b"},", INCLUDE_OBJECT: b"},", INCLUDE_METADATA: b"}},"}


def encode_table(resource: ResourceType, rows: Iterable[Row], *, now: datetime,
                 include_object: str = INCLUDE_METADATA, resource_version: str,
                 continue_token: str | None = None, minor: int | None = None,
                 shown: Callable[[Obj], Obj] = clone) -> bytes:
    """What ``gojson.encode(to_table(...))`` writes, byte for byte, built row by row: a JSON
    already at hand is embedded as it is, and rows are taken one at a time, so that the objects
    of a long list need not all be decoded at once (only for a printer that orders rows).
    ``shown``: the object a row embeds whole (``includeObject=Object``) without a JSON.

    Every row's cells are finished (escapes, UTF-8) at once: their texts are joined by a
    newline, which JSON text never holds (a string's newline is written ``\\n``), finished,
    and split again. A JSON at hand is finished already and is written as it is."""
    printer, table = _table_head(resource, include_object, resource_version, continue_token,
                                 minor)
    if printer.order:
        listed = list(rows)
        by_object = {id(row[0]): row for row in listed}
        rows = [by_object[id(obj)] for obj in printer.order([row[0] for row in listed])]
    mode = include_object or INCLUDE_METADATA
    cells: list[str] = []
    embedded: list[Json] = []
    for obj, metadata_json, object_json in rows:
        cells.append(gojson.text(printer.cells(obj, now)))
        if mode == INCLUDE_OBJECT:
            embedded.append(gojson.fragment(shown(obj)) if object_json is None else object_json)
        elif mode == INCLUDE_METADATA:
            embedded.append(gojson.fragment(meta(obj)) if metadata_json is None
                            else metadata_json)
    head = gojson.fragment(table)  # a JSON object: its closing brace makes way for the rows
    pieces: list[Json] = [head[:-1], b',"rows":[']
    if cells:
        finished = gojson.finished("\n".join(cells)).split(b"\n")
        row_end = _ROW_END[mode]
        if mode == INCLUDE_NONE:
            for row_cells in finished:
                pieces += (b'{"cells":', row_cells, row_end)
        else:
            embedded_head = _EMBEDDED_HEAD[mode]
            for row_cells, row_json in zip(finished, embedded):
                pieces += (b'{"cells":', row_cells, embedded_head, row_json, row_end)
        pieces[-1] = row_end[:-1]  # no comma after the last row
    pieces.append(b"]}\n")
    return b"".join(pieces)


def _row(printer: Printer, obj: Obj, now: datetime, include_object: str) -> Obj:
    row: Obj = {"cells": printer.cells(obj, now)}
    if include_object == INCLUDE_OBJECT:
        row["object"] = clone(obj)
    elif include_object == INCLUDE_METADATA:
        # kubectl needs the metadata for --all-namespaces (NAMESPACE column) and --show-labels.
        row["object"] = {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                         "metadata": clone(meta(obj))}
    return row
