"""JSON bytes as kube-apiserver writes them: Go's ``encoding/json`` Encoder, one value per call.

kube's JSON serializer (apimachinery runtime/serializer/json, ``doEncode``) hands every answer
to ``json.NewEncoder(w).Encode``, so a body is compact (no spaces), ends with a newline, keeps
non-ASCII text as UTF-8, and escapes ``<``, ``>``, ``&``, U+2028 and U+2029 inside strings (the
Encoder's HTML-safe default). Watch frames are the same encoder's output per event. Key order is
the caller's: Go writes struct fields in declaration order (``status.status_body`` builds a
Status that way) and map keys sorted, while the mock's objects keep the order they were given.

One function serves the mock apiserver and the gateway's own Kubernetes-path answers, so the
two can never disagree about bytes.
"""

from __future__ import annotations

import decimal
import json
import re
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from typing import Any

# Compact, UTF-8 as is; NaN and infinities cannot happen (bodies are parsed without them).
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)
# The same encoder's C core, made once: ``JSONEncoder.encode`` makes one per call, which is most
# of what a small value costs (a Table writes one per row). Without its check for circular
# references, which JSON data cannot have: a cycle ends in RecursionError instead of ValueError.
_C_ENCODER = (None if c_make_encoder is None else c_make_encoder(
    None, _ENCODER.default, encode_basestring, None, ":", ",", False, False, False))
# Go's HTML-safe escapes. In JSON text these characters can only stand inside strings, so
# replacing them in the whole text touches strings alone. str.replace per character, and only
# when present: str.translate with a mapping costs a Python lookup per character, which took a
# fifth of a second on a 10,000-pod Table full of "<none>".
_GO_ESCAPES = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"),
               ("\u2029", "\\u2029"))
# A lone surrogate (JSON "\ud800" decodes to one in Python) is no UTF-8; Go writes U+FFFD.
_SURROGATE = re.compile("[\ud800-\udfff]")


def encode(value: Any) -> bytes:
    """``value`` as Go's ``json.Encoder.Encode`` writes it, trailing newline included."""
    return fragment(value) + b"\n"


def fragment(value: Any, *, exact: bool = False) -> bytes:
    """``value``'s JSON as ``encode`` writes it, without the newline: a piece of a larger answer
    (the bytes of an object or list are the same whether written alone or inside another).
    ``exact``: raise UnicodeEncodeError rather than write a lone surrogate as U+FFFD."""
    return finished(text(value), exact=exact)


def text(value: Any) -> str:
    """``value``'s compact JSON text before Go's escapes and UTF-8 (``finished`` does both). A
    long answer joins the texts of its pieces and finishes them once: the escapes and the
    encoding are the same for a whole text as for its pieces, and pieces already finished
    (decoded back to text) hold nothing they would change."""
    return _ENCODER.encode(value) if _C_ENCODER is None else "".join(_C_ENCODER(value, 0))


def finished(text: str, *, exact: bool = False) -> bytes:
    """JSON ``text`` with Go's escapes, in UTF-8 (see ``fragment``)."""
    for char, escape in _GO_ESCAPES:
        if char in text:
            text = text.replace(char, escape)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        if exact:
            raise
        return _SURROGATE.sub("\ufffd", text).encode("utf-8")


def go_number(value: float, *, json_style: bool) -> str:
    """A float64 as encoding/json writes it (positional from 1e-6 up to 1e21, else exponent
    with "e-7" rather than "e-07"), or as fmt's %v does (exponent below 1e-4 or from 1e6 on)."""
    if value == 0:
        return "-0" if str(value).startswith("-") else "0"
    sign = "-" if value < 0 else ""
    _, digit_tuple, exponent = decimal.Decimal(repr(abs(value))).as_tuple()
    digits = "".join(map(str, digit_tuple)).rstrip("0") or "0"
    assert isinstance(exponent, int)
    point = len("".join(map(str, digit_tuple))) + exponent  # digits before the decimal point
    power = point - 1
    if json_style:
        positional = 1e-6 <= abs(value) < 1e21
    else:
        positional = -4 <= power < 6
    if positional:
        if point <= 0:
            return f"{sign}0.{'0' * -point}{digits}"
        if point >= len(digits):
            return f"{sign}{digits}{'0' * (point - len(digits))}"
        return f"{sign}{digits[:point]}.{digits[point:]}"
    mantissa = digits[0] + (f".{digits[1:]}" if len(digits) > 1 else "")
    exp = f"{'-' if power < 0 else '+'}{abs(power):02d}"
    if json_style and power < 0 and abs(power) < 10:
        exp = f"-{abs(power)}"
    return f"{sign}{mantissa}e{exp}"
