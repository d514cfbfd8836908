"""What a test holds while it talks to the emulator: the ``connect_gateway`` handle.

It wraps a served emulator (one per test session, see ``pytest_plugin``) whose world the fixture
has just reset: the base URL and CA, kubeconfigs and tokens for any principal, the audit trail,
and assertions that explain themselves when they fail.
"""

from __future__ import annotations

import logging
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from emulator import error_catalogue, messages
from emulator.audit import AuditRecord
from emulator.clients import find_kubectl
from emulator.kubeconfig import GatewayCluster, gateway_kubeconfig
from emulator.runner import ServedApp
from emulator.state import EmulatorState


@dataclass
class ConnectGateway:
    state: EmulatorState
    server: ServedApp
    workdir: Path

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def ca_pem(self) -> bytes:
        return self.server.ca_pem

    @property
    def control(self) -> Any:
        """The control API's Python client, bound to this emulator."""
        from emulator.control.client import ControlClient  # noqa: PLC0415 - optional part
        return ControlClient(self.url, self.ca_pem)

    def advance_clock(self, seconds: float) -> None:
        """Move the emulator's clock forward: CronJobs due by then fire, back-offs end, tokens
        expire, as if that time had passed."""
        self.state.advance_clock(seconds)

    def token(self, principal: str) -> str:
        found = self.state.principal(principal)  # control-API additions included
        if found is None or not found.token:
            raise LookupError(messages.TESTING_NO_TOKEN.format(principal=principal))
        return found.token

    def kubeconfig(self, membership: str = "my-cluster", *, as_: str = "alice@example.com",
                   track: str = "v1", namespace: str | None = None) -> Path:
        """A kubeconfig file for ``as_`` on ``membership``, on the given gateway track."""
        scenario = self.state.scenario
        spec = scenario.membership(membership)
        if spec is None:
            raise LookupError(messages.TESTING_NO_MEMBERSHIP.format(membership=membership))
        cluster = GatewayCluster.of(scenario, spec)
        config = gateway_kubeconfig(self.url, self.ca_pem, cluster, track,
                                    {"token": self.token(as_)}, namespace)
        path = self.workdir / f"kubeconfig-{membership}-{as_}-{track}-{namespace or 'all'}"
        path.write_text(yaml.safe_dump(config))
        return path

    def kubectl(self, *args: str, as_: str = "alice@example.com", membership: str = "my-cluster",
                track: str = "v1", env: dict[str, str] | None = None,
                timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """Run the real kubectl (``clients.find_kubectl``) as ``as_`` through the gateway, with
        this test's own HOME and discovery cache (kept between calls, as on a user's machine)."""
        kubectl = find_kubectl()
        if kubectl is None:
            raise FileNotFoundError(messages.CHECK_NO_KUBECTL)
        home = self.workdir / "home"
        home.mkdir(exist_ok=True)
        run_env = {**os.environ, "HOME": str(home), "KUBECACHEDIR": str(home / "cache"),
                   "KUBECONFIG": str(self.kubeconfig(membership, as_=as_, track=track)),
                   **(env or {})}
        return subprocess.run([str(kubectl), *args], capture_output=True, text=True,
                              env=run_env, timeout=timeout, stdin=subprocess.DEVNULL)

    def audit(self) -> list[AuditRecord]:
        return self.state.audit.records()

    def assert_denied(self, principal: str, permission: str) -> AuditRecord:
        """Some request by ``principal`` was refused for lacking the IAM ``permission``."""
        records = self.audit()
        for record in records:
            if (record.principal == principal and record.iam_permission == permission
                    and record.iam_result == "denied"):
                return record
        raise AssertionError(messages.TESTING_NOT_DENIED.format(
            principal=principal, permission=permission, seen=_describe(
                r for r in records if r.principal == principal)))

    def assert_request_made(self, *, method: str | None = None, path: str | None = None,
                            principal: str | None = None, status: int | None = None,
                            error_id: str | None = None) -> AuditRecord:
        """A request matching every given field went through the gateway. On failure the
        message lists the requests that came closest (matching all but one field)."""
        if error_id and error_id not in error_catalogue.BY_ID:
            # A misspelt id could never match: say so rather than list the near misses.
            raise ValueError(messages.TESTING_UNKNOWN_ERROR_ID.format(
                error_id=error_id, known=error_catalogue.known_ids()))
        wanted = {"method": method, "k8s_path": path, "principal": principal, "status": status,
                  "error_id": error_id}
        wanted = {k: v for k, v in wanted.items() if v is not None}
        records = self.audit()
        for record in records:
            if all(getattr(record, k) == v for k, v in wanted.items()):
                return record
        near = [r for r in records
                if sum(getattr(r, k) != v for k, v in wanted.items()) == 1]
        raise AssertionError(messages.TESTING_NO_SUCH_REQUEST.format(
            wanted=", ".join(f"{k}={v!r}" for k, v in wanted.items()),
            near=_describe(near) or messages.TESTING_NONE_CLOSE))


def _describe(records: Iterator[AuditRecord] | list[AuditRecord]) -> str:
    return "".join(f"\n  {record.line()}" for record in records)


@dataclass
class ServerErrors(logging.Handler):
    """Collects what the emulator logged as an error while a test ran: those fail the test."""

    records: list[logging.LogRecord] = field(default_factory=list)

    def __post_init__(self) -> None:
        logging.Handler.__init__(self, logging.ERROR)

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def __hash__(self) -> int:  # logging keeps handlers in sets/lists; identity is enough
        return id(self)

    def report(self) -> str:
        formatter = logging.Formatter("%(name)s: %(message)s")
        return "\n".join(formatter.format(r) for r in self.records)
