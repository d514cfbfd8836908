"""Stages 1 and 2, shared by plain requests and streams: which gateway URL, and who is calling."""

from __future__ import annotations

from starlette.datastructures import Headers

from emulator import error_catalogue as cases
from emulator.agent.impersonation import is_impersonation_header
from emulator.audit import AuditRecord
from emulator.errors import UnknownUrl
from emulator.gateway import auth, route
from emulator.gateway.route import GatewayTarget
from emulator.scenario.model import Principal
from emulator.state import EmulatorState


def identify(state: EmulatorState, path: str, headers: Headers,
             record: AuditRecord) -> tuple[GatewayTarget, Principal, list[str]]:
    """The gateway target, the principal and its Google groups, or the error that stops here."""
    # 1 route: only gateway URLs of the fleet host project exist.
    target = route.parse(path)
    if target is None or target.project_number != state.scenario.project_number:
        raise UnknownUrl(path)
    record.track, record.membership, record.k8s_path = (target.track, target.membership,
                                                        target.k8s_path)
    # 2 auth: the bearer token names a Google principal, with its Google groups.
    principal = auth.authenticate(state, headers.get("authorization"))
    groups = state.iam.groups_of(principal)
    record.principal, record.groups = principal.email, groups
    # A client never picks its identity: the gateway impersonates the caller itself.
    for name in headers:
        if is_impersonation_header(name):
            raise cases.IMPERSONATION_HEADER.error(header=name.title(),
                                                   principal=principal.email)
    auth.check_header_size(headers.items(), groups)
    # 5 quota: requests per minute per fleet host project.
    limit = state.scenario.limits.requests_per_minute
    if not state.world.rate.admit(target.project_number, state.clock.now(), limit):
        raise cases.RATE_LIMIT.error(limit=limit, project=state.scenario.project_id)
    return target, principal, groups
