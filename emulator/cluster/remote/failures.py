"""Why the upstream apiserver could not be reached, worded as the Connect Agent (a Go program)
would log it, so the agent log names the cause the way the real one does."""

from __future__ import annotations

import ssl
from urllib.parse import urlsplit

from emulator import messages
from emulator.cluster.remote.http1 import (
    ConnectFailed,
    ConnectionLost,
    ConnectTimedOut,
    ProtocolError,
    TimedOut,
)


def cause(error: BaseException, url: str) -> str:
    """One line: ``dial tcp 127.0.0.1:6443: connect: connection refused`` and the like."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    host = f"[{host}]" if ":" in host else host  # as Go's net.JoinHostPort writes IPv6
    address = f"{host}:{parts.port or (443 if parts.scheme in ('https', 'wss') else 80)}"
    for link in _chain(error):
        if isinstance(link, ssl.SSLCertVerificationError):
            return messages.REMOTE_CAUSE_TLS_VERIFY.format(detail=link.verify_message or link)
        if isinstance(link, ssl.SSLError):
            return messages.REMOTE_CAUSE_TLS.format(detail=link.reason or link)
        if isinstance(link, ConnectionRefusedError):
            return messages.REMOTE_CAUSE_REFUSED.format(address=address)
        if isinstance(link, (ConnectTimedOut, TimeoutError)) and _connecting(error):
            return messages.REMOTE_CAUSE_DIAL_TIMEOUT.format(address=address)
        if isinstance(link, (TimedOut, TimeoutError)):
            return messages.REMOTE_CAUSE_TIMEOUT
        if isinstance(link, ConnectionResetError):
            return messages.REMOTE_CAUSE_RESET.format(address=address)
        if isinstance(link, OSError) and link.strerror:
            return messages.REMOTE_CAUSE_DIAL.format(address=address, detail=link.strerror.lower())
    if isinstance(error, (ConnectionLost, ProtocolError)):
        return messages.REMOTE_CAUSE_EOF
    return messages.REMOTE_CAUSE_OTHER.format(detail=str(error) or type(error).__name__)


def _connecting(error: BaseException) -> bool:
    return any(isinstance(link, (ConnectTimedOut, ConnectFailed))
               for link in _chain(error)) or "opening handshake" in str(error)


def _chain(error: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    link: BaseException | None = error
    while link is not None and link not in seen:
        seen.append(link)
        link = link.__cause__ or link.__context__
    return seen
