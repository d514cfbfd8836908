"""Reading a decoded JSON object whose shape nothing has checked yet: a field that should be an
object or a list, and is something else or missing, reads as an empty one. Validation, which
reads objects before anything refuses them, uses these; a wrong type is the schema's to report.
"""

from __future__ import annotations

from typing import Any

Obj = dict[str, Any]


def is_int(value: Any) -> bool:
    """A JSON integer (Python's bool is an int too, and is not one)."""
    return isinstance(value, int) and not isinstance(value, bool)


def as_dict(value: Any) -> Obj:
    return value if isinstance(value, dict) else {}


def dict_in(obj: Obj, key: str) -> Obj:
    """``obj[key]`` as an object (not created: see ``defaults.dict_at`` for that)."""
    return as_dict(obj.get(key))


def list_in(obj: Obj, key: str) -> list[Any]:
    """``obj[key]`` as a list, its items as they are (their indexes are the paths kube names)."""
    value = obj.get(key)
    return value if isinstance(value, list) else []


def dict_at_path(obj: Obj, path: str) -> Obj:
    """The object at a dotted path (``spec.template.spec``)."""
    for key in path.split("."):
        obj = dict_in(obj, key)
    return obj
