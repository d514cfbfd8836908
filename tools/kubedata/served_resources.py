"""Write what a kube-apiserver of each minor serves by default: emulator/cluster/mock/registry/data/served/.

Also writes tests/fixtures/api-resources/1.NN.tsv: the rows `kubectl api-resources` must print.

Dev tool, not shipped. Run from the repository root, after `fetch github:kubernetes-client/python`:

    python tools/kubedata/served_resources.py [--mirror /work/.mirror/kubernetes-client+python/repo]
    python tools/kubedata/served_resources.py --check     # the committed files are up to date

Where each fact comes from:

- Resources, kinds, scope, verbs and subresources: the paths of the OpenAPI v2 document that
  kube-apiserver publishes, as the official Python client keeps it for each release
  (``kubernetes/swagger.json.unprocessed`` at client tag vNN = Kubernetes 1.NN). Each operation
  carries ``x-kubernetes-action`` and ``x-kubernetes-group-version-kind``.
- That document is generated with every API enabled, alpha ones included. A kube-apiserver
  started without --runtime-config serves GA versions, no alpha, and of the betas only the
  "legacy" ones that were on before Kubernetes stopped enabling new betas (KEP-3136); kube lists
  those in DefaultAPIResourceConfigSource: ``LEGACY_BETAS`` below.
- Short names and categories are not in OpenAPI; they are each REST storage's ShortNames() and
  Categories() (pkg/registry/...), which have not changed over these minors: ``SHORT_NAMES`` and
  ``CATEGORIES`` below.
- 1.27: the client keeps no 1.27 document in this mirror, so 1.27 is 1.28's document less the
  group-version-kinds that the 1.27 schemas of the `kubernetes-validate` package do not have
  (nothing GA or default-on was removed between 1.27 and 1.28).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

OUT = Path("emulator/cluster/mock/registry/data/served")
CLIENT_TAGS = {28: "v28.1.0", 29: "v29.0.0", 30: "v30.1.0", 31: "v31.0.0", 32: "v32.0.1",
               33: "v33.1.0", 34: "v34.1.0", 35: "v35.0.0"}
DERIVED = {27: 28}  # minor -> the minor whose document it is derived from (see above)

# Beta group-versions kube-apiserver serves without --runtime-config, while the minor has them.
LEGACY_BETAS = frozenset({
    "flowcontrol.apiserver.k8s.io/v1beta2",
    "flowcontrol.apiserver.k8s.io/v1beta3",
    "authentication.k8s.io/v1beta1",  # SelfSubjectReview, on by default from its beta (1.27)
})

SHORT_NAMES: dict[tuple[str, str], tuple[str, ...]] = {
    ("", "componentstatuses"): ("cs",), ("", "configmaps"): ("cm",),
    ("", "endpoints"): ("ep",), ("", "events"): ("ev",), ("", "limitranges"): ("limits",),
    ("", "namespaces"): ("ns",), ("", "nodes"): ("no",),
    ("", "persistentvolumeclaims"): ("pvc",), ("", "persistentvolumes"): ("pv",),
    ("", "pods"): ("po",), ("", "replicationcontrollers"): ("rc",),
    ("", "resourcequotas"): ("quota",), ("", "serviceaccounts"): ("sa",),
    ("", "services"): ("svc",),
    ("apiextensions.k8s.io", "customresourcedefinitions"): ("crd", "crds"),
    ("apps", "daemonsets"): ("ds",), ("apps", "deployments"): ("deploy",),
    ("apps", "replicasets"): ("rs",), ("apps", "statefulsets"): ("sts",),
    ("autoscaling", "horizontalpodautoscalers"): ("hpa",), ("batch", "cronjobs"): ("cj",),
    ("certificates.k8s.io", "certificatesigningrequests"): ("csr",),
    ("events.k8s.io", "events"): ("ev",), ("networking.k8s.io", "ingresses"): ("ing",),
    ("networking.k8s.io", "networkpolicies"): ("netpol",),
    ("networking.k8s.io", "ipaddresses"): ("ip",),
    ("policy", "poddisruptionbudgets"): ("pdb",),
    ("scheduling.k8s.io", "priorityclasses"): ("pc",),
    ("storage.k8s.io", "storageclasses"): ("sc",),
    ("storage.k8s.io", "volumeattributesclasses"): ("vac",),
}
_ALL = ("all",)
_EXTENSIONS = ("api-extensions",)
CATEGORIES: dict[tuple[str, str], tuple[str, ...]] = {
    ("", "pods"): _ALL, ("", "replicationcontrollers"): _ALL, ("", "services"): _ALL,
    ("apps", "daemonsets"): _ALL, ("apps", "deployments"): _ALL, ("apps", "replicasets"): _ALL,
    ("apps", "statefulsets"): _ALL, ("autoscaling", "horizontalpodautoscalers"): _ALL,
    ("batch", "cronjobs"): _ALL, ("batch", "jobs"): _ALL,
    ("admissionregistration.k8s.io", "mutatingwebhookconfigurations"): _EXTENSIONS,
    ("admissionregistration.k8s.io", "validatingwebhookconfigurations"): _EXTENSIONS,
    ("admissionregistration.k8s.io", "validatingadmissionpolicies"): _EXTENSIONS,
    ("admissionregistration.k8s.io", "validatingadmissionpolicybindings"): _EXTENSIONS,
    ("admissionregistration.k8s.io", "mutatingadmissionpolicies"): _EXTENSIONS,
    ("admissionregistration.k8s.io", "mutatingadmissionpolicybindings"): _EXTENSIONS,
    ("apiextensions.k8s.io", "customresourcedefinitions"): _EXTENSIONS,
    ("apiregistration.k8s.io", "apiservices"): _EXTENSIONS,
}

# The order kube-aggregator lists groups in /apis (its group priorities), first to last.
GROUP_ORDER = (
    "apiregistration.k8s.io", "apps", "events.k8s.io", "authentication.k8s.io",
    "authorization.k8s.io", "autoscaling", "batch", "certificates.k8s.io", "networking.k8s.io",
    "policy", "rbac.authorization.k8s.io", "storage.k8s.io", "admissionregistration.k8s.io",
    "apiextensions.k8s.io", "scheduling.k8s.io", "coordination.k8s.io", "node.k8s.io",
    "discovery.k8s.io", "flowcontrol.apiserver.k8s.io", "resource.k8s.io",
    "internal.apiserver.k8s.io", "storagemigration.k8s.io",
)

_PATH = re.compile(r"^/apis?/(?:(?P<group>[^/]+)/)?(?P<version>v\d+(?:(?:alpha|beta)\d+)?)/"
                   r"(?:namespaces/\{namespace\}/)?(?P<plural>[a-z0-9]+)"
                   r"(?:/\{name\}(?:/(?P<sub>[a-z]+))?)?$")
_ACTION_VERBS = {"get": "get", "list": "list", "watchlist": "watch", "watch": "watch",
                 "post": "create",
                 "put": "update", "patch": "patch", "delete": "delete",
                 "deletecollection": "deletecollection"}
# A connect subresource's verbs come from the HTTP methods it takes.
_CONNECT_VERBS = {"get": "get", "post": "create", "put": "update", "patch": "patch",
                  "delete": "delete"}
_VERB_ORDER = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")


def served_by_default(group: str, version: str) -> bool:
    if "alpha" in version:
        return False
    if "beta" in version:
        return f"{group}/{version}" in LEGACY_BETAS
    return True


def version_priority(version: str) -> tuple[int, int, int]:
    """Kube's order of versions in a group: GA before beta before alpha, higher numbers first."""
    match = re.fullmatch(r"v(\d+)(?:(alpha|beta)(\d+))?", version)
    assert match, version
    stage = {None: 0, "beta": 1, "alpha": 2}[match.group(2)]
    return (stage, -int(match.group(1)), -int(match.group(3) or 0))


def resources_of(document: dict[str, Any]) -> list[dict[str, Any]]:
    found: dict[tuple[str, str, str], dict[str, Any]] = {}
    subs: dict[tuple[str, str, str], dict[str, dict[str, Any]]] = {}
    for path, item in sorted(document["paths"].items()):
        # /apis/g/v/watch/... (the old watch paths) say "watch" for the resource they watch.
        match = _PATH.match(re.sub(r"^(/apis?/(?:[^/]+/)?v[0-9a-z]+)/watch/", r"\1/", path))
        if match is None:
            continue
        group, version = match.group("group") or "", match.group("version")
        if not served_by_default(group, version):
            continue
        key = (group, version, match.group("plural"))
        operations = {m: op for m, op in item.items() if isinstance(op, dict)}
        if match.group("sub"):
            sub = subs.setdefault(key, {}).setdefault(match.group("sub"), {"verbs": set()})
            for method, op in operations.items():
                action = op.get("x-kubernetes-action")
                verb = (_CONNECT_VERBS.get(method) if action == "connect"
                        else _ACTION_VERBS.get(action or ""))
                if verb:
                    sub["verbs"].add(verb)
                gvk = op.get("x-kubernetes-group-version-kind")
                if gvk:
                    sub["gvk"] = gvk
            continue
        entry = found.setdefault(key, {"group": group, "version": version,
                                       "plural": key[2], "namespaced": False, "verbs": set()})
        if "/namespaces/{namespace}/" in path:
            entry["namespaced"] = True
        for op in operations.values():
            action = op.get("x-kubernetes-action", "")
            if action in _ACTION_VERBS:
                entry["verbs"].add(_ACTION_VERBS[action])
            gvk = op.get("x-kubernetes-group-version-kind")
            if gvk and action in ("get", "post", "put", "list") and "kind" not in entry:
                if action == "list":
                    entry.setdefault("list_kind", gvk["kind"])
                else:
                    entry["kind"] = gvk["kind"]
    out = []
    for key, entry in found.items():
        if "kind" not in entry:  # only listed (never happens for built-ins): name its items
            entry["kind"] = entry.pop("list_kind").removesuffix("List")
        entry.pop("list_kind", None)
        group, plural = entry["group"], entry["plural"]
        record = {
            "group": group, "version": entry["version"], "kind": entry["kind"],
            "plural": plural, "singular": entry["kind"].lower(),
            "namespaced": entry["namespaced"],
            "verbs": [v for v in _VERB_ORDER if v in entry["verbs"]],
            "shortNames": list(SHORT_NAMES.get((group, plural), ())),
            "categories": list(CATEGORIES.get((group, plural), ())),
            "subresources": [
                {"name": name, "group": sub.get("gvk", {}).get("group", group),
                 "version": sub.get("gvk", {}).get("version", entry["version"]),
                 "kind": sub.get("gvk", {}).get("kind", entry["kind"]),
                 "verbs": [v for v in _VERB_ORDER if v in sub["verbs"]]}
                for name, sub in sorted(subs.get(key, {}).items())],
        }
        out.append(record)
    # A subresource path whose parent is served (e.g. bindings has none): nothing else to do.
    return sorted(out, key=lambda r: (r["group"], version_priority(r["version"]), r["plural"]))


def has_schema(minor: int, group: str, version: str, kind: str) -> bool:
    """Whether the 1.``minor`` schemas of `kubernetes-validate` (as the emulator reads them)
    describe this kind."""
    from emulator.cluster.mock.registry.schema import schema_for
    api_version = f"{group}/{version}" if group else version
    return schema_for(minor).definition_name(api_version, kind) is not None


def served(minor: int, mirror: Path) -> dict[str, Any]:
    source_minor = DERIVED.get(minor, minor)
    tag = CLIENT_TAGS[source_minor]
    text = subprocess.run(["git", "-C", str(mirror), "show",
                           f"{tag}:kubernetes/swagger.json.unprocessed"],
                          check=True, capture_output=True, text=True).stdout
    resources = resources_of(json.loads(text))
    if source_minor != minor:
        resources = [r for r in resources
                     if has_schema(minor, r["group"], r["version"], r["kind"])]
    groups = sorted({r["group"] for r in resources if r["group"]}, key=GROUP_ORDER.index)
    return {
        "kubernetes": f"1.{minor}",
        "source": f"kubernetes-client/python {tag} kubernetes/swagger.json.unprocessed"
                  + (f", less the kinds the 1.{minor} schemas lack" if source_minor != minor
                     else ""),
        "groups": [{"name": g, "versions": sorted({r["version"] for r in resources
                                                   if r["group"] == g}, key=version_priority)}
                   for g in ["", *groups]],
        "resources": resources,
    }


def render(data: dict[str, Any]) -> str:
    # One resource per line keeps diffs between minors readable.
    lines = ["{", f'"kubernetes": {json.dumps(data["kubernetes"])},',
             f'"source": {json.dumps(data["source"])},',
             f'"groups": {json.dumps(data["groups"])},', '"resources": [']
    lines += [json.dumps(r, separators=(",", ":")) + ("," if i < len(data["resources"]) - 1
                                                      else "")
              for i, r in enumerate(data["resources"])]
    return "\n".join([*lines, "]", "}", ""])


FIXTURES = Path("tests/fixtures/api-resources")


def api_resources(data: dict[str, Any]) -> str:
    """The rows `kubectl api-resources` prints for a server serving ``data``: each resource once,
    at the most preferred version of its group that has it; the test compares them as a set."""
    seen: set[tuple[str, str]] = set()
    rows = []
    for group in data["groups"]:
        for version in group["versions"]:
            for r in data["resources"]:
                if (r["group"], r["version"]) != (group["name"], version):
                    continue
                if (r["group"], r["plural"]) in seen:
                    continue
                seen.add((r["group"], r["plural"]))
                rows.append("\t".join([r["plural"], ",".join(r["shortNames"]),
                                       f"{r['group']}/{version}" if r["group"] else version,
                                       str(r["namespaced"]).lower(), r["kind"]]))
    return "".join(f"{row}\n" for row in sorted(rows))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", type=Path,
                        default=Path("/work/.mirror/kubernetes-client+python/repo"))
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    stale = []
    for minor in sorted({*CLIENT_TAGS, *DERIVED}):
        data = served(minor, args.mirror)
        for path, text in ((OUT / f"1.{minor}.json", render(data)),
                           (FIXTURES / f"1.{minor}.tsv", api_resources(data))):
            if args.check:
                if not path.exists() or path.read_text() != text:
                    stale.append(str(path))
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text)
    for path in stale:
        print(f"out of date: {path}", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
