"""Finding the real client binaries: the ``kubectl.1.NN`` the Google Cloud SDK ships next to
``gcloud`` (``CGW_SDK_BIN`` points at another ``bin/``), else ``kubectl`` on PATH. The test suite
finds its clients through here too."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path


def sdk_bin() -> Path | None:
    override = os.environ.get("CGW_SDK_BIN")
    if override:
        return Path(override)
    gcloud = shutil.which("gcloud")
    return Path(gcloud).resolve().parent if gcloud else None


def bundled_kubectls() -> list[tuple[int, Path]]:
    """(minor, path) of every executable ``kubectl.1.NN`` in the SDK's ``bin/``, oldest first."""
    directory = sdk_bin()
    if directory is None or not directory.is_dir():
        return []
    found = []
    for path in directory.glob("kubectl.1.*"):
        match = re.fullmatch(r"kubectl\.1\.(\d+)", path.name)
        if match and os.access(path, os.X_OK):
            found.append((int(match.group(1)), path))
    return sorted(found)


def find_kubectl() -> Path | None:
    """The newest bundled kubectl, else ``kubectl`` on PATH."""
    bundled = bundled_kubectls()
    if bundled:
        return bundled[-1][1]
    found = shutil.which("kubectl")
    return Path(found) if found else None
