"""kube's checks of a pod's and a container's security context (pkg/apis/core/validation
``validatePodSpecSecurityContext``, ``ValidateSecurityContext`` and ``validateHostUsers``), in
kube's order and words for each minor 1.27-1.35:

- the pod's: user and group IDs (0 to 2^31-1), a shared process namespace beside hostPID,
  sysctl names (a name, kube's pattern, none twice; from 1.29 no network sysctl with
  hostNetwork nor IPC one with hostIPC), the fsGroup change policy, the seccomp and (1.30+)
  AppArmor profiles, and from 1.33 (where their gates are on) the supplemental groups and
  SELinux change policies; then, with ``hostUsers: false`` (1.33+), no host network, PID, IPC
  (or, from 1.34, volume devices);
- a container's: user and group IDs, from 1.33 its proc mount, its seccomp profile, no
  ``allowPrivilegeEscalation: false`` beside ``privileged`` or CAP_SYS_ADMIN, its AppArmor
  profile (1.30+).

The cluster allows privileged containers, as kubeadm (and so kind) configures kube-apiserver.
kube prints the security context it refuses as its internal struct: Go's %#v before 1.34, whose
pointers are heap addresses no copy can know (the mock prints made-up ones), and JSON with Go's
field names from 1.34. Not checked: Windows options, the 1.27 host network port rule, and the
gates' drops of 1.27-1.32 (a proc mount or hostUsers the mock stores where kube drops them).
"""

from __future__ import annotations

import re
from typing import Any

from emulator import messages
from emulator.cluster.mock.registry import fielderrors as fe
from emulator.cluster.mock.registry.fielderrors import FieldError, GoText
from emulator.cluster.mock.registry.jsonread import as_dict, list_in

Obj = dict[str, Any]

MAX_ID = 2**31 - 1
PROFILE_TYPES = ("Localhost", "RuntimeDefault", "Unconfined")
FS_GROUP_CHANGE_POLICIES = ("Always", "OnRootMismatch")
SUPPLEMENTAL_GROUPS_POLICIES = ("Merge", "Strict")
PROC_MOUNTS = ("Default", "Unmasked")
APPARMOR_PROFILE_MAX = 4095
SYSCTL_MAX = 253
_SYSCTL = re.compile(r"([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?")
_IPC_SYSCTLS = ("kernel.sem", "kernel.shmall", "kernel.shmmax", "kernel.shmmni",
                "kernel.shm_rmid_forced", "kernel.shm", "kernel.msgmax", "kernel.msgmnb",
                "kernel.msgmni", "kernel.msg")
FIRST_GATED_ON = 33  # ProcMountType, UserNamespacesSupport, SupplementalGroupsPolicy, ...


def pod(spec: Obj, path: str, minor: int) -> list[FieldError]:
    """validatePodSpecSecurityContext, at ``path``.securityContext."""
    context, at = as_dict(spec.get("securityContext")), f"{path}.securityContext"
    errors = _ids(context, at, ("fsGroup", "runAsUser", "runAsGroup"), minor)
    for g, gid in enumerate(list_in(context, "supplementalGroups")):
        errors += _id(gid, f"{at}.supplementalGroups[{g}]", minor)
    if spec.get("shareProcessNamespace") and spec.get("hostPID"):
        errors.append(fe.invalid_value(f"{at}.shareProcessNamespace", True,
                                       messages.K8S_SHARE_PROCESS_NAMESPACE, minor))
    errors += _sysctls(list_in(context, "sysctls"), spec, f"{at}.sysctls", minor)
    errors += _one_of(context, "fsGroupChangePolicy", FS_GROUP_CHANGE_POLICIES, at, minor)
    errors += _seccomp(context.get("seccompProfile"), f"{at}.seccompProfile", minor)
    errors += _apparmor(context.get("appArmorProfile"), f"{at}.appArmorProfile", minor)
    if minor >= FIRST_GATED_ON:
        errors += _one_of(context, "supplementalGroupsPolicy", SUPPLEMENTAL_GROUPS_POLICIES, at,
                          minor)
        errors += _one_of(context, "seLinuxChangePolicy", ("Recursive",), at, minor)
    return errors


def host_users(spec: Obj, path: str, minor: int) -> list[FieldError]:
    """validateHostUsers: a pod in a user namespace shares none of the host's."""
    if minor < FIRST_GATED_ON or spec.get("hostUsers") is not False:
        return []
    text = messages.K8S_HOST_USERS if minor >= 34 else messages.K8S_HOST_USERS_1_33
    errors = [fe.forbidden(f"{path}.{name}", text)
              for field, name in (("hostNetwork", "hostNetwork"), ("hostPID", "HostPID"),
                                  ("hostIPC", "HostIPC")) if spec.get(field)]
    if minor >= 34:
        for field in ("initContainers", "containers"):
            errors += [fe.forbidden(f"{path}.{field}[{i}].volumeDevices", text)
                       for i, container in enumerate(list_in(spec, field))
                       if list_in(as_dict(container), "volumeDevices")]
    return errors


def container(context: Any, path: str, minor: int, host_users: bool) -> list[FieldError]:
    """ValidateSecurityContext, at ``path`` (a container's securityContext; none is fine).
    ``host_users``: the pod shares the host's user namespace (``hostUsers`` not false)."""
    if context is None:
        return []
    context = as_dict(context)
    errors = _ids(context, path, ("runAsUser", "runAsGroup"), minor)
    mount = context.get("procMount")
    if minor >= FIRST_GATED_ON and mount is not None:
        if mount not in PROC_MOUNTS:
            errors.append(fe.not_supported(f"{path}.procMount", mount, list(PROC_MOUNTS), minor))
        if mount == "Unmasked" and host_users:
            errors.append(fe.invalid_value(f"{path}.procMount", mount,
                                           messages.K8S_UNMASKED_HOST_USERS, minor))
    errors += _seccomp(context.get("seccompProfile"), f"{path}.seccompProfile", minor)
    if context.get("allowPrivilegeEscalation") is False:
        shown = _security_context(context, minor)
        if context.get("privileged") is True:
            errors.append(fe.invalid_value(path, shown, messages.K8S_ESCALATION_PRIVILEGED,
                                           minor))
        errors += [fe.invalid_value(path, shown, messages.K8S_ESCALATION_SYS_ADMIN, minor)
                   for cap in list_in(as_dict(context.get("capabilities")), "add")
                   if cap == "CAP_SYS_ADMIN"]
    return errors + _apparmor(context.get("appArmorProfile"), f"{path}.appArmorProfile", minor)


# -- the parts -----------------------------------------------------------------------------------


def _ids(context: Obj, path: str, fields: tuple[str, ...], minor: int) -> list[FieldError]:
    return [error for field in fields if context.get(field) is not None
            for error in _id(context[field], f"{path}.{field}", minor)]


def _id(value: Any, path: str, minor: int) -> list[FieldError]:
    """IsValidUserID / IsValidGroupID."""
    if isinstance(value, int) and not isinstance(value, bool) and not 0 <= value <= MAX_ID:
        return [fe.invalid_value(path, value, messages.K8S_ID_RANGE, minor)]
    return []


def _one_of(context: Obj, field: str, allowed: tuple[str, ...], path: str,
            minor: int) -> list[FieldError]:
    value = context.get(field)
    if value is None or value in allowed:
        return []
    return [fe.not_supported(f"{path}.{field}", value, list(allowed), minor)]


def _sysctls(sysctls: list[Any], spec: Obj, path: str, minor: int) -> list[FieldError]:
    """validateSysctls: each a name, kube's pattern, once; from 1.29 (the host check runs on
    every entry) none of a namespace the pod shares with the host."""
    errors: list[FieldError] = []
    seen: set[str] = set()
    for i, sysctl in enumerate(sysctls):
        name = as_dict(sysctl).get("name")
        name, at = (name if isinstance(name, str) else ""), f"{path}[{i}].name"
        if not name:
            errors.append(fe.required(at))
        elif len(name) > SYSCTL_MAX or not _SYSCTL.fullmatch(name):
            errors.append(fe.invalid_value(at, name, messages.K8S_SYSCTL_NAME, minor))
        elif name in seen:
            errors.append(fe.duplicate(at, name, minor))
        if minor >= 29:
            shared = _sysctl_namespace(name)
            if shared == "net" and spec.get("hostNetwork"):
                errors.append(fe.invalid_value(at, name, messages.K8S_SYSCTL_HOST.format(
                    namespace="hostNetwork"), minor))
            elif shared == "ipc" and spec.get("hostIPC"):
                errors.append(fe.invalid_value(at, name, messages.K8S_SYSCTL_HOST.format(
                    namespace="hostIPC"), minor))
        seen.add(name)
    return errors


def _sysctl_namespace(name: str) -> str:
    """utilsysctl.GetNamespace of a sysctl (written with dots or, first, a slash)."""
    first = min((i for i in (name.find("."), name.find("/")) if i >= 0), default=-1)
    if first >= 0 and name[first] == "/":
        name = name.replace(".", "\0").replace("/", ".").replace("\0", "/")
    name = name.split("*", 1)[0]
    if name.startswith("net."):
        return "net"
    return "ipc" if name in _IPC_SYSCTLS or name.startswith("fs.mqueue.") else ""


def _seccomp(profile: Any, path: str, minor: int) -> list[FieldError]:
    """validateSeccompProfileField."""
    if profile is None:
        return []
    profile = as_dict(profile)
    kind, local = profile.get("type") or "", profile.get("localhostProfile")
    errors: list[FieldError] = []
    if not kind:
        errors.append(fe.required(f"{path}.type", messages.K8S_SECCOMP_TYPE_REQUIRED))
    elif kind not in PROFILE_TYPES:
        errors.append(fe.not_supported(f"{path}.type", kind, list(PROFILE_TYPES), minor))
    if kind == "Localhost":
        if local is None:
            errors.append(fe.required(f"{path}.localhostProfile",
                                      messages.K8S_SECCOMP_PROFILE_REQUIRED))
        elif isinstance(local, str):
            if local.startswith("/"):
                errors.append(fe.invalid_value(f"{path}.localhostProfile", local,
                                               messages.K8S_RELATIVE_PATH, minor))
            if ".." in re.split(r"[/\\]", local):
                errors.append(fe.invalid_value(f"{path}.localhostProfile", local,
                                               messages.K8S_NO_BACKSTEPS, minor))
    elif local is not None:
        errors.append(fe.invalid_value(f"{path}.localhostProfile", _profile(profile, minor),
                                       messages.K8S_SECCOMP_PROFILE_FORBIDDEN, minor))
    return errors


def _apparmor(profile: Any, path: str, minor: int) -> list[FieldError]:
    """ValidateAppArmorProfileField (1.30+)."""
    if profile is None or minor < 30:
        return []
    profile = as_dict(profile)
    kind, local = profile.get("type") or "", profile.get("localhostProfile")
    at = f"{path}.localhostProfile"
    if kind == "Localhost":
        if not isinstance(local, str):
            return [fe.required(at, messages.K8S_APPARMOR_PROFILE_REQUIRED)]
        errors = ([fe.invalid_value(at, local, messages.K8S_APPARMOR_PADDED, minor)]
                  if local.strip() != local else
                  [fe.required(at, messages.K8S_APPARMOR_PROFILE_REQUIRED)] if not local else [])
        if len(local.encode("utf-8", "surrogatepass")) > APPARMOR_PROFILE_MAX:
            errors.append(fe.too_long(at, APPARMOR_PROFILE_MAX, minor) if minor >= 32 else
                          fe.make("FieldValueTooLong", at, "", messages.K8S_APPARMOR_TOO_LONG_1_31
                                  .format(limit=APPARMOR_PROFILE_MAX), minor))
        return errors
    if kind in ("RuntimeDefault", "Unconfined"):
        return [] if local is None else [fe.invalid_value(
            at, local, messages.K8S_APPARMOR_PROFILE_FORBIDDEN, minor)]
    if not kind:
        return [fe.required(f"{path}.type", messages.K8S_APPARMOR_TYPE_REQUIRED)]
    return [fe.not_supported(f"{path}.type", kind, list(PROFILE_TYPES), minor)]


# -- kube's internal structs, as its errors print them -------------------------------------------


def _profile(profile: Obj, minor: int) -> GoText:
    """A *core.SeccompProfile."""
    kind, local = str(profile.get("type") or ""), profile.get("localhostProfile")
    if minor >= 34:
        return GoText(f'{{"Type":{fe.go_json(kind)},"LocalhostProfile":{fe.go_json(local)}}}')
    pointer = "(*string)(nil)" if local is None else fe.GoAddresses()("*string")
    return GoText(f"core.SeccompProfile{{Type:{fe.go_value(kind)}, LocalhostProfile:{pointer}}}")


def _security_context(context: Obj, minor: int) -> GoText:
    """A *core.SecurityContext: its fields in Go's order (AppArmorProfile from 1.30), every
    one present, nil pointers as nil (null)."""
    fields = [("Capabilities", "capabilities", "*core.Capabilities"),
              ("Privileged", "privileged", "*bool"),
              ("SELinuxOptions", "seLinuxOptions", "*core.SELinuxOptions"),
              ("WindowsOptions", "windowsOptions", "*core.WindowsSecurityContextOptions"),
              ("RunAsUser", "runAsUser", "*int64"), ("RunAsGroup", "runAsGroup", "*int64"),
              ("RunAsNonRoot", "runAsNonRoot", "*bool"),
              ("ReadOnlyRootFilesystem", "readOnlyRootFilesystem", "*bool"),
              ("AllowPrivilegeEscalation", "allowPrivilegeEscalation", "*bool"),
              ("ProcMount", "procMount", "*core.ProcMountType"),
              ("SeccompProfile", "seccompProfile", "*core.SeccompProfile")]
    if minor >= 30:
        fields.append(("AppArmorProfile", "appArmorProfile", "*core.AppArmorProfile"))
    if minor >= 34:
        return GoText("{" + ",".join(f'"{go}":{_json_field(json_name, context.get(json_name))}'
                                     for go, json_name, _ in fields) + "}")
    address = fe.GoAddresses()
    return GoText("core.SecurityContext{" + ", ".join(
        f"{go}:({go_type})(nil)" if context.get(json_name) is None else f"{go}:{address(go_type)}"
        for go, json_name, go_type in fields) + "}")


# The Go field names of the nested structs, in their order, for 1.34's JSON of them.
_NESTED = {"capabilities": (("Add", "add"), ("Drop", "drop")),
           "seLinuxOptions": (("User", "user"), ("Role", "role"), ("Type", "type"),
                              ("Level", "level")),
           "windowsOptions": (("GMSACredentialSpecName", "gmsaCredentialSpecName"),
                              ("GMSACredentialSpec", "gmsaCredentialSpec"),
                              ("RunAsUserName", "runAsUserName"), ("HostProcess", "hostProcess")),
           "seccompProfile": (("Type", "type"), ("LocalhostProfile", "localhostProfile")),
           "appArmorProfile": (("Type", "type"), ("LocalhostProfile", "localhostProfile"))}
_STRING_FIELDS = {"user", "role", "type", "level"}  # plain strings: empty, not null, when unset


def _json_field(name: str, value: Any) -> str:
    if value is None or name not in _NESTED:
        return fe.go_json(value)
    nested = as_dict(value)
    return "{" + ",".join(
        f'"{go}":' + fe.go_json(nested.get(key, "" if key in _STRING_FIELDS else None))
        for go, key in _NESTED[name]) + "}"
