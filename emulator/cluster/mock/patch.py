"""PATCH bodies: JSON patch, JSON merge patch and the common cases of strategic merge patch.

kubectl uses all three: ``kubectl patch --type json|merge|strategic`` and client-side
``kubectl apply``, which sends a strategic merge patch with ``$setElementOrder`` directives. Every
failure is a ``KubeError``: a body that cannot be read is a 400, a readable patch that cannot be
applied is a 422, as kube-apiserver answers.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import jsonpatch
import jsonpointer

from emulator import limits, messages
from emulator.cluster.mock import fieldvalidation
from emulator.cluster.mock.status import KubeError

__all__ = [
    "JSON_PATCH",
    "MERGE_KEYS",
    "MERGE_PATCH",
    "PRIMITIVE_SET_FIELDS",
    "STRATEGIC_MERGE_PATCH",
    "apply_patch",
    "decode_patch",
]

JSON_PATCH = "application/json-patch+json"
MERGE_PATCH = "application/merge-patch+json"
STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json"
APPLY_PATCH = "application/apply-patch+yaml"
ACCEPTED_PATCH_TYPES = ", ".join((JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH))

# Field name -> the key that identifies an item of that list (the patchMergeKey of the Kubernetes
# types). Keyed by field name alone, wherever it appears; lists not named here are replaced whole.
MERGE_KEYS: dict[str, str] = {
    "containers": "name",
    "initContainers": "name",
    "ephemeralContainers": "name",
    "ports": "containerPort",
    "env": "name",
    "volumes": "name",
    "volumeMounts": "mountPath",
    "volumeDevices": "devicePath",
    "imagePullSecrets": "name",
    "conditions": "type",
    "ownerReferences": "uid",
    "hostAliases": "ip",
    "topologySpreadConstraints": "topologyKey",
}
# Service spec.ports share the field name with container ports but merge on ``port``.
_FALLBACK_MERGE_KEYS: dict[str, str] = {"ports": "port"}
# Lists of strings merged as sets (patchStrategy "merge" without a key).
PRIMITIVE_SET_FIELDS: frozenset[str] = frozenset({"finalizers"})

_DIRECTIVE = "$patch"
_RETAIN_KEYS = "$retainKeys"
_SET_ORDER = "$setElementOrder/"
_DELETE_PRIMITIVES = "$deleteFromPrimitiveList/"


def apply_patch(original: dict[str, Any], patch: Any, content_type: str, *,
                kind: str) -> dict[str, Any]:
    """Apply a decoded PATCH body (``decode_patch``) to a copy of ``original`` and return the
    patched object."""
    handler = _HANDLERS[require_supported(content_type)]
    try:
        result = handler(copy.deepcopy(original), patch)
    except RecursionError:
        raise KubeError(400, messages.PATCH_TOO_DEEP) from None
    if not isinstance(result, dict):
        raise _cannot_apply(messages.PATCH_RESULT_NOT_OBJECT.format(kind=kind or "object"))
    return result


def require_supported(content_type: str) -> str:
    """The patch's media type, or 415. Checked before the target is read: a server-side apply of a
    new object must say "unsupported", not "not found"."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type == APPLY_PATCH:
        raise KubeError(415, messages.K8S_SERVER_SIDE_APPLY_UNSUPPORTED)
    if media_type not in _HANDLERS:
        raise KubeError(415, messages.K8S_UNSUPPORTED_MEDIA_TYPE.format(
            accepted=ACCEPTED_PATCH_TYPES))
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

def _strategic_patch(target: dict[str, Any], patch: Any) -> Any:
    if not isinstance(patch, dict):
        raise KubeError(400, messages.PATCH_STRATEGIC_NOT_OBJECT)
    merged = _merge_map(target, patch)
    return {} if merged is None else merged  # "$patch: delete" at the top empties the object


def _merge_map(original: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any] | None:
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
        _merge_field(original, key, value)
    for field_name, order in orders.items():
        if isinstance(original.get(field_name), list):
            original[field_name] = _reorder(field_name, original[field_name], order,
                                            before[field_name])
    return original


def _merge_field(original: dict[str, Any], key: str, value: Any) -> None:
    if value is None:
        original.pop(key, None)
        return
    current = original.get(key)
    if isinstance(value, dict):
        merged = _merge_map(current if isinstance(current, dict) else {}, value)
        if merged is None:
            original.pop(key, None)
        else:
            original[key] = merged
    elif isinstance(value, list):
        original[key] = _merge_list(key, current if isinstance(current, list) else [], value)
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


def _merge_key(field_name: str, item: Any) -> str | None:
    """The key that identifies ``item`` in list ``field_name``, or None if it has none."""
    if not isinstance(item, dict):
        return None
    for key in (MERGE_KEYS.get(field_name), _FALLBACK_MERGE_KEYS.get(field_name)):
        if key is not None and key in item:
            return key
    return None


def _identity(field_name: str, item: Any) -> tuple[str, Any] | None:
    key = _merge_key(field_name, item)
    return None if key is None else (key, item[key])


def _merge_list(field_name: str, original: list[Any], patch: list[Any]) -> list[Any]:
    if field_name in PRIMITIVE_SET_FIELDS:
        added = [v for i, v in enumerate(patch) if v not in original and v not in patch[:i]]
        return original + added
    if field_name not in MERGE_KEYS:
        return patch
    if any(isinstance(item, dict) and item.get(_DIRECTIVE) == "replace" for item in patch):
        return [_strip(item) for item in patch
                if not (isinstance(item, dict) and item.get(_DIRECTIVE) == "replace")]
    if any(_identity(field_name, item) is None and not _is_delete(item) for item in patch):
        # Without merge keys there is nothing to match on; the patch list wins, as in merge patch.
        return [_strip(item) for item in patch if not _is_delete(item)]
    merged = list(original)
    for item in patch:
        _merge_item(field_name, merged, item)
    return merged


def _is_delete(item: Any) -> bool:
    return isinstance(item, dict) and item.get(_DIRECTIVE) == "delete"


def _merge_item(field_name: str, merged: list[Any], item: dict[str, Any]) -> None:
    identity = _identity(field_name, item)
    if identity is None:  # only a "$patch: delete" item can get here without its key
        raise KubeError(400, messages.PATCH_DELETE_WITHOUT_KEY.format(
            field=field_name, key=MERGE_KEYS[field_name]))
    index = next((i for i, existing in enumerate(merged)
                  if _identity(field_name, existing) == identity), None)
    if _is_delete(item):
        merged[:] = [e for e in merged if _identity(field_name, e) != identity]
    elif index is None:
        merged.append(_strip(item))
    else:
        merged[index] = _merge_map(merged[index], item) or {}


def _strip(item: Any) -> Any:
    """A new list item: merging it into nothing resolves its directives and drops its nulls."""
    if isinstance(item, dict):
        return _merge_map({}, item) or {}
    return item


def _reorder(field_name: str, items: list[Any], order: list[Any],
             before: list[Any]) -> list[Any]:
    """Apply ``$setElementOrder``: listed items take the given order, the others keep theirs.

    As kube-apiserver does it: the items named by the order list are sorted by it, the other
    (server-only) items keep their relative order, and the two runs are interleaved so that a
    server-only item stays ahead of a listed item that came after it before the patch.
    """
    rank: dict[Any, int] = {}
    for position, wanted in enumerate(order):
        key = _order_key(field_name, wanted)
        if key is not None:
            rank.setdefault(key, position)
    listed = sorted((i for i in items if _order_key(field_name, i) in rank),
                    key=lambda i: rank[_order_key(field_name, i)])
    others = [i for i in items if _order_key(field_name, i) not in rank]
    old_position: dict[Any, int] = {}
    for position, item in enumerate(before):
        key = _order_key(field_name, item)
        if key is not None:
            old_position.setdefault(key, position)

    def other_goes_first() -> bool:
        mine = old_position.get(_order_key(field_name, others[0]))
        theirs = old_position.get(_order_key(field_name, listed[0]))
        return mine is not None and theirs is not None and mine < theirs

    result: list[Any] = []
    while listed and others:
        result.append(others.pop(0) if other_goes_first() else listed.pop(0))
    return result + listed + others


def _order_key(field_name: str, item: Any) -> Any:
    """A hashable identity for ordering: the merge key for maps, the value for primitives."""
    ident: Any = _identity(field_name, item) if field_name in MERGE_KEYS else ("", item)
    try:
        hash(ident)
    except TypeError:
        return None  # maps or lists where a key should be cannot be ordered
    return ident


_HANDLERS: dict[str, Callable[[dict[str, Any], Any], Any]] = {
    JSON_PATCH: _json_patch,
    MERGE_PATCH: _merge_patch,
    STRATEGIC_MERGE_PATCH: _strategic_patch,
}
