"""Custom resources on their way in: decoded, pruned, defaulted and validated against the schema
of their CRD's version, as kube's custom resource handler does.

The order is kube's: unknown fields are pruned (and reported as the request's fieldValidation
asks), defaults fill what is absent, then the object must pass its schema and its CEL rules. The
schema work itself is in ``structural.py`` and ``celrules.py``.
"""

from __future__ import annotations

from typing import Any

from emulator import messages
from emulator.cluster.mock.registry import celrules, fieldvalidation, structural
from emulator.cluster.mock.registry.fielderrors import FieldError, invalid
from emulator.cluster.mock.registry.jsoncopy import clone
from emulator.cluster.mock.registry.resources import ResourceType


def decoded(resource: ResourceType, body: dict[str, Any], directive: str,
            warnings: list[str] | None, minor: int,
            failure: Any = None, *, defaulted: bool = True) -> dict[str, Any]:
    """The body as kube stores it before validation: pruned of what neither its schema nor
    ObjectMeta know, and (``defaulted``) defaulted; an apply configuration is not, or its
    manager would own the defaults. ``failure`` builds the error a strict request gets (by
    default: the body cannot be handled as the kind)."""
    assert resource.custom is not None
    checked = fieldvalidation.check(
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": body.get("metadata") or {}},
        "ConfigMap", minor=minor, go_types=False)  # ObjectMeta is the same in every kind
    obj = clone(body)
    obj["metadata"] = checked.obj.get("metadata", {})
    problems = list(checked.problems)
    schema = resource.custom.schema
    if schema is not None:
        problems += [messages.K8S_UNKNOWN_FIELD.format(path=fieldvalidation.go_quote(path))
                     for path in structural.prune(schema, obj)]
        if defaulted:
            structural.default(schema, obj)
    fieldvalidation.settle(problems, directive, warnings, failure or fieldvalidation.cannot_handle(
        resource.kind, resource.version, resource.kind))
    return obj


def validate(resource: ResourceType, obj: dict[str, Any], old: dict[str, Any] | None,
             minor: int, meta_errors: list[FieldError] | None = None) -> None:
    """422 with every metadata (``meta_errors``), schema and CEL error, worded as kube words
    them in 1.``minor``. As in the custom resource strategy, the CEL rules run only over an
    object whose errors so far do not block them; otherwise one error says they were not
    checked."""
    assert resource.custom is not None
    schema = resource.custom.schema
    errors = list(meta_errors or [])
    if schema is not None:
        errors += structural.validate(schema, obj, old, minor=minor)
    # kube has a CEL validator only for a schema with rules
    if schema is not None and _has_rules(schema):
        blocked = celrules.blocking_error(errors, minor)
        if blocked is not None:
            errors.append(blocked)
        else:
            errors += celrules.evaluate(schema, obj, old, minor=minor)
    if errors:
        raise invalid(resource.kind, resource.group, obj["metadata"].get("name", ""), errors)


def _has_rules(schema: Any) -> bool:
    if isinstance(schema, dict):
        return bool(schema.get("x-kubernetes-validations")) or any(
            _has_rules(v) for v in schema.values())
    if isinstance(schema, list):
        return any(_has_rules(v) for v in schema)
    return False
