"""Each troubleshooting case of the product page, as a user's test of under ten lines, in a fresh
project that only installs the package (issue #6)."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

CASES = '''
import pytest

def test_server_has_no_resource_type(connect_gateway):  # section 10, IAM on discovery
    result = connect_gateway.kubectl("get", "ns", as_="carol@example.com")
    assert "the server doesn't have a resource type" in result.stderr
    connect_gateway.assert_denied("carol@example.com", "gkehub.gateway.get")

@pytest.mark.connect_gateway(scenario="no-active-connection")
def test_no_active_connection(connect_gateway):
    result = connect_gateway.kubectl("get", "pods", "-v=9")
    assert "No active connection found for cluster (project: 123456789012, membership: my-cluster)" in result.stderr

@pytest.mark.connect_gateway(scenario="agent-not-authorized")
def test_agent_not_authorized(connect_gateway):
    connect_gateway.kubectl("get", "ns")
    result = connect_gateway.kubectl("get", "pods", as_="grace@example.com")
    assert 'User "system:serviceaccount:gke-connect:connect-agent-sa" cannot impersonate' in result.stderr

def test_rbac_permissions(connect_gateway):
    result = connect_gateway.kubectl("get", "pods", as_="dave@example.com")
    assert 'pods is forbidden: User "dave@example.com" cannot list resource "pods"' in result.stderr

def test_ga_track_gives_bad_request(connect_gateway):  # 9.1
    result = connect_gateway.kubectl("exec", "web", "--", "ls", track="v1")
    assert "Error 400 (Bad Request)" in result.stderr

def test_kubectl_without_websockets(connect_gateway):  # 9.2
    result = connect_gateway.kubectl("exec", "web", "--", "ls", track="v1beta1",
                                     env={"KUBECTL_REMOTE_COMMAND_WEBSOCKETS": "false"})
    assert "Error 400 (Bad Request)" in result.stderr

def test_missing_stream_permission(connect_gateway):  # 9.3
    result = connect_gateway.kubectl("exec", "web", "--", "ls", as_="bob@example.com", track="v1beta1")
    assert "error reading from error stream" in result.stderr

def test_error_within_the_cluster(connect_gateway):  # 9.4
    result = connect_gateway.kubectl("exec", "web", "--", "ls", membership="old-cluster", track="v1beta1")
    assert "generic::failed_precondition: error encountered within the cluster" in result.stderr
    log = connect_gateway.kubectl("logs", "-n", "gke-connect", "-l", "app=gke-connect-agent", "--tail", "-1", membership="old-cluster")
    assert "failed to create the websocket connection" in log.stdout

@pytest.mark.connect_gateway(scenario="exec-rbac")
def test_missing_exec_rbac(connect_gateway):  # 9.5
    connect_gateway.kubectl("exec", "web", "--", "ls", as_="olga@example.com", track="v1beta1")
    log = connect_gateway.kubectl("logs", "-n", "gke-connect", "-l", "app=gke-connect-agent", "--tail", "-1", as_="olga@example.com")
    assert "403 Forbidden" in log.stdout

@pytest.mark.connect_gateway(active_streams_quota=0)
def test_active_streams_quota(connect_gateway):  # 9.6
    result = connect_gateway.kubectl("exec", "web", "--", "ls", track="v1beta1")
    assert "generic::resource_exhausted: Gateway's active_streams quota exhausted" in result.stderr

@pytest.mark.connect_gateway(stream_timeout=1)
def test_session_cut_after_its_limit(connect_gateway):  # 9.7
    result = connect_gateway.kubectl("exec", "web", "--", "sleep", "10", track="v1beta1")
    assert "generic::failed_precondition: the connection to the Connect Agent was interrupted" in result.stderr
'''


def test_each_troubleshooting_case_in_a_few_lines(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_cases=CASES)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:benchmark")
    result.assert_outcomes(passed=11)
    bodies = [chunk for chunk in CASES.split("\ndef ")[1:]]
    assert all(len(body.strip().splitlines()) < 10 for body in bodies)
