"""The gateway in front of a standalone mock apiserver over the network (issue #7), as kubectl
sees it: the apiserver's audit names the agent and the Google principal; an upstream that stops
gives the documented agent-side error and a log line, and is used again once it is back."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from emulator import messages
from emulator.runner import ServedApp, serve_emulator
from emulator.scenario import loader
from emulator.standalone.server import serve_apiserver
from tests.harness import FrontedState, KubectlRunner, Served, serve_upstream, wait_until

pytestmark = pytest.mark.contract

QUICKSTART = loader.load("quickstart")
AGENT = "system:serviceaccount:gke-connect:connect-agent-sa"
CONFIGMAP = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: audited, namespace: default}
data: {a: b}
"""


class Fronted:
    """A gateway whose my-cluster is a standalone mock this test may stop and start again."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        upstream, served = serve_upstream(QUICKSTART, "my-cluster", tmp)
        self.standalone = upstream.standalone
        self.upstream: ServedApp | None = served
        self.port = served.port
        self.state = FrontedState(QUICKSTART, {"my-cluster": upstream})
        self.served = Served(self.state, serve_emulator(self.state), tmp, "remote",
                             (self.upstream,))

    def stop_upstream(self) -> None:
        assert self.upstream is not None
        self.upstream.stop()
        self.upstream = None

    def start_upstream(self) -> None:
        # Same port, same CA (tls_dir): the apiserver came back, as after a restart.
        self.upstream = serve_apiserver(self.standalone, port=self.port,
                                        tls_dir=self.tmp / "my-cluster-tls")

    def agent_log(self) -> list[str]:
        membership = self.state.membership("my-cluster")
        assert membership is not None
        return membership.agent_log.lines()

    def close(self) -> None:
        self.served.server.stop()
        if self.upstream is not None:
            self.upstream.stop()


@pytest.fixture
def fronted(tmp_path: Path) -> Iterator[Fronted]:
    handle = Fronted(tmp_path)
    yield handle
    handle.close()



def test_the_apiserver_audit_shows_the_agent_acting_for_the_principal(
        fronted: Fronted, newest: KubectlRunner, tmp_path: Path) -> None:
    config = fronted.served.kubeconfig(track="v1beta1")
    manifest = tmp_path / "cm.yaml"
    manifest.write_text(CONFIGMAP)
    copied = tmp_path / "copied.txt"
    copied.write_text("through the agent\n")
    commands = [("get", "pods"), ("apply", "-f", str(manifest)), ("logs", "web"),
                ("get", "pods", "--watch", "--request-timeout=2s"),
                ("exec", "web", "--", "ls", "/"), ("cp", str(copied), "web:/tmp/copied.txt"),
                ("delete", "-f", str(manifest))]
    for command in commands:
        result = newest.run(config, *command)
        # A watch ended by --request-timeout exits 0 or 1 depending on the version; it ran.
        assert result.returncode == 0 or "--watch" in command, (command, result.stderr)
    events = fronted.standalone.audit.events()
    seen = {(e.verb, e.request_uri.split("?")[0]) for e in events}
    for verb, path in [("get", "/api/v1/namespaces/default/pods"),
                       ("create", "/api/v1/namespaces/default/configmaps"),
                       ("get", "/api/v1/namespaces/default/pods/web/log"),
                       ("watch", "/api/v1/namespaces/default/pods"),
                       ("get", "/api/v1/namespaces/default/pods/web/exec"),
                       ("delete", "/api/v1/namespaces/default/configmaps/audited")]:
        assert (verb, path) in seen, (verb, path, sorted(seen))
    # The agent's own token came from TokenRequest, asked with the kubeconfig's admin credentials;
    # everything else arrived as the agent acting for alice. Alice's Google token never did.
    token_requests = [e for e in events if e.request_uri.endswith("/connect-agent-sa/token")]
    assert [e.user for e in token_requests] == ["kubernetes-admin"]
    # (The server's own readiness probe, GET / without credentials, is not a relayed request.)
    relayed = [e for e in events if e not in token_requests and e.request_uri != "/"]
    assert len(relayed) >= len(commands)
    assert [e.line() for e in relayed if (e.user, e.impersonated_user) != (
        AGENT, "alice@example.com")] == []
    assert fronted.standalone.cluster.store.get(("", "configmaps"), "default", "audited") is None


def test_a_stopped_upstream_gives_the_agent_side_error_then_recovers(
        fronted: Fronted, newest: KubectlRunner) -> None:
    config = fronted.served.kubeconfig()
    assert newest.run(config, "get", "pods").returncode == 0
    fronted.stop_upstream()

    failed = newest.run(config, "get", "pods", "web")
    assert failed.returncode == 1
    assert failed.stderr.strip() == f"Error from server (BadRequest): {messages.CLUSTER_ERROR}"
    cause = messages.REMOTE_CAUSE_REFUSED.format(address=f"127.0.0.1:{fronted.port}")
    assert fronted.agent_log()[-1].endswith(messages.AGENT_LOG_UPSTREAM_FAILED.format(cause=cause))
    record = fronted.state.audit.records()[-1]
    assert (record.status, record.error_id) == (400, "cluster-unreachable")
    # The gateway itself keeps serving: another membership (embedded) answers.
    other = newest.run(fronted.served.kubeconfig("old-cluster"), "get", "pods")
    assert other.returncode == 0, other.stderr

    fronted.start_upstream()
    back = newest.run(config, "get", "pods", "web")
    assert back.returncode == 0, back.stderr
    assert back.stdout.split()[5:8] == ["web", "1/1", "Running"]


def test_a_stopped_upstream_fails_a_new_stream_with_the_websocket_log_line(
        fronted: Fronted, newest: KubectlRunner) -> None:
    config = fronted.served.kubeconfig(track="v1beta1")
    assert newest.run(config, "get", "pods").returncode == 0  # discovery is cached from here on
    fronted.stop_upstream()
    # kubectl reads the pod first; that plain request already fails the documented way.
    failed = newest.run(config, "exec", "web", "--", "ls")
    assert failed.returncode == 1
    assert messages.CLUSTER_ERROR in failed.stderr
    fronted.start_upstream()
    assert newest.run(config, "exec", "web", "--", "ls").returncode == 0


def test_an_upstream_that_stops_mid_stream_ends_it_with_the_agent_side_error(
        fronted: Fronted, newest: KubectlRunner) -> None:
    config = fronted.served.kubeconfig(track="v1beta1")
    session = subprocess.Popen([str(newest.binary.path), "exec", "-i", "web", "--", "cat"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=newest.env(config))
    try:
        assert session.stdin is not None and session.stdout is not None
        session.stdin.write("before\n")
        session.stdin.flush()
        assert session.stdout.readline() == "before\n"
        fronted.stop_upstream()
        _, stderr = session.communicate(timeout=30)
    finally:
        if session.poll() is None:
            session.kill()
            session.communicate(timeout=10)
    assert session.returncode == 1
    assert stderr.strip() == f"error: {messages.AGENT_UPSTREAM_INTERRUPTED}"
    # The gateway finishes its bookkeeping (audit record, agent log) once the relay has ended,
    # which can be a moment after kubectl has its answer and exits.
    wait_until(lambda: any(r.k8s_path.endswith("/exec") for r in fronted.state.audit.records()),
               "no audit record for the exec")
    assert any(line.endswith(messages.AGENT_LOG_UPSTREAM_FAILED.format(
        cause=messages.AGENT_UPSTREAM_STREAM_LOST)) for line in fronted.agent_log())
    stream = next(r for r in reversed(fronted.state.audit.records()) if r.k8s_path.endswith(
        "/exec"))
    assert stream.error_id == "cluster-unreachable"
    assert fronted.state.quota.active("123456789012") == 0


def test_a_watch_cut_by_the_upstream_ends_and_is_logged(fronted: Fronted,
                                                        newest: KubectlRunner) -> None:
    failed = messages.AGENT_LOG_UPSTREAM_FAILED.format(cause="")
    watcher = newest.popen(fronted.served.kubeconfig(), "get", "pods", "--watch")
    try:
        assert watcher.stdout is not None
        assert watcher.stdout.readline().split()[:2] == ["NAME", "READY"]
        assert watcher.stdout.readline().split()[0] == "web"
        fronted.stop_upstream()
        watcher.wait(timeout=30)
    finally:
        if watcher.poll() is None:
            watcher.kill()
        watcher.communicate(timeout=10)
    # Which request meets the stop first (the watch itself, or kubectl's next one) is a race;
    # whichever it is, the agent logs the failure with its cause.
    assert [line for line in fronted.agent_log() if failed in line], fronted.agent_log()
