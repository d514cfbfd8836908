"""What the kubelet puts in a fake container from its pod (node/mounts.py, node/envvars.py):
volume files at their mount paths, the service account token volume, downward API values, and
the environment from envFrom, env, $(VAR) references and the service links."""

from __future__ import annotations

import base64
from typing import Any

from emulator.cluster.mock.node import envvars, mounts
from emulator.cluster.mock.registry import admission

NS = "shop"
OBJECTS: dict[tuple[str, str], dict[str, Any]] = {
    ("configmaps", "app"): {"data": {"app.conf": "port=80\n", "mode": "fast"},
                            "binaryData": {"logo.bin": base64.b64encode(b"\x00\x01").decode()}},
    ("configmaps", "kube-root-ca.crt"): {"data": {"ca.crt": "-----BEGIN CERTIFICATE-----\n"}},
    ("secrets", "db"): {"data": {"password": base64.b64encode(b"s3cret").decode()}},
}


def read(plural: str, name: str) -> dict[str, Any] | None:
    return OBJECTS.get((plural, name))


def token(seconds: int, audiences: list[str]) -> str:
    return f"token-{seconds}-{','.join(audiences)}"


def a_pod(volumes: list[dict[str, Any]], **spec: Any) -> dict[str, Any]:
    return {"metadata": {"name": "web-1", "namespace": NS, "uid": "u-1",
                         "labels": {"app": "web", "tier": 'front"end'},
                         "annotations": {"note": "hi"}},
            "spec": {"volumes": volumes, "nodeName": "node-1", "serviceAccountName": "robot",
                     **spec},
            "status": {"podIP": "10.244.0.9", "podIPs": [{"ip": "10.244.0.9"}],
                       "hostIP": "10.0.0.10"}}


def test_config_map_secret_and_items_at_their_mount_paths() -> None:
    pod = a_pod([{"name": "conf", "configMap": {"name": "app"}},
                 {"name": "one", "configMap": {"name": "app", "defaultMode": 0o600,
                                               "items": [{"key": "mode", "path": "dir/m",
                                                          "mode": 0o400}]}},
                 {"name": "creds", "secret": {"secretName": "db"}},
                 {"name": "scratch", "emptyDir": {}},
                 {"name": "host", "hostPath": {"path": "/etc"}}])
    container = {"volumeMounts": [
        {"name": "conf", "mountPath": "/etc/app"}, {"name": "one", "mountPath": "/opt"},
        {"name": "creds", "mountPath": "/secrets"}, {"name": "scratch", "mountPath": "/cache"},
        {"name": "host", "mountPath": "/host"},
        {"name": "conf", "mountPath": "/etc/only.conf", "subPath": "app.conf"}]}
    found = mounts.mounts(pod, container, read, token)
    assert found.files == {
        "/etc/app/app.conf": (b"port=80\n", 0o644), "/etc/app/mode": (b"fast", 0o644),
        "/etc/app/logo.bin": (b"\x00\x01", 0o644), "/opt/dir/m": (b"fast", 0o400),
        "/secrets/password": (b"s3cret", 0o644), "/etc/only.conf": (b"port=80\n", 0o644)}
    # A host path is an empty directory: never the host's.
    assert found.directories == ["/etc/app", "/opt", "/secrets", "/cache", "/host"]


def test_the_service_account_volume_holds_a_token_the_ca_and_the_namespace() -> None:
    pod = a_pod([{"name": "kube-api-access-abcde", "projected": admission.token_volume_source()}])
    container = {"volumeMounts": [{"name": "kube-api-access-abcde", "readOnly": True,
                                   "mountPath": admission.TOKEN_MOUNT_PATH}]}
    files = mounts.mounts(pod, container, read, token).files
    base = admission.TOKEN_MOUNT_PATH
    assert files == {f"{base}/token": (b"token-3607-", 0o644),
                     f"{base}/ca.crt": (b"-----BEGIN CERTIFICATE-----\n", 0o644),
                     f"{base}/namespace": (NS.encode(), 0o644)}


def test_a_missing_source_mounts_nothing() -> None:
    pod = a_pod([{"name": "gone", "configMap": {"name": "nope"}}])
    found = mounts.mounts(pod, {"volumeMounts": [{"name": "gone", "mountPath": "/x"}]}, read,
                          token)
    assert (found.files, found.directories) == ({}, ["/x"])


def test_downward_api_values_as_kube_formats_them() -> None:
    pod = a_pod([])
    assert mounts.field_value(pod, "metadata.labels") == 'app="web"\ntier="front\\"end"'
    assert mounts.field_value(pod, "metadata.labels['tier']") == 'front"end'
    assert mounts.field_value(pod, "metadata.annotations") == 'note="hi"'
    assert mounts.field_value(pod, "status.podIPs") == "10.244.0.9"
    assert mounts.field_value(pod, "spec.serviceAccountName") == "robot"
    assert mounts.field_value(pod, "spec.unknown") is None


def services(namespace: str) -> list[dict[str, Any]]:
    return {
        "default": [{"metadata": {"name": "kubernetes"}, "spec": {
            "clusterIP": "10.96.0.1", "ports": [{"name": "https", "port": 443,
                                                 "protocol": "TCP"}]}}],
        NS: [{"metadata": {"name": "web-api"}, "spec": {
            "clusterIP": "10.96.0.20", "ports": [{"port": 80, "protocol": "TCP"},
                                                 {"name": "metrics", "port": 9090}]}},
             {"metadata": {"name": "headless"}, "spec": {"clusterIP": "None",
                                                         "ports": [{"port": 1}]}}],
    }.get(namespace, [])


def test_the_environment_from_every_source_in_kubes_order() -> None:
    container = {
        "envFrom": [{"configMapRef": {"name": "app"}, "prefix": "CFG_"},
                    {"secretRef": {"name": "db"}}],
        "env": [{"name": "CFG_mode", "value": "slow"},  # env wins over envFrom
                {"name": "POD", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
                {"name": "IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
                {"name": "PASS", "valueFrom": {"secretKeyRef": {"name": "db",
                                                                "key": "password"}}},
                {"name": "URL", "value": "http://$(WEB_API_SERVICE_HOST):$(PORT)/$(POD)$$(X)"},
                {"name": "MISSING", "valueFrom": {"configMapKeyRef": {"name": "nope",
                                                                      "key": "k"}}},
                {"name": "WEB_API_SERVICE_HOST", "value": "mine"}]}
    env = envvars.environment(a_pod([]), container, read, services)
    assert env["CFG_mode"] == "slow" and env["CFG_app.conf"] == "port=80\n"
    assert (env["password"], env["PASS"]) == ("s3cret", "s3cret")
    assert (env["POD"], env["IP"]) == ("web-1", "10.244.0.9")
    # $(PORT) is not defined: it stays as written; $$ is a literal $.
    assert env["URL"] == "http://10.96.0.20:$(PORT)/web-1$(X)"
    assert "MISSING" not in env
    assert env["WEB_API_SERVICE_HOST"] == "mine"  # the container's own value wins
    assert env["KUBERNETES_SERVICE_HOST"] == "10.96.0.1"
    assert env["KUBERNETES_SERVICE_PORT_HTTPS"] == "443"
    assert env["KUBERNETES_PORT_443_TCP"] == "tcp://10.96.0.1:443"
    assert env["WEB_API_SERVICE_PORT"] == "80" and env["WEB_API_SERVICE_PORT_METRICS"] == "9090"
    assert env["WEB_API_PORT"] == "tcp://10.96.0.20:80"
    assert env["WEB_API_PORT_9090_TCP_ADDR"] == "10.96.0.20"
    assert not any(name.startswith("HEADLESS_") for name in env)


def test_without_service_links_only_the_master_service() -> None:
    env = envvars.environment(a_pod([], enableServiceLinks=False), {}, read, services)
    assert sorted(env) == ["KUBERNETES_PORT", "KUBERNETES_PORT_443_TCP",
                           "KUBERNETES_PORT_443_TCP_ADDR", "KUBERNETES_PORT_443_TCP_PORT",
                           "KUBERNETES_PORT_443_TCP_PROTO", "KUBERNETES_SERVICE_HOST",
                           "KUBERNETES_SERVICE_PORT", "KUBERNETES_SERVICE_PORT_HTTPS"]


def test_expansion_edge_cases() -> None:
    values = {"A": "1"}.get
    assert envvars.expand("$(A)$(A", values) == "1$(A"
    assert envvars.expand("$A $", values) == "$A $"
    assert envvars.expand("$$(A)", values) == "$(A)"
