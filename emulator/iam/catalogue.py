"""The predefined IAM roles the emulator knows, with their real permissions.

Source: Google's "GKE Hub roles and permissions" and "service account permissions" pages, as
recorded in ../shared/reference/connect-gateway-facts.md §1, and its "GKE Multi-Cloud roles"
page. ``roles/owner`` holds every permission (``*``), which is what makes a project owner pass
every gateway check.
"""

from __future__ import annotations

from dataclasses import dataclass

GATEWAY_VERBS = ("delete", "generateCredentials", "get", "patch", "post", "put", "stream")
# The three roles the product page names when a caller lacks a gateway permission.
GATEWAY_ROLES = ("roles/gkehub.gatewayAdmin", "roles/gkehub.gatewayEditor",
                 "roles/gkehub.gatewayReader")
ALL_PERMISSIONS = "*"

_SERVICE_USAGE = (
    "serviceusage.consumerpolicy.analyze", "serviceusage.consumerpolicy.get",
    "serviceusage.effectivepolicy.get", "serviceusage.groups.list",
    "serviceusage.groups.listExpandedMembers", "serviceusage.groups.listMembers",
    "serviceusage.services.get", "serviceusage.values.test",
)


# GKE Multi-Cloud (gkemulticloud): Google's "GKE Multi-Cloud roles" page (IAM roles and
# permissions) and "Attached clusters API access control". The admin role is gkemulticloud.*,
# written out here; the viewer reads every cluster, node pool, client, server config and operation.
_MULTICLOUD_VIEWER = (
    "gkemulticloud.attachedClusters.generateInstallManifest", "gkemulticloud.attachedClusters.get",
    "gkemulticloud.attachedClusters.list", "gkemulticloud.attachedServerConfigs.get",
    "gkemulticloud.awsClusters.generateAccessToken", "gkemulticloud.awsClusters.get",
    "gkemulticloud.awsClusters.list", "gkemulticloud.awsNodePools.get",
    "gkemulticloud.awsNodePools.list", "gkemulticloud.awsServerConfigs.get",
    "gkemulticloud.azureClients.get", "gkemulticloud.azureClients.list",
    "gkemulticloud.azureClusters.generateAccessToken", "gkemulticloud.azureClusters.get",
    "gkemulticloud.azureClusters.list", "gkemulticloud.azureNodePools.get",
    "gkemulticloud.azureNodePools.list", "gkemulticloud.azureServerConfigs.get",
    "gkemulticloud.operations.get", "gkemulticloud.operations.list",
    "gkemulticloud.operations.wait",
    "resourcemanager.projects.get", "resourcemanager.projects.list",
)
_MULTICLOUD_ADMIN = (
    *_MULTICLOUD_VIEWER,
    *(f"gkemulticloud.attachedClusters.{verb}" for verb in (
        "create", "createTagBinding", "delete", "deleteTagBinding", "import", "listEffectiveTags",
        "listTagBindings", "update")),
    *(f"gkemulticloud.{kind}Clusters.{verb}" for kind in ("aws", "azure")
      for verb in ("create", "delete", "getAdminKubeconfig", "update")),
    *(f"gkemulticloud.{kind}NodePools.{verb}" for kind in ("aws", "azure")
      for verb in ("create", "delete", "update")),
    "gkemulticloud.azureClients.create", "gkemulticloud.azureClients.delete",
    "gkemulticloud.operations.cancel", "gkemulticloud.operations.delete",
)


def _gateway(*verbs: str) -> tuple[str, ...]:
    return tuple(f"gkehub.gateway.{verb}" for verb in verbs)


@dataclass(frozen=True)
class Role:
    name: str
    title: str
    permissions: frozenset[str]

    def grants(self, permission: str) -> bool:
        return ALL_PERMISSIONS in self.permissions or permission in self.permissions


def _role(name: str, title: str, *permissions: str) -> Role:
    return Role(name, title, frozenset(permissions))


PREDEFINED: dict[str, Role] = {role.name: role for role in (
    _role("roles/gkehub.gatewayAdmin", "Connect Gateway Admin",
          *_gateway(*GATEWAY_VERBS), "gkehub.memberships.get", *_SERVICE_USAGE),
    _role("roles/gkehub.gatewayEditor", "Connect Gateway Editor",
          *_gateway("delete", "generateCredentials", "get", "patch", "post", "put"),
          "gkehub.memberships.get", *_SERVICE_USAGE),
    _role("roles/gkehub.gatewayReader", "Connect Gateway Reader",
          *_gateway("generateCredentials", "get"), "gkehub.memberships.get", *_SERVICE_USAGE),
    _role("roles/gkehub.viewer", "Fleet Viewer",
          "gkehub.features.get", "gkehub.features.getIamPolicy", "gkehub.features.list",
          "gkehub.fleet.get", "gkehub.fleet.getFreeTrial", "gkehub.locations.get",
          "gkehub.locations.list", "gkehub.membershipbindings.get",
          "gkehub.membershipbindings.list", "gkehub.membershipfeatures.get",
          "gkehub.membershipfeatures.list", "gkehub.memberships.generateConnectManifest",
          "gkehub.memberships.get", "gkehub.memberships.getIamPolicy", "gkehub.memberships.list",
          "gkehub.namespaces.get", "gkehub.namespaces.list", "gkehub.operations.get",
          "gkehub.operations.list", "gkehub.rbacrolebindings.get",
          "gkehub.rbacrolebindings.list", "gkehub.scopes.get", "gkehub.scopes.getIamPolicy",
          "gkehub.scopes.list", "gkehub.scopes.listBoundMemberships",
          "resourcemanager.projects.get", "resourcemanager.projects.list"),
    _role("roles/gkehub.connect", "GKE Connect Agent", "gkehub.endpoints.connect"),
    _role("roles/gkemulticloud.viewer", "Anthos Multi-cloud Viewer", *_MULTICLOUD_VIEWER),
    _role("roles/gkemulticloud.admin", "Anthos Multi-cloud Admin", *_MULTICLOUD_ADMIN),
    _role("roles/owner", "Owner", ALL_PERMISSIONS),
    _role("roles/iam.serviceAccountTokenCreator", "Service Account Token Creator",
          "iam.serviceAccounts.getAccessToken", "iam.serviceAccounts.getOpenIdToken",
          "iam.serviceAccounts.signBlob", "iam.serviceAccounts.signJwt",
          "iam.serviceAccounts.implicitDelegation", "iam.serviceAccounts.get",
          "iam.serviceAccounts.list"),
)}


def roles_granting(permission: str, roles: dict[str, Role]) -> list[str]:
    """Names of the given roles that include ``permission`` (basic roles left out: they are
    never the advice)."""
    return [name for name, role in roles.items()
            if permission in role.permissions and ALL_PERMISSIONS not in role.permissions]
