"""apimachinery's name checks (pkg/util/validation: IsDNS1035Label, IsDNS1123Subdomain,
IsQualifiedName, IsValidLabelValue, IsValidPortNum, IsValidPortName): each answers the list of its messages,
empty for a good value, which the callers turn into field errors. Lengths are Go's, in UTF-8
bytes."""

from __future__ import annotations

import re

from emulator import messages

_DNS1035_LABEL = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")
_DNS1123_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_DNS1123_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_QUALIFIED_NAME = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")
_UNDERSCORE_LABEL = r"_?[a-z0-9]([-_a-z0-9]*[a-z0-9])?"
_DNS1123_SUBDOMAIN_UNDERSCORE = re.compile(rf"{_UNDERSCORE_LABEL}(\.{_UNDERSCORE_LABEL})*")
_LABEL_VALUE = re.compile(r"(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?")
DNS1035_LABEL_MAX = 63
DNS1123_LABEL_MAX = 63
DNS1123_SUBDOMAIN_MAX = 253
QUALIFIED_NAME_MAX = 63
LABEL_VALUE_MAX = 63
PORT_NAME_MAX = 15
PORT_MAX = 65535


def byte_length(text: str) -> int:
    """Go's len of a string: its UTF-8 bytes."""
    return len(text.encode("utf-8", "surrogatepass"))


def dns1035_label(value: str) -> list[str]:
    errors = ([messages.DNS_MAX_LENGTH.format(limit=DNS1035_LABEL_MAX)]
              if byte_length(value) > DNS1035_LABEL_MAX else [])
    return errors + ([] if _DNS1035_LABEL.fullmatch(value) else
                     [messages.DNS1035_LABEL_FORMAT])


def dns1123_label(value: str) -> list[str]:
    """IsDNS1123Label: a dotted name that would be a subdomain is told so."""
    errors = ([messages.DNS_MAX_LENGTH.format(limit=DNS1123_LABEL_MAX)]
              if byte_length(value) > DNS1123_LABEL_MAX else [])
    if _DNS1123_LABEL.fullmatch(value):
        return errors
    return errors + [messages.K8S_NO_DOTS if _DNS1123_SUBDOMAIN.fullmatch(value)
                     else messages.K8S_DNS_LABEL_DETAIL]


def dns1123_subdomain(value: str, too_long: str = messages.DNS_MAX_LENGTH) -> list[str]:
    """``too_long``: the length message's template (in bytes for 1.35's content package)."""
    errors = ([too_long.format(limit=DNS1123_SUBDOMAIN_MAX)]
              if byte_length(value) > DNS1123_SUBDOMAIN_MAX else [])
    return errors + ([] if _DNS1123_SUBDOMAIN.fullmatch(value) else
                     [messages.DNS1123_SUBDOMAIN_FORMAT])


def path_segment_name(name: str) -> list[str]:
    """IsValidPathSegmentName: a name a URL path can hold as one segment."""
    if name in (".", ".."):
        return [messages.CR_SEGMENT_DOT.format(name=name)]
    return [messages.CR_SEGMENT_CONTAINS.format(char=c) for c in "/%" if c in name]


def port_number(number: int) -> list[str]:
    """IsValidPortNum."""
    return [] if 1 <= number <= PORT_MAX else [
        messages.K8S_INCLUSIVE_RANGE.format(low=1, high=PORT_MAX)]


def port_name(name: str) -> list[str]:
    """IsValidPortName (an IANA service name: a container port's name, a Service's string
    target port), its messages in its order."""
    problems = []
    if len(name) > PORT_NAME_MAX:
        problems.append(messages.DNS_MAX_LENGTH.format(limit=PORT_NAME_MAX))
    if not all(c in "abcdefghijklmnopqrstuvwxyz0123456789-" for c in name):
        problems.append(messages.K8S_PORT_NAME_CHARACTERS)
    if not any("a" <= c <= "z" for c in name):
        problems.append(messages.K8S_PORT_NAME_LETTER)
    if "--" in name:
        problems.append(messages.K8S_PORT_NAME_HYPHENS)
    if name.startswith("-") or name.endswith("-"):
        problems.append(messages.K8S_PORT_NAME_EDGES)
    return problems


def dns1123_subdomain_underscore(value: str) -> list[str]:
    """IsDNS1123SubdomainWithUnderscore (a DNS search path from 1.33); its message shows the
    regex without the underscores, as kube's does."""
    errors = ([messages.DNS_MAX_LENGTH.format(limit=DNS1123_SUBDOMAIN_MAX)]
              if byte_length(value) > DNS1123_SUBDOMAIN_MAX else [])
    return errors + ([] if _DNS1123_SUBDOMAIN_UNDERSCORE.fullmatch(value) else
                     [messages.K8S_DNS1123_SUBDOMAIN_UNDERSCORE])


def qualified_name(value: str, minor: int = 34) -> list[str]:
    """An optional DNS subdomain prefix and '/', then a name part. From 1.35 apimachinery's
    content.IsLabelKey words it: "a valid label key" for too many slashes, lengths in bytes."""
    parts = value.split("/")
    if len(parts) > 2:
        return [messages.LABEL_KEY_SLASHES if minor >= 35 else messages.QUALIFIED_NAME_SLASHES]
    too_long = messages.MAX_BYTES if minor >= 35 else messages.DNS_MAX_LENGTH
    errors = []
    if len(parts) == 2:
        prefix = parts[0]
        if not prefix:
            errors.append("prefix part " + messages.NAME_PART_EMPTY)
        else:
            errors += ["prefix part " + text for text in dns1123_subdomain(prefix, too_long)]
    name = parts[-1]
    if not name:
        errors.append("name part " + messages.NAME_PART_EMPTY)
    elif byte_length(name) > QUALIFIED_NAME_MAX:
        errors.append("name part " + too_long.format(limit=QUALIFIED_NAME_MAX))
    if not _QUALIFIED_NAME.fullmatch(name):
        errors.append("name part " + messages.QUALIFIED_NAME_FORMAT)
    return errors


def label_value(value: str, minor: int = 34) -> list[str]:
    """IsValidLabelValue (from 1.35 content.IsLabelValue: the length in bytes)."""
    too_long = messages.MAX_BYTES if minor >= 35 else messages.DNS_MAX_LENGTH
    errors = ([too_long.format(limit=LABEL_VALUE_MAX)]
              if byte_length(value) > LABEL_VALUE_MAX else [])
    return errors + ([] if _LABEL_VALUE.fullmatch(value) else [messages.LABEL_VALUE_FORMAT])

