"""TokenRequest (``POST .../serviceaccounts/NAME/token``): short-lived service-account tokens.

``kubectl create token`` and the emulator's remote backend (acting as the Connect Agent's service
account) ask for one. The token is opaque to clients; the mock remembers whom it names and when it
stops working, as kube-apiserver's token authenticator does for its signed tokens.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from emulator import messages
from emulator.clock import rfc3339
from emulator.cluster.mock.auth.identity import TokenAuthenticator, service_account_user
from emulator.cluster.mock.wire.status import KubeError

DEFAULT_AUDIENCE = "https://kubernetes.default.svc.cluster.local"
DEFAULT_SECONDS = 3600
MIN_SECONDS = 600  # kube refuses durations under ten minutes
MAX_SECONDS = 2**32


def issue(authenticator: TokenAuthenticator, namespace: str, name: str,
          body: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The TokenRequest answer for service account ``namespace/name`` (which must exist)."""
    spec = body.get("spec") or {}
    seconds = spec.get("expirationSeconds")
    if seconds is None:
        seconds = DEFAULT_SECONDS
    # an int64: the body was decoded into TokenRequest's Go struct before (MockApiserver._typed)
    if seconds < MIN_SECONDS:
        raise KubeError(422, messages.K8S_TOKEN_TOO_SHORT.format(name=name, seconds=seconds),
                        reason="Invalid")
    if seconds > MAX_SECONDS:
        raise KubeError(422, messages.K8S_TOKEN_TOO_LONG.format(name=name, seconds=seconds),
                        reason="Invalid")
    expires = now + timedelta(seconds=seconds)
    token = f"mock-sa.{secrets.token_urlsafe(32)}"
    authenticator.add(token, service_account_user(namespace, name), expires)
    return {
        "kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1",
        "metadata": {"name": name, "namespace": namespace, "creationTimestamp": None},
        "spec": {"audiences": spec.get("audiences") or [DEFAULT_AUDIENCE],
                 "expirationSeconds": seconds, "boundObjectRef": spec.get("boundObjectRef")},
        "status": {"token": token, "expirationTimestamp": rfc3339(expires)},
    }
