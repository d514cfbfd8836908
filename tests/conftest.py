"""Fixtures shared by the test folders: a served emulator (one per xdist worker) and kubectl."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import yaml

from emulator.runner import serve_emulator
from emulator.scenario import loader
from emulator.standalone.server import StandaloneApiserver, serve_apiserver
from emulator.state import EmulatorState
from tests.harness import FrontedState, KubectlRunner, Served
from tests.realclients import Kubectl


QUICKSTART = loader.load("quickstart")


@pytest.fixture(scope="session", params=["embedded", "remote"])
def served_emulator(request: pytest.FixtureRequest,
                    tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The emulator every contract test talks to, once per cluster backend (tests/harness.py)."""
    tmp = tmp_path_factory.mktemp(f"served-{request.param}")
    if request.param == "embedded":
        state = EmulatorState(QUICKSTART)
        server = serve_emulator(state)
        yield Served(state, server, tmp)
        server.stop()
        return
    standalone = StandaloneApiserver(QUICKSTART, "my-cluster")
    upstream = serve_apiserver(standalone, tls_dir=tmp / "upstream-tls")
    kubeconfig = tmp / "upstream-kubeconfig"
    kubeconfig.write_text(yaml.safe_dump(standalone.kubeconfig(upstream.url, upstream.ca_pem)))
    fronted = FrontedState(QUICKSTART, standalone, kubeconfig)
    server = serve_emulator(fronted)
    yield Served(fronted, server, tmp, "remote", upstream)
    server.stop()
    upstream.stop()


@pytest.fixture
def gateway(served_emulator: Served) -> Served:
    """The served emulator with a fresh quickstart world (whatever the last test loaded)."""
    served_emulator.state.load(QUICKSTART)
    return served_emulator


@pytest.fixture
def world(served_emulator: Served) -> Callable[[str], Served]:
    """Load a built-in scenario into the served emulator for this test."""
    def load(name: str) -> Served:
        served_emulator.state.load(loader.load(name))
        return served_emulator
    return load


@pytest.fixture
def kubectl_run(kubectl: Kubectl, tmp_path: Path) -> KubectlRunner:
    home = tmp_path / "home"
    home.mkdir()
    return KubectlRunner(kubectl, home)
