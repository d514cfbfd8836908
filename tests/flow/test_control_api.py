"""The control API under /_emulator/ in-process: every endpoint, its errors, and that the gateway
sees each change on its next request (issue #6)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from emulator import limits, messages
from emulator.app import create_app
from emulator.clock import FakeClock
from emulator.scenario import loader
from emulator.state import EmulatorState

PROJECT_NUMBER = "123456789012"
NAMESPACES = "/api/v1/namespaces"
EXEC = "/api/v1/namespaces/default/pods/web/exec"
CAT_OS_RELEASE = "command=cat&command=/etc/os-release&container=main&stdout=true&stderr=true"
ADMIN = "roles/gkehub.gatewayAdmin"
CAROL = "user:carol@example.com"

POSTED = """\
description: posted through the control API
project: {id: other-project, number: "222233334444"}
principals:
  - user: zoe@example.com
    token: ya29.fake-zoe
iam:
  - role: roles/gkehub.gatewayReader
    members: [user:zoe@example.com]
memberships:
  - name: edge
    kubernetes_version: v1.31.0
"""


def gateway_path(membership: str = "my-cluster", track: str = "v1",
                 project_number: str = PROJECT_NUMBER) -> str:
    return f"/{track}/projects/{project_number}/locations/global/memberships/{membership}"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def as_user(name: str) -> dict[str, str]:
    return bearer(f"ya29.fake-{name}")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def state(clock: FakeClock) -> EmulatorState:
    return EmulatorState(loader.load("quickstart"), clock)


@pytest.fixture
def client(state: EmulatorState) -> TestClient:
    return TestClient(create_app(state))


def ok(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    return response.json()


def refused(response: httpx.Response, code: int) -> str:
    """The control API's error answer: its code and status agree; returns the message."""
    assert response.status_code == code, response.text
    error = response.json()["error"]
    statuses = {400: "INVALID_ARGUMENT", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
                405: "METHOD_NOT_ALLOWED", 409: "ALREADY_EXISTS"}
    assert (error["code"], error["status"]) == (code, statuses[code])
    return str(error["message"])


def list_namespaces(client: TestClient, user: str = "alice",
                    membership: str = "my-cluster") -> httpx.Response:
    return client.get(gateway_path(membership) + NAMESPACES, headers=as_user(user))


def exec_stream(client: TestClient, query: str = CAT_OS_RELEASE,
                user: str = "alice") -> tuple[list[bytes], int]:
    """The frames a v5 client receives from an exec through the beta track, and the close code."""
    frames: list[bytes] = []
    with client.websocket_connect(gateway_path(track="v1beta1") + f"{EXEC}?{query}",
                                  subprotocols=["v5.channel.k8s.io"],
                                  headers=as_user(user)) as socket:
        while True:
            message = socket.receive()
            if message["type"] == "websocket.close":
                return frames, int(message.get("code", 1000))
            frames.append(message["bytes"])


def failure_frame(message: str) -> bytes:
    status = {"metadata": {}, "status": "Failure", "message": message, "reason": "InternalError",
              "code": 500}
    return b"\x03" + json.dumps(status, separators=(",", ":")).encode()


def last_record(state: EmulatorState):  # noqa: ANN201 - an AuditRecord
    return state.audit.records()[-1]


# -- reset and scenarios -------------------------------------------------------------------------


def test_reset_forgets_grants_principals_groups_faults_and_disconnections(
        client: TestClient, state: EmulatorState) -> None:
    ok(client.post("/_emulator/iam/grant", json={"role": ADMIN, "member": CAROL}))
    ok(client.post("/_emulator/principals", json={"user": "zed@example.com"}))
    ok(client.post("/_emulator/groups", json={"group": "new@example.com", "members": [CAROL]}))
    ok(client.post("/_emulator/faults", json={"membership": "my-cluster", "cluster_status": 500}))
    ok(client.post("/_emulator/memberships/old-cluster/disconnect"))
    assert ok(client.post("/_emulator/reset")) == {"scenario": "quickstart"}
    world = ok(client.get("/_emulator/world"))
    assert "zed@example.com" not in [p["email"] for p in world["principals"]]
    assert "new@example.com" not in [g["group"] for g in world["groups"]]
    assert world["faults"] == {}
    assert all(m["connected"] for m in world["memberships"] if m["name"] != "gke-cluster")
    # And the gateway agrees: carol is refused again, my-cluster answers for itself.
    assert list_namespaces(client, "carol").status_code == 403
    assert last_record(state).error_id == "iam-denied"
    assert list_namespaces(client, "alice").status_code == 200
    assert client.get(gateway_path() + NAMESPACES, headers=bearer("ya29.fake-zed")
                      ).status_code == 401


def test_posting_a_scenario_replaces_the_world(client: TestClient, state: EmulatorState) -> None:
    answer = client.post("/_emulator/scenario", content=POSTED,
                         headers={"Content-Type": "application/yaml"})
    assert ok(answer) == {"scenario": messages.CONTROL_POSTED_SCENARIO}
    world = ok(client.get("/_emulator/world"))
    assert world["project"] == {"id": "other-project", "number": "222233334444"}
    assert [m["name"] for m in world["memberships"]] == ["edge"]
    # The gateway now serves the new project's membership, and not the old one.
    client.get(gateway_path("edge", project_number="222233334444") + NAMESPACES,
               headers=as_user("zoe"))
    record = last_record(state)
    assert (record.principal, record.membership, record.iam_result) == (
        "zoe@example.com", "edge", "allowed")
    assert list_namespaces(client).status_code == 404


@pytest.mark.parametrize("content_type", ["text/yaml", "text/plain; charset=utf-8"])
def test_other_yaml_content_types_are_taken(client: TestClient, content_type: str) -> None:
    ok(client.post("/_emulator/scenario", content=POSTED, headers={"Content-Type": content_type}))


@pytest.mark.parametrize(("yaml_text", "message"), [
    (POSTED.replace("    kubernetes_version: v1.31.0\n", "    kubernetes_version: 1.31.0\n"),
     messages.SCENARIO_INVALID.format(
         path=messages.CONTROL_POSTED_SCENARIO, line=11,
         reason=messages.SCENARIO_BAD_VALUE.format(key="kubernetes_version", where="a membership",
                                                   value="1.31.0",
                                                   hint=messages.SCENARIO_HINT_VERSION))),
    ("project: [\n", "posted scenario:2: not valid YAML: "),
    ("? [a]\n: b\n", "posted scenario:1: not valid YAML: " + messages.SCENARIO_UNHASHABLE_KEY),
], ids=["bad-value", "bad-yaml", "unhashable-key"])
def test_a_bad_scenario_is_refused_with_its_line(client: TestClient, state: EmulatorState,
                                                 yaml_text: str, message: str) -> None:
    answer = client.post("/_emulator/scenario", content=yaml_text,
                         headers={"Content-Type": "application/yaml"})
    assert refused(answer, 400).startswith(message)
    assert state.scenario.name == "quickstart"  # nothing changed


def test_a_built_in_scenario_by_name(client: TestClient, state: EmulatorState) -> None:
    assert ok(client.post("/_emulator/scenario?name=iam-denied")) == {"scenario": "iam-denied"}
    assert state.scenario.name == "iam-denied"
    message = refused(client.post("/_emulator/scenario?name=../scenarios/quickstart"), 404)
    assert message.startswith("scenario '../scenarios/quickstart' not found")


@pytest.mark.parametrize(("query", "body", "content_type", "message"), [
    ("", "", "application/yaml", messages.CONTROL_SCENARIO_EMPTY),
    ("?name=quickstart", POSTED, "application/yaml", messages.CONTROL_SCENARIO_BOTH),
    ("", POSTED, "application/x-www-form-urlencoded",
     messages.CONTROL_SCENARIO_CONTENT_TYPE.format(
         content_type="application/x-www-form-urlencoded")),
], ids=["empty", "body-and-name", "form-encoded"])
def test_scenario_requests_that_say_too_little_or_too_much(
        client: TestClient, query: str, body: str, content_type: str, message: str) -> None:
    answer = client.post(f"/_emulator/scenario{query}", content=body,
                         headers={"Content-Type": content_type})
    assert refused(answer, 400) == message


# -- the world -----------------------------------------------------------------------------------


def test_world_shows_the_live_world_without_tokens_by_default(client: TestClient) -> None:
    world = ok(client.get("/_emulator/world"))
    assert world["scenario"] == "quickstart"
    assert world["project"] == {"id": "my-project", "number": PROJECT_NUMBER}
    assert world["memberships"][0] == {
        "name": "my-cluster", "location": "global", "type": "attached",
        "collection": "memberships", "kubernetes_version": "v1.30.5", "connected": True,
        "agent_installed": True, "cluster": {"backend": "embedded"},
        "multicloud": {"location": "us-west1", "node_pools": []}}
    assert [m["multicloud"] for m in world["memberships"][1:]] == [
        None, None, {"location": "us-east4", "node_pools": ["pool-0"]},
        {"location": "us-east4", "node_pools": ["pool-0"]}]
    assert {"kind": "user", "email": "alice@example.com"} in world["principals"]
    assert "ya29.fake-alice" not in json.dumps(world)
    assert {"group": "sre@example.com", "members": ["group:oncall@example.com"]} in world["groups"]
    assert {"role": ADMIN, "members": ["user:alice@example.com",
                                       "serviceAccount:ci-bot@my-project.iam.gserviceaccount.com"],
            "resource": ""} in world["iam"]
    assert world["limits"] == {"active_streams": 10, "stream_timeout_seconds": None}
    assert (world["active_streams"], world["faults"]) == (0, {})


def test_world_with_tokens(client: TestClient) -> None:
    principals = ok(client.get("/_emulator/world?tokens=true"))["principals"]
    alice = next(p for p in principals if p["email"] == "alice@example.com")
    assert alice == {"kind": "user", "email": "alice@example.com", "token": "ya29.fake-alice",
                     "token_expires": None}
    assert refused(client.get("/_emulator/world?tokens=yes"), 400) == (
        messages.CONTROL_BAD_QUERY.format(name="tokens",
                                          expected=messages.CONTROL_EXPECT_BOOL_QUERY,
                                          value="yes"))


# -- Google IAM ------------------------------------------------------------------------------------


def test_grant_then_revoke_is_seen_by_the_gateway(client: TestClient, state: EmulatorState) -> None:
    # carol has RBAC cluster-admin but no gateway role.
    assert list_namespaces(client, "carol").status_code == 403
    assert ok(client.post("/_emulator/iam/grant", json={"role": ADMIN, "member": CAROL})) == {
        "role": ADMIN, "member": CAROL, "resource": ""}
    assert list_namespaces(client, "carol").status_code == 200
    record = last_record(state)
    assert (record.iam_result, record.iam_reason) == (
        "allowed", messages.IAM_EXPLAIN_ALLOWED.format(
            member=CAROL, permission="gkehub.gateway.get", role=ADMIN, via=""))
    ok(client.post("/_emulator/iam/revoke", json={"role": ADMIN, "member": CAROL}))
    assert list_namespaces(client, "carol").status_code == 403
    assert last_record(state).error_id == "iam-denied"


def test_granting_twice_needs_one_revoke(client: TestClient) -> None:
    for _ in range(2):
        ok(client.post("/_emulator/iam/grant", json={"role": ADMIN, "member": CAROL}))
    ok(client.post("/_emulator/iam/revoke", json={"role": ADMIN, "member": CAROL}))
    assert list_namespaces(client, "carol").status_code == 403


def test_revoking_what_was_not_granted_is_not_found(client: TestClient) -> None:
    message = refused(client.post("/_emulator/iam/revoke",
                                  json={"role": ADMIN, "member": CAROL}), 404)
    assert message == messages.CONTROL_NOT_GRANTED.format(
        member=CAROL, role=ADMIN, where=messages.CONTROL_WHERE_PROJECT)


@pytest.mark.parametrize("endpoint", ["grant", "revoke"])
def test_an_unknown_role_is_a_bad_request(client: TestClient, endpoint: str) -> None:
    message = refused(client.post(f"/_emulator/iam/{endpoint}",
                                  json={"role": "roles/gkehub.gatewayGod", "member": CAROL}), 400)
    assert message.startswith("unknown IAM role 'roles/gkehub.gatewayGod'")


@pytest.mark.parametrize(("body", "message"), [
    ({"role": ADMIN, "member": "carol@example.com"},
     messages.CONTROL_BAD_MEMBER.format(member="carol@example.com")),
    ({"role": ADMIN, "member": CAROL, "resource": "projects/my-project"},
     messages.CONTROL_BAD_RESOURCE.format(resource="projects/my-project")),
    ({"member": CAROL}, messages.CONTROL_MISSING_FIELD.format(field="role")),
    ({"role": ADMIN, "member": CAROL, "members": [CAROL]},
     messages.CONTROL_UNKNOWN_FIELD.format(field="members", allowed="role, member, resource")),
    ({"role": 7, "member": CAROL},
     messages.CONTROL_BAD_FIELD.format(field="role", expected=messages.CONTROL_EXPECT_STRING,
                                       value="7")),
])
def test_grant_checks_its_body(client: TestClient, body: dict[str, Any], message: str) -> None:
    assert refused(client.post("/_emulator/iam/grant", json=body), 400) == message


def test_a_grant_on_a_service_account(client: TestClient) -> None:
    resource = "serviceAccount:ci-bot@my-project.iam.gserviceaccount.com"
    body = {"role": "roles/iam.serviceAccountTokenCreator", "member": "user:bob@example.com",
            "resource": resource}
    ok(client.post("/_emulator/iam/grant", json=body))
    assert {"role": body["role"], "members": ["user:bob@example.com"], "resource": resource} in (
        ok(client.get("/_emulator/world"))["iam"])
    ok(client.post("/_emulator/iam/revoke", json=body))


def test_a_body_that_is_not_a_json_object(client: TestClient) -> None:
    assert refused(client.post("/_emulator/iam/grant", content=b"[1]"), 400) == (
        messages.CONTROL_NOT_AN_OBJECT.format(value="[1]"))
    assert refused(client.post("/_emulator/iam/grant", content=b"{role"), 400).startswith(
        messages.CONTROL_BAD_JSON.format(reason=""))


# -- principals, groups, tokens --------------------------------------------------------------------


def test_an_added_principal_authenticates_at_the_gateway(client: TestClient,
                                                         state: EmulatorState) -> None:
    added = ok(client.post("/_emulator/principals", json={"user": "zed@example.com"}))
    assert added == {"kind": "user", "email": "zed@example.com", "token": "ya29.fake-zed",
                     "token_expires": None}
    # Authenticated (the record names zed), then refused by IAM: zed holds no role yet.
    assert list_namespaces(client, "zed").status_code == 403
    assert (last_record(state).principal, last_record(state).error_id) == (
        "zed@example.com", "iam-denied")
    ok(client.post("/_emulator/iam/grant", json={"role": ADMIN, "member": "user:zed@example.com"}))
    record_before = len(state.audit.records())
    list_namespaces(client, "zed")
    assert state.audit.records()[record_before].iam_result == "allowed"


def test_a_principal_with_its_own_token_and_expiry(client: TestClient, state: EmulatorState,
                                                   clock: FakeClock) -> None:
    body = {"serviceAccount": "deployer@my-project.iam.gserviceaccount.com",
            "token": "secret-token", "token_expires": "2026-01-01T00:01:00Z"}
    added = ok(client.post("/_emulator/principals", json=body))
    assert (added["kind"], added["token"], added["token_expires"]) == (
        "serviceAccount", "secret-token", "2026-01-01T00:01:00Z")
    assert client.get(gateway_path() + NAMESPACES, headers=bearer("secret-token")
                      ).status_code == 403  # known, no role
    clock.advance(61)
    assert client.get(gateway_path() + NAMESPACES, headers=bearer("secret-token")
                      ).status_code == 401
    assert last_record(state).error_id == "unauthenticated"


def test_generated_tokens_do_not_collide(client: TestClient) -> None:
    added = ok(client.post("/_emulator/principals", json={"user": "alice@elsewhere.example"}))
    assert added["token"] == "ya29.fake-alice-2"


@pytest.mark.parametrize(("body", "code", "message"), [
    ({"user": "alice@example.com"}, 409,
     messages.CONTROL_DUPLICATE_PRINCIPAL.format(email="alice@example.com")),
    ({"user": "new@example.com", "token": "ya29.fake-bob"}, 409,
     messages.CONTROL_DUPLICATE_TOKEN.format(email="bob@example.com")),
    ({"user": "a@example.com", "serviceAccount": "b@example.com"}, 400, messages.CONTROL_ONE_KIND),
    ({"token": "x"}, 400, messages.CONTROL_ONE_KIND),
    ({"user": "not-an-email"}, 400, messages.CONTROL_BAD_FIELD.format(
        field="user", expected=messages.CONTROL_EXPECT_EMAIL, value='"not-an-email"')),
    ({"user": "new@example.com", "token_expires": "tomorrow"}, 400,
     messages.CONTROL_BAD_FIELD.format(field="token_expires",
                                       expected=messages.CONTROL_EXPECT_TIME, value='"tomorrow"')),
])
def test_principal_errors(client: TestClient, body: dict[str, Any], code: int,
                          message: str) -> None:
    assert refused(client.post("/_emulator/principals", json=body), code) == message


def test_a_group_change_reaches_iam_at_the_gateway(client: TestClient,
                                                   state: EmulatorState) -> None:
    # sre@example.com holds gatewayEditor; carol joins it.
    assert list_namespaces(client, "carol").status_code == 403
    members = ["group:oncall@example.com", CAROL]
    assert ok(client.post("/_emulator/groups",
                          json={"group": "sre@example.com", "members": members})) == {
        "group": "sre@example.com", "members": members}
    assert list_namespaces(client, "carol").status_code == 200
    assert last_record(state).groups == ["sre@example.com"]
    # Replacing the members takes her out again.
    ok(client.post("/_emulator/groups",
                   json={"group": "sre@example.com", "members": ["group:oncall@example.com"]}))
    assert list_namespaces(client, "carol").status_code == 403


@pytest.mark.parametrize(("body", "message"), [
    ({"group": "g@example.com", "members": ["carol@example.com"]},
     messages.CONTROL_BAD_MEMBER.format(member="carol@example.com")),
    ({"group": "g@example.com", "members": "user:carol@example.com"},
     messages.CONTROL_BAD_FIELD.format(field="members", expected=messages.CONTROL_EXPECT_MEMBERS,
                                       value='"user:carol@example.com"')),
    ({"group": "group:g@example.com", "members": []}, messages.CONTROL_BAD_FIELD.format(
        field="group", expected=messages.CONTROL_EXPECT_EMAIL, value='"group:g@example.com"')),
])
def test_group_errors(client: TestClient, body: dict[str, Any], message: str) -> None:
    assert refused(client.post("/_emulator/groups", json=body), 400) == message


def test_a_minted_token_acts_as_its_principal_until_it_expires(
        client: TestClient, state: EmulatorState, clock: FakeClock) -> None:
    minted = ok(client.post("/_emulator/tokens", json={
        "principal": "ci-bot@my-project.iam.gserviceaccount.com", "lifetime_seconds": 60}))
    assert minted["expires"] == "2026-01-01T00:01:00Z"
    assert client.get(gateway_path() + NAMESPACES, headers=bearer(minted["token"])
                      ).status_code == 200
    assert last_record(state).principal == "ci-bot@my-project.iam.gserviceaccount.com"
    clock.advance(60)
    assert client.get(gateway_path() + NAMESPACES, headers=bearer(minted["token"])
                      ).status_code == 401


def test_tokens_for_added_principals_and_errors(client: TestClient) -> None:
    ok(client.post("/_emulator/principals", json={"user": "zed@example.com"}))
    assert ok(client.post("/_emulator/tokens", json={"principal": "zed@example.com"}))[
        "expires"] == "2026-01-01T01:00:00Z"  # an hour by default
    assert refused(client.post("/_emulator/tokens", json={"principal": "nobody@example.com"}),
                   404) == messages.CONTROL_NO_PRINCIPAL.format(email="nobody@example.com")
    assert refused(client.post("/_emulator/tokens", json={
        "principal": "zed@example.com", "lifetime_seconds": 0}), 400) == (
        messages.CONTROL_BAD_FIELD.format(field="lifetime_seconds",
                                          expected=messages.CONTROL_EXPECT_POSITIVE.format(
                                              maximum=limits.MAX_TOKEN_LIFETIME_SECONDS),
                                          value="0"))


# -- limits ----------------------------------------------------------------------------------------


def test_an_active_streams_limit_of_zero_exhausts_the_quota(client: TestClient,
                                                            state: EmulatorState) -> None:
    assert ok(client.put("/_emulator/limits", json={"active_streams": 0})) == {
        "active_streams": 0, "stream_timeout_seconds": None}
    frames, code = exec_stream(client)
    assert frames == [failure_frame(messages.QUOTA_EXHAUSTED.format(limit=0,
                                                                    project="my-project"))]
    assert (code, last_record(state).error_id) == (1000, "quota")


def test_limits_outlast_a_reset_until_they_are_restored(client: TestClient,
                                                        state: EmulatorState) -> None:
    ok(client.put("/_emulator/limits", json={"active_streams": 3, "stream_timeout_seconds": 2.5}))
    assert state.stream_timeout() == 2.5  # what the gateway gives the next stream
    ok(client.post("/_emulator/reset"))
    assert ok(client.get("/_emulator/world"))["limits"] == {
        "active_streams": 3, "stream_timeout_seconds": 2.5}
    # null: drawn per stream (5 to 10 minutes), whatever the scenario says.
    ok(client.put("/_emulator/limits", json={"stream_timeout_seconds": None}))
    assert 300 <= state.stream_timeout() <= 600
    assert ok(client.delete("/_emulator/limits")) == {
        "active_streams": 10, "stream_timeout_seconds": None}


def test_a_refused_limits_request_changes_nothing(client: TestClient) -> None:
    message = refused(client.put("/_emulator/limits", json={
        "active_streams": 2, "stream_timeout_seconds": 0}), 400)
    assert message == messages.CONTROL_BAD_FIELD.format(
        field="stream_timeout_seconds", expected=SECONDS, value="0")
    assert ok(client.get("/_emulator/world"))["limits"]["active_streams"] == 10
    assert refused(client.put("/_emulator/limits", json={"active_streams": -1}), 400) == (
        messages.CONTROL_BAD_FIELD.format(field="active_streams", expected=STREAMS, value="-1"))


SECONDS = messages.CONTROL_EXPECT_SECONDS.format(maximum=limits.MAX_STREAM_TIMEOUT_SECONDS)
STREAMS = messages.CONTROL_EXPECT_COUNT.format(maximum=limits.MAX_ACTIVE_STREAMS)
LIFETIME = messages.CONTROL_EXPECT_POSITIVE.format(maximum=limits.MAX_TOKEN_LIFETIME_SECONDS)
LATENCY = messages.CONTROL_EXPECT_LATENCY.format(maximum=limits.MAX_LATENCY_MS)
DROP = messages.CONTROL_EXPECT_COUNT.format(maximum=limits.MAX_DROP_STREAM_AFTER_BYTES)
# Numbers no control field takes, as a client writes them (Python's JSON reads NaN, Infinity and
# 1e999, the last as infinity) and as the error shows them.
NOT_FINITE = [("NaN", "NaN"), ("Infinity", "Infinity"), ("-Infinity", "-Infinity"),
              ("1e999", "Infinity")]
PAST_A_DAY = str(limits.MAX_STREAM_TIMEOUT_SECONDS + 1)


@pytest.mark.parametrize(("raw", "shown"), [
    *NOT_FINITE, (PAST_A_DAY, PAST_A_DAY), ("true", "true"), ('"60"', '"60"'), ("-1", "-1")])
def test_a_stream_timeout_that_is_no_time_limit_is_refused_and_the_world_still_shows(
        client: TestClient, raw: str, shown: str) -> None:
    answer = client.put("/_emulator/limits", content=f'{{"stream_timeout_seconds": {raw}}}')
    assert refused(answer, 400) == messages.CONTROL_BAD_FIELD.format(
        field="stream_timeout_seconds", expected=SECONDS, value=shown)
    assert ok(client.get("/_emulator/world"))["limits"]["stream_timeout_seconds"] is None


@pytest.mark.parametrize(("path", "body", "field", "expected"), [
    ("/_emulator/limits", '{"active_streams": %s}', "active_streams", STREAMS),
    ("/_emulator/tokens", '{"principal": "alice@example.com", "lifetime_seconds": %s}',
     "lifetime_seconds", LIFETIME),
    ("/_emulator/faults", '{"membership": "my-cluster", "latency_ms": %s}', "latency_ms",
     LATENCY),
    ("/_emulator/faults", '{"membership": "my-cluster", "cluster_status": %s}', "cluster_status",
     messages.CONTROL_EXPECT_5XX),
    ("/_emulator/faults", '{"membership": "my-cluster", "drop_stream_after_bytes": %s}',
     "drop_stream_after_bytes", DROP),
])
@pytest.mark.parametrize(("raw", "shown"), [*NOT_FINITE, ("true", "true"), ("1e30", "1e+30"),
                                            (str(10**30), str(10**30))])
def test_every_numeric_control_field_refuses_what_is_not_a_number_in_range(
        client: TestClient, path: str, body: str, field: str, expected: str, raw: str,
        shown: str) -> None:
    method = "PUT" if path == "/_emulator/limits" else "POST"
    answer = client.request(method, path, content=body % raw)
    assert refused(answer, 400) == messages.CONTROL_BAD_FIELD.format(
        field=field, expected=expected, value=shown)
    world = ok(client.get("/_emulator/world"))
    assert (world["limits"]["active_streams"], world["faults"]) == (10, {})


def test_the_largest_numbers_each_field_takes_are_taken(client: TestClient) -> None:
    limits_set = ok(client.put("/_emulator/limits", json={
        "active_streams": limits.MAX_ACTIVE_STREAMS,
        "stream_timeout_seconds": limits.MAX_STREAM_TIMEOUT_SECONDS}))
    assert limits_set == {"active_streams": limits.MAX_ACTIVE_STREAMS,
                          "stream_timeout_seconds": float(limits.MAX_STREAM_TIMEOUT_SECONDS)}
    ok(client.post("/_emulator/tokens", json={
        "principal": "alice@example.com", "lifetime_seconds": limits.MAX_TOKEN_LIFETIME_SECONDS}))
    ok(client.post("/_emulator/faults", json={
        "membership": "my-cluster", "latency_ms": 0, "cluster_status": 599,
        "drop_stream_after_bytes": limits.MAX_DROP_STREAM_AFTER_BYTES}))
    assert ok(client.get("/_emulator/world"))["limits"]["active_streams"] == (
        limits.MAX_ACTIVE_STREAMS)


# -- connections -----------------------------------------------------------------------------------


def test_disconnect_and_connect(client: TestClient, state: EmulatorState) -> None:
    assert ok(client.post("/_emulator/memberships/my-cluster/disconnect")) == {
        "membership": "my-cluster", "connected": False}
    answer = list_namespaces(client)
    assert answer.status_code == 400
    assert answer.json()["message"] == messages.NO_ACTIVE_CONNECTION.format(
        project_number=PROJECT_NUMBER, membership="my-cluster")
    assert last_record(state).error_id == "no-active-connection"
    log = ok(client.get("/_emulator/memberships/my-cluster/agent-log"))["lines"]
    assert log[-1].endswith("\tERROR\t" + messages.AGENT_LOG_DISCONNECTED)
    assert ok(client.post("/_emulator/memberships/my-cluster/connect"))["connected"] is True
    assert list_namespaces(client).status_code == 200
    log = ok(client.get("/_emulator/memberships/my-cluster/agent-log"))["lines"]
    assert log[-1].endswith("\tINFO\t" + messages.AGENT_LOG_RECONNECTED.format(
        project="my-project"))


def test_a_disconnected_agent_fails_streams_at_once(client: TestClient) -> None:
    ok(client.post("/_emulator/memberships/my-cluster/disconnect"))
    frames, _ = exec_stream(client)
    assert frames == [failure_frame(messages.AGENT_CONNECT_FAILED.format(
        project_number=PROJECT_NUMBER, membership="my-cluster"))]


@pytest.mark.parametrize("action", ["disconnect", "connect", "agent-log"])
def test_unknown_memberships(client: TestClient, action: str) -> None:
    method = "GET" if action == "agent-log" else "POST"
    answer = client.request(method, f"/_emulator/memberships/nowhere/{action}")
    assert refused(answer, 404) == messages.CONTROL_NO_MEMBERSHIP.format(name="nowhere")


# -- faults ----------------------------------------------------------------------------------------


def test_latency_delays_but_the_answer_arrives(client: TestClient, state: EmulatorState) -> None:
    assert ok(client.post("/_emulator/faults", json={"membership": "my-cluster",
                                                     "latency_ms": 5})) == {
        "membership": "my-cluster",
        "faults": {"latency_ms": 5, "cluster_status": None, "drop_stream_after_bytes": None}}
    assert list_namespaces(client).status_code == 200
    assert last_record(state).fault == messages.FAULT_NOTE_LATENCY.format(ms=5)
    assert list_namespaces(client, membership="old-cluster").status_code == 200
    assert last_record(state).fault == ""  # other memberships are not touched


def test_a_cluster_status_fault_replaces_the_clusters_answer(client: TestClient,
                                                             state: EmulatorState) -> None:
    ok(client.post("/_emulator/faults", json={"membership": "my-cluster", "cluster_status": 503}))
    configmap = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "during-fault"}}
    answer = client.post(gateway_path() + "/api/v1/namespaces/default/configmaps",
                         headers=as_user("alice"), json=configmap)
    assert answer.status_code == 503
    assert answer.json() == {"kind": "Status", "apiVersion": "v1", "metadata": {},
                             "status": "Failure", "reason": "ServiceUnavailable", "code": 503,
                             "message": messages.FAULT_CLUSTER_STATUS.format(status=503)}
    record = last_record(state)
    assert (record.status, record.fault, record.explanation) == (
        503, messages.FAULT_NOTE_CLUSTER_STATUS.format(status=503),
        messages.AUDIT_FAULT_CLUSTER_STATUS.format(status=503))
    # The cluster never saw the request: once the fault is gone, there is no such ConfigMap.
    assert ok(client.delete("/_emulator/faults")) == {"faults": {}}
    assert client.get(gateway_path() + "/api/v1/namespaces/default/configmaps/during-fault",
                      headers=as_user("alice")).status_code == 404


def test_a_dropped_stream_ends_like_a_failing_agent(client: TestClient,
                                                    state: EmulatorState) -> None:
    whole, _ = exec_stream(client)
    assert whole[0] == b"\x01" + messages.SH_OS_RELEASE.encode()
    ok(client.post("/_emulator/faults", json={"membership": "my-cluster",
                                              "drop_stream_after_bytes": 40}))
    frames, code = exec_stream(client)
    assert frames == [whole[0][:40], failure_frame(messages.AGENT_STREAM_DROPPED.format(
        bytes=40))]
    assert code == 1000
    record = last_record(state)
    assert (record.error_id, record.fault, record.explanation) == (
        "agent-stream-failure", messages.FAULT_NOTE_DROP.format(bytes=40),
        messages.AUDIT_STREAM_DROPPED.format(bytes=40))
    assert state.quota.active(PROJECT_NUMBER) == 0  # the slot came back


def test_faults_are_replaced_shown_and_forgotten_by_a_new_scenario(
        client: TestClient, state: EmulatorState) -> None:
    ok(client.post("/_emulator/faults", json={"membership": "my-cluster", "latency_ms": 1,
                                              "cluster_status": 500}))
    ok(client.post("/_emulator/faults", json={"membership": "my-cluster", "latency_ms": 2}))
    assert ok(client.get("/_emulator/world"))["faults"] == {"my-cluster": {
        "latency_ms": 2, "cluster_status": None, "drop_stream_after_bytes": None}}
    ok(client.post("/_emulator/faults", json={"membership": "old-cluster", "cluster_status": 502}))
    ok(client.post("/_emulator/scenario?name=quickstart"))
    assert ok(client.get("/_emulator/world"))["faults"] == {}
    assert list_namespaces(client, membership="old-cluster").status_code == 200


@pytest.mark.parametrize(("body", "code", "message"), [
    ({"membership": "nowhere", "latency_ms": 1}, 404,
     messages.CONTROL_NO_MEMBERSHIP.format(name="nowhere")),
    ({"membership": "my-cluster", "cluster_status": 404}, 400, messages.CONTROL_BAD_FIELD.format(
        field="cluster_status", expected=messages.CONTROL_EXPECT_5XX, value="404")),
    ({"membership": "my-cluster", "latency_ms": -5}, 400, messages.CONTROL_BAD_FIELD.format(
        field="latency_ms", expected=messages.CONTROL_EXPECT_LATENCY.format(maximum=600000),
        value="-5")),
    ({"membership": "my-cluster", "drop_stream_after_bytes": 1.5}, 400,
     messages.CONTROL_BAD_FIELD.format(field="drop_stream_after_bytes",
                                       expected=DROP, value="1.5")),
    ({"membership": "my-cluster", "latency": 5}, 400, messages.CONTROL_UNKNOWN_FIELD.format(
        field="latency",
        allowed="membership, latency_ms, cluster_status, drop_stream_after_bytes")),
])
def test_fault_errors(client: TestClient, body: dict[str, Any], code: int, message: str) -> None:
    assert refused(client.post("/_emulator/faults", json=body), code) == message


# -- the API's own edges ---------------------------------------------------------------------------


def test_unknown_endpoints_and_wrong_methods_answer_json(client: TestClient) -> None:
    message = refused(client.get("/_emulator/nothing-here"), 404)
    assert message.startswith(messages.CONTROL_UNKNOWN_ENDPOINT.format(
        method="GET", path="/_emulator/nothing-here", endpoints="POST /_emulator/reset, "))
    answer = client.get("/_emulator/reset")
    assert refused(answer, 405) == messages.CONTROL_METHOD_NOT_ALLOWED.format(
        path="/_emulator/reset", allowed="POST", method="GET")
    assert answer.headers["allow"] == "POST"


@pytest.mark.parametrize("path", ["/_emulator", "/_emulator/", "/_emulator/reset/more"])
def test_every_path_under_the_control_prefix_is_the_control_apis(client: TestClient,
                                                                  path: str) -> None:
    # The gateway's catch-all is tried first and must leave these to the control API.
    message = refused(client.get(path), 404)
    assert message.startswith(messages.CONTROL_UNKNOWN_ENDPOINT.format(
        method="GET", path=path, endpoints="POST /_emulator/reset, "))


def test_a_path_that_only_starts_like_the_control_prefix_is_googles_404(
        client: TestClient) -> None:
    answer = client.post("/_emulatorx/reset")
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/html")
    assert "/_emulatorx/reset" in answer.text


def test_remote_clients_are_refused(state: EmulatorState) -> None:
    remote = TestClient(create_app(state), client=("203.0.113.9", 40000))
    assert refused(remote.post("/_emulator/iam/grant", json={"role": ADMIN, "member": CAROL}),
                   403) == messages.CONTROL_LOOPBACK_ONLY
    assert refused(remote.get("/_emulator/world"), 403) == messages.CONTROL_LOOPBACK_ONLY
    assert not state.iam.check(
        next(p for p in state.scenario.principals if p.email == "carol@example.com"),
        "gkehub.gateway.get").allowed


@pytest.mark.parametrize("host", ["::ffff:127.0.0.1", "::1", "127.0.0.2"])
def test_loopback_clients_of_a_dual_stack_bind_are_served(state: EmulatorState,
                                                          host: str) -> None:
    local = TestClient(create_app(state), client=(host, 40000))
    assert local.get("/_emulator/world").status_code == 200


@pytest.mark.parametrize("host", ["::ffff:203.0.113.9", "2001:db8::1"])
def test_other_ipv6_clients_are_refused(state: EmulatorState, host: str) -> None:
    remote = TestClient(create_app(state), client=(host, 40000))
    assert refused(remote.get("/_emulator/world"), 403) == messages.CONTROL_LOOPBACK_ONLY


def test_the_audit_trail_is_still_served(client: TestClient) -> None:
    list_namespaces(client)
    records = ok(client.get("/_emulator/audit"))["records"]
    assert [(r["principal"], r["status"], r["fault"]) for r in records] == [
        ("alice@example.com", 200, "")]
