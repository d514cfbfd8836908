"""Printers for storage: volumes and claims, storage classes, CSI objects and volume attachments
(kube-apiserver's columns and cells, in our words). The VolumeAttributesClass columns of volumes
and claims arrived in 1.29."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from emulator import messages
from emulator.cluster.mock.wire.tables.cells import (
    AGE, NAME, Cells, Column, Obj, Printer, created, deleting, items, meta, name, quantity,
    resource_quantity, section, wide,
)

_ACCESS_MODES = (("ReadWriteOnce", "RWO"), ("ReadOnlyMany", "ROX"), ("ReadWriteMany", "RWX"),
                 ("ReadWriteOncePod", "RWOP"))
_BETA_CLASS_ANNOTATION = "volume.beta.kubernetes.io/storage-class"
_DEFAULT_CLASS_ANNOTATIONS = ("storageclass.kubernetes.io/is-default-class",
                              "storageclass.beta.kubernetes.io/is-default-class")
_DEFAULT_ATTRIBUTES_CLASS_ANNOTATION = "volumeattributesclass.alpha.kubernetes.io/is-default-class"


def access_modes(modes: Any) -> str:
    """RWO,ROX,RWX,RWOP: in that order, each once, whatever order the object lists them in."""
    listed = set(modes) if isinstance(modes, list) else set()
    return ",".join(short for mode, short in _ACCESS_MODES if mode in listed)


def _storage_class(obj: Obj, spec: Obj) -> str:
    """The beta annotation, where present, outranks spec.storageClassName."""
    annotations = meta(obj).get("annotations") or {}
    if _BETA_CLASS_ANNOTATION in annotations:
        return str(annotations[_BETA_CLASS_ANNOTATION])
    return str(spec.get("storageClassName") or "")


def _volume_mode(spec: Obj) -> str:
    return str(spec["volumeMode"]) if spec.get("volumeMode") is not None else messages.TABLE_UNSET


def _attributes_class(spec: Obj) -> str:
    value = spec.get("volumeAttributesClassName")
    return messages.TABLE_UNSET if value is None else str(value)


def _volume_cells(volume: Obj, now: datetime) -> Cells:
    spec, status = section(volume, "spec"), section(volume, "status")
    claim = section(spec, "claimRef")
    claim_text = (f"{claim.get('namespace', '')}/{claim.get('name', '')}"
                  if spec.get("claimRef") is not None else "")
    phase = "Terminating" if deleting(volume) else str(status.get("phase", ""))
    return [name(volume), resource_quantity(spec.get("capacity"), "storage"),
            access_modes(spec.get("accessModes")),
            str(spec.get("persistentVolumeReclaimPolicy", "")), phase, claim_text,
            _storage_class(volume, spec), _attributes_class(spec), str(status.get("reason", "")),
            created(volume, now), _volume_mode(spec)]


PERSISTENT_VOLUMES = Printer((
    NAME,
    Column("Capacity", "The volume's storage capacity."),
    Column("Access Modes", "How the volume can be mounted: RWO, ROX, RWX, RWOP."),
    Column("Reclaim Policy", "What happens to the volume when its claim goes away."),
    Column("Status", "The volume's phase."),
    Column("Claim", "The claim bound to the volume, as namespace/name."),
    Column("StorageClass", "The volume's storage class."),
    Column("VolumeAttributesClass", "The volume's attributes class.", since=29),
    Column("Reason", "Why the volume is in its phase."),
    AGE,
    wide("VolumeMode", "Filesystem or Block."),
), _volume_cells)


def _claim_cells(claim: Obj, now: datetime) -> Cells:
    spec, status = section(claim, "spec"), section(claim, "status")
    capacity, modes = "", ""
    if spec.get("volumeName"):  # kube shows what the claim got only once it is bound
        modes = access_modes(status.get("accessModes"))
        capacity = resource_quantity(status.get("capacity"), "storage")
    phase = "Terminating" if deleting(claim) else str(status.get("phase", ""))
    return [name(claim), phase, str(spec.get("volumeName", "")), capacity, modes,
            _storage_class(claim, spec), _attributes_class(spec), created(claim, now),
            _volume_mode(spec)]


PERSISTENT_VOLUME_CLAIMS = Printer((
    NAME,
    Column("Status", "The claim's phase."),
    Column("Volume", "The volume bound to the claim."),
    Column("Capacity", "The bound volume's capacity."),
    Column("Access Modes", "The bound volume's access modes: RWO, ROX, RWX, RWOP."),
    Column("StorageClass", "The storage class the claim asks for."),
    Column("VolumeAttributesClass", "The attributes class the claim asks for.", since=29),
    AGE,
    wide("VolumeMode", "Filesystem or Block."),
), _claim_cells)


def _storage_class_cells(storage_class: Obj, now: datetime) -> Cells:
    annotations = meta(storage_class).get("annotations") or {}
    label = name(storage_class)
    if any(annotations.get(key) == "true" for key in _DEFAULT_CLASS_ANNOTATIONS):
        label = messages.TABLE_DEFAULT_CLASS.format(name=label)
    return [label, str(storage_class.get("provisioner", "")),
            storage_class.get("reclaimPolicy") or "Delete",
            storage_class.get("volumeBindingMode") or "Immediate",
            bool(storage_class.get("allowVolumeExpansion")), created(storage_class, now)]


STORAGE_CLASSES = Printer((
    NAME,
    Column("Provisioner", "The volume plugin that provisions the class's volumes."),
    Column("ReclaimPolicy", "What happens to a provisioned volume when its claim goes away."),
    Column("VolumeBindingMode", "Immediate, or WaitForFirstConsumer."),
    Column("AllowVolumeExpansion", "Whether claims of this class may grow."),
    AGE,
), _storage_class_cells)


def _csi_driver_cells(driver: Obj, now: datetime) -> Cells:
    spec = section(driver, "spec")
    attach = spec.get("attachRequired")
    requests = spec.get("tokenRequests")
    tokens = (messages.TABLE_UNSET if requests is None
              else ",".join(str(t.get("audience", "")) for t in items(spec, "tokenRequests")))
    modes = ",".join(str(m) for m in spec.get("volumeLifecycleModes") or [])
    return [name(driver), True if attach is None else bool(attach),
            bool(spec.get("podInfoOnMount")), bool(spec.get("storageCapacity")), tokens,
            bool(spec.get("requiresRepublish")), modes or messages.TABLE_NONE,
            created(driver, now)]


CSI_DRIVERS = Printer((
    NAME,
    Column("AttachRequired", "Whether volumes need an attach step.", type="boolean"),
    Column("PodInfoOnMount", "Whether the driver gets the pod's details on mount.", type="boolean"),
    Column("StorageCapacity", "Whether the scheduler checks the driver's capacity.",
           type="boolean"),
    Column("TokenRequests", "Audiences of the service account tokens the driver receives."),
    Column("RequiresRepublish", "Whether volumes are re-published periodically.", type="boolean"),
    Column("Modes", "The volume lifecycle modes the driver supports."),
    AGE,
), _csi_driver_cells)


def _csi_node_cells(node: Obj, now: datetime) -> Cells:
    return [name(node), len(items(section(node, "spec"), "drivers")), created(node, now)]


CSI_NODES = Printer((
    NAME,
    Column("Drivers", "CSI drivers registered on the node.", type="integer"),
    AGE,
), _csi_node_cells)


def _csi_capacity_cells(capacity: Obj, now: datetime) -> Cells:
    value = capacity.get("capacity")
    return [name(capacity), str(capacity.get("storageClassName", "")),
            messages.TABLE_UNSET if value is None else quantity(value)]


# Storage capacities print no age.
CSI_STORAGE_CAPACITIES = Printer((
    NAME,
    Column("StorageClassName", "The storage class the capacity is for."),
    Column("Capacity", "The capacity available."),
), _csi_capacity_cells)


def _attachment_cells(attachment: Obj, now: datetime) -> Cells:
    spec = section(attachment, "spec")
    volume = section(spec, "source").get("persistentVolumeName")
    return [name(attachment), str(spec.get("attacher", "")), "" if volume is None else str(volume),
            str(spec.get("nodeName", "")), bool(section(attachment, "status").get("attached")),
            created(attachment, now)]


VOLUME_ATTACHMENTS = Printer((
    NAME,
    Column("Attacher", "The driver that attaches the volume.", format="name"),
    Column("PV", "The persistent volume attached."),
    Column("Node", "The node it is attached to."),
    Column("Attached", "Whether the attach succeeded.", type="boolean"),
    AGE,
), _attachment_cells)


def _attributes_class_cells(attributes_class: Obj, now: datetime) -> Cells:
    annotations = meta(attributes_class).get("annotations") or {}
    label = name(attributes_class)
    if annotations.get(_DEFAULT_ATTRIBUTES_CLASS_ANNOTATION) == "true":
        label = messages.TABLE_DEFAULT_CLASS.format(name=label)
    return [label, str(attributes_class.get("driverName", "")), created(attributes_class, now)]


VOLUME_ATTRIBUTES_CLASSES = Printer((
    NAME, Column("DriverName", "The CSI driver the class is for."), AGE,
), _attributes_class_cells)
