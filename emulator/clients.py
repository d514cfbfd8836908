"""Finding the real kubectl to run: the newest ``kubectl.1.NN`` the Google Cloud SDK ships next
to ``gcloud`` (``CGW_SDK_BIN`` points at another ``bin/``), else ``kubectl`` on PATH."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path


def find_kubectl() -> Path | None:
    sdk_bin = os.environ.get("CGW_SDK_BIN")
    gcloud = shutil.which("gcloud")
    directory = Path(sdk_bin) if sdk_bin else (Path(gcloud).resolve().parent if gcloud else None)
    versions: list[tuple[int, Path]] = []
    if directory is not None and directory.is_dir():
        for path in directory.glob("kubectl.1.*"):
            match = re.fullmatch(r"kubectl\.1\.(\d+)", path.name)
            if match and os.access(path, os.X_OK):
                versions.append((int(match.group(1)), path))
    if versions:
        return max(versions)[1]
    found = shutil.which("kubectl")
    return Path(found) if found else None
