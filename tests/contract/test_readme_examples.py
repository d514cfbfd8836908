"""The shell examples of README.md and docs/ run as written (the README's gcloud one is in
test_gcloud.py, its pytest one in tests/plugin/). tests/test_docs.py checks that every example is
either run here or marked as not run, with the reason."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests import realclients

pytestmark = pytest.mark.contract

CHECKOUT = Path(__file__).resolve().parents[2]
README = CHECKOUT / "README.md"
CONTROL_API = CHECKOUT / "docs" / "control-api.md"
REAL_CLUSTER = CHECKOUT / "docs" / "real-cluster.md"
CONTROLLERS = CHECKOUT / "docs" / "controllers.md"


def block(marker: str, document: Path = README) -> str:
    return document.read_text().split(f"<!-- {marker} -->")[1].split("```sh")[1].split("```")[0]


@pytest.fixture
def user_env(tmp_path: Path) -> dict[str, str]:
    """A user's environment: a private HOME and XDG_STATE_HOME (so the default state directory
    is under tmp_path), and on PATH `kubectl` (the newest one the SDK ships) and
    `connect-gateway-emulator`."""
    kubectls = realclients.kubectls()
    if not kubectls:
        pytest.skip("no kubectl.1.NN on this machine")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "kubectl").symlink_to(kubectls[-1].path)
    (bin_dir / "connect-gateway-emulator").write_text(
        f"#!/bin/sh\nexec {sys.executable} -m emulator \"$@\"\n")
    (bin_dir / "connect-gateway-emulator").chmod(0o755)
    home = tmp_path / "home"
    home.mkdir()
    return {**os.environ, "XDG_STATE_HOME": str(tmp_path / "xdg"), "HOME": str(home),
            "KUBECACHEDIR": str(home / "cache"), "PATH": f"{bin_dir}:{os.environ['PATH']}"}


@pytest.fixture
def serving(user_env: dict[str, str], tmp_path: Path) -> Iterator[dict[str, str]]:
    """`serve` with the default state directory, in the user's environment."""
    env = user_env
    server = subprocess.Popen([sys.executable, "-m", "emulator", "serve", "--port", "0",
                               "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, env=env)
    url_file = tmp_path / "xdg" / "connect-gateway-emulator" / "url"
    deadline = time.monotonic() + 20
    while not url_file.exists():
        assert time.monotonic() < deadline and server.poll() is None, "serve did not start"
        time.sleep(0.05)
    yield env
    server.terminate()
    server.communicate(timeout=20)


def test_quick_tour(serving: dict[str, str]) -> None:
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", block("kubectl-example")],
                            capture_output=True, text=True, env=serving, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "gke-connect" in result.stdout
    assert "alice@example.com" in result.stdout


def test_control_api_with_curl(serving: dict[str, str]) -> None:
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", block("curl-example", CONTROL_API)],
                            capture_output=True, text=True, env=serving, timeout=60)
    assert result.returncode == 0, result.stderr
    # curl prints each JSON answer without a newline: read them one after the other.
    answers, text, decoder = [], result.stdout.strip(), json.JSONDecoder()
    while text:
        answer, end = decoder.raw_decode(text)
        answers.append(answer)
        text = text[end:].strip()
    assert len(answers) == 2 and all("error" not in answer for answer in answers), answers


def test_the_clock_moves_with_curl(serving: dict[str, str]) -> None:
    """docs/controllers.md: the clock moved five minutes on, as ``now`` in the answer shows."""
    before = datetime.now(UTC)
    result = subprocess.run(["bash", "-euo", "pipefail", "-c",
                             block("clock-example", CONTROLLERS)],
                            capture_output=True, text=True, env=serving, timeout=60)
    assert result.returncode == 0, result.stderr
    now = datetime.strptime(json.loads(result.stdout)["now"], "%Y-%m-%dT%H:%M:%SZ")
    moved = now.replace(tzinfo=UTC) - before
    assert timedelta(seconds=299) <= moved <= timedelta(seconds=360), moved


def test_standalone_apiserver_and_agent_rbac(user_env: dict[str, str], tmp_path: Path) -> None:
    """docs/real-cluster.md: `apiserver` as written, then the `agent-rbac ... | kubectl apply`
    example applied to it (kubectl's current context is the apiserver's admin)."""
    state = tmp_path / "xdg" / "connect-gateway-emulator" / "apiserver"
    with (tmp_path / "apiserver.out").open("w") as out:
        server = subprocess.Popen(["bash", "-euo", "pipefail", "-c",
                                   "exec " + block("apiserver-example", REAL_CLUSTER).strip()],
                                  stdout=out, stderr=subprocess.STDOUT, text=True, env=user_env)
    try:
        deadline = time.monotonic() + 20
        while not (state / "kubeconfig").exists():
            assert server.poll() is None, (tmp_path / "apiserver.out").read_text()
            assert time.monotonic() < deadline, "apiserver did not start"
            time.sleep(0.05)
        env = {**user_env, "KUBECONFIG": str(state / "kubeconfig")}
        applied = subprocess.run(["bash", "-euo", "pipefail", "-c",
                                  block("agent-rbac-example", REAL_CLUSTER)],
                                 capture_output=True, text=True, env=env, timeout=120)
        assert applied.returncode == 0, applied.stderr
        for who in ("alice", "bob", "sre"):
            for kind in ("clusterrole", "clusterrolebinding"):
                assert (f"{kind}.rbac.authorization.k8s.io/gateway-impersonate-my-project_{who}_"
                        "my-cluster created") in applied.stdout, applied.stdout
        bound = subprocess.run(["kubectl", "get", "clusterrolebinding",
                                "gateway-permission-my-project_sre_my-cluster",
                                "-o", "jsonpath={.roleRef.name}"],
                               capture_output=True, text=True, env=env, timeout=60)
        assert bound.stdout == "view", bound.stderr
    finally:
        server.terminate()
        server.wait(timeout=20)
