"""``ControlClient``: the control API from Python, one method per endpoint, standard library only.

It is what a test suite (or a script) uses to change a running emulator's world::

    control = ControlClient.from_state_dir()          # the emulator `serve` started
    control.grant("roles/gkehub.gatewayAdmin", "user:carol@example.com")
    control.inject_faults("my-cluster", cluster_status=503)

Every error answer raises ``ControlError(code, status, message)``; so does an emulator that cannot
be reached (code 503, status ``UNAVAILABLE``), so callers handle one exception type.
"""

from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from types import EllipsisType
from typing import Any

from emulator import messages, statedir

TIMEOUT_SECONDS = 30.0


class ControlError(Exception):
    def __init__(self, code: int, status: str, message: str) -> None:
        super().__init__(f"{code} {status}: {message}")
        self.code = code
        self.status = status
        self.message = message


class ControlUnreachable(ControlError):
    """Nothing answered at the URL (refused, timed out, or not a TLS server of this CA): the
    emulator is not running there, unlike an answer that refuses the call."""

    def __init__(self, message: str) -> None:
        super().__init__(503, "UNAVAILABLE", message)


class ControlClient:
    def __init__(self, base_url: str, ca_pem: bytes, timeout: float = TIMEOUT_SECONDS) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        # The emulator's own CA: its serving certificate is for 127.0.0.1 and localhost.
        self._tls = ssl.create_default_context(cadata=ca_pem.decode())

    @classmethod
    def from_state_dir(cls, directory: Path | str | None = None) -> ControlClient:
        """The emulator ``serve`` runs from that state directory (default: the usual one)."""
        path = Path(directory) if directory is not None else statedir.default_dir()
        running = statedir.read(path)
        if running is None:
            raise ControlError(503, "UNAVAILABLE",
                               messages.CONTROL_CLIENT_NOT_SERVING.format(directory=path))
        return cls(running.url, running.ca_pem)

    # -- the world ---------------------------------------------------------------------------

    def reset(self) -> str:
        """Reload the current scenario; returns its name."""
        return str(self._call("POST", "/reset")["scenario"])

    def load_scenario(self, yaml_text: str) -> str:
        """Load a scenario from YAML text; a bad one raises with ``posted scenario:LINE: ...``."""
        return str(self._call("POST", "/scenario", raw=yaml_text.encode(),
                              content_type="application/yaml")["scenario"])

    def load_builtin(self, name: str) -> str:
        return str(self._call("POST", "/scenario", query={"name": name})["scenario"])

    def world(self, tokens: bool = False) -> dict[str, Any]:
        return self._call("GET", "/world", query={"tokens": "true" if tokens else "false"})

    def audit(self) -> list[dict[str, Any]]:
        return list(self._call("GET", "/audit")["records"])

    def agent_log(self, membership: str) -> list[str]:
        return list(self._call("GET", f"/memberships/{_segment(membership)}/agent-log")["lines"])

    # -- Google IAM, principals, groups, tokens -------------------------------------------------

    def grant(self, role: str, member: str, resource: str = "") -> dict[str, Any]:
        return self._call("POST", "/iam/grant",
                          {"role": role, "member": member, "resource": resource})

    def revoke(self, role: str, member: str, resource: str = "") -> dict[str, Any]:
        return self._call("POST", "/iam/revoke",
                          {"role": role, "member": member, "resource": resource})

    def add_principal(self, email: str, kind: str = "user", token: str | None = None,
                      token_expires: str | None = None) -> dict[str, Any]:
        """``kind`` is ``user`` or ``serviceAccount``; returns the principal with its token."""
        body: dict[str, Any] = {kind: email}
        if token is not None:
            body["token"] = token
        if token_expires is not None:
            body["token_expires"] = token_expires
        return self._call("POST", "/principals", body)

    def set_group(self, email: str, members: list[str]) -> dict[str, Any]:
        return self._call("POST", "/groups", {"group": email, "members": list(members)})

    def mint_token(self, email: str, lifetime_seconds: int = 3600) -> dict[str, Any]:
        """``{"principal", "token", "expires"}``: a token that acts as that principal."""
        return self._call("POST", "/tokens",
                          {"principal": email, "lifetime_seconds": lifetime_seconds})

    # -- limits, connections, faults -----------------------------------------------------------

    def set_limits(self, active_streams: int | None = None,
                   stream_timeout_seconds: float | None | EllipsisType = ...) -> dict[str, Any]:
        """Change the stream limits live. Leave a limit out to keep it; a stream timeout of None
        draws each stream's limit between 5 and 10 minutes."""
        body: dict[str, Any] = {}
        if active_streams is not None:
            body["active_streams"] = active_streams
        if not isinstance(stream_timeout_seconds, EllipsisType):
            body["stream_timeout_seconds"] = stream_timeout_seconds
        return self._call("PUT", "/limits", body)

    def reset_limits(self) -> dict[str, Any]:
        """Back to the serve flags, or else the scenario's limits."""
        return self._call("DELETE", "/limits")

    def advance_clock(self, seconds: float) -> dict[str, Any]:
        """Move the emulator's clock forward (``{"now": ...}``): CronJobs due by then fire."""
        return self._call("POST", "/clock", {"advanceSeconds": seconds})

    def disconnect(self, membership: str) -> dict[str, Any]:
        return self._call("POST", f"/memberships/{_segment(membership)}/disconnect")

    def connect(self, membership: str) -> dict[str, Any]:
        return self._call("POST", f"/memberships/{_segment(membership)}/connect")

    def inject_faults(self, membership: str, *, latency_ms: int = 0,
                      cluster_status: int | None = None,
                      drop_stream_after_bytes: int | None = None) -> dict[str, Any]:
        """The membership's faults become exactly these (the defaults are off)."""
        return self._call("POST", "/faults", {
            "membership": membership, "latency_ms": latency_ms, "cluster_status": cluster_status,
            "drop_stream_after_bytes": drop_stream_after_bytes})

    def clear_faults(self) -> dict[str, Any]:
        return self._call("DELETE", "/faults")

    # -- the one boundary that speaks HTTP -----------------------------------------------------

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None, *,
              raw: bytes | None = None, content_type: str = "application/json",
              query: dict[str, str] | None = None) -> dict[str, Any]:
        url = f"{self.base_url}/_emulator{path}"
        if query:
            url += "?" + urllib.parse.urlencode(query)
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None
                                            else None)
        request = urllib.request.Request(url, data=data, method=method,
                                         headers={"Content-Type": content_type,
                                                  "Accept": "application/json"})
        try:
            with urllib.request.urlopen(request, context=self._tls,
                                        timeout=self.timeout) as answer:
                return _json(answer.status, answer.read())
        except urllib.error.HTTPError as refused:
            raise _error(refused.code, refused.read()) from None
        except (urllib.error.URLError, OSError) as err:
            reason = getattr(err, "reason", err)
            raise ControlUnreachable(messages.CONTROL_CLIENT_UNREACHABLE.format(
                url=self.base_url, reason=reason)) from None


def _segment(name: str) -> str:
    return urllib.parse.quote(name, safe="")


def _json(status: int, raw: bytes) -> dict[str, Any]:
    try:
        value = json.loads(raw)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise ControlError(status, "UNKNOWN", messages.CONTROL_CLIENT_NOT_JSON.format(
            status=status, body=raw[:200].decode(errors="replace")))
    return value


def _error(code: int, raw: bytes) -> ControlError:
    """The answer's ``{"error": {...}}``, or what the body was when it holds no such thing."""
    try:
        error = json.loads(raw).get("error")
        return ControlError(int(error["code"]), str(error["status"]), str(error["message"]))
    except (ValueError, AttributeError, KeyError, TypeError):
        return ControlError(code, "UNKNOWN", messages.CONTROL_CLIENT_NOT_JSON.format(
            status=code, body=raw[:200].decode(errors="replace")))
