"""PATCH bodies: JSON patch, JSON merge patch and strategic merge patch.

kubectl uses all three: ``kubectl patch --type json|merge|strategic`` and client-side
``kubectl apply``, which sends a strategic merge patch with ``$setElementOrder`` directives. Every
failure is a ``KubeError``: a body that cannot be read is a 400, a readable patch that cannot be
applied is a 422, as kube-apiserver answers.

A strategic merge patch walks the kind's schema (schema.py, the cluster's minor) beside the
object: a field's ``x-kubernetes-patch-strategy`` and ``x-kubernetes-patch-merge-key`` decide
whether its list is merged (by that key, or as a set of primitives such as ``finalizers``) or
replaced, and whether a map is merged or replaced. Fields the schema does not have (unknown, or
inside free-form values) are merged as maps and replaced as lists. ``$retainKeys``,
``$setElementOrder``, ``$deleteFromPrimitiveList`` and ``$patch`` are the patch's own directives.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import jsonpatch
import jsonpointer

from emulator import limits, messages
from emulator.cluster.mock.registry import fieldvalidation
from emulator.cluster.mock.registry import schema as kube_schema
from emulator.cluster.mock.registry.schema import NO_LIST_META, ListMeta, Node, Schema, Shape
from emulator.cluster.mock.wire.status import KubeError

__all__ = [
    "JSON_PATCH",
    "MERGE_PATCH",
    "STRATEGIC_MERGE_PATCH",
    "apply_patch",
    "decode_patch",
]

JSON_PATCH = "application/json-patch+json"
MERGE_PATCH = "application/merge-patch+json"
STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json"
APPLY_PATCH = "application/apply-patch+yaml"
# What kube-apiserver accepts on PATCH, in the order its 415 lists them (installer.go).
PATCH_TYPES = (JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH, APPLY_PATCH)
CUSTOM_PATCH_TYPES = (JSON_PATCH, MERGE_PATCH, APPLY_PATCH)

_DIRECTIVE = "$patch"
_RETAIN_KEYS = "$retainKeys"
_SET_ORDER = "$setElementOrder/"
_DELETE_PRIMITIVES = "$deleteFromPrimitiveList/"


def apply_patch(original: dict[str, Any], patch: Any, content_type: str, *,
                kind: str, api_version: str | None = None,
                minor: int | None = None) -> dict[str, Any]:
    """Apply a decoded PATCH body (``decode_patch``) to a copy of ``original`` and return the
    patched object. A strategic merge patch follows the schema of ``kind`` in ``api_version``
    (by default the object's own) of Kubernetes 1.``minor`` (by default
    ``schema.DEFAULT_MINOR``)."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type not in (STRATEGIC_MERGE_PATCH, *_HANDLERS):  # apply is apply.py's, not a patch
        raise KubeError(415, messages.K8S_UNSUPPORTED_MEDIA_TYPE.format(
            accepted=", ".join((JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH))))
    try:
        if media_type == STRATEGIC_MERGE_PATCH:
            if api_version is None and isinstance(original.get("apiVersion"), str):
                api_version = original["apiVersion"]
            walk = _Walk.of(kind, api_version, minor)
            result = _strategic_patch(copy.deepcopy(original), patch, walk)
        else:
            result = _HANDLERS[media_type](copy.deepcopy(original), patch)
    except RecursionError:
        raise KubeError(400, messages.PATCH_TOO_DEEP) from None
    if not isinstance(result, dict):
        raise _cannot_apply(messages.PATCH_RESULT_NOT_OBJECT.format(kind=kind or "object"))
    return result


def require_supported(content_type: str, *, custom: bool = False) -> str:
    """The patch's media type, or 415, checked before the target is read. A custom resource has
    no Go struct to read patch strategies from, so kube refuses a strategic merge patch of one
    (``custom``)."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    accepted = CUSTOM_PATCH_TYPES if custom else PATCH_TYPES
    if media_type not in accepted:
        raise KubeError(415, messages.K8S_UNSUPPORTED_MEDIA_TYPE.format(
            accepted=", ".join(accepted)))
    return media_type


def decode_patch(body: bytes, content_type: str) -> Any:
    """A PATCH body read once, for applying and for field validation: its objects remember
    duplicate keys. An unsupported patch type is a 415 before the body is read."""
    require_supported(content_type)
    try:
        return fieldvalidation.parse_json(body)
    except limits.TooDeep:  # refused before decoding: past the emulator's nesting limit
        raise KubeError(400, messages.PATCH_TOO_DEEP) from None
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
        raise KubeError(400, messages.PATCH_INVALID_JSON.format(detail=exc)) from None


def _cannot_apply(detail: str) -> KubeError:
    return KubeError(422, messages.K8S_PATCH_FAILED.format(detail=detail))


# --- JSON patch (RFC 6902) -----------------------------------------------------------------------

def _json_patch(target: dict[str, Any], patch: Any) -> Any:
    if not isinstance(patch, list) or not all(isinstance(op, dict) for op in patch):
        raise KubeError(400, messages.PATCH_JSON_PATCH_NOT_LIST)
    try:
        operations = jsonpatch.JsonPatch(patch)
    except (jsonpatch.JsonPatchException, jsonpointer.JsonPointerException,
            TypeError, ValueError) as exc:
        raise KubeError(400, messages.PATCH_JSON_PATCH_INVALID.format(detail=exc)) from None
    try:
        return operations.apply(target, in_place=True)
    except jsonpatch.InvalidJsonPatch as exc:
        # Only found while applying (e.g. an "add" without "value"), but still a malformed body.
        raise KubeError(400, messages.PATCH_JSON_PATCH_INVALID.format(detail=exc)) from None
    except (jsonpatch.JsonPatchException, jsonpointer.JsonPointerException,
            TypeError, ValueError, KeyError, IndexError) as exc:
        # Test failures, missing paths, bad indexes: the patch is well-formed but does not fit.
        raise _cannot_apply(str(exc)) from None


# --- JSON merge patch (RFC 7386) -----------------------------------------------------------------

def _merge_patch(target: Any, patch: Any) -> Any:
    if not isinstance(patch, dict):
        return patch
    merged = target if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = _merge_patch(merged.get(key), value)
    return merged


# --- Strategic merge patch -----------------------------------------------------------------------

class _Walk:
    """Where a strategic merge is in the kind's schema: the type of the value being merged, or
    None outside it (an unknown field, a kind the minor lacks)."""

    __slots__ = ("schema", "node")

    def __init__(self, schema: Schema, node: Node | None) -> None:
        self.schema = schema
        self.node = node

    @classmethod
    def of(cls, kind: str, api_version: str | None, minor: int | None) -> "_Walk":
        schema = kube_schema.schema_for(kube_schema.DEFAULT_MINOR if minor is None else minor)
        name = schema.definition_for_kind(kind, api_version)
        return cls(schema, None if name is None else {"$ref": kube_schema.REF_PREFIX + name})

    def field(self, name: str) -> "_Walk":
        """The walk into field (or map key) ``name`` of the value here."""
        if self.node is None:
            return _Walk(self.schema, None)
        shape = self.schema.shape(self.node)
        if shape is Shape.OBJECT:
            return _Walk(self.schema, self.schema.property(self.node, name))
        if shape is Shape.MAP:
            return _Walk(self.schema, self.schema.values(self.node))
        return _Walk(self.schema, None)

    def item(self) -> "_Walk":
        """The walk into an item of the list here."""
        if self.node is None or self.schema.shape(self.node) is not Shape.LIST:
            return _Walk(self.schema, None)
        return _Walk(self.schema, self.schema.items(self.node))

    @property
    def list_meta(self) -> ListMeta:
        """The patch strategy and merge key of the field here."""
        return NO_LIST_META if self.node is None else kube_schema.list_meta(self.node)


def _strategic_patch(target: dict[str, Any], patch: Any, walk: _Walk) -> Any:
    if not isinstance(patch, dict):
        raise KubeError(400, messages.PATCH_STRATEGIC_NOT_OBJECT)
    merged = _merge_map(target, patch, walk)
    return {} if merged is None else merged  # "$patch: delete" at the top empties the object


def _merge_map(original: dict[str, Any], patch: dict[str, Any],
               walk: _Walk) -> dict[str, Any] | None:
    """Merge ``patch`` into ``original`` (owned by the caller); None means "delete this map"."""
    directive = patch.get(_DIRECTIVE, "merge")
    if directive not in ("merge", "replace", "delete"):
        raise KubeError(400, messages.PATCH_INVALID_DIRECTIVE.format(value=directive))
    if directive == "delete":
        return None
    fields = {k: v for k, v in patch.items() if not k.startswith("$")}
    if directive == "replace":
        original = {}
    if _RETAIN_KEYS in patch:
        original = _retain_keys(original, fields, patch[_RETAIN_KEYS])
    orders = _prefixed(patch, _SET_ORDER)
    # Reordering interleaves by the positions the items had before this patch.
    before = {name: list(original.get(name) or []) for name in orders}
    for field_name, values in _prefixed(patch, _DELETE_PRIMITIVES).items():
        if isinstance(original.get(field_name), list):
            original[field_name] = [v for v in original[field_name] if v not in values]
    for key, value in fields.items():
        _merge_field(original, key, value, walk.field(key))
    for field_name, order in orders.items():
        if isinstance(original.get(field_name), list):
            original[field_name] = _reorder(original[field_name], order, before[field_name],
                                            _keyed_by(walk.field(field_name)))
    return original


def _merge_field(original: dict[str, Any], key: str, value: Any, walk: _Walk) -> None:
    if value is None:
        original.pop(key, None)
        return
    current = original.get(key)
    if isinstance(value, dict):
        if walk.list_meta.replaces:  # patchStrategy "replace" on a map: the patch's map wins
            original[key] = _strip(value, walk)
            return
        merged = _merge_map(current if isinstance(current, dict) else {}, value, walk)
        if merged is None:
            original.pop(key, None)
        else:
            original[key] = merged
    elif isinstance(value, list):
        original[key] = _merge_list(key, current if isinstance(current, list) else [], value,
                                    walk)
    else:
        original[key] = value


def _prefixed(patch: dict[str, Any], prefix: str) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {}
    for key, value in patch.items():
        if key.startswith(prefix):
            if not isinstance(value, list):
                raise KubeError(400, messages.PATCH_DIRECTIVE_NOT_LIST.format(directive=key))
            found[key[len(prefix):]] = value
    return found


def _retain_keys(original: dict[str, Any], fields: dict[str, Any], keys: Any) -> dict[str, Any]:
    # $retainKeys lists every field the object keeps; the rest of the original is cleared.
    if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
        raise KubeError(400, messages.PATCH_DIRECTIVE_NOT_LIST.format(directive=_RETAIN_KEYS))
    if any(value is not None and key not in keys for key, value in fields.items()):
        raise _cannot_apply(messages.PATCH_RETAIN_KEYS_MISMATCH)
    return {k: v for k, v in original.items() if k in keys}


_PRIMITIVES = "primitives"  # _keyed_by: a list merged as a set of values


def _keyed_by(walk: _Walk) -> str | None:
    """How the list at ``walk`` merges: by the merge key it names, as a set of primitives
    (``_PRIMITIVES``), or not at all (None: the patch's list replaces it)."""
    meta = walk.list_meta
    if not meta.merges:
        return None
    if meta.merge_key:
        return meta.merge_key
    item = walk.item()
    if item.node is None or item.schema.shape(item.node) in (Shape.SCALAR, Shape.FREE):
        return _PRIMITIVES
    return None  # a merged list of objects without a key: kube cannot merge it either


def _identity(item: Any, merge_key: str) -> tuple[str, Any] | None:
    """What identifies ``item`` in its list: (merge key, value), or None if it has none."""
    if not isinstance(item, dict) or merge_key not in item:
        return None
    return merge_key, item[merge_key]


def _merge_list(field_name: str, original: list[Any], patch: list[Any],
                walk: _Walk) -> list[Any]:
    keyed_by = _keyed_by(walk)
    if keyed_by == _PRIMITIVES:
        added = [v for i, v in enumerate(patch) if v not in original and v not in patch[:i]]
        return original + added
    if keyed_by is None:
        return patch
    item_walk = walk.item()
    if any(isinstance(item, dict) and item.get(_DIRECTIVE) == "replace" for item in patch):
        return [_strip(item, item_walk) for item in patch
                if not (isinstance(item, dict) and item.get(_DIRECTIVE) == "replace")]
    if any(_identity(item, keyed_by) is None and not _is_delete(item) for item in patch):
        # Without merge keys there is nothing to match on; the patch list wins, as in merge patch.
        return [_strip(item, item_walk) for item in patch if not _is_delete(item)]
    merged = list(original)
    for item in patch:
        _merge_item(field_name, keyed_by, merged, item, item_walk)
    return merged


def _is_delete(item: Any) -> bool:
    return isinstance(item, dict) and item.get(_DIRECTIVE) == "delete"


def _merge_item(field_name: str, merge_key: str, merged: list[Any], item: dict[str, Any],
                item_walk: _Walk) -> None:
    identity = _identity(item, merge_key)
    if identity is None:  # only a "$patch: delete" item can get here without its key
        raise KubeError(400, messages.PATCH_DELETE_WITHOUT_KEY.format(
            field=field_name, key=merge_key))
    index = next((i for i, existing in enumerate(merged)
                  if _identity(existing, merge_key) == identity), None)
    if _is_delete(item):
        merged[:] = [e for e in merged if _identity(e, merge_key) != identity]
    elif index is None:
        merged.append(_strip(item, item_walk))
    else:
        merged[index] = _merge_map(merged[index], item, item_walk) or {}


def _strip(item: Any, walk: _Walk) -> Any:
    """A new value: merging it into nothing resolves its directives and drops its nulls."""
    if isinstance(item, dict):
        return _merge_map({}, item, walk) or {}
    return item


def _reorder(items: list[Any], order: list[Any], before: list[Any],
             keyed_by: str | None) -> list[Any]:
    """Apply ``$setElementOrder``: listed items take the given order, the others keep theirs.

    As kube-apiserver does it: the items named by the order list are sorted by it, the other
    (server-only) items keep their relative order, and the two runs are interleaved so that a
    server-only item stays ahead of a listed item that came after it before the patch.
    """
    def order_key(item: Any) -> Any:
        return _order_key(item, keyed_by)

    rank: dict[Any, int] = {}
    for position, wanted in enumerate(order):
        key = order_key(wanted)
        if key is not None:
            rank.setdefault(key, position)
    listed = sorted((i for i in items if order_key(i) in rank), key=lambda i: rank[order_key(i)])
    others = [i for i in items if order_key(i) not in rank]
    old_position: dict[Any, int] = {}
    for position, item in enumerate(before):
        key = order_key(item)
        if key is not None:
            old_position.setdefault(key, position)

    def other_goes_first() -> bool:
        mine = old_position.get(order_key(others[0]))
        theirs = old_position.get(order_key(listed[0]))
        return mine is not None and theirs is not None and mine < theirs

    result: list[Any] = []
    while listed and others:
        result.append(others.pop(0) if other_goes_first() else listed.pop(0))
    return result + listed + others


def _order_key(item: Any, keyed_by: str | None) -> Any:
    """A hashable identity for ordering: the merge key for maps, the value for primitives."""
    keyed = keyed_by is not None and keyed_by != _PRIMITIVES
    ident: Any = _identity(item, keyed_by) if keyed else ("", item)  # type: ignore[arg-type]
    try:
        hash(ident)
    except TypeError:
        return None  # maps or lists where a key should be cannot be ordered
    return ident


_HANDLERS: dict[str, Callable[[dict[str, Any], Any], Any]] = {
    JSON_PATCH: _json_patch,
    MERGE_PATCH: _merge_patch,
}
