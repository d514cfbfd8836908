"""Gateway stages 2 and 3: the bearer token, the 8 KB header limit, and Google IAM."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from starlette.datastructures import Headers

from emulator import messages
from emulator.audit import AuditRecord
from emulator.clock import FakeClock
from emulator.errors import GatewayError
from emulator.gateway import auth, iam
from emulator.gateway.route import GatewayTarget
from emulator.iam.policy import IamDecision, IamMode
from emulator.scenario import loader
from emulator.scenario.model import Principal
from emulator.state import EmulatorState

SCENARIO = """\
project: {id: my-project, number: "123456789012"}
principals:
  - user: alice@example.com
    token: t-alice
    token_expires: "2026-01-01T01:00:00Z"
  - user: bob@example.com
    token: t-bob
  - serviceAccount: ci@my-project.iam.gserviceaccount.com
    token: t-ci
iam:
  - role: roles/gkehub.gatewayReader
    members: [user:alice@example.com]
  - role: roles/gkehub.viewer
    members: [user:alice@example.com]
  - role: roles/gkehub.gatewayAdmin
    members: [serviceAccount:ci@my-project.iam.gserviceaccount.com]
memberships: []
"""
START = datetime(2026, 1, 1, tzinfo=UTC)  # FakeClock's default: an hour before alice's expiry
EXPIRY = datetime(2026, 1, 1, 1, tzinfo=UTC)
TARGET = GatewayTarget("v1", "123456789012", "global", "memberships", "c1", "/api/v1/pods")
MEMBERSHIP_RESOURCE = "projects/123456789012/locations/global/memberships/c1"
ALICE_READER_VIEWER = "roles/gkehub.gatewayReader, roles/gkehub.viewer"

UNAUTHENTICATED = GatewayError(401, "Unauthorized", messages.UNAUTHENTICATED,
                               error_id="unauthenticated")
EXPIRED = GatewayError(401, "Unauthorized", messages.TOKEN_EXPIRED, error_id="unauthenticated")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def state(clock: FakeClock) -> EmulatorState:
    return EmulatorState(loader.parse(SCENARIO, Path("s.yaml")), clock)


def principal(state: EmulatorState, email: str) -> Principal:
    found = state.scenario.principal(email)
    assert found is not None
    return found


def auth_error(state: EmulatorState, authorization: str | None) -> GatewayError:
    with pytest.raises(GatewayError) as caught:
        auth.authenticate(state, authorization)
    return caught.value


def record() -> AuditRecord:
    return AuditRecord(time="2026-01-01T00:00:00Z", method="GET", path=TARGET.prefix + "/api")


def authorize(state: EmulatorState, mode: IamMode, email: str, permission: str,
              audit: AuditRecord) -> IamDecision | None:
    return iam.authorize(state.iam, mode, principal(state, email), TARGET, "my-project",
                         permission, audit)


def iam_denied(permission: str, member: str, roles: str) -> GatewayError:
    return GatewayError(403, "Forbidden", messages.IAM_DENIED.format(
        permission=permission, resource=MEMBERSHIP_RESOURCE, member=member, roles=roles,
        project="my-project"), error_id="iam-denied")


# -- permission_for -----------------------------------------------------------------------------


@pytest.mark.parametrize("method,permission", [
    ("GET", "gkehub.gateway.get"),
    ("HEAD", "gkehub.gateway.get"),
    ("OPTIONS", "gkehub.gateway.get"),
    ("POST", "gkehub.gateway.post"),
    ("PUT", "gkehub.gateway.put"),
    ("PATCH", "gkehub.gateway.patch"),
    ("DELETE", "gkehub.gateway.delete"),
])
def test_permission_follows_the_http_method(method: str, permission: str) -> None:
    assert iam.permission_for(method, Headers({"accept": "application/json"})) == permission


def test_permission_ignores_the_method_case() -> None:
    assert iam.permission_for("delete", Headers()) == "gkehub.gateway.delete"


@pytest.mark.parametrize("method,upgrade", [("GET", "websocket"), ("POST", "SPDY/3.1")])
def test_upgrade_request_needs_stream_whatever_the_method(method: str, upgrade: str) -> None:
    headers = Headers({"Connection": "Upgrade", "Upgrade": upgrade})
    assert iam.permission_for(method, headers) == "gkehub.gateway.stream"


# -- authenticate -------------------------------------------------------------------------------


def test_known_token_names_its_principal(state: EmulatorState) -> None:
    assert auth.authenticate(state, "Bearer t-bob") == principal(state, "bob@example.com")


def test_bearer_scheme_is_case_insensitive(state: EmulatorState) -> None:
    assert auth.authenticate(state, "bearer t-ci").email == "ci@my-project.iam.gserviceaccount.com"


@pytest.mark.parametrize("authorization", [
    "Bearer t-nobody",  # unknown
    None,  # missing
    "",
    "Bearer",  # no token
    "Bearer  ",
    "Basic t-bob",  # not Bearer
    "t-bob",
])
def test_unusable_credentials_are_unauthenticated(state: EmulatorState,
                                                  authorization: str | None) -> None:
    assert auth_error(state, authorization) == UNAUTHENTICATED


def test_token_before_its_expiry_is_accepted(state: EmulatorState, clock: FakeClock) -> None:
    clock.advance(3599)
    assert auth.authenticate(state, "Bearer t-alice").email == "alice@example.com"


def test_token_at_its_expiry_is_expired(state: EmulatorState, clock: FakeClock) -> None:
    clock.advance(3600)
    assert clock.now() == EXPIRY
    assert auth_error(state, "Bearer t-alice") == EXPIRED


def test_token_after_its_expiry_is_expired(state: EmulatorState, clock: FakeClock) -> None:
    clock.advance(86400)
    assert auth_error(state, "Bearer t-alice") == EXPIRED


def test_token_without_expiry_never_expires(state: EmulatorState, clock: FakeClock) -> None:
    clock.advance(10 * 365 * 86400)
    assert auth.authenticate(state, "Bearer t-bob").email == "bob@example.com"


# -- check_header_size --------------------------------------------------------------------------

GROUP_LINE = len("impersonate-group: ") + len("\r\n")  # plus the group's email


def padded(total: int) -> list[tuple[str, str]]:
    """Headers whose "k: v\\r\\n" lines add up to exactly ``total`` bytes."""
    fixed = [("authorization", "Bearer t-bob"), ("accept", "application/json")]
    used = sum(len(k) + len(v) + 4 for k, v in fixed)
    return [*fixed, ("x-pad", "a" * (total - used - len("x-pad") - 4))]


def test_header_limit_is_8_kib() -> None:
    assert auth.HEADER_LIMIT == 8192


def test_headers_of_exactly_8192_bytes_pass() -> None:
    auth.check_header_size(padded(8192), [])


def test_headers_of_8193_bytes_are_refused() -> None:
    with pytest.raises(GatewayError) as caught:
        auth.check_header_size(padded(8193), [])
    assert caught.value == GatewayError(401, "Unauthorized", messages.HEADER_TOO_LARGE.format(
        groups=0, size=8193, limit=8192), error_id="header-too-large")


def test_group_lines_count_towards_the_limit_just_under() -> None:
    groups = ["sre@example.com", "oncall@example.com"]
    group_bytes = sum(GROUP_LINE + len(g) for g in groups)
    auth.check_header_size(padded(8192 - group_bytes), groups)


def test_group_lines_count_towards_the_limit_just_over() -> None:
    groups = ["sre@example.com", "oncall@example.com"]
    group_bytes = sum(GROUP_LINE + len(g) for g in groups)
    with pytest.raises(GatewayError) as caught:
        auth.check_header_size(padded(8193 - group_bytes), groups)
    assert caught.value == GatewayError(401, "Unauthorized", messages.HEADER_TOO_LARGE.format(
        groups=2, size=8193, limit=8192), error_id="header-too-large")


def test_many_groups_alone_cross_the_limit() -> None:
    groups = [f"team-{i:03d}@example.com" for i in range(300)]
    with pytest.raises(GatewayError) as caught:
        auth.check_header_size([("authorization", "Bearer t-bob")], groups)
    assert caught.value.error_id == "header-too-large"


# -- gateway.iam.authorize ----------------------------------------------------------------------


def test_enforce_allows_a_held_permission(state: EmulatorState) -> None:
    audit = record()
    decision = authorize(state, IamMode.ENFORCE, "alice@example.com", "gkehub.gateway.get", audit)
    assert decision == state.iam.check(principal(state, "alice@example.com"),
                                       "gkehub.gateway.get")
    assert (audit.iam_permission, audit.iam_result, audit.iam_reason) == (
        "gkehub.gateway.get", "allowed", messages.IAM_EXPLAIN_ALLOWED.format(
            member="user:alice@example.com", permission="gkehub.gateway.get",
            role="roles/gkehub.gatewayReader", via=""))
    assert audit.explanation == ""


def test_enforce_denies_stream_naming_only_gateway_admin(state: EmulatorState) -> None:
    audit = record()
    with pytest.raises(GatewayError) as caught:
        authorize(state, IamMode.ENFORCE, "alice@example.com", "gkehub.gateway.stream", audit)
    assert caught.value == iam_denied("gkehub.gateway.stream", "user:alice@example.com",
                                      "roles/gkehub.gatewayAdmin")


def test_enforce_denial_of_post_names_admin_and_editor(state: EmulatorState) -> None:
    with pytest.raises(GatewayError) as caught:
        authorize(state, IamMode.ENFORCE, "alice@example.com", "gkehub.gateway.post", record())
    assert caught.value == iam_denied("gkehub.gateway.post", "user:alice@example.com",
                                      "roles/gkehub.gatewayAdmin, roles/gkehub.gatewayEditor")


def test_enforce_denial_of_get_names_all_three_gateway_roles(state: EmulatorState) -> None:
    with pytest.raises(GatewayError) as caught:
        authorize(state, IamMode.ENFORCE, "bob@example.com", "gkehub.gateway.get", record())
    assert caught.value == iam_denied(
        "gkehub.gateway.get", "user:bob@example.com",
        "roles/gkehub.gatewayAdmin, roles/gkehub.gatewayEditor, roles/gkehub.gatewayReader")


def test_enforce_denial_of_a_permission_no_gateway_role_has(state: EmulatorState) -> None:
    with pytest.raises(GatewayError) as caught:
        authorize(state, IamMode.ENFORCE, "bob@example.com", "gkehub.gateway.getIamPolicy",
                  record())
    assert caught.value == iam_denied("gkehub.gateway.getIamPolicy", "user:bob@example.com",
                                      messages.IAM_NO_PREDEFINED_ROLE)


def test_enforce_denial_is_recorded_with_its_explanation(state: EmulatorState) -> None:
    audit = record()
    with pytest.raises(GatewayError):
        authorize(state, IamMode.ENFORCE, "alice@example.com", "gkehub.gateway.stream", audit)
    explained = messages.IAM_EXPLAIN_DENIED.format(
        member="user:alice@example.com", permission="gkehub.gateway.stream", where=messages.IAM_WHERE_PROJECT,
        held=ALICE_READER_VIEWER)
    assert (audit.iam_permission, audit.iam_result, audit.iam_reason, audit.explanation) == (
        "gkehub.gateway.stream", "denied", explained, explained)


def test_log_only_lets_a_denied_request_through_and_says_so(state: EmulatorState) -> None:
    audit = record()
    decision = authorize(state, IamMode.LOG_ONLY, "alice@example.com", "gkehub.gateway.stream",
                         audit)
    assert decision == state.iam.check(principal(state, "alice@example.com"),
                                       "gkehub.gateway.stream")
    assert (audit.iam_result, audit.iam_reason, audit.explanation) == (
        "allowed (log-only: would deny)", messages.IAM_EXPLAIN_DENIED.format(
            member="user:alice@example.com", permission="gkehub.gateway.stream", where=messages.IAM_WHERE_PROJECT,
            held=ALICE_READER_VIEWER), "")


def test_log_only_records_an_allowed_request_as_allowed(state: EmulatorState) -> None:
    audit = record()
    authorize(state, IamMode.LOG_ONLY, "ci@my-project.iam.gserviceaccount.com",
              "gkehub.gateway.stream", audit)
    assert audit.iam_result == "allowed"


def test_off_skips_iam_and_records_off(state: EmulatorState) -> None:
    audit = record()
    decision = authorize(state, IamMode.OFF, "bob@example.com", "gkehub.gateway.delete", audit)
    assert decision is None
    assert (audit.iam_permission, audit.iam_result, audit.iam_reason, audit.explanation) == (
        "gkehub.gateway.delete", "off", "", "")
