"""The serving commands' malloc setting: ConfigMaps of almost a megabyte created and deleted
through the gateway leave the process's resident memory, where without the setting most of it
stays. Each run is its own process, since the setting is the whole process's."""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import gc, json, sys
from pathlib import Path
from starlette.testclient import TestClient
from emulator import process_memory
from emulator.app import create_app
from emulator.scenario import loader
from emulator.state import EmulatorState

def rss():
    return next(int(line.split()[1]) for line in Path("/proc/self/status").read_text().splitlines()
                if line.startswith("VmRSS:"))

if sys.argv[1] == "set":
    assert process_memory.return_large_blocks()
client = TestClient(create_app(EmulatorState(loader.load("quickstart"))))
path = ("/v1/projects/123456789012/locations/global/memberships/my-cluster"
        "/api/v1/namespaces/default/configmaps")
alice = {"Authorization": "Bearer ya29.fake-alice"}
client.get(path, headers=alice)
before = rss()
for i in range(40):
    client.post(path, headers=alice, json={"apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": f"large-{i}"}, "data": {"v": "x" * (900 * 1024)}})
peak = rss()
for i in range(40):
    client.delete(f"{path}/large-{i}", headers=alice)
gc.collect()
print(json.dumps({"grown": peak - before, "kept": rss() - before}))
"""


def probe(mode: str) -> dict[str, int]:
    result = subprocess.run([sys.executable, "-c", PROBE, mode], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_deleted_large_objects_leave_resident_memory() -> None:
    with_setting, without = probe("set"), probe("unset")
    assert with_setting["grown"] > 30_000  # KiB: the objects were resident
    assert with_setting["kept"] < with_setting["grown"] / 2
    assert without["kept"] > with_setting["kept"]  # the probe tells the two apart
