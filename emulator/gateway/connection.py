"""Stage 7: is there a live connection to the membership's cluster?

The gateway finds the membership under the URL's project, location and collection; an unknown
membership, a collection that does not fit the cluster type, or a disconnected agent all mean the
gateway has no connection to offer: ``No active connection found for cluster (...)``.
"""

from __future__ import annotations

from emulator import error_catalogue as cases
from emulator.gateway.route import GatewayTarget
from emulator.state import EmulatorState, Membership


def connected_membership(state: EmulatorState, target: GatewayTarget) -> Membership:
    membership = state.membership(target.membership)
    if (membership is None or not membership.connected
            or membership.spec.location != target.location
            or membership.spec.collection != target.collection):
        raise cases.NO_ACTIVE_CONNECTION.error(project_number=target.project_number,
                                               membership=target.membership)
    return membership
