"""What the contract tests share beyond tests/conftest.py: the Python client on the gateway, and
names for a test's objects that are deleted after it."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from kubernetes import client, config

from tests.harness import KubectlRunner, Served


@pytest.fixture
def api(gateway: Served) -> Iterator[client.ApiClient]:
    """The ``kubernetes`` package's client, configured from the gateway's kubeconfig."""
    api_client = config.new_client_from_config(config_file=str(gateway.kubeconfig()))
    yield api_client
    api_client.close()


Named = Callable[[str, str], str]


@pytest.fixture
def named(gateway: Served, newest: KubectlRunner, request: pytest.FixtureRequest
          ) -> Iterator[Named]:
    """``named(kind, stem)``: a name for this test and kubectl version, deleted afterwards."""
    made: list[tuple[str, str]] = []
    runner = request.getfixturevalue("kubectl_run") if "kubectl_run" in request.fixturenames \
        else newest

    def name(kind: str, stem: str) -> str:
        made.append((kind, f"{stem}-{runner.binary.minor}"))
        return made[-1][1]

    yield name
    for kind, made_name in made:
        newest.run(gateway.kubeconfig(), "delete", kind, made_name, "--ignore-not-found",
                   "--wait=false")
