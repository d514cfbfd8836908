"""Google-side errors: the gateway's own decisions, before or instead of the cluster's answer.

On Kubernetes paths a ``GatewayError`` is rendered as a ``kind: Status`` (so kubectl prints its
message); an ``UnknownUrl`` is Google's front-end HTML page (design §3).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class GatewayError(Exception):
    code: int
    reason: str  # the Kubernetes StatusReason kubectl shows in parentheses
    message: str
    error_id: str = ""  # the design §4 catalogue id, for the audit trail
    html: bool = False  # answered by Google's front end as its HTML error page, not a Status

    def __post_init__(self) -> None:
        super().__init__(self.message)


@dataclass
class UnknownUrl(Exception):
    path: str

    def __post_init__(self) -> None:
        super().__init__(self.path)
