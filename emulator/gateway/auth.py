"""Stage 2: the bearer token → the Google principal it belongs to, and the header-size limit.

A token the scenario does not know, or one past its expiry, is refused like Google refuses an
invalid OAuth token. The quotas page's 8 KB request-header limit is checked on the headers the
gateway forwards, Google groups included, which is how many groups turn into an authentication
error (``header-too-large``).
"""

from __future__ import annotations

from collections.abc import Iterable

from emulator import error_catalogue as cases
from emulator import messages
from emulator.limits import HEADER_LIMIT
from emulator.scenario.model import Principal
from emulator.state import EmulatorState

__all__ = ["HEADER_LIMIT", "authenticate", "bearer_token", "check_header_size"]


def bearer_token(authorization: str | None) -> str | None:
    scheme, _, token = (authorization or "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def authenticate(state: EmulatorState, authorization: str | None) -> Principal:
    token = bearer_token(authorization)
    principal = state.principal_for_token(token) if token else None
    if principal is None:
        raise cases.UNAUTHENTICATED.error()
    if principal.token_expires is not None and state.clock.now() >= principal.token_expires:
        raise cases.UNAUTHENTICATED.error(messages.TOKEN_EXPIRED)
    return principal


def check_header_size(headers: Iterable[tuple[str, str]], groups: list[str]) -> None:
    """Refuse what would cross the 8 KB limit once each group travels as a header line."""
    size = sum(len(k) + len(v) + 4 for k, v in headers)  # "k: v\r\n"
    size += sum(len("impersonate-group") + len(g) + 4 for g in groups)
    if size > HEADER_LIMIT:
        raise cases.HEADER_TOO_LARGE.error(size=size, limit=HEADER_LIMIT, groups=len(groups))
