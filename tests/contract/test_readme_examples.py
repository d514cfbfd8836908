"""The README's shell examples run as written against `serve` (the gcloud one is in
test_gcloud.py, the pytest one in tests/plugin/)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import realclients

pytestmark = pytest.mark.contract

README = Path(__file__).resolve().parents[2] / "README.md"


def block(marker: str) -> str:
    return README.read_text().split(f"<!-- {marker} -->")[1].split("```sh")[1].split("```")[0]


@pytest.fixture
def serving(tmp_path: Path) -> Iterator[dict[str, str]]:
    """`serve` with the default state directory under a private XDG_STATE_HOME, and kubectl on
    PATH as `kubectl` (the newest one the SDK ships)."""
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
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "xdg"), "HOME": str(home),
           "KUBECACHEDIR": str(home / "cache"), "PATH": f"{bin_dir}:{os.environ['PATH']}"}
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
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", block("curl-example")],
                            capture_output=True, text=True, env=serving, timeout=60)
    assert result.returncode == 0, result.stderr
    # curl prints each JSON answer without a newline: read them one after the other.
    answers, text, decoder = [], result.stdout.strip(), json.JSONDecoder()
    while text:
        answer, end = decoder.raw_decode(text)
        answers.append(answer)
        text = text[end:].strip()
    assert len(answers) == 2 and all("error" not in answer for answer in answers), answers
