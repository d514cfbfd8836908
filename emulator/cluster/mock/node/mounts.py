"""The files the kubelet mounts into a container from its pod's volumes: configMap, secret,
downwardAPI and projected volumes (with the service account token, ``kube-root-ca.crt`` and the
namespace of the ``kube-api-access-*`` volume), each at its ``volumeMounts`` path or
``subPath``. Every other volume is an empty directory: a ``hostPath`` is never the host.

Read once, when the container's sandbox is made (its first exec, attach or process): the files
do not follow later changes to their ConfigMap or Secret, as kube's eventually do. A source that
does not exist (a ConfigMap not yet made) gives no files, where kube would hold the pod in
``ContainerCreating``. kube's atomic writer's ``..data`` links are not made: the files are
plain.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from emulator.cluster.mock.node.container.filesystem import normalize
from emulator.cluster.mock.registry.defaults import each
from emulator.cluster.mock.registry.fieldvalidation import go_quote

# Reads one object of the pod's namespace: (plural, name) -> the stored object, or None.
Reader = Callable[[str, str], dict[str, Any] | None]
# Issues a token for the pod's service account: (expirationSeconds, audiences) -> the token.
TokenIssuer = Callable[[int, list[str]], str]

DEFAULT_MODE = 0o644  # a volume's defaultMode when the spec has none (kube defaults it too)
DEFAULT_TOKEN_SECONDS = 3600


@dataclass
class Mounts:
    """Files by absolute path (content, mode), and the directories mounted empty."""

    files: dict[str, tuple[bytes, int]] = field(default_factory=dict)
    directories: list[str] = field(default_factory=list)


def mounts(pod: dict[str, Any], container_spec: dict[str, Any], read: Reader,
           issue_token: TokenIssuer) -> Mounts:
    """What ``container_spec``'s volumeMounts put in its filesystem."""
    volumes = {v.get("name"): v for v in each(pod.get("spec"), "volumes")}
    found = Mounts()
    for mount in each(container_spec, "volumeMounts"):
        volume = volumes.get(mount.get("name"))
        path = mount.get("mountPath")
        if volume is None or not isinstance(path, str) or not path.startswith("/"):
            continue
        files = volume_files(pod, volume, read, issue_token)
        if files is None:
            found.directories.append(normalize(path))
            continue
        sub = str(mount.get("subPath") or "").strip("/")
        if sub and sub in files:  # one file mounted as the path itself
            found.files[normalize(path)] = files[sub]
            continue
        prefix = f"{sub}/" if sub else ""
        inside = {name[len(prefix):]: content for name, content in files.items()
                  if name.startswith(prefix)}
        found.directories.append(normalize(path))
        for name, content in inside.items():
            found.files[normalize(f"{path}/{name}")] = content
    return found


def volume_files(pod: dict[str, Any], volume: dict[str, Any], read: Reader,
                 issue_token: TokenIssuer) -> dict[str, tuple[bytes, int]] | None:
    """The files of one volume, by path inside it; None for a volume that is a directory
    (emptyDir, a claim, a host path, ...)."""
    for source in ("configMap", "secret", "downwardAPI", "projected"):
        spec = volume.get(source)
        if not isinstance(spec, dict):
            continue
        mode = _mode(spec.get("defaultMode"), DEFAULT_MODE)
        if source == "projected":
            files: dict[str, tuple[bytes, int]] = {}
            for part in each(spec, "sources"):
                files.update(_projection(pod, part, mode, read, issue_token))
            return files
        if source == "downwardAPI":
            return _downward(pod, spec, mode)
        name = spec.get("name") if source == "configMap" else spec.get("secretName")
        return _keyed(source, read, name, spec, mode)
    return None


def _projection(pod: dict[str, Any], part: dict[str, Any], mode: int, read: Reader,
                issue_token: TokenIssuer) -> dict[str, tuple[bytes, int]]:
    token = part.get("serviceAccountToken")
    if isinstance(token, dict) and isinstance(token.get("path"), str):
        seconds = token.get("expirationSeconds")
        audience = token.get("audience")
        issued = issue_token(seconds if isinstance(seconds, int) else DEFAULT_TOKEN_SECONDS,
                             [audience] if isinstance(audience, str) and audience else [])
        return {token["path"]: (issued.encode(), mode)}
    for source in ("configMap", "secret"):
        spec = part.get(source)
        if isinstance(spec, dict):
            return _keyed(source, read, spec.get("name"), spec, mode)
    if isinstance(part.get("downwardAPI"), dict):
        return _downward(pod, part["downwardAPI"], mode)
    return {}  # a cluster trust bundle or a pod certificate: nothing the mock issues


def _keyed(source: str, read: Reader, name: Any, spec: dict[str, Any],
           mode: int) -> dict[str, tuple[bytes, int]]:
    """A ConfigMap's or Secret's keys as files: all of them, or the ``items`` named."""
    obj = read("configmaps" if source == "configMap" else "secrets", name) if isinstance(
        name, str) else None
    if obj is None:
        return {}
    data = contents(obj, source)
    items = each(spec, "items")
    if not items:
        return {key: (value, mode) for key, value in data.items()}
    return {item["path"]: (data[item.get("key")], _mode(item.get("mode"), mode))
            for item in items if item.get("key") in data and isinstance(item.get("path"), str)}


def contents(obj: dict[str, Any], source: str) -> dict[str, bytes]:
    """A ConfigMap's data and binaryData, or a Secret's data, decoded: what its files hold."""
    found: dict[str, bytes] = {}
    if source == "configMap":
        for key, value in (obj.get("data") or {}).items():
            found[key] = str(value).encode()
        encoded = obj.get("binaryData") or {}
    else:
        encoded = obj.get("data") or {}
    for key, value in encoded.items():
        try:
            found[key] = base64.b64decode(str(value), validate=True)
        except (binascii.Error, ValueError):
            continue  # stored by an old emulator unchecked: nothing kube would mount
    return found


def _downward(pod: dict[str, Any], spec: dict[str, Any], mode: int) -> dict[str, tuple[bytes, int]]:
    files = {}
    for item in each(spec, "items"):
        ref = item.get("fieldRef")
        if not isinstance(item.get("path"), str) or not isinstance(ref, dict):
            continue  # resourceFieldRef: not modelled
        value = field_value(pod, str(ref.get("fieldPath", "")))
        if value is not None:
            files[item["path"]] = (value.encode(), _mode(item.get("mode"), mode))
    return files


def field_value(pod: dict[str, Any], path: str) -> str | None:
    """A pod field as the downward API gives it (fieldpath.ExtractFieldPathAsString, and the
    kubelet's own fields for env); None for a path it does not know."""
    meta = pod.get("metadata") or {}
    spec = pod.get("spec") or {}
    status = pod.get("status") or {}
    for map_name in ("labels", "annotations"):
        if path == f"metadata.{map_name}":
            return format_map(meta.get(map_name) or {})
        prefix = f"metadata.{map_name}['"
        if path.startswith(prefix) and path.endswith("']"):
            return str((meta.get(map_name) or {}).get(path[len(prefix):-2], ""))
    simple = {"metadata.name": meta.get("name"), "metadata.namespace": meta.get("namespace"),
              "metadata.uid": meta.get("uid"), "spec.nodeName": spec.get("nodeName"),
              "spec.serviceAccountName": spec.get("serviceAccountName"),
              "status.hostIP": status.get("hostIP"), "status.podIP": status.get("podIP"),
              "status.hostIPs": ",".join(i.get("ip", "") for i in each(status, "hostIPs")),
              "status.podIPs": ",".join(i.get("ip", "") for i in each(status, "podIPs"))}
    if path not in simple:
        return None
    value = simple[path]
    return "" if value is None else str(value)


def format_map(values: dict[str, Any]) -> str:
    """``key="value"`` lines in key order, Go-quoted, no final newline (fieldpath.FormatMap)."""
    return "\n".join(f"{key}={go_quote(str(values[key]))}" for key in sorted(values))


def _mode(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 0o777 \
        else default
