"""kube-apiserver's defaulting: the fields a real cluster fills in on every write.

Each kind's function says where kube keeps the rule: ``pkg/apis/<group>/<version>/defaults.go``
(plus the generated ``zz_generated.defaults.go`` that applies the shared ones, such as the pod
spec's, to every embedded pod template), and for a few fields the kind's REST strategy or
allocator, which clients see the same way. Rules that came or changed with a minor take it from
``minor``; feature gates are taken at their default for that minor.

Everything here is pure and idempotent: ``apply`` may run on every create and update. What needs
the cluster's state (cluster IPs, node ports, the pod's node and status) stays with the mock
apiserver's own hooks, which run after it.
"""

from __future__ import annotations

from typing import Any

from emulator.cluster.mock.registry.resources import ResourceType
from emulator.cluster.mock.registry.serviceallocation import externally_accessible

Obj = dict[str, Any]

# Secret, ConfigMap, downward API and projected volumes: 0644.
_DEFAULT_MODE = 0o644


def apply(resource: ResourceType, obj: Obj, minor: int) -> None:
    """Fill in what kube-apiserver 1.``minor`` would for a ``resource`` object (in place)."""
    default = resource.behaviour.defaults
    if default is not None and isinstance(obj, dict):
        default(obj, minor, resource.version)


# --- helpers --------------------------------------------------------------------------------------


def _unset(obj: Obj, key: str) -> bool:
    """Go's zero test for a defaulted field: missing, null or an empty string (0 and false are
    values a client may set on purpose)."""
    return obj.get(key) is None or obj.get(key) == ""


def _default(obj: Obj, key: str, value: Any) -> None:
    if _unset(obj, key):
        obj[key] = value


def dict_at(obj: Obj, key: str) -> Obj:
    """obj[key] as a dict, created when missing or null; a non-dict is left alone (and a throwaway
    dict returned), since only validation may refuse it."""
    if obj.get(key) is None:
        obj[key] = {}
    value = obj[key]
    return value if isinstance(value, dict) else {}


def each(obj: Any, key: str) -> list[Obj]:
    """The dicts of a list field (anything else in it is validation's to refuse)."""
    value = obj.get(key) if isinstance(obj, dict) else None
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _spec(obj: Obj) -> Obj:
    return dict_at(obj, "spec")


def _template_spec(owner: Obj) -> None:
    """The pod spec defaults of a pod template (``spec.template``), when there is one."""
    template = owner.get("template")
    if isinstance(template, dict):
        pod_spec(dict_at(template, "spec"))


# --- pods (pkg/apis/core/v1/defaults.go, zz_generated.defaults.go) -------------------------------


def image_tag(image: str) -> str:
    """The tag kube reads from an image reference: "latest" when it names neither a tag nor a
    digest, "" for a digest alone."""
    name, _, digest = image.partition("@")
    last = name.rsplit("/", 1)[-1]
    if ":" in last:
        return last.rsplit(":", 1)[1]
    return "" if digest else "latest"


def _probe(probe: Any) -> None:
    if not isinstance(probe, dict):
        return
    for key, value in (("timeoutSeconds", 1), ("periodSeconds", 10), ("successThreshold", 1),
                       ("failureThreshold", 3)):
        if not probe.get(key):  # kube defaults a zero here too
            probe[key] = value
    _http_get(probe.get("httpGet"))
    grpc = probe.get("grpc")
    if isinstance(grpc, dict) and grpc.get("service") is None:
        grpc["service"] = ""


def _http_get(action: Any) -> None:
    if isinstance(action, dict):
        _default(action, "path", "/")
        _default(action, "scheme", "HTTP")


def _field_ref(ref: Any) -> None:
    if isinstance(ref, dict):
        _default(ref, "apiVersion", "v1")


def container(spec: Obj) -> None:
    """SetDefaults_Container plus what the generated code applies inside a container."""
    if _unset(spec, "imagePullPolicy"):
        tag = image_tag(str(spec.get("image") or ""))
        spec["imagePullPolicy"] = "Always" if tag == "latest" else "IfNotPresent"
    _default(spec, "terminationMessagePath", "/dev/termination-log")
    _default(spec, "terminationMessagePolicy", "File")
    if spec.get("resources") is None:
        spec["resources"] = {}  # how kube always writes it back, empty or not
    for port in each(spec, "ports"):
        _default(port, "protocol", "TCP")
    for env in each(spec, "env"):
        value_from = env.get("valueFrom")
        if isinstance(value_from, dict):
            _field_ref(value_from.get("fieldRef"))
    for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
        _probe(spec.get(probe))
    lifecycle = spec.get("lifecycle")
    if isinstance(lifecycle, dict):
        for hook in ("postStart", "preStop"):
            if isinstance(lifecycle.get(hook), dict):
                _http_get(lifecycle[hook].get("httpGet"))


def _volume(volume: Obj) -> None:
    if not any(value is not None for key, value in volume.items() if key != "name"):
        volume["emptyDir"] = {}  # a volume that names no source is an emptyDir
    for source in ("secret", "configMap", "downwardAPI", "projected"):
        if isinstance(volume.get(source), dict):
            _default(volume[source], "defaultMode", _DEFAULT_MODE)
    if isinstance(volume.get("hostPath"), dict) and volume["hostPath"].get("type") is None:
        volume["hostPath"]["type"] = ""
    for item in each(volume.get("downwardAPI"), "items"):
        _field_ref(item.get("fieldRef"))
    for source in each(volume.get("projected"), "sources"):
        for item in each(source.get("downwardAPI"), "items"):
            _field_ref(item.get("fieldRef"))
        token = source.get("serviceAccountToken")
        if isinstance(token, dict):
            _default(token, "expirationSeconds", 3600)
    ephemeral = volume.get("ephemeral")
    if isinstance(ephemeral, dict) and isinstance(ephemeral.get("volumeClaimTemplate"), dict):
        claim_spec(dict_at(ephemeral["volumeClaimTemplate"], "spec"))


def pod_spec(spec: Obj) -> None:
    """kube's defaults for a PodSpec, wherever one appears (pods and every pod template):
    SetDefaults_PodSpec, and the container, volume and probe defaults inside it."""
    _default(spec, "dnsPolicy", "ClusterFirst")
    _default(spec, "restartPolicy", "Always")
    if spec.get("securityContext") is None:
        spec["securityContext"] = {}
    if spec.get("terminationGracePeriodSeconds") is None:
        spec["terminationGracePeriodSeconds"] = 30
    _default(spec, "schedulerName", "default-scheduler")
    # v1's deprecated serviceAccount is an alias of serviceAccountName, read when the name is
    # empty and always written back (Convert_v1_PodSpec_To_core_PodSpec and its reverse).
    account = spec.get("serviceAccountName") or spec.get("serviceAccount")
    if account:
        spec["serviceAccountName"] = spec["serviceAccount"] = account
    else:
        spec.pop("serviceAccount", None)
    for key in ("initContainers", "containers", "ephemeralContainers"):
        for one in each(spec, key):
            container(one)
    for volume in each(spec, "volumes"):
        _volume(volume)


def pod(pod: Obj, minor: int, version: str) -> None:
    """SetDefaults_Pod: what a Pod gets and a pod template does not."""
    spec = _spec(pod)
    pod_spec(spec)
    for key in ("containers", "initContainers"):
        for one in each(spec, key):
            resources = dict_at(one, "resources")
            limits = resources.get("limits")
            if isinstance(limits, dict) and limits:
                requests = dict_at(resources, "requests")
                for name, value in limits.items():
                    requests.setdefault(name, value)  # requests default to the limits
    if minor >= 33:  # InPlacePodVerticalScaling is on by default from 1.33
        for one in each(spec, "containers"):
            _resize_policy(one)
    if spec.get("enableServiceLinks") is None:
        spec["enableServiceLinks"] = True
    if spec.get("hostNetwork"):
        for key in ("containers", "initContainers"):
            for one in each(spec, key):
                for port in each(one, "ports"):
                    if not port.get("hostPort"):
                        port["hostPort"] = port.get("containerPort")


def _resize_policy(spec: Obj) -> None:
    resources = spec.get("resources")  # not an object: refused by checks.py for a pod
    requests = resources.get("requests") if isinstance(resources, dict) else None
    if not isinstance(requests, dict):
        return
    policies = spec.get("resizePolicy") if isinstance(spec.get("resizePolicy"), list) else []
    named = {p.get("resourceName") for p in policies if isinstance(p, dict)}
    for resource in ("cpu", "memory"):
        if resource in requests and resource not in named:
            policies.append({"resourceName": resource, "restartPolicy": "NotRequired"})
    if policies:
        spec["resizePolicy"] = policies


def pod_template(template: Obj, minor: int, version: str) -> None:
    """core/v1 zz_generated.defaults.go SetObjectDefaults_PodTemplate: the pod spec's defaults."""
    _template_spec(template)


# --- core: the rest (pkg/apis/core/v1/defaults.go) -----------------------------------------------


def replication_controller(controller: Obj, minor: int, version: str) -> None:
    """core/v1 defaults.go SetDefaults_ReplicationController."""
    spec = _spec(controller)
    template = spec.get("template")
    labels = (template.get("metadata") or {}).get("labels") if isinstance(template, dict) \
        else None
    if isinstance(labels, dict):  # selector and labels default to the template's labels
        if not spec.get("selector"):
            spec["selector"] = dict(labels)
        meta = dict_at(controller, "metadata")
        if not meta.get("labels"):
            meta["labels"] = dict(labels)
    _default(spec, "replicas", 1)
    _template_spec(spec)


def service(service: Obj, minor: int, version: str) -> None:
    """SetDefaults_Service. The IP family fields, cluster IPs and node ports are the service
    allocator's (serviceallocation.py), which knows the object an update replaces."""
    spec = _spec(service)
    _default(spec, "sessionAffinity", "None")
    if spec["sessionAffinity"] == "None":
        spec.pop("sessionAffinityConfig", None)
    elif spec["sessionAffinity"] == "ClientIP":
        config = spec.get("sessionAffinityConfig")
        client_ip = config.get("clientIP") if isinstance(config, dict) else None
        if not isinstance(client_ip, dict) or client_ip.get("timeoutSeconds") is None:
            spec["sessionAffinityConfig"] = {"clientIP": {"timeoutSeconds": 10800}}
    _default(spec, "type", "ClusterIP")
    service_type = spec["type"]
    for port in each(spec, "ports"):
        _default(port, "protocol", "TCP")
        if port.get("targetPort") in (None, 0, ""):
            port["targetPort"] = port.get("port")
    if externally_accessible(spec, minor):
        _default(spec, "externalTrafficPolicy", "Cluster")
    if service_type in ("ClusterIP", "NodePort", "LoadBalancer"):
        _default(spec, "internalTrafficPolicy", "Cluster")
    if service_type == "LoadBalancer":
        if spec.get("allocateLoadBalancerNodePorts") is None:
            spec["allocateLoadBalancerNodePorts"] = True
        if minor >= 30:  # LoadBalancerIPMode: beta, on by default, from 1.30
            status = service.get("status")
            for ingress in each((status or {}).get("loadBalancer") if isinstance(status, dict)
                                 else None, "ingress"):
                if ingress.get("ip") and ingress.get("ipMode") is None:
                    ingress["ipMode"] = "VIP"


def endpoints(endpoints: Obj, minor: int, version: str) -> None:
    """core/v1 defaults.go SetDefaults_Endpoints."""
    for subset in each(endpoints, "subsets"):
        for port in each(subset, "ports"):
            _default(port, "protocol", "TCP")


def claim_spec(spec: Obj) -> None:
    """SetDefaults_PersistentVolumeClaimSpec."""
    _default(spec, "volumeMode", "Filesystem")


def persistent_volume_claim(claim: Obj, minor: int, version: str) -> None:
    """core/v1 defaults.go SetDefaults_PersistentVolumeClaim (and its spec's)."""
    claim_spec(_spec(claim))
    _default(dict_at(claim, "status"), "phase", "Pending")


def persistent_volume(volume: Obj, minor: int, version: str) -> None:
    """core/v1 defaults.go SetDefaults_PersistentVolume."""
    spec = _spec(volume)
    _default(spec, "persistentVolumeReclaimPolicy", "Retain")
    _default(spec, "volumeMode", "Filesystem")
    _default(dict_at(volume, "status"), "phase", "Pending")


def limit_range(limit_range: Obj, minor: int, version: str) -> None:
    """SetDefaults_LimitRangeItem: a container's default limit falls back to its max, its default
    request to its default limit, then to its min."""
    for item in each(_spec(limit_range), "limits"):
        if item.get("type") != "Container":
            continue
        default = dict(item.get("default") or {})
        request = dict(item.get("defaultRequest") or {})
        for name, value in (item.get("max") or {}).items():
            default.setdefault(name, value)
        for name, value in default.items():
            request.setdefault(name, value)
        for name, value in (item.get("min") or {}).items():
            request.setdefault(name, value)
        for key, value in (("default", default), ("defaultRequest", request)):
            if value or key in item:  # kube writes back no empty map it made itself
                item[key] = value


def namespace(namespace: Obj, minor: int, version: str) -> None:
    """SetDefaults_Namespace and SetDefaults_NamespaceStatus."""
    meta = dict_at(namespace, "metadata")
    if meta.get("name"):
        dict_at(meta, "labels")["kubernetes.io/metadata.name"] = meta["name"]
    _default(dict_at(namespace, "status"), "phase", "Active")


def secret(secret: Obj, minor: int, version: str) -> None:
    """core/v1 defaults.go SetDefaults_Secret."""
    _default(secret, "type", "Opaque")


# --- apps (pkg/apis/apps/v1/defaults.go) ---------------------------------------------------------


def deployment(deployment: Obj, minor: int, version: str) -> None:
    """apps/v1 defaults.go SetDefaults_Deployment, plus the template's pod spec defaults."""
    spec = _spec(deployment)
    _default(spec, "replicas", 1)
    strategy = dict_at(spec, "strategy")
    _default(strategy, "type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        rolling = dict_at(strategy, "rollingUpdate")
        _default(rolling, "maxUnavailable", "25%")
        _default(rolling, "maxSurge", "25%")
    _default(spec, "revisionHistoryLimit", 10)
    _default(spec, "progressDeadlineSeconds", 600)
    _template_spec(spec)


def replica_set(replica_set: Obj, minor: int, version: str) -> None:
    """apps/v1 defaults.go SetDefaults_ReplicaSet."""
    spec = _spec(replica_set)
    _default(spec, "replicas", 1)
    _template_spec(spec)


def daemon_set(daemon_set: Obj, minor: int, version: str) -> None:
    """apps/v1 defaults.go SetDefaults_DaemonSet."""
    spec = _spec(daemon_set)
    strategy = dict_at(spec, "updateStrategy")
    _default(strategy, "type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        rolling = dict_at(strategy, "rollingUpdate")
        _default(rolling, "maxUnavailable", 1)
        _default(rolling, "maxSurge", 0)
    _default(spec, "revisionHistoryLimit", 10)
    _template_spec(spec)


def stateful_set(stateful_set: Obj, minor: int, version: str) -> None:
    """apps/v1 defaults.go SetDefaults_StatefulSet; its claim templates get a claim's defaults
    (zz_generated.defaults.go), and kube writes them back with apiVersion and kind."""
    spec = _spec(stateful_set)
    _default(spec, "podManagementPolicy", "OrderedReady")
    strategy = dict_at(spec, "updateStrategy")
    if _unset(strategy, "type"):
        strategy["type"] = "RollingUpdate"
        dict_at(strategy, "rollingUpdate")
    rolling = strategy.get("rollingUpdate")
    if strategy["type"] == "RollingUpdate" and isinstance(rolling, dict):
        _default(rolling, "partition", 0)
        # MaxUnavailableStatefulSet stays off by default: 1.35.0 turned it on and 1.35.4 off again.
    # StatefulSetAutoDeletePVC is on by default from 1.27 (beta), GA in 1.32.
    retention = dict_at(spec, "persistentVolumeClaimRetentionPolicy")
    _default(retention, "whenDeleted", "Retain")
    _default(retention, "whenScaled", "Retain")
    _default(spec, "replicas", 1)
    _default(spec, "revisionHistoryLimit", 10)
    _template_spec(spec)
    for claim in each(spec, "volumeClaimTemplates"):
        # Written back as whole PersistentVolumeClaims, with their own defaults.
        _default(claim, "apiVersion", "v1")
        _default(claim, "kind", "PersistentVolumeClaim")
        persistent_volume_claim(claim, minor, "v1")


def drop_disabled_stateful_set_fields(stateful_set: Obj, old: Obj | None) -> None:
    """The StatefulSet strategy's dropDisabledFields: MaxUnavailableStatefulSet is off in every
    minor served, so a rolling update's ``maxUnavailable`` is dropped, unchecked, unless the
    object an update replaces already had one."""
    def rolling(obj: Obj | None) -> Any:
        value: Any = obj
        for name in ("spec", "updateStrategy", "rollingUpdate"):
            value = value.get(name) if isinstance(value, dict) else None
        return value

    if isinstance(rolling(old), dict) and rolling(old).get("maxUnavailable") is not None:
        return
    new = rolling(stateful_set)
    if isinstance(new, dict):
        new.pop("maxUnavailable", None)


# --- batch (pkg/apis/batch/v1/defaults.go, pkg/registry/batch/job/strategy.go) --------------------

JOB_NAME_LABELS = ("job-name", "batch.kubernetes.io/job-name")
CONTROLLER_UID_LABELS = ("controller-uid", "batch.kubernetes.io/controller-uid")


def job(job: Obj, minor: int, version: str) -> None:
    """batch/v1 defaults.go SetDefaults_Job, then the job strategy's generated selector
    (PrepareForCreate: generateSelectorIfNeeded)."""
    spec = _spec(job)
    if spec.get("completions") is None and spec.get("parallelism") is None:
        spec["completions"] = 1
        spec["parallelism"] = 1
    _default(spec, "parallelism", 1)
    if spec.get("backoffLimit") is None:
        # With a per-index limit (1.28+), the job-wide one is effectively unlimited.
        per_index = minor >= 28 and spec.get("backoffLimitPerIndex") is not None
        spec["backoffLimit"] = 2147483647 if per_index else 6
    _job_labels_from_template(job)
    _default(spec, "completionMode", "NonIndexed")
    if spec.get("suspend") is None:
        spec["suspend"] = False
    policy = spec.get("podFailurePolicy")
    for rule in each(policy, "rules"):
        for pattern in each(rule, "onPodConditions"):
            _default(pattern, "status", "True")
    if minor >= 29 and spec.get("podReplacementPolicy") is None:  # JobPodReplacementPolicy beta
        spec["podReplacementPolicy"] = "Failed" if isinstance(policy, dict) \
            else "TerminatingOrFailed"
    if minor >= 28 and spec.get("manualSelector") is None:
        spec["manualSelector"] = False
    if not spec.get("manualSelector"):
        _generate_selector(job, spec)
        # kube defaults again whenever it reads the job back, so a job that had no labels of its
        # own shows its pods' labels, generated ones included.
        _job_labels_from_template(job)
    _template_spec(spec)


def _job_labels_from_template(job: Obj) -> None:
    template = _spec(job).get("template")
    labels = (template.get("metadata") or {}).get("labels") if isinstance(template, dict) \
        else None
    meta = dict_at(job, "metadata")
    if isinstance(labels, dict) and labels and not meta.get("labels"):
        meta["labels"] = dict(labels)


def _generate_selector(job: Obj, spec: Obj) -> None:
    """The job strategy's generated selector: the job's pods carry its name and uid in labels
    (both the legacy and the batch.kubernetes.io/ spelling), and the selector picks the uid."""
    meta = dict_at(job, "metadata")
    template = dict_at(spec, "template")
    labels = dict_at(dict_at(template, "metadata"), "labels")
    for key in JOB_NAME_LABELS:
        labels.setdefault(key, str(meta.get("name", "")))
    for key in CONTROLLER_UID_LABELS:
        labels.setdefault(key, str(meta.get("uid", "")))
    match = dict_at(dict_at(spec, "selector"), "matchLabels")
    match.setdefault(CONTROLLER_UID_LABELS[1], str(meta.get("uid", "")))


def cron_job(cron_job: Obj, minor: int, version: str) -> None:
    """batch/v1 defaults.go SetDefaults_CronJob."""
    spec = _spec(cron_job)
    _default(spec, "concurrencyPolicy", "Allow")
    if spec.get("suspend") is None:
        spec["suspend"] = False
    _default(spec, "successfulJobsHistoryLimit", 3)
    _default(spec, "failedJobsHistoryLimit", 1)
    # The job template gets the pod template's defaults, not a Job's.
    job_template = spec.get("jobTemplate")
    if isinstance(job_template, dict):
        job_spec = dict_at(job_template, "spec")
        for rule in each(job_spec.get("podFailurePolicy"), "rules"):
            for pattern in each(rule, "onPodConditions"):
                _default(pattern, "status", "True")
        _template_spec(job_spec)


# --- autoscaling (pkg/apis/autoscaling/v1 and v2/defaults.go) ------------------------------------

# What autoscaling/v2 fills into a behavior's missing parts (the HPA's long-standing rules).
SCALE_UP = {"stabilizationWindowSeconds": 0, "selectPolicy": "Max", "policies": [
    {"type": "Pods", "value": 4, "periodSeconds": 15},
    {"type": "Percent", "value": 100, "periodSeconds": 15}]}
SCALE_DOWN = {"selectPolicy": "Max", "policies": [
    {"type": "Percent", "value": 100, "periodSeconds": 15}]}


def horizontal_pod_autoscaler(hpa: Obj, minor: int, version: str) -> None:
    """autoscaling/v2 defaults.go SetDefaults_HorizontalPodAutoscaler (and ...Behavior);
    autoscaling/v1 defaults.go defaults only minReplicas."""
    spec = _spec(hpa)
    _default(spec, "minReplicas", 1)
    if version == "v1":
        return  # v1 defaults nothing else
    if not spec.get("metrics"):
        spec["metrics"] = [{"type": "Resource", "resource": {"name": "cpu", "target": {
            "type": "Utilization", "averageUtilization": 80}}}]
    behavior = spec.get("behavior")
    if isinstance(behavior, dict):
        behavior["scaleUp"] = _scaling_rules(behavior.get("scaleUp"), SCALE_UP)
        behavior["scaleDown"] = _scaling_rules(behavior.get("scaleDown"), SCALE_DOWN)


def _scaling_rules(given: Any, defaults: Obj) -> Obj:
    rules = {key: (list(value) if isinstance(value, list) else value)
             for key, value in defaults.items()}
    if isinstance(given, dict):
        rules.update({key: value for key, value in given.items() if value is not None})
    return rules


# --- networking, scheduling, storage, RBAC --------------------------------------------------------


def network_policy(policy: Obj, minor: int, version: str) -> None:
    """pkg/apis/networking/v1/defaults.go: ports are TCP, and a policy without policyTypes is an
    Ingress policy, plus Egress when it has egress rules."""
    spec = _spec(policy)
    for direction in ("ingress", "egress"):
        for rule in each(spec, direction):
            for port in each(rule, "ports"):
                _default(port, "protocol", "TCP")
    if not spec.get("policyTypes"):
        spec["policyTypes"] = ["Ingress"] + (["Egress"] if spec.get("egress") else [])


def ingress_class(ingress_class: Obj, minor: int, version: str) -> None:
    """networking/v1 defaults.go SetDefaults_IngressClass. (Ingresses default nothing: a path's
    pathType is required.)"""
    parameters = _spec(ingress_class).get("parameters")
    if isinstance(parameters, dict):
        _default(parameters, "scope", "Cluster")


def endpoint_slice(endpoint_slice: Obj, minor: int, version: str) -> None:
    """pkg/apis/discovery/v1/defaults.go."""
    for port in each(endpoint_slice, "ports"):
        if port.get("name") is None:
            port["name"] = ""
        _default(port, "protocol", "TCP")


def priority_class(priority_class: Obj, minor: int, version: str) -> None:
    """pkg/apis/scheduling/v1/defaults.go."""
    _default(priority_class, "preemptionPolicy", "PreemptLowerPriority")


def custom_resource_definition(crd: Obj, minor: int, version: str) -> None:
    """k8s.io/apiextensions-apiserver pkg/apis/apiextensions/v1/defaults.go: names, the None
    conversion, the first storedVersion, webhook service ports."""
    spec = dict_at(crd, "spec")
    names = dict_at(spec, "names")
    kind = names.get("kind")
    if _unset(names, "singular") and isinstance(kind, str):
        names["singular"] = kind.lower()
    if _unset(names, "listKind") and isinstance(kind, str) and kind:
        names["listKind"] = f"{kind}List"
    if spec.get("conversion") is None:
        spec["conversion"] = {"strategy": "None"}
    service = ((spec.get("conversion") or {}).get("webhook") or {}).get("clientConfig", {})
    if isinstance(service, dict) and isinstance(service.get("service"), dict):
        service["service"].setdefault("port", 443)
    status = crd.get("status")
    if isinstance(status, dict) and not status.get("storedVersions"):
        storage = next((v.get("name") for v in spec.get("versions") or []
                        if isinstance(v, dict) and v.get("storage")), None)
        if storage:
            status["storedVersions"] = [storage]


def storage_class(storage_class: Obj, minor: int, version: str) -> None:
    """pkg/apis/storage/v1/defaults.go."""
    _default(storage_class, "reclaimPolicy", "Delete")
    _default(storage_class, "volumeBindingMode", "Immediate")


def csi_driver(driver: Obj, minor: int, version: str) -> None:
    """pkg/apis/storage/v1/defaults.go."""
    spec = _spec(driver)
    for key, value in (("attachRequired", True), ("podInfoOnMount", False),
                       ("storageCapacity", False), ("requiresRepublish", False)):
        if spec.get(key) is None:
            spec[key] = value
    _default(spec, "fsGroupPolicy", "ReadWriteOnceWithFSType")
    if not spec.get("volumeLifecycleModes"):
        spec["volumeLifecycleModes"] = ["Persistent"]
    if minor >= 28 and spec.get("seLinuxMount") is None:  # SELinuxMountReadWriteOncePod: beta
        spec["seLinuxMount"] = False


_RBAC = "rbac.authorization.k8s.io"


def role_binding(binding: Obj, minor: int, version: str) -> None:
    """pkg/apis/rbac/v1/defaults.go: the role's group, and each subject's by its kind."""
    role_ref = binding.get("roleRef")
    if isinstance(role_ref, dict):
        _default(role_ref, "apiGroup", _RBAC)
    for subject in each(binding, "subjects"):
        if subject.get("kind") in ("User", "Group"):  # a service account's group is the core ""
            _default(subject, "apiGroup", _RBAC)
