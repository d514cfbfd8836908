"""Stage 3: Google IAM. Each Kubernetes request needs ``gkehub.gateway.<verb>`` on the fleet host
project; the HTTP method picks the verb, and a streaming upgrade (exec, attach, cp, port-forward)
needs ``gkehub.gateway.stream`` instead.
"""

from __future__ import annotations

from collections.abc import Mapping

from emulator import error_catalogue as cases
from emulator import messages
from emulator.audit import AuditRecord
from emulator.gateway.route import GatewayTarget
from emulator.iam.catalogue import GATEWAY_ROLES, roles_granting
from emulator.iam.policy import IamDecision, IamMode, IamPolicy
from emulator.scenario.model import Principal

_METHOD_VERBS = {"GET": "get", "HEAD": "get", "OPTIONS": "get", "POST": "post", "PUT": "put",
                 "PATCH": "patch", "DELETE": "delete"}


def permission_for(method: str, headers: Mapping[str, str]) -> str:
    if "upgrade" in headers:  # WebSocket or SPDY: a stream, whatever the method
        return "gkehub.gateway.stream"
    return f"gkehub.gateway.{_METHOD_VERBS.get(method.upper(), 'get')}"


def authorize(policy: IamPolicy, mode: IamMode, principal: Principal, target: GatewayTarget,
              project_id: str, permission: str, record: AuditRecord) -> IamDecision | None:
    record.iam_permission = permission
    if mode is IamMode.OFF:
        record.iam_result = "off"
        return None
    decision = policy.check(principal, permission)
    record.iam_reason = decision.explain()
    if decision.allowed:
        record.iam_result = "allowed"
    elif mode is IamMode.LOG_ONLY:
        record.iam_result = "allowed (log-only: would deny)"
    else:
        record.iam_result = "denied"
        record.explanation = decision.explain()
        roles = [r for r in GATEWAY_ROLES if r in roles_granting(permission, policy.roles)]
        raise cases.IAM_DENIED.error(
            permission=permission, member=principal.member, project=project_id,
            resource=(f"projects/{target.project_number}/locations/{target.location}/"
                      f"memberships/{target.membership}"),
            roles=", ".join(roles) or messages.IAM_NO_PREDEFINED_ROLE)
    return decision
