"""Kubernetes quantities (apimachinery's resource.Quantity) as the validation reads and prints
them: a value to compare, and the canonical text Go's ``Quantity.String()`` writes."""

from __future__ import annotations

import decimal
from typing import Any

from emulator import messages

_SUFFIXES = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60,
             "n": decimal.Decimal("1e-9"), "u": decimal.Decimal("1e-6"),
             "m": decimal.Decimal("1e-3"), "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12,
             "P": 10**15, "E": 10**18}


def parse_quantity(value: Any) -> Any:
    """A quantity's value as a Decimal; what is not one, as it is."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return decimal.Decimal(str(value))
    if not isinstance(value, str):
        return value
    text = value.strip()
    for suffix in sorted(_SUFFIXES, key=len, reverse=True):
        if text.endswith(suffix):
            number, factor = text[:-len(suffix)], _SUFFIXES[suffix]
            break
    else:
        number, factor = text, 1
    try:
        return decimal.Decimal(number) * decimal.Decimal(factor)
    except (decimal.InvalidOperation, ValueError):
        return value  # not a quantity: as written


_DIGITS = frozenset("0123456789")
_SUFFIX_LETTERS = frozenset("eEinumkKMGTP")
_DECIMAL_SUFFIXES = frozenset(("n", "u", "m", "", "k", "M", "G", "T", "P", "E"))
_BINARY_SUFFIXES = frozenset(("Ki", "Mi", "Gi", "Ti", "Pi", "Ei"))


def parse_error(text: str) -> str | None:
    """apimachinery's ParseQuantity error for ``text``, None when it parses: a number (sign,
    digits, an optional fraction), then a suffix of its letters, an optional sign and digits;
    the suffix must be a decimal or binary one, or an exponent (``e3``, ``E-2``)."""
    if not text:
        return messages.K8S_QUANTITY_FORMAT
    at, end = 0, len(text)
    if text[0] in "+-":
        at += 1
    while at < end and text[at] in _DIGITS:
        at += 1
    if at < end and text[at] == ".":
        at += 1
        while at < end and text[at] in _DIGITS:
            at += 1
    start = at
    while at < end and text[at] in _SUFFIX_LETTERS:
        at += 1
    if at < end and text[at] in "+-":
        at += 1
    while at < end and text[at] in _DIGITS:
        at += 1
    if at < end:
        return messages.K8S_QUANTITY_FORMAT
    suffix = text[start:]
    if suffix in _DECIMAL_SUFFIXES or suffix in _BINARY_SUFFIXES:
        return None
    if len(suffix) > 1 and suffix[0] in "eE" and _go_int64(suffix[1:]):
        return None
    return messages.K8S_QUANTITY_SUFFIX


def _go_int64(text: str) -> bool:
    """Whether Go's strconv.ParseInt(text, 10, 64) takes it."""
    digits = text[1:] if text[:1] in ("+", "-") else text
    return bool(digits) and all(c in _DIGITS for c in digits) and (
        -2**63 <= int(text) < 2**63)


_SI = {-9: "n", -6: "u", -3: "m", 0: "", 3: "k", 6: "M", 9: "G", 12: "T", 15: "P", 18: "E"}
_BINARY = ("", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei")


def canonical_quantity(value: Any) -> str:
    """A quantity as Go's ``Quantity.String()`` writes it: a binary suffix kept binary (the
    largest power of 1024 that divides it, else plain), a decimal one as the largest power of
    1000 that leaves a whole number (``2000m`` is ``2``, ``0.5`` is ``500m``)."""
    number = parse_quantity(value)
    if not isinstance(number, decimal.Decimal):
        return str(value)
    text = str(value).strip()
    sign, magnitude = ("-" if number < 0 else ""), abs(number)
    if text.endswith("i") and magnitude == magnitude.to_integral_value():
        whole, power = int(magnitude), 0
        while whole and whole % 1024 == 0 and power < len(_BINARY) - 1:
            whole, power = whole // 1024, power + 1
        return f"{sign}{whole}{_BINARY[power]}"
    exponent = 18
    while exponent > -9 and (magnitude / decimal.Decimal(10) ** exponent) != (
            magnitude / decimal.Decimal(10) ** exponent).to_integral_value():
        exponent -= 3
    if magnitude == 0:
        exponent = 0
    mantissa = (magnitude / decimal.Decimal(10) ** exponent).to_integral_value(
        rounding=decimal.ROUND_CEILING)
    suffix = _SI[exponent]
    if "e" in text.lower() and not text.endswith(("E", "e")):
        suffix = f"e{exponent}" if exponent else ""
    return f"{sign}{int(mantissa)}{suffix}"
