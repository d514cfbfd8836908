"""Where the remote apiserver is and how to prove who we are to it, read from a kubeconfig.

The ``kubernetes`` package does the reading, so whatever it understands works here too:
certificate files or inline data, bearer tokens, basic auth, exec plugins and auth providers
(refreshed when they expire). What comes out is what an HTTP and a WebSocket client need: a base
URL, an ``ssl.SSLContext`` and an ``Authorization`` header.

The header is kept between requests: the package's refresh hook (which it runs on every read of
the header) is asked again only once the credential's expiry is near, or after the apiserver
answered 401 (``forget_authorization``).
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from emulator import messages

# The kubernetes package takes about 0.2 s to import, most of a start of ``serve``: it is
# imported where a kubeconfig is read, so that only a gateway with a remote cluster pays it.
if TYPE_CHECKING:
    from kubernetes.client import Configuration
    from kubernetes.config.kube_config import KubeConfigLoader


_REFRESH_MARGIN = timedelta(seconds=10)


class UpstreamConfigError(ValueError):
    """The kubeconfig cannot be used: a one-line reason for the user."""


@dataclass
class Upstream:
    server: str  # https://HOST:PORT, without a trailing slash
    ssl_context: ssl.SSLContext | None  # None for a plain-HTTP server
    context: str  # the kubeconfig context in use
    credentials: str  # what the kubeconfig authenticates with, for the startup line
    _configuration: Configuration
    _loader: KubeConfigLoader  # what the package knows of the credential (its ``expiry``)
    _header: str | None = field(default=None, init=False)
    _header_known: bool = field(default=False, init=False)

    def authorization(self) -> str | None:
        """The kubeconfig's own Authorization header, refreshed first when an exec plugin or
        auth provider's token has expired; None for client-certificate authentication."""
        if self._header_known and not self._may_have_expired():
            return self._header
        # The kubernetes package runs its refresh hook (exec plugins, expiring tokens) here.
        self._header = self._configuration.get_api_key_with_prefix("BearerToken") or None
        self._header_known = True
        return self._header

    def forget_authorization(self) -> None:
        """The apiserver refused the header (401): ask the package again next time."""
        self._header_known = False

    def _may_have_expired(self) -> bool:
        expiry = self._loader.__dict__.get("expiry")
        if expiry is None:
            return False  # a credential without an expiry is only ever refreshed after a 401
        from kubernetes.config.dateutil import parse_rfc3339
        from kubernetes.config.kube_config import EXPIRY_SKEW_PREVENTION_DELAY

        # The package refreshes once the expiry is EXPIRY_SKEW_PREVENTION_DELAY away; ask it
        # from a little before that, so the header is never older than it would have made it.
        return parse_rfc3339(expiry) - EXPIRY_SKEW_PREVENTION_DELAY - _REFRESH_MARGIN <= \
            datetime.now(UTC)

    @property
    def websocket_server(self) -> str:
        return "wss" + self.server.removeprefix("https") if self.server.startswith(
            "https") else "ws" + self.server.removeprefix("http")


def load(kubeconfig: Path | None, context: str | None) -> Upstream:
    from kubernetes.client import Configuration
    from kubernetes.config import ConfigException
    from kubernetes.config.kube_config import KUBE_CONFIG_DEFAULT_LOCATION

    path = Path(kubeconfig).expanduser() if kubeconfig else Path(
        KUBE_CONFIG_DEFAULT_LOCATION).expanduser()
    if not path.is_file():
        raise UpstreamConfigError(messages.REMOTE_NO_KUBECONFIG.format(path=path))
    configuration = Configuration()
    try:
        loader = _loader(path, context)
        loader.load_and_set(configuration)
    except (ConfigException, OSError, ValueError, KeyError, TypeError, yaml.YAMLError) as err:
        raise UpstreamConfigError(messages.REMOTE_BAD_KUBECONFIG.format(
            path=path, reason=str(err).strip() or type(err).__name__)) from None
    server = (configuration.host or "").rstrip("/")
    if not server.startswith(("https://", "http://")):
        raise UpstreamConfigError(messages.REMOTE_BAD_KUBECONFIG.format(
            path=path, reason=messages.REMOTE_NO_SERVER))
    for unsupported, value in (("tls-server-name", configuration.tls_server_name),
                               ("proxy-url", configuration.proxy)):
        if value:
            # Honouring half a kubeconfig would reach the wrong server or the wrong way.
            raise UpstreamConfigError(messages.REMOTE_BAD_KUBECONFIG.format(
                path=path, reason=messages.REMOTE_UNSUPPORTED_FIELD.format(field=unsupported)))
    chosen = context or _current_context(path)
    return Upstream(server, _ssl_context(configuration, server), chosen,
                    _credentials_kind(configuration), configuration, loader)


def _loader(path: Path, context: str | None) -> KubeConfigLoader:
    """What ``load_kube_config(persist_config=False)`` builds, kept so that the credential's
    expiry can be read (the package keeps it on the loader, not on the configuration)."""
    from kubernetes.config import ConfigException
    from kubernetes.config.kube_config import KubeConfigLoader, KubeConfigMerger

    merged = KubeConfigMerger(str(path))
    if merged.config is None:
        raise ConfigException("Invalid kube-config file. No configuration found.")
    return KubeConfigLoader(config_dict=merged.config, active_context=context,
                            config_base_path=None)


def _current_context(path: Path) -> str:
    from kubernetes.config.kube_config import list_kube_config_contexts

    _, current = list_kube_config_contexts(config_file=str(path))
    return str(current.get("name", ""))


def _ssl_context(configuration: Configuration, server: str) -> ssl.SSLContext | None:
    if server.startswith("http://"):
        return None
    context = ssl.create_default_context(cafile=configuration.ssl_ca_cert or None)
    if not configuration.verify_ssl:
        # insecure-skip-tls-verify: the kubeconfig asked for it, as kubectl would honour it.
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if configuration.cert_file:
        context.load_cert_chain(configuration.cert_file, configuration.key_file or None)
    return context


def _credentials_kind(configuration: Configuration) -> str:
    header = configuration.get_api_key_with_prefix("BearerToken") or ""
    if header.startswith("Basic "):
        return messages.REMOTE_CREDENTIALS_BASIC
    if header:
        return messages.REMOTE_CREDENTIALS_TOKEN
    if configuration.cert_file:
        return messages.REMOTE_CREDENTIALS_CERTIFICATE
    return messages.REMOTE_CREDENTIALS_NONE
