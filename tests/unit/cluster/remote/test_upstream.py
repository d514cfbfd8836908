"""Reading a kubeconfig into an ``Upstream``: server, TLS, context and the agent's credentials."""

from __future__ import annotations

import base64
import ssl
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from emulator import messages, tls
from emulator.cluster.remote import upstream
from emulator.cluster.remote.upstream import UpstreamConfigError
from emulator.scenario import loader
from emulator.standalone.server import StandaloneApiserver

SERVER = "https://127.0.0.1:6443"
TOKEN = "upstream-token"
CA = tls.generate()


def kubeconfig(server: str | None = SERVER, user: dict[str, Any] | None = None,
               **cluster_extra: Any) -> dict[str, Any]:
    cluster: dict[str, Any] = {"certificate-authority-data": base64.b64encode(CA.ca_pem).decode()}
    if server is not None:
        cluster["server"] = server
    cluster.update(cluster_extra)
    return {"apiVersion": "v1", "kind": "Config",
            "clusters": [{"name": "k", "cluster": cluster}],
            "users": [{"name": "u", "user": user if user is not None else {"token": TOKEN}}],
            "contexts": [{"name": "ctx", "context": {"cluster": "k", "user": "u"}}],
            "current-context": "ctx"}


def write(tmp_path: Path, config: dict[str, Any], name: str = "kubeconfig") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def config_error(path: Path, context: str | None = None) -> str:
    with pytest.raises(UpstreamConfigError) as caught:
        upstream.load(path, context)
    return str(caught.value)


def test_token_kubeconfig_as_the_standalone_writes_it(tmp_path: Path) -> None:
    standalone = StandaloneApiserver(loader.load("quickstart"), "my-cluster", admin_token=TOKEN)
    path = write(tmp_path, standalone.kubeconfig("https://127.0.0.1:41234/", CA.ca_pem))
    found = upstream.load(path, None)
    assert found.server == "https://127.0.0.1:41234"  # the trailing slash goes
    assert found.websocket_server == "wss://127.0.0.1:41234"
    assert found.context == "mock-my-cluster"
    assert found.credentials == messages.REMOTE_CREDENTIALS_TOKEN
    assert found.authorization() == f"Bearer {TOKEN}"
    context = found.ssl_context
    assert context is not None
    assert (context.verify_mode, context.check_hostname) == (ssl.CERT_REQUIRED, True)
    # Only the kubeconfig's CA is trusted, not the system's.
    (trusted,) = context.get_ca_certs()
    assert ((("commonName", "connect-gateway-emulator CA"),),) == trusted["subject"]


def exec_plugin_kubeconfig(tmp_path: Path, script: str) -> Path:
    """A kubeconfig whose user runs ``script`` (Python, printing an ExecCredential)."""
    plugin = tmp_path / "credential-plugin"
    plugin.write_text(f"#!{sys.executable}\nimport json\n{script}", encoding="utf-8")
    plugin.chmod(0o755)
    return write(tmp_path, kubeconfig(user={"exec": {
        "apiVersion": "client.authentication.k8s.io/v1beta1", "command": str(plugin)}}))


def test_exec_plugin_token_becomes_the_authorization(tmp_path: Path) -> None:
    path = exec_plugin_kubeconfig(
        tmp_path,
        "print(json.dumps({'apiVersion': 'client.authentication.k8s.io/v1beta1',\n"
        "                  'kind': 'ExecCredential', 'status': {'token': 'from-the-plugin'}}))\n")
    found = upstream.load(path, None)
    assert found.authorization() == "Bearer from-the-plugin"
    assert found.credentials == messages.REMOTE_CREDENTIALS_TOKEN


def test_expired_exec_credential_is_refreshed(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    path = exec_plugin_kubeconfig(
        tmp_path,
        "import pathlib\n"
        f"runs = pathlib.Path({str(runs)!r})\n"
        "count = int(runs.read_text()) + 1 if runs.exists() else 1\n"
        "runs.write_text(str(count))\n"
        "print(json.dumps({'apiVersion': 'client.authentication.k8s.io/v1beta1',\n"
        "                  'kind': 'ExecCredential', 'status': {\n"
        "                      'token': f'run-{count}',\n"
        "                      'expirationTimestamp': '2000-01-01T00:00:00Z'}}))\n")
    found = upstream.load(path, None)
    # Each call finds the token expired and runs the plugin again: the newest token is sent.
    at_load = int(runs.read_text())
    first = found.authorization()
    after_first = int(runs.read_text())
    second = found.authorization()
    after_second = int(runs.read_text())
    assert at_load < after_first < after_second
    assert (first, second) == (f"Bearer run-{after_first}", f"Bearer run-{after_second}")


def test_named_context_is_chosen_among_two(tmp_path: Path) -> None:
    config = kubeconfig()
    config["clusters"].append({"name": "k2", "cluster": {"server": "https://10.0.0.2:443",
                                                         "insecure-skip-tls-verify": True}})
    config["users"].append({"name": "u2", "user": {"token": "second-token"}})
    config["contexts"].append({"name": "second", "context": {"cluster": "k2", "user": "u2"}})
    path = write(tmp_path, config)

    chosen = upstream.load(path, "second")
    assert (chosen.server, chosen.context, chosen.authorization()) == (
        "https://10.0.0.2:443", "second", "Bearer second-token")
    current = upstream.load(path, None)
    assert (current.server, current.context, current.authorization()) == (
        SERVER, "ctx", f"Bearer {TOKEN}")


def test_client_certificate(tmp_path: Path) -> None:
    client = tls.generate(("client",))
    path = write(tmp_path, kubeconfig(user={
        "client-certificate-data": base64.b64encode(client.cert_pem).decode(),
        "client-key-data": base64.b64encode(client.key_pem).decode()}))
    found = upstream.load(path, None)
    assert found.credentials == messages.REMOTE_CREDENTIALS_CERTIFICATE
    assert found.authorization() is None
    assert found.ssl_context is not None


def test_plain_http_server(tmp_path: Path) -> None:
    found = upstream.load(write(tmp_path, kubeconfig(server="http://127.0.0.1:8080")), None)
    assert found.ssl_context is None  # plain HTTP: no TLS at all
    assert (found.server, found.websocket_server) == ("http://127.0.0.1:8080",
                                                      "ws://127.0.0.1:8080")
    assert found.authorization() == f"Bearer {TOKEN}"


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope" / "kubeconfig"
    assert config_error(path) == messages.REMOTE_NO_KUBECONFIG.format(path=path)


@pytest.mark.parametrize("server", [None, "", "127.0.0.1:6443"])
def test_kubeconfig_without_a_server(tmp_path: Path, server: str | None) -> None:
    path = write(tmp_path, kubeconfig(server=server))
    assert config_error(path) == messages.REMOTE_BAD_KUBECONFIG.format(
        path=path, reason=messages.REMOTE_NO_SERVER)


def test_unknown_context(tmp_path: Path) -> None:
    path = write(tmp_path, kubeconfig())
    text = config_error(path, "nosuch")
    prefix = messages.REMOTE_BAD_KUBECONFIG.format(path=path, reason="")
    assert text.startswith(prefix)
    assert "nosuch" in text.removeprefix(prefix)


def test_kubeconfig_that_is_not_yaml(tmp_path: Path) -> None:
    path = tmp_path / "kubeconfig"
    path.write_text("clusters: [\n  - name: k\n    cluster: {server: : }\n", encoding="utf-8")
    assert config_error(path).startswith(
        messages.REMOTE_BAD_KUBECONFIG.format(path=path, reason=""))


def test_insecure_skip_tls_verify_does_not_verify(tmp_path: Path) -> None:
    config = kubeconfig(**{"insecure-skip-tls-verify": True})
    del config["clusters"][0]["cluster"]["certificate-authority-data"]
    found = upstream.load(write(tmp_path, config), None)
    context = found.ssl_context
    assert context is not None
    assert (context.verify_mode, context.check_hostname) == (ssl.CERT_NONE, False)


@pytest.mark.parametrize(("field", "value"), [("tls-server-name", "kubernetes.default"),
                                              ("proxy-url", "http://127.0.0.1:3128")])
def test_fields_the_backend_cannot_honour_are_refused(tmp_path: Path, field: str,
                                                      value: str) -> None:
    path = write(tmp_path, kubeconfig(**{field: value}))
    assert config_error(path) == messages.REMOTE_BAD_KUBECONFIG.format(
        path=path, reason=messages.REMOTE_UNSUPPORTED_FIELD.format(field=field))


def test_only_a_remote_cluster_imports_the_kubernetes_package(tmp_path: Path) -> None:
    """The package takes about 0.2 s to import: ``serve`` and the embedded clusters never pay it,
    a kubeconfig read does. (The times are reported by benchmarks/startup.py, never asserted.)"""
    config = write(tmp_path, kubeconfig())
    probe = ("import sys; import emulator.cli; from emulator.state import EmulatorState; "
             "from emulator.scenario import loader; "
             "state = EmulatorState(loader.load('quickstart')); "
             "state.membership('my-cluster').cluster; "
             "before = 'kubernetes' in sys.modules; "
             "from emulator.cluster.remote import upstream; "
             f"upstream.load({str(config)!r}, None); "
             "print(before, 'kubernetes' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            timeout=120)
    assert (result.returncode, result.stdout.strip()) == (0, "False True"), result.stderr
