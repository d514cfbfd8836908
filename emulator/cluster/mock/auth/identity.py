"""Who is calling the mock apiserver: bearer-token authentication, then impersonation.

This is the apiserver's half of the Connect Agent contract: the agent authenticates as its own
service account and names the Google principal in ``Impersonate-User``/``Impersonate-Group``. Like
kube-apiserver, the mock adds ``system:authenticated`` to every authenticated user, and asks the
authorizer whether the caller may impersonate before switching identity.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import unquote

from emulator import messages
from emulator.cluster.backend import ClusterRequest
from emulator.cluster.mock.auth.authorizer import Attributes, Authorizer
from emulator.cluster.mock.wire.status import KubeError

AUTHENTICATED = "system:authenticated"


@dataclass(frozen=True)
class UserInfo:
    name: str
    groups: tuple[str, ...] = ()
    uid: str = ""
    extra: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def as_review(self) -> dict[str, object]:
        info: dict[str, object] = {"username": self.name, "groups": list(self.groups)}
        if self.uid:
            info["uid"] = self.uid
        if self.extra:
            info["extra"] = {k: list(v) for k, v in self.extra}
        return info


def service_account_user(namespace: str, name: str) -> UserInfo:
    return UserInfo(f"system:serviceaccount:{namespace}:{name}",
                    ("system:serviceaccounts", f"system:serviceaccounts:{namespace}", AUTHENTICATED))


@dataclass
class TokenAuthenticator:
    """Static bearer tokens, like kube-apiserver's --token-auth-file, plus the service-account
    tokens TokenRequest issues, which stop working at their expiry."""

    tokens: dict[str, UserInfo] = field(default_factory=dict)
    expiries: dict[str, datetime] = field(default_factory=dict)
    now: Callable[[], datetime] | None = None

    def add(self, token: str, user: UserInfo, expires: datetime | None = None) -> None:
        self.tokens[token] = user
        if expires is not None:
            self.expiries[token] = expires

    def authenticate(self, request: ClusterRequest) -> UserInfo:
        header = request.header("authorization") or ""
        scheme, _, token = header.partition(" ")
        user = self.user_for(token.strip()) if scheme.lower() == "bearer" else None
        if user is None:
            raise KubeError(401, messages.K8S_UNAUTHORIZED)
        return user

    def user_for(self, token: str) -> UserInfo | None:
        """Who a token is, or None when unknown or expired (also TokenReview's answer)."""
        user = self.tokens.get(token)
        expires = self.expiries.get(token)
        if expires is not None and self.now is not None and self.now() >= expires:
            return None
        return user


class ImpersonationDenied(KubeError):
    """kube's Forbidden for an impersonation, carrying the authorizer's reason for the audit."""

    def __init__(self, code: int, message: str, explanation: str) -> None:
        super().__init__(code, message)
        self.explanation = explanation


def impersonated(caller: UserInfo, request: ClusterRequest, authorizer: Authorizer) -> UserInfo:
    """Apply ``Impersonate-*`` headers the way kube-apiserver's impersonation filter does."""
    user_name = request.header("impersonate-user")
    groups = tuple(request.header_values("impersonate-group"))
    uid = request.header("impersonate-uid") or ""
    extra: dict[str, list[str]] = {}
    for key, value in request.headers:
        if key.startswith("impersonate-extra-"):
            # Extra keys travel percent-encoded in the header name (kube decodes them).
            name = unquote(key.removeprefix("impersonate-extra-")).lower()
            extra.setdefault(name, []).append(value)
    if user_name is None:
        if groups or extra or uid:
            raise KubeError(400, messages.K8S_IMPERSONATE_USER_REQUIRED.format(
                groups=", ".join(groups)))
        return caller
    # The user is checked first, then each group, as the real filter does, so the first denial
    # names the user. A service-account user is impersonated through the serviceaccounts resource.
    checks = [_user_check(user_name)] + [("groups", g, "") for g in groups]
    for resource, name, namespace in checks:
        decision = authorizer.authorize(caller, Attributes(
            verb="impersonate", resource=resource, name=name, namespace=namespace))
        if not decision.allowed:
            scope = (messages.K8S_SCOPE_NAMESPACE.format(namespace=namespace) if namespace
                     else messages.K8S_SCOPE_CLUSTER)
            denied = ImpersonationDenied(403, messages.K8S_IMPERSONATE_FORBIDDEN.format(
                resource=resource, name=name, user=caller.name, scope=scope),
                explanation=decision.reason)
            # kube's Forbidden writer: details name the impersonated name and its resource.
            denied.details = {"name": name, "kind": resource}
            raise denied
    resource, _, namespace = checks[0]
    if resource == "serviceaccounts" and not groups:
        # Like kube: an impersonated service account gets its own groups unless some were named.
        groups = ("system:serviceaccounts", f"system:serviceaccounts:{namespace}")
    all_groups = groups if AUTHENTICATED in groups else groups + (AUTHENTICATED,)
    return UserInfo(user_name, all_groups, uid,
                    tuple((k, tuple(v)) for k, v in sorted(extra.items())))


def _user_check(user_name: str) -> tuple[str, str, str]:
    if user_name.startswith("system:serviceaccount:"):
        namespace, _, name = user_name.removeprefix("system:serviceaccount:").partition(":")
        if namespace and name:
            return ("serviceaccounts", name, namespace)
    return ("users", user_name, "")
