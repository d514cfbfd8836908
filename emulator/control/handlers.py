"""The control API's handlers: thin readers of a request that change the live world.

Each takes the request and the state and returns the JSON answer, or raises ``ControlApiError``
(a scenario's own ``ScenarioError`` becomes a 400 in ``routes``). The gateway sees every change at
once: it reads the state on each request.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from starlette.requests import Request

from emulator import limits, messages
from emulator.control import views
from emulator.control.body import ABSENT, Body, ControlApiError, invalid, read
from emulator.faults import Faults
from emulator.iam.policy import IamPolicy, UnknownRole
from emulator.scenario import loader
from emulator.scenario.model import IamBinding, PrincipalKind, Scenario
from emulator.state import DuplicatePrincipal, EmulatorState, Membership

Answer = dict[str, Any]
YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "text/plain")


# -- the world as a whole ----------------------------------------------------------------------


async def reset(request: Request, state: EmulatorState) -> Answer:
    state.reset()
    return {"scenario": state.scenario.name}


async def load_scenario(request: Request, state: EmulatorState) -> Answer:
    """A YAML body, or ``?name=`` for a built-in scenario (never a path: this is not a file
    server)."""
    name = request.query_params.get("name")
    body = await read(request)
    if name is not None and body.strip():
        raise invalid(messages.CONTROL_SCENARIO_BOTH)
    scenario = _builtin(name) if name is not None else _posted(request, body)
    state.load(scenario)
    return {"scenario": scenario.name}


def _builtin(name: str) -> Scenario:
    known = loader.builtin_names()
    if name not in known:
        raise ControlApiError(404, messages.SCENARIO_NOT_FOUND.format(name=name,
                                                                      known=", ".join(known)))
    return loader.load(name)


def _posted(request: Request, body: bytes) -> Scenario:
    content_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if content_type not in YAML_TYPES:
        raise invalid(messages.CONTROL_SCENARIO_CONTENT_TYPE.format(content_type=content_type))
    if not body.strip():
        raise invalid(messages.CONTROL_SCENARIO_EMPTY)
    text = body.decode("utf-8", errors="replace")  # the YAML parser then points at the line
    return loader.parse(text, Path(messages.CONTROL_POSTED_SCENARIO))


async def world(request: Request, state: EmulatorState) -> Answer:
    raw = request.query_params.get("tokens", "false").lower()
    if raw not in ("true", "false"):
        raise invalid(messages.CONTROL_BAD_QUERY.format(
            name="tokens", expected=messages.CONTROL_EXPECT_BOOL_QUERY, value=raw))
    return views.world(state, tokens=raw == "true")


async def audit(request: Request, state: EmulatorState) -> Answer:
    return {"records": state.audit.as_json()}


# -- Google IAM, principals, groups, tokens --------------------------------------------------------


async def grant(request: Request, state: EmulatorState) -> Answer:
    role, member, resource = _binding(Body(await read(request), ("role", "member", "resource")),
                                      state.iam)
    if not _holds(state.iam, role, member, resource):
        state.iam.add_binding(IamBinding(role, (member,), resource))
    return {"role": role, "member": member, "resource": resource}


async def revoke(request: Request, state: EmulatorState) -> Answer:
    role, member, resource = _binding(Body(await read(request), ("role", "member", "resource")),
                                      state.iam)
    if not state.iam.remove_member(role, member, resource):
        raise ControlApiError(404, messages.CONTROL_NOT_GRANTED.format(
            member=member, role=role, where=resource or messages.CONTROL_WHERE_PROJECT))
    return {"role": role, "member": member, "resource": resource}


def _binding(body: Body, policy: IamPolicy) -> tuple[str, str, str]:
    role, member, resource = body.text("role"), body.member("member"), body.resource("resource")
    try:
        policy.require_role(role)
    except UnknownRole as err:
        raise invalid(str(err)) from None
    return role, member, resource


def _holds(policy: IamPolicy, role: str, member: str, resource: str) -> bool:
    """Granting twice changes nothing: the member is already in such a binding."""
    return any((b.role, b.resource) == (role, resource) and member in b.members
               for b in policy.bindings())


async def add_principal(request: Request, state: EmulatorState) -> Answer:
    body = Body(await read(request), ("user", "serviceAccount", "token", "token_expires"))
    kinds = [kind for kind in ("user", "serviceAccount") if body.has(kind)]
    if len(kinds) != 1:
        raise invalid(messages.CONTROL_ONE_KIND)
    kind: PrincipalKind = "serviceAccount" if kinds == ["serviceAccount"] else "user"
    email, token, expires = body.email(kind), body.text("token", default=""), body.time(
        "token_expires")
    try:
        principal = state.add_principal(kind, email, token or None, expires)
    except DuplicatePrincipal as err:
        raise ControlApiError(409, str(err)) from None
    return views.principal(principal, tokens=True)


async def set_group(request: Request, state: EmulatorState) -> Answer:
    body = Body(await read(request), ("group", "members"))
    email, members = body.email("group"), body.members("members")
    state.iam.set_group(email, members)
    return {"group": email, "members": list(members)}


async def mint_token(request: Request, state: EmulatorState) -> Answer:
    body = Body(await read(request), ("principal", "lifetime_seconds"))
    email = body.email("principal")
    lifetime = body.integer("lifetime_seconds", 1, messages.CONTROL_EXPECT_POSITIVE,
                            maximum=limits.MAX_TOKEN_LIFETIME_SECONDS)
    principal = state.principal(email)
    if principal is None:
        raise ControlApiError(404, messages.CONTROL_NO_PRINCIPAL.format(email=email))
    token, expires = state.mint_token(
        principal, timedelta(seconds=3600 if lifetime is ABSENT else lifetime))
    return {"principal": email, "token": token, "expires": views.time(expires)}


# -- limits --------------------------------------------------------------------------------------


async def set_limits(request: Request, state: EmulatorState) -> Answer:
    body = Body(await read(request), ("active_streams", "stream_timeout_seconds"))
    # Both are checked before either is applied: a refused request changes nothing.
    quota = body.integer("active_streams", 0, messages.CONTROL_EXPECT_COUNT,
                         maximum=limits.MAX_ACTIVE_STREAMS)
    timeout = body.stream_timeout("stream_timeout_seconds")
    if quota is not ABSENT:
        state.set_active_streams(quota)
    if timeout is not ABSENT:
        state.set_stream_timeout(timeout)
    return views.limits(state)


async def restore_limits(request: Request, state: EmulatorState) -> Answer:
    state.restore_limits()
    return views.limits(state)


async def advance_clock(request: Request, state: EmulatorState) -> Answer:
    """``{"advanceSeconds": N}``: the emulator's clock moves forward; what is due in the embedded
    clusters (CronJob schedules, back-offs, slowed stages) happens before the answer."""
    body = Body(await read(request), ("advanceSeconds",))
    state.advance_clock(body.seconds("advanceSeconds", limits.MAX_CLOCK_ADVANCE_SECONDS))
    return {"now": views.time(state.clock.now())}


# -- memberships and faults ------------------------------------------------------------------------


async def disconnect(request: Request, state: EmulatorState) -> Answer:
    membership = _membership(request, state)
    if membership.connected:
        membership.connected = False
        membership.agent_log.error(messages.AGENT_LOG_DISCONNECTED)
    return {"membership": membership.spec.name, "connected": False}


async def connect(request: Request, state: EmulatorState) -> Answer:
    membership = _membership(request, state)
    if not membership.connected:
        membership.connected = True
        membership.agent_log.info(messages.AGENT_LOG_RECONNECTED.format(
            project=state.scenario.project_id))
    return {"membership": membership.spec.name, "connected": True}


async def agent_log(request: Request, state: EmulatorState) -> Answer:
    membership = _membership(request, state)
    return {"membership": membership.spec.name, "lines": membership.agent_log.lines()}


def _membership(request: Request, state: EmulatorState) -> Membership:
    return _known_membership(state, request.path_params["name"])


def _known_membership(state: EmulatorState, name: str) -> Membership:
    membership = state.membership(name)
    if membership is None:
        raise ControlApiError(404, messages.CONTROL_NO_MEMBERSHIP.format(name=name))
    return membership


async def inject_faults(request: Request, state: EmulatorState) -> Answer:
    """The membership's faults become exactly these: a field left out is off."""
    body = Body(await read(request),
                ("membership", "latency_ms", "cluster_status", "drop_stream_after_bytes"))
    name = _known_membership(state, body.text("membership")).spec.name
    latency = body.integer("latency_ms", 0, messages.CONTROL_EXPECT_LATENCY,
                           maximum=limits.MAX_LATENCY_MS)
    status = body.integer("cluster_status", 500, messages.CONTROL_EXPECT_5XX, maximum=599,
                          nullable=True)
    drop = body.integer("drop_stream_after_bytes", 0, messages.CONTROL_EXPECT_COUNT,
                        maximum=limits.MAX_DROP_STREAM_AFTER_BYTES, nullable=True)
    faults = Faults(latency_ms=0 if latency is ABSENT else latency,
                    cluster_status=None if status is ABSENT else status,
                    drop_stream_after_bytes=None if drop is ABSENT else drop)
    state.set_faults(name, faults)
    return {"membership": name, "faults": faults.as_dict()}


async def clear_faults(request: Request, state: EmulatorState) -> Answer:
    state.clear_faults()
    return {"faults": {}}
