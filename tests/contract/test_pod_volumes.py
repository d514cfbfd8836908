"""What a container holds from its pod, read with real ``kubectl exec``: ConfigMap, Secret and
downward API volumes at their mount paths, the service account's token volume, and the
environment from envFrom, env sources, $(VAR) references and the service links."""

from __future__ import annotations

import uuid

import pytest

from tests.harness import KubectlRunner, Served

pytestmark = pytest.mark.contract

MANIFEST = """\
apiVersion: v1
kind: ConfigMap
metadata: {{name: {name}-conf}}
data: {{app.conf: "port=8080\\n", mode: fast}}
---
apiVersion: v1
kind: Secret
metadata: {{name: {name}-db}}
stringData: {{password: s3cret}}
---
apiVersion: v1
kind: Pod
metadata:
  name: {name}
  labels: {{app: {name}}}
spec:
  containers:
  - name: main
    image: busybox
    command: [sleep, "3600"]
    envFrom:
    - configMapRef: {{name: {name}-conf}}
      prefix: CONF_
    env:
    - name: PASSWORD
      valueFrom: {{secretKeyRef: {{name: {name}-db, key: password}}}}
    - name: POD_NAME
      valueFrom: {{fieldRef: {{fieldPath: metadata.name}}}}
    - name: GREETING
      value: hello-$(POD_NAME)
    volumeMounts:
    - {{name: conf, mountPath: /etc/app}}
    - {{name: db, mountPath: /etc/db, readOnly: true}}
    - {{name: info, mountPath: /etc/podinfo}}
  volumes:
  - name: conf
    configMap: {{name: {name}-conf}}
  - name: db
    secret: {{secretName: {name}-db, defaultMode: 0400}}
  - name: info
    downwardAPI:
      items:
      - {{path: labels, fieldRef: {{fieldPath: metadata.labels}}}}
"""
TOKEN_DIR = "/var/run/secrets/kubernetes.io/serviceaccount"


@pytest.fixture
def pod(gateway: Served, newest: KubectlRunner) -> tuple[str, KubectlRunner, Served]:
    name = f"mounted-{uuid.uuid4().hex[:6]}"
    made = newest.run(gateway.kubeconfig(), "apply", "-f", "-",
                      stdin=MANIFEST.format(name=name))
    assert made.returncode == 0, made.stderr
    ready = newest.run(gateway.kubeconfig(), "wait", f"pod/{name}", "--for=condition=Ready",
                       "--timeout=30s")
    assert ready.returncode == 0, ready.stderr
    return name, newest, gateway


def exec_in(pod: tuple[str, KubectlRunner, Served], script: str) -> str:
    name, kubectl, gateway = pod
    result = kubectl.run(gateway.kubeconfig(track="v1beta1"), "exec", name, "--", "sh", "-c",
                         script)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_volumes_are_files_at_their_mount_paths(pod: tuple[str, KubectlRunner, Served]) -> None:
    name = pod[0]
    assert exec_in(pod, "cat /etc/app/app.conf; cat /etc/app/mode") == "port=8080\nfast"
    assert exec_in(pod, "cat /etc/db/password") == "s3cret"
    assert exec_in(pod, "ls -l /etc/db/password").startswith("-r--------")
    assert exec_in(pod, "cat /etc/podinfo/labels") == f'app="{name}"'


def test_the_service_account_token_volume(pod: tuple[str, KubectlRunner, Served]) -> None:
    assert exec_in(pod, f"cat {TOKEN_DIR}/namespace") == "default"
    assert exec_in(pod, f"ls {TOKEN_DIR}").split() == ["ca.crt", "namespace", "token"]
    assert exec_in(pod, f"cat {TOKEN_DIR}/ca.crt").startswith("-----BEGIN CERTIFICATE-----\n")
    assert exec_in(pod, f"cat {TOKEN_DIR}/token")


def test_the_environment(pod: tuple[str, KubectlRunner, Served]) -> None:
    name = pod[0]
    shown = exec_in(pod, "echo $CONF_mode $PASSWORD $POD_NAME $GREETING")
    assert shown == f"fast s3cret {name} hello-{name}\n"
    links = exec_in(pod, "echo $KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT")
    assert links == "10.96.0.1:443\n"
