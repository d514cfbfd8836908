"""kube's checks of a pod spec's scheduling and naming fields (``ValidatePodSpec`` after the
containers and the restart policy, pkg/apis/core/validation), in kube's order and words for
each minor 1.27-1.35: the DNS policy, the node selector's labels, the security context
(securitychecks.py), affinity (node affinity's
terms and requirements, pod (anti-)affinity's terms, their label selectors and weights), the
DNS config, readiness and scheduling gates, topology spread constraints, the service account's,
node's, host's and subdomain's names, the active deadline, and tolerations.

kube walks a label map (a node selector, a selector's ``matchLabels``) in Go's random order;
the mock takes it by key. Not checked: image pull secrets, host aliases,
the priority class name (admission refuses an unknown one first), a pod (anti-)affinity's
``matchLabelKeys`` merged into its selector (1.31+) and a spread constraint's (1.34+), which
kube also writes into the stored selector; the merge's own duplicate check goes with it.
"""

from __future__ import annotations

from typing import Any

from emulator import messages
from emulator.cluster.mock.registry import fielderrors as fe
from emulator.cluster.mock.registry import namechecks, securitychecks
from emulator.cluster.mock.registry.fielderrors import FieldError, GoText
from emulator.cluster.mock.registry.jsonread import as_dict, list_in
from emulator.cluster.mock.registry.serviceallocation import parse_ip

Obj = dict[str, Any]

DNS_POLICIES = ("ClusterFirstWithHostNet", "ClusterFirst", "Default", "None")  # kube's order
TOLERATION_OPERATORS = ("Equal", "Exists")
TAINT_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")
SPREAD_ACTIONS = ("DoNotSchedule", "ScheduleAnyway")
INCLUSION_POLICIES = ("Honor", "Ignore")
MAX_INT32 = 2**31 - 1
MAX_NAMESERVERS = 3
MAX_SEARCHES, MAX_SEARCH_CHARACTERS = 32, 2048
AFFINITY_REQUIRED = "requiredDuringSchedulingIgnoredDuringExecution"
AFFINITY_PREFERRED = "preferredDuringSchedulingIgnoredDuringExecution"


def pod_spec(spec: Obj, path: str, minor: int) -> list[FieldError]:
    """The checks after the restart policy, in ValidatePodSpec's order."""
    errors: list[FieldError] = []
    policy = spec.get("dnsPolicy")
    if policy and policy not in DNS_POLICIES:
        errors.append(fe.not_supported(f"{path}.dnsPolicy", policy, list(DNS_POLICIES), minor))
    errors += labels(spec.get("nodeSelector"), f"{path}.nodeSelector", minor)
    errors += securitychecks.pod(spec, path, minor)
    if spec.get("affinity") is not None:
        errors += _affinity(as_dict(spec["affinity"]), f"{path}.affinity", minor)
    errors += _dns_config(spec, f"{path}.dnsConfig", minor)
    for i, gate in enumerate(list_in(spec, "readinessGates")):
        kind = as_dict(gate).get("conditionType")
        errors += _label_name(kind if isinstance(kind, str) else "",
                              f"{path}.readinessGates[{i}].conditionType", minor)
    errors += _scheduling_gates(list_in(spec, "schedulingGates"), f"{path}.schedulingGates", minor)
    errors += _spread(list_in(spec, "topologySpreadConstraints"),
                      f"{path}.topologySpreadConstraints", minor)
    errors += securitychecks.host_users(spec, path, minor)
    for field in ("serviceAccountName", "nodeName"):
        errors += _named(spec, path, field, namechecks.dns1123_subdomain, minor)
    deadline = spec.get("activeDeadlineSeconds")
    if isinstance(deadline, int) and not 1 <= deadline <= MAX_INT32:
        errors.append(fe.invalid_value(f"{path}.activeDeadlineSeconds", deadline,
                                       messages.K8S_INCLUSIVE_RANGE.format(low=1, high=MAX_INT32),
                                       minor))
    for field in ("hostname", "subdomain"):
        errors += _named(spec, path, field, namechecks.dns1123_label, minor)
    return errors + _tolerations(list_in(spec, "tolerations"), f"{path}.tolerations", minor)


def gated_node_name(spec: Obj) -> list[FieldError]:
    """ValidatePodCreate: a pod still gated may not name its node."""
    if spec.get("nodeName") and list_in(spec, "schedulingGates"):
        return [fe.forbidden("spec.nodeName", messages.K8S_GATED_NODE_NAME)]
    return []


# -- labels and names ------------------------------------------------------------------------------


def labels(values: Any, path: str, minor: int) -> list[FieldError]:
    """metav1 ValidateLabels: each key a qualified name, each value a label value, all at the
    map's own path (by key here; kube's order is Go's random map order)."""
    errors: list[FieldError] = []
    mapping = as_dict(values)
    for key in sorted(mapping):
        errors += _label_name(key, path, minor)
        value = mapping[key]
        if isinstance(value, str):
            errors += [fe.invalid_value(path, value, text, minor)
                       for text in namechecks.label_value(value, minor)]
    return errors


def _label_name(name: str, path: str, minor: int) -> list[FieldError]:
    return [fe.invalid_value(path, name, text, minor)
            for text in namechecks.qualified_name(name, minor)]


def _named(spec: Obj, path: str, field: str, check: Any, minor: int) -> list[FieldError]:
    value = spec.get(field)
    if not isinstance(value, str) or not value:
        return []
    return [fe.invalid_value(f"{path}.{field}", value, text, minor) for text in check(value)]


def _scheduling_gates(gates: list[Any], path: str, minor: int) -> list[FieldError]:
    errors: list[FieldError] = []
    seen: set[str] = set()
    for i, gate in enumerate(gates):
        name = as_dict(gate).get("name")
        name = name if isinstance(name, str) else ""
        errors += _label_name(name, f"{path}[{i}]", minor)
        if name in seen:
            errors.append(fe.duplicate(f"{path}[{i}]", name, minor))
        seen.add(name)
    return errors


# -- affinity ----------------------------------------------------------------------------------------


def _affinity(affinity: Obj, path: str, minor: int) -> list[FieldError]:
    errors: list[FieldError] = []
    node = affinity.get("nodeAffinity")
    if node is not None:
        errors += _node_affinity(as_dict(node), f"{path}.nodeAffinity", minor)
    for kind in ("podAffinity", "podAntiAffinity"):
        if affinity.get(kind) is not None:
            errors += _pod_affinity(as_dict(affinity[kind]), f"{path}.{kind}", minor)
    return errors


def _node_affinity(affinity: Obj, path: str, minor: int) -> list[FieldError]:
    """validateNodeAffinity: a required selector has terms (from 1.33 its values are label
    values), each preferred term a weight of 1-100."""
    errors: list[FieldError] = []
    required = affinity.get(AFFINITY_REQUIRED)
    if required is not None:
        at = f"{path}.{AFFINITY_REQUIRED}.nodeSelectorTerms"
        terms = list_in(as_dict(required), "nodeSelectorTerms")
        if not terms:
            errors.append(fe.required(at, messages.K8S_NODE_SELECTOR_TERMS))
        for i, term in enumerate(terms):
            errors += _node_term(as_dict(term), f"{at}[{i}]", minor, values=minor >= 33)
    for i, term in enumerate(list_in(affinity, AFFINITY_PREFERRED)):
        term, at = as_dict(term), f"{path}.{AFFINITY_PREFERRED}[{i}]"
        errors += _weight(term, f"{at}.weight", minor)
        errors += _node_term(as_dict(term.get("preference")), f"{at}.preference", minor,
                             values=False)
    return errors


def _node_term(term: Obj, path: str, minor: int, *, values: bool) -> list[FieldError]:
    """ValidateNodeSelectorTerm: its expressions, then its fields; an empty term is allowed."""
    errors: list[FieldError] = []
    for j, requirement in enumerate(list_in(term, "matchExpressions")):
        errors += _node_requirement(as_dict(requirement), f"{path}.matchExpressions[{j}]", minor,
                                    values=values)
    for j, requirement in enumerate(list_in(term, "matchFields")):
        errors += _field_requirement(as_dict(requirement), f"{path}.matchFields[{j}]", minor)
    return errors


def _node_requirement(requirement: Obj, path: str, minor: int, *,
                      values: bool) -> list[FieldError]:
    operator = requirement.get("operator")
    listed = [str(v) for v in list_in(requirement, "values")]
    errors = _operator_values(operator, listed, path, minor, numeric=True)
    errors += _label_name(str(requirement.get("key") or ""), f"{path}.key", minor)
    if values:
        errors += [fe.invalid_value(f"{path}.values[{k}]", value, text, minor)
                   for k, value in enumerate(listed)
                   for text in namechecks.label_value(value, minor)]
    return errors


def _operator_values(operator: Any, listed: list[str], path: str, minor: int, *,
                     numeric: bool) -> list[FieldError]:
    """The operator and the number of values it takes (Gt and Lt for node selectors only)."""
    if operator in ("In", "NotIn"):
        return [] if listed else [fe.required(f"{path}.values",
                                              messages.K8S_SELECTOR_VALUES_REQUIRED)]
    if operator in ("Exists", "DoesNotExist"):
        return [fe.forbidden(f"{path}.values", messages.K8S_SELECTOR_VALUES_FORBIDDEN)] \
            if listed else []
    if numeric and operator in ("Gt", "Lt"):
        return [] if len(listed) == 1 else [fe.required(f"{path}.values",
                                                        messages.K8S_SELECTOR_SINGLE_VALUE)]
    return [fe.invalid_value(f"{path}.operator", operator if operator is not None else "",
                             messages.K8S_SELECTOR_OPERATOR, minor)]


def _field_requirement(requirement: Obj, path: str, minor: int) -> list[FieldError]:
    """ValidateNodeFieldSelectorRequirement: one value, In or NotIn, of metadata.name."""
    operator = requirement.get("operator")
    listed = [str(v) for v in list_in(requirement, "values")]
    errors: list[FieldError] = []
    if operator in ("In", "NotIn"):
        if len(listed) != 1:
            errors.append(fe.required(f"{path}.values", messages.K8S_FIELD_SELECTOR_ONE_VALUE))
    else:
        errors.append(fe.invalid_value(f"{path}.operator", operator or "",
                                       messages.K8S_SELECTOR_OPERATOR, minor))
    key = requirement.get("key")
    if key != "metadata.name":
        return errors + [fe.invalid_value(f"{path}.key", key or "", messages.K8S_FIELD_SELECTOR_KEY,
                                          minor)]
    return errors + [fe.invalid_value(f"{path}.values[{k}]", value, text, minor)
                     for k, value in enumerate(listed)
                     for text in namechecks.dns1123_subdomain(value)]


def _weight(term: Obj, path: str, minor: int) -> list[FieldError]:
    weight = term.get("weight", 0)
    if isinstance(weight, int) and not 1 <= weight <= 100:
        return [fe.invalid_value(path, weight, messages.K8S_WEIGHT_RANGE, minor)]
    return []


def _pod_affinity(affinity: Obj, path: str, minor: int) -> list[FieldError]:
    errors: list[FieldError] = []
    for i, term in enumerate(list_in(affinity, AFFINITY_REQUIRED)):
        errors += _pod_term(as_dict(term), f"{path}.{AFFINITY_REQUIRED}[{i}]", minor)
    for j, weighted in enumerate(list_in(affinity, AFFINITY_PREFERRED)):
        weighted, at = as_dict(weighted), f"{path}.{AFFINITY_PREFERRED}[{j}]"
        errors += _weight(weighted, f"{at}.weight", minor)
        errors += _pod_term(as_dict(weighted.get("podAffinityTerm")), f"{at}.podAffinityTerm",
                            minor)
    return errors


def _pod_term(term: Obj, path: str, minor: int) -> list[FieldError]:
    """validatePodAffinityTerm: its selectors, its namespaces (kube's path names the field in
    the singular, without an index), its label keys (1.31+: 1.29-1.30 drop them), a topology
    key."""
    errors: list[FieldError] = []
    for field in ("labelSelector", "namespaceSelector"):
        if term.get(field) is not None:
            errors += label_selector(as_dict(term[field]), f"{path}.{field}", minor)
    for namespace in list_in(term, "namespaces"):
        errors += [fe.invalid_value(f"{path}.namespace", str(namespace), text, minor)
                   for text in namechecks.dns1123_label(str(namespace))]
    if minor >= 31:
        errors += _label_keys(term, path, minor)
    key = term.get("topologyKey")
    key = key if isinstance(key, str) else ""
    if not key:
        errors.append(fe.required(f"{path}.topologyKey", messages.K8S_CAN_NOT_BE_EMPTY))
    return errors + _label_name(key, f"{path}.topologyKey", minor)


def _label_keys(term: Obj, path: str, minor: int) -> list[FieldError]:
    """A pod affinity term's matchLabelKeys and mismatchLabelKeys: names, a selector to go
    with, no key in both."""
    errors: list[FieldError] = []
    match = [str(k) for k in list_in(term, "matchLabelKeys")]
    mismatch = [str(k) for k in list_in(term, "mismatchLabelKeys")]
    for field, keys in (("matchLabelKeys", match), ("mismatchLabelKeys", mismatch)):
        if not keys:
            continue
        if term.get("labelSelector") is None:
            errors.append(fe.forbidden(f"{path}.{field}",
                                       messages.K8S_LABEL_KEYS_WITHOUT_SELECTOR))
            continue
        for i, key in enumerate(keys):
            errors += _label_name(key, f"{path}.{field}[{i}]", minor)
    return errors + [fe.invalid_value(f"{path}.matchLabelKeys[{i}]", key,
                                      messages.K8S_LABEL_KEY_IN_BOTH, minor)
                     for i, key in enumerate(match) if key in mismatch]


def label_selector(selector: Obj, path: str, minor: int) -> list[FieldError]:
    """metav1 ValidateLabelSelector, with label values checked (a create's options)."""
    errors = labels(selector.get("matchLabels"), f"{path}.matchLabels", minor)
    for i, requirement in enumerate(list_in(selector, "matchExpressions")):
        requirement, at = as_dict(requirement), f"{path}.matchExpressions[{i}]"
        listed = [str(v) for v in list_in(requirement, "values")]
        errors += _operator_values(requirement.get("operator"), listed, at, minor, numeric=False)
        errors += _label_name(str(requirement.get("key") or ""), f"{at}.key", minor)
        errors += [fe.invalid_value(f"{at}.values[{k}]", value, text, minor)
                   for k, value in enumerate(listed)
                   for text in namechecks.label_value(value, minor)]
    return errors


# -- DNS config ----------------------------------------------------------------------------------


def _dns_config(spec: Obj, path: str, minor: int) -> list[FieldError]:
    """validatePodDNSConfig."""
    config = spec.get("dnsConfig")
    nameservers = [str(n) for n in list_in(as_dict(config), "nameservers")]
    if spec.get("dnsPolicy") == "None":
        if config is None:
            return [fe.required(path, messages.K8S_DNS_CONFIG_REQUIRED)]
        if not nameservers:
            return [fe.required(f"{path}.nameservers", messages.K8S_DNS_NAMESERVER_REQUIRED)]
    if config is None:
        return []
    errors: list[FieldError] = []
    if len(nameservers) > MAX_NAMESERVERS:
        errors.append(fe.invalid_value(f"{path}.nameservers", fe.strings_value(nameservers, minor),
                                       messages.K8S_DNS_NAMESERVERS_MAX.format(
                                           limit=MAX_NAMESERVERS), minor))
    for i, server in enumerate(nameservers):
        if parse_ip(server) is None:
            errors.append(fe.invalid_value(f"{path}.nameservers[{i}]", server, (
                messages.K8S_VALID_IP if minor >= 30 else messages.K8S_DNS_NAMESERVER_1_29),
                minor))
    searches = [str(s) for s in list_in(as_dict(config), "searches")]
    if len(searches) > MAX_SEARCHES:
        errors.append(fe.invalid_value(f"{path}.searches", fe.strings_value(searches, minor),
                                       messages.K8S_DNS_SEARCHES_MAX.format(limit=MAX_SEARCHES),
                                       minor))
    if len(" ".join(searches)) > MAX_SEARCH_CHARACTERS:
        errors.append(fe.invalid_value(f"{path}.searches", fe.strings_value(searches, minor),
                                       messages.K8S_DNS_SEARCH_LENGTH.format(
                                           limit=MAX_SEARCH_CHARACTERS), minor))
    for i, search in enumerate(searches):
        # RelaxedDNSSearchValidation (1.33+): "." alone is kept, underscores are allowed.
        if minor >= 33 and search == ".":
            continue
        name = search.removesuffix(".")
        check = namechecks.dns1123_subdomain_underscore if minor >= 33 \
            else namechecks.dns1123_subdomain
        errors += [fe.invalid_value(f"{path}.searches[{i}]", name, text, minor)
                   for text in check(name)]
    for i, option in enumerate(list_in(as_dict(config), "options")):
        if not as_dict(option).get("name"):
            errors.append(fe.required(f"{path}.options[{i}]", messages.K8S_DNS_OPTION_NAME))
    return errors


# -- topology spread constraints ------------------------------------------------------------------


def _spread(constraints: list[Any], path: str, minor: int) -> list[FieldError]:
    """validateTopologySpreadConstraints."""
    errors: list[FieldError] = []
    items = [as_dict(c) for c in constraints]
    for i, constraint in enumerate(items):
        at = f"{path}[{i}]"
        skew = constraint.get("maxSkew", 0)
        if isinstance(skew, int) and skew <= 0:
            errors.append(fe.invalid_value(f"{at}.maxSkew", skew, messages.K8S_GREATER_THAN_ZERO,
                                           minor))
        key, action = constraint.get("topologyKey") or "", constraint.get("whenUnsatisfiable")
        if not key:
            errors.append(fe.required(f"{at}.topologyKey", messages.K8S_CAN_NOT_BE_EMPTY))
        if action not in SPREAD_ACTIONS:
            errors.append(fe.not_supported(f"{at}.whenUnsatisfiable", action or "",
                                           list(SPREAD_ACTIONS), minor))
        if any(later.get("topologyKey") == constraint.get("topologyKey")
               and later.get("whenUnsatisfiable") == action for later in items[i + 1:]):
            errors.append(fe.duplicate(f"{at}.{{topologyKey, whenUnsatisfiable}}",
                                       f"{{{key}, {action or ''}}}", minor))
        domains = constraint.get("minDomains")
        if isinstance(domains, int):
            if domains <= 0:
                errors.append(fe.invalid_value(f"{at}.minDomains", domains,
                                               messages.K8S_GREATER_THAN_ZERO, minor))
            if action != "DoNotSchedule":
                errors.append(fe.invalid_value(f"{at}.minDomains", domains,
                                               messages.K8S_MIN_DOMAINS_POLICY.format(
                                                   action=action or ""), minor))
        for field in ("nodeAffinityPolicy", "nodeTaintsPolicy"):
            policy = constraint.get(field)
            if policy is not None and policy not in INCLUSION_POLICIES:
                errors.append(fe.not_supported(f"{at}.{field}", policy, list(INCLUSION_POLICIES),
                                               minor))
        errors += _spread_label_keys(constraint, at, minor)
        if constraint.get("labelSelector") is not None:
            errors += label_selector(as_dict(constraint["labelSelector"]), f"{at}.labelSelector",
                                     minor)
    return errors


def _spread_label_keys(constraint: Obj, path: str, minor: int) -> list[FieldError]:
    """A spread constraint's matchLabelKeys: a selector to go with, names, and before 1.34 no
    key the selector already has (from 1.34 kube merges them into the selector first)."""
    keys = [str(k) for k in list_in(constraint, "matchLabelKeys")]
    if not keys:
        return []
    selector = constraint.get("labelSelector")
    errors: list[FieldError] = []
    if selector is None:
        errors.append(fe.forbidden(f"{path}.matchLabelKeys",
                                   messages.K8S_LABEL_KEYS_WITHOUT_SELECTOR))
        if minor >= 34:
            return errors
    used = set(as_dict(as_dict(selector).get("matchLabels"))) | {
        as_dict(e).get("key") for e in list_in(as_dict(selector), "matchExpressions")}
    for i, key in enumerate(keys):
        errors += _label_name(key, f"{path}.matchLabelKeys[{i}]", minor)
        if minor <= 33 and key in used:
            errors.append(fe.invalid_value(f"{path}.matchLabelKeys[{i}]", key,
                                           messages.K8S_LABEL_KEY_IN_SELECTOR, minor))
    return errors


# -- tolerations -----------------------------------------------------------------------------------


def _tolerations(tolerations: list[Any], path: str, minor: int) -> list[FieldError]:
    """ValidateTolerations."""
    errors: list[FieldError] = []
    for i, toleration in enumerate(tolerations):
        toleration, at = as_dict(toleration), f"{path}[{i}]"
        key, operator = toleration.get("key") or "", toleration.get("operator") or ""
        value, effect = toleration.get("value") or "", toleration.get("effect") or ""
        if key:
            errors += _label_name(str(key), f"{at}.key", minor)
        if not key and operator != "Exists":
            errors.append(fe.invalid_value(f"{at}.operator", operator,
                                           messages.K8S_TOLERATION_EMPTY_KEY, minor))
        if toleration.get("tolerationSeconds") is not None and effect != "NoExecute":
            errors.append(fe.invalid_value(f"{at}.effect", effect,
                                           messages.K8S_TOLERATION_SECONDS, minor))
        if operator in ("Equal", ""):
            problems = namechecks.label_value(str(value), minor)
            if problems:
                errors.append(fe.invalid_value(f"{at}.operator", value, ";".join(problems),
                                               minor))
        elif operator == "Exists":
            if value:  # before 1.32 kube prints the whole toleration
                shown = value if minor >= 32 else _toleration_struct(toleration)
                errors.append(fe.invalid_value(f"{at}.operator", shown,
                                               messages.K8S_TOLERATION_EXISTS_VALUE, minor))
        else:  # 1.35 lists Lt and Gt, gated off, when they are the ones refused
            allowed = TOLERATION_OPERATORS + (
                ("Lt", "Gt") if minor >= 35 and operator in ("Lt", "Gt") else ())
            errors.append(fe.not_supported(f"{at}.operator", operator, list(allowed), minor))
        if effect and effect not in TAINT_EFFECTS:
            errors.append(fe.not_supported(f"{at}.effect", effect, list(TAINT_EFFECTS), minor))
    return errors


def _toleration_struct(toleration: Obj) -> GoText:
    """Go's %#v of a core.Toleration; a set tolerationSeconds is a pointer, printed with a
    made-up address (fielderrors.GoAddresses)."""
    seconds = toleration.get("tolerationSeconds")
    pointer = "(*int64)(nil)" if seconds is None else fe.GoAddresses()("*int64")
    fields = ", ".join(f"{name}:{fe.go_value(str(toleration.get(key) or ''))}" for name, key in (
        ("Key", "key"), ("Operator", "operator"), ("Value", "value"), ("Effect", "effect")))
    return GoText(f"core.Toleration{{{fields}, TolerationSeconds:{pointer}}}")

