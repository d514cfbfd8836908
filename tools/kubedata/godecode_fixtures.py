"""Write tests/fixtures/go-decode/cases.json: bodies, and what Go's own decoder says of them.

Dev tool, not shipped. Needs Go (1.19 or newer) and kubernetes-sigs/json mirrored as a bare git
directory (the default below); run from the repository root:

    python tools/kubedata/godecode_fixtures.py [--seed 1] [--cases 3000]

It checks out kubernetes-sigs/json at bc3834c (what Kubernetes 1.27-1.31 vendor; 1.32+ vendor
a sync with Go 1.23 that changes no error) into godecode_oracle/sigsjson, builds the oracle
there (godecode_oracle/: stand-ins for a few k8s.io/api types, decoded with
``UnmarshalStrict`` as kube's JSON serializer calls it; Go's ``time.Parse`` with metav1's two
layouts; ``base64.StdEncoding``), makes bodies by putting random JSON values of every type at
random places of valid Deployments, Secrets, ConfigMaps and Leases, and keeps one case for each
different answer (and some that decode), with Go's answer.

Go's time.Parse names the element it failed on by the value left before it (``hold``) since Go
1.20 (golang/go#56730), which every Kubernetes 1.27+ is built with, and tests zone offsets'
range since then too; a Go 1.19 oracle answers otherwise for a year or fraction that fails
after being read, and for an offset past 24 hours or 60 minutes. Such times are not put in
bodies, so that the recorded answers are those of every Go kube is built with.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
ORACLE = Path(__file__).resolve().parent / "godecode_oracle"
OUT = ROOT / "tests/fixtures/go-decode/cases.json"
SIGS_JSON_REPO = Path("/work/.mirror/kubernetes-sigs+json/repo")
SIGS_JSON_COMMIT = "bc3834ca7abd"

NUMBERS = ["1.0", "1.50", "1e3", "1E2", "-0.0", "2e-7", "3000000000", "-2147483649",
           "2147483647", "9223372036854775808", "1.5", "-7", "0", "255", "256"]
TIMES = ["2024-01-01T00:00:00Z", "2024-13-01T00:00:00Z", "yesterday", "2024-02-30T00:00:00Z",
         "2024-01-01 00:00:00Z", "2024-01-01T00:00:00", "2024-01-01T00:00:00+01:00",
         "2024-01-01T00:00:00.123Z", "2024-01-01T00:00:00Zx", "2024-01-01T25:00:00Z",
         "2024-01-01T00:00:00.000000Z", "2024-01-01T00:00:00.000000400Z", "2024-1-01T00:00:00Z",
         "2024-01-01T1:00:00Z", "2024-01-01T00:60:00Z", "2024-01-01T00:00:61Z",
         "0000-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "", "2024-01-01T00:00:00,000000Z",
         "\u00e92024-01-01T00:00:00Z", "2024-01-01T00:00:00\"Z"]
BASE64 = ["YWJj", "YWI=", "YQ==", "YQ=", "YQ", "Y", "!!!", "YW\nJj", "YWJj\r\n", "YQ==YQ==",
          "YQ=a", "ab=c", "====", "YWJjZA", "\u00e9", "YW Jj", "Y\nQ\n=\n=", ""]


def deployment() -> dict[str, Any]:
    container = {"name": "c", "image": "i", "command": ["a"], "imagePullPolicy": "Always",
                 "ports": [{"name": "p", "containerPort": 80, "protocol": "TCP"}],
                 "env": [{"name": "A", "value": "1"}]}
    pod = {"restartPolicy": "Always", "activeDeadlineSeconds": 5, "nodeSelector": {"k": "v"},
           "serviceAccountName": "s", "hostNetwork": False,
           "tolerations": [{"key": "k", "tolerationSeconds": 3}],
           "volumes": [{"name": "v", "hostPath": {"path": "/x"}}], "containers": [container]}
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "d", "labels": {"a": "b"}, "generation": 1, "finalizers": ["x"],
                         "creationTimestamp": "2024-01-01T00:00:00Z"},
            "spec": {"replicas": 1, "minReadySeconds": 0, "paused": False,
                     "selector": {"matchLabels": {"a": "b"}},
                     "strategy": {"rollingUpdate": {"maxSurge": 1}},
                     "template": {"metadata": {"labels": {"a": "b"}}, "spec": pod}}}


def secret() -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "immutable": False,
            "data": {"a": "YWJj"}, "stringData": {"b": "x"}}


def configmap() -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "c", "annotations": {"x": "y"}}, "data": {"a": "b"},
            "binaryData": {"z": "YQ=="}}


def lease() -> dict[str, Any]:
    return {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": {"name": "l"},
            "spec": {"holderIdentity": "h", "leaseDurationSeconds": 15,
                     "renewTime": "2024-01-01T00:00:00.000000Z"}}


MAKERS = {"Deployment": deployment, "Secret": secret, "ConfigMap": configmap, "Lease": lease}


def random_value(rng: random.Random, depth: int = 0) -> Any:
    roll = rng.random()
    if roll < 0.2:
        return rng.choice(["x", "Always", "TCP", rng.choice(TIMES), rng.choice(BASE64)])
    if roll < 0.35:
        return "__NUMBER__" + rng.choice(NUMBERS) + "__"  # a literal as written, put in below
    if roll < 0.45:
        return rng.choice([True, False])
    if roll < 0.5:
        return None
    if roll < 0.6:
        return rng.randint(-5, 300)
    if roll < 0.8 and depth < 2:
        return [random_value(rng, depth + 1) for _ in range(rng.randint(0, 2))]
    if depth < 2:
        return {rng.choice(["a", "name", "path", "key"]): random_value(rng, depth + 1)
                for _ in range(rng.randint(0, 2))}
    return "y"


def places(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            if prefix or key not in ("apiVersion", "kind"):
                found += places(item, prefix + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += places(item, prefix + (index,))
    return found


def bodies(rng: random.Random, count: int) -> list[tuple[str, str]]:
    cases = [("time", t) for t in TIMES] + [("microtime", t) for t in TIMES]
    cases += [("base64", b) for b in BASE64]
    for _ in range(count):
        kind = rng.choice(sorted(MAKERS))
        obj = MAKERS[kind]()
        for _ in range(rng.randint(1, 3)):
            place = rng.choice(places(obj))
            target = obj
            try:
                for step in place[:-1]:
                    target = target[step]
                target[place[-1]] = random_value(rng)
            except (KeyError, IndexError, TypeError):
                pass
        text = re.sub(r'"__NUMBER__([^_]*)__"', r"\1", json.dumps(obj, separators=(",", ":")))
        cases.append((kind, text))
    return cases


def build_oracle(repo: Path) -> Path:
    checkout = ORACLE / "sigsjson"
    if checkout.exists():
        shutil.rmtree(checkout)
    subprocess.run(["git", "-C", str(repo), "worktree", "prune"], check=True)
    subprocess.run(["git", "-C", str(repo), "worktree", "add", "--detach", "-f", str(checkout),
                    SIGS_JSON_COMMIT], check=True, capture_output=True)
    binary = ORACLE / "oracle"
    subprocess.run(["go", "build", "-o", str(binary), "."], cwd=ORACLE, check=True,
                   env={**os.environ, "GOFLAGS": "-mod=mod", "GOPROXY": "off"})
    return binary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cases", type=int, default=3000)
    parser.add_argument("--sigs-json-repo", type=Path, default=SIGS_JSON_REPO)
    args = parser.parse_args(argv)
    binary = build_oracle(args.sigs_json_repo)
    cases = bodies(random.Random(args.seed), args.cases)
    feed = "".join(json.dumps({"kind": k, "body": b}) + "\n" for k, b in cases)
    answers = subprocess.run([str(binary)], input=feed, capture_output=True, text=True,
                             check=True).stdout.splitlines()
    kept: list[dict[str, Any]] = []
    seen: dict[tuple[str, str | None], int] = {}
    for (kind, body), line in zip(cases, answers, strict=True):
        error = json.loads(line)["error"]
        key = (kind, error)
        if seen.get(key, 0) >= (3 if error is None else 1):
            continue
        seen[key] = seen.get(key, 0) + 1
        kept.append({"kind": kind, "body": body, "error": error})
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("[\n" + ",\n".join(json.dumps(c, ensure_ascii=False) for c in kept) + "\n]\n")
    print(f"wrote {OUT}: {len(kept)} of {len(cases)} cases")
    return 0


if __name__ == "__main__":
    sys.exit(main())
