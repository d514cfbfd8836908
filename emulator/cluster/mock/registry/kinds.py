"""What each built-in kind does beyond its data, one definition per kind.

A kind's names, scope, verbs and subresources are data (``data/served/1.NN.json``); its fields,
descriptions and list metadata come from its minor's schema (``schema.py``). What is left is
behaviour, and it is written here once per kind: the Table printer ``kubectl get`` shows, kube's
defaulting, the field selectors its REST storage accepts beyond ``metadata.name`` and
``metadata.namespace``, and how its storage deletes. A kind without an entry gets the defaults:
kube's Name/Age table, no defaulting, no extra field selectors, a Status for a delete. Adding a
built-in kind is its data plus, if it needs any behaviour, one entry here.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from emulator.cluster.mock.registry import (crdchecks, defaults, eventchecks, jobchecks,
                                            podspecchecks, podupdate, scalingchecks,
                                            servicechecks, updatechecks, workloadchecks)
from emulator.cluster.mock.registry.fielderrors import FieldError
from emulator.cluster.mock.registry.resources import CustomKind
from emulator.cluster.mock.registry.selectors import FieldRead, field_at
from emulator.cluster.mock.wire.tables import cluster, core, network, storage, workloads
from emulator.cluster.mock.wire.tables.custom import custom_printer
from emulator.cluster.mock.wire.tables.cells import Printer

Defaulter = Callable[[dict[str, Any], int, str], None]  # (object, minor, version), in place
Validator = Callable[[dict[str, Any], dict[str, Any] | None, int], list[FieldError]]


@dataclass(frozen=True)
class Behaviour:
    # kube-apiserver's printer; a function of the minor where its columns changed over minors.
    printer: Printer | Callable[[int], Printer] | None = None
    defaults: Defaulter | None = None  # pkg/apis/<group>/<version>/defaults.go, in defaults.py
    field_selectors: tuple[str, ...] = ()  # the storage's GetAttrs / field label conversions
    # The labels among them whose value is not the stored object's field at the label's path.
    field_reads: tuple[tuple[str, FieldRead], ...] = ()
    # A delete that went through answers the object itself (the storage's ReturnDeletedObject),
    # not a Success Status naming it.
    returns_deleted_object: bool = False
    # The strategy's DefaultGarbageCollectionPolicy is OrphanDependents (v1 controllers).
    orphans_by_default: bool = False
    # False: the kind takes no part in garbage collection (events), so no GC finalizers.
    garbage_collected: bool = True
    # The strategy sets metadata.generation to 1 on create and bumps it when the spec changes.
    tracks_generation: bool = False
    # The storage adds this finalizer to a deleted object, so that a controller cleans up
    # before it goes (the CRD storage's customresourcecleanup).
    deletion_finalizer: str = ""
    # The strategy's Validate / ValidateUpdate: (object, old object or None, minor) -> errors.
    validate: Validator | None = None
    # What the strategy's ValidateUpdate adds for a write to the object itself (not its
    # subresources): the fields an update may not change. (object, old object, minor) -> errors.
    validate_update: Validator | None = None


PLAIN = Behaviour()

_RBAC = "rbac.authorization.k8s.io"
_ADMISSION = "admissionregistration.k8s.io"
_FLOW = "flowcontrol.apiserver.k8s.io"
_EVENT_FIELDS = ("involvedObject.kind", "involvedObject.namespace", "involvedObject.name",
                 "involvedObject.uid", "involvedObject.apiVersion",
                 "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason",
                 "reportingComponent", "source", "type")


_SOURCE_COMPONENT = field_at("source.component")
_REPORTING_COMPONENT = field_at("reportingComponent")


def _event_source(event: Mapping[str, Any]) -> str:
    """EventToSelectableFields' "source": the source's component, else the reporting
    controller (an Event written through events.k8s.io has no source)."""
    return _SOURCE_COMPONENT(event) or _REPORTING_COMPONENT(event)


# events.k8s.io/v1's labels (AddFieldLabelConversionsForEvent), read from the core Event that the
# shared storage holds: its own names for the core fields, and "source" as the core label.
_EVENTS_V1_LABELS = {"regarding." + part: "involvedObject." + part for part in (
    "kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath")}
_EVENTS_V1_LABELS["reportingController"] = "reportingComponent"
_EVENTS_V1_FIELDS = (*_EVENTS_V1_LABELS, "reason", "source", "type")
_EVENT_READS = (("source", _event_source),)
_EVENTS_V1_READS = (*((label, field_at(path)) for label, path in _EVENTS_V1_LABELS.items()),
                    *_EVENT_READS)

_KEEPS = {"returns_deleted_object": True}  # the storage answers a delete with the object
_GENERATION = {"tracks_generation": True}  # metadata.generation from 1, bumped by spec changes


def _selects(kind: str) -> dict[str, Any]:
    """apps/v1 workloads: their spec (workloadchecks.py: replicas, strategy, a selector that
    selects the template's pods, a template that is a valid pod that restarts Always), and what
    an update does not change (a StatefulSet's whole spec but a few fields)."""
    return {"tracks_generation": True, "validate": workloadchecks.validator(kind),
            "validate_update": (updatechecks.stateful_set if kind == "StatefulSet"
                                else updatechecks.selector)}


BUILTIN: dict[tuple[str, str], Behaviour] = {
    # core
    ("", "Pod"): Behaviour(core.PODS, defaults.pod, (
        "status.phase", "spec.nodeName", "spec.restartPolicy", "spec.schedulerName",
        "spec.serviceAccountName", "status.podIP", "status.nominatedNodeName"),
        validate=podspecchecks.pod, validate_update=podupdate.validate, **_KEEPS),
    ("", "PodTemplate"): Behaviour(core.POD_TEMPLATES, defaults.pod_template,
                                   validate=podspecchecks.template("template"), **_KEEPS),
    ("", "Namespace"): Behaviour(core.NAMESPACES, defaults.namespace, ("status.phase",)),
    ("", "Service"): Behaviour(core.SERVICES, defaults.service, ("spec.clusterIP", "spec.type"),
                               validate=servicechecks.validate, **_KEEPS),
    ("", "ConfigMap"): Behaviour(core.CONFIGMAPS, validate_update=updatechecks.config_map),
    ("", "Secret"): Behaviour(core.SECRETS, defaults.secret, ("type",),
                              validate_update=updatechecks.secret),
    ("", "ServiceAccount"): Behaviour(core.SERVICE_ACCOUNTS, **_KEEPS),
    ("", "Node"): Behaviour(core.NODES, None, ("spec.unschedulable",)),
    ("", "ComponentStatus"): Behaviour(core.COMPONENT_STATUSES),
    ("", "Event"): Behaviour(core.EVENTS, None, _EVENT_FIELDS, _EVENT_READS,
                             garbage_collected=False, validate=eventchecks.core_event),
    ("", "LimitRange"): Behaviour(core.CREATED_AT, defaults.limit_range),
    ("", "ReplicationController"): Behaviour(
        workloads.REPLICATION_CONTROLLERS, defaults.replication_controller, ("status.replicas",),
        orphans_by_default=True, validate=workloadchecks.validator("ReplicationController"),
        **_GENERATION),
    ("", "Endpoints"): Behaviour(network.ENDPOINTS, defaults.endpoints),
    ("", "PersistentVolume"): Behaviour(storage.PERSISTENT_VOLUMES, defaults.persistent_volume,
                                        **_KEEPS),
    ("", "PersistentVolumeClaim"): Behaviour(
        storage.PERSISTENT_VOLUME_CLAIMS, defaults.persistent_volume_claim,
        validate_update=updatechecks.persistent_volume_claim, **_KEEPS),
    ("", "ResourceQuota"): Behaviour(cluster.RESOURCE_QUOTAS, **_KEEPS),
    ("events.k8s.io", "Event"): Behaviour(core.EVENTS_V1, None, _EVENTS_V1_FIELDS,
                                          _EVENTS_V1_READS, garbage_collected=False,
                                          validate=eventchecks.events_v1_event),
    # RBAC
    (_RBAC, "Role"): Behaviour(core.CREATED_AT),
    (_RBAC, "ClusterRole"): Behaviour(core.CREATED_AT),
    (_RBAC, "RoleBinding"): Behaviour(core.BINDINGS, defaults.role_binding,
                                      validate_update=updatechecks.role_binding),
    (_RBAC, "ClusterRoleBinding"): Behaviour(core.BINDINGS, defaults.role_binding,
                                             validate_update=updatechecks.role_binding),
    # workloads
    ("apps", "Deployment"): Behaviour(workloads.DEPLOYMENTS, defaults.deployment,
                                      **_selects("Deployment")),
    ("apps", "ReplicaSet"): Behaviour(workloads.REPLICA_SETS, defaults.replica_set,
                                      ("status.replicas",), **_selects("ReplicaSet")),
    ("apps", "StatefulSet"): Behaviour(workloads.STATEFUL_SETS, defaults.stateful_set,
                                       **_selects("StatefulSet")),
    ("apps", "DaemonSet"): Behaviour(workloads.DAEMON_SETS, defaults.daemon_set,
                                     **_selects("DaemonSet")),
    ("apps", "ControllerRevision"): Behaviour(workloads.CONTROLLER_REVISIONS),
    ("batch", "Job"): Behaviour(workloads.jobs, defaults.job, ("status.successful",),
                                validate=jobchecks.job, validate_update=updatechecks.job,
                                **_GENERATION),
    ("batch", "CronJob"): Behaviour(workloads.CRON_JOBS, defaults.cron_job,
                                    validate=jobchecks.cron_job, **_GENERATION),
    ("autoscaling", "HorizontalPodAutoscaler"): Behaviour(
        workloads.HORIZONTAL_POD_AUTOSCALERS, defaults.horizontal_pod_autoscaler,
        validate=scalingchecks.horizontal_pod_autoscaler),
    ("policy", "PodDisruptionBudget"): Behaviour(workloads.POD_DISRUPTION_BUDGETS,
                                                 validate=scalingchecks.pod_disruption_budget,
                                                 **_GENERATION),
    # networking
    ("networking.k8s.io", "Ingress"): Behaviour(network.INGRESSES, **_GENERATION),
    ("networking.k8s.io", "IngressClass"): Behaviour(network.INGRESS_CLASSES,
                                                     defaults.ingress_class, **_GENERATION),
    ("networking.k8s.io", "NetworkPolicy"): Behaviour(network.NETWORK_POLICIES,
                                                      defaults.network_policy, **_GENERATION),
    ("networking.k8s.io", "ServiceCIDR"): Behaviour(network.SERVICE_CIDRS),
    ("networking.k8s.io", "IPAddress"): Behaviour(network.IP_ADDRESSES),
    ("discovery.k8s.io", "EndpointSlice"): Behaviour(network.ENDPOINT_SLICES,
                                                     defaults.endpoint_slice),
    # storage
    ("storage.k8s.io", "StorageClass"): Behaviour(storage.STORAGE_CLASSES,
                                                  defaults.storage_class,
                                                  validate_update=updatechecks.storage_class,
                                                  **_KEEPS),
    ("storage.k8s.io", "CSIDriver"): Behaviour(storage.CSI_DRIVERS, defaults.csi_driver,
                                               **_KEEPS),
    ("storage.k8s.io", "CSINode"): Behaviour(storage.CSI_NODES, **_KEEPS),
    ("storage.k8s.io", "CSIStorageCapacity"): Behaviour(storage.CSI_STORAGE_CAPACITIES),
    ("storage.k8s.io", "VolumeAttachment"): Behaviour(storage.VOLUME_ATTACHMENTS, **_KEEPS),
    ("storage.k8s.io", "VolumeAttributesClass"): Behaviour(storage.VOLUME_ATTRIBUTES_CLASSES,
                                                           **_KEEPS),
    # the control plane's own kinds
    ("coordination.k8s.io", "Lease"): Behaviour(cluster.LEASES),
    ("scheduling.k8s.io", "PriorityClass"): Behaviour(
        cluster.PRIORITY_CLASSES, defaults.priority_class,
        validate_update=updatechecks.priority_class),
    ("node.k8s.io", "RuntimeClass"): Behaviour(cluster.RUNTIME_CLASSES),
    ("certificates.k8s.io", "CertificateSigningRequest"): Behaviour(
        cluster.CERTIFICATE_SIGNING_REQUESTS, None, ("spec.signerName",)),
    (_ADMISSION, "MutatingWebhookConfiguration"): Behaviour(cluster.WEBHOOK_CONFIGURATIONS,
                                                            **_GENERATION),
    (_ADMISSION, "ValidatingWebhookConfiguration"): Behaviour(cluster.WEBHOOK_CONFIGURATIONS,
                                                              **_GENERATION),
    (_ADMISSION, "ValidatingAdmissionPolicy"): Behaviour(cluster.VALIDATING_ADMISSION_POLICIES,
                                                         **_GENERATION),
    (_ADMISSION, "ValidatingAdmissionPolicyBinding"): Behaviour(cluster.POLICY_BINDINGS,
                                                                **_GENERATION),
    (_ADMISSION, "MutatingAdmissionPolicy"): Behaviour(cluster.MUTATING_ADMISSION_POLICIES,
                                                       **_GENERATION),
    (_ADMISSION, "MutatingAdmissionPolicyBinding"): Behaviour(cluster.POLICY_BINDINGS,
                                                              **_GENERATION),
    (_FLOW, "FlowSchema"): Behaviour(cluster.FLOW_SCHEMAS, **_GENERATION),
    (_FLOW, "PriorityLevelConfiguration"): Behaviour(cluster.PRIORITY_LEVEL_CONFIGURATIONS,
                                                     **_GENERATION),
    ("apiregistration.k8s.io", "APIService"): Behaviour(cluster.API_SERVICES),
    ("apiextensions.k8s.io", "CustomResourceDefinition"): Behaviour(
        cluster.CREATED_AT, defaults.custom_resource_definition,
        validate=lambda crd, old, minor: crdchecks.validate_crd(crd, old, minor=minor),
        deletion_finalizer="customresourcecleanup.apiextensions.k8s.io",
        **_GENERATION),
    ("resource.k8s.io", "DeviceClass"): Behaviour(cluster.NAME_AGE, **_KEEPS),
    ("resource.k8s.io", "ResourceClaim"): Behaviour(cluster.RESOURCE_CLAIMS, **_KEEPS),
    ("resource.k8s.io", "ResourceClaimTemplate"): Behaviour(cluster.NAME_AGE, **_KEEPS),
    ("resource.k8s.io", "ResourceSlice"): Behaviour(cluster.RESOURCE_SLICES, **_KEEPS),
}


def behaviour_of(group: str, kind: str) -> Behaviour:
    return BUILTIN.get((group, kind), PLAIN)


@functools.lru_cache(maxsize=256)
def custom_behaviour(custom: CustomKind) -> Behaviour:
    """A custom resource's behaviour: its CRD's printer columns, and a generation that every
    change but metadata and status bumps (the custom resource strategy)."""
    return Behaviour(custom_printer(custom), tracks_generation=True)
