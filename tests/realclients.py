"""Finding the real client binaries on this machine: gcloud, its bundled kubectl.1.NN, the plugin.

gcloud's SDK ships ``kubectl.1.27`` … ``kubectl.1.33`` and ``gke-gcloud-auth-plugin`` in its
``bin/``. ``CGW_SDK_BIN`` points elsewhere if the SDK lives somewhere unusual.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

REQUIRE_ENV = "CGW_REQUIRE_REAL_CLIENTS"


@dataclass(frozen=True)
class Kubectl:
    minor: int
    path: Path

    @property
    def id(self) -> str:
        return f"kubectl-1.{self.minor}"


def sdk_bin() -> Path | None:
    override = os.environ.get("CGW_SDK_BIN")
    if override:
        return Path(override)
    gcloud = shutil.which("gcloud")
    return Path(gcloud).resolve().parent if gcloud else None


def kubectls() -> list[Kubectl]:
    directory = sdk_bin()
    if directory is None or not directory.is_dir():
        return []
    found = []
    for path in directory.glob("kubectl.1.*"):
        match = re.fullmatch(r"kubectl\.1\.(\d+)", path.name)
        if match and os.access(path, os.X_OK):
            found.append(Kubectl(int(match.group(1)), path))
    return sorted(found, key=lambda k: k.minor)


def required() -> bool:
    return os.environ.get(REQUIRE_ENV, "") == "1"
