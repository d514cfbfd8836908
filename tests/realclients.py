"""Finding the real client binaries on this machine: gcloud, its bundled kubectl.1.NN, the plugin.

gcloud's SDK ships ``kubectl.1.27`` … ``kubectl.1.33`` and ``gke-gcloud-auth-plugin`` in its
``bin/``. ``CGW_SDK_BIN`` points elsewhere if the SDK lives somewhere unusual.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from emulator.clients import bundled_kubectls

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


def required() -> bool:
    return os.environ.get(REQUIRE_ENV, "") == "1"
