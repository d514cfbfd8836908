"""Go's time.Parse errors for the two layouts kube's times are decoded with.

metav1.Time is decoded with ``time.Parse(time.RFC3339, s)`` and metav1.MicroTime with
``"2006-01-02T15:04:05.000000Z07:00"`` (exactly six fraction digits, so a Lease's
``renewTime: 2024-01-01T00:00:00Z`` is refused). A refused time's error is Go's, element by
element as its parser walks the layout: ``parsing time "2024-13-01T00:00:00Z": month out of
range``, ``parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as
"2006"``.
"""

from __future__ import annotations

import calendar

from emulator import messages

RFC3339 = "2006-01-02T15:04:05Z07:00"
RFC3339_MICRO = "2006-01-02T15:04:05.000000Z07:00"
_FRACTION = ".000000"


class _Bad(Exception):
    """An element the value does not match (Go's errBad)."""


class _OutOfRange(Exception):
    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


def parse_error(value: str, layout: str) -> str | None:
    """Go's error for ``time.Parse(layout, value)``; None when it parses."""
    # The layout as Go's nextStdChunk splits it: (literal prefix, element).
    chunks = [("", "2006"), ("-", "01"), ("-", "02"), ("T", "15"), (":", "04"), (":", "05")]
    if layout == RFC3339_MICRO:
        chunks.append(("", _FRACTION))
    chunks.append(("", "Z07:00"))
    rest = value
    year = month = day = 0
    for index, (prefix, element) in enumerate(chunks):
        if prefix:
            if not rest.startswith(prefix):
                return _cannot(value, layout, rest, prefix)
            rest = rest[len(prefix):]
        hold = rest
        try:
            if element == "2006":
                if len(rest) < 4 or not rest[0].isascii() or not rest[0].isdigit():
                    raise _Bad
                year, rest = _atoi(rest[:4]), rest[4:]
            elif element in ("01", "02", "04", "05", "15"):
                number, rest = _getnum(rest, fixed=element != "15")
                if element == "01":
                    month = number
                    if not 1 <= month <= 12:
                        raise _OutOfRange("month")
                elif element == "02":
                    day = number
                elif element == "15" and number >= 24:
                    raise _OutOfRange("hour")
                elif element == "04" and number >= 60:
                    raise _OutOfRange("minute")
                elif element == "05":
                    if number >= 60:
                        raise _OutOfRange("second")
                    next_element = chunks[index + 1][1]
                    if (next_element != _FRACTION and len(rest) >= 2 and rest[0] in ".,"
                            and _digit(rest, 1)):
                        # a fraction the layout does not name is taken all the same
                        digits = 2
                        while digits < len(rest) and _digit(rest, digits):
                            digits += 1
                        rest = rest[digits:]
            elif element == _FRACTION:
                if len(rest) < len(_FRACTION) or rest[0] not in ".,":
                    raise _Bad
                if _atoi(rest[1:len(_FRACTION)]) < 0:
                    raise _OutOfRange("fractional second")
                rest = rest[len(_FRACTION):]
            else:
                rest = _zone(rest)
        except _OutOfRange as exc:
            return messages.GO_TIME_OUT_OF_RANGE.format(value=quote(value), what=exc.what)
        except _Bad:
            return _cannot(value, layout, hold, element)
    if rest:
        return messages.GO_TIME_EXTRA_TEXT.format(value=quote(value), rest=quote(rest))
    if not 1 <= day <= _days_in(month, year):
        return messages.GO_TIME_OUT_OF_RANGE.format(value=quote(value), what="day")
    return None


def _days_in(month: int, year: int) -> int:
    if month == 2:  # Go's proleptic Gregorian calendar, year 0 a leap year
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return calendar.mdays[month]


def _zone(rest: str) -> str:
    if rest.startswith("Z"):
        return rest[1:]
    if len(rest) < 6 or rest[3] != ":":
        raise _Bad
    hours, _ = _getnum(rest[1:3], fixed=True)
    minutes, _ = _getnum(rest[4:6], fixed=True)
    if minutes > 60:  # Go tests the range before the sign, the minutes' last
        raise _OutOfRange("time zone offset minute")
    if hours > 24:
        raise _OutOfRange("time zone offset hour")
    if rest[0] not in "+-":
        raise _Bad
    return rest[6:]


def _digit(text: str, at: int) -> bool:
    return at < len(text) and "0" <= text[at] <= "9"


def _getnum(text: str, fixed: bool) -> tuple[int, str]:
    """Go's getnum: one or two digits (exactly two when fixed)."""
    if not _digit(text, 0):
        raise _Bad
    if not _digit(text, 1):
        if fixed:
            raise _Bad
        return int(text[0]), text[1:]
    return int(text[:2]), text[2:]


def _atoi(text: str) -> int:
    """Go's time.atoi: an optional sign, then digits only."""
    digits = text[1:] if text[:1] in ("+", "-") else text
    if not digits or not all("0" <= c <= "9" for c in digits):
        raise _Bad
    return -int(digits) if text.startswith("-") else int(digits)


def _cannot(value: str, layout: str, rest: str, element: str) -> str:
    return messages.GO_TIME_CANNOT_PARSE.format(value=quote(value), layout=quote(layout),
                                                rest=quote(rest), element=quote(element))


def quote(text: str) -> str:
    """Go's time.quote: ASCII as it is (quotes and backslashes escaped), the bytes of anything
    else as ``\\xNN``."""
    out = ['"']
    for char in text:
        if char < " " or ord(char) >= 0x80:
            out.extend(f"\\x{byte:02x}" for byte in char.encode("utf-8", "surrogatepass"))
        else:
            out.append("\\" + char if char in '"\\' else char)
    out.append('"')
    return "".join(out)
