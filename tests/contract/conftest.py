"""What the contract tests share beyond tests/conftest.py: the Python client on the gateway."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from kubernetes import client, config

from tests.harness import Served


@pytest.fixture
def api(gateway: Served) -> Iterator[client.ApiClient]:
    """The ``kubernetes`` package's client, configured from the gateway's kubeconfig."""
    api_client = config.new_client_from_config(config_file=str(gateway.kubeconfig()))
    yield api_client
    api_client.close()
