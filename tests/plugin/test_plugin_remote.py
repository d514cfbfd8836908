"""The plugin's --connect-gateway-cluster: a user's own tests through the gateway to a real apiserver
(here a standalone mock over TLS, as kind would be), with the agent's identity and impersonation
seen by that apiserver, and the flag's mistakes as usage errors."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from emulator import messages
from emulator.scenario import loader
from tests.harness import Upstream, serve_upstream

pytest_plugins = ["pytester"]

USER_TESTS = '''
from kubernetes import client, config

from emulator.cluster.remote.backend import RemoteCluster


def api(gateway):
    return client.CoreV1Api(config.new_client_from_config(
        config_file=str(gateway.kubeconfig())))


def test_writes_through_the_gateway(connect_gateway):
    assert isinstance(connect_gateway.state.membership("my-cluster").cluster, RemoteCluster)
    api(connect_gateway).create_namespaced_config_map(
        "default", client.V1ConfigMap(metadata=client.V1ObjectMeta(name="from-the-plugin")))
    assert connect_gateway.audit()[-1].status == 201


def test_the_real_cluster_is_not_reset_between_tests(connect_gateway):
    names = [c.metadata.name for c in api(connect_gateway).list_namespaced_config_map(
        "default").items]
    assert "from-the-plugin" in names
'''


@pytest.fixture
def upstream(tmp_path: Path) -> Iterator[Upstream]:
    served_upstream, served = serve_upstream(loader.load("quickstart"), "my-cluster", tmp_path)
    try:
        yield served_upstream
    finally:
        served.stop()


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    pytester.makepyfile(test_user=USER_TESTS)
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:benchmark",
                                         "-p", "no:randomly", *args)


def test_a_membership_fronts_the_apiserver_for_the_whole_run(pytester: pytest.Pytester,
                                                             upstream: Upstream) -> None:
    result = run(pytester, f"--connect-gateway-cluster=my-cluster={upstream.kubeconfig}",
                 "--connect-gateway-agent-credentials=service-account")
    result.assert_outcomes(passed=2)
    created = [e for e in upstream.standalone.audit.events()
               if e.verb == "create" and e.request_uri.endswith("/configmaps")]
    assert [(e.code, e.user, e.impersonated_user) for e in created] == [
        (201, "system:serviceaccount:gke-connect:connect-agent-sa", "alice@example.com")]


def test_a_malformed_flag_is_a_usage_error(pytester: pytest.Pytester) -> None:
    result = run(pytester, "--connect-gateway-cluster=my-cluster")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "ERROR: " + messages.BAD_CLUSTER_FLAG.format(
        flag="--connect-gateway-cluster", value="my-cluster") in result.stderr.lines


def test_a_membership_the_scenario_lacks_is_a_usage_error(pytester: pytest.Pytester,
                                                          upstream: Upstream) -> None:
    result = run(pytester, f"--connect-gateway-cluster=no-such={upstream.kubeconfig}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*a real cluster is given for no-such, which the scenario "
                                 "does not have*"])


def test_a_marker_scenario_without_the_fronted_membership_fails_that_test(
        pytester: pytest.Pytester, tmp_path: Path) -> None:
    upstream, served = serve_upstream(loader.load("quickstart"), "old-cluster", tmp_path)
    try:
        pytester.makepyfile(test_user='''
import pytest


@pytest.mark.connect_gateway(scenario="rbac-denied")
def test_rbac_denied_has_no_old_cluster(connect_gateway):
    pass


def test_quickstart_has_it(connect_gateway):
    assert connect_gateway.state.membership("old-cluster") is not None
''')
        result = pytester.runpytest_subprocess(
            "-p", "no:cacheprovider", "-p", "no:benchmark",
            f"--connect-gateway-cluster=old-cluster={upstream.kubeconfig}")
    finally:
        served.stop()
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*a real cluster is given for old-cluster, which the scenario "
                                 "does not have*"])
