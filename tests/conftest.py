"""Fixtures shared by the test folders: a served emulator (one per xdist worker) and kubectl."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from emulator.runner import serve_emulator
from emulator.scenario import loader
from emulator.state import EmulatorState
from tests.harness import KubectlRunner, Served
from tests.realclients import Kubectl


QUICKSTART = loader.load("quickstart")


@pytest.fixture(scope="session")
def served_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    state = EmulatorState(QUICKSTART)
    server = serve_emulator(state)
    yield Served(state, server, tmp_path_factory.mktemp("served"))
    server.stop()


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
