"""The predefined IAM roles (connect-gateway-facts.md §1) and the fleet host project's policy."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

import pytest

from emulator import messages
from emulator.iam.catalogue import (
    GATEWAY_ROLES,
    GATEWAY_VERBS,
    PREDEFINED,
    roles_granting,
)
from emulator.iam.policy import Grant, IamDecision, IamPolicy, UnknownRole
from emulator.scenario.model import CustomRole, GoogleGroup, IamBinding, Principal, Scenario

T = TypeVar("T")

ADMIN = "roles/gkehub.gatewayAdmin"
EDITOR = "roles/gkehub.gatewayEditor"
READER = "roles/gkehub.gatewayReader"
VIEWER = "roles/gkehub.viewer"
OWNER = "roles/owner"
TOKEN_CREATOR = "roles/iam.serviceAccountTokenCreator"

GET = "gkehub.gateway.get"
POST = "gkehub.gateway.post"
STREAM = "gkehub.gateway.stream"
GET_ACCESS_TOKEN = "iam.serviceAccounts.getAccessToken"

SERVICE_USAGE = {
    "serviceusage.consumerpolicy.analyze", "serviceusage.consumerpolicy.get",
    "serviceusage.effectivepolicy.get", "serviceusage.groups.list",
    "serviceusage.groups.listExpandedMembers", "serviceusage.groups.listMembers",
    "serviceusage.services.get", "serviceusage.values.test",
}
ALL_GATEWAY = {f"gkehub.gateway.{verb}" for verb in (
    "delete", "generateCredentials", "get", "patch", "post", "put", "stream")}

ALICE = Principal("user", "alice@example.com", "t-alice")
BOB = Principal("user", "bob@example.com", "t-bob")
ERIN = Principal("user", "erin@example.com", "t-erin")
CI_EMAIL = "ci-bot@p.iam.gserviceaccount.com"
OTHER_SA = "serviceAccount:deploy@p.iam.gserviceaccount.com"
CI_RESOURCE = f"serviceAccount:{CI_EMAIL}"
CUSTOM_STREAMER = "projects/p/roles/streamer"


def policy(*bindings: IamBinding, groups: tuple[GoogleGroup, ...] = (),
           custom_roles: tuple[CustomRole, ...] = ()) -> IamPolicy:
    return IamPolicy(Scenario(
        name="s", path=None, project_id="p", project_number="123456789012",
        principals=(ALICE, BOB, ERIN), iam=bindings, memberships=(), groups=groups,
        custom_roles=custom_roles))


def within(seconds: float, work: Callable[[], T]) -> T:
    """Run ``work`` in a daemon thread: a loop that never ends fails the test instead of hanging."""
    results: list[T] = []
    thread = threading.Thread(target=lambda: results.append(work()), daemon=True)
    thread.start()
    thread.join(seconds)
    assert results, f"did not finish within {seconds}s"
    return results[0]


def gateway_permissions(role: str) -> set[str]:
    return {p for p in PREDEFINED[role].permissions if p.startswith("gkehub.gateway.")}


# -- the catalogue ------------------------------------------------------------------------------


def test_gateway_verbs_are_the_seven_documented_permissions() -> None:
    assert {f"gkehub.gateway.{verb}" for verb in GATEWAY_VERBS} == ALL_GATEWAY


def test_gateway_admin_has_every_gateway_permission_including_stream() -> None:
    assert PREDEFINED[ADMIN].permissions == frozenset(
        ALL_GATEWAY | {"gkehub.memberships.get"} | SERVICE_USAGE)


def test_gateway_editor_has_every_gateway_permission_but_stream() -> None:
    assert gateway_permissions(EDITOR) == ALL_GATEWAY - {STREAM}
    assert PREDEFINED[EDITOR].permissions == frozenset(
        (ALL_GATEWAY - {STREAM}) | {"gkehub.memberships.get"} | SERVICE_USAGE)


def test_gateway_reader_has_only_get_and_generate_credentials() -> None:
    assert gateway_permissions(READER) == {"gkehub.gateway.get",
                                           "gkehub.gateway.generateCredentials"}
    assert {"gkehub.memberships.get", "serviceusage.services.get"} <= PREDEFINED[READER].permissions


def test_owner_grants_any_permission() -> None:
    owner = PREDEFINED[OWNER]
    assert owner.grants(STREAM)
    assert owner.grants("compute.instances.delete")


def test_specific_roles_grant_only_what_they_list() -> None:
    assert not PREDEFINED[READER].grants(POST)
    assert not PREDEFINED[EDITOR].grants(STREAM)


def test_fleet_viewer_has_no_gateway_permission() -> None:
    assert gateway_permissions(VIEWER) == set()
    assert "gkehub.memberships.list" in PREDEFINED[VIEWER].permissions


def test_token_creator_can_get_access_tokens() -> None:
    assert PREDEFINED[TOKEN_CREATOR].grants(GET_ACCESS_TOKEN)


def test_only_gateway_admin_among_predefined_roles_grants_stream() -> None:
    # roles/owner also has it, but a basic role is never the advice.
    assert roles_granting(STREAM, PREDEFINED) == [ADMIN]


def test_every_gateway_role_grants_get() -> None:
    assert sorted(roles_granting(GET, PREDEFINED)) == sorted(GATEWAY_ROLES)


# -- direct, group and nested-group bindings ----------------------------------------------------


def test_direct_user_binding_grants_the_roles_permissions() -> None:
    iam = policy(IamBinding(READER, ("user:alice@example.com",)))
    assert iam.check(ALICE, GET).allowed
    assert not iam.check(ALICE, POST).allowed


def test_binding_for_another_user_grants_nothing() -> None:
    assert not policy(IamBinding(ADMIN, ("user:alice@example.com",))).check(BOB, GET).allowed


def test_user_and_service_account_of_the_same_email_are_different_members() -> None:
    iam = policy(IamBinding(ADMIN, ("serviceAccount:alice@example.com",)))
    assert not iam.check(ALICE, GET).allowed


def test_group_binding_grants_its_members() -> None:
    iam = policy(IamBinding(EDITOR, ("group:sre@example.com",)),
                 groups=(GoogleGroup("sre@example.com", ("user:alice@example.com",)),))
    decision = iam.check(ALICE, POST)
    assert decision.allowed
    assert decision.grant == Grant(EDITOR, "group:sre@example.com", "")
    assert not iam.check(BOB, POST).allowed


def test_nested_group_membership_reaches_the_outer_groups_binding() -> None:
    iam = policy(IamBinding(ADMIN, ("group:sre@example.com",)),
                 groups=(GoogleGroup("sre@example.com", ("group:oncall@example.com",)),
                         GoogleGroup("oncall@example.com", ("user:erin@example.com",))))
    assert iam.groups_of(ERIN) == ["oncall@example.com", "sre@example.com"]
    assert iam.identities(ERIN) == ["user:erin@example.com", "group:oncall@example.com",
                                    "group:sre@example.com"]
    assert iam.check(ERIN, STREAM).grant == Grant(ADMIN, "group:sre@example.com", "")


def test_groups_of_a_principal_in_no_group_is_empty() -> None:
    iam = policy(groups=(GoogleGroup("sre@example.com", ("user:alice@example.com",)),))
    assert iam.groups_of(BOB) == []
    assert iam.identities(BOB) == ["user:bob@example.com"]


def test_cycle_between_groups_ends_with_both_groups() -> None:
    iam = policy(groups=(GoogleGroup("a@example.com", ("group:b@example.com",)),
                         GoogleGroup("b@example.com", ("group:a@example.com",
                                                       "user:erin@example.com"))))
    assert within(5, lambda: iam.groups_of(ERIN)) == ["a@example.com", "b@example.com"]


def test_group_containing_itself_ends() -> None:
    iam = policy(groups=(GoogleGroup("a@example.com", ("group:a@example.com",
                                                       "user:erin@example.com")),))
    assert within(5, lambda: iam.groups_of(ERIN)) == ["a@example.com"]


def test_custom_role_grants_its_permissions() -> None:
    iam = policy(IamBinding(CUSTOM_STREAMER, ("user:alice@example.com",)),
                 custom_roles=(CustomRole(CUSTOM_STREAMER, (STREAM,), "Streamer"),))
    assert iam.check(ALICE, STREAM).allowed
    assert not iam.check(ALICE, GET).allowed


def test_owner_binding_passes_every_gateway_check() -> None:
    iam = policy(IamBinding(OWNER, ("user:alice@example.com",)))
    assert all(iam.check(ALICE, p).allowed for p in ALL_GATEWAY)


# -- resources ----------------------------------------------------------------------------------


def test_service_account_binding_applies_only_to_that_account() -> None:
    iam = policy(IamBinding(TOKEN_CREATOR, ("user:alice@example.com",), CI_RESOURCE))
    assert iam.check(ALICE, GET_ACCESS_TOKEN, CI_RESOURCE).allowed
    assert not iam.check(ALICE, GET_ACCESS_TOKEN, OTHER_SA).allowed
    assert not iam.check(ALICE, GET_ACCESS_TOKEN).allowed


def test_project_binding_applies_to_every_resource_in_the_project() -> None:
    iam = policy(IamBinding(TOKEN_CREATOR, ("user:alice@example.com",)))
    for resource in ("", CI_RESOURCE, OTHER_SA):
        assert iam.check(ALICE, GET_ACCESS_TOKEN, resource).allowed, resource


def test_grant_records_the_resource_of_the_binding_that_matched() -> None:
    iam = policy(IamBinding(TOKEN_CREATOR, ("user:alice@example.com",), CI_RESOURCE))
    assert iam.check(ALICE, GET_ACCESS_TOKEN, CI_RESOURCE).grant == Grant(
        TOKEN_CREATOR, "user:alice@example.com", CI_RESOURCE)


# -- granted, add and remove --------------------------------------------------------------------


def test_granted_returns_the_held_subset_in_request_order() -> None:
    iam = policy(IamBinding(READER, ("user:alice@example.com",)))
    asked = [STREAM, "gkehub.memberships.get", POST, GET, "serviceusage.services.get"]
    assert iam.granted(ALICE, asked) == ["gkehub.memberships.get", GET,
                                         "serviceusage.services.get"]


def test_granted_is_empty_without_bindings() -> None:
    assert policy().granted(ALICE, [GET, POST]) == []


def test_add_binding_takes_effect() -> None:
    iam = policy()
    iam.add_binding(IamBinding(EDITOR, ("user:bob@example.com",)))
    assert iam.check(BOB, POST).allowed


def test_remove_member_takes_effect_and_keeps_the_others() -> None:
    iam = policy(IamBinding(ADMIN, ("user:alice@example.com", "user:bob@example.com")))
    assert iam.remove_member(ADMIN, "user:alice@example.com") is True
    assert not iam.check(ALICE, GET).allowed
    assert iam.check(BOB, GET).allowed
    assert iam.bindings() == [IamBinding(ADMIN, ("user:bob@example.com",))]


def test_remove_member_of_an_absent_member_reports_false() -> None:
    iam = policy(IamBinding(ADMIN, ("user:alice@example.com",)))
    assert iam.remove_member(ADMIN, "user:bob@example.com") is False
    assert iam.remove_member(READER, "user:alice@example.com") is False
    assert iam.check(ALICE, GET).allowed


def test_remove_member_on_the_project_leaves_a_service_account_binding() -> None:
    iam = policy(IamBinding(TOKEN_CREATOR, ("user:alice@example.com",), CI_RESOURCE))
    assert iam.remove_member(TOKEN_CREATOR, "user:alice@example.com") is False
    assert iam.check(ALICE, GET_ACCESS_TOKEN, CI_RESOURCE).allowed
    assert iam.remove_member(TOKEN_CREATOR, "user:alice@example.com", CI_RESOURCE) is True
    assert not iam.check(ALICE, GET_ACCESS_TOKEN, CI_RESOURCE).allowed


def test_remove_member_takes_effect_when_the_role_is_bound_twice() -> None:
    iam = policy(IamBinding(ADMIN, ("user:alice@example.com",)),
                 IamBinding(ADMIN, ("user:alice@example.com", "user:bob@example.com")))
    iam.remove_member(ADMIN, "user:alice@example.com")
    assert not iam.check(ALICE, GET).allowed


def test_unknown_role_in_the_scenario_raises() -> None:
    with pytest.raises(UnknownRole) as caught:
        policy(IamBinding("roles/gkehub.gatewayOperator", ("user:alice@example.com",)))
    known = ", ".join(sorted(PREDEFINED))
    assert str(caught.value) == messages.IAM_UNKNOWN_ROLE.format(
        role="roles/gkehub.gatewayOperator", known=known)


def test_adding_a_binding_of_an_unknown_role_raises_and_adds_nothing() -> None:
    iam = policy(custom_roles=(CustomRole(CUSTOM_STREAMER, (STREAM,)),))
    with pytest.raises(UnknownRole) as caught:
        iam.add_binding(IamBinding("projects/p/roles/missing", ("user:alice@example.com",)))
    assert str(caught.value) == messages.IAM_UNKNOWN_ROLE.format(
        role="projects/p/roles/missing", known=", ".join(sorted([*PREDEFINED, CUSTOM_STREAMER])))
    assert iam.bindings() == []


# -- explanations -------------------------------------------------------------------------------


def test_explain_allow_through_a_direct_binding() -> None:
    decision = policy(IamBinding(READER, ("user:alice@example.com",))).check(ALICE, GET)
    assert decision.explain() == messages.IAM_EXPLAIN_ALLOWED.format(
        member="user:alice@example.com", permission=GET, role=READER, via="")


def test_explain_allow_names_the_group_it_came_through() -> None:
    iam = policy(IamBinding(ADMIN, ("group:sre@example.com",)),
                 groups=(GoogleGroup("sre@example.com", ("group:oncall@example.com",)),
                         GoogleGroup("oncall@example.com", ("user:erin@example.com",))))
    assert iam.check(ERIN, STREAM).explain() == messages.IAM_EXPLAIN_ALLOWED.format(
        member="user:erin@example.com", permission=STREAM, role=ADMIN,
        via=" through group:sre@example.com")


def test_explain_deny_lists_the_roles_held() -> None:
    iam = policy(IamBinding(READER, ("user:alice@example.com",)),
                 IamBinding(VIEWER, ("group:sre@example.com",)),
                 IamBinding(EDITOR, ("user:bob@example.com",)),
                 groups=(GoogleGroup("sre@example.com", ("user:alice@example.com",)),))
    decision = iam.check(ALICE, STREAM)
    assert decision == IamDecision("user:alice@example.com", STREAM, "", False, None,
                                   (READER, VIEWER))
    assert decision.explain() == messages.IAM_EXPLAIN_DENIED.format(
        member="user:alice@example.com", permission=STREAM, where=messages.IAM_WHERE_PROJECT, held=f"{READER}, {VIEWER}")


def test_explain_deny_lists_a_role_held_twice_once() -> None:
    iam = policy(IamBinding(READER, ("user:alice@example.com",)),
                 IamBinding(READER, ("group:sre@example.com",)),
                 groups=(GoogleGroup("sre@example.com", ("user:alice@example.com",)),))
    assert iam.check(ALICE, STREAM).roles_held == (READER,)


def test_explain_deny_without_roles_says_none() -> None:
    decision = policy(IamBinding(ADMIN, ("user:bob@example.com",))).check(ALICE, GET)
    assert decision.explain() == messages.IAM_EXPLAIN_DENIED.format(
        member="user:alice@example.com", permission=GET, where=messages.IAM_WHERE_PROJECT, held=messages.IAM_EXPLAIN_NO_ROLES)


def test_explain_deny_on_a_service_account_names_both_places() -> None:
    decision = policy(IamBinding(READER, ("user:alice@example.com",))).check(
        ALICE, "iam.serviceAccounts.getAccessToken", "serviceAccount:ci@p.iam.gserviceaccount.com")
    assert decision.explain() == messages.IAM_EXPLAIN_DENIED.format(
        member="user:alice@example.com", permission="iam.serviceAccounts.getAccessToken",
        where=messages.IAM_WHERE_RESOURCE.format(
            resource="serviceAccount:ci@p.iam.gserviceaccount.com"), held=READER)
