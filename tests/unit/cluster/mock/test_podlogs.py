"""``pods/NAME/log``: container choice, tail, since, timestamps, byte limits and follow."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from emulator import messages
from emulator.clock import FakeClock
from emulator.cluster.mock.apiserver import MockApiserver
from emulator.cluster.mock.node.podlogs import DEFAULT_CONTAINER_ANNOTATION, LogOptions, PodLogs

from .conftest import acall, assert_status, call, create, next_chunk, pod, read_stream, run, send

PODS = "/api/v1/namespaces/default/pods"
LOG = f"{PODS}/web/log"


@pytest.fixture
def web(api: MockApiserver, clock: FakeClock) -> MockApiserver:
    """Pod ``web`` (one container, ``main``) with three lines written 10 s apart."""
    create(api, PODS, pod("web"))
    for text in ("first", "second", "third"):
        api.logs.append("default", "web", "main", text)
        clock.advance(10)
    return api


def test_log_returns_every_line_as_plain_text(web: MockApiserver) -> None:
    response = run(send(web, "GET", LOG))
    assert response.status == 200
    assert response.content_type == "text/plain"
    assert response.body == b"first\nsecond\nthird\n"


def test_log_of_a_pod_without_lines_is_empty(api: MockApiserver) -> None:
    create(api, PODS, pod("quiet"))
    assert call(api, "GET", f"{PODS}/quiet/log") == (200, b"")


def test_append_splits_multi_line_text(api: MockApiserver) -> None:
    create(api, PODS, pod("web"))
    api.logs.append("default", "web", "main", "one\ntwo")
    assert call(api, "GET", LOG) == (200, b"one\ntwo\n")


def test_tail_lines_keeps_the_last_lines(web: MockApiserver) -> None:
    assert call(web, "GET", LOG, "tailLines=2") == (200, b"second\nthird\n")


def test_tail_lines_zero_returns_nothing(web: MockApiserver) -> None:
    assert call(web, "GET", LOG, "tailLines=0") == (200, b"")


def test_tail_lines_larger_than_the_log_returns_everything(web: MockApiserver) -> None:
    assert call(web, "GET", LOG, "tailLines=50") == (200, b"first\nsecond\nthird\n")


def test_timestamps_prefix_each_line_with_rfc3339_nano(web: MockApiserver) -> None:
    assert call(web, "GET", LOG, "timestamps=true&tailLines=2") == (200, (
        b"2026-01-01T00:00:10.000000000Z second\n2026-01-01T00:00:20.000000000Z third\n"))


def test_timestamps_keep_sub_second_precision(api: MockApiserver, clock: FakeClock) -> None:
    create(api, PODS, pod("web"))
    clock.advance(1.25)
    api.logs.append("default", "web", "main", "x")
    assert call(api, "GET", LOG, "timestamps=true") == (
        200, b"2026-01-01T00:00:01.250000000Z x\n")


def test_since_seconds_uses_the_clock(web: MockApiserver, clock: FakeClock) -> None:
    # Lines at t=0, 10, 20; now is t=30.
    assert call(web, "GET", LOG, "sinceSeconds=15") == (200, b"third\n")
    assert call(web, "GET", LOG, "sinceSeconds=20") == (200, b"second\nthird\n")
    clock.advance(100)
    assert call(web, "GET", LOG, "sinceSeconds=15") == (200, b"")


@pytest.mark.parametrize("seconds", ["99999999999", str(2**63 - 1)])
def test_since_seconds_before_the_year_one_is_every_line(web: MockApiserver,
                                                         seconds: str) -> None:
    assert call(web, "GET", LOG, f"sinceSeconds={seconds}") == (200, b"first\nsecond\nthird\n")


@pytest.mark.parametrize("seconds", [str(2**63), "1e21", "-5"])
def test_since_seconds_that_is_no_int64_is_400(web: MockApiserver, seconds: str) -> None:
    assert_status(call(web, "GET", LOG, f"sinceSeconds={seconds}"), 400, "BadRequest",
                  messages.K8S_INVALID_INTEGER.format(name="sinceSeconds", value=seconds))


def test_since_time_keeps_lines_at_or_after_it(web: MockApiserver) -> None:
    assert call(web, "GET", LOG, "sinceTime=2026-01-01T00:00:10Z") == (200, b"second\nthird\n")


def test_since_and_tail_combine(web: MockApiserver) -> None:
    assert call(web, "GET", LOG, "sinceSeconds=25&tailLines=1") == (200, b"third\n")


@pytest.mark.parametrize("value", ["yesterday", "2026-01-01T00:00:10", "2026-01-01"])
def test_since_time_that_is_not_rfc3339_is_400(web: MockApiserver, value: str) -> None:
    assert_status(call(web, "GET", LOG, f"sinceTime={value}"), 400, "BadRequest",
                  messages.K8S_INVALID_LOG_OPTION.format(name="sinceTime", value=value,
                                                         detail="not RFC 3339"))


def test_since_time_with_an_offset_is_understood(web: MockApiserver) -> None:
    assert call(web, "GET", LOG, "sinceTime=2026-01-01T01:00:15%2B01:00") == (200, b"third\n")


def test_since_time_and_since_seconds_together_is_400(web: MockApiserver) -> None:
    reply = call(web, "GET", LOG, "sinceSeconds=5&sinceTime=2026-01-01T00:00:00Z")
    assert reply.status == 400


@pytest.mark.parametrize("query", ["sinceSeconds=0", "limitBytes=0"])
def test_zero_since_seconds_or_limit_bytes_is_400(web: MockApiserver, query: str) -> None:
    assert call(web, "GET", LOG, query).status == 400


def test_limit_bytes_cuts_the_output(web: MockApiserver) -> None:
    assert call(web, "GET", LOG, "limitBytes=9") == (200, b"first\nsec")


def test_limit_bytes_counts_timestamps(web: MockApiserver) -> None:
    assert call(web, "GET", LOG, "timestamps=true&limitBytes=10") == (200, b"2026-01-01")


def test_non_numeric_tail_lines_is_400(web: MockApiserver) -> None:
    assert_status(call(web, "GET", LOG, "tailLines=ten"), 400, "BadRequest",
                  messages.K8S_INVALID_INTEGER.format(name="tailLines", value="ten"))


def test_negative_tail_lines_is_400(web: MockApiserver) -> None:
    assert_status(call(web, "GET", LOG, "tailLines=-1"), 400, "BadRequest",
                  messages.K8S_INVALID_INTEGER.format(name="tailLines", value="-1"))


def test_unknown_log_parameter_is_400(web: MockApiserver) -> None:
    assert_status(call(web, "GET", LOG, "stream=Stdout"), 400, "BadRequest",
                  messages.K8S_UNSUPPORTED_PARAMETER.format(name="stream", value="Stdout"))


def test_log_of_a_missing_pod_is_404(api: MockApiserver) -> None:
    assert_status(call(api, "GET", f"{PODS}/absent/log"), 404, "NotFound",
                  messages.K8S_NOT_FOUND.format(resource="pods", name="absent"))


# --- containers -----------------------------------------------------------------------------------


def test_wrong_container_is_400(web: MockApiserver) -> None:
    assert_status(call(web, "GET", LOG, "container=nope"), 400, "BadRequest",
                  messages.K8S_CONTAINER_NOT_FOUND.format(container="nope", pod="web"))


def test_multi_container_pod_without_container_is_400_listing_choices(api: MockApiserver) -> None:
    create(api, PODS, pod("duo", "app", "proxy"))
    assert_status(call(api, "GET", f"{PODS}/duo/log"), 400, "BadRequest",
                  messages.K8S_CONTAINER_REQUIRED.format(pod="duo", choices="app proxy"))


def test_named_container_of_a_multi_container_pod(api: MockApiserver) -> None:
    create(api, PODS, pod("duo", "app", "proxy"))
    api.logs.append("default", "duo", "app", "from app")
    api.logs.append("default", "duo", "proxy", "from proxy")
    assert call(api, "GET", f"{PODS}/duo/log", "container=proxy") == (200, b"from proxy\n")


def test_default_container_annotation_picks_the_container(api: MockApiserver) -> None:
    create(api, PODS, pod("duo", "app", "proxy",
                          annotations={DEFAULT_CONTAINER_ANNOTATION: "proxy"}))
    api.logs.append("default", "duo", "proxy", "from proxy")
    assert call(api, "GET", f"{PODS}/duo/log") == (200, b"from proxy\n")


def test_previous_is_400(web: MockApiserver) -> None:
    assert_status(call(web, "GET", LOG, "previous=true"), 400, "BadRequest",
                  messages.K8S_PREVIOUS_TERMINATED.format(container="main", pod="web"))


def test_previous_false_is_allowed(web: MockApiserver) -> None:
    assert call(web, "GET", LOG, "previous=false&tailLines=1") == (200, b"third\n")


def test_deleted_and_recreated_pod_starts_with_an_empty_log(web: MockApiserver) -> None:
    assert call(web, "DELETE", f"{PODS}/web").status == 200
    create(web, PODS, pod("web"))
    assert call(web, "GET", LOG) == (200, b"")


def test_namespace_delete_forgets_its_pods_logs(api: MockApiserver) -> None:
    create(api, "/api/v1/namespaces", {"metadata": {"name": "team"}})
    create(api, "/api/v1/namespaces/team/pods", pod("web"))
    api.logs.append("team", "web", "main", "old")
    call(api, "DELETE", "/api/v1/namespaces/team")
    create(api, "/api/v1/namespaces", {"metadata": {"name": "team"}})
    create(api, "/api/v1/namespaces/team/pods", pod("web"))
    assert call(api, "GET", "/api/v1/namespaces/team/pods/web/log") == (200, b"")


# --- follow ---------------------------------------------------------------------------------------


def test_follow_streams_new_lines_and_ends_when_the_pod_is_deleted(web: MockApiserver) -> None:
    async def scenario() -> list[bytes | None]:
        response = await send(web, "GET", LOG, "follow=true&tailLines=1")
        assert response.status == 200 and response.stream is not None
        got = [await next_chunk(response.stream)]
        web.logs.append("default", "web", "main", "fourth")
        got.append(await next_chunk(response.stream))
        web.logs.append("default", "web", "main", "fifth")
        got.append(await next_chunk(response.stream))
        assert (await acall(web, "DELETE", f"{PODS}/web")).status == 200
        got.append(await next_chunk(response.stream))
        return got

    assert run(scenario()) == [b"third\n", b"fourth\n", b"fifth\n", None]


def test_follow_of_a_quiet_pod_waits_for_the_first_line(api: MockApiserver) -> None:
    create(api, PODS, pod("quiet"))

    async def scenario() -> bytes | None:
        response = await send(api, "GET", f"{PODS}/quiet/log", "follow=true")
        assert response.stream is not None
        pending = asyncio.ensure_future(next_chunk(response.stream))
        await asyncio.sleep(0.05)
        assert not pending.done()  # nothing to send yet: the follow waits
        api.logs.append("default", "quiet", "main", "hello")
        chunk = await pending
        await response.stream.aclose()  # type: ignore[attr-defined]
        return chunk

    assert run(scenario()) == b"hello\n"


def test_follow_only_streams_its_own_container(api: MockApiserver) -> None:
    create(api, PODS, pod("duo", "app", "proxy"))

    async def scenario() -> bytes:
        response = await send(api, "GET", f"{PODS}/duo/log", "follow=true&container=app")
        assert response.stream is not None
        api.logs.append("default", "duo", "proxy", "not mine")
        api.logs.append("default", "duo", "app", "mine")
        return await read_stream(response.stream, 0.3)

    assert run(scenario()) == b"mine\n"


def test_follow_with_timestamps_stamps_new_lines(web: MockApiserver, clock: FakeClock) -> None:
    async def scenario() -> bytes:
        response = await send(web, "GET", LOG, "follow=true&timestamps=true&tailLines=0")
        assert response.stream is not None
        clock.advance(5)
        web.logs.append("default", "web", "main", "late")
        return await read_stream(response.stream, 0.3)

    assert run(scenario()) == b"2026-01-01T00:00:35.000000000Z late\n"


def test_follow_stops_at_limit_bytes(web: MockApiserver) -> None:
    async def scenario() -> list[bytes | None]:
        response = await send(web, "GET", LOG, "follow=true&tailLines=1&limitBytes=10")
        assert response.stream is not None
        got = [await next_chunk(response.stream)]
        web.logs.append("default", "web", "main", "fourth")
        got.append(await next_chunk(response.stream))
        got.append(await next_chunk(response.stream))
        return got

    assert run(scenario()) == [b"third\n", b"four", None]


def test_unread_follow_does_not_break_later_writes(web: MockApiserver) -> None:
    async def open_and_drop() -> int:
        return (await send(web, "GET", LOG, "follow=true")).status

    assert run(open_and_drop()) == 200
    web.logs.append("default", "web", "main", "more")
    assert call(web, "DELETE", f"{PODS}/web").status == 200


def test_follow_of_a_pod_deleted_before_the_first_read_sends_what_it_had(
        web: MockApiserver) -> None:
    async def scenario() -> list[bytes | None]:
        response = await send(web, "GET", LOG, "follow=true")
        assert response.stream is not None
        await acall(web, "DELETE", f"{PODS}/web")
        return [await next_chunk(response.stream), await next_chunk(response.stream)]

    # The follow began while the pod existed: it sends the log it saw, then ends at once.
    assert run(scenario()) == [b"first\nsecond\nthird\n", None]


# --- PodLogs on its own ---------------------------------------------------------------------------


def test_pod_logs_keeps_containers_and_pods_apart(clock: FakeClock) -> None:
    logs = PodLogs(clock.now)
    logs.append("default", "a", "main", "a-main")
    logs.append("default", "a", "side", "a-side")
    logs.append("default", "b", "main", "b-main")
    logs.forget_pod("default", "a")
    logs.reopen_pod("default", "a")
    opts = LogOptions("main", follow=False, tail=None, timestamps=False, since=None,
                      limit_bytes=None)
    assert logs.read("default", "a", opts) == b""
    assert logs.read("default", "b", opts) == b"b-main\n"


def test_pod_logs_since_is_inclusive(clock: FakeClock) -> None:
    logs = PodLogs(clock.now)
    logs.append("default", "a", "main", "at-start")
    start = clock.now()
    clock.advance(1)
    logs.append("default", "a", "main", "later")
    opts = LogOptions("main", follow=False, tail=None, timestamps=False,
                      since=start, limit_bytes=None)
    assert logs.read("default", "a", opts) == b"at-start\nlater\n"
    later = LogOptions("main", follow=False, tail=None, timestamps=False,
                       since=start + timedelta(milliseconds=1), limit_bytes=None)
    assert logs.read("default", "a", later) == b"later\n"
