"""A CustomResourceDefinition's life through the gateway with every real kubectl: created with
``kubectl apply``, established, its kind served, listed with its printer columns, its objects
pruned, defaulted and validated (schema and CEL rule) as kube-apiserver words it, its status only
through /status, and gone, with its objects, when the CRD is deleted."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.harness import KubectlRunner, Served

pytestmark = pytest.mark.contract

CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wd]}
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    additionalPrinterColumns:
    - {name: Size, type: integer, jsonPath: .spec.size}
    - {name: Color, type: string, jsonPath: .spec.color}
    - {name: Ready, type: boolean, jsonPath: .status.ready}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            required: [size]
            x-kubernetes-validations:
            - {rule: "self.size <= 10", message: "size must be at most 10"}
            properties:
              size: {type: integer, minimum: 1}
              color: {type: string, enum: [red, blue], default: blue}
          status:
            type: object
            properties:
              ready: {type: boolean}
"""


def widget(name: str, spec: str) -> str:
    return f"apiVersion: example.com/v1\nkind: Widget\nmetadata: {{name: {name}}}\nspec: {spec}\n"


@pytest.fixture
def widgets(gateway: Served, kubectl_run: KubectlRunner, tmp_path: Path) -> Iterator[Path]:
    """The CRD applied with kubectl and waited for, as a user does; removed at the end with
    what the tests added, as --real-cluster does not reset the cluster."""
    manifest = tmp_path / "crd.yaml"
    manifest.write_text(CRD)
    kubeconfig = gateway.kubeconfig()
    applied = kubectl_run.run(kubeconfig, "apply", "-f", str(manifest))
    assert (applied.returncode, applied.stdout) == (
        0, "customresourcedefinition.apiextensions.k8s.io/widgets.example.com created\n"), \
        applied.stderr
    waited = kubectl_run.run(kubeconfig, "wait", "--for", "condition=established",
                             "crd/widgets.example.com")
    assert waited.stdout == ("customresourcedefinition.apiextensions.k8s.io/widgets.example.com "
                             "condition met\n"), waited.stderr
    yield tmp_path
    kubectl_run.run(kubeconfig, "delete", "--ignore-not-found", "crd/widgets.example.com",
                    "clusterrole/widgets-view")


def apply(gateway: Served, kubectl_run: KubectlRunner, folder: Path, text: str,
          *args: str):  # noqa: ANN201 - a CompletedProcess
    path = folder / "widget.yaml"
    path.write_text(text)
    return kubectl_run.run(gateway.kubeconfig(), "apply", *args, "-f", str(path))


def test_objects_are_defaulted_pruned_and_listed_with_their_columns(
        gateway: Served, kubectl_run: KubectlRunner, widgets: Path) -> None:
    # --validate=false: kubectl sends fieldValidation=Ignore, so the unknown field is pruned.
    created = apply(gateway, kubectl_run, widgets, widget("w1", "{size: 3, extra: dropped}"),
                    "--validate=false")
    assert (created.returncode, created.stdout) == (0, "widget.example.com/w1 created\n"), \
        created.stderr
    spec = kubectl_run.run(gateway.kubeconfig(), "get", "wd", "w1", "-o", "jsonpath={.spec}")
    assert spec.stdout == '{"color":"blue","size":3}'
    listed = kubectl_run.run(gateway.kubeconfig(), "get", "widgets")
    assert listed.stdout.splitlines() == ["NAME   SIZE   COLOR   READY", "w1     3      blue    "]


def test_an_unknown_field_is_refused_under_strict_validation(
        gateway: Served, kubectl_run: KubectlRunner, widgets: Path) -> None:
    refused = apply(gateway, kubectl_run, widgets, widget("w1", "{size: 3, extra: x}"))
    assert refused.returncode == 1
    assert refused.stderr == (
        'Error from server (BadRequest): error when creating "' + str(widgets / "widget.yaml")
        + '": Widget in version "v1" cannot be handled as a Widget: strict decoding error: '
        'unknown field "spec.extra"\n')


@pytest.mark.parametrize("server_side", [False, True], ids=["client-side", "server-side"])
def test_schema_and_cel_errors_are_worded_as_kube_words_them(
        gateway: Served, kubectl_run: KubectlRunner, widgets: Path, server_side: bool) -> None:
    args = ("--server-side",) if server_side else ()
    enum = apply(gateway, kubectl_run, widgets, widget("bad", "{size: 20, color: green}"), *args)
    # The enum error blocks the CEL rule, and kube says so (hasBlockingErr).
    assert (enum.returncode, enum.stderr) == (1, (
        'The Widget "bad" is invalid: \n'
        '* spec.color: Unsupported value: "green": supported values: "red", "blue"\n'
        '* <nil>: Invalid value: "null": some validation rules were not checked because the '
        'object was invalid; correct the existing errors to complete validation\n'))
    rule = apply(gateway, kubectl_run, widgets, widget("bad", "{size: 20, color: red}"), *args)
    assert (rule.returncode, rule.stderr) == (
        1, 'The Widget "bad" is invalid: spec: Invalid value: "object": size must be at most 10\n')
    missing = apply(gateway, kubectl_run, widgets, widget("bad", "{color: red}"), *args)
    assert missing.returncode == 1
    assert missing.stderr.startswith('The Widget "bad" is invalid: \n* spec.size: Required value')


def test_status_is_written_only_through_its_subresource(
        gateway: Served, kubectl_run: KubectlRunner, widgets: Path) -> None:
    kubeconfig = gateway.kubeconfig()
    apply(gateway, kubectl_run, widgets, widget("w1", "{size: 2}"))
    ignored = kubectl_run.run(kubeconfig, "patch", "widget", "w1", "--type=merge", "-p",
                              '{"status":{"ready":true}}')
    assert ignored.stdout == "widget.example.com/w1 patched (no change)\n", ignored.stderr
    if kubectl_run.binary.minor >= 28:  # --subresource is GA from kubectl 1.28 (beta before)
        patched = kubectl_run.run(kubeconfig, "patch", "widget", "w1", "--subresource=status",
                                  "--type=merge", "-p", '{"status":{"ready":true}}')
        assert patched.stdout == "widget.example.com/w1 patched\n", patched.stderr
        ready = kubectl_run.run(kubeconfig, "get", "widget", "w1", "-o",
                                "jsonpath={.status.ready}")
        assert ready.stdout == "true"


def test_deleting_the_crd_takes_its_kind_and_objects(
        gateway: Served, kubectl_run: KubectlRunner, widgets: Path) -> None:
    kubeconfig = gateway.kubeconfig()
    apply(gateway, kubectl_run, widgets, widget("w1", "{size: 2}"))
    deleted = kubectl_run.run(kubeconfig, "delete", "crd", "widgets.example.com")
    assert deleted.stdout == 'customresourcedefinition.apiextensions.k8s.io "widgets.example.com" ' \
                             'deleted\n', deleted.stderr
    gone = kubectl_run.run(kubeconfig, "get", "crd", "widgets.example.com")
    assert gone.returncode == 1 and "NotFound" in gone.stderr
    # A fresh kubectl (no discovery cache) no longer knows the kind at all.
    fresh = KubectlRunner(kubectl_run.binary, widgets / "fresh-home")
    (widgets / "fresh-home").mkdir()
    unknown = fresh.run(kubeconfig, "get", "widgets")
    assert unknown.stderr.strip().splitlines()[-1] == (
        'error: the server doesn\'t have a resource type "widgets"')


AGGREGATED_VIEW = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: widgets-view
  labels: {rbac.authorization.k8s.io/aggregate-to-view: "true"}
rules:
- {apiGroups: [example.com], resources: [widgets], verbs: [get, list, watch]}
"""


def test_rbac_covers_custom_resources_as_any_other(
        gateway: Served, kubectl_run: KubectlRunner, widgets: Path) -> None:
    bob = gateway.kubeconfig(token="ya29.fake-bob")  # gatewayReader, and the view ClusterRole
    denied = kubectl_run.run(bob, "get", "widgets")
    assert denied.returncode == 1
    assert denied.stderr.strip().splitlines()[-1] == (
        'Error from server (Forbidden): widgets.example.com is forbidden: User "bob@example.com" '
        'cannot list resource "widgets" in API group "example.com" in the namespace "default"')
    # A role labelled to aggregate into view (as operators ship them) lets him read them.
    role = widgets / "role.yaml"
    role.write_text(AGGREGATED_VIEW)
    assert kubectl_run.run(gateway.kubeconfig(), "apply", "-f", str(role)).returncode == 0
    allowed = kubectl_run.run(bob, "get", "widgets")
    assert (allowed.returncode, allowed.stderr) == (0, "No resources found in default namespace.\n")
