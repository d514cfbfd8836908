"""Every size, depth and rate limit of the gateway, the Google APIs, the control API and the mock
apiserver, in one table; and the cheap checks that enforce the size and depth limits before
anything buffers a body whole or walks it recursively.

docs/limits.md is this table for readers (with the limits that live beside their code: the audit
trail, the WebSocket close reason, the remote backend), and tests/unit/test_limits.py checks that
the two agree. ``emulator/cluster/`` imports this module, so it imports nothing of the gateway,
the agent, the state or the Google APIs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from itertools import accumulate
from typing import TYPE_CHECKING, Any

import yaml

from emulator import messages
from emulator.errors import GatewayError
from emulator.scenario.model import StreamLimits

if TYPE_CHECKING:
    from starlette.requests import Request

# --- request bodies -------------------------------------------------------------------------------

# kube-apiserver's --max-request-body-bytes default (genericapiserver's MaxRequestBodyBytes): a
# bigger create, update, patch or delete body is a 413 RequestEntityTooLarge Status.
KUBE_MAX_REQUEST_BODY_BYTES = 3 * 1024 * 1024
# The gateway refuses on the cluster's behalf what the cluster would refuse, with the cluster's
# Status, and never holds more of a body than this.
GATEWAY_MAX_REQUEST_BODY_BYTES = KUBE_MAX_REQUEST_BODY_BYTES
# core.MaxSecretSize: a ConfigMap's data and binaryData together, a Secret's data (decoded), 422.
KUBE_MAX_DATA_BYTES = 1024 * 1024
# Google's API front end: "Request payload size exceeds the limit: 10485760 bytes." (400).
GOOGLE_MAX_REQUEST_BODY_BYTES = 10 * 1024 * 1024
# The control API's own: as kube's, far more than any scenario or control request holds.
CONTROL_MAX_REQUEST_BODY_BYTES = 3 * 1024 * 1024

# --- nesting and size of parsed documents ---------------------------------------------------------

# Objects and arrays (JSON) or collections (YAML) inside one another. Protobuf's JSON parser, which
# Google's APIs use, stops at 100; kube's JSON decoder at 10,000, but the emulator is Python, whose
# recursion limit is 1,000 frames and whose walks of a body (copies, field validation, merge
# patches, PyYAML) take two to four frames a level. No Kubernetes object comes near 100 (a Pod's
# affinity terms nest about a dozen deep), and 100 levels leave every walk hundreds of frames
# from the recursion limit.
MAX_NESTING_DEPTH = 100
# Values (scalars and collections) a YAML document may hold, an alias counting as all it stands
# for: PyYAML builds Python objects per value (tens of microseconds each), so this bounds the
# time and memory one document costs, and a "billion laughs" of nested aliases is refused early.
YAML_MAX_VALUES = 100_000

# --- headers --------------------------------------------------------------------------------------

# The quotas page: 8 KB of request headers, Google groups counted as Impersonate-Group lines
# (header-too-large, an authentication error).
HEADER_LIMIT = 8 * 1024

# --- rates and streams ----------------------------------------------------------------------------

# A scenario's default limits: (the quotas page, the product page), per fleet host project.
REQUESTS_PER_MINUTE = StreamLimits.requests_per_minute
ACTIVE_STREAMS = StreamLimits.active_streams
# The most the control API and a scenario may set. Larger numbers are mistakes, not tests: a
# thousand times the product's quota, a day-long session, a year-long token (and a clock that
# adds a lifetime must stay within the calendar), a terabyte before a dropped stream.
MAX_ACTIVE_STREAMS = 10_000
MAX_STREAM_TIMEOUT_SECONDS = 86_400
MAX_TOKEN_LIFETIME_SECONDS = 365 * 24 * 3600
MAX_LATENCY_MS = 600_000  # ten minutes: longer than any client waits
# A scenario's slowest stage of a pod's start (controllers.delays), and the longest a container
# may run before a scenario's image rule makes it exit: an hour, past any test's patience.
MAX_CONTROLLER_DELAY_SECONDS = 3600
# The furthest one control API call moves the emulator's clock: a year, as far as any CronJob
# schedule or token lifetime a test needs.
MAX_CLOCK_ADVANCE_SECONDS = 366 * 86400
MAX_DROP_STREAM_AFTER_BYTES = 1 << 40


# The one rule for each stream limit, wherever it is set: a scenario, the control API, `serve`'s
# flags, the pytest plugin. A boolean is no number, and NaN fails every comparison.

def active_streams_ok(value: object) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool)
            and 0 <= value <= MAX_ACTIVE_STREAMS)


def stream_timeout_ok(value: object) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and 0 < value <= MAX_STREAM_TIMEOUT_SECONDS)


# IAM Credentials' generateAccessToken: a lifetime from 1 s to 12 hours (INVALID_ARGUMENT past it).
GOOGLE_MAX_TOKEN_LIFETIME_SECONDS = 43_200

# --- what is kept ---------------------------------------------------------------------------------

# The mock's authorization decisions, per cluster, for the gateway's audit records (as many as
# the audit trail keeps records).
CLUSTER_DECISIONS_KEPT = 10_000


# --- request bodies, read within their limit ------------------------------------------------------


class BodyTooLarge(GatewayError):
    """A body over its limit. On a Kubernetes path it is kube's own 413 Status, so the gateway's
    pipeline renders it as it renders its other refusals; the control API and the Google APIs
    catch it and answer in their own shape, naming ``limit``."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, "RequestEntityTooLarge",
                         messages.K8S_REQUEST_TOO_LARGE.format(limit=limit))
        self.limit = limit


async def read_body(request: Request, limit: int) -> bytes:
    """The request's body, read chunk by chunk: never more than ``limit`` bytes are held, and a
    declared Content-Length over the limit is refused before anything is read."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(limit)
    body = await read_capped(request, limit)
    if len(body) > limit:
        raise BodyTooLarge(limit)
    return body


async def read_capped(request: Request, limit: int) -> bytes:
    """At most ``limit + 1`` bytes of the body: enough for whoever gets it to see that it is over
    the limit (the standalone mock's own check answers then, after authorization, as kube does)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        if size + len(chunk) > limit:
            chunks.append(chunk[:limit + 1 - size])
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


# --- JSON: the depth measured before the recursive parser runs ------------------------------------

class TooDeep(ValueError):
    """A document nested deeper than MAX_NESTING_DEPTH. A ValueError, so that code which turns
    unreadable JSON into a 400 also turns this into one."""

    def __init__(self, limit: int = MAX_NESTING_DEPTH) -> None:
        super().__init__(messages.NESTING_TOO_DEEP.format(limit=limit))


# A string, escapes included; one that never closes runs to the end (JSON's parser stops there,
# and matching it whole keeps the scan linear whatever the body holds).
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*(?:"|\\?\Z)', re.DOTALL)
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = [0] * 256
_STEP[ord("[")] = _STEP[ord("{")] = 1
_STEP[ord("]")] = _STEP[ord("}")] = -1


def json_depth(text: str) -> int:
    """How deep objects and arrays nest in ``text``, without parsing it: brackets outside strings,
    counted. Exact wherever the text is JSON; past its first mistake JSON's parser stops, and so
    does any recursion it could have done."""
    brackets = _NOT_A_BRACKET.sub("", _STRING.sub("", text)).encode("ascii")
    return max(0, max(accumulate(map(_STEP.__getitem__, brackets)), default=0))


def json_loads(raw: bytes | str, limit: int = MAX_NESTING_DEPTH, **options: Any) -> Any:
    """``json.loads`` that refuses (TooDeep) a document nested deeper than ``limit`` before its
    recursive decoder sees it. Bytes are decoded as ``json.loads`` decodes them (UTF-8, 16 or 32);
    bytes that are none of those are a ValueError, as there."""
    text = raw if isinstance(raw, str) else raw.decode(json.detect_encoding(raw), "surrogatepass")
    # Cheap first: no more opening brackets anywhere than the limit means no deeper nesting.
    if text.count("[") + text.count("{") > limit and json_depth(text) > limit:
        raise TooDeep(limit)
    return json.loads(text, **options)


def check_depth(value: Any, limit: int = MAX_NESTING_DEPTH) -> None:
    """TooDeep when a decoded value (dicts and lists) nests deeper than ``limit``; walked with a
    list, not recursion, so a value of any depth is measured safely (a patch's result, say)."""
    pending: list[tuple[Iterable[Any], int]] = [([value], 0)]
    while pending:
        items, depth = pending.pop()
        for item in items:
            if isinstance(item, (dict, list)):
                if depth + 1 > limit:
                    raise TooDeep(limit)
                pending.append((item.values() if isinstance(item, dict) else item, depth + 1))


# --- YAML: depth and size counted on the parser's events, before anything is built ----------------

class YamlLimitError(yaml.MarkedYAMLError):
    """A YAML document over a limit, with the place it crossed it (a YAMLError, so readers of
    YAML report it as they report a syntax error: ``file:line`` for a scenario, 400 for a body)."""


_YAML_OPEN = (yaml.SequenceStartEvent, yaml.MappingStartEvent)
_YAML_CLOSE = (yaml.SequenceEndEvent, yaml.MappingEndEvent)


def check_yaml(text: str | bytes, loader: type[Any]) -> None:
    """Refuse (YamlLimitError) a YAML document that nests deeper than MAX_NESTING_DEPTH, holds
    more than YAML_MAX_VALUES values once its aliases are expanded, or has an alias inside the
    collection it names (a recursive structure); see ``checked_events``."""
    for _ in checked_events(text, loader):
        pass


def checked_events(text: str | bytes, loader: type[Any]) -> Iterator[yaml.Event]:
    """``loader``'s parser's events for ``text``, checked against the limits as they come. PyYAML
    parses without recursion, so this stops at the first limit crossed before anything recursive
    has run; a syntax error raises as the load would raise it, from the same parser."""
    total = 0  # values so far, each alias counted as the values it stands for
    open_starts: list[int] = []  # the total when each open collection began
    open_anchors: list[str | None] = []
    anchors: dict[str, int] = {}  # an anchor's expanded size
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, _YAML_OPEN):
            if len(open_starts) >= MAX_NESTING_DEPTH:
                raise _yaml_refusal(messages.NESTING_TOO_DEEP.format(limit=MAX_NESTING_DEPTH),
                                    event)
            open_starts.append(total)
            open_anchors.append(event.anchor)
            total += 1
        elif isinstance(event, _YAML_CLOSE):
            size = total - open_starts.pop()
            anchor = open_anchors.pop()
            if anchor is not None:
                anchors[anchor] = size
        elif isinstance(event, yaml.ScalarEvent):
            total += 1
            if event.anchor is not None:
                anchors[event.anchor] = 1
        elif isinstance(event, yaml.AliasEvent):
            if event.anchor in open_anchors:
                raise _yaml_refusal(messages.YAML_RECURSIVE_ALIAS.format(anchor=event.anchor),
                                    event)
            total += anchors.get(event.anchor, 1)  # an unknown anchor: the load says so
        elif isinstance(event, yaml.DocumentEndEvent):
            anchors.clear()  # anchors are per document
        if total > YAML_MAX_VALUES:
            raise _yaml_refusal(messages.YAML_TOO_MANY_VALUES.format(limit=YAML_MAX_VALUES), event)
        yield event


def _yaml_refusal(problem: str, event: yaml.Event) -> YamlLimitError:
    return YamlLimitError(problem=problem, problem_mark=event.start_mark)
