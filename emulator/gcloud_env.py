"""``connect-gateway-emulator env``: the environment that points the real gcloud (and kubectl
through gke-gcloud-auth-plugin) at a running emulator, isolated from the user's own gcloud.

Environment variables are enough (gcloud-wire.md §1). The one trap: where ``REQUESTS_CA_BUNDLE``
(or ``CURL_CA_BUNDLE``) is already set, gcloud trusts that bundle and ignores
``core/custom_ca_certs_file``, so the exported bundle holds the CAs already trusted plus the
emulator's.

Two modes (docs/real-hosts.md). Overrides, the default: one ``CLOUDSDK_API_ENDPOINT_OVERRIDES_*``
per emulated API, pointing at the emulator's URL. Real hosts (``--real-hosts``): no overrides;
gcloud and the Go clients (kubectl, gke-gcloud-auth-plugin) send their HTTPS through the
emulator's proxy, so they use Google's own host names, and trust the emulator's CA.
"""

from __future__ import annotations

import json
import os
import shlex
import ssl
from pathlib import Path

from emulator.statedir import RunningEmulator

APIS = ("GKEHUB", "CONNECTGATEWAY", "CLOUDRESOURCEMANAGER", "IAMCREDENTIALS", "SERVICEUSAGE",
        "GKEMULTICLOUD")
BUNDLE = "ca-bundle.pem"
# Go's crypto/x509 system bundles (root_linux.go), first found wins: where Python knows no default
# bundle, the exported one still starts with the system's roots, for Go's SSL_CERT_FILE.
GO_SYSTEM_BUNDLES = ("/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt",
                     "/etc/ssl/ca-bundle.pem", "/etc/pki/tls/cacert.pem",
                     "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", "/etc/ssl/cert.pem")
# Loopback stays direct in real-host mode: the emulator's own URL (kubeconfigs that `kubeconfig`
# writes, the control API) and anything else local.
NO_PROXY = "127.0.0.1,localhost"


def environment(directory: Path, running: RunningEmulator, email: str, token: str,
                impersonate: str | None, inherited: dict[str, str],
                real_hosts: bool = False) -> dict[str, str]:
    """Write the token file, config directory and CA bundle; return the variables to export.
    ``real_hosts`` needs ``running.proxy``."""
    tokens = directory / "tokens"
    tokens.mkdir(parents=True, exist_ok=True)
    token_file = tokens / email
    token_file.touch(mode=0o600)
    token_file.write_text(token + "\n")
    config_dir = directory / "gcloud" / email
    config_dir.mkdir(parents=True, exist_ok=True)
    bundle = directory / BUNDLE
    bundle.write_bytes(_trusted_before(inherited, bundle) + running.ca_pem)
    url = running.url.rstrip("/") + "/"
    env = {
        "CLOUDSDK_CONFIG": str(config_dir),
        "CLOUDSDK_CORE_PROJECT": running.world["project"]["id"],
        "CLOUDSDK_AUTH_ACCESS_TOKEN_FILE": str(token_file),
        "CLOUDSDK_CORE_DISABLE_PROMPTS": "1",
        "CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK": "true",
        "CLOUDSDK_CORE_DISABLE_USAGE_REPORTING": "true",
        "CLOUDSDK_CORE_CHECK_GCE_METADATA": "false",
        **(_proxied(running.proxy) if real_hosts and running.proxy else
           {f"CLOUDSDK_API_ENDPOINT_OVERRIDES_{api}": url for api in APIS}),
        "CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE": str(bundle),
        "REQUESTS_CA_BUNDLE": str(bundle),
        "KUBECONFIG": str(directory / "kubeconfig"),
    }
    if real_hosts:
        # Go (kubectl, gke-gcloud-auth-plugin) reads its roots from here: the bundle starts with
        # the system's, so only the emulator's CA is added.
        env["SSL_CERT_FILE"] = str(bundle)
    if impersonate:
        env["CLOUDSDK_AUTH_IMPERSONATE_SERVICE_ACCOUNT"] = impersonate
    return env


def _proxied(proxy: str) -> dict[str, str]:
    """gcloud's proxy properties, and the variables Go's ProxyFromEnvironment reads."""
    address, _, port = proxy.removeprefix("http://").rpartition(":")
    return {
        "CLOUDSDK_PROXY_TYPE": "http",
        "CLOUDSDK_PROXY_ADDRESS": address,
        "CLOUDSDK_PROXY_PORT": port,
        "HTTPS_PROXY": proxy,
        "https_proxy": proxy,
        "NO_PROXY": NO_PROXY,
        "no_proxy": NO_PROXY,
    }


def _trusted_before(inherited: dict[str, str], ours: Path) -> bytes:
    """The CAs the caller already trusts: its bundle variable, else the system's default."""
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        path = inherited.get(name)
        if path and Path(path).resolve() != ours.resolve() and os.path.isfile(path):
            return _with_newline(Path(path).read_bytes())
    default = ssl.get_default_verify_paths().cafile
    for path in (default, *GO_SYSTEM_BUNDLES):
        if path and os.path.isfile(path) and Path(path).resolve() != ours.resolve():
            return _with_newline(Path(path).read_bytes())
    return b""


def _with_newline(data: bytes) -> bytes:
    return data if not data or data.endswith(b"\n") else data + b"\n"


def render(env: dict[str, str], style: str) -> str:
    if style == "json":
        return json.dumps(env, indent=2) + "\n"
    prefix = "export " if style == "shell" else ""
    return "".join(f"{prefix}{key}={shlex.quote(value)}\n" for key, value in env.items())
