"""The checks of an apiextensions.k8s.io/v1 CustomResourceDefinition a user hits most, in the
wording of apiextensions-apiserver pkg/apis/apiextensions/validation/validation.go and, for
structural schemas, pkg/apiserver/schema/validation.go.

kube validates the internal form: converting from v1 moves a schema every version shares (one
version included) to ``spec.validation``, so such a schema's errors name
``spec.validation.openAPIV3Schema...``; differing schemas keep ``spec.versions[i].schema...``.
"""

from __future__ import annotations

from typing import Any

from emulator import messages
from emulator.cluster.mock.registry import celrules
from emulator.cluster.mock.registry import fielderrors as fe
from emulator.cluster.mock.registry.fielderrors import FieldError
from emulator.cluster.mock.registry.namechecks import dns1035_label, dns1123_subdomain

def _versions_value(versions: list[Any]) -> fe.GoText:
    """spec.versions as the error prints it (approximated: names and flags, no schemas)."""
    return fe.GoText(fe.go_json([
        {"Name": v.get("name", ""), "Served": bool(v.get("served")),
         "Storage": bool(v.get("storage"))} for v in versions if isinstance(v, dict)]))


def validate_crd(crd: dict[str, Any], old: dict[str, Any] | None = None, *,
                 minor: int = fe.LATEST_MINOR) -> list[FieldError]:
    """ValidateCustomResourceDefinition (and ...Update when ``old`` is given), the common part."""
    meta, spec = crd.get("metadata") or {}, crd.get("spec") or {}
    names, group = spec.get("names") or {}, spec.get("group") or ""
    errors: list[FieldError] = []
    name = meta.get("name") or ""
    if name:
        problems = dns1123_subdomain(name)
        if name != f"{names.get('plural', '')}.{group}":
            problems.append(messages.CRD_NAME_MISMATCH)
        errors += [fe.invalid_value("metadata.name", name, p, minor) for p in problems]
    if not group:
        errors.append(fe.required("spec.group"))
    elif dns1123_subdomain(group):
        errors.append(fe.invalid_value("spec.group", group, ",".join(dns1123_subdomain(group)),
                                       minor))
    elif "." not in group:
        errors.append(fe.invalid_value("spec.group", group, messages.CRD_GROUP_DOT, minor))
    scope = spec.get("scope") or ""
    if not scope:
        errors.append(fe.required("spec.scope"))
    elif scope not in ("Cluster", "Namespaced"):
        errors.append(fe.not_supported("spec.scope", scope, ["Cluster", "Namespaced"], minor))
    errors += _versions(spec, minor)
    for field_name in ("plural", "singular", "kind", "listKind"):
        if not names.get(field_name):
            errors.append(fe.required(f"spec.names.{field_name}"))
    errors += _names(names, minor)
    if old is not None:
        errors += _immutable(spec, (old.get("spec") or {}), minor)
    return errors


def _versions(spec: dict[str, Any], minor: int) -> list[FieldError]:
    versions = [v for v in spec.get("versions") or [] if isinstance(v, dict)]
    errors: list[FieldError] = []
    schemas = [((v.get("schema") or {}).get("openAPIV3Schema")) for v in versions]
    shared = bool(versions) and all(s == schemas[0] for s in schemas) and schemas[0] is not None
    for i, version in enumerate(versions):
        at = f"spec.versions[{i}]"
        problems = dns1035_label(version.get("name") or "")
        if problems:
            errors.append(fe.invalid_value(f"{at}.name", version.get("name") or "",
                                           ",".join(problems), minor))
        if schemas[i] is None and not shared:
            errors.append(fe.required(f"{at}.schema.openAPIV3Schema"))
        elif not shared:
            errors += check_schema(schemas[i], f"{at}.schema.openAPIV3Schema", minor)
    if shared:
        errors += check_schema(schemas[0], "spec.validation.openAPIV3Schema", minor)
    if len({v.get("name") for v in versions}) != len(versions):
        errors.append(fe.invalid_value("spec.versions", _versions_value(versions),
                                       messages.CRD_UNIQUE_VERSIONS, minor))
    if sum(1 for v in versions if v.get("storage")) != 1:
        errors.append(fe.invalid_value("spec.versions", _versions_value(versions),
                                       messages.CRD_STORAGE_VERSION, minor))
    return errors


def _names(names: dict[str, Any], minor: int) -> list[FieldError]:
    errors = []
    for field_name in ("plural", "singular", "kind", "listKind"):
        value = names.get(field_name) or ""
        problems = dns1035_label(value.lower() if field_name in ("kind", "listKind") else value)
        if value and problems:
            detail = ",".join(problems)
            if field_name in ("kind", "listKind"):
                detail = messages.CR_MIXED_CASE.format(errors=detail)
            errors.append(fe.invalid_value(f"spec.names.{field_name}", value, detail, minor))
    for list_name in ("shortNames", "categories"):
        for i, value in enumerate(names.get(list_name) or []):
            if dns1035_label(value):
                errors.append(fe.invalid_value(f"spec.names.{list_name}[{i}]", value,
                                               ",".join(dns1035_label(value)), minor))
    if names.get("kind") and names.get("kind") == names.get("listKind"):
        errors.append(fe.invalid_value("spec.names.listKind", names["listKind"],
                                       messages.CRD_KIND_LIST_KIND, minor))
    return errors


def _immutable(spec: dict[str, Any], old: dict[str, Any], minor: int) -> list[FieldError]:
    """ValidateImmutableField on the group and the plural (always: they make the resource's
    name); scope and kind only once the CRD is established, which the caller decides."""
    errors = []
    for at, new_value, old_value in (
            ("spec.group", spec.get("group"), old.get("group")),
            ("spec.names.plural", (spec.get("names") or {}).get("plural"),
             (old.get("names") or {}).get("plural"))):
        if new_value != old_value:
            errors.append(fe.invalid_value(at, new_value or "", messages.CRD_IMMUTABLE, minor))
    return errors


# -- the schema (structural, and the checks of ValidateCustomResourceDefinitionOpenAPISchema) ----


def check_schema(schema: Any, path: str, minor: int = fe.LATEST_MINOR) -> list[FieldError]:
    if not isinstance(schema, dict):
        return [fe.required(path)]
    errors: list[FieldError] = []
    if schema.get("nullable"):
        errors.append(fe.forbidden(f"{path}.nullable", messages.CRD_ROOT_NULLABLE))
    structural = _structural(schema, path, "root", minor)
    structural.sort(key=str)  # ValidateStructural sorts by the error's text
    errors += structural + _openapi(schema, path)
    if not structural:
        errors += celrules.compile_errors(schema, path, minor)
    return errors


def _structural(s: dict[str, Any], path: str, level: str, minor: int) -> list[FieldError]:
    errors: list[FieldError] = []
    type_ = s.get("type") or ""
    if type_ == "array" and not isinstance(s.get("items"), dict):
        errors.append(fe.required(f"{path}.items", messages.CRD_ITEMS_REQUIRED))
    if isinstance(s.get("items"), dict):
        errors += _structural(s["items"], f"{path}.items", "item", minor)
    for name, sub in (s.get("properties") or {}).items():
        if isinstance(sub, dict):
            errors += _structural(sub, fe.key(f"{path}.properties", name), "field", minor)
    if s.get("additionalProperties") is not None and level == "root":
        errors.append(fe.forbidden(f"{path}.additionalProperties",
                                   messages.CRD_ADDITIONAL_ROOT))
    if isinstance(s.get("additionalProperties"), dict):
        errors += _structural(s["additionalProperties"], f"{path}.additionalProperties",
                              "field", minor)
    if s.get("x-kubernetes-int-or-string") and s.get("x-kubernetes-preserve-unknown-fields"):
        errors.append(fe.invalid_value(f"{path}.x-kubernetes-preserve-unknown-fields", True,
                                       messages.CRD_INT_OR_STRING_PRESERVE, minor))
    embedded = bool(s.get("x-kubernetes-embedded-resource"))
    if embedded and type_ != "object":
        errors.append(fe.invalid_value(f"{path}.type", type_, messages.CRD_EMBEDDED_TYPE, minor)
                      if type_ else fe.required(f"{path}.type", messages.CRD_EMBEDDED_TYPE))
    elif not type_ and not s.get("x-kubernetes-int-or-string") and \
            not s.get("x-kubernetes-preserve-unknown-fields"):
        detail = {"root": messages.CRD_TYPE_ROOT, "item": messages.CRD_TYPE_ITEMS,
                  "field": messages.CRD_TYPE_FIELDS}[level]
        errors.append(fe.required(f"{path}.type", detail))
    if level == "root" and type_ and type_ != "object":
        errors.append(fe.invalid_value(f"{path}.type", type_, messages.CRD_TYPE_OBJECT_ROOT,
                                       minor))
    metadata = (s.get("properties") or {}).get("metadata")
    if isinstance(metadata, dict) and level == "root":
        rest = {k: v for k, v in metadata.items() if k != "type"}
        props = set(rest.pop("properties", {}) or {})
        if rest or not props <= {"name", "generateName"}:
            errors.append(fe.forbidden(f"{path}.properties[metadata]",
                                       messages.CRD_METADATA_ROOT))
    return errors


def _openapi(s: dict[str, Any], path: str) -> list[FieldError]:
    """The checks of ValidateCustomResourceDefinitionOpenAPISchema kept here."""
    errors: list[FieldError] = []
    if s.get("uniqueItems") is True:
        errors.append(fe.forbidden(f"{path}.uniqueItems", messages.CRD_UNIQUE_ITEMS))
    if s.get("additionalProperties") is not None and s.get("properties"):
        errors.append(fe.forbidden(f"{path}.additionalProperties",
                                   messages.CRD_PROPS_AND_ADDITIONAL))
    for name, sub in (s.get("properties") or {}).items():
        if isinstance(sub, dict):
            errors += _openapi(sub, fe.key(f"{path}.properties", name))
    for name in ("items", "additionalProperties"):
        if isinstance(s.get(name), dict):
            errors += _openapi(s[name], f"{path}.{name}")
    return errors
