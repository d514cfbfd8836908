"""The create-only review resources: who am I, may I, what may I.

They answer for the request's effective user, which behind the gateway is the impersonated Google
principal, so ``kubectl auth whoami`` through the gateway prints the Google identity.
"""

from __future__ import annotations

from typing import Any

from emulator.cluster.mock.auth.authorizer import Attributes, Authorizer
from emulator.cluster.mock.auth.identity import TokenAuthenticator, UserInfo
from emulator.cluster.mock.registry.resources import ResourceType
from emulator.cluster.mock.wire.status import KubeError, method_not_allowed
from emulator import messages


def review(resource: ResourceType, body: dict[str, Any], user: UserInfo,
           authorizer: Authorizer, namespace: str | None,
           authenticator: TokenAuthenticator) -> dict[str, Any]:
    spec = body.get("spec") or {}
    if not isinstance(spec, dict):
        raise KubeError(400, messages.K8S_BODY_NOT_OBJECT.format(detail="spec"))
    answer = {"apiVersion": resource.api_version, "kind": resource.kind,
              "metadata": {"creationTimestamp": None}, "spec": spec}
    if resource.kind == "SelfSubjectReview":
        answer.pop("spec")
        answer["status"] = {"userInfo": user.as_review()}
    elif resource.kind == "SelfSubjectAccessReview":
        answer["status"] = _access(spec, user, authorizer)
    elif resource.kind == "SelfSubjectRulesReview":
        answer["status"] = _rules(user, authorizer, spec.get("namespace", ""))
    elif resource.kind in ("SubjectAccessReview", "LocalSubjectAccessReview"):
        answer["status"] = _access(spec, _subject(spec), authorizer,
                                   _local_namespace(spec, namespace, resource))
    elif resource.kind == "TokenReview":
        answer["status"] = _token(spec, authenticator)
    else:
        raise method_not_allowed()
    return answer


def _subject(spec: dict[str, Any]) -> UserInfo:
    """The user a SubjectAccessReview asks about; kube needs a user or a group."""
    user, groups = spec.get("user") or "", spec.get("groups") or []
    if not user and not groups:
        raise KubeError(422, messages.K8S_ACCESS_REVIEW_NO_SUBJECT, reason="Invalid")
    extra = spec.get("extra") or {}
    return UserInfo(user, tuple(groups), spec.get("uid") or "",
                    tuple((k, tuple(v or ())) for k, v in sorted(extra.items())))


def _local_namespace(spec: dict[str, Any], namespace: str | None,
                     resource: ResourceType) -> str | None:
    """A LocalSubjectAccessReview asks about its own namespace only, as kube insists."""
    if not resource.namespaced:
        return None
    asked = (spec.get("resourceAttributes") or {}).get("namespace", "")
    if asked != namespace:
        raise KubeError(400, messages.K8S_LOCAL_ACCESS_REVIEW_NAMESPACE.format(
            namespace=namespace))
    return namespace


def _token(spec: dict[str, Any], authenticator: TokenAuthenticator) -> dict[str, Any]:
    user = authenticator.user_for(str(spec.get("token") or ""))
    if user is None:
        # kube's answer for a token no authenticator accepts: not authenticated, no error.
        return {"user": {}}
    return {"authenticated": True, "user": user.as_review(),
            "audiences": list(spec.get("audiences") or [])}


def _access(spec: dict[str, Any], user: UserInfo, authorizer: Authorizer,
            namespace: str | None = None) -> dict[str, Any]:
    if "nonResourceAttributes" in spec:
        attrs = spec["nonResourceAttributes"] or {}
        attributes = Attributes(verb=attrs.get("verb", ""), path=attrs.get("path", ""),
                                resource_request=False)
    else:
        attrs = spec.get("resourceAttributes") or {}
        attributes = Attributes(verb=attrs.get("verb", ""), resource=attrs.get("resource", ""),
                                subresource=attrs.get("subresource", ""),
                                name=attrs.get("name", ""),
                                namespace=namespace or attrs.get("namespace", ""),
                                api_group=attrs.get("group", ""))
    decision = authorizer.authorize(user, attributes)
    status: dict[str, Any] = {"allowed": decision.allowed}
    # kube's RBAC authorizer explains an allow; a denial is only "no opinion", without a reason.
    if decision.allowed and decision.reason:
        status["reason"] = decision.reason
    return status


def _rules(user: UserInfo, authorizer: Authorizer, namespace: str) -> dict[str, Any]:
    rules_for = getattr(authorizer, "rules_for", None)
    if rules_for is None:
        return {"resourceRules": [], "nonResourceRules": [], "incomplete": True}
    resource_rules, non_resource_rules = [], []
    for rule in rules_for(user, namespace):
        if rule.get("nonResourceURLs"):
            non_resource_rules.append({"verbs": rule.get("verbs", []),
                                       "nonResourceURLs": rule["nonResourceURLs"]})
        if rule.get("resources"):
            entry = {key: rule[key] for key in ("verbs", "apiGroups", "resources",
                                                "resourceNames") if rule.get(key)}
            resource_rules.append(entry)
    return {"resourceRules": resource_rules, "nonResourceRules": non_resource_rules,
            "incomplete": False}
