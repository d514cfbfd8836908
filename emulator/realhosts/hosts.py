"""Which ``*.googleapis.com`` hosts the emulator serves, and the app's answer for the others.

A request reaches the app with a Google ``Host`` only through the real-host proxy. Every emulated
API shares the one URL table (as in override mode, where they all share the emulator's address),
so the host decides only whether the emulator answers at all. Any other ``Host`` (``127.0.0.1:PORT``
in override mode, the control API's) passes through untouched.
"""

from __future__ import annotations

import re

from starlette.types import ASGIApp, Receive, Scope, Send

from emulator import messages
from emulator.google.errors import GoogleApiError

GOOGLE_SUFFIX = ".googleapis.com"
# One or more DNS labels before the suffix, lower-cased: what a CONNECT may name.
_GOOGLE_HOST = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+googleapis\.com$")
# Global names, and the APIs that also have regional hosts (``us-central1-connectgateway``:
# gcloud's RegionalGatewayEndpoint; ``<region>-gkemulticloud``: the Multi-Cloud API's endpoints).
EMULATED = ("connectgateway", "gkehub", "cloudresourcemanager", "iamcredentials", "serviceusage",
            "gkemulticloud")
REGIONAL = ("connectgateway", "gkemulticloud")
_REGION = r"[a-z]+(?:-[a-z]+)*[0-9]+"
_EMULATED_HOST = re.compile(
    rf"^(?:(?:{'|'.join(EMULATED)})|(?:{_REGION}-(?:{'|'.join(REGIONAL)})))\.googleapis\.com$")


def is_google_host(host: str) -> bool:
    """A syntactically valid ``*.googleapis.com`` name (case-insensitive)."""
    return len(host) <= 253 and _GOOGLE_HOST.match(host.lower()) is not None


def is_emulated(host: str) -> bool:
    return _EMULATED_HOST.match(host.lower()) is not None


def host_name(authority: str) -> str:
    """``Host`` header → host name: the port dropped, IPv6 brackets kept."""
    if authority.startswith("["):
        return authority.split("]", 1)[0] + "]"
    return authority.rsplit(":", 1)[0] if ":" in authority else authority


def not_emulated(host: str) -> GoogleApiError:
    emulated = ", ".join(f"{name}{GOOGLE_SUFFIX}" for name in EMULATED)
    return GoogleApiError(501, "UNIMPLEMENTED", messages.GOOGLE_HOST_NOT_EMULATED.format(
        host=host.lower(), emulated=emulated))


class GoogleHosts:
    """ASGI middleware: a request for a Google host the emulator does not emulate gets Google's
    JSON error (a WebSocket upgrade gets it as the denial response); all else goes on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            host = host_name(_header(scope, b"host"))
            if is_google_host(host) and not is_emulated(host):
                # Starlette sends a Response on a WebSocket scope as the upgrade's denial.
                await not_emulated(host).response()(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1"))
    return ""
