"""kube's checks of a container's environment, probes and lifecycle hooks (pkg/apis/core/validation
``ValidateEnv``, ``ValidateEnvFrom``, ``validateProbe`` and ``validateLifecycle``), in kube's
order and words for each minor 1.27-1.35; podspecchecks.py calls them where kube does.

- env: a name (strict rules before 1.32; from 1.32, when RelaxedEnvironmentVariableValidation is
  on, any printable ASCII but ``=``), and a ``valueFrom`` with exactly one source and no
  ``value``: a downward API field a container may read (``status.hostIPs`` from 1.28, refused
  by 1.28's off PodHostIPs gate), a resource with a divisor kube takes, a ConfigMap's or
  Secret's key;
- envFrom: a prefix that is a variable name, one source with a name;
- probes: one handler (exec with a command, httpGet with a port and scheme and header names,
  tcpSocket or grpc with a port), no negative count, a positive grace period; liveness and
  startup probes succeed once; a readiness probe has no grace period;
- lifecycle hooks: one handler each, a ``sleep`` (1.30+; 1.29's gate drops it) within the pod's
  grace period; init containers may have none of these unless they are sidecars
  (``restartPolicy: Always``, from 1.29).

Not checked: a label or annotation key a ``fieldRef`` subscripts, a ``fileKeyRef``'s contents
(1.35), ``stopSignal`` (its gate is off).
"""

from __future__ import annotations

import decimal
import re
from typing import Any

from emulator import messages
from emulator.cluster.mock.registry import fielderrors as fe
from emulator.cluster.mock.registry import namechecks
from emulator.cluster.mock.registry.fielderrors import FieldError
from emulator.cluster.mock.registry.jsonread import as_dict, is_int, list_in
from emulator.cluster.mock.registry.quantities import canonical_quantity, parse_quantity

Obj = dict[str, Any]

_ENV_NAME = re.compile(r"[-._a-zA-Z][-._a-zA-Z0-9]*")
_CONFIG_KEY = re.compile(r"[-._a-zA-Z0-9]+")
_HEADER_NAME = re.compile(r"[-A-Za-z0-9]+")
CONFIG_KEY_MAX = 253
FIRST_RELAXED_ENV = 32  # RelaxedEnvironmentVariableValidation: beta, on, from 1.32
# ConvertDownwardAPIFieldLabel's labels (and status.hostIPs from 1.28), and those an env var may
# read (validEnvDownwardAPIFieldPathExpressions), sorted as kube lists them.
_FIELD_LABELS = ("metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace",
                 "metadata.uid", "spec.nodeName", "spec.restartPolicy", "spec.schedulerName",
                 "spec.serviceAccountName", "status.hostIP", "status.phase", "status.podIP",
                 "status.podIPs")
_ENV_FIELDS = ("metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName",
               "spec.serviceAccountName", "status.hostIP", "status.podIP", "status.podIPs")
_RESOURCES = ("limits.cpu", "limits.ephemeral-storage", "limits.memory", "requests.cpu",
              "requests.ephemeral-storage", "requests.memory")
_HUGE_PAGES = ("requests.hugepages-", "limits.hugepages-")
_SIZES = "1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei"
_DIVISORS = {"cpu": ("1m and 1", {"1m", "1"}),
             "memory": (_SIZES, set(_SIZES.split(", "))),
             "local ephemeral storage": (_SIZES, set(_SIZES.split(", "))),
             "hugepages": (_SIZES, set(_SIZES.split(", ")))}
HTTP_SCHEMES = ("HTTP", "HTTPS")
DEFAULT_GRACE_SECONDS = 30


# -- env and envFrom -----------------------------------------------------------------------------


def env(variables: list[Any], path: str, minor: int) -> list[FieldError]:
    """ValidateEnv: each variable's name, then its valueFrom."""
    errors: list[FieldError] = []
    for i, variable in enumerate(variables):
        variable, at = as_dict(variable), f"{path}[{i}]"
        name = variable.get("name")
        if not name:
            errors.append(fe.required(f"{at}.name"))
        elif isinstance(name, str):
            errors += [fe.invalid_value(f"{at}.name", name, text, minor)
                       for text in env_name(name, minor)]
        if variable.get("valueFrom") is not None:
            errors += _value_from(as_dict(variable["valueFrom"]), bool(variable.get("value")),
                                  f"{at}.valueFrom", minor)
    return errors


def env_from(sources: list[Any], path: str, minor: int) -> list[FieldError]:
    """ValidateEnvFrom: a prefix that is a variable name, one named source; the count errors are
    the list's own (kube's path has no index)."""
    errors: list[FieldError] = []
    for i, source in enumerate(sources):
        source, at = as_dict(source), f"{path}[{i}]"
        prefix = source.get("prefix")
        if isinstance(prefix, str) and prefix:
            errors += [fe.invalid_value(f"{at}.prefix", prefix, text, minor)
                       for text in env_name(prefix, minor)]
        count = 0
        for field in ("configMapRef", "secretRef"):
            if source.get(field) is not None:
                count += 1
                name = as_dict(source[field]).get("name")
                if not name:
                    errors.append(fe.required(f"{at}.{field}.name"))
                elif isinstance(name, str):
                    errors += [fe.invalid_value(f"{at}.{field}.name", name, text, minor)
                               for text in namechecks.dns1123_subdomain(_mask_trailing_dash(name))]
        if count != 1:
            errors.append(fe.invalid_value(path, "", messages.K8S_ENV_FROM_SOURCES if not count
                                           else messages.K8S_ONE_FIELD_AT_A_TIME, minor))
    return errors


def env_name(name: str, minor: int) -> list[str]:
    """IsEnvVarName, or from 1.32 IsRelaxedEnvVarName."""
    if minor >= FIRST_RELAXED_ENV:
        return [] if all(" " <= c <= "~" and c != "=" for c in name) else [
            messages.K8S_ENV_NAME_RELAXED]
    return ([] if _ENV_NAME.fullmatch(name) else [messages.K8S_ENV_NAME]) + _dot_prefix(name)


def _value_from(source: Obj, has_value: bool, path: str, minor: int) -> list[FieldError]:
    """validateEnvVarValueFrom: each source's checks, then one count error."""
    errors: list[FieldError] = []
    count = 0
    if source.get("fieldRef") is not None:
        count += 1
        errors += _field_ref(as_dict(source["fieldRef"]), f"{path}.fieldRef", minor)
    if source.get("resourceFieldRef") is not None:
        count += 1
        errors += _resource_field_ref(as_dict(source["resourceFieldRef"]),
                                      f"{path}.resourceFieldRef", minor)
    for field in ("configMapKeyRef", "secretKeyRef"):
        if source.get(field) is not None:
            count += 1
            errors += _key_ref(as_dict(source[field]), f"{path}.{field}", minor)
    # EnvFiles: alpha (and the field dropped) in 1.34, on from 1.35.
    files = minor >= 35
    if files and source.get("fileKeyRef") is not None:
        count += 1
    if not count:
        errors.append(fe.invalid_value(path, "", messages.K8S_ENV_SOURCES_FILES if files
                                       else messages.K8S_ENV_SOURCES, minor))
    elif has_value:
        errors.append(fe.invalid_value(path, "", messages.K8S_ENV_VALUE_AND_SOURCE, minor))
    elif count > 1:
        errors.append(fe.invalid_value(path, "", messages.K8S_ONE_FIELD_AT_A_TIME, minor))
    return errors


def _field_ref(ref: Obj, path: str, minor: int) -> list[FieldError]:
    """validateObjectFieldSelector with the env's fields, then 1.28's PodHostIPs gate."""
    version, field_path = ref.get("apiVersion") or "v1", ref.get("fieldPath")
    if not field_path or not isinstance(field_path, str):
        return [fe.required(f"{path}.fieldPath")]
    labels = _FIELD_LABELS + (("status.hostIPs",) if minor >= 28 else ())
    if version != "v1":
        problem = messages.K8S_FIELD_LABEL_VERSION.format(version=version)
    elif _subscripted(field_path):
        if field_path.split("['", 1)[0] in ("metadata.annotations", "metadata.labels"):
            return []  # the key itself is not checked here
        problem = messages.K8S_FIELD_LABEL_SUBSCRIPT.format(label=field_path)
    elif field_path not in labels and field_path != "spec.host":
        problem = messages.K8S_FIELD_LABEL_UNSUPPORTED.format(label=field_path)
    else:
        converted = "spec.nodeName" if field_path == "spec.host" else field_path
        allowed = sorted(_ENV_FIELDS + (("status.hostIPs",) if minor >= 28 else ()))
        if converted not in allowed:
            return [fe.not_supported(f"{path}.fieldPath", converted, allowed, minor)]
        if minor == 28 and field_path == "status.hostIPs":
            return [fe.forbidden(path, messages.K8S_HOST_IPS_GATED)]
        return []
    return [fe.invalid_value(f"{path}.fieldPath", field_path,
                             messages.K8S_FIELD_PATH_CONVERSION.format(detail=problem), minor)]


def _subscripted(field_path: str) -> bool:
    """fieldpath.SplitMaybeSubscriptedPath: ``path['key']`` with a path before it."""
    return field_path.endswith("']") and "['" in field_path and not field_path.startswith("['")


def _resource_field_ref(ref: Obj, path: str, minor: int) -> list[FieldError]:
    """validateContainerResourceFieldSelector (an env var's: no container name needed), then the
    divisor, printed with the resource's name as kube prints it."""
    resource = ref.get("resource")
    errors: list[FieldError] = []
    if not resource or not isinstance(resource, str):
        errors.append(fe.required(f"{path}.resource"))
        resource = ""
    elif resource not in _RESOURCES and not resource.startswith(_HUGE_PAGES):
        errors.append(fe.not_supported(f"{path}.resource", resource, list(_RESOURCES), minor))
    divisor = ref.get("divisor")
    number = parse_quantity(divisor) if divisor is not None else None
    if not isinstance(number, decimal.Decimal) or number == 0:
        return errors
    kind = ("cpu" if resource.endswith(".cpu") else "memory" if resource.endswith(".memory")
            else "local ephemeral storage" if resource.endswith(".ephemeral-storage")
            else "hugepages" if resource.startswith(_HUGE_PAGES) else None)
    if kind is not None:
        shown, allowed = _DIVISORS[kind]
        if canonical_quantity(divisor) not in allowed:
            errors.append(fe.invalid_value(f"{path}.divisor", resource, messages.K8S_DIVISOR.format(
                values=shown, resource=kind), minor))
    return errors


def _key_ref(ref: Obj, path: str, minor: int) -> list[FieldError]:
    """validateConfigMapKeySelector / validateSecretKeySelector: a name (an empty one fails the
    subdomain rule, not Required) and a key."""
    name = ref.get("name") if isinstance(ref.get("name"), str) else ""
    errors = [fe.invalid_value(f"{path}.name", name, text, minor)
              for text in namechecks.dns1123_subdomain(name)]
    key = ref.get("key")
    if not key:
        errors.append(fe.required(f"{path}.key"))
    elif isinstance(key, str):
        errors += [fe.invalid_value(f"{path}.key", key, text, minor) for text in config_key(key)]
    return errors


def config_key(key: str) -> list[str]:
    """IsConfigMapKey."""
    problems = ([messages.DNS_MAX_LENGTH.format(limit=CONFIG_KEY_MAX)]
                if namechecks.byte_length(key) > CONFIG_KEY_MAX else [])
    if not _CONFIG_KEY.fullmatch(key):
        problems.append(messages.K8S_CONFIG_KEY)
    return problems + _dot_prefix(key)


def _dot_prefix(value: str) -> list[str]:
    """hasChDirPrefix."""
    if value == ".":
        return [messages.K8S_NOT_DOT]
    if value == "..":
        return [messages.K8S_NOT_DOT_DOT]
    return [messages.K8S_NOT_DOT_DOT_PREFIX] if value.startswith("..") else []


def _mask_trailing_dash(name: str) -> str:
    """A name used as a prefix may end in '-': kube checks it with an 'a' for its last two."""
    return name[:-2] + "a" if len(name) > 1 and name.endswith("-") else name


# -- probes and lifecycle hooks -------------------------------------------------------------------


def hooks(container: Obj, path: str, minor: int, grace: Any, *, init: bool) -> list[FieldError]:
    """What validateContainers checks after a container's common checks and its name: the
    lifecycle hooks, then the liveness, readiness and startup probes. An init container may
    have none of them, but a sidecar (``restartPolicy: Always``, 1.29+) is checked as a
    container is."""
    names = ("lifecycle", "livenessProbe", "readinessProbe", "startupProbe")
    sidecar = minor >= 29 and container.get("restartPolicy") == "Always"
    if init and not sidecar:
        text = messages.K8S_INIT_CONTAINER_HOOKS_1_27 if minor <= 27 \
            else messages.K8S_INIT_CONTAINER_HOOKS
        return [fe.forbidden(f"{path}.{name}", text) for name in names
                if container.get(name) is not None]
    errors: list[FieldError] = []
    lifecycle = container.get("lifecycle")
    if lifecycle is not None:
        for hook in ("postStart", "preStop"):
            handler = as_dict(lifecycle).get(hook)
            if handler is not None:
                errors += _handler(as_dict(handler), f"{path}.lifecycle.{hook}", minor,
                                   grace, lifecycle=True)
    for name in names[1:]:
        probe = container.get(name)
        if probe is not None:
            errors += _probe(as_dict(probe), f"{path}.{name}", name, minor)
    return errors


def _probe(probe: Obj, path: str, name: str, minor: int) -> list[FieldError]:
    """validateProbe, then what each kind of probe adds."""
    errors = _handler(probe, path, minor, None, lifecycle=False)
    for field in ("initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold",
                  "failureThreshold"):
        value = probe.get(field)
        if is_int(value) and value < 0:
            errors.append(fe.invalid_value(f"{path}.{field}", value, messages.K8S_NOT_NEGATIVE,
                                           minor))
    grace = probe.get("terminationGracePeriodSeconds")
    if is_int(grace) and grace <= 0:
        errors.append(fe.invalid_value(f"{path}.terminationGracePeriodSeconds", grace,
                                       messages.K8S_MUST_BE_POSITIVE, minor))
    success = probe.get("successThreshold", 1)  # kube defaults a missing one to 1
    if name != "readinessProbe" and is_int(success) and success != 1:
        errors.append(fe.invalid_value(f"{path}.successThreshold", success,
                                       messages.K8S_MUST_BE_ONE, minor))
    if name == "readinessProbe" and grace is not None:
        errors.append(fe.invalid_value(f"{path}.terminationGracePeriodSeconds", grace,
                                       messages.K8S_READINESS_GRACE, minor))
    return errors


def _handler(handler: Obj, path: str, minor: int, grace: Any, *,
             lifecycle: bool) -> list[FieldError]:
    """validateHandler: exactly one action, the first one checked, any other refused. A probe's
    actions are exec, httpGet, tcpSocket and grpc; a hook's exec, httpGet, tcpSocket and, from
    1.30 (1.29's gate drops it), sleep."""
    actions = ("exec", "httpGet", "tcpSocket") + (
        ("sleep",) if lifecycle and minor >= 30 else () if lifecycle else ("grpc",))
    present = [name for name in actions if handler.get(name) is not None]
    if lifecycle and minor == 29 and handler.get("sleep") is not None and not present:
        return []  # the gate dropped the sleep, and the hook with it
    if not present:
        return [fe.required(path, messages.K8S_HANDLER_REQUIRED)]
    first, others = present[0], present[1:]
    errors = _action(first, as_dict(handler[first]), f"{path}.{first}", minor, grace)
    return errors + [fe.forbidden(f"{path}.{name}", messages.K8S_ONE_HANDLER) for name in others]


def _action(name: str, action: Obj, path: str, minor: int, grace: Any) -> list[FieldError]:
    if name == "exec":
        return [] if list_in(action, "command") else [fe.required(f"{path}.command")]
    if name == "sleep":
        return _sleep(action.get("seconds"), path, minor, grace)
    errors = _port(action.get("port"), f"{path}.port", minor)
    if name == "httpGet":
        scheme = action.get("scheme") or "HTTP"
        if scheme not in HTTP_SCHEMES:
            errors.append(fe.not_supported(f"{path}.scheme", scheme, list(HTTP_SCHEMES), minor))
        for header in list_in(action, "httpHeaders"):
            header_name = as_dict(header).get("name")
            header_name = header_name if isinstance(header_name, str) else ""
            if not _HEADER_NAME.fullmatch(header_name):
                errors.append(fe.invalid_value(f"{path}.httpHeaders", header_name,
                                               messages.K8S_HTTP_HEADER_NAME, minor))
    return errors


def _port(port: Any, path: str, minor: int) -> list[FieldError]:
    """ValidatePortNumOrName: a number in range or an IANA service name; a missing one is 0."""
    if isinstance(port, str):
        return [fe.invalid_value(path, port, text, minor) for text in namechecks.port_name(port)]
    number = port if is_int(port) else 0
    return [fe.invalid_value(path, number, text, minor) for text in namechecks.port_number(number)]


def _sleep(seconds: Any, path: str, minor: int, grace: Any) -> list[FieldError]:
    """validateSleepAction against the pod's grace period: zero allowed from 1.33."""
    grace = grace if is_int(grace) else DEFAULT_GRACE_SECONDS
    if not is_int(seconds):
        seconds = 0
    low_ok = seconds >= 0 if minor >= 33 else seconds > 0
    if low_ok and seconds <= grace:
        return []
    template = (messages.K8S_SLEEP if minor >= 33 else messages.K8S_SLEEP_1_32 if minor == 32
                else messages.K8S_SLEEP_1_31)
    return [fe.invalid_value(path, seconds, template.format(grace=grace), minor)]

