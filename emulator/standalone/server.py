"""``StandaloneApiserver``: one membership's mock cluster, with an admin, served over TLS.

The cluster is built exactly as the gateway builds the membership's embedded one (the scenario's
seeds, and the Connect Agent's namespace and service account for attached clusters), so the same
contract tests pass against either. Who may call it: the admin (a token bound to
``system:masters``, as kind's admin is), the Connect Agent's service account, and any service
account that TokenRequest issued a token for.
"""

from __future__ import annotations

import base64
import secrets
from pathlib import Path
from typing import Any

from emulator import messages, tls
from emulator.clock import Clock, SystemClock
from emulator.cluster.mock.apiserver import MockApiserver
from emulator.cluster.mock.auth.identity import AUTHENTICATED, UserInfo
from emulator.runner import ServedApp, serving_hosts
from emulator.scenario.loader import ScenarioError
from emulator.scenario.model import MembershipSpec, Scenario
from emulator.standalone.app import create_apiserver_app
from emulator.standalone.audit import AuditTrail
from emulator.state import build_mock_membership

ADMIN_USER = "kubernetes-admin"
ADMIN_GROUPS = ("system:masters", AUTHENTICATED)
AUDIT_FILE = "audit.log"
KUBECONFIG_FILE = "kubeconfig"


def pick_membership(scenario: Scenario, name: str | None) -> MembershipSpec:
    """The membership named, or the scenario's first one."""
    if not scenario.memberships:
        raise ScenarioError(messages.APISERVER_NO_MEMBERSHIPS.format(path=scenario.path))
    spec = scenario.membership(name) if name else scenario.memberships[0]
    if spec is None:
        raise ScenarioError(messages.APISERVER_UNKNOWN_MEMBERSHIP.format(
            path=scenario.path, name=name,
            known=", ".join(m.name for m in scenario.memberships)))
    return spec


class StandaloneApiserver:
    def __init__(self, scenario: Scenario, membership: str | None = None,
                 clock: Clock | None = None, audit_path: Path | None = None,
                 admin_token: str | None = None) -> None:
        self.clock: Clock = clock or SystemClock()
        self.admin_token = admin_token or secrets.token_urlsafe(32)
        self.audit = AuditTrail(audit_path)
        self.serving_ca: bytes | None = None  # once served over TLS (serve_apiserver)
        self.cluster: MockApiserver
        self.load(scenario, membership)

    def load(self, scenario: Scenario, membership: str | None = None) -> None:
        """A fresh cluster for the membership (the admin token stays valid across loads)."""
        spec = pick_membership(scenario, membership)
        cluster = build_mock_membership(scenario, spec, self.clock).cluster
        assert isinstance(cluster, MockApiserver)
        cluster.authenticator.add(self.admin_token, UserInfo(ADMIN_USER, ADMIN_GROUPS))
        previous: MockApiserver | None = getattr(self, "cluster", None)
        if previous is not None:
            # Like a cluster restored from a backup, with the same signing key: service-account
            # tokens issued before stay valid (until they expire).
            for token, user in previous.authenticator.tokens.items():
                if user.name.startswith("system:serviceaccount:"):
                    cluster.authenticator.add(token, user, previous.authenticator.expiries.get(token))
        if self.serving_ca is not None:  # a reset: the new cluster is served the same way
            cluster.publish_root_ca(self.serving_ca)
        self.scenario, self.spec = scenario, spec
        self.cluster = cluster  # one assignment: requests in flight keep the cluster they had
        self.audit.clear()
        if previous is not None:
            previous.close()  # its controllers' timers and container processes

    def advance_clock(self, seconds: float) -> None:
        """Move this cluster's clock forward; what is now due happens at once."""
        self.clock.advance(seconds)
        self.cluster.controllers.clock_moved()

    def kubeconfig(self, url: str, ca_pem: bytes) -> dict[str, Any]:
        """A kubeconfig for the admin, like the one kind writes."""
        name = f"mock-{self.spec.name}"
        return {
            "apiVersion": "v1", "kind": "Config", "preferences": {},
            "clusters": [{"name": name, "cluster": {
                "server": url,
                "certificate-authority-data": base64.b64encode(ca_pem).decode()}}],
            "users": [{"name": f"{name}-admin", "user": {"token": self.admin_token}}],
            "contexts": [{"name": name, "context": {"cluster": name, "user": f"{name}-admin"}}],
            "current-context": name,
        }


def serve_apiserver(server: StandaloneApiserver, host: str = "127.0.0.1", port: int = 0,
                    tls_dir: Path | None = None) -> ServedApp:
    """Serve over TLS. With ``tls_dir``, the CA and certificate there are reused, so a restart
    (the upstream coming back) is trusted by every kubeconfig written before it."""
    material = tls.reuse_or_generate(tls_dir, serving_hosts(host)) if tls_dir else None
    served = ServedApp(create_apiserver_app(server), host, port, tls_dir, material)
    server.serving_ca = served.ca_pem  # what kubeconfigs trust: kube-root-ca.crt publishes it
    server.cluster.publish_root_ca(served.ca_pem)
    return served.start()
