"""kube's validation of an Event (pkg/apis/core/validation/events.go), on the core Event that both
Event APIs store: every write passes the legacy checks; a write through events.k8s.io/v1 also the
strict ones (eventTime required, the deprecated core fields unset on create, most fields
immutable after). Field paths are the core Event's names, as kube's are, except that the core
API names the reporting controller by its own field, reportingComponent.
"""

from __future__ import annotations

from typing import Any

from emulator import messages
from emulator.cluster.mock.registry import fielderrors as fe
from emulator.cluster.mock.registry.fielderrors import FieldError, GoText
from emulator.cluster.mock.registry.namechecks import byte_length, dns1123_subdomain, qualified_name
from emulator.cluster.mock.wire.tables.cells import parse_time  # zero (absent, null, "") is None

REPORTING_INSTANCE_LIMIT = 128
ACTION_LIMIT = 128
REASON_LIMIT = 128
NOTE_LIMIT = 1024
EVENT_TYPES = ("Normal", "Warning")

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


def core_event(event: dict[str, Any], old: dict[str, Any] | None, minor: int) -> list[FieldError]:
    """ValidateEventCreate / ValidateEventUpdate for a write through the core API."""
    return _legacy(event, "reportingComponent", minor)


def events_v1_event(event: dict[str, Any], old: dict[str, Any] | None,
                    minor: int) -> list[FieldError]:
    """The same for a write through events.k8s.io/v1 (``event`` is the core Event it stores)."""
    errors = _legacy(event, "reportingController", minor)
    if old is None:
        errors += _series(event)
        if parse_time(event.get("eventTime")) is None:
            errors.append(fe.required("eventTime"))
        if event.get("type") not in EVENT_TYPES:
            errors.append(fe.invalid_value("type", "", messages.EVENT_INVALID_TYPE.format(
                type=_text(event.get("type"))), minor))
        for name in ("firstTimestamp", "lastTimestamp"):
            if parse_time(event.get(name)) is not None:
                errors.append(fe.invalid_value(name, "", messages.EVENT_UNSET, minor))
        if _int(event.get("count")):
            errors.append(fe.invalid_value("count", "", messages.EVENT_UNSET, minor))
        source = _dict(event.get("source"))
        if _text(source.get("component")) or _text(source.get("host")):
            errors.append(fe.invalid_value("source", "", messages.EVENT_UNSET, minor))
        return errors
    if _dict_or_none(event.get("series")) != _dict_or_none(old.get("series")):
        errors += _series(event)
    for name, path, show in _IMMUTABLE:
        new_value, old_value = event.get(name), old.get(name)
        if not _same(name, new_value, old_value):
            errors.append(fe.invalid_value(path, show(new_value), messages.CRD_IMMUTABLE, minor))
    return errors


def _legacy(event: dict[str, Any], controller_field: str, minor: int) -> list[FieldError]:
    """legacyValidateEvent: the namespaces agree; an Event with an eventTime names who reported
    it, what it did and why, within their lengths; the namespace is a DNS subdomain."""
    errors: list[FieldError] = []
    namespace = _text(event.get("metadata", {}).get("namespace"))
    involved = _text(_dict(event.get("involvedObject")).get("namespace"))
    mismatch = fe.invalid_value("involvedObject.namespace", involved,
                                messages.EVENT_NAMESPACE_MISMATCH, minor)
    if parse_time(event.get("eventTime")) is None:
        if (not involved and namespace not in ("", "default")) or (involved and
                                                                    namespace != involved):
            errors.append(mismatch)
    else:
        if not involved and namespace not in ("default", "kube-system"):
            errors.append(mismatch)
        controller = _text(event.get("reportingComponent"))
        if not controller:
            errors.append(fe.required(controller_field))
        errors += [fe.invalid_value(controller_field, controller, text, minor)
                   for text in qualified_name(controller, minor)]
        instance = _text(event.get("reportingInstance"))
        if not instance:
            errors.append(fe.required("reportingInstance"))
        if byte_length(instance) > REPORTING_INSTANCE_LIMIT:
            errors.append(fe.invalid_value("reportingInstance", "", messages.EVENT_AT_MOST.format(
                limit=REPORTING_INSTANCE_LIMIT), minor))
        for name, limit in (("action", ACTION_LIMIT), ("reason", REASON_LIMIT)):
            value = _text(event.get(name))
            if not value:
                errors.append(fe.required(name))
            if byte_length(value) > limit:
                errors.append(fe.invalid_value(name, "", messages.EVENT_AT_MOST.format(
                    limit=limit), minor))
        if byte_length(_text(event.get("message"))) > NOTE_LIMIT:
            errors.append(fe.invalid_value("message", "", messages.EVENT_AT_MOST.format(
                limit=NOTE_LIMIT), minor))
    errors += [fe.invalid_value("namespace", namespace, text, minor)
               for text in dns1123_subdomain(namespace)]
    return errors


def _series(event: dict[str, Any]) -> list[FieldError]:
    """validateV1EventSeries."""
    series = _dict_or_none(event.get("series"))
    if series is None:
        return []
    errors = []
    if _int(series.get("count")) < 2:
        errors.append(fe.invalid_value("series.count", "", messages.EVENT_SERIES_COUNT))
    if parse_time(series.get("lastObservedTime")) is None:
        errors.append(fe.required("series.lastObservedTime"))
    return errors


# -- the immutable fields, and their values as ErrorBody prints them (Go's %#v) --------------------


def _reference(value: Any) -> GoText:
    ref = _dict(value)
    fields = ", ".join(f"{go}:{fe.go_json(_text(ref.get(name)))}" for go, name in _REFERENCE)
    return GoText(f"core.ObjectReference{{{fields}}}")


def _related(value: Any) -> GoText:
    if _dict_or_none(value) is None:
        return GoText("(*core.ObjectReference)(nil)")
    return GoText("&" + _reference(value))


def _source(value: Any) -> GoText:
    source = _dict(value)
    return GoText(f"core.EventSource{{Component:{fe.go_json(_text(source.get('component')))}, "
                  f"Host:{fe.go_json(_text(source.get('host')))}}}")


def _go_time(type_name: str) -> Any:
    def show(value: Any) -> GoText:
        moment = parse_time(value)
        if moment is None:
            return GoText(f"v1.{type_name}{{Time:time.Date(1, time.January, 1, 0, 0, 0, 0, "
                          "time.UTC)}")
        return GoText(
            f"v1.{type_name}{{Time:time.Date({moment.year}, time.{_MONTHS[moment.month - 1]}, "
            f"{moment.day}, {moment.hour}, {moment.minute}, {moment.second}, "
            f"{moment.microsecond * 1000}, time.Local)}}")
    return show


def _as_is(value: Any) -> Any:
    return value if isinstance(value, (str, int)) and not isinstance(value, bool) else ""


_REFERENCE = (("Kind", "kind"), ("Namespace", "namespace"), ("Name", "name"), ("UID", "uid"),
              ("APIVersion", "apiVersion"), ("ResourceVersion", "resourceVersion"),
              ("FieldPath", "fieldPath"))
# ValidateEventUpdate's checks in its order: (the core Event's field, the error's path, how the
# new value prints). Reason is checked twice there, so a changed reason is two causes (the
# message names it once: NewInvalid prints each distinct error once).
_IMMUTABLE = (("involvedObject", "involvedObject", _reference), ("reason", "reason", _as_is),
              ("message", "message", _as_is), ("source", "source", _source),
              ("firstTimestamp", "firstTimestamp", _go_time("Time")),
              ("lastTimestamp", "lastTimestamp", _go_time("Time")),
              ("count", "count", _as_is), ("reason", "reason", _as_is), ("type", "type", _as_is),
              ("eventTime", "eventTime", _go_time("MicroTime")), ("action", "action", _as_is),
              ("related", "related", _related),
              ("reportingComponent", "reportingController", _as_is),
              ("reportingInstance", "reportingInstance", _as_is))


def _same(name: str, new: Any, old: Any) -> bool:
    """apiequality.Semantic.DeepEqual of the decoded fields: absent and zero are alike; an
    eventTime is compared to the microsecond, as kube truncates it before comparing."""
    if name in ("involvedObject", "source"):
        return _strings(new) == _strings(old)
    if name == "related":
        return (_dict_or_none(new) is None) == (_dict_or_none(old) is None) and \
            _strings(new) == _strings(old)
    if name in ("firstTimestamp", "lastTimestamp", "eventTime"):
        return parse_time(new) == parse_time(old)
    if name == "count":
        return _int(new) == _int(old)
    return _text(new) == _text(old)


def _strings(value: Any) -> dict[str, str]:
    return {k: _text(v) for k, v in _dict(value).items() if _text(v)}


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _dict_or_none(value: Any) -> dict[str, Any] | None:
    return value if isinstance(value, dict) else None
