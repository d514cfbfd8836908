"""Every built-in scenario's own expectations hold with the real kubectl, and the `scenarios`
command reports them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from emulator import messages
from emulator.scenario import loader
from emulator.clients import find_kubectl
from emulator.scenario.check import check

pytestmark = pytest.mark.contract

WITH_EXPECTATIONS = [n for n in loader.builtin_names() if loader.load(n).expectations]


def kubectl() -> Path:
    found = find_kubectl()
    if found is None:
        pytest.skip("no kubectl on this machine")
    return found


@pytest.mark.parametrize("name", WITH_EXPECTATIONS)
def test_scenario_expectations_hold(name: str) -> None:
    outcomes = check(loader.load(name), kubectl())
    assert outcomes, name
    failed = [o.line() for o in outcomes if not o.passed]
    assert not failed, "\n".join(failed)


def scenarios_command(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "emulator", "scenarios", *args],
                          capture_output=True, text=True, timeout=timeout)


def test_a_false_expectation_fails_with_a_reason(tmp_path: Path) -> None:
    scenario = tmp_path / "wrong.yaml"
    scenario.write_text("extends: quickstart\nexpect:\n  - run: kubectl get ns\n"
                        "    as: alice@example.com\n    stdout_contains: [no-such-namespace]\n")
    result = scenarios_command("check", str(scenario), timeout=120)
    assert result.returncode == 1
    assert result.stdout.splitlines()[0] == messages.CHECK_LINE.format(
        verdict="FAIL", scenario="wrong", line=3, command="kubectl get ns",
        principal="alice@example.com")
    assert "stdout lacks 'no-such-namespace'" in result.stdout
    assert result.stdout.splitlines()[-1] == messages.CHECK_SUMMARY.format(passed=0, failed=1)


def test_list_and_show() -> None:
    listed = scenarios_command("list")
    assert listed.returncode == 0
    assert [line.split()[0] for line in listed.stdout.splitlines()] == loader.builtin_names()
    shown = scenarios_command("show", "iam-denied")
    assert shown.stdout == loader.builtin_dir().joinpath("iam-denied.yaml").read_text()


def test_a_broken_scenario_is_file_and_line(tmp_path: Path) -> None:
    scenario = tmp_path / "broken.yaml"
    scenario.write_text("extends: quickstart\nexpect:\n  - run: gcloud info\n"
                        "    as: alice@example.com\n")
    result = scenarios_command("check", str(scenario))
    assert result.returncode == 2
    assert result.stderr.strip() == "error: " + messages.SCENARIO_INVALID.format(
        path=scenario, line=3, reason=messages.SCENARIO_COMMAND_NOT_KUBECTL.format(
            command="gcloud"))
