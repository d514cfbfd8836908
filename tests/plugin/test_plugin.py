"""The pytest plugin as a user's project sees it: installed package, no conftest, fresh dir."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

USES_KUBERNETES_CLIENT = '''
from kubernetes import client, config


def api(gateway, **kwargs):
    return client.CoreV1Api(config.new_client_from_config(
        config_file=str(gateway.kubeconfig(**kwargs))))
'''


def run(pytester: pytest.Pytester, source: str, *args: str) -> pytest.RunResult:
    pytester.makepyfile(helpers=USES_KUBERNETES_CLIENT, test_user=source)
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:benchmark", *args)


def test_fixtures_and_marker_come_with_the_package(pytester: pytest.Pytester) -> None:
    result = run(pytester, '''
import pytest
from helpers import api


def test_namespaces(connect_gateway):
    names = {ns.metadata.name for ns in api(connect_gateway).list_namespace().items}
    assert {"default", "gke-connect"} <= names


@pytest.mark.connect_gateway(scenario="rbac-denied")
def test_marker_picks_the_world(connect_gateway):
    assert connect_gateway.state.scenario.name == "rbac-denied"
    pods = api(connect_gateway, as_="ivan@example.com").list_namespaced_pod("team-a").items
    assert [p.metadata.name for p in pods] == ["api"]
''')
    result.assert_outcomes(passed=2)


def test_state_never_leaks_between_tests(pytester: pytest.Pytester) -> None:
    result = run(pytester, '''
from kubernetes import client
from helpers import api


def test_one_creates(connect_gateway):
    api(connect_gateway).create_namespaced_config_map(
        "default", client.V1ConfigMap(metadata=client.V1ObjectMeta(name="leak")))
    connect_gateway.state.membership("my-cluster").connected = False


def test_two_sees_a_fresh_world(connect_gateway):
    names = [c.metadata.name for c in api(connect_gateway).list_namespaced_config_map(
        "default").items]
    assert "leak" not in names
    assert connect_gateway.audit()[-1].principal == "alice@example.com"
    assert len(connect_gateway.audit()) == 1
''', "-p", "no:randomly")
    result.assert_outcomes(passed=2)


def test_a_server_side_failure_fails_the_test_that_caused_it(pytester: pytest.Pytester) -> None:
    result = run(pytester, '''
import pytest
from kubernetes.client.rest import ApiException
from helpers import api


def test_breaks_the_server(connect_gateway, monkeypatch):
    objects = connect_gateway.state.membership("my-cluster").cluster.objects
    def explode(*args, **kwargs):
        raise RuntimeError("boom inside the mock")
    monkeypatch.setattr(objects, "page", explode)  # what a list reads its objects with
    with pytest.raises(ApiException):
        api(connect_gateway).list_namespace()


def test_afterwards_all_is_well(connect_gateway):
    assert api(connect_gateway).list_namespace().items
''')
    # The test body passed (it expected the 500), so pytest reports the server's failure as an
    # error of that very test, at teardown; the next test is untouched.
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*boom inside the mock*",
                                 "ERROR test_user.py::test_breaks_the_server - Failed: *"])


def test_assertion_helpers_explain_failures(pytester: pytest.Pytester) -> None:
    result = run(pytester, '''
import pytest
from kubernetes.client.rest import ApiException
from helpers import api


def test_helpers(connect_gateway):
    with pytest.raises(ApiException):
        api(connect_gateway, as_="bob@example.com").delete_namespaced_pod("web", "default")
    record = connect_gateway.assert_denied("bob@example.com", "gkehub.gateway.delete")
    assert record.error_id == "iam-denied"
    connect_gateway.assert_request_made(method="DELETE", principal="bob@example.com", status=403)
    with pytest.raises(AssertionError, match="the closest ones"):
        connect_gateway.assert_request_made(method="DELETE", principal="bob@example.com",
                                            status=200)
    with pytest.raises(ValueError, match="'iam-denid' is not a case of the error catalogue"):
        connect_gateway.assert_request_made(error_id="iam-denid")
''')
    result.assert_outcomes(passed=1)


def test_run_options_and_a_bad_marker(pytester: pytest.Pytester) -> None:
    result = run(pytester, '''
import pytest


def test_run_default_scenario(connect_gateway):
    assert connect_gateway.state.scenario.name == "iam-denied"


@pytest.mark.connect_gateway(scenery="typo")
def test_bad_marker(connect_gateway):
    pass


@pytest.mark.connect_gateway(stream_timeout=float("nan"))
def test_nan_timeout(connect_gateway):
    pass
''', "--connect-gateway-scenario", "iam-denied")
    result.assert_outcomes(passed=1, errors=2)
    result.stdout.fnmatch_lines(["*does not take scenery*",
                                 "*stream_timeout=nan: the quota must be a whole number*"])


def test_the_readme_example_runs(pytester: pytest.Pytester) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    example = readme.split("<!-- pytest-example -->")[1].split("```python")[1].split("```")[0]
    pytester.makepyfile(test_readme=example)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:benchmark")
    result.assert_outcomes(passed=2)


def test_the_plugin_imports_nothing_heavy_until_a_test_uses_it() -> None:
    """Every pytest session on a machine with the package loads the plugin (``pytest11``): it
    must not pull in the server, the world or the kubernetes package before a fixture asks.
    (Its import time is reported by benchmarks/startup.py, never asserted.)"""
    heavy = ("kubernetes", "hypercorn", "cryptography", "httpx", "emulator.state",
             "emulator.runner", "emulator.cluster.mock.apiserver")
    probe = ("import sys, pytest, emulator.pytest_plugin; "
             f"print([m for m in {heavy!r} if m in sys.modules])")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            timeout=60)
    assert (result.returncode, result.stdout.strip()) == (0, "[]"), result.stderr
