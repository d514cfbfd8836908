"""Finding the real client binaries on this machine: gcloud, its bundled kubectl.1.NN, the plugin,
kpt.

gcloud's SDK ships ``kubectl.1.27`` … ``kubectl.1.33``, ``gke-gcloud-auth-plugin`` and ``kpt`` in
its ``bin/``. ``CGW_SDK_BIN`` points elsewhere if the SDK lives somewhere unusual.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from emulator.clients import bundled_kubectls, sdk_bin

REQUIRE_ENV = "CGW_REQUIRE_REAL_CLIENTS"


@dataclass(frozen=True)
class Kubectl:
    minor: int
    path: Path

    @property
    def id(self) -> str:
        return f"kubectl-1.{self.minor}"


def kubectls() -> list[Kubectl]:
    return [Kubectl(minor, path) for minor, path in bundled_kubectls()]


def kpt() -> Path | None:
    """The SDK's ``kpt`` (its ``kpt`` component), else ``kpt`` on PATH."""
    directory = sdk_bin()
    if directory is not None and os.access(directory / "kpt", os.X_OK):
        return directory / "kpt"
    found = shutil.which("kpt")
    return Path(found) if found else None


def required() -> bool:
    return os.environ.get(REQUIRE_ENV, "") == "1"
