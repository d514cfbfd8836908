"""What kube's per-minor schema costs: load time and memory, and the OpenAPI documents made of it.

In a fresh process (so nothing is cached yet), for ``--minor`` (default 30):

- ``load_s`` / ``load_rss_kib``: ``schema_for(minor)``, the package's ``_definitions.json`` read
  and parsed once;
- ``v3_s`` / ``v3_rss_kib``: every /openapi/v3 group-version document of a cluster of that minor
  (the index hashes them all), with their total size;
- ``v2_s`` / ``v2_rss_kib``: /openapi/v2 as JSON and as gnostic protobuf;
- ``second_cluster_rss_kib``: another cluster of the same minor asking for all of it again (shared:
  about nothing);
- ``other_minor_load_s`` / ``other_minor_rss_kib``: the schema of the minor before.

Baseline, in another fresh process of the same run: the same ``_definitions.json`` read and
parsed with plain ``json.loads`` (``plain_s`` / ``plain_rss_kib``). The ratios put the schema's
load, and each OpenAPI form built from it, against that.

Run: ``python benchmarks/schema.py [--minor 30]``. Prints JSON; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROBE = r"""
import gc, json, sys, time
minor = int(sys.argv[1])


def rss_kib():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


from emulator.clock import FakeClock
from emulator.cluster.mock.wire import openapi, openapi_v2
from emulator.cluster.mock.apiserver import MockApiserver
from emulator.cluster.mock.registry.schema import nearest_minor, schema_for

version = f"v1.{minor}.0"
nearest_minor(minor)  # finds the package's folder, as the baseline does before its clock starts
gc.collect()
report = {"minor": minor}
before = rss_kib()
start = time.perf_counter()
schema = schema_for(minor)  # before any cluster: a cluster's boot objects are checked with it
report["load_s"] = round(time.perf_counter() - start, 4)
report["load_rss_kib"] = rss_kib() - before
report["definitions"] = len(schema.definitions)
first = MockApiserver("bench-a", version, FakeClock())
second = MockApiserver("bench-b", version, FakeClock())

before, start = rss_kib(), time.perf_counter()
index = openapi.index(first.registry)
sizes = [len(openapi.document_bytes(first.registry, path)) for path in index["paths"]]
report["v3_s"] = round(time.perf_counter() - start, 4)
report["v3_rss_kib"] = rss_kib() - before
report["v3_documents"] = len(sizes)
report["v3_total_kib"] = sum(sizes) // 1024

before, start = rss_kib(), time.perf_counter()
v2_json = openapi_v2.document_bytes(first.registry, version)
v2_proto = openapi_v2.encode(first.registry, version)
report["v2_s"] = round(time.perf_counter() - start, 4)
report["v2_rss_kib"] = rss_kib() - before
report["v2_json_kib"], report["v2_protobuf_kib"] = len(v2_json) // 1024, len(v2_proto) // 1024

before = rss_kib()
openapi.index(second.registry)
for path in index["paths"]:
    openapi.document_bytes(second.registry, path)
openapi_v2.encode(second.registry, version)
report["second_cluster_rss_kib"] = rss_kib() - before

before, start = rss_kib(), time.perf_counter()
schema_for(minor - 1)
report["other_minor_load_s"] = round(time.perf_counter() - start, 4)
report["other_minor_rss_kib"] = rss_kib() - before
print(json.dumps(report))
"""


PLAIN = r"""
import gc, json, sys, time
from emulator.cluster.mock.registry.schema import _folder


def rss_kib():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


path = _folder() / f"v1.{sys.argv[1]}.0-local" / "_definitions.json"
gc.collect()
before, start = rss_kib(), time.perf_counter()
document = json.loads(path.read_bytes())
print(json.dumps({"plain_s": round(time.perf_counter() - start, 4),
                  "plain_rss_kib": rss_kib() - before}))
"""


def probe(code: str, minor: int) -> dict[str, float]:
    result = subprocess.run([sys.executable, "-c", code, str(minor)], cwd=ROOT,
                            capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minor", type=int, default=30)
    args = parser.parse_args()
    report = {**probe(PROBE, args.minor), **probe(PLAIN, args.minor)}
    plain_s, plain_kib = report["plain_s"], max(report["plain_rss_kib"], 1)
    report["ratios (to the plain parse)"] = {
        "load_s": round(report["load_s"] / plain_s, 2),
        "load_rss": round(report["load_rss_kib"] / plain_kib, 2),
        "v3_s": round(report["v3_s"] / plain_s, 2),
        "v2_s": round(report["v2_s"] / plain_s, 2),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
