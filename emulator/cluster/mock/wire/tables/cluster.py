"""Printers for cluster machinery: leases, scheduling and node classes, quotas, certificate
requests, admission configuration, API priority and fairness, API services, and dynamic resource
allocation (kube-apiserver's and kube-aggregator's columns and cells, in our words). Custom
resource definitions have no printer in kube: they get the default convertor's Name and Created
At.

ResourceQuota moved its Age column from second to last in 1.33.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from emulator import messages
from emulator.cluster.mock.wire.tables.cells import (
    AGE, NAME, Cells, Column, Obj, Printer, condition, count, created, deleting, human_duration,
    items, name, quantity, section,
)
from emulator.cluster.mock.wire.tables.core import CREATED_AT

# --- coordination, scheduling, node ---------------------------------------------------------------


def _lease_cells(lease: Obj, now: datetime) -> Cells:
    holder = section(lease, "spec").get("holderIdentity")
    return [name(lease), "" if holder is None else str(holder), created(lease, now)]


LEASES = Printer((NAME, Column("Holder", "Who holds the lease."), AGE), _lease_cells)


def _priority_class_cells(priority_class: Obj, now: datetime) -> Cells:
    return [name(priority_class), count(priority_class.get("value")),
            bool(priority_class.get("globalDefault")), created(priority_class, now),
            str(priority_class.get("preemptionPolicy") or "")]


PRIORITY_CLASSES = Printer((
    NAME,
    Column("Value", "The priority pods of this class get.", type="integer"),
    Column("Global-Default", "Whether pods without a class get this one.", type="boolean"),
    AGE,
    Column("PreemptionPolicy", "Whether pods of this class preempt lower-priority ones."),
), _priority_class_cells)


def _runtime_class_cells(runtime_class: Obj, now: datetime) -> Cells:
    return [name(runtime_class), str(runtime_class.get("handler", "")),
            created(runtime_class, now)]


RUNTIME_CLASSES = Printer((
    NAME, Column("Handler", "The container runtime handler that runs the class."), AGE,
), _runtime_class_cells)


# --- quotas ---------------------------------------------------------------------------------------


def quota_usage(quota: Obj) -> tuple[str, str]:
    """The Request and Limit cells: "name: used/hard" for each hard limit, sorted by resource;
    the ``limits.*`` ones go to the Limit cell."""
    status = section(quota, "status")
    hard, used = section(status, "hard"), section(status, "used")
    requests, limits = [], []
    for resource in sorted(hard):
        text = f"{resource}: {quantity(used.get(resource))}/{quantity(hard[resource])}"
        (limits if resource.split(".")[0] == "limits" and "." in resource else requests).append(
            text)
    return ", ".join(requests), ", ".join(limits)


def _quota_cells(quota: Obj, now: datetime) -> Cells:
    requests, limits = quota_usage(quota)
    age = created(quota, now)
    return [name(quota), age, requests, limits, age]


RESOURCE_QUOTAS = Printer((
    NAME,
    Column("Age", AGE.description, until=32),
    Column("Request", "Used out of hard, for each quota that is not a limits.* one."),
    Column("Limit", "Used out of hard, for each limits.* quota."),
    Column("Age", AGE.description, since=33),
), _quota_cells)


# --- certificates ---------------------------------------------------------------------------------


def csr_condition(request: Obj) -> str:
    """Denied, Approved or Pending, then ",Failed" and ",Issued" where they apply."""
    kinds = {c.get("type") for c in items(section(request, "status"), "conditions")}
    word = "Denied" if "Denied" in kinds else "Approved" if "Approved" in kinds else "Pending"
    if "Failed" in kinds:
        word += ",Failed"
    if section(request, "status").get("certificate"):
        word += ",Issued"
    return word


def _csr_cells(request: Obj, now: datetime) -> Cells:
    spec = section(request, "spec")
    seconds = spec.get("expirationSeconds")
    duration = (messages.TABLE_NONE if seconds is None
                else human_duration(timedelta(seconds=count(seconds))))
    return [name(request), created(request, now), spec.get("signerName") or messages.TABLE_NONE,
            str(spec.get("username", "")), duration, csr_condition(request)]


CERTIFICATE_SIGNING_REQUESTS = Printer((
    NAME,
    AGE,
    Column("SignerName", "The signer asked to sign the certificate."),
    Column("Requestor", "The user who made the request."),
    Column("RequestedDuration", "How long the requested certificate should be valid."),
    Column("Condition", "Pending, Approved or Denied; then Failed and Issued."),
), _csr_cells)


# --- admission ------------------------------------------------------------------------------------


def _webhook_cells(configuration: Obj, now: datetime) -> Cells:
    return [name(configuration), len(items(configuration, "webhooks")), created(configuration, now)]


WEBHOOK_CONFIGURATIONS = Printer((
    NAME, Column("Webhooks", "Webhooks in the configuration.", type="integer"), AGE,
), _webhook_cells)


def _param_kind(spec: Obj) -> str:
    kind = spec.get("paramKind")
    if not isinstance(kind, dict):
        return messages.TABLE_UNSET
    return f"{kind.get('apiVersion', '')}/{kind.get('kind', '')}"


def _policy_cells(rules: str) -> Callable[[Obj, datetime], Cells]:
    def cells(policy: Obj, now: datetime) -> Cells:
        spec = section(policy, "spec")
        return [name(policy), len(items(spec, rules)), _param_kind(spec), created(policy, now)]
    return cells


VALIDATING_ADMISSION_POLICIES = Printer((
    NAME,
    Column("Validations", "Validation rules in the policy.", type="integer"),
    Column("ParamKind", "The kind of the policy's parameter objects, as apiVersion/kind."),
    AGE,
), _policy_cells("validations"))

MUTATING_ADMISSION_POLICIES = Printer((
    NAME,
    Column("Mutations", "Mutations in the policy.", type="integer"),
    Column("ParamKind", "The kind of the policy's parameter objects, as apiVersion/kind."),
    AGE,
), _policy_cells("mutations"))


def go_label_selector(selector: Obj) -> str:
    """A LabelSelector as Go's generated String() writes it (what kube prints for a binding whose
    parameters are picked by selector)."""
    labels = selector.get("matchLabels") or {}
    pairs = "".join(f"{key}: {labels[key]}," for key in sorted(labels))
    expressions = "".join(
        "LabelSelectorRequirement{Key:%s,Operator:%s,Values:[%s],}," % (
            e.get("key", ""), e.get("operator", ""),
            " ".join(str(v) for v in e.get("values") or []))
        for e in items(selector, "matchExpressions"))
    return (f"&LabelSelector{{MatchLabels:map[string]string{{{pairs}}},"
            f"MatchExpressions:[]LabelSelectorRequirement{{{expressions}}},}}")


def param_ref(spec: Obj) -> str:
    ref = spec.get("paramRef")
    if not isinstance(ref, dict):
        return messages.TABLE_UNSET
    if ref.get("name"):
        return f"{ref.get('namespace') or '*'}/{ref['name']}"
    if isinstance(ref.get("selector"), dict):
        return go_label_selector(ref["selector"])
    return messages.TABLE_UNSET


def _binding_cells(binding: Obj, now: datetime) -> Cells:
    spec = section(binding, "spec")
    return [name(binding), str(spec.get("policyName", "")), param_ref(spec), created(binding, now)]


POLICY_BINDINGS = Printer((
    NAME,
    Column("PolicyName", "The policy the binding applies."),
    Column("ParamRef", "The parameter object, as namespace/name (*/name: any namespace)."),
    AGE,
), _binding_cells)


# --- API priority and fairness --------------------------------------------------------------------


def _flow_schema_cells(schema: Obj, now: datetime) -> Cells:
    spec = section(schema, "spec")
    method = section(spec, "distinguisherMethod").get("type")
    dangling = condition(schema, "Dangling")
    return [name(schema), str(section(spec, "priorityLevelConfiguration").get("name", "")),
            count(spec.get("matchingPrecedence")),
            str(method) if spec.get("distinguisherMethod") is not None else messages.TABLE_NONE,
            created(schema, now),
            str(dangling.get("status", "")) if dangling else messages.TABLE_UNKNOWN_DANGLING]


def _by_precedence(schemas: list[Obj]) -> list[Obj]:
    """kube lists flow schemas in the order they are matched: precedence, then name."""
    return sorted(schemas, key=lambda s: (count(section(s, "spec").get("matchingPrecedence")),
                                          name(s)))


FLOW_SCHEMAS = Printer((
    NAME,
    Column("PriorityLevel", "The priority level the schema's requests go to."),
    Column("MatchingPrecedence", "Lower numbers are matched first."),
    Column("DistinguisherMethod", "How requests are told apart into flows."),
    AGE,
    Column("MissingPL", "Whether the priority level it names is missing (Dangling condition)."),
), _flow_schema_cells, order=_by_precedence)


def _priority_level_cells(level: Obj, now: datetime) -> Cells:
    spec = section(level, "spec")
    shares: Any = messages.TABLE_NONE
    queues: Any = messages.TABLE_NONE
    hand: Any = messages.TABLE_NONE
    length: Any = messages.TABLE_NONE
    limited = spec.get("limited")
    if isinstance(limited, dict):
        # flowcontrol v1beta2 and older called the shares assuredConcurrencyShares.
        shares = count(limited.get("nominalConcurrencyShares",
                                   limited.get("assuredConcurrencyShares")))
        queuing = section(limited, "limitResponse").get("queuing")
        if isinstance(queuing, dict):
            queues, hand = count(queuing.get("queues")), count(queuing.get("handSize"))
            length = count(queuing.get("queueLengthLimit"))
    return [name(level), str(spec.get("type", "")), shares, queues, hand, length,
            created(level, now)]


PRIORITY_LEVEL_CONFIGURATIONS = Printer((
    NAME,
    Column("Type", "Limited, or Exempt."),
    Column("NominalConcurrencyShares", "The level's share of the server's concurrency."),
    Column("Queues", "Queues the level spreads its requests over."),
    Column("HandSize", "Queues each flow is dealt (shuffle sharding)."),
    Column("QueueLengthLimit", "Requests a queue may hold."),
    AGE,
), _priority_level_cells)


# --- API extensions -------------------------------------------------------------------------------


def _api_service_cells(service: Obj, now: datetime) -> Cells:
    spec = section(service, "spec")
    backend = spec.get("service")
    target = (f"{backend.get('namespace', '')}/{backend.get('name', '')}"
              if isinstance(backend, dict) else messages.TABLE_LOCAL_APISERVICE)
    available = condition(service, "Available")
    state = "Unknown"
    if available is not None:
        state = str(available.get("status", ""))
        if state != "True" and available.get("reason"):
            state = messages.TABLE_CONDITION_REASON.format(status=state,
                                                           reason=available["reason"])
    return [name(service), target, state, created(service, now)]


# kube-aggregator's own convertor.
API_SERVICES = Printer((
    NAME,
    Column("Service", "The service that serves the API, or Local."),
    Column("Available", "Whether the API is available (with the reason when it is not)."),
    AGE,
), _api_service_cells)


# --- dynamic resource allocation ------------------------------------------------------------------


def _name_age_cells(obj: Obj, now: datetime) -> Cells:
    return [name(obj), created(obj, now)]


NAME_AGE = Printer((NAME, AGE), _name_age_cells)


def claim_state(claim: Obj) -> str:
    """deleted, pending, allocated and reserved: those of them that hold, comma-joined."""
    states = []
    status = section(claim, "status")
    if deleting(claim):
        states.append("deleted")
    if status.get("allocation") is None:
        if not deleting(claim):
            states.append("pending")
    else:
        states.append("allocated")
        if items(status, "reservedFor"):
            states.append("reserved")
    return ",".join(states)


def _claim_cells(claim: Obj, now: datetime) -> Cells:
    return [name(claim), claim_state(claim), created(claim, now)]


RESOURCE_CLAIMS = Printer((
    NAME, Column("State", "Whether the claim is pending, allocated, reserved or deleted."), AGE,
), _claim_cells)


def _slice_cells(resource_slice: Obj, now: datetime) -> Cells:
    spec = section(resource_slice, "spec")
    return [name(resource_slice), str(spec.get("nodeName") or ""), str(spec.get("driver", "")),
            str(section(spec, "pool").get("name", "")), created(resource_slice, now)]


RESOURCE_SLICES = Printer((
    NAME,
    Column("Node", "The node whose devices the slice lists."),
    Column("Driver", "The driver that publishes the slice."),
    Column("Pool", "The device pool the slice belongs to."),
    AGE,
), _slice_cells)
