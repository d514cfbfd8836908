"""The mock apiserver's authorization seam.

Every request and every impersonation is described as ``Attributes`` and put to an ``Authorizer``,
exactly where kube-apiserver consults RBAC. The mock's authorizer is ``rbac.RbacAuthorizer``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from emulator.cluster.mock.auth.identity import UserInfo


@dataclass(frozen=True)
class Attributes:
    verb: str
    resource: str = ""
    subresource: str = ""
    name: str = ""
    namespace: str = ""
    api_group: str = ""
    path: str = ""  # for non-resource requests such as /version
    resource_request: bool = True


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""


class Authorizer(Protocol):
    def authorize(self, user: UserInfo, attributes: Attributes) -> Decision: ...
