"""The create-only review resources: who am I, may I, what may I.

They answer for the request's effective user, which behind the gateway is the impersonated Google
principal, so ``kubectl auth whoami`` through the gateway prints the Google identity.
"""

from __future__ import annotations

from typing import Any

from emulator.cluster.mock.authorizer import Attributes, Authorizer
from emulator.cluster.mock.identity import UserInfo
from emulator.cluster.mock.resources import ResourceType
from emulator.cluster.mock.status import KubeError
from emulator import messages


def review(resource: ResourceType, body: dict[str, Any], user: UserInfo,
           authorizer: Authorizer, namespace: str | None) -> dict[str, Any]:
    answer = {"apiVersion": resource.api_version, "kind": resource.kind,
              "metadata": {"creationTimestamp": None}, "spec": body.get("spec", {})}
    if resource.kind == "SelfSubjectReview":
        answer.pop("spec")
        answer["status"] = {"userInfo": user.as_review()}
    elif resource.kind == "SelfSubjectAccessReview":
        answer["status"] = _access(body.get("spec") or {}, user, authorizer)
    elif resource.kind == "SelfSubjectRulesReview":
        answer["status"] = _rules(user, authorizer, (body.get("spec") or {}).get("namespace", ""))
    else:
        raise KubeError(405, messages.K8S_METHOD_NOT_ALLOWED)
    return answer


def _access(spec: dict[str, Any], user: UserInfo, authorizer: Authorizer) -> dict[str, Any]:
    if "nonResourceAttributes" in spec:
        attrs = spec["nonResourceAttributes"] or {}
        attributes = Attributes(verb=attrs.get("verb", ""), path=attrs.get("path", ""),
                                resource_request=False)
    else:
        attrs = spec.get("resourceAttributes") or {}
        attributes = Attributes(verb=attrs.get("verb", ""), resource=attrs.get("resource", ""),
                                subresource=attrs.get("subresource", ""),
                                name=attrs.get("name", ""), namespace=attrs.get("namespace", ""),
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
