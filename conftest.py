"""Repository-only test wiring: real-client discovery. (The plugin registers itself; not here.)"""

from __future__ import annotations

import pytest

from emulator import clients
from tests import realclients, realcluster


def pytest_addoption(parser: pytest.Parser) -> None:
    realcluster.add_option(parser)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{realcluster.MOCK_ONLY}(reason): needs what only the "
                            "mock can seed; skipped under --real-cluster")
    if realcluster.target(config) is not None and (config.getoption("numprocesses", None) or 0) > 1:
        raise pytest.UsageError(f"{realcluster.OPTION} shares one cluster between all tests: run "
                                "it with -n 0")
    if realclients.required():
        missing = []
        if clients.sdk_bin() is None:
            missing.append("gcloud (not on PATH; set CGW_SDK_BIN to the SDK's bin/)")
        elif not realclients.kubectls():
            missing.append(f"kubectl.1.NN in {clients.sdk_bin()}")
        if realclients.kpt() is None:
            missing.append("kpt (gcloud components install kpt)")
        if missing:
            raise pytest.UsageError(
                f"{realclients.REQUIRE_ENV}=1 but real clients are missing: {', '.join(missing)}")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test that asks for ``kubectl`` runs once per kubectl minor on the machine, and
    every test on the served emulator once per cluster backend: embedded and remote (the
    standalone mock over TLS), or only the real cluster under ``--real-cluster``."""
    if "served_emulator" in metafunc.fixturenames:
        backends = (["real"] if realcluster.target(metafunc.config) is not None
                    else ["embedded", "remote"])
        metafunc.parametrize("served_emulator", backends, indirect=True, scope="session")
    if "kubectl" in metafunc.fixturenames:
        found = realclients.kubectls()
        if found:
            metafunc.parametrize("kubectl", found, ids=[k.id for k in found])
        else:
            metafunc.parametrize("kubectl", [pytest.param(None, marks=pytest.mark.skip(
                reason="no kubectl.1.NN found (install the Google Cloud SDK)"))])
