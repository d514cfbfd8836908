"""What a wheel carries and how the package reports itself; the wheel itself is built and used from
a fresh virtualenv by .ci/wheel-smoke/run."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import emulator
from emulator import messages
from emulator.scenario import loader

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_every_package_is_listed_for_the_wheel() -> None:
    on_disk = {".".join(path.parent.relative_to(ROOT).parts)
               for path in (ROOT / "emulator").rglob("__init__.py")}
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    assert listed == on_disk | {loader.BUILTIN_PACKAGE}


def test_the_built_in_scenarios_are_the_top_level_folder() -> None:
    setuptools = PYPROJECT["tool"]["setuptools"]
    assert setuptools["package-dir"] == {loader.BUILTIN_PACKAGE: "scenarios"}
    assert loader.builtin_names() == sorted(p.stem for p in (ROOT / "scenarios").glob("*.yaml"))
    # Every file a scenario refers to is packaged too.
    data = setuptools["package-data"][loader.BUILTIN_PACKAGE]
    packaged = {p for pattern in data for p in (ROOT / "scenarios").glob(pattern)}
    assert packaged == {p for p in (ROOT / "scenarios").rglob("*") if p.suffix == ".yaml"}


@pytest.mark.parametrize("package", ["emulator.no_such_package", "emulator.iam"])
def test_an_install_without_scenarios_says_so(monkeypatch: pytest.MonkeyPatch,
                                               package: str) -> None:
    monkeypatch.setattr(loader, "BUILTIN_PACKAGE", package)
    expected = messages.SCENARIO_NO_BUILTINS.format(package=package)
    with pytest.raises(loader.ScenarioError) as listing:
        loader.builtin_names()
    assert str(listing.value) == expected
    with pytest.raises(loader.ScenarioError) as loading:
        loader.load("quickstart")
    assert str(loading.value) == expected


def test_scenarios_list_without_scenarios_is_an_error() -> None:
    """`scenarios list` on a broken install: exit 2 and the reason, never silence."""
    script = ("import sys; from emulator.scenario import loader; from emulator import cli; "
              "loader.BUILTIN_PACKAGE = 'emulator.iam'; sys.exit(cli.main(['scenarios', 'list']))")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == "error: " + messages.SCENARIO_NO_BUILTINS.format(
        package="emulator.iam") + "\n"


def test_version_is_written_once() -> None:
    assert PYPROJECT["project"]["dynamic"] == ["version"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {
        "attr": "emulator.__version__"}
    # The installed metadata agrees (an editable install is rebuilt when the version changes).
    assert importlib.metadata.version("connect-gateway-emulator") == emulator.__version__


def test_version_flag() -> None:
    result = subprocess.run([sys.executable, "-m", "emulator", "--version"],
                            capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stdout) == (
        0, f"connect-gateway-emulator {emulator.__version__}\n")


def test_the_changelog_starts_with_this_version() -> None:
    headings = [line for line in (ROOT / "CHANGELOG.md").read_text().splitlines()
                if line.startswith("## ")]
    assert headings[0].startswith(f"## {emulator.__version__} ")
