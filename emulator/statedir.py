"""The state directory a running ``serve`` shares with ``kubeconfig`` (and later ``env``).

``serve`` writes ``ca.pem``, ``url``, ``proxy`` (the real-host proxy's ``http://127.0.0.1:PORT``,
when it runs one) and ``world.json`` (project, memberships and principals of the
scenario it started with) once it accepts connections, and removes ``url`` when it stops, so a
leftover directory is never mistaken for a running emulator. The commands prefer the running
server's own view of its world (the control API); world.json is the fallback.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from emulator.scenario.model import Scenario

CA_FILE = "ca.pem"
URL_FILE = "url"
PROXY_FILE = "proxy"
WORLD_FILE = "world.json"


def default_dir() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "connect-gateway-emulator"


def describe(scenario: Scenario) -> dict[str, Any]:
    return {
        "scenario": scenario.name,
        "project": {"id": scenario.project_id, "number": scenario.project_number},
        "memberships": [{"name": m.name, "location": m.location, "collection": m.collection}
                        for m in scenario.memberships],
        "principals": [{"email": p.email, "kind": p.kind, "token": p.token}
                       for p in scenario.principals],
    }


def publish(directory: Path, url: str, ca_pem: bytes, scenario: Scenario,
            proxy: str | None = None) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    write_whole(directory / CA_FILE, ca_pem)
    if proxy is not None:
        write_whole(directory / PROXY_FILE, (proxy + "\n").encode())
    else:  # a proxy of an earlier run is not this server's
        (directory / PROXY_FILE).unlink(missing_ok=True)
    # world.json holds bearer tokens: readable by the owner only.
    write_whole(directory / WORLD_FILE, json.dumps(describe(scenario), indent=2).encode(),
                private=True)
    write_whole(directory / URL_FILE, (url + "\n").encode())  # last: its presence means "serving"


def withdraw(directory: Path) -> None:
    (directory / URL_FILE).unlink(missing_ok=True)
    (directory / PROXY_FILE).unlink(missing_ok=True)


@dataclass(frozen=True)
class RunningEmulator:
    url: str
    ca_pem: bytes
    world: dict[str, Any]
    proxy: str | None = None  # the real-host proxy's URL


def read(directory: Path) -> RunningEmulator | None:
    try:
        url = (directory / URL_FILE).read_text().strip()
        ca_pem = (directory / CA_FILE).read_bytes()
        world = json.loads((directory / WORLD_FILE).read_text())
    except (OSError, ValueError):
        return None
    if not url:  # written by something other than publish(): not a running emulator
        return None
    try:
        proxy = (directory / PROXY_FILE).read_text().strip() or None
    except OSError:
        proxy = None
    return RunningEmulator(url, ca_pem, world, proxy)


def write_whole(path: Path, data: bytes, *, private: bool = False) -> None:
    """Write aside, then rename: whoever polls for ``path`` sees it whole or not at all, never
    the empty file an ordinary write shows for a moment. ``private`` files are owner-only from
    their first byte."""
    partial = path.with_name(f".{path.name}.partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
                         0o600 if private else 0o644)
    with os.fdopen(descriptor, "wb") as file:
        if private:
            os.fchmod(file.fileno(), 0o600)  # an older partial may have had other bits
        file.write(data)
    partial.replace(path)
