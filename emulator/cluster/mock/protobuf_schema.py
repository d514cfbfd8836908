"""The protobuf messages of the built-in types the mock serves, as one declarative table.

Field numbers, names and types are the facts of k8s.io/api's and k8s.io/apimachinery's
``generated.proto``; JSON names and the marks below are those of the Go structs' ``json`` tags,
because the mock stores what the same object's JSON encoding would be. Mostly the proto name is
the JSON name; embedded structs and a few renamed fields (``uID`` -> ``uid``) are the exceptions.

A message is ``{field number: (json name, kind)}``. A kind is a type, maybe wrapped, maybe marked:

- type: ``string``, ``int`` (int32 and int64 are both varints), ``bool``, ``bytes`` (base64 in
  JSON), ``double``, or the name of a message in this table;
- ``[type]`` is a repeated field; ``{type}`` a map from string keys (on the wire, repeated entries
  ``{1: key, 2: value}``);
- ``?``: the Go field is a pointer, so a field present on the wire is written even when zero
  (``replicas: 0``, ``immutable: false``) and an absent one is left out;
- ``!``: the Go field has no ``omitempty``, so it is written even when zero or absent (the zero
  scalar; ``null`` for an absent list, map or pointer);
- no mark: ``omitempty``, so zero scalars and empty lists and maps are left out. A message that is
  not a pointer is always written, decoded from nothing when absent, because Go's encoding/json
  never omits a struct: that is why every ``metadata`` carries ``creationTimestamp: null``.

JSON name ``""`` is an embedded Go struct (``json:",inline"``) whose fields join the parent's.
Time, MicroTime, IntOrString, Quantity, FieldsV1 and ExtraValue have JSON forms of their own, made
by protobuf.py; their fields are marked ``?`` only so that it sees which ones were present.

Messages outside this table (legacy in-tree volume plugins, ephemeral containers, TokenRequest
attestations, the newest alpha fields: see each module) are deliberately absent: a body using
them is refused, not half-read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from emulator.cluster.mock.protobuf_schema_core import CORE
from emulator.cluster.mock.protobuf_schema_pod import POD

Table = dict[str, dict[int, tuple[str, str]]]

SCALARS = frozenset({"string", "int", "bool", "bytes", "double"})

# k8s.io/apimachinery: pkg/apis/meta/v1, pkg/util/intstr, pkg/api/resource.
META: Table = {
    "ObjectMeta": {1: ("name", "string"), 2: ("generateName", "string"),
        3: ("namespace", "string"), 4: ("selfLink", "string"), 5: ("uid", "string"),
        6: ("resourceVersion", "string"), 7: ("generation", "int"),
        8: ("creationTimestamp", "Time"), 9: ("deletionTimestamp", "Time?"),
        10: ("deletionGracePeriodSeconds", "int?"), 11: ("labels", "{string}"),
        12: ("annotations", "{string}"), 13: ("ownerReferences", "[OwnerReference]"),
        14: ("finalizers", "[string]"), 17: ("managedFields", "[ManagedFieldsEntry]")},
    "OwnerReference": {1: ("kind", "string!"), 3: ("name", "string!"), 4: ("uid", "string!"),
        5: ("apiVersion", "string!"), 6: ("controller", "bool?"),
        7: ("blockOwnerDeletion", "bool?")},
    "ManagedFieldsEntry": {1: ("manager", "string"), 2: ("operation", "string"),
        3: ("apiVersion", "string"), 4: ("time", "Time?"), 6: ("fieldsType", "string"),
        7: ("fieldsV1", "FieldsV1?"), 8: ("subresource", "string")},
    "Condition": {1: ("type", "string!"), 2: ("status", "string!"),
        3: ("observedGeneration", "int"), 4: ("lastTransitionTime", "Time"),
        5: ("reason", "string!"), 6: ("message", "string!")},
    "LabelSelector": {1: ("matchLabels", "{string}"),
        2: ("matchExpressions", "[LabelSelectorRequirement]")},
    "LabelSelectorRequirement": {1: ("key", "string!"), 2: ("operator", "string!"),
        3: ("values", "[string]")},
    "FieldSelectorRequirement": {1: ("key", "string!"), 2: ("operator", "string!"),
        3: ("values", "[string]")},
    # Own JSON forms (see the module docstring).
    "Time": {1: ("seconds", "int?"), 2: ("nanos", "int?")},
    "MicroTime": {1: ("seconds", "int?"), 2: ("nanos", "int?")},
    "FieldsV1": {1: ("raw", "bytes?")},
    "IntOrString": {1: ("type", "int?"), 2: ("intVal", "int?"), 3: ("strVal", "string?")},
    "Quantity": {1: ("string", "string?")},
}

# k8s.io/api apps/v1.
APPS: Table = {
    "Deployment": {1: ("metadata", "ObjectMeta"), 2: ("spec", "DeploymentSpec"),
        3: ("status", "DeploymentStatus")},
    "DeploymentSpec": {1: ("replicas", "int?"), 2: ("selector", "LabelSelector?!"),
        3: ("template", "PodTemplateSpec"), 4: ("strategy", "DeploymentStrategy"),
        5: ("minReadySeconds", "int"), 6: ("revisionHistoryLimit", "int?"),
        7: ("paused", "bool"), 9: ("progressDeadlineSeconds", "int?")},
    "DeploymentStrategy": {1: ("type", "string"),
        2: ("rollingUpdate", "RollingUpdateDeployment?")},
    "RollingUpdateDeployment": {1: ("maxUnavailable", "IntOrString?"),
        2: ("maxSurge", "IntOrString?")},
    "DeploymentStatus": {1: ("observedGeneration", "int"), 2: ("replicas", "int"),
        3: ("updatedReplicas", "int"), 4: ("availableReplicas", "int"),
        5: ("unavailableReplicas", "int"), 6: ("conditions", "[DeploymentCondition]"),
        7: ("readyReplicas", "int"), 8: ("collisionCount", "int?"),
        9: ("terminatingReplicas", "int?")},
    "DeploymentCondition": {1: ("type", "string!"), 2: ("status", "string!"),
        4: ("reason", "string"), 5: ("message", "string"), 6: ("lastUpdateTime", "Time"),
        7: ("lastTransitionTime", "Time")},
}

# k8s.io/api rbac/v1.
RBAC: Table = {
    "Role": {1: ("metadata", "ObjectMeta"), 2: ("rules", "[PolicyRule]!")},
    "ClusterRole": {1: ("metadata", "ObjectMeta"), 2: ("rules", "[PolicyRule]!"),
        3: ("aggregationRule", "AggregationRule?")},
    "RoleBinding": {1: ("metadata", "ObjectMeta"), 2: ("subjects", "[Subject]"),
        3: ("roleRef", "RoleRef")},
    "ClusterRoleBinding": {1: ("metadata", "ObjectMeta"), 2: ("subjects", "[Subject]"),
        3: ("roleRef", "RoleRef")},
    "PolicyRule": {1: ("verbs", "[string]!"), 2: ("apiGroups", "[string]"),
        3: ("resources", "[string]"), 4: ("resourceNames", "[string]"),
        5: ("nonResourceURLs", "[string]")},
    "AggregationRule": {1: ("clusterRoleSelectors", "[LabelSelector]")},
    "Subject": {1: ("kind", "string!"), 2: ("apiGroup", "string"), 3: ("name", "string!"),
        4: ("namespace", "string")},
    "RoleRef": {1: ("apiGroup", "string!"), 2: ("kind", "string!"), 3: ("name", "string!")},
}

# k8s.io/api authentication/v1 (v1beta1's SelfSubjectReview has the same shape) and
# authorization/v1. ExtraValue is one message in both groups.
AUTH: Table = {
    "SelfSubjectReview": {1: ("metadata", "ObjectMeta"), 2: ("status", "SelfSubjectReviewStatus")},
    "SelfSubjectReviewStatus": {1: ("userInfo", "UserInfo")},
    "UserInfo": {1: ("username", "string"), 2: ("uid", "string"), 3: ("groups", "[string]"),
        4: ("extra", "{ExtraValue}")},
    "ExtraValue": {1: ("items", "[string]")},
    "TokenRequest": {1: ("metadata", "ObjectMeta"), 2: ("spec", "TokenRequestSpec"),
        3: ("status", "TokenRequestStatus")},
    "TokenRequestSpec": {1: ("audiences", "[string]!"),
        3: ("boundObjectRef", "BoundObjectReference?!"), 4: ("expirationSeconds", "int?!")},
    "BoundObjectReference": {1: ("kind", "string"), 2: ("apiVersion", "string"),
        3: ("name", "string"), 4: ("uid", "string")},
    "TokenRequestStatus": {1: ("token", "string!"), 2: ("expirationTimestamp", "Time")},
    "SelfSubjectAccessReview": {1: ("metadata", "ObjectMeta"),
        2: ("spec", "SelfSubjectAccessReviewSpec"), 3: ("status", "SubjectAccessReviewStatus")},
    "SelfSubjectAccessReviewSpec": {1: ("resourceAttributes", "ResourceAttributes?"),
        2: ("nonResourceAttributes", "NonResourceAttributes?")},
    "ResourceAttributes": {1: ("namespace", "string"), 2: ("verb", "string"),
        3: ("group", "string"), 4: ("version", "string"), 5: ("resource", "string"),
        6: ("subresource", "string"), 7: ("name", "string"),
        8: ("fieldSelector", "FieldSelectorAttributes?"),
        9: ("labelSelector", "LabelSelectorAttributes?")},
    "FieldSelectorAttributes": {1: ("rawSelector", "string"),
        2: ("requirements", "[FieldSelectorRequirement]")},
    "LabelSelectorAttributes": {1: ("rawSelector", "string"),
        2: ("requirements", "[LabelSelectorRequirement]")},
    "NonResourceAttributes": {1: ("path", "string"), 2: ("verb", "string")},
    "SubjectAccessReviewStatus": {1: ("allowed", "bool!"), 2: ("reason", "string"),
        3: ("evaluationError", "string"), 4: ("denied", "bool")},
    "SelfSubjectRulesReview": {1: ("metadata", "ObjectMeta"),
        2: ("spec", "SelfSubjectRulesReviewSpec"), 3: ("status", "SubjectRulesReviewStatus")},
    "SelfSubjectRulesReviewSpec": {1: ("namespace", "string")},
    "SubjectRulesReviewStatus": {1: ("resourceRules", "[ResourceRule]!"),
        2: ("nonResourceRules", "[NonResourceRule]!"), 3: ("incomplete", "bool!"),
        4: ("evaluationError", "string")},
    "ResourceRule": {1: ("verbs", "[string]!"), 2: ("apiGroups", "[string]"),
        3: ("resources", "[string]"), 4: ("resourceNames", "[string]")},
    "NonResourceRule": {1: ("verbs", "[string]!"), 2: ("nonResourceURLs", "[string]")},
}



def merge_tables(*tables: Table) -> Table:
    """One table from several; a message defined twice is a mistake, not an override."""
    merged: Table = {}
    for table in tables:
        for name in table.keys() & merged.keys():
            raise ValueError(f"message {name} is defined twice")
        merged.update(table)
    return merged


MESSAGES: Table = merge_tables(META, CORE, POD, APPS, RBAC, AUTH)

# (apiVersion, kind) of a request body -> its top-level message.
KINDS: dict[tuple[str, str], str] = {(api_version, kind): kind for api_version, kinds in (
    ("v1", ("Namespace", "Pod", "Service", "ConfigMap", "Secret", "ServiceAccount", "Event",
            "Node")),
    ("apps/v1", ("Deployment",)),
    ("rbac.authorization.k8s.io/v1", ("Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding")),
    ("authentication.k8s.io/v1", ("SelfSubjectReview", "TokenRequest")),
    ("authentication.k8s.io/v1beta1", ("SelfSubjectReview",)),
    ("authorization.k8s.io/v1", ("SelfSubjectAccessReview", "SelfSubjectRulesReview")),
) for kind in kinds}


class Shape(Enum):
    ONE = "one"
    LIST = "list"
    MAP = "map"


@dataclass(frozen=True)
class Field:
    json: str  # "" for an embedded struct
    type: str  # a scalar name or a message name
    shape: Shape
    pointer: bool
    omitempty: bool

    @property
    def is_message(self) -> bool:
        return self.type not in SCALARS


_KIND = re.compile(r"(?:\[(?P<list>\w+)\]|\{(?P<map>\w+)\}|(?P<one>\w+))(?P<ptr>\?)?(?P<bang>!)?")


def parse_field(json_name: str, kind: str) -> Field:
    """One table entry as a Field; ValueError when the kind is not in the notation."""
    match = _KIND.fullmatch(kind)
    if match is None:
        raise ValueError(f"bad kind {kind!r} for {json_name!r}")
    shape = Shape.LIST if match["list"] else Shape.MAP if match["map"] else Shape.ONE
    field = Field(json_name, match["list"] or match["map"] or match["one"], shape,
                  bool(match["ptr"]), not match["bang"])
    if field.pointer and shape is not Shape.ONE:
        raise ValueError(f"{json_name!r}: only a single field can be a pointer")
    if not json_name and not (field.is_message and shape is Shape.ONE and not field.pointer):
        raise ValueError("only a non-pointer message can be embedded")
    return field


def compile_table(table: Table) -> dict[str, dict[int, Field]]:
    """The table parsed, checking that every referenced message is defined."""
    schema = {name: {number: parse_field(*entry) for number, entry in sorted(fields.items())}
              for name, fields in table.items()}
    for name, fields in schema.items():
        for number, field in fields.items():
            if field.is_message and field.type not in schema:
                raise ValueError(f"{name} field {number} refers to unknown message {field.type}")
    return schema


SCHEMA: dict[str, dict[int, Field]] = compile_table(MESSAGES)
