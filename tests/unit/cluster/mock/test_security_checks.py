"""kube's checks of a pod's and a container's security context (registry/securitychecks.py),
through the mock's REST paths, per minor where kube differs."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import call, quiet_at

PODS = "/api/v1/namespaces/default/pods"
IDS = "must be between 0 and 2147483647, inclusive"


def a_pod(context: dict[str, Any] | None = None, **spec: Any) -> dict[str, Any]:
    container: dict[str, Any] = {"name": "app", "image": "app:1"}
    if context is not None:
        container["securityContext"] = context
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
            "spec": {"containers": [container], **spec}}


def causes(version: str, body: dict[str, Any]) -> list[str]:
    reply = call(quiet_at(version), "POST", PODS, body=body)
    assert reply.status == 422, reply.body
    return [f"{c['field']}: {c['message']}" for c in reply.body["details"]["causes"]]


def test_the_pods_ids_sysctls_and_policies() -> None:
    assert causes("v1.30.5", a_pod(hostIPC=True, securityContext={
        "runAsUser": -1, "supplementalGroups": [5, 2**31],
        "sysctls": [{"name": "kernel.shmmax", "value": "1"}, {"name": "", "value": "1"},
                    {"name": "Kernel.X", "value": "1"}],
        "fsGroupChangePolicy": "Sometimes"})) == [
        f"spec.securityContext.runAsUser: Invalid value: -1: {IDS}",
        f"spec.securityContext.supplementalGroups[1]: Invalid value: 2147483648: {IDS}",
        'spec.securityContext.sysctls[0].name: Invalid value: "kernel.shmmax": may not be '
        "specified when 'hostIPC' is true",
        "spec.securityContext.sysctls[1].name: Required value",
        'spec.securityContext.sysctls[2].name: Invalid value: "Kernel.X": must have at most 253 '
        "characters and match regex ^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\\./])*[a-z0-9]"
        "([-_a-z0-9]*[a-z0-9])?$",
        'spec.securityContext.fsGroupChangePolicy: Unsupported value: "Sometimes": supported '
        'values: "Always", "OnRootMismatch"']


@pytest.mark.parametrize(("version", "profile", "texts"), [
    ("v1.30.5", {"type": "Localhost", "localhostProfile": "/abs/../x.json"},
     ['localhostProfile: Invalid value: "/abs/../x.json": must be a relative path',
      "localhostProfile: Invalid value: \"/abs/../x.json\": must not contain '..'"]),
    ("v1.30.5", {"type": "Custom"}, ['type: Unsupported value: "Custom": supported values: '
                                     '"Localhost", "RuntimeDefault", "Unconfined"']),
    ("v1.34.1", {"type": "RuntimeDefault", "localhostProfile": "x.json"},
     ['localhostProfile: Invalid value: {"Type":"RuntimeDefault","LocalhostProfile":"x.json"}: '
      "can only be set when seccomp type is Localhost"]),
])
def test_a_seccomp_profile(version: str, profile: dict[str, Any], texts: list[str]) -> None:
    assert causes(version, a_pod({"seccompProfile": profile})) == [
        f"spec.containers[0].securityContext.seccompProfile.{text}" for text in texts]


@pytest.mark.parametrize(("version", "profile", "texts"), [
    ("v1.29.4", {"type": "Localhost"}, None),  # no AppArmor field before 1.30
    ("v1.30.5", {"type": "Localhost"},
     ["localhostProfile: Required value: must be set when AppArmor type is Localhost"]),
    ("v1.31.2", {"type": "Localhost", "localhostProfile": "p" * 4096},
     ["localhostProfile: Too long: may not be longer than 4095"]),
    ("v1.32.3", {"type": "Localhost", "localhostProfile": "p" * 4096},
     ["localhostProfile: Too long: may not be more than 4095 bytes"]),
    ("v1.30.5", {"type": "RuntimeDefault", "localhostProfile": "p"},
     ['localhostProfile: Invalid value: "p": can only be set when AppArmor type is Localhost']),
])
def test_an_apparmor_profile(version: str, profile: dict[str, Any],
                             texts: list[str] | None) -> None:
    body = a_pod({"appArmorProfile": profile})
    if texts is None:
        assert call(quiet_at(version), "POST", PODS, body=body).status == 201
    else:
        assert causes(version, body) == [
            f"spec.containers[0].securityContext.appArmorProfile.{text}" for text in texts]


@pytest.mark.parametrize(("version", "shown"), [
    ("v1.29.4", "core.SecurityContext{Capabilities:(*core.Capabilities)(nil), "
                "Privileged:(*bool)(0xc000012010), SELinuxOptions:(*core.SELinuxOptions)(nil), "
                "WindowsOptions:(*core.WindowsSecurityContextOptions)(nil), "
                "RunAsUser:(*int64)(nil), RunAsGroup:(*int64)(nil), RunAsNonRoot:(*bool)(nil), "
                "ReadOnlyRootFilesystem:(*bool)(nil), "
                "AllowPrivilegeEscalation:(*bool)(0xc000012020), "
                "ProcMount:(*core.ProcMountType)(nil), "
                "SeccompProfile:(*core.SeccompProfile)(nil)}"),
    ("v1.34.1", '{"Capabilities":null,"Privileged":true,"SELinuxOptions":null,'
                '"WindowsOptions":null,"RunAsUser":null,"RunAsGroup":null,"RunAsNonRoot":null,'
                '"ReadOnlyRootFilesystem":null,"AllowPrivilegeEscalation":false,'
                '"ProcMount":null,"SeccompProfile":null,"AppArmorProfile":null}'),
])
def test_no_escalation_beside_privileged(version: str, shown: str) -> None:
    # Before 1.34 kube's %#v shows heap addresses: the mock's are made up (documented).
    assert causes(version, a_pod({"privileged": True, "allowPrivilegeEscalation": False})) == [
        f"spec.containers[0].securityContext: Invalid value: {shown}: cannot set "
        "`allowPrivilegeEscalation` to false and `privileged` to true"]


def test_a_sys_admin_capability_without_escalation() -> None:
    found = causes("v1.34.1", a_pod({"allowPrivilegeEscalation": False, "capabilities": {
        "add": ["SYS_ADMIN", "CAP_SYS_ADMIN"]}}))
    assert len(found) == 1 and found[0].endswith(  # "SYS_ADMIN" is not kube's spelling here
        ": cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN")
    assert '{"Capabilities":{"Add":["SYS_ADMIN","CAP_SYS_ADMIN"],"Drop":null}' in found[0]


@pytest.mark.parametrize(("version", "texts"), [
    ("v1.32.3", None),  # the gates are off: kube drops hostUsers and forces the proc mount
    ("v1.33.1", ["spec.containers[0].securityContext.procMount: Invalid value: \"Unmasked\": "
                 "`hostUsers` must be false to use `Unmasked`"]),
])
def test_an_unmasked_proc_mount_needs_a_user_namespace(version: str,
                                                       texts: list[str] | None) -> None:
    body = a_pod({"procMount": "Unmasked"})
    if texts is None:
        assert call(quiet_at(version), "POST", PODS, body=body).status == 201
    else:
        assert causes(version, body) == texts
        body["spec"]["hostUsers"] = False
        assert call(quiet_at(version), "POST", PODS, body=body).status == 201


@pytest.mark.parametrize(("version", "text"), [
    ("v1.33.1", "when `pod.Spec.HostUsers` is false"),
    ("v1.34.1", "when `hostUsers` is false"),
])
def test_a_user_namespace_shares_nothing_with_the_host(version: str, text: str) -> None:
    assert causes(version, a_pod(hostUsers=False, hostNetwork=True, hostPID=True)) == [
        f"spec.hostNetwork: Forbidden: {text}", f"spec.HostPID: Forbidden: {text}"]
