"""kube's validation of a pod spec (``ValidatePodSpec``, pkg/apis/core/validation), for a pod
and for the pod templates of the workloads, its commonest rules, in kube's order and words:

- volumes: at most one source each, a name that is a DNS label and not a repeat;
- containers (one at least) and init containers: a name that is a DNS label and not a repeat
  (an init container's among the containers' too), an image, ports (name, number, protocol;
  host ports not taken twice), env and envFrom, volume mounts (of a volume the pod has, each
  path once), and resources (no negative quantity, no request above its limit); then its
  lifecycle hooks and probes (containerchecks.py), and its security context
  (securitychecks.py);
- the restart policy, and what each template kind demands of it: Always for the apps
  workloads and ReplicationControllers, OnFailure or Never for a Job;
- then the scheduling and naming fields: DNS policy and config, node selector, affinity,
  gates, topology spread, names, the deadline, tolerations (schedulingchecks.py).

A pod's image may not have spaces around it (kube checks that for pods only). A StatefulSet's
template is checked for its restart policy alone: kube's call that would check the rest of it
is commented out. Errors come in kube's order: volumes, then each container's checks, the
containers' host ports, the init containers, the restart policy. kube walks a container's
resources in Go's random map order; the mock takes limits, then requests, by name.

What kube checks beyond these (Windows options, host aliases, overhead, the OS...) is not
checked: such a pod is stored.
"""

from __future__ import annotations

import decimal
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from emulator import messages
from emulator.cluster.mock.registry import containerchecks
from emulator.cluster.mock.registry import fielderrors as fe
from emulator.cluster.mock.registry import (metachecks, namechecks, schedulingchecks,
                                            securitychecks)
from emulator.cluster.mock.registry.fielderrors import FieldError
from emulator.cluster.mock.registry.jsonread import as_dict, dict_at_path, list_in
from emulator.cluster.mock.registry.quantities import canonical_quantity, parse_quantity

Obj = dict[str, Any]

# The volume sources in the order validateVolumeSource counts them (emptyDir first), by their
# JSON names, with the path kube names for each when it is one too many: the downward API's is
# misspelt in kube.
VOLUME_SOURCES = (
    "emptyDir", "hostPath", "gitRepo", "gcePersistentDisk", "awsElasticBlockStore", "secret",
    "nfs", "iscsi", "glusterfs", "flocker", "persistentVolumeClaim", "rbd", "cinder", "cephfs",
    "quobyte", "downwardAPI", "fc", "flexVolume", "configMap", "azureFile", "vsphereVolume",
    "photonPersistentDisk", "portworxVolume", "azureDisk", "storageos", "projected", "scaleIO",
    "csi", "ephemeral", "image")
_SOURCE_PATHS = {"downwardAPI": "downwarAPI", "cephfs": "cephFS"}
RESTART_POLICIES = ("Always", "OnFailure", "Never")
PORT_PROTOCOLS = ("SCTP", "TCP", "UDP")  # sorted, as kube lists them
# helper.standardResources (quota's names included) and standardContainerResources.
STANDARD_RESOURCES = frozenset((
    "cpu", "memory", "ephemeral-storage", "requests.cpu", "requests.memory",
    "requests.ephemeral-storage", "limits.cpu", "limits.memory", "limits.ephemeral-storage",
    "pods", "resourcequotas", "services", "replicationcontrollers", "secrets", "configmaps",
    "persistentvolumeclaims", "storage", "requests.storage", "services.nodeports",
    "services.loadbalancers"))
CONTAINER_RESOURCES = frozenset(("cpu", "memory", "ephemeral-storage"))


def pod(obj: Obj, old: Obj | None, minor: int) -> list[FieldError]:
    """ValidatePodCreate / ValidatePodUpdate's spec part: the spec, then the pod-only image
    check, and on create a node name beside scheduling gates."""
    spec = as_dict(obj.get("spec"))
    errors = pod_spec(spec, "spec", minor)
    for field in ("containers", "initContainers"):
        for i, container in enumerate(list_in(spec, field)):
            image = as_dict(container).get("image")
            if isinstance(image, str) and image and image != image.strip():
                errors.append(fe.invalid_value(f"spec.{field}[{i}].image", image,
                                               messages.K8S_IMAGE_WHITESPACE))
    return errors + (schedulingchecks.gated_node_name(spec) if old is None else [])


def template(path: str, restart: str = "",
             owner: str = "") -> Callable[[Obj, Obj | None, int], list[FieldError]]:
    """The checks of the pod template at ``path`` (``spec.template``), then what the kind
    demands of its restart policy: ``Always`` (the apps workloads), ``Job`` (OnFailure or
    Never), or nothing (a PodTemplate); and for a long-running ``owner`` (the kind kube's
    message names), no ``activeDeadlineSeconds``."""

    def check(obj: Obj, old: Obj | None, minor: int) -> list[FieldError]:
        # ValidatePodTemplateSpec: the template's labels and annotations, its pod, no
        # ephemeral containers; then what the owner demands.
        spec = dict_at_path(obj, f"{path}.spec")
        errors = metachecks.labels_and_annotations(dict_at_path(obj, f"{path}.metadata"), path,
                                                   minor)
        errors += pod_spec(spec, f"{path}.spec", minor)
        if list_in(spec, "ephemeralContainers"):
            errors.append(fe.forbidden(f"{path}.spec.ephemeralContainers",
                                       messages.K8S_TEMPLATE_EPHEMERAL))
        errors += _template_restart(spec, f"{path}.spec.restartPolicy", restart)
        return errors + _no_deadline(spec, f"{path}.spec", owner)

    return check


def stateful_set_template(obj: Obj, old: Obj | None, minor: int) -> list[FieldError]:
    """ValidatePodTemplateSpecForStatefulSet: the template's labels and annotations, its
    restart policy and deadline; not its pod."""
    spec = dict_at_path(obj, "spec.template.spec")
    errors = metachecks.labels_and_annotations(dict_at_path(obj, "spec.template.metadata"),
                                               "spec.template", minor)
    errors += _template_restart(spec, "spec.template.spec.restartPolicy", "Always")
    return errors + _no_deadline(spec, "spec.template.spec", "StatefulSet")


def _no_deadline(spec: Obj, path: str, owner: str) -> list[FieldError]:
    if not owner or spec.get("activeDeadlineSeconds") is None:
        return []
    return [fe.forbidden(f"{path}.activeDeadlineSeconds",
                         messages.K8S_TEMPLATE_DEADLINE.format(kind=owner))]


def pod_spec(spec: Obj, path: str, minor: int) -> list[FieldError]:
    """ValidatePodSpec, the rules above, for the spec at ``path``."""
    volumes, errors = _volumes(list_in(spec, "volumes"), f"{path}.volumes")
    containers = list_in(spec, "containers")
    pod = _Pod(volumes, spec.get("terminationGracePeriodSeconds"), minor,
               spec.get("hostUsers") is not False)
    errors += _containers(containers, pod, f"{path}.containers")
    errors += _init_containers(list_in(spec, "initContainers"), containers, pod,
                               f"{path}.initContainers")
    policy = spec.get("restartPolicy")
    if isinstance(policy, str) and policy and policy not in RESTART_POLICIES:
        errors.append(fe.not_supported(f"{path}.restartPolicy", policy, list(RESTART_POLICIES),
                                       minor))
    return errors + schedulingchecks.pod_spec(spec, path, minor)


# -- volumes ----------------------------------------------------------------------------------


def _volumes(volumes: list[Any], path: str) -> tuple[set[str], list[FieldError]]:
    """ValidateVolumes: the names of the volumes without an error, and the errors. A volume
    with an error is not one a mount may name."""
    known: set[str] = set()
    errors: list[FieldError] = []
    for i, volume in enumerate(volumes):
        volume = as_dict(volume)
        at = f"{path}[{i}]"
        found = [fe.forbidden(f"{at}.{_SOURCE_PATHS.get(source, source)}",
                              messages.K8S_VOLUME_SOURCES)
                 for source in [s for s in VOLUME_SOURCES if volume.get(s) is not None][1:]]
        name = volume.get("name")
        found += _name(name, f"{at}.name")
        if isinstance(name, str) and name in known:
            found.append(fe.duplicate(f"{at}.name", name))
        if found:
            errors += found
        elif isinstance(name, str):
            known.add(name)
    return known, errors


# -- containers -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Pod:
    """What a container's checks need of its pod."""
    volumes: set[str]  # the names of its volumes without an error
    grace: Any  # terminationGracePeriodSeconds, which a sleep hook may not outlast
    minor: int
    host_users: bool  # in the host's user namespace (hostUsers not false)


def _containers(containers: list[Any], pod: _Pod, path: str) -> list[FieldError]:
    if not containers:
        return [fe.required(path)]
    return (_each_container(containers, pod, path, set(), init=False)
            + _host_ports(containers, path))


def _init_containers(containers: list[Any], regular: list[Any], pod: _Pod,
                     path: str) -> list[FieldError]:
    """validateInitContainers: the same checks, and a name none of the containers has."""
    taken = {n for n in (as_dict(c).get("name") for c in regular) if _hashable(n)}
    return _each_container(containers, pod, path, taken, init=True)


def _each_container(containers: list[Any], pod: _Pod, path: str, taken: set[Any], *,
                    init: bool) -> list[FieldError]:
    """Each container's checks, then its name against those before it (``taken``): an empty
    init container's name is not taken, and each init container's host ports are checked on
    their own; then its lifecycle hooks and probes."""
    errors: list[FieldError] = []
    for i, container in enumerate(containers):
        at = f"{path}[{i}]"
        errors += _container(as_dict(container), pod, at)
        name = as_dict(container).get("name")
        if _hashable(name) and name in taken:
            errors.append(fe.duplicate(f"{at}.name", name))
        elif _hashable(name) and (name or not init):
            taken.add(name)
        if init:
            errors += _host_ports([container], at, single=True)
        errors += containerchecks.hooks(as_dict(container), at, pod.minor, pod.grace, init=init)
    return errors


def _container(container: Obj, pod: _Pod, path: str) -> list[FieldError]:
    """validateContainerCommon, its rules kept here, in its order."""
    errors = _name(container.get("name"), f"{path}.name")
    if not container.get("image"):
        errors.append(fe.required(f"{path}.image"))
    errors += _ports(list_in(container, "ports"), f"{path}.ports")
    errors += containerchecks.env(list_in(container, "env"), f"{path}.env", pod.minor)
    errors += containerchecks.env_from(list_in(container, "envFrom"), f"{path}.envFrom",
                                       pod.minor)
    errors += _mounts(list_in(container, "volumeMounts"), pod.volumes, f"{path}.volumeMounts")
    errors += _resources(as_dict(container.get("resources")), f"{path}.resources", pod.minor)
    errors += securitychecks.container(container.get("securityContext"),
                                       f"{path}.securityContext", pod.minor, pod.host_users)
    return errors


def _name(name: Any, path: str) -> list[FieldError]:
    """A required DNS-1123 label (ValidateDNS1123Label)."""
    if not name:
        return [fe.required(path)]
    if not isinstance(name, str):
        return []  # a wrong JSON type is the schema's to refuse
    return [fe.invalid_value(path, name, text) for text in namechecks.dns1123_label(name)]


# -- ports ------------------------------------------------------------------------------------


def _ports(ports: list[Any], path: str) -> list[FieldError]:
    """validateContainerPorts: per port its name, container port, host port, protocol."""
    errors: list[FieldError] = []
    names: set[str] = set()
    for i, port in enumerate(ports):
        port, at = as_dict(port), f"{path}[{i}]"
        name = port.get("name")
        if isinstance(name, str) and name:
            problems = namechecks.port_name(name)
            errors += [fe.invalid_value(f"{at}.name", name, text) for text in problems]
            if not problems and name in names:
                errors.append(fe.duplicate(f"{at}.name", name))
            elif not problems:
                names.add(name)
        number = port.get("containerPort")
        if not number:
            errors.append(fe.required(f"{at}.containerPort"))
        elif isinstance(number, int):
            errors += [fe.invalid_value(f"{at}.containerPort", number, text)
                       for text in namechecks.port_number(number)]
        host = port.get("hostPort")
        if isinstance(host, int) and host:
            errors += [fe.invalid_value(f"{at}.hostPort", host, text)
                       for text in namechecks.port_number(host)]
        protocol = port.get("protocol")
        if not protocol:
            errors.append(fe.required(f"{at}.protocol"))
        elif isinstance(protocol, str) and protocol not in PORT_PROTOCOLS:
            errors.append(fe.not_supported(f"{at}.protocol", protocol, list(PORT_PROTOCOLS)))
    return errors



def _host_ports(containers: list[Any], path: str, *, single: bool = False) -> list[FieldError]:
    """AccumulateUniqueHostPorts: a host port (by protocol, host IP and number) used once."""
    taken: set[str] = set()
    errors: list[FieldError] = []
    for i, container in enumerate(containers):
        at = path if single else f"{path}[{i}]"
        for j, port in enumerate(list_in(as_dict(container), "ports")):
            port = as_dict(port)
            host = port.get("hostPort")
            if not isinstance(host, int) or not host:
                continue
            taken_key = f"{port.get('protocol') or ''}/{port.get('hostIP') or ''}/{host}"
            if taken_key in taken:
                errors.append(fe.duplicate(f"{at}.ports[{j}].hostPort", taken_key))
            taken.add(taken_key)
    return errors


# -- volume mounts and resources --------------------------------------------------------------


def _mounts(mounts: list[Any], volumes: set[str], path: str) -> list[FieldError]:
    """ValidateVolumeMounts: a named volume the pod has, a mount path, each path once."""
    errors: list[FieldError] = []
    paths: set[Any] = set()
    for i, mount in enumerate(mounts):
        mount, at = as_dict(mount), f"{path}[{i}]"
        name, mount_path = mount.get("name") or "", mount.get("mountPath") or ""
        if not name:
            errors.append(fe.required(f"{at}.name"))
        if name not in volumes:
            errors.append(fe.make("FieldValueNotFound", f"{at}.name", name))
        if not mount_path:
            errors.append(fe.required(f"{at}.mountPath"))
        if _hashable(mount_path) and mount_path in paths:
            errors.append(fe.invalid_value(f"{at}.mountPath", mount_path,
                                           messages.K8S_MOUNT_PATH_UNIQUE))
        if _hashable(mount_path):
            paths.add(mount_path)
    return errors


def _resources(resources: Obj, path: str, minor: int) -> list[FieldError]:
    """ValidateResourceRequirements: a resource name a container may ask for, no negative
    quantity (the limits, then each request); a request no greater than its limit (equal to it
    where kube allows no overcommit: extended resources and huge pages); a limit for a request
    of those; and huge pages only beside cpu or memory."""
    limits, requests = as_dict(resources.get("limits")), as_dict(resources.get("requests"))
    errors = [error for name in sorted(limits)
              for error in (container_resource_name(name, f"{path}.limits[{name}]", minor)
                            + _negative(limits[name], f"{path}.limits[{name}]"))]
    for name in sorted(requests):
        errors += container_resource_name(name, f"{path}.requests[{name}]", minor)
        errors += _negative(requests[name], f"{path}.requests[{name}]")
        request = parse_quantity(requests[name])
        overcommit = _overcommit_allowed(name)
        if name not in limits:
            if not overcommit:
                errors.append(fe.required(f"{path}.limits", messages.K8S_LIMIT_REQUIRED))
            continue
        limit = parse_quantity(limits[name])
        if not (isinstance(request, decimal.Decimal) and isinstance(limit, decimal.Decimal)):
            continue
        template = (messages.K8S_REQUEST_EQUALS_LIMIT if request != limit and not overcommit
                    else messages.K8S_REQUEST_OVER_LIMIT if request > limit else None)
        if template is not None:
            errors.append(fe.invalid_value(f"{path}.requests", canonical_quantity(
                requests[name]), template.format(name=name, limit=canonical_quantity(
                    limits[name]))))
    named = set(limits) | set(requests)
    if not named & {"cpu", "memory"} and any(n.startswith("hugepages-") for n in named):
        errors.append(fe.forbidden(path, messages.K8S_HUGE_PAGES_ALONE))
    return errors


def container_resource_name(name: str, path: str, minor: int) -> list[FieldError]:
    """validateContainerResourceName: a qualified name; without a '/', one kube knows (the
    quota's names too) and one a container may ask for (cpu, memory, ephemeral-storage, huge
    pages); with one, a native (kubernetes.io/) or a well-formed extended resource."""
    problems = namechecks.qualified_name(name, minor)
    if not problems and "/" not in name and name not in STANDARD_RESOURCES \
            and not name.startswith(("hugepages-", "requests.hugepages-")):
        problems.append(messages.K8S_RESOURCE_NOT_STANDARD)
    if "/" not in name:
        if name not in CONTAINER_RESOURCES and not name.startswith("hugepages-"):
            problems.append(messages.K8S_RESOURCE_NOT_FOR_CONTAINERS)
    elif "kubernetes.io/" not in name and (
            name.startswith("requests.") or namechecks.qualified_name(f"requests.{name}")):
        problems.append(messages.K8S_RESOURCE_NOT_EXTENDED)
    return [fe.invalid_value(path, name, text, minor) for text in problems]


def _negative(value: Any, path: str) -> list[FieldError]:
    number = parse_quantity(value)
    if isinstance(number, decimal.Decimal) and number < 0:
        return [fe.invalid_value(path, canonical_quantity(value), messages.K8S_NOT_NEGATIVE)]
    return []


def _overcommit_allowed(name: str) -> bool:
    """helper.IsOvercommitAllowed: native resources but huge pages."""
    native = "/" not in name or name.startswith("kubernetes.io/")
    return native and not name.startswith("hugepages-")


# -- restart policies of templates ----------------------------------------------------------


def _template_restart(spec: Obj, path: str, wanted: str) -> list[FieldError]:
    # kube defaults a template that is not there too (it is a struct): its policy is Always.
    policy = spec.get("restartPolicy") or "Always"
    if wanted == "Always" and policy != "Always":
        return [fe.not_supported(path, policy, ["Always"])]
    if wanted == "Job":
        if policy == "Always":
            return [fe.required(path, messages.K8S_JOB_RESTART_POLICY)]
        if policy not in ("OnFailure", "Never"):
            return [fe.not_supported(path, policy, ["OnFailure", "Never"])]
    return []


# -- small helpers ------------------------------------------------------------------------------


def _hashable(value: Any) -> bool:
    return isinstance(value, (str, int)) and not isinstance(value, bool)
