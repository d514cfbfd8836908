"""The benchmark scripts still run (their numbers are printed, never asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from emulator.clients import find_kubectl
from tests import realclients

ROOT = Path(__file__).resolve().parents[1]


def test_startup_benchmark_reports_its_ratios() -> None:
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "startup.py"), "--runs", "1"],
                            capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert set(report) == {"serve_to_first_request_s", "bare_process_to_first_request_s",
                           "in_process_start_s", "bare_in_process_start_s",
                           "serve_ratio_to_bare", "in_process_ratio_to_bare",
                           "plugin_import_s", "pytest_import_s",
                           "plugin_ratio_to_pytest_import", "first_in_process_start_s",
                           "first_in_process_ratio_to_bare"}
    assert all(value > 0 for value in report.values())


def test_stream_benchmark_reports_its_ratios() -> None:
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "streams.py"), "--mib", "1",
                             "--runs", "1"], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["file_mib"] == 1
    assert report["throughput_ratio_gateway_to_direct"] > 0
    assert report["stream_open_ratio_to_plain_request"] > 0


def test_lifecycle_benchmark_reports_its_ratios() -> None:
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "lifecycle.py"), "--runs",
                             "2", "--tests", "3", "--sessions", "1"], capture_output=True,
                            text=True, timeout=300, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["session_start_ratio_to_bare"] > 0 and report["reset_ratio_to_one_request"] > 0
    assert report["fixture_overhead_per_test_s"] != 0 and report["one_more_fixture_test_s"] != 0
    assert set(report["pytest_s"]) == {"bare_3", "fixture_3", "fixture_6", "bare_request_3",
                                       "fixture_request_3"}


def test_remote_benchmark_reports_its_ratios() -> None:
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "remote.py"), "--runs", "5",
                             "--rounds", "1", "--seconds", "0.3"],
                            capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert set(report) == {"requests", "direct_ms", "gateway_remote_ms", "gateway_embedded_ms",
                           "added_ms", "ratio_gateway_to_direct", "ratio_remote_to_embedded",
                           "ratio_embedded_to_direct", "direct_new_connection_ms",
                           "gateway_remote_new_connection_ms",
                           "ratio_gateway_to_direct_new_connection", "clients_8", "clients_32",
                           "bare_server_ms", "ratio_floor_to_direct"}
    # added_ms is a difference of two measurements: a number, of either sign.
    assert isinstance(report.pop("added_ms"), float)
    loads = [report.pop("clients_8"), report.pop("clients_32")]
    assert all(value > 0 for value in report.values())
    for load in loads:
        assert {"direct_rps", "gateway_remote_rps", "ratio_remote_to_direct",
                "cpu_ms_per_request_remote"} <= set(load)
        assert all(value > 0 for value in load.values())


def test_abandon_benchmark_reports_its_counts() -> None:
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "abandon.py"), "--clients",
                             "30", "--runs", "2"], capture_output=True, text=True, timeout=180,
                            cwd=ROOT)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["clients"] == 30 and report["abandoned"] > 0
    assert isinstance(report["upstream_connections_left"], int)
    assert report["ratio_after_to_before"] > 0


def test_fuzz_run_reports_its_counts() -> None:
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "fuzz.py"), "--requests",
                             "40", "--seed", "7"], capture_output=True, text=True, timeout=300,
                            cwd=ROOT)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["seed"] == 7 and report["requests"] == 40
    assert sum(report["by_status"].values()) + report["no_answer"] == 40
    assert isinstance(report["tracebacks_in_server_log"], int)
    assert report["memory"]["rss_before_kib"] > 0


def test_registry_benchmark_reports_ratios_to_its_baseline() -> None:
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "registry.py"), "--runs",
                             "3", "--lists", "1", "--pods", "50"], capture_output=True, text=True,
                            timeout=300, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    ratios = report["ratios (this checkout / baseline)"]
    assert set(ratios) == {"idle_rss_mib", "get_ms", "table_list_s"}
    assert all(value > 0 for value in ratios.values())


def test_schema_benchmark_reports_ratios_to_a_plain_parse() -> None:
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "schema.py"), "--minor",
                             "29"], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["definitions"] > 500 and report["v3_documents"] > 15
    assert all(value > 0 for value in report["ratios (to the plain parse)"].values())


def test_apply_benchmark_reports_server_side_against_client_side() -> None:
    if find_kubectl() is None and not realclients.required():
        pytest.skip("the apply benchmark runs kubectl; none found (install the Google Cloud SDK)")
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "apply.py"), "--objects",
                             "4", "--runs", "1"], capture_output=True, text=True, timeout=300,
                            cwd=ROOT)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["objects"] == 4
    ratios = report["ratios (server-side / client-side)"]
    assert set(ratios) == {"first_apply_s", "reapply_s"}
    assert all(value > 0 for value in ratios.values())


def test_controllers_benchmark_reports_the_rollout_and_idle_cpu() -> None:
    if find_kubectl() is None and not realclients.required():
        pytest.skip("the controllers benchmark runs kubectl; none found (install the Google "
                    "Cloud SDK)")
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "controllers.py"),
                             "--replicas", "3", "--runs", "1", "--idle", "0.2"],
                            capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["replicas"] == 3
    assert report["rollout to all Ready (s)"]["ratio"] > 0
    assert set(report["idle server CPU (s over the idle period)"]) == {
        "idle_seconds", "with the deployment running", "baseline: quickstart world only",
        "ratio"}


def test_lists_benchmark_reports_pages_kubectl_and_memory() -> None:
    if find_kubectl() is None and not realclients.required():
        pytest.skip("the lists benchmark runs kubectl; none found (install the Google Cloud SDK)")
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "lists.py"), "--sizes",
                             "60,600", "--kubectl-pods", "600", "--kubectl-runs", "1",
                             "--memory-pods", "50", "--runs", "1"],
                            capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert [size["pods"] for size in report["sizes"]] == [60, 600]
    for size in report["sizes"]:
        for server in ("gateway", "direct"):
            assert all(value > 0 for value in size[server]["ratios_to_one_get"].values())
    assert report["sizes"][1]["kubectl"]["pages"] == 2
    # A few pods may fit in memory the process already had: a number, of either sign.
    assert isinstance(report["memory"]["rss_growth_kib_per_pod"], float | int)


def test_watches_benchmark_reports_its_ratios() -> None:
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "watches.py"), "--watchers",
                             "5", "--creates", "5", "--runs", "1"],
                            capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert set(report) == {"watchers", "creates", "runs", "gateway_s", "direct_s",
                           "ratio_gateway_to_direct", "gateway_creates_s", "direct_creates_s",
                           "creates_ratio_gateway_to_direct", "gateway_server_cpu_s",
                           "direct_server_cpu_s", "server_cpu_ratio_gateway_to_direct"}
    assert (report["watchers"], report["creates"], report["runs"]) == (5, 5, 1)
    # Server CPU is counted in ticks of 10 ms, which so small a run may not reach.
    cpu = [report.pop(key) for key in ("gateway_server_cpu_s", "direct_server_cpu_s",
                                       "server_cpu_ratio_gateway_to_direct")]
    assert all(value is None or value >= 0 for value in cpu)
    assert all(value > 0 for value in report.values())


def test_overhead_benchmark_reports_the_gateways_own_work() -> None:
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "overhead.py"),
                             "--requests", "5", "--rounds", "1"],
                            capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["requests"], report["rounds"]) == (5, 1)
    for kind in ("get", "create"):
        figures = report[kind]
        assert set(figures) == {"gateway_us", "direct_us", "added_us", "ratio_gateway_to_direct"}
        assert figures["gateway_us"] > 0 and figures["direct_us"] > 0
        assert figures["ratio_gateway_to_direct"] > 0
