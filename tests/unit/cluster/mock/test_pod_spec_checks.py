"""kube's create validation of a pod spec (registry/podspecchecks.py, after ValidatePodSpec):
for pods and for the templates of the kinds that hold one, in kube's words and order."""

from __future__ import annotations

from typing import Any

import pytest

from emulator.cluster.mock.apiserver import MockApiserver
from emulator.cluster.mock.registry.quantities import canonical_quantity

from .conftest import call, deployment, message, quiet_at

PODS = "/api/v1/namespaces/default/pods"
LABEL_FORMAT = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters "
                "or '-', and must start and end with an alphanumeric character (e.g. 'my-name',"
                "  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')")


def a_pod(**spec: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"containers": [{"name": "app", "image": "app:1"}]}
    body.update(spec)
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": body}


def refused(api: MockApiserver, path: str, body: dict[str, Any]) -> tuple[str, list[str]]:
    """The message and the (field, body) of each cause of a 422."""
    reply = call(api, "POST", path, body=body)
    assert reply.status == 422, reply.body
    causes = [f"{c['field']}: {c['message']}" for c in reply.body["details"]["causes"]]
    return message(reply), causes


def test_a_pod_needs_a_container(quiet: MockApiserver) -> None:
    text, _ = refused(quiet, PODS, a_pod(containers=[]))
    assert text == 'Pod "p" is invalid: spec.containers: Required value'


def test_container_names_images_and_repeats_in_kubes_order(quiet: MockApiserver) -> None:
    _, causes = refused(quiet, PODS, a_pod(
        containers=[{"name": "My_App", "image": "a"}, {"name": "web.v1"},
                    {"name": "web.v1", "image": "b"}],
        initContainers=[{"name": "My_App", "image": "c"}]))
    assert causes == [
        f'spec.containers[0].name: Invalid value: "My_App": {LABEL_FORMAT}',
        'spec.containers[1].name: Invalid value: "web.v1": must not contain dots',
        "spec.containers[1].image: Required value",
        'spec.containers[2].name: Invalid value: "web.v1": must not contain dots',
        'spec.containers[2].name: Duplicate value: "web.v1"',
        f'spec.initContainers[0].name: Invalid value: "My_App": {LABEL_FORMAT}',
        'spec.initContainers[0].name: Duplicate value: "My_App"',
    ]


def test_ports_are_checked_by_name_number_and_protocol(quiet: MockApiserver) -> None:
    _, causes = refused(quiet, PODS, a_pod(containers=[
        {"name": "a", "image": "a", "ports": [
            {"name": "http--web-", "containerPort": 70000, "protocol": "tcp"},
            {"name": "metrics", "containerPort": 9090, "hostPort": 8080},
            {"name": "metrics", "containerPort": 9091}]},
        {"name": "b", "image": "b", "ports": [{"containerPort": 80, "hostPort": 8080}]}]))
    assert causes == [
        'spec.containers[0].ports[0].name: Invalid value: "http--web-": must not contain '
        "consecutive hyphens",
        'spec.containers[0].ports[0].name: Invalid value: "http--web-": must not begin or end '
        "with a hyphen",
        "spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and "
        "65535, inclusive",
        'spec.containers[0].ports[0].protocol: Unsupported value: "tcp": supported values: '
        '"SCTP", "TCP", "UDP"',
        'spec.containers[0].ports[2].name: Duplicate value: "metrics"',
        'spec.containers[1].ports[0].hostPort: Duplicate value: "TCP//8080"',
    ]


def test_mounts_name_volumes_the_pod_has_without_errors(quiet: MockApiserver) -> None:
    _, causes = refused(quiet, PODS, a_pod(
        volumes=[{"name": "data", "emptyDir": {}, "hostPath": {"path": "/x"}},
                 {"name": "conf", "configMap": {"name": "c"}},
                 {"name": "conf", "secret": {"secretName": "s"}}],
        containers=[{"name": "a", "image": "a", "volumeMounts": [
            {"name": "data", "mountPath": "/data"}, {"name": "conf", "mountPath": "/data"},
            {"name": "logs", "mountPath": "/logs"}]}]))
    assert causes == [
        "spec.volumes[0].hostPath: Forbidden: may not specify more than 1 volume type",
        'spec.volumes[2].name: Duplicate value: "conf"',
        'spec.containers[0].volumeMounts[0].name: Not found: "data"',
        'spec.containers[0].volumeMounts[1].mountPath: Invalid value: "/data": must be unique',
        'spec.containers[0].volumeMounts[2].name: Not found: "logs"',
    ]


def test_requests_above_limits_print_kubes_canonical_quantities(quiet: MockApiserver) -> None:
    _, causes = refused(quiet, PODS, a_pod(containers=[{"name": "a", "image": "a", "resources": {
        "limits": {"cpu": "1", "memory": "1024Mi", "example.com/gpu": "1"},
        "requests": {"cpu": "2000m", "memory": "2Gi", "example.com/gpu": "0"}}},
        {"name": "b", "image": "b", "resources": {"limits": {"cpu": "-1"}}}]))
    assert causes == [
        'spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to '
        "cpu limit of 1",
        'spec.containers[0].resources.requests: Invalid value: "0": must be equal to '
        "example.com/gpu limit of 1",
        'spec.containers[0].resources.requests: Invalid value: "2Gi": must be less than or equal '
        "to memory limit of 1Gi",
        'spec.containers[1].resources.limits[cpu]: Invalid value: "-1": must be greater than or '
        "equal to 0",
        # A pod's missing request is its limit (SetDefaults_Pod), negative too.
        'spec.containers[1].resources.requests[cpu]: Invalid value: "-1": must be greater than '
        "or equal to 0",
    ]


@pytest.mark.parametrize(("written", "canonical"), [
    ("2000m", "2"), ("0.5", "500m"), ("1024Mi", "1Gi"), ("1.5Gi", "1536Mi"), ("1500", "1500"),
    ("2000", "2k"), ("1536", "1536"), ("100m", "100m"), ("0", "0"), ("1e3", "1e3"),
])
def test_quantities_print_canonically(written: str, canonical: str) -> None:
    assert canonical_quantity(written) == canonical


def test_a_pods_restart_policy_and_padded_image(quiet: MockApiserver) -> None:
    text, _ = refused(quiet, PODS, a_pod(restartPolicy="Sometimes",
                                         containers=[{"name": "a", "image": " a "}]))
    assert text == (
        'Pod "p" is invalid: [spec.restartPolicy: Unsupported value: "Sometimes": supported '
        'values: "Always", "OnFailure", "Never", spec.containers[0].image: Invalid value: " a ": '
        "must not have leading or trailing whitespace]")


def test_templates_are_pods_with_their_kinds_restart_policy(quiet: MockApiserver) -> None:
    body = deployment("web")
    body["spec"]["template"]["spec"]["restartPolicy"] = "Never"
    body["spec"]["template"]["spec"]["containers"][0]["image"] = ""
    text, _ = refused(quiet, "/apis/apps/v1/namespaces/default/deployments", body)
    assert text == (
        'Deployment.apps "web" is invalid: [spec.template.spec.containers[0].image: Required '
        'value, spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: '
        '"Always"]')
    job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"}, "spec": {
        "template": {"spec": {"containers": [{"name": "a", "image": "a"}]}}}}
    text, _ = refused(quiet, "/apis/batch/v1/namespaces/default/jobs", job)
    assert text == ('Job.batch "j" is invalid: spec.template.spec.restartPolicy: Required value: '
                    'valid values: "OnFailure", "Never"')


def test_a_stateful_sets_template_is_checked_for_its_restart_policy_only(
        quiet: MockApiserver) -> None:
    labels = {"app": "db"}
    body = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db"},
            "spec": {"serviceName": "db", "selector": {"matchLabels": labels}, "template": {
                "metadata": {"labels": labels},
                "spec": {"restartPolicy": "OnFailure", "containers": [{"name": "Bad_Name"}]}}}}
    text, _ = refused(quiet, "/apis/apps/v1/namespaces/default/statefulsets", body)
    assert text == ('StatefulSet.apps "db" is invalid: spec.template.spec.restartPolicy: '
                    'Unsupported value: "OnFailure": supported values: "Always"')


def test_a_deployment_without_a_selector_gets_kubes_three_errors(quiet: MockApiserver) -> None:
    body = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "empty"},
            "spec": {}}
    text, _ = refused(quiet, "/apis/apps/v1/namespaces/default/deployments", body)
    assert text == (
        'Deployment.apps "empty" is invalid: [spec.selector: Required value, '
        "spec.template.metadata.labels: Invalid value: map[string]string(nil): `selector` does "
        "not match template `labels`, spec.template.spec.containers: Required value]")


@pytest.mark.parametrize(("version", "name", "texts"), [
    ("v1.30.5", "cpus", ["must be a standard resource type or fully qualified",
                         "must be a standard resource for containers"]),
    ("v1.30.5", "requests.storage", ["must be a standard resource for containers"]),
    ("v1.30.5", "example.com/gpu", []),
    ("v1.30.5", "hugepages-2Mi", None),
    ("v1.34.1", "example.com/a/b", [
        "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must "
        "start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or "
        "'123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') "
        "with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
        "doesn't follow extended resource name standard"]),
    ("v1.35.1", "example.com/a/b", [  # apimachinery 0.35 words it as a label key
        "a valid label key must consist of alphanumeric characters, '-', '_' or '.', and must "
        "start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or "
        "'123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') "
        "with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
        "doesn't follow extended resource name standard"]),
])
def test_a_containers_resource_names(version: str, name: str, texts: list[str] | None) -> None:
    api = quiet_at(version)
    body = a_pod(containers=[{"name": "app", "image": "app:1",
                              "resources": {"limits": {name: "2Mi"}}}])
    if texts is None:  # huge pages need cpu or memory beside them
        assert refused(api, PODS, body)[1] == [
            "spec.containers[0].resources: Forbidden: HugePages require cpu or memory"]
        body["spec"]["containers"][0]["resources"]["limits"]["memory"] = "1Gi"
    if not texts:
        assert call(api, "POST", PODS, body=body).status == 201
        return
    _, found = refused(api, PODS, body)
    # The requests are defaulted from the limits, and checked after them.
    assert found == [f"spec.containers[0].resources.{kind}[{name}]: Invalid value: "
                     f'"{name}": {text}' for kind in ("limits", "requests") for text in texts]
