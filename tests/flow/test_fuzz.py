"""A bounded fuzz of every surface, in-process: hostile requests (tests/hostile.py) never get a
5xx or a traceback, and the emulator still answers correctly afterwards. benchmarks/fuzz.py runs
the same requests by the ten thousand against a served emulator.

Derandomized so that CI sees the same inputs every run; the long run explores beyond them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from starlette.testclient import TestClient

from emulator.app import create_app
from emulator.scenario import loader
from emulator.state import EmulatorState
from emulator.testing import ServerErrors
from tests import hostile
from tests.hostile import HostileRequest

GATEWAY = f"/v1/projects/{hostile.PROJECT_NUMBER}/locations/global/memberships/my-cluster"
FUZZ = settings(max_examples=150, derandomize=True, deadline=None, database=None,
                suppress_health_check=list(HealthCheck))


@pytest.fixture
def served() -> Iterator[tuple[TestClient, ServerErrors]]:
    """One world for all the examples of a test: a fresh world per example would spend the
    time building worlds instead of sending requests."""
    state = EmulatorState(loader.load("quickstart"))
    errors = ServerErrors()
    root = logging.getLogger()
    root.addHandler(errors)
    with TestClient(create_app(state), raise_server_exceptions=False) as client:
        yield client, errors
    root.removeHandler(errors)


def survive(served: tuple[TestClient, ServerErrors], request: HostileRequest) -> None:
    client, errors = served
    errors.records.clear()
    status = client.request(request.method, request.path, headers=request.headers,
                            content=request.body).status_code
    assert status < 500, request.describe()
    assert not errors.records, request.describe() + "\n" + errors.report()


def still_answers(served: tuple[TestClient, ServerErrors]) -> None:
    """After the fuzz: the world, reset (the control API's fuzz changes it on purpose), serves
    a list, a create and a read as before."""
    client, errors = served
    assert client.post("/_emulator/reset").status_code == 200
    alice = {"Authorization": f"Bearer {hostile.ALICE}"}
    listed = client.get(GATEWAY + "/api/v1/namespaces", headers=alice)
    assert listed.status_code == 200
    assert "gke-connect" in {item["metadata"]["name"] for item in listed.json()["items"]}
    made = client.post(GATEWAY + "/api/v1/namespaces/default/configmaps", headers=alice,
                       json={"apiVersion": "v1", "kind": "ConfigMap",
                             "metadata": {"name": "after-fuzz"}, "data": {"k": "v"}})
    assert made.status_code == 201, made.text
    read = client.get(GATEWAY + "/api/v1/namespaces/default/configmaps/after-fuzz",
                      headers=alice)
    assert read.json()["data"] == {"k": "v"}
    assert not errors.records, errors.report()


@pytest.mark.parametrize("surface", ["gateway_requests", "google_requests", "control_requests"])
def test_hostile_requests_then_the_emulator_still_answers(
        served: tuple[TestClient, ServerErrors], surface: str) -> None:
    @FUZZ
    @given(request=getattr(hostile, surface)())
    def fuzz(request: HostileRequest) -> None:
        survive(served, request)

    fuzz()
    still_answers(served)
