"""Repository-only test wiring: real-client discovery. (The plugin registers itself; not here.)"""

from __future__ import annotations

import pytest

from tests import realclients


def pytest_configure(config: pytest.Config) -> None:
    if realclients.required():
        missing = []
        if realclients.sdk_bin() is None:
            missing.append("gcloud (not on PATH; set CGW_SDK_BIN to the SDK's bin/)")
        elif not realclients.kubectls():
            missing.append(f"kubectl.1.NN in {realclients.sdk_bin()}")
        if missing:
            raise pytest.UsageError(
                f"{realclients.REQUIRE_ENV}=1 but real clients are missing: {', '.join(missing)}")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test that asks for ``kubectl`` runs once per kubectl minor on the machine."""
    if "kubectl" in metafunc.fixturenames:
        found = realclients.kubectls()
        if found:
            metafunc.parametrize("kubectl", found, ids=[k.id for k in found])
        else:
            metafunc.parametrize("kubectl", [pytest.param(None, marks=pytest.mark.skip(
                reason="no kubectl.1.NN found (install the Google Cloud SDK)"))])
