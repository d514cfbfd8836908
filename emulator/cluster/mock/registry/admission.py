"""The admission plugins kube-apiserver enables by default that change or refuse what the mock
stores: NamespaceLifecycle, ServiceAccount, Priority and DefaultTolerationSeconds
(plugin/pkg/admission/ and apiserver's namespace/lifecycle), in kube's order. Every write reaches
them, whoever makes it: a client, a controller (a ReplicaSet's pods), or a scenario, as every
write in kube goes through the admission chain.

- NamespaceLifecycle, on a create in a namespace: none while the namespace is terminating (held
  by someone's finalizer). Its other checks are the store's: a missing namespace is a 404, and
  ``default``, ``kube-system`` and ``kube-public`` may not be deleted.

- ServiceAccount, on a pod's create: the account defaults to ``default`` and must exist; unless
  the pod or its account opts out, each container and init container mounts the account's token,
  CA and namespace at ``/var/run/secrets/kubernetes.io/serviceaccount`` from a projected
  ``kube-api-access-*`` volume; a pod without image pull secrets takes its account's; an account
  annotated ``kubernetes.io/enforce-mountable-secrets`` limits the secrets the pod may name.
- Priority: a new pod takes its PriorityClass's value and preemption policy (the global default
  class, or 0 and PreemptLowerPriority, when it names none); an update keeps them. A second
  global-default PriorityClass is refused.
- DefaultTolerationSeconds, on a pod's create and update: tolerations of the not-ready and
  unreachable taints for 300 s, unless the pod has its own.

Refusals are kube's 403s (``admission.NewForbidden``). The mock's store is read directly, where
kube reads its informers' caches: there is no lag, so an account created just before its pod is
always found.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from emulator import messages
from emulator.cluster.mock.registry.defaults import dict_at, each
from emulator.cluster.mock.registry.store import ObjectStore
from emulator.cluster.mock.wire.status import KubeError

DEFAULT_SERVICE_ACCOUNT = "default"
TOKEN_VOLUME_PREFIX = "kube-api-access-"
TOKEN_MOUNT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount"
# serviceaccount.WarnOnlyBoundTokenExpirationSeconds: an hour and seven seconds, by which kube
# tells its own token volumes' tokens from those a pod asked for.
TOKEN_EXPIRATION_SECONDS = 3607
ROOT_CA_CONFIG_MAP = "kube-root-ca.crt"
ENFORCE_MOUNTABLE_SECRETS = "kubernetes.io/enforce-mountable-secrets"
MIRROR_POD = "kubernetes.io/config.mirror"
# scheduling.DefaultPriorityWhenNoDefaultClassExists, and the policy that goes with it.
NO_CLASS_PRIORITY = 0
NO_CLASS_PREEMPTION = "PreemptLowerPriority"
# The two taints a pod tolerates for five minutes by default (--default-not-ready-toleration-
# seconds and --default-unreachable-toleration-seconds).
DEFAULT_TOLERATED_TAINTS = ("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable")
DEFAULT_TOLERATION_SECONDS = 300

_SERVICE_ACCOUNTS = ("", "serviceaccounts")
_PRIORITY_CLASSES = ("scheduling.k8s.io", "priorityclasses")
# strconv.ParseBool's spellings of true.
_GO_TRUE = ("1", "t", "T", "TRUE", "true", "True")

Obj = dict[str, Any]


def admit_namespaced_create(group_resource: str, obj: Obj, namespace: Obj) -> None:
    """NamespaceLifecycle: nothing new in a namespace that is being terminated."""
    if (namespace.get("status") or {}).get("phase") != "Terminating":
        return
    name = namespace["metadata"]["name"]
    refusal = _forbidden(group_resource, obj, messages.ADMISSION_NAMESPACE_TERMINATING.format(
        namespace=name))
    assert refusal.details is not None
    refusal.details["causes"] = [{
        "reason": "NamespaceTerminating", "field": "metadata.namespace",
        "message": messages.ADMISSION_NAMESPACE_TERMINATING_CAUSE.format(namespace=name)}]
    raise refusal


def admit_pod_create(pod: Obj, namespace: str, store: ObjectStore,
                     generate_name: Callable[[str], str]) -> None:
    """The mutating and validating plugins on a new pod (changes ``pod``). Raises the 403 of
    the first that refuses it."""
    spec = dict_at(pod, "spec")
    _service_account(pod, spec, namespace, store, generate_name)
    _priority(pod, spec, store)
    _default_tolerations(spec)


def admit_pod_update(pod: Obj, old: Obj) -> None:
    """The plugins on a pod's update (not its subresources): the priority the pod was admitted
    with is kept when the update leaves it out, and the default tolerations are added again."""
    spec, old_spec = dict_at(pod, "spec"), old.get("spec") or {}
    for field in ("priority", "preemptionPolicy"):
        if spec.get(field) is None and old_spec.get(field) is not None:
            spec[field] = old_spec[field]
    _default_tolerations(spec)


def validate_priority_class(priority_class: Obj, store: ObjectStore, *, creating: bool) -> None:
    """The Priority plugin's check of a PriorityClass write: at most one global default."""
    if priority_class.get("globalDefault") is not True:
        return
    current = _default_priority_class(store)
    name = priority_class["metadata"].get("name", "")
    if current is not None and (creating or current["metadata"]["name"] != name):
        raise _forbidden("priorityclasses.scheduling.k8s.io", priority_class,
                         messages.ADMISSION_SECOND_DEFAULT_PRIORITY_CLASS.format(
                             name=current["metadata"]["name"]))


# -- ServiceAccount ------------------------------------------------------------------------------

def _service_account(pod: Obj, spec: Obj, namespace: str, store: ObjectStore,
                     generate_name: Callable[[str], str]) -> None:
    # v1's deprecated serviceAccount is an alias the conversion reads when serviceAccountName is
    # empty; admission sees the converted pod.
    name = spec.get("serviceAccountName") or spec.get("serviceAccount") or ""
    if MIRROR_POD in (pod["metadata"].get("annotations") or {}):
        _validate_mirror_pod(pod, spec, name)  # the kubelet's own pods are never changed
        return
    name = name or DEFAULT_SERVICE_ACCOUNT
    spec["serviceAccountName"] = name
    # A name of another JSON type (a controller's pod from a template nothing type-checked)
    # names no account.
    account = store.get(_SERVICE_ACCOUNTS, namespace, name) if isinstance(name, str) else None
    if account is None:
        raise _forbidden("pods", pod, messages.ADMISSION_SERVICE_ACCOUNT_MISSING.format(
            namespace=namespace, name=name))
    if _automounts(account, spec):
        _mount_token(spec, generate_name)
    if not spec.get("imagePullSecrets") and account.get("imagePullSecrets"):
        spec["imagePullSecrets"] = [{"name": ref.get("name", "")}
                                    for ref in account["imagePullSecrets"]
                                    if isinstance(ref, dict)]
    annotations = account["metadata"].get("annotations") or {}
    if annotations.get(ENFORCE_MOUNTABLE_SECRETS) in _GO_TRUE:
        refusal = _unmountable_secret(spec, account)
        if refusal:
            raise _forbidden("pods", pod, refusal)


def _automounts(account: Obj, spec: Obj) -> bool:
    """The pod's choice, else its account's, else yes."""
    for owner in (spec, account):
        choice = owner.get("automountServiceAccountToken")
        if isinstance(choice, bool):
            return choice
    return True


def _mount_token(spec: Obj, generate_name: Callable[[str], str]) -> None:
    """Every container and init container that has nothing at the token path mounts the token
    volume there; the volume is added when one of them does, and an existing
    ``kube-api-access-*`` volume is used instead of a new one."""
    volumes = spec.get("volumes") if isinstance(spec.get("volumes"), list) else []
    existing = next((v["name"] for v in volumes if isinstance(v, dict)
                     and str(v.get("name", "")).startswith(TOKEN_VOLUME_PREFIX)), None)
    volume_name = existing or generate_name(TOKEN_VOLUME_PREFIX)
    mounted = False
    for key in ("initContainers", "containers"):
        for container in each(spec, key):
            mounts = container.get("volumeMounts") if isinstance(
                container.get("volumeMounts"), list) else []
            if any(isinstance(m, dict) and m.get("mountPath") == TOKEN_MOUNT_PATH
                   for m in mounts):
                continue
            container["volumeMounts"] = [*mounts, {"name": volume_name, "readOnly": True,
                                                   "mountPath": TOKEN_MOUNT_PATH}]
            mounted = True
    if mounted and existing is None:
        spec["volumes"] = [*volumes, {"name": volume_name, "projected": token_volume_source()}]


def token_volume_source() -> Obj:
    """The projected source of a ``kube-api-access-*`` volume (TokenVolumeSource)."""
    return {
        "sources": [
            {"serviceAccountToken": {"expirationSeconds": TOKEN_EXPIRATION_SECONDS,
                                     "path": "token"}},
            {"configMap": {"name": ROOT_CA_CONFIG_MAP,
                           "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
            {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {
                "apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}},
        ],
        "defaultMode": 0o644,  # set explicitly by kube too (kubernetes#104464)
    }


def _validate_mirror_pod(pod: Obj, spec: Obj, account: str) -> None:
    if account:
        raise _forbidden("pods", pod, messages.ADMISSION_MIRROR_POD_SERVICE_ACCOUNT)
    if _secret_names(spec):
        raise _forbidden("pods", pod, messages.ADMISSION_MIRROR_POD_SECRETS)
    for volume in each(spec, "volumes"):
        if any(isinstance(source, dict) and source.get("serviceAccountToken") is not None
               for source in each(volume.get("projected"), "sources")):
            raise _forbidden("pods", pod, messages.ADMISSION_MIRROR_POD_TOKEN)


def _secret_names(spec: Obj) -> bool:
    """Whether the pod names any secret (podutil.VisitPodSecretNames, all containers)."""
    if each(spec, "imagePullSecrets"):
        return True
    for key in ("initContainers", "containers", "ephemeralContainers"):
        for container in each(spec, key):
            if any(isinstance(source, dict) and source.get("secretRef") is not None
                   for source in each(container, "envFrom")):
                return True
            if any(isinstance(env.get("valueFrom"), dict)
                   and env["valueFrom"].get("secretKeyRef") is not None
                   for env in each(container, "env")):
                return True
    for volume in each(spec, "volumes"):
        if isinstance(volume.get("secret"), dict):
            return True
        if any(isinstance(source, dict) and source.get("secret") is not None
               for source in each(volume.get("projected"), "sources")):
            return True
        for plugin in ("azureFile", "cephfs", "cinder", "flexVolume", "rbd", "scaleIO",
                       "iscsi", "storageos", "csi"):
            source = volume.get(plugin)
            if isinstance(source, dict) and (source.get("secretRef") is not None
                                             or source.get("secretName") is not None
                                             or source.get("nodePublishSecretRef") is not None):
                return True
    return False


def _unmountable_secret(spec: Obj, account: Obj) -> str | None:
    """limitSecretReferences: the first secret the pod names that its account does not."""
    name = account["metadata"].get("name", "")
    mountable = {ref.get("name") for ref in each(account, "secrets")}
    for volume in each(spec, "volumes"):
        secret = volume.get("secret")
        if isinstance(secret, dict) and secret.get("secretName", "") not in mountable:
            return messages.ADMISSION_SECRET_VOLUME_NOT_MOUNTABLE.format(
                secret=secret.get("secretName", ""), account=name)
    for key, kind in (("initContainers", "init container"), ("containers", "container")):
        for container in each(spec, key):
            for env in each(container, "env"):
                ref = (env.get("valueFrom") or {}).get("secretKeyRef") if isinstance(
                    env.get("valueFrom"), dict) else None
                if isinstance(ref, dict) and ref.get("name", "") not in mountable:
                    return messages.ADMISSION_SECRET_ENV_NOT_MOUNTABLE.format(
                        container_kind=kind, container=container.get("name", ""),
                        env=env.get("name", ""), secret=ref.get("name", ""), account=name)
    pullable = {ref.get("name") for ref in each(account, "imagePullSecrets")}
    for index, ref in enumerate(each(spec, "imagePullSecrets")):
        if ref.get("name", "") not in pullable:
            return messages.ADMISSION_PULL_SECRET_NOT_MOUNTABLE.format(
                index=index, secret=ref.get("name", ""), account=name)
    return None


# -- Priority --------------------------------------------------------------------------------------

def _priority(pod: Obj, spec: Obj, store: ObjectStore) -> None:
    class_name = spec.get("priorityClassName") or ""
    if not class_name:
        chosen = _default_priority_class(store)
        if chosen is not None:
            spec["priorityClassName"] = chosen["metadata"]["name"]
    else:
        chosen = (store.get(_PRIORITY_CLASSES, "", class_name) if isinstance(class_name, str)
                  else None)
        if chosen is None:
            raise _forbidden("pods", pod, messages.ADMISSION_PRIORITY_CLASS_MISSING.format(
                name=class_name))
    priority = NO_CLASS_PRIORITY if chosen is None else chosen.get("value", 0)
    policy = NO_CLASS_PREEMPTION if chosen is None else chosen.get("preemptionPolicy")
    given = spec.get("priority")
    if given is not None and given != priority:
        raise _forbidden("pods", pod, messages.ADMISSION_PRIORITY_GIVEN.format(
            given=given, computed=priority))
    spec["priority"] = priority
    if policy is not None:
        given_policy = spec.get("preemptionPolicy")
        if given_policy is not None and given_policy != policy:
            raise _forbidden("pods", pod, messages.ADMISSION_PREEMPTION_GIVEN.format(
                given=given_policy, computed=policy))
        spec["preemptionPolicy"] = policy


def _default_priority_class(store: ObjectStore) -> Obj | None:
    """The global default class; of several (a race in kube), the one of least value."""
    # Every pod's create asks: only the classes whose JSON says so are decoded.
    defaults = store.select(_PRIORITY_CLASSES, lambda c: c.get("globalDefault") is True,
                            containing=[b'"globalDefault":true'])
    return min(defaults, key=lambda c: c.get("value", 0), default=None)


# -- DefaultTolerationSeconds ------------------------------------------------------------------------

def _default_tolerations(spec: Obj) -> None:
    given = spec.get("tolerations")
    if given is not None and not isinstance(given, list):
        return  # not a list: validation's to refuse, nothing to add to
    tolerations = each(spec, "tolerations")
    added = []
    for taint in DEFAULT_TOLERATED_TAINTS:
        # A toleration with no key (every taint) or no effect (every effect) covers it too.
        if not any((t.get("key") or "") in (taint, "")
                   and (t.get("effect") or "") in ("NoExecute", "") for t in tolerations):
            added.append({"key": taint, "operator": "Exists", "effect": "NoExecute",
                          "tolerationSeconds": DEFAULT_TOLERATION_SECONDS})
    if added:
        spec["tolerations"] = [*(given or []), *added]


# -- plumbing ------------------------------------------------------------------------------------

def _forbidden(resource: str, obj: Obj, detail: str) -> KubeError:
    meta = obj.get("metadata") or {}
    # Before the storage makes a name, kube names the object by its generateName.
    name = meta.get("name") or meta.get("generateName") or "Unknown"
    plural, _, group = resource.partition(".")
    details = {"name": name, "group": group, "kind": plural} if group else {"name": name,
                                                                            "kind": plural}
    return KubeError(403, messages.K8S_ADMISSION_FORBIDDEN.format(
        resource=resource, name=name, detail=detail), reason="Forbidden", details=details)
