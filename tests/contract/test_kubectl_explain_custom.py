"""Custom resources through the gateway with real kubectl: a CustomResourceDefinition seeded into
the mock is served at once, ``kubectl explain`` prints the descriptions its schema gives (at
depth, and with ``--recursive``) from /openapi/v3 and, with ``--output=plaintext-openapiv2``,
from /openapi/v2, and ``kubectl get`` prints its additionalPrinterColumns.

Every kubectl minor on the machine runs them (kubectl_run is parametrized over them).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.harness import KubectlRunner, Served

pytestmark = pytest.mark.contract

OUTPUTS = ("plaintext", "plaintext-openapiv2")

CRON_SPEC = "The cron schedule, in the five-field crontab format, that starts each run."
REPLICAS = "How many copies of the job each run starts."
CONTAINER_IMAGE = "The image the job's container runs, as a registry reference."
STATUS_TEXT = "What the controller last observed of this cron tab."
CRONTAB = "A CronTab runs a container image on a schedule."

CRD: dict[str, Any] = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "crontabs.stable.example.com"},
    "spec": {
        "group": "stable.example.com",
        "scope": "Namespaced",
        "names": {"plural": "crontabs", "singular": "crontab", "kind": "CronTab",
                  "shortNames": ["ct"]},
        "versions": [{
            "name": "v1", "served": True, "storage": True,
            "schema": {"openAPIV3Schema": {
                "type": "object",
                "description": CRONTAB,
                "properties": {
                    "spec": {
                        "type": "object",
                        "description": "What the cron tab should do.",
                        "properties": {
                            "cronSpec": {"type": "string", "description": CRON_SPEC},
                            "replicas": {"type": "integer", "description": REPLICAS},
                            "container": {
                                "type": "object",
                                "description": "The container each run starts.",
                                "properties": {
                                    "image": {"type": "string", "description": CONTAINER_IMAGE},
                                },
                            },
                        },
                    },
                    "status": {"type": "object", "description": STATUS_TEXT,
                               "x-kubernetes-preserve-unknown-fields": True},
                },
            }},
            "additionalPrinterColumns": [
                {"name": "Spec", "type": "string", "jsonPath": ".spec.cronSpec"},
                {"name": "Replicas", "type": "integer", "jsonPath": ".spec.replicas"},
                {"name": "Image", "type": "string", "jsonPath": ".spec.container.image",
                 "priority": 1},
            ],
        }],
    },
}

CRONTAB_OBJECT: dict[str, Any] = {
    "apiVersion": "stable.example.com/v1",
    "kind": "CronTab",
    "metadata": {"name": "nightly", "namespace": "default"},
    "spec": {"cronSpec": "0 3 * * *", "replicas": 2, "container": {"image": "busybox:1.36"}},
}


def words(text: str) -> str:
    """Text with kubectl's wrapping and indentation undone."""
    return " ".join(text.split())


@pytest.fixture
def crontabs(gateway: Served, kubectl_run: KubectlRunner) -> Served:
    cluster = gateway.mock("my-cluster")
    cluster.seed(CRD)
    cluster.seed(CRONTAB_OBJECT)
    return gateway


@pytest.mark.mock_only("the CRD is seeded into the mock")
@pytest.mark.parametrize(("asked", "kind", "name", "type_name", "description"), [
    ("crontabs.spec.cronSpec", "CronTab", "cronSpec", "string", CRON_SPEC),
    ("crontab.spec.container.image", "CronTab", "image", "string", CONTAINER_IMAGE),
    ("ct.spec.replicas", "CronTab", "replicas", "integer", REPLICAS),
], ids=["cronSpec", "container-image", "short-name"])
def test_explain_prints_the_crds_description_of_a_field(
        crontabs: Served, kubectl_run: KubectlRunner, asked: str, kind: str, name: str,
        type_name: str, description: str) -> None:
    for output in OUTPUTS:
        shown = kubectl_run.run(crontabs.kubeconfig(), "explain", asked, f"--output={output}")
        assert (shown.returncode, shown.stderr) == (0, ""), output
        text = words(shown.stdout)
        assert f"KIND: {kind}" in text, (output, shown.stdout)
        assert "VERSION: v1" in text or "VERSION: stable.example.com/v1" in text, shown.stdout
        assert f"FIELD: {name} <{type_name}>" in text, (output, shown.stdout)
        assert description in text, (output, shown.stdout)


@pytest.mark.mock_only("the CRD is seeded into the mock")
def test_explain_recursive_lists_every_field(crontabs: Served,
                                             kubectl_run: KubectlRunner) -> None:
    for output in OUTPUTS:
        shown = kubectl_run.run(crontabs.kubeconfig(), "explain", "crontabs", "--recursive",
                                f"--output={output}")
        assert (shown.returncode, shown.stderr) == (0, ""), output
        text = words(shown.stdout)
        assert CRONTAB in text, (output, shown.stdout)
        for field in ("apiVersion", "kind", "metadata", "spec", "cronSpec", "replicas",
                      "container", "image", "status"):
            assert re.search(rf"\b{field}\b", text), (output, field, shown.stdout)
        # metadata is kube's ObjectMeta, so its own fields are listed too.
        assert re.search(r"\bcreationTimestamp\b", text), (output, shown.stdout)


@pytest.mark.mock_only("the CRD is seeded into the mock")
def test_get_prints_the_printer_columns(crontabs: Served, kubectl_run: KubectlRunner) -> None:
    shown = kubectl_run.run(crontabs.kubeconfig(), "get", "crontabs")
    assert (shown.returncode, shown.stderr) == (0, "")
    header, row = (line.split() for line in shown.stdout.splitlines())
    assert header == ["NAME", "SPEC", "REPLICAS"]
    assert row[0] == "nightly" and row[-1] == "2"
    assert " ".join(row[1:-1]) == "0 3 * * *"
    wide = kubectl_run.run(crontabs.kubeconfig(), "get", "ct", "-o", "wide")
    assert wide.returncode == 0, wide.stderr
    header, row = (line.split() for line in wide.stdout.splitlines())
    assert header == ["NAME", "SPEC", "REPLICAS", "IMAGE"]
    assert row[-1] == "busybox:1.36" and row[-2] == "2"


@pytest.mark.mock_only("the CRD is seeded into the mock")
def test_apply_is_validated_by_the_server(crontabs: Served, kubectl_run: KubectlRunner) -> None:
    # kubectl's default --validate=strict finds fieldValidation on the kind's PATCH operation
    # (v3 for 1.29+, v2 before) and leaves the unknown field to the server, which rejects it.
    manifest = ("apiVersion: stable.example.com/v1\nkind: CronTab\nmetadata:\n  name: typo\n"
                "  namespace: default\nspec:\n  cronSpek: '* * * * *'\n")
    shown = kubectl_run.run(crontabs.kubeconfig(), "apply", "-f", "-", stdin=manifest)
    assert shown.returncode == 1, shown.stdout
    assert 'unknown field "spec.cronSpek"' in shown.stderr, shown.stderr
