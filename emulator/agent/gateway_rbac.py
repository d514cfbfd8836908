"""The RBAC a real cluster needs before the emulator's Connect Agent can act in it.

The Connect Agent authenticates as service account ``gke-connect/connect-agent-sa`` and names the
caller in ``Impersonate-User`` (and each of the caller's Google groups in ``Impersonate-Group``).
The apiserver only lets it do that when RBAC grants ``impersonate`` on those names, and the caller
then needs ordinary RBAC of its own. This module writes both, in the shape
``gcloud container fleet memberships generate-gateway-rbac`` writes them (gcloud-wire.md §9), so a
file produced here and one produced by gcloud can be applied side by side and name the same
objects. Our own code: the format was learnt from gcloud's output, not from its source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from emulator import messages
from emulator.agent.install import NAMESPACE, SERVICE_ACCOUNT

RBAC_API = "rbac.authorization.k8s.io"
RBAC_VERSION = f"{RBAC_API}/v1"
# gcloud labels everything it generates with this, so `kubectl delete -l` can undo it; the two
# objects only we emit carry it too, so one selector removes the whole file's worth.
OWNER_LABELS = {"connect.gke.io/owner-feature": "connect-gateway"}

# Workforce identity forms gcloud accepts. Each captured part ends up inside an RBAC object name,
# which kube rejects when it holds "/" or "%" (ValidateRBACName), so those are refused here rather
# than at apply time; whitespace is refused because no Google identity contains it.
_PART = r"[^/%@\s]+"
_WORKFORCE = r"iam\.googleapis\.com/locations/global/workforcePools/"
_USER_PRINCIPAL = re.compile(rf"principal://{_WORKFORCE}({_PART})/subject/({_PART})")
_GROUP_PRINCIPAL = re.compile(rf"principalSet://{_WORKFORCE}({_PART})/group/({_PART})")
# Only the local part names objects; gcloud is laxer ("a@b@c" → "a"), but a second "@" is a typo.
_EMAIL = re.compile(rf"({_PART})@[^@/\s]+")


class InvalidRbacRequest(ValueError):
    """The request cannot produce RBAC; the message is a one-line user-facing error."""


@dataclass(frozen=True)
class RoleRef:
    """The role a user or group is granted: a ClusterRole, or a Role in ``namespace``."""

    kind: str  # "ClusterRole" | "Role"
    name: str
    namespace: str | None  # set exactly when kind is "Role"


@dataclass(frozen=True)
class RbacRequest:
    project: str
    membership: str
    users: tuple[str, ...]
    groups: tuple[str, ...]
    # None emits only the agent's impersonation grants: gcloud insists on --role, but a cluster
    # whose users already hold their permissions needs nothing else.
    role: RoleRef | None


def parse_role(text: str) -> RoleRef:
    """``clusterrole/NAME`` or ``role/NAMESPACE/NAME``, gcloud's ``--role`` syntax.

    The kind word is matched case-insensitively because gcloud accepts ``ClusterRole/view`` too.
    Unlike gcloud, an empty name is refused: it would only fail later, when the file is applied.
    """
    kind, _, rest = text.partition("/")
    parts = rest.split("/")
    if kind.lower() == "clusterrole" and len(parts) == 1 and _valid_role_part(parts[0]):
        return RoleRef("ClusterRole", parts[0], None)
    if kind.lower() == "role" and len(parts) == 2 and all(map(_valid_role_part, parts)):
        return RoleRef("Role", parts[1], parts[0])
    raise InvalidRbacRequest(messages.RBAC_ERR_ROLE_FORMAT.format(role=text))


def documents(request: RbacRequest) -> list[dict[str, Any]]:
    """The objects to apply, in order: the agent's namespace and service account, then per user
    and per group what gcloud generates for it (plus group impersonation, see ``_group_docs``)."""
    _check(request)
    docs = [_namespace(), _service_account()]
    for user in _unique(request.users):
        docs += _user_docs(request, user)
    for group in _unique(request.groups):
        docs += _group_docs(request, group)
    return docs


def render(request: RbacRequest) -> str:
    """The documents as YAML, each followed by ``---`` as in gcloud's ``--rbac-output-file``.

    gcloud's file is not consistent there: per group it writes ``---`` both before and after the
    document. We always write one separator after each document; parsed, the two are the same.
    """
    return "".join(_dump(doc) + "---\n" for doc in documents(request))


# -- one identity's objects ---------------------------------------------------------------------

def _user_docs(request: RbacRequest, user: str) -> list[dict[str, Any]]:
    name = _object_name(request, "impersonate", _user_identity(user))
    docs = [_impersonate_role(name, "users", user), _impersonate_binding(name)]
    if request.role is not None:
        docs.append(_permission_binding(request, _user_identity(user), "User", user))
    return docs


def _group_docs(request: RbacRequest, group: str) -> list[dict[str, Any]]:
    """gcloud prints only the permission binding for a group. The emulated agent, though, sends
    ``Impersonate-Group`` for each of the caller's Google groups, and kube checks ``impersonate``
    on every named group, so without this ClusterRole a real cluster refuses every caller who is
    in a group. It uses the same name pattern as a user's, as that is the agent's grant for it."""
    identity = _group_identity(group)
    name = _object_name(request, "impersonate", identity)
    docs = [_impersonate_role(name, "groups", group), _impersonate_binding(name)]
    if request.role is not None:
        docs.append(_permission_binding(request, identity, "Group", group))
    return docs


# -- the object shapes. Key order follows gcloud's file exactly (it differs between the
# -- impersonate binding, roleRef first, and the permission binding, subjects first).

def _namespace() -> dict[str, Any]:
    # gcloud assumes the Connect Agent's install made these two; with the emulator there is no
    # agent in the real cluster, so the file brings them along.
    return {"apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": NAMESPACE, "labels": dict(OWNER_LABELS)}}


def _service_account() -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ServiceAccount",
            "metadata": {"name": SERVICE_ACCOUNT, "labels": dict(OWNER_LABELS),
                         "namespace": NAMESPACE}}


def _impersonate_role(name: str, resource: str, identity: str) -> dict[str, Any]:
    return {"apiVersion": RBAC_VERSION, "kind": "ClusterRole",
            "metadata": {"name": name, "labels": dict(OWNER_LABELS)},
            "rules": [{"apiGroups": [""], "resourceNames": [identity], "resources": [resource],
                       "verbs": ["impersonate"]}]}


def _impersonate_binding(name: str) -> dict[str, Any]:
    return {"apiVersion": RBAC_VERSION, "kind": "ClusterRoleBinding",
            "metadata": {"name": name, "labels": dict(OWNER_LABELS)},
            "roleRef": {"kind": "ClusterRole", "name": name, "apiGroup": RBAC_API},
            "subjects": [{"kind": "ServiceAccount", "name": SERVICE_ACCOUNT,
                          "namespace": NAMESPACE}]}


def _permission_binding(request: RbacRequest, identity: str, subject_kind: str,
                        subject: str) -> dict[str, Any]:
    role = request.role
    assert role is not None
    metadata: dict[str, Any] = {"name": _object_name(request, "permission", identity),
                                "labels": dict(OWNER_LABELS)}
    kind = "ClusterRoleBinding"
    if role.kind == "Role":
        # gcloud puts the namespace after the labels; kept so the rendered text matches.
        kind, metadata["namespace"] = "RoleBinding", role.namespace
    return {"apiVersion": RBAC_VERSION, "kind": kind, "metadata": metadata,
            "subjects": [{"kind": subject_kind, "name": subject}],
            "roleRef": {"kind": role.kind, "name": role.name, "apiGroup": RBAC_API}}


def _object_name(request: RbacRequest, purpose: str, identity: str) -> str:
    return f"gateway-{purpose}-{request.project}_{identity}_{request.membership}"


# -- validation ---------------------------------------------------------------------------------

def _check(request: RbacRequest) -> None:
    if not request.project.strip():
        raise InvalidRbacRequest(messages.RBAC_ERR_NO_PROJECT)
    if not request.membership.strip():
        raise InvalidRbacRequest(messages.RBAC_ERR_NO_MEMBERSHIP)
    if not request.users and not request.groups:
        raise InvalidRbacRequest(messages.RBAC_ERR_NO_IDENTITIES)
    if request.role is not None:
        _check_role(request.role)
    # Parse every identity before building anything, so a bad one anywhere fails the whole file.
    _check_stems(request)


def _check_role(role: RoleRef) -> None:
    # A RoleRef built by hand rather than by parse_role must still make sense.
    cluster_wide = role.kind == "ClusterRole" and role.namespace is None
    namespaced = role.kind == "Role" and role.namespace is not None and _valid_role_part(
        role.namespace)
    if not (cluster_wide or namespaced) or not _valid_role_part(role.name):
        shown = (f"role/{role.namespace}/{role.name}" if role.namespace is not None
                 else f"{role.kind.lower()}/{role.name}")
        raise InvalidRbacRequest(messages.RBAC_ERR_ROLE_FORMAT.format(role=shown))


def _valid_role_part(part: str) -> bool:
    return bool(part) and part == part.strip() and "%" not in part


def _user_identity(user: str) -> str:
    """The part of an object name that stands for ``user``: the email's local part, or
    ``POOL_SUBJECT`` for a workforce principal."""
    if match := _EMAIL.fullmatch(user):
        return match.group(1)
    if match := _USER_PRINCIPAL.fullmatch(user):
        return f"{match.group(1)}_{match.group(2)}"
    raise InvalidRbacRequest(messages.RBAC_ERR_USER_FORMAT.format(identity=user))


def _group_identity(group: str) -> str:
    if match := _EMAIL.fullmatch(group):
        return match.group(1)
    if match := _GROUP_PRINCIPAL.fullmatch(group):
        return f"{match.group(1)}_{match.group(2)}"
    raise InvalidRbacRequest(messages.RBAC_ERR_GROUP_FORMAT.format(identity=group))


def _unique(identities: tuple[str, ...]) -> list[str]:
    # A repeated identity would emit the same objects twice, which `kubectl create` rejects.
    return list(dict.fromkeys(identities))


def _check_stems(request: RbacRequest) -> None:
    """Names keep only an email's local part, so alice@a.com and alice@b.com (or a user and a
    group sharing one) would get objects of the same name; applied, the second would silently
    replace the first's grant, so refuse instead."""
    seen: dict[str, str] = {}
    named = [(f'user "{u}"', _user_identity(u)) for u in _unique(request.users)]
    named += [(f'group "{g}"', _group_identity(g)) for g in _unique(request.groups)]
    for who, identity in named:
        if identity in seen:
            raise InvalidRbacRequest(messages.RBAC_ERR_NAME_CLASH.format(
                first=seen[identity], second=who,
                name=_object_name(request, "impersonate", identity)))
        seen[identity] = who


# -- YAML ---------------------------------------------------------------------------------------

class _Dumper(yaml.SafeDumper):
    """SafeDumper writing the empty string as ``""`` (gcloud's spelling of the core API group)
    instead of PyYAML's ``''``, so our text equals gcloud's byte for byte."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = '"' if value == "" else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def _dump(doc: dict[str, Any]) -> str:
    # Insertion order is gcloud's order; a wide line keeps long principal:// names on one line.
    return yaml.dump(doc, Dumper=_Dumper, sort_keys=False, default_flow_style=False,
                     width=10_000, allow_unicode=True)
