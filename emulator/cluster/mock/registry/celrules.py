"""``x-kubernetes-validations``: CEL rules of a CRD schema, evaluated as apiextensions-apiserver's
pkg/apiserver/schema/cel/validation.go does, with its error wording.

The CEL library is ``common-expression-language`` (import ``cel``, Rust bindings of the ``cel``
crate), chosen over ``cel-python`` (``celpy``) after trying both on kube's usual rules: both
evaluate ``self.x > 0``, ``has()``, macros, ``size()``, ``oldSelf`` and messageExpressions, but
``cel`` parses with cel-go's ANTLR grammar and reports syntax errors in cel-go's own
``ERROR: <input>:1:9: Syntax error: ...`` form (what kube puts after "compilation failed: "),
compares ``1 == 1.0`` as cel-go does (celpy raises), takes member-style extension functions
(``self.name.lowerAscii()``) as plain Python callables, and is ~40x faster. Neither type-checks
against the schema, so a rule naming an undeclared field fails at evaluation ("no such key"),
not at CRD creation as in kube. celpy remains the pure-Python fallback should the wheel be
missing on a platform: only ``_compile``/``_run`` would change.
"""

from __future__ import annotations

import functools
import re
from typing import Any, Callable

from emulator import messages
from emulator.cluster.mock.registry import fielderrors as fe
from emulator.cluster.mock.registry.fielderrors import FieldError

Schema = dict[str, Any]
_MAX_MESSAGE = 5000  # celconfig.MaxEvaluatedMessageExpressionSizeBytes
_BLOCKING = ("FieldValueNotSupported", "FieldValueRequired", "FieldValueTooLong",
             "FieldValueTooMany", "FieldValueTypeInvalid")


def _index_of(receiver: Any, item: Any, *rest: Any) -> int:
    start = rest[0] if rest else 0
    try:
        return receiver.index(item, start)
    except ValueError:
        return -1


def _last_index_of(receiver: Any, item: Any) -> int:
    if isinstance(receiver, str):
        return receiver.rfind(item)
    return max((i for i, v in enumerate(receiver) if v == item), default=-1)


# Kubernetes' CEL libraries (cel-go's strings ext, kube's lists library) most rules use.
_EXTENSIONS: dict[str, Callable[..., Any]] = {
    "lowerAscii": lambda s: "".join(c.lower() if c.isascii() else c for c in s),
    "upperAscii": lambda s: "".join(c.upper() if c.isascii() else c for c in s),
    "trim": lambda s: s.strip(),
    "replace": lambda s, old, new, *n: s.replace(old, new, *n),
    "split": lambda s, sep, *n: s.split(sep, n[0] - 1) if n and n[0] >= 0 else s.split(sep),
    "substring": lambda s, start, *end: s[start:end[0]] if end else s[start:],
    "charAt": lambda s, i: s[i:i + 1],
    "join": lambda items, *sep: (sep[0] if sep else "").join(items),
    "indexOf": _index_of,
    "lastIndexOf": _last_index_of,
    "isSorted": lambda items: list(items) == sorted(items),
    "sum": lambda items: sum(items),
    "min": lambda items: min(items),
    "max": lambda items: max(items),
}


def _issues(error: Exception) -> str:
    """cel-go's issues.String(): the crate's message without its prefix, source lines as " | "."""
    text = re.sub(r"^Failed to parse expression '.*?': ", "", str(error), flags=re.S)
    return "\n".join(" " + line if line.startswith("| ") else line for line in text.split("\n"))


@functools.cache
def _cel() -> Any:
    """The CEL library, imported on the first rule: its package also loads its command line
    (and ``rich``), some 24 MiB and 80 ms that a world without CEL rules never needs."""
    import cel  # noqa: PLC0415
    return cel


def _compile(source: str) -> Any:
    return _cel().compile(source)


def _run(program: Any, variables: dict[str, Any]) -> Any:
    context = _cel().Context()
    for name, function in _EXTENSIONS.items():
        context.add_function(name, function)
    for name, value in variables.items():
        context.add_variable(name, value)
    return program.execute(context)


def _runtime_error(error: Exception) -> str:
    """cel-go's wording of an evaluation error."""
    if isinstance(error, KeyError):
        return messages.CR_CEL_NO_SUCH_KEY.format(key=str(error.args[0]) if error.args else "")
    if isinstance(error, ZeroDivisionError):
        modulus = "modul" in str(error).lower() or "remainder" in str(error).lower()
        return messages.CR_CEL_MODULUS_ZERO if modulus else messages.CR_CEL_DIV_ZERO
    if isinstance(error, OverflowError):
        return messages.CR_CEL_OVERFLOW
    if isinstance(error, TypeError) and "overload" in str(error).lower():
        return messages.CR_CEL_NO_SUCH_OVERLOAD
    return str(error)


def _uses_old_self(rule: str) -> bool:
    return re.search(r"\boldSelf\b", rule) is not None


def _rule_text(rule: dict[str, Any]) -> str:
    """ruleErrorString: the rule's message when it has one, else the rule."""
    return (rule.get("message") or "").strip() or (rule.get("rule") or "").strip()


class _Eval:
    def __init__(self, minor: int) -> None:
        self.minor = minor
        self.errors: list[FieldError] = []

    def node(self, s: Schema, value: Any, old: Any, has_old: bool, path: str) -> None:
        if value is None or not isinstance(s, dict):
            return
        for rule in s.get("x-kubernetes-validations") or []:
            self.rule(s, rule, value, old, has_old, path)
        if isinstance(value, dict):
            props, extra = s.get("properties") or {}, s.get("additionalProperties")
            old_map = old if has_old and isinstance(old, dict) else None
            for name, item in value.items():
                sub, at = (props[name], fe.child(path, name)) if name in props else \
                    (extra, fe.key(path, name)) if isinstance(extra, dict) else (None, "")
                if sub is not None:
                    self.node(sub, item, (old_map or {}).get(name),
                              old_map is not None and name in old_map, at)
        elif isinstance(value, list) and isinstance(s.get("items"), dict):
            olds = self._correlate(s, value, old if has_old else None)
            for i, item in enumerate(value):
                self.node(s["items"], item, olds[i], olds[i] is not None, fe.index(path, i))

    @staticmethod
    def _correlate(s: Schema, value: list[Any], old: Any) -> list[Any]:
        """Only list-type map items correlate with their old selves (by their keys)."""
        keys = s.get("x-kubernetes-list-map-keys") or []
        if s.get("x-kubernetes-list-type") != "map" or not isinstance(old, list) or not keys:
            return [None] * len(value)
        by_key = {tuple(repr(o.get(k)) for k in keys): o for o in old if isinstance(o, dict)}
        return [by_key.get(tuple(repr(v.get(k)) for k in keys)) if isinstance(v, dict) else None
                for v in value]

    def rule(self, s: Schema, rule: dict[str, Any], value: Any, old: Any, has_old: bool,
             path: str) -> None:
        source = rule.get("rule") or ""
        type_name = s.get("type", "")
        transition = _uses_old_self(source)
        if not source or (transition and (not has_old or old is None)):
            return
        variables = {"self": value}
        if transition:
            variables["oldSelf"] = old
        try:
            result = _run(_compile(source), variables)
        except ValueError as error:
            self.errors.append(fe.invalid_value(path, type_name, messages.CR_CEL_COMPILE.format(
                issues=_issues(error)), self.minor))
            return
        except Exception as error:  # noqa: BLE001 - every evaluation error becomes a field error
            detail = _runtime_error(error)
            template = messages.CR_CEL_NO_OVERLOAD if detail == messages.CR_CEL_NO_SUCH_OVERLOAD \
                else messages.CR_CEL_EVAL_ERROR
            self.errors.append(fe.invalid_value(path, type_name, template.format(
                error=detail, rule=_rule_text(rule)), self.minor))
            return
        if result is True:
            return
        at = path
        if rule.get("fieldPath"):
            at = fe.child(path, rule["fieldPath"].lstrip("."))
        detail = self._message(rule, variables) or (
            (rule.get("message") or "").strip() or
            messages.CR_CEL_FAILED_RULE.format(rule=_rule_text(rule)))
        if self.minor >= 35:
            shown = fe.OMIT if type_name in ("object", "array") else value
        else:
            shown = type_name
        reason = rule.get("reason")
        if reason == "FieldValueForbidden":
            self.errors.append(fe.forbidden(at, detail))
        elif reason == "FieldValueRequired":
            self.errors.append(fe.required(at, detail))
        elif reason == "FieldValueDuplicate":
            self.errors.append(fe.duplicate(at, shown, self.minor))
        else:
            self.errors.append(fe.invalid_value(at, shown, detail, self.minor))

    def _message(self, rule: dict[str, Any], variables: dict[str, Any]) -> str:
        """evalMessageExpression: a usable result, or "" (kube then logs and falls back)."""
        source = rule.get("messageExpression")
        if not source:
            return ""
        try:
            text = _run(_compile(source), variables)
        except Exception:  # noqa: BLE001 - kube logs these and uses the rule's message
            return ""
        if not isinstance(text, str):
            return ""
        text = text.strip()
        return text if text and "\n" not in text and len(text) <= _MAX_MESSAGE else ""


def evaluate(schema: Schema, obj: Any, old: Any = None, *,
             minor: int = fe.LATEST_MINOR) -> list[FieldError]:
    """Every rule of ``schema`` on ``obj``; transition rules (those naming ``oldSelf``) only where
    ``old`` has a correlated value. Errors at the root name the nil path ("<nil>")."""
    walk = _Eval(minor)
    walk.node(schema or {}, obj, old, old is not None, "")
    return walk.errors


def blocking_error(errors: list[FieldError], minor: int = fe.LATEST_MINOR) -> FieldError | None:
    """hasBlockingErr: after these schema errors kube runs no CEL rule and adds this one."""
    if any(e.type in _BLOCKING for e in errors):
        return fe.invalid_value("", None, messages.CR_CEL_BLOCKED, minor)
    return None


def compile_errors(schema: Schema, path: str, minor: int = fe.LATEST_MINOR) -> list[FieldError]:
    """The CRD-time checks of every rule under ``schema`` (whose own path is ``path``, such as
    ``spec.validation.openAPIV3Schema``): rule present, message and fieldPath well formed, reason
    supported, rule and messageExpression parse."""
    errors: list[FieldError] = []
    if not isinstance(schema, dict):
        return errors
    for i, rule in enumerate(schema.get("x-kubernetes-validations") or []):
        at = fe.index(fe.child(path, "x-kubernetes-validations"), i)
        errors += _rule_checks(rule, at, minor)
    for name, sub in (schema.get("properties") or {}).items():
        errors += compile_errors(sub, fe.key(fe.child(path, "properties"), name), minor)
    for name in ("items", "additionalProperties"):
        if isinstance(schema.get(name), dict):
            errors += compile_errors(schema[name], fe.child(path, name), minor)
    return errors


_REASONS = ["FieldValueDuplicate", "FieldValueForbidden", "FieldValueInvalid",
            "FieldValueRequired"]


def _rule_checks(rule: dict[str, Any], at: str, minor: int) -> list[FieldError]:
    source, message = rule.get("rule") or "", rule.get("message")
    if not source.strip():
        return [fe.required(fe.child(at, "rule"), messages.CRD_RULE_MISSING)]
    errors = []
    if message is not None and not message.strip():
        errors.append(fe.invalid_value(fe.child(at, "message"), message,
                                       messages.CRD_MESSAGE_EMPTY, minor))
    elif message is not None and "\n" in message:
        errors.append(fe.invalid_value(fe.child(at, "message"), message,
                                       messages.CRD_MESSAGE_LINE_BREAKS, minor))
    if rule.get("reason") is not None and rule["reason"] not in _REASONS:
        errors.append(fe.not_supported(fe.child(at, "reason"), rule["reason"], _REASONS, minor))
    for key, template in (("rule", messages.CR_CEL_COMPILE),
                          ("messageExpression", messages.CR_CEL_MESSAGE_COMPILE)):
        if rule.get(key):
            try:
                _compile(rule[key])
            except ValueError as error:
                errors.append(fe.invalid_value(fe.child(at, key), _rule_value(rule, minor),
                                               template.format(issues=_issues(error)), minor))
    return errors


def _rule_value(rule: dict[str, Any], minor: int) -> fe.GoText:
    """The internal apiextensions.ValidationRule as the error prints it: JSON of its untagged
    fields from v0.34, Go's %#v before (a set pointer prints an address there; a fixed one here)."""
    fields = [("Rule", rule.get("rule") or ""), ("Message", rule.get("message") or ""),
              ("MessageExpression", rule.get("messageExpression") or ""),
              ("Reason", rule.get("reason")), ("FieldPath", rule.get("fieldPath") or ""),
              ("OptionalOldSelf", rule.get("optionalOldSelf"))]
    if minor >= 34:
        return fe.GoText("{" + ",".join(f'"{k}":{fe.go_json(v)}' for k, v in fields) + "}")
    pointers = {"Reason": "*apiextensions.FieldValueErrorReason", "OptionalOldSelf": "*bool"}
    parts = []
    for name, value in fields:
        if name in pointers:
            address = "nil" if value is None else "0xc000000000"
            parts.append(f"{name}:({pointers[name]})({address})")
        else:
            parts.append(f"{name}:{fe.go_quote(value)}")
    return fe.GoText("apiextensions.ValidationRule{" + ", ".join(parts) + "}")
