"""The fleet host project's IAM policy: bindings of roles to members, and Google groups.

A principal is every member string that names it: ``user:``/``serviceAccount:`` itself and
``group:`` for each group that contains it, directly or through nested groups. A binding on the
project applies to everything in it; a binding on ``serviceAccount:EMAIL`` only to that account.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from enum import StrEnum

from emulator import messages
from emulator.iam.catalogue import PREDEFINED, Role
from emulator.scenario.model import IamBinding, Principal, Scenario

PROJECT = ""  # the resource of a project-level binding


class IamMode(StrEnum):
    """How the gateway applies IAM (``serve --iam-mode``)."""

    ENFORCE = "enforce"  # decide and refuse, as the real gateway does
    LOG_ONLY = "log-only"  # decide and record, but let the request through
    OFF = "off"  # no IAM at all


@dataclass(frozen=True)
class Grant:
    role: str
    member: str  # the member string that matched: the principal itself or one of its groups
    resource: str  # "" for the project, "serviceAccount:EMAIL" otherwise


@dataclass(frozen=True)
class IamDecision:
    member: str  # the principal as an IAM member string
    permission: str
    resource: str
    allowed: bool
    grant: Grant | None
    roles_held: tuple[str, ...]  # what the principal does hold there, for the explanation

    def explain(self) -> str:
        if self.grant is not None:
            via = "" if self.grant.member == self.member else f" through {self.grant.member}"
            return messages.IAM_EXPLAIN_ALLOWED.format(
                member=self.member, permission=self.permission, role=self.grant.role, via=via)
        held = ", ".join(self.roles_held) or messages.IAM_EXPLAIN_NO_ROLES
        where = (messages.IAM_WHERE_RESOURCE.format(resource=self.resource) if self.resource
                 else messages.IAM_WHERE_PROJECT)
        return messages.IAM_EXPLAIN_DENIED.format(member=self.member, permission=self.permission,
                                                  where=where, held=held)


class UnknownRole(ValueError):
    pass


class IamPolicy:
    def __init__(self, scenario: Scenario) -> None:
        self._lock = threading.Lock()
        self.roles: dict[str, Role] = dict(PREDEFINED)
        for custom in scenario.custom_roles:
            self.roles[custom.name] = Role(custom.name, custom.title or custom.name,
                                           frozenset(custom.permissions))
        self._bindings: list[IamBinding] = []
        for binding in scenario.iam:
            self.add_binding(binding)
        # group email -> direct members
        self._groups: dict[str, tuple[str, ...]] = {g.email: g.members for g in scenario.groups}

    # -- membership ------------------------------------------------------------------------------

    def groups_of(self, principal: Principal) -> list[str]:
        """Every group that contains the principal, directly or through nested groups, sorted."""
        found: set[str] = set()
        frontier = {principal.member}
        while frontier:
            containing = {f"group:{group}" for group, members in self._groups.items()
                          if frontier & set(members)} - {f"group:{g}" for g in found}
            found |= {member.removeprefix("group:") for member in containing}
            frontier = containing
        return sorted(found)

    def groups(self) -> dict[str, tuple[str, ...]]:
        """Group email -> its direct members."""
        with self._lock:
            return dict(self._groups)

    def set_group(self, email: str, members: tuple[str, ...]) -> None:
        """Add the group, or replace its members (the control API edits groups live)."""
        with self._lock:
            # A new dict, never an edit in place: groups_of iterates the old one without the lock.
            self._groups = {**self._groups, email: members}

    def identities(self, principal: Principal) -> list[str]:
        return [principal.member] + [f"group:{g}" for g in self.groups_of(principal)]

    # -- bindings --------------------------------------------------------------------------------

    def require_role(self, role: str) -> None:
        """Raise ``UnknownRole`` unless the role is predefined or one of the scenario's."""
        if role not in self.roles:
            raise UnknownRole(messages.IAM_UNKNOWN_ROLE.format(
                role=role, known=", ".join(sorted(self.roles))))

    def add_binding(self, binding: IamBinding) -> None:
        self.require_role(binding.role)
        with self._lock:
            self._bindings.append(binding)

    def remove_member(self, role: str, member: str, resource: str = PROJECT) -> bool:
        """Take ``member`` out of every binding of ``role`` on ``resource``."""
        removed = False
        with self._lock:
            for index, binding in enumerate(self._bindings):
                if (binding.role, binding.resource) == (role, resource) and member in binding.members:
                    kept = tuple(m for m in binding.members if m != member)
                    self._bindings[index] = IamBinding(role, kept, resource)
                    removed = True
        return removed

    def bindings(self) -> list[IamBinding]:
        with self._lock:
            return list(self._bindings)

    # -- decisions -------------------------------------------------------------------------------

    def check(self, principal: Principal, permission: str, resource: str = PROJECT) -> IamDecision:
        """May ``principal`` use ``permission`` on ``resource``? Project bindings apply to the
        project's service accounts too, as in Google Cloud."""
        identities = self.identities(principal)
        applicable = [b for b in self.bindings() if b.resource in (PROJECT, resource)]
        held: list[str] = []
        for binding in applicable:
            matched = next((m for m in identities if m in binding.members), None)
            if matched is None:
                continue
            held.append(binding.role)
            if self.roles[binding.role].grants(permission):
                return IamDecision(principal.member, permission, resource, True,
                                   Grant(binding.role, matched, binding.resource), tuple(held))
        return IamDecision(principal.member, permission, resource, False, None,
                           tuple(dict.fromkeys(held)))

    def granted(self, principal: Principal, permissions: list[str],
                resource: str = PROJECT) -> list[str]:
        """The subset of ``permissions`` the principal holds (testIamPermissions)."""
        return [p for p in permissions if self.check(principal, p, resource).allowed]
