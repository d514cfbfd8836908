"""Front door 2: the pytest plugin, registered through the ``pytest11`` entry point, so a project
that installs the package gets it without conftest edits.

- ``connect_gateway_server`` (session): one emulator served over TLS on a free loopback port.
- ``connect_gateway`` (function): that emulator with a freshly loaded world, as a
  ``testing.ConnectGateway`` handle. Nothing a test changes reaches the next one.
- ``@pytest.mark.connect_gateway(scenario=..., active_streams_quota=..., stream_timeout=...,
  iam_mode=...)`` configures one test; ``--connect-gateway-scenario`` and friends the whole run.
- ``--connect-gateway-cluster MEMBERSHIP=KUBECONFIG[:CONTEXT]`` puts a real apiserver (kind, say)
  behind a membership for the whole run, as ``serve --cluster`` does. Its cluster is not reset
  between tests: only the gateway's world is.
- Anything the emulator logs as an error while a test runs (a bug inside the server) fails that
  test, with the server's own traceback.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from emulator import limits, messages
from emulator.iam.policy import IamMode
from emulator.scenario import loader
from emulator.scenario.model import RemoteSpec

if TYPE_CHECKING:
    from emulator.runner import ServedApp
    from emulator.state import EmulatorState
    from emulator.testing import ConnectGateway

# The server, the world and the handle (the kubernetes package, hypercorn, cryptography, the
# mock apiserver: over half a second) are imported by the fixtures that use them, so that a
# pytest session on a machine with the package installed pays nothing for tests that do not.

MARKER = "connect_gateway"
_CLUSTERS = pytest.StashKey[dict[str, RemoteSpec]]()
_OPTIONS = ("scenario", "active_streams_quota", "stream_timeout", "iam_mode")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("connect-gateway", "connect-gateway-emulator")
    group.addoption("--connect-gateway-scenario", default="quickstart", metavar="NAME|PATH",
                    help="scenario for tests without a marker (default: quickstart)")
    group.addoption("--connect-gateway-active-streams", type=int, default=None, metavar="N",
                    help="active_streams quota per fleet host project")
    group.addoption("--connect-gateway-stream-timeout", type=float, default=None,
                    metavar="SECONDS", help="stream session limit")
    group.addoption("--connect-gateway-iam-mode", default="enforce",
                    choices=[m.value for m in IamMode], help="enforce, log-only or off")
    group.addoption("--connect-gateway-cluster", action="append", default=[],
                    metavar="MEMBERSHIP=KUBECONFIG[:CONTEXT]",
                    help="front a real apiserver (kind, k3d, GKE) behind MEMBERSHIP instead of "
                         "the embedded mock; repeatable")
    group.addoption("--connect-gateway-agent-credentials", default="kubeconfig",
                    choices=("kubeconfig", "service-account"),
                    help="how the agent authenticates to those apiservers: the kubeconfig's own "
                         "credentials, or a TokenRequest token for gke-connect/connect-agent-sa")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{MARKER}(scenario=None, active_streams_quota=None, stream_timeout=None, "
        "iam_mode=None): configure the connect_gateway emulator for this test")
    config.stash[_CLUSTERS] = _clusters(config)


def _clusters(config: pytest.Config) -> dict[str, RemoteSpec]:
    """--connect-gateway-cluster, checked before any test runs: a mistake is a usage error."""
    credentials = config.getoption("--connect-gateway-agent-credentials")
    clusters = {}
    for text in config.getoption("--connect-gateway-cluster"):
        try:
            name, spec = RemoteSpec.from_flag(text, credentials)
        except ValueError:
            raise pytest.UsageError(messages.BAD_CLUSTER_FLAG.format(
                flag="--connect-gateway-cluster", value=text)) from None
        clusters[name] = spec
    if clusters:
        from emulator.state import with_clusters  # noqa: PLC0415 - see the imports above
        try:
            with_clusters(_load(config.getoption("--connect-gateway-scenario")), clusters)
        except loader.ScenarioError as err:
            raise pytest.UsageError(str(err)) from None
    return clusters


@pytest.fixture(scope="session")
def connect_gateway_server(pytestconfig: pytest.Config) -> Iterator[tuple[EmulatorState,
                                                                           ServedApp]]:
    from emulator.runner import serve_emulator  # noqa: PLC0415 - see the imports above
    from emulator.state import EmulatorState  # noqa: PLC0415
    scenario = _load(pytestconfig.getoption("--connect-gateway-scenario"))
    state = EmulatorState(scenario, clusters=pytestconfig.stash[_CLUSTERS])
    server = serve_emulator(state)
    yield state, server
    server.stop()  # re-raises what killed the server thread, if anything did


@pytest.fixture
def connect_gateway(request: pytest.FixtureRequest,
                    connect_gateway_server: tuple[EmulatorState, ServedApp]
                    ) -> Iterator[ConnectGateway]:
    from emulator.testing import ConnectGateway, ServerErrors  # noqa: PLC0415 - see the imports
    state, server = connect_gateway_server
    config = request.config
    marker = request.node.get_closest_marker(MARKER)
    wanted = dict(marker.kwargs) if marker is not None else {}
    unknown = sorted(set(wanted) - set(_OPTIONS))
    if unknown:
        pytest.fail(messages.PLUGIN_UNKNOWN_MARKER_ARGUMENT.format(names=", ".join(unknown)),
                    pytrace=False)
    active_streams = wanted.get("active_streams_quota",
                                config.getoption("--connect-gateway-active-streams"))
    stream_timeout = wanted.get("stream_timeout",
                                config.getoption("--connect-gateway-stream-timeout"))
    if not ((active_streams is None or limits.active_streams_ok(active_streams))
            and (stream_timeout is None or limits.stream_timeout_ok(stream_timeout))):
        pytest.fail(messages.PLUGIN_BAD_LIMITS.format(
            active_streams=active_streams, stream_timeout=stream_timeout,
            max_streams=limits.MAX_ACTIVE_STREAMS, max_seconds=limits.MAX_STREAM_TIMEOUT_SECONDS),
            pytrace=False)
    state.configure(
        iam_mode=IamMode(wanted.get("iam_mode") or config.getoption("--connect-gateway-iam-mode")),
        active_streams=active_streams, stream_timeout=stream_timeout)
    try:
        state.load(_load(wanted.get("scenario") or config.getoption("--connect-gateway-scenario")))
    except loader.ScenarioError as err:  # e.g. the marker's scenario lacks a fronted membership
        pytest.fail(str(err), pytrace=False)
    errors = ServerErrors()
    emulator_log = logging.getLogger("emulator")
    emulator_log.addHandler(errors)
    with tempfile.TemporaryDirectory(prefix="cgw-test-") as workdir:
        try:
            yield ConnectGateway(state, server, Path(workdir))
        finally:
            emulator_log.removeHandler(errors)
    if errors.records:
        pytest.fail(messages.PLUGIN_SERVER_ERROR.format(report=errors.report()), pytrace=False)


def _load(name_or_path: str) -> loader.Scenario:
    try:
        return loader.load(name_or_path)
    except loader.ScenarioError as err:
        raise pytest.UsageError(str(err)) from None
