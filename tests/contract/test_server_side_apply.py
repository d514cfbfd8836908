"""Server-side apply with real kubectl through the gateway (issue #14): `apply --server-side`,
a second field manager's conflict and `--force-conflicts`, managedFields shown and hidden,
`kubectl diff` (client- and server-side), `--dry-run=server`, the client-side -> server-side
migration of kubectl >= 1.26, and a Deployment's containers merged by name.

The server's words are apimachinery's (managedfields/internal/conflict.go: "Apply failed with 1
conflict: conflict with %q: %v", an Update manager printed as %q using <apiVersion>); the help
paragraph after them is kubectl's own (cmd/apply/apply.go, the same in 1.27 ... 1.33).

Every object is named for its test and kubectl version and deleted at the end: under
--real-cluster the cluster is not reset between tests.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml

from tests.harness import KubectlRunner, Served

pytestmark = pytest.mark.contract

# kubectl's own help after the server's conflict message: kubectl/pkg/cmd/apply/apply.go wraps a
# 409 from an apply patch (errors.IsConflict) in this text, the same in 1.27 ... 1.33.
KUBECTL_CONFLICT_HELP = """\
Please review the fields above--they currently have other managers. Here
are the ways you can resolve this warning:
* If you intend to manage all of these fields, please re-run the apply
  command with the `--force-conflicts` flag.
* If you do not intend to manage all of the fields, please edit your
  manifest to remove references to the fields that should keep their
  current managers.
* You may co-own fields by updating your manifest to match the existing
  value; in this case, you'll become the manager if the other manager(s)
  stop managing the field (remove it from their configuration).
See https://kubernetes.io/docs/reference/using-api/server-side-apply/#conflicts
"""

Named = Callable[[str, str], str]


def configmap(name: str, **data: str) -> str:
    return yaml.safe_dump({"apiVersion": "v1", "kind": "ConfigMap",
                           "metadata": {"name": name, "namespace": "default"}, "data": data})


def deployment(name: str, containers: list[dict[str, str]]) -> str:
    labels = {"app": name}
    return yaml.safe_dump({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"replicas": 1, "selector": {"matchLabels": labels},
                 "template": {"metadata": {"labels": labels},
                              "spec": {"containers": containers}}}})


@pytest.fixture
def named(gateway: Served, kubectl_run: KubectlRunner) -> Iterator[Named]:
    """``named(kind, stem)``: a name for this test and kubectl version, deleted afterwards."""
    made: list[tuple[str, str]] = []

    def name(kind: str, stem: str) -> str:
        made.append((kind, f"ssa-{stem}-{kubectl_run.binary.minor}"))
        return made[-1][1]

    yield name
    for kind, made_name in made:
        kubectl_run.run(gateway.kubeconfig(), "delete", kind, made_name, "--ignore-not-found",
                        "--wait=false")


class Session:
    """One kubectl version against the gateway, with manifests written to a temporary folder."""

    def __init__(self, gateway: Served, runner: KubectlRunner, tmp_path: Path) -> None:
        self.kubeconfig = gateway.kubeconfig()
        self.runner = runner
        self.tmp_path = tmp_path
        self.written = 0

    def __call__(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self.runner.run(self.kubeconfig, *args)

    def manifest(self, text: str) -> str:
        self.written += 1
        path = self.tmp_path / f"manifest-{self.written}.yaml"
        path.write_text(text)
        return str(path)

    def ok(self, *args: str) -> str:
        done = self(*args)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def json(self, *what: str) -> dict:
        return json.loads(self.ok("get", *what, "-o", "json"))

    def managers(self, *what: str) -> dict[tuple[str, str], dict]:
        """(manager, operation) -> the fields it owns, from --show-managed-fields."""
        shown = yaml.safe_load(self.ok("get", *what, "-o", "yaml", "--show-managed-fields"))
        return {(entry["manager"], entry["operation"]): entry["fieldsV1"]
                for entry in shown["metadata"]["managedFields"]}


@pytest.fixture
def kc(gateway: Served, kubectl_run: KubectlRunner, tmp_path: Path) -> Session:
    return Session(gateway, kubectl_run, tmp_path)


def changed_lines(diff: str) -> list[str]:
    """A unified diff's removed and added lines (not its ---/+++ file headers, which name
    kubectl's temporary folders)."""
    return [line for line in diff.splitlines()
            if line[:1] in "+-" and not line.startswith(("+++ ", "--- "))]


def test_apply_server_side_records_an_apply_manager(kc: Session, named: Named) -> None:
    cm = named("configmap", "applied")
    path = kc.manifest(configmap(cm, a="1", b="2"))
    applied = kc("apply", "--server-side", "-f", path)
    assert (applied.returncode, applied.stdout, applied.stderr) == (
        0, f"configmap/{cm} serverside-applied\n", "")
    plain = yaml.safe_load(kc.ok("get", "configmap", cm, "-o", "yaml"))
    assert "managedFields" not in plain["metadata"]
    assert plain["data"] == {"a": "1", "b": "2"}
    shown = yaml.safe_load(kc.ok("get", "configmap", cm, "-o", "yaml",
                                      "--show-managed-fields"))
    [entry] = shown["metadata"]["managedFields"]
    assert {k: v for k, v in entry.items() if k != "time"} == {
        "apiVersion": "v1", "fieldsType": "FieldsV1", "manager": "kubectl",
        "operation": "Apply", "fieldsV1": {"f:data": {"f:a": {}, "f:b": {}}}}
    assert entry["time"].endswith("Z")
    # kubectl hides them from -o json too, unless asked
    assert "managedFields" not in kc.json("configmap", cm)["metadata"]
    assert json.loads(kc.ok("get", "configmap", cm, "-o", "json", "--show-managed-fields"))[
        "metadata"]["managedFields"] == [entry]
    # the same apply again changes nothing
    again = kc("apply", "--server-side", "-f", path)
    assert (again.returncode, again.stdout) == (0, f"configmap/{cm} serverside-applied\n")
    assert kc.json("configmap", cm)["metadata"]["resourceVersion"] == \
        shown["metadata"]["resourceVersion"]


def test_a_second_manager_conflicts_until_it_forces(kc: Session, named: Named) -> None:
    cm = named("configmap", "contested")
    kc.ok("apply", "--server-side", "-f", kc.manifest(configmap(cm, a="1", b="2")))
    theirs = kc.manifest(configmap(cm, a="x", b="2"))
    refused = kc("apply", "--server-side", "--field-manager=other", "-f", theirs)
    assert (refused.returncode, refused.stdout) == (1, "")
    assert refused.stderr == (
        'error: Apply failed with 1 conflict: conflict with "kubectl": .data.a\n'
        + KUBECTL_CONFLICT_HELP)
    assert kc.json("configmap", cm)["data"] == {"a": "1", "b": "2"}

    forced = kc("apply", "--server-side", "--field-manager=other", "--force-conflicts",
                     "-f", theirs)
    assert (forced.returncode, forced.stdout, forced.stderr) == (
        0, f"configmap/{cm} serverside-applied\n", "")
    assert kc.json("configmap", cm)["data"] == {"a": "x", "b": "2"}
    # .data.a moved to "other"; .data.b, applied with the same value, is shared
    assert kc.managers("configmap", cm) == {
        ("kubectl", "Apply"): {"f:data": {"f:b": {}}},
        ("other", "Apply"): {"f:data": {"f:a": {}, "f:b": {}}}}


def test_an_update_manager_is_named_with_its_api_version(kc: Session,
                                                         named: Named) -> None:
    cm = named("configmap", "patched")
    kc.ok("create", "-f", kc.manifest(configmap(cm, a="1")))
    kc.ok("patch", "configmap", cm, "-p", '{"data": {"b": "2"}}')
    refused = kc("apply", "--server-side", "-f",
                      kc.manifest(configmap(cm, a="one", b="two")))
    assert refused.returncode == 1
    # two conflicts: apimachinery sorts them by manager, one line per field
    assert refused.stderr == (
        'error: Apply failed with 2 conflicts: conflicts with "kubectl-create" using v1:\n'
        "- .data.a\n"
        'conflicts with "kubectl-patch" using v1:\n'
        "- .data.b\n" + KUBECTL_CONFLICT_HELP)


def test_diff_client_side(kc: Session, named: Named) -> None:
    cm = named("configmap", "diffed")
    kc.ok("apply", "--server-side", "-f", kc.manifest(configmap(cm, a="1", b="2")))
    same = kc("diff", "-f", kc.manifest(configmap(cm, a="1", b="2")))
    assert (same.returncode, same.stdout, same.stderr) == (0, "", "")
    changed = kc("diff", "-f", kc.manifest(configmap(cm, a="1", b="two")))
    assert (changed.returncode, changed.stderr) == (1, "")
    # Only the value: the strategic patch kubectl sends holds "annotations": {}, which kube's
    # typed ObjectMeta drops (omitempty), so MERGED has no empty annotations either.
    assert changed_lines(changed.stdout) == ['-  b: "2"', "+  b: two"]
    assert kc.json("configmap", cm)["data"] == {"a": "1", "b": "2"}


def test_diff_server_side(kc: Session, named: Named) -> None:
    cm = named("configmap", "ssdiffed")
    kc.ok("apply", "--server-side", "-f", kc.manifest(configmap(cm, a="1", b="2")))
    same = kc("diff", "--server-side", "-f", kc.manifest(configmap(cm, a="1", b="2")))
    assert (same.returncode, same.stdout, same.stderr) == (0, "", "")
    changed = kc("diff", "--server-side", "-f",
                      kc.manifest(configmap(cm, a="1", c="3")))
    assert (changed.returncode, changed.stderr) == (1, "")
    # kubectl's own field removed from its configuration is removed from the object
    assert changed_lines(changed.stdout) == ['-  b: "2"', '+  c: "3"']
    shown = kc.managers("configmap", cm)
    assert shown == {("kubectl", "Apply"): {"f:data": {"f:a": {}, "f:b": {}}}}
    assert kc.json("configmap", cm)["data"] == {"a": "1", "b": "2"}


def test_server_dry_runs_change_nothing(kc: Session, named: Named) -> None:
    cm = named("configmap", "dryrun")
    first = kc.manifest(configmap(cm, a="1"))
    for args, verb in ((("apply",), "created"), (("apply", "--server-side"), "serverside-applied"),
                       (("create",), "created")):
        dry = kc(*args, "--dry-run=server", "-f", first)
        assert (dry.returncode, dry.stdout, dry.stderr) == (
            0, f"configmap/{cm} {verb} (server dry run)\n", "")
        missing = kc("get", "configmap", cm)
        assert (missing.returncode, missing.stderr) == (
            1, f'Error from server (NotFound): configmaps "{cm}" not found\n')

    kc.ok("apply", "--server-side", "-f", first)
    before = kc.json("configmap", cm)
    second = kc.manifest(configmap(cm, a="2"))
    for args, verb in ((("apply", "--server-side"), "serverside-applied"),
                       (("apply", "--server-side", "--field-manager=other", "--force-conflicts"),
                        "serverside-applied")):
        dry = kc(*args, "--dry-run=server", "-f", second)
        assert (dry.returncode, dry.stdout, dry.stderr) == (
            0, f"configmap/{cm} {verb} (server dry run)\n", "")
    deleted = kc("delete", "configmap", cm, "--dry-run=server")
    assert (deleted.returncode, deleted.stdout, deleted.stderr) == (
        0, f'configmap "{cm}" deleted (server dry run)\n', "")
    assert kc.json("configmap", cm) == before


def test_client_side_apply_dry_run_changes_nothing(kc: Session, named: Named) -> None:
    cm = named("configmap", "csadry")
    kc.ok("apply", "-f", kc.manifest(configmap(cm, a="1")))
    before = kc.json("configmap", cm)
    dry = kc("apply", "--dry-run=server", "-f", kc.manifest(configmap(cm, a="2")))
    assert (dry.returncode, dry.stdout, dry.stderr) == (
        0, f"configmap/{cm} configured (server dry run)\n", "")
    assert kc.json("configmap", cm) == before


def test_client_side_apply_migrates_to_server_side(kc: Session, named: Named) -> None:
    cm = named("configmap", "migrated")
    kc.ok("apply", "-f", kc.manifest(configmap(cm, a="1", b="2")))
    assert kc.managers("configmap", cm) == {
        ("kubectl-client-side-apply", "Update"): {"f:data": {".": {}, "f:a": {}, "f:b": {}},
                                                  "f:metadata": {"f:annotations": {
                                                      ".": {},
                                                      "f:kubectl.kubernetes.io/"
                                                      "last-applied-configuration": {}}}}}
    migrated = kc("apply", "--server-side", "-f",
                       kc.manifest(configmap(cm, a="1", b="2")))
    assert (migrated.returncode, migrated.stdout, migrated.stderr) == (
        0, f"configmap/{cm} serverside-applied\n", "")
    # kubectl (>= 1.26) patched managedFields so that its server-side apply owns what the
    # client-side one did, the last-applied annotation under kubectl-last-applied
    assert kc.managers("configmap", cm) == {
        ("kubectl", "Apply"): {"f:data": {"f:a": {}, "f:b": {}}},
        ("kubectl-last-applied", "Apply"): {"f:metadata": {"f:annotations": {
            "f:kubectl.kubernetes.io/last-applied-configuration": {}}}}}
    # no conflict with the old manager left: a field dropped from the manifest goes
    dropped = kc("apply", "--server-side", "-f", kc.manifest(configmap(cm, a="1")))
    assert (dropped.returncode, dropped.stdout, dropped.stderr) == (
        0, f"configmap/{cm} serverside-applied\n", "")
    assert kc.json("configmap", cm)["data"] == {"a": "1"}
    assert kc.managers("configmap", cm)[("kubectl", "Apply")] == {"f:data": {"f:a": {}}}


def test_deployment_containers_merge_by_name(kc: Session, named: Named) -> None:
    name = named("deployment", "merged")
    app = {"name": "app", "image": "nginx:1.27"}
    sidecar = {"name": "sidecar", "image": "busybox:1.36"}
    applied = kc("apply", "--server-side", "-f",
                      kc.manifest(deployment(name, [app, sidecar])))
    assert (applied.returncode, applied.stdout, applied.stderr) == (
        0, f"deployment.apps/{name} serverside-applied\n", "")
    # a second manager adds a container of its own: merged in by name, not replacing the list
    helper = {"name": "helper", "image": "busybox:1.36"}
    theirs = yaml.safe_dump({"apiVersion": "apps/v1", "kind": "Deployment",
                             "metadata": {"name": name, "namespace": "default"},
                             "spec": {"template": {"spec": {"containers": [helper]}}}})
    kc.ok("apply", "--server-side", "--field-manager=other", "-f", kc.manifest(theirs))

    def containers() -> list[tuple[str, str]]:
        spec = kc.json("deployment", name)["spec"]["template"]["spec"]
        return [(c["name"], c["image"]) for c in spec["containers"]]

    assert containers() == [("app", "nginx:1.27"), ("sidecar", "busybox:1.36"),
                            ("helper", "busybox:1.36")]
    # kubectl changes its app's image and drops its sidecar: the helper it never owned stays
    again = kc("apply", "--server-side", "-f",
                    kc.manifest(deployment(name, [{**app, "image": "nginx:1.28"}])))
    assert (again.returncode, again.stdout, again.stderr) == (
        0, f"deployment.apps/{name} serverside-applied\n", "")
    assert containers() == [("app", "nginx:1.28"), ("helper", "busybox:1.36")]
    owned = kc.managers("deployment", name)
    kubectl_containers = owned[("kubectl", "Apply")]["f:spec"]["f:template"]["f:spec"][
        "f:containers"]
    other_containers = owned[("other", "Apply")]["f:spec"]["f:template"]["f:spec"][
        "f:containers"]
    assert list(kubectl_containers) == ['k:{"name":"app"}']
    assert list(other_containers) == ['k:{"name":"helper"}']
    assert kubectl_containers['k:{"name":"app"}'] == {".": {}, "f:image": {}, "f:name": {}}
