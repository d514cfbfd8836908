"""The kubeconfig's Authorization header is kept between requests (issue 17: the ``kubernetes``
package refreshed its configuration on every request), yet a credential that expires is still
renewed by its exec plugin, and a 401 makes the next request ask the package again."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

from emulator.cluster.remote import upstream


def plugin_kubeconfig(tmp_path: Path, expires_in: timedelta | None) -> tuple[Path, Path]:
    """A kubeconfig whose exec plugin counts its runs and issues ``run-N`` tokens, expiring
    ``expires_in`` from now (or never)."""
    runs = tmp_path / "runs"
    expiry = "" if expires_in is None else (
        (datetime.now(UTC) + expires_in).strftime("%Y-%m-%dT%H:%M:%SZ"))
    plugin = tmp_path / "credential-plugin"
    plugin.write_text(
        f"#!{sys.executable}\nimport json, pathlib\n"
        f"runs = pathlib.Path({str(runs)!r})\n"
        "count = int(runs.read_text()) + 1 if runs.exists() else 1\n"
        "runs.write_text(str(count))\n"
        "status = {'token': f'run-{count}'}\n"
        f"if {expiry!r}:\n    status['expirationTimestamp'] = {expiry!r}\n"
        "print(json.dumps({'apiVersion': 'client.authentication.k8s.io/v1beta1',\n"
        "                  'kind': 'ExecCredential', 'status': status}))\n", encoding="utf-8")
    plugin.chmod(0o755)
    config = {"apiVersion": "v1", "kind": "Config",
              "clusters": [{"name": "k", "cluster": {"server": "https://127.0.0.1:6443"}}],
              "users": [{"name": "u", "user": {"exec": {
                  "apiVersion": "client.authentication.k8s.io/v1beta1",
                  "command": str(plugin)}}}],
              "contexts": [{"name": "c", "context": {"cluster": "k", "user": "u"}}],
              "current-context": "c"}
    path = tmp_path / "kubeconfig"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path, runs


def test_a_lasting_credential_is_read_once_and_again_after_a_401(tmp_path: Path) -> None:
    path, runs = plugin_kubeconfig(tmp_path, timedelta(hours=1))
    found = upstream.load(path, None)
    at_load = int(runs.read_text())
    headers = {found.authorization() for _ in range(50)}
    assert headers == {f"Bearer run-{at_load}"}
    assert int(runs.read_text()) == at_load  # no plugin run, no refresh hook per request
    found.forget_authorization()
    # After a 401 the package is asked again; it runs the plugin only once the credential has
    # expired by its own clock, which this one has not.
    assert found.authorization() == f"Bearer run-{at_load}"


def test_a_credential_near_its_expiry_is_renewed(tmp_path: Path) -> None:
    # Inside the package's five minutes of skew: every read finds it expired and runs the plugin.
    path, runs = plugin_kubeconfig(tmp_path, timedelta(minutes=2))
    found = upstream.load(path, None)
    first = found.authorization()
    second = found.authorization()
    assert first != second and second == f"Bearer run-{int(runs.read_text())}"


def test_a_credential_without_an_expiry_is_kept(tmp_path: Path) -> None:
    path, runs = plugin_kubeconfig(tmp_path, None)
    found = upstream.load(path, None)
    at_load = int(runs.read_text())
    assert {found.authorization() for _ in range(5)} == {f"Bearer run-{at_load}"}
    assert int(runs.read_text()) == at_load
