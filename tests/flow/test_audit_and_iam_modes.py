"""The audit trail through the control API, IAM modes, and token expiry, in-process."""

from __future__ import annotations

from datetime import timedelta

import pytest
from starlette.testclient import TestClient

from emulator import messages
from emulator.app import create_app
from emulator.clock import FakeClock
from emulator.iam.policy import IamMode
from emulator.scenario import loader
from emulator.scenario.model import Principal
from emulator.state import EmulatorState

PREFIX = "/v1/projects/123456789012/locations/global/memberships/my-cluster"


def client_for(state: EmulatorState) -> TestClient:
    return TestClient(create_app(state))


def as_user(name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer ya29.fake-{name}"}


def test_audit_api_lists_every_request_with_its_reasons() -> None:
    state = EmulatorState(loader.load("quickstart"), FakeClock())
    client = client_for(state)
    assert client.get(f"{PREFIX}/api/v1/namespaces/default/pods", headers=as_user("alice")
                      ).status_code == 200
    assert client.delete(f"{PREFIX}/api/v1/namespaces/default/pods/web", headers=as_user("bob")
                         ).status_code == 403
    assert client.get("/nowhere").status_code == 404
    records = client.get("/_emulator/audit").json()["records"]
    assert [(r["principal"], r["method"], r["status"], r["error_id"]) for r in records] == [
        ("alice@example.com", "GET", 200, ""),
        ("bob@example.com", "DELETE", 403, "iam-denied"),
        ("", "GET", 404, "url-not-found"),
    ]
    alice, bob, _ = records
    assert alice["iam_permission"] == "gkehub.gateway.get" and alice["rbac_result"] == "allowed"
    assert alice["impersonation"] == messages.AUDIT_IMPERSONATION.format(
        agent="system:serviceaccount:gke-connect:connect-agent-sa", principal="alice@example.com",
        groups="none")
    assert bob["rbac_result"] == "not reached"
    assert alice["time"] == "2026-01-01T00:00:00Z"


def test_one_printable_line_per_record(caplog: pytest.LogCaptureFixture) -> None:
    state = EmulatorState(loader.load("quickstart"), FakeClock())
    with caplog.at_level("INFO", logger="emulator.audit"):
        client_for(state).get(f"{PREFIX}/api/v1/namespaces", headers=as_user("dave"))
    (line,) = [r.getMessage() for r in caplog.records if r.name == "emulator.audit"]
    assert line.startswith("2026-01-01T00:00:00Z dave@example.com v1 my-cluster GET "
                           "/api/v1/namespaces iam=gkehub.gateway.get:allowed rbac=denied "
                           "-> 403 rbac-denied (Kubernetes RBAC denied the request: ")


@pytest.mark.parametrize(("mode", "status", "iam_result"), [
    (IamMode.ENFORCE, 403, "denied"),
    (IamMode.LOG_ONLY, 200, "allowed (log-only: would deny)"),
    (IamMode.OFF, 200, "off"),
])
def test_iam_modes(mode: IamMode, status: int, iam_result: str) -> None:
    # carol has RBAC cluster-admin but no gateway role.
    state = EmulatorState(loader.load("quickstart"), FakeClock(), iam_mode=mode)
    answer = client_for(state).get(f"{PREFIX}/api/v1/namespaces", headers=as_user("carol"))
    assert answer.status_code == status
    assert state.audit.records()[-1].iam_result == iam_result


def test_reset_clears_the_audit_trail() -> None:
    state = EmulatorState(loader.load("quickstart"), FakeClock())
    client_for(state).get(f"{PREFIX}/api", headers=as_user("alice"))
    state.reset()
    assert state.audit.records() == []


def test_an_expired_token_is_refused_from_its_expiry_on() -> None:
    scenario = loader.load("quickstart")
    clock = FakeClock()
    alice = scenario.principal("alice@example.com")
    assert alice is not None
    expiring = Principal(alice.kind, alice.email, alice.token, clock.now() + timedelta(seconds=60))
    scenario = type(scenario)(**{**scenario.__dict__, "principals": tuple(
        expiring if p.email == alice.email else p for p in scenario.principals)})
    state = EmulatorState(scenario, clock)
    client = client_for(state)
    assert client.get(f"{PREFIX}/api", headers=as_user("alice")).status_code == 200
    clock.advance(60)
    answer = client.get(f"{PREFIX}/api", headers=as_user("alice"))
    assert answer.status_code == 401
    assert answer.json()["message"] == messages.TOKEN_EXPIRED
    assert state.audit.records()[-1].error_id == "unauthenticated"
