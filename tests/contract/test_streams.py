"""kubectl exec, attach, cp and port-forward through the gateway, with every kubectl on the machine
(issue #4). Each command either works or fails the way the product page says it does:

- v1 (GA) track: refused with 400 Bad Request;
- SPDY (kubectl 1.27/1.28, 1.29 without KUBECTL_REMOTE_COMMAND_WEBSOCKETS=true): 400 Bad Request;
- v1beta1 over WebSocket: works, except port-forward, which is never supported.
"""

from __future__ import annotations

import os
import pty
import select
import subprocess
import time
from pathlib import Path

import pytest

from tests.harness import KubectlRunner, Served

pytestmark = pytest.mark.contract

BAD_REQUEST = "<title>Error 400 (Bad Request)!!1</title>"
ENV_VARIANTS = {"default": {}, "ws-env": {"KUBECTL_REMOTE_COMMAND_WEBSOCKETS": "true"}}


def uses_websocket(minor: int, env: dict[str, str]) -> bool:
    if minor >= 30:
        return env.get("KUBECTL_REMOTE_COMMAND_WEBSOCKETS") != "false"
    return minor == 29 and env.get("KUBECTL_REMOTE_COMMAND_WEBSOCKETS") == "true"


@pytest.fixture(params=list(ENV_VARIANTS))
def env(request: pytest.FixtureRequest) -> dict[str, str]:
    return ENV_VARIANTS[request.param]


@pytest.fixture(params=["v1", "v1beta1"])
def track(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def works(kubectl_run: KubectlRunner, env: dict[str, str], track: str) -> bool:
    return track == "v1beta1" and uses_websocket(kubectl_run.binary.minor, env)


def assert_refused(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 1, result.stdout
    assert "unable to upgrade connection" in result.stderr
    assert BAD_REQUEST in result.stderr


def test_exec(gateway: Served, kubectl_run: KubectlRunner, env: dict[str, str], track: str) -> None:
    result = kubectl_run.run(gateway.kubeconfig(track=track), "exec", "web", "--", "hostname",
                             extra_env=env)
    if not works(kubectl_run, env, track):
        assert_refused(result)
        return
    assert (result.returncode, result.stdout, result.stderr) == (0, "web\n", "")


def test_exec_with_stdin(gateway: Served, kubectl_run: KubectlRunner, env: dict[str, str],
                         track: str) -> None:
    result = kubectl_run.run(gateway.kubeconfig(track=track), "exec", "-i", "web", "--",
                             "sh", "-c", "cat > /tmp/in.txt; wc -c < /tmp/in.txt",
                             stdin="through the gateway\n" * 3000, extra_env=env)
    if not works(kubectl_run, env, track):
        assert_refused(result)
        return
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(len("through the gateway\n") * 3000)


def test_exec_with_a_tty(gateway: Served, kubectl_run: KubectlRunner, env: dict[str, str],
                         track: str) -> None:
    rc, output = run_in_pty(kubectl_run, gateway.kubeconfig(track=track),
                            ["exec", "-it", "web", "--", "sh"], b"echo tty-$HOSTNAME\rexit 5\r",
                            env)
    if not works(kubectl_run, env, track):
        assert rc == 1
        assert "unable to upgrade connection" in output
        return
    assert "tty-web" in output
    assert rc == 5, output


def test_attach(gateway: Served, kubectl_run: KubectlRunner, env: dict[str, str],
                track: str) -> None:
    result = kubectl_run.run(gateway.kubeconfig(track=track), "attach", "-i", "web",
                             stdin="said through attach\n", extra_env=env)
    if not works(kubectl_run, env, track):
        assert_refused(result)
        return
    assert result.returncode == 0, result.stderr
    assert result.stdout == "said through attach\n"
    # The main process's output is the container log, so it shows in kubectl logs too.
    logs = kubectl_run.run(gateway.kubeconfig(), "logs", "web", "--tail=1")
    assert logs.stdout == "said through attach\n"


def test_cp_round_trip(gateway: Served, kubectl_run: KubectlRunner, env: dict[str, str],
                       track: str, tmp_path: Path) -> None:
    source = tmp_path / "payload"
    (source / "nested").mkdir(parents=True)
    (source / "blob.bin").write_bytes(bytes(range(256)) * 300)
    (source / "nested" / "note.txt").write_text("inner file\n")
    single = tmp_path / "single.txt"
    single.write_bytes(b"a single file\x00with a NUL\n")
    config = gateway.kubeconfig(track=track)
    to_pod = kubectl_run.run(config, "cp", str(source), "web:/tmp/payload", extra_env=env)
    if not works(kubectl_run, env, track):
        assert_refused(to_pod)
        return
    assert to_pod.returncode == 0, to_pod.stderr
    assert kubectl_run.run(config, "cp", str(single), "web:/tmp/single.txt",
                           extra_env=env).returncode == 0
    back = tmp_path / "back"
    from_pod = kubectl_run.run(config, "cp", "web:/tmp/payload", str(back), extra_env=env)
    assert from_pod.returncode == 0, from_pod.stderr
    assert (back / "blob.bin").read_bytes() == (source / "blob.bin").read_bytes()
    assert (back / "nested" / "note.txt").read_text() == "inner file\n"
    single_back = tmp_path / "single-back.txt"
    assert kubectl_run.run(config, "cp", "web:/tmp/single.txt", str(single_back),
                           extra_env=env).returncode == 0
    assert single_back.read_bytes() == single.read_bytes()


def test_port_forward_is_never_supported(gateway: Served, kubectl_run: KubectlRunner,
                                         env: dict[str, str], track: str) -> None:
    result = kubectl_run.run(gateway.kubeconfig(track=track), "port-forward", "pod/web",
                             "0:80", extra_env=env, timeout=30)
    assert result.returncode == 1
    assert "error upgrading connection" in result.stderr
    assert BAD_REQUEST in result.stderr
    record = next(r for r in reversed(gateway.state.audit.records())
                  if r.k8s_path.endswith("/portforward"))
    assert record.error_id == ("ga-track-stream" if track == "v1" else "port-forward")


def run_in_pty(kubectl_run: KubectlRunner, kubeconfig: Path, args: list[str], keys: bytes,
               env: dict[str, str], timeout: float = 30) -> tuple[int, str]:
    """Run kubectl on a pseudo-terminal (so -t is honoured), type ``keys``, collect output."""
    primary, secondary = pty.openpty()
    process = subprocess.Popen([str(kubectl_run.binary.path), *args], stdin=secondary,
                               stdout=secondary, stderr=secondary,
                               env=kubectl_run.env(kubeconfig, env), close_fds=True)
    os.close(secondary)
    output = bytearray()
    deadline = time.monotonic() + timeout
    typed = False
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([primary], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(primary, 4096)
                except OSError:
                    break  # the terminal closed: kubectl exited
                if not chunk:
                    break
                output += chunk
            if not typed and (b"# " in output or time.monotonic() > deadline - timeout + 3):
                os.write(primary, keys)
                typed = True
            if process.poll() is not None and not ready:
                break
        rc = process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
        os.close(primary)
    return rc, output.decode(errors="replace")

