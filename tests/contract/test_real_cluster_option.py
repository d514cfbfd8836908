"""``pytest --real-cluster``: the contract suite against a cluster it did not build.

A bare standalone mock (no agent, no seeds, as kind starts) stands in for the real cluster: the
option must seed it, run the suite through the remote backend, skip what needs the mock by name,
and leave the cluster as it found it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.cliprocesses import Processes, start_apiserver
from tests.harness import KubectlRunner
from tests import realclients

pytestmark = pytest.mark.contract

ROOT = Path(__file__).resolve().parents[2]
BARE = ROOT / "tests" / "fixtures" / "bare-cluster.yaml"


def run_suite(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p",
                           "no:cacheprovider", "-rs", *args], capture_output=True, text=True,
                          timeout=600, cwd=ROOT)


def test_the_suite_runs_against_a_cluster_it_seeds_and_cleans(
        processes: Processes, tmp_path: Path) -> None:
    found = realclients.kubectls()
    if not found:
        pytest.skip("no kubectl.1.NN on this machine")
    directory = tmp_path / "cluster"
    start_apiserver(processes, directory, str(BARE))
    kubeconfig = directory / "kubeconfig"
    admin = KubectlRunner(found[-1], tmp_path)
    assert admin.run(kubeconfig, "get", "namespace", "gke-connect").returncode == 1

    # Custom resources and server-side apply too, with the newest kubectl (every kubectl runs
    # them against the mocks).
    result = run_suite("-n", "0", "--real-cluster", str(kubeconfig),
                       "tests/contract/test_kubectl_basics.py",
                       "tests/contract/test_stream_cases.py",
                       "tests/contract/test_custom_resources.py",
                       "tests/contract/test_server_side_apply.py",
                       "-k", f"not test_custom_resources and not test_server_side_apply "
                             f"or kubectl-1.{found[-1].minor}")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    summary = result.stdout.strip().splitlines()[-1]
    assert " passed" in summary and " failed" not in summary, summary
    # Only what needs the mock is skipped, and each skip says why.
    skips = [line for line in result.stdout.splitlines() if line.startswith("SKIPPED")]
    assert skips and all("needs the mock" in line or "looks inside the mock" in line
                         or "seeds its own cluster" in line for line in skips), skips
    # The quickstart objects went in through the option, and out again at the end.
    assert admin.run(kubeconfig, "get", "pod", "web").returncode == 1
    leftovers = admin.run(kubeconfig, "get", "clusterrolebinding", "gateway-impersonate")
    assert leftovers.returncode == 1, leftovers.stdout


def test_real_cluster_refuses_parallel_workers(tmp_path: Path) -> None:
    result = run_suite("-n", "2", "--real-cluster", str(tmp_path / "kubeconfig"),
                       "tests/contract/test_kubectl_basics.py")
    assert result.returncode == 4  # pytest's usage error
    assert "--real-cluster shares one cluster between all tests: run it with -n 0" in (
        result.stderr)
