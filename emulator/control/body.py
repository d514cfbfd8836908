"""Reading the control API's JSON bodies: every mistake becomes a 400 that names the field.

Unknown fields are refused, as the scenario loader refuses unknown keys: a misspelt field that
were silently ignored would leave a test running against a different world than it asked for.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from starlette.requests import Request

from emulator import limits, messages
from emulator.scenario import loader

_EMAIL = re.compile(r"^[^\s:@]+@[^\s:@]+$")
_RESOURCE = re.compile(r"^serviceAccount:[^\s:@]+@[^\s:@]+$")
# A field that was left out, as opposed to one sent as null.
ABSENT: Any = object()


@dataclass
class ControlApiError(Exception):
    """An error answer: ``{"error": {"code", "status", "message"}}``."""

    code: int
    message: str

    def __post_init__(self) -> None:
        super().__init__(self.message)

    @property
    def status(self) -> str:
        return STATUSES.get(self.code, "UNKNOWN")


STATUSES = {400: "INVALID_ARGUMENT", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
            405: "METHOD_NOT_ALLOWED", 409: "ALREADY_EXISTS", 413: "PAYLOAD_TOO_LARGE"}


def invalid(message: str) -> ControlApiError:
    return ControlApiError(400, message)


async def read(request: Request) -> bytes:
    """A control request's body, read within the control API's limit (413 past it)."""
    try:
        return await limits.read_body(request, limits.CONTROL_MAX_REQUEST_BODY_BYTES)
    except limits.BodyTooLarge as too_large:
        raise ControlApiError(413, messages.CONTROL_BODY_TOO_LARGE.format(
            limit=too_large.limit)) from None


class Body:
    """One JSON object whose fields are all among ``allowed``; each reader checks one field."""

    def __init__(self, raw: bytes, allowed: tuple[str, ...]) -> None:
        try:
            data = limits.json_loads(raw or b"{}")
        except limits.TooDeep as err:
            raise invalid(messages.CONTROL_BODY_REFUSED.format(reason=err)) from None
        except ValueError as err:
            raise invalid(messages.CONTROL_BAD_JSON.format(reason=err)) from None
        if not isinstance(data, dict):
            raise invalid(messages.CONTROL_NOT_AN_OBJECT.format(value=json.dumps(data)[:80]))
        for key in data:
            if key not in allowed:
                raise invalid(messages.CONTROL_UNKNOWN_FIELD.format(field=key,
                                                                    allowed=", ".join(allowed)))
        self.data: dict[str, Any] = data

    def has(self, key: str) -> bool:
        return key in self.data

    def text(self, key: str, default: str | None = None) -> str:
        value = self.data.get(key, ABSENT)
        if value is ABSENT and default is not None:
            return default
        if value is ABSENT:
            raise invalid(messages.CONTROL_MISSING_FIELD.format(field=key))
        if not isinstance(value, str):
            raise _bad(key, messages.CONTROL_EXPECT_STRING, value)
        return value

    def email(self, key: str) -> str:
        value = self.text(key)
        if not _EMAIL.match(value):
            raise _bad(key, messages.CONTROL_EXPECT_EMAIL, value)
        return value

    def member(self, key: str) -> str:
        value = self.text(key)
        if not loader.is_member(value):
            raise invalid(messages.CONTROL_BAD_MEMBER.format(member=value))
        return value

    def members(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key, ABSENT)
        if value is ABSENT:
            raise invalid(messages.CONTROL_MISSING_FIELD.format(field=key))
        if not isinstance(value, list):
            raise _bad(key, messages.CONTROL_EXPECT_MEMBERS, value)
        for member in value:
            if not isinstance(member, str) or not loader.is_member(member):
                raise invalid(messages.CONTROL_BAD_MEMBER.format(member=member))
        return tuple(value)

    def resource(self, key: str) -> str:
        """Empty (the fleet host project) or ``serviceAccount:EMAIL``: the resources IAM knows."""
        value = self.text(key, default="")
        if value and not _RESOURCE.match(value):
            raise invalid(messages.CONTROL_BAD_RESOURCE.format(resource=value))
        return value

    def integer(self, key: str, minimum: int, expected: str, maximum: int | None = None,
                nullable: bool = False) -> Any:
        """The whole number at ``key``; ABSENT when left out, None when null and ``nullable``.
        ``expected`` says what it must be, with ``{maximum}`` filled in."""
        value = self.data.get(key, ABSENT)
        if value is ABSENT or (value is None and nullable):
            return value
        if (not isinstance(value, int) or isinstance(value, bool) or value < minimum
                or (maximum is not None and value > maximum)):
            raise _bad(key, expected.format(maximum=maximum), value)
        return value

    def stream_timeout(self, key: str) -> Any:
        """A stream session limit in seconds (``limits.stream_timeout_ok``), None for null (drawn
        per stream), ABSENT when left out. NaN and the infinities (Python's JSON reads them) are
        refused: stored, they would make every later answer that shows them fail."""
        value = self.data.get(key, ABSENT)
        if value is ABSENT or value is None:
            return value
        if not limits.stream_timeout_ok(value):
            raise _bad(key, messages.CONTROL_EXPECT_SECONDS.format(
                maximum=limits.MAX_STREAM_TIMEOUT_SECONDS), value)
        return float(value)

    def seconds(self, key: str, maximum: float) -> float:
        """A required number of seconds from 0 to ``maximum`` (no NaN, no infinity)."""
        value = self.data.get(key, ABSENT)
        if (isinstance(value, bool) or not isinstance(value, (int, float))
                or not 0 <= value <= maximum):
            raise _bad(key, messages.CONTROL_EXPECT_ADVANCE.format(maximum=maximum),
                       None if value is ABSENT else value)
        return float(value)

    def time(self, key: str) -> datetime | None:
        if not self.has(key):
            return None
        raw = self.text(key)
        moment = loader.parse_time(raw)
        if moment is None:
            raise _bad(key, messages.CONTROL_EXPECT_TIME, raw)
        return moment


def _bad(key: str, expected: str, value: Any) -> ControlApiError:
    return invalid(messages.CONTROL_BAD_FIELD.format(field=key, expected=expected,
                                                     value=json.dumps(value)))
