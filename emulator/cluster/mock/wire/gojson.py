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

import json
import re
from typing import Any

# Compact, UTF-8 as is; NaN and infinities cannot happen (bodies are parsed without them).
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)
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
    text = _ENCODER.encode(value)
    for char, escape in _GO_ESCAPES:
        if char in text:
            text = text.replace(char, escape)
    try:
        return text.encode("utf-8") + b"\n"
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", text).encode("utf-8") + b"\n"
