"""Fixtures shared by the test folders: a served emulator (one per xdist worker) and kubectl."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from emulator.runner import serve_emulator
from emulator.scenario import loader
from emulator.state import EmulatorState
from tests import realclients, realcluster
from tests.cliprocesses import Processes
from tests.harness import FrontedState, KubectlRunner, RealClusterState, Served, serve_upstream
from tests.realclients import Kubectl


QUICKSTART = loader.load("quickstart")
# The memberships the remote flavour serves from standalone mocks: quickstart's attached clusters.
# (gke-cluster stays embedded: its streams are refused before any cluster is asked.)
FRONTED = ("my-cluster", "old-cluster")


@pytest.fixture(scope="session")
def served_emulator(request: pytest.FixtureRequest,
                    tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The emulator every contract test talks to, once per cluster backend (tests/harness.py;
    the root conftest parametrizes it)."""
    tmp = tmp_path_factory.mktemp(f"served-{request.param}")
    if request.param == "real":
        yield from _fronting_a_real_cluster(request.config, tmp)
        return
    if request.param == "embedded":
        state = EmulatorState(QUICKSTART)
        server = serve_emulator(state)
        yield Served(state, server, tmp)
        server.stop()
        return
    upstreams, served = {}, []
    for name in FRONTED:
        upstreams[name], upstream = serve_upstream(QUICKSTART, name, tmp)
        served.append(upstream)
    fronted = FrontedState(QUICKSTART, upstreams)
    server = serve_emulator(fronted)
    yield Served(fronted, server, tmp, "remote", tuple(served))
    server.stop()
    for upstream in served:
        upstream.stop()


def _fronting_a_real_cluster(config: pytest.Config, tmp: Path) -> Iterator[Served]:
    remote = realcluster.target(config)
    kubectls = realclients.kubectls()
    assert remote is not None
    if not kubectls:
        pytest.exit(f"{realcluster.OPTION} needs kubectl.1.NN to seed the cluster", 2)
    seeded = realcluster.Seeded(kubectls[-1], remote, QUICKSTART, tmp)
    seeded.apply()
    state = RealClusterState(QUICKSTART, remote)
    server = serve_emulator(state)
    try:
        yield Served(state, server, tmp, "real", reseed=seeded.apply)
    finally:
        server.stop()
        seeded.remove()


def pytest_runtest_setup(item: pytest.Item) -> None:
    marker = item.get_closest_marker(realcluster.MOCK_ONLY)
    if marker is not None and realcluster.target(item.config) is not None:
        pytest.skip(f"needs the mock: {marker.args[0] if marker.args else ''}")


@pytest.fixture
def gateway(served_emulator: Served) -> Served:
    """The served emulator with a fresh quickstart world (whatever the last test loaded)."""
    served_emulator.state.load(QUICKSTART)
    if served_emulator.reseed is not None:
        served_emulator.reseed()
    return served_emulator


@pytest.fixture
def world(served_emulator: Served) -> Callable[[str], Served]:
    """Load a built-in scenario into the served emulator for this test."""
    def load(name: str) -> Served:
        if isinstance(served_emulator.state, RealClusterState):
            pytest.skip(f"scenario {name} seeds its own cluster; a real cluster has quickstart's")
        served_emulator.state.load(loader.load(name))
        return served_emulator
    return load


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    """CLI processes a test starts; whatever is still running at the end is killed."""
    handle = Processes(tmp_path)
    yield handle
    handle.kill_all()


@pytest.fixture
def newest(tmp_path: Path) -> KubectlRunner:
    """The newest kubectl on the machine, with its own HOME: 1.30 or later, so exec, attach and
    cp use WebSocket without being asked to."""
    found = [k for k in realclients.kubectls() if k.minor >= 30]
    if not found:
        pytest.skip("no kubectl.1.30 or later on this machine")
    home = tmp_path / "newest-home"
    home.mkdir()
    return KubectlRunner(found[-1], home)


@pytest.fixture
def kubectl_run(kubectl: Kubectl, tmp_path: Path) -> KubectlRunner:
    home = tmp_path / "home"
    home.mkdir()
    return KubectlRunner(kubectl, home)
