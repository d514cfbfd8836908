"""List answers, JSON and Table, written page by page from the stored records.

A stored object's record is its JSON as an answer holds it (``registry/records.py``), so a JSON
list joins the page's records and a Table row embeds a record's metadata as it is: only what a
list's version shows otherwise is decoded and encoded again, and a Table decodes its page's
objects for their cells. The bytes are those ``gojson.encode`` writes for the whole answer.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from emulator.cluster.mock.registry import conversion, records
from emulator.cluster.mock.registry.jsoncopy import clone
from emulator.cluster.mock.registry.objects import ListPage
from emulator.cluster.mock.registry.resources import ResourceType
from emulator.cluster.mock.wire import gojson, tables


def list_json(resource: ResourceType, page: ListPage) -> bytes:
    """A ``<Kind>List`` of the page, in ``resource``'s version (the page's)."""
    metadata: dict[str, Any] = {"resourceVersion": str(page.resource_version)}
    if page.continue_token:
        metadata["continue"] = page.continue_token
    head = gojson.fragment({"kind": resource.list_kind, "apiVersion": resource.api_version,
                            "metadata": metadata, "items": []})
    items = b",".join([page.item_json(record) for record in page.records])
    return b"".join((head[:-2], items, b"]}\n"))  # head ends with the empty items' "[]}"


def table_json(resource: ResourceType, page: ListPage, *, now: datetime, minor: int,
               include_object: str) -> bytes:
    """The page as a Table for ``resource``'s version. kube prints a Table from its internal
    object, so the page was read in the storage version; a whole embedded object
    (``includeObject=Object``) is shown in ``resource``'s version. Each row's object is decoded
    for its cells and let go: a long list's decoded objects never all live at once, which spares
    the garbage collector tracing them again and again."""
    whole = include_object == tables.INCLUDE_OBJECT
    as_stored = page.resource.api_version == resource.api_version

    def rows() -> Iterator[tables.Row]:
        for record in page.records:
            # The usual case, in one step; decoded without what no row reads unless the row
            # embeds the object itself (shown from it when the page is read as another version).
            found = page.printed(record, whole=whole)
            if found is not None:
                yield (*found, records.body(record) if whole and as_stored else None)
                continue
            record = records.opened(record)
            if page.verbatim(record):  # the stored object is the item as it is
                yield (records.thaw(record), records.metadata(record),
                       records.body(record) if whole and as_stored else None)
            else:
                yield page.item(record), None, None

    def shown(obj: dict[str, Any]) -> dict[str, Any]:
        copy = clone(obj)
        return conversion.convert(copy, resource.api_version) if (
            copy.get("kind") == resource.kind) else copy

    return tables.encode_table(
        resource, rows(), now=now, minor=minor, include_object=include_object,
        resource_version=str(page.resource_version), continue_token=page.continue_token,
        shown=shown)
