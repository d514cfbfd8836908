"""Installing the Connect Agent into a mock cluster: the objects ``gcloud ... register`` creates.

The agent lives in namespace ``gke-connect`` as Deployment ``gke-connect-agent`` running as service
account ``connect-agent-sa``; its pod carries ``app=gke-connect-agent`` so the product page's
``kubectl logs -n gke-connect -l app=gke-connect-agent`` finds it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from emulator.cluster.mock.apiserver import MockApiserver
from emulator.cluster.mock.auth.identity import UserInfo, service_account_user

NAMESPACE = "gke-connect"
SERVICE_ACCOUNT = "connect-agent-sa"
DEPLOYMENT = "gke-connect-agent"
CONTAINER = "gke-connect-agent"
AGENT_IMAGE = "gcr.io/gkeconnect/gkeconnect-gce:20250101-00-00"
# GKE clusters reach the gateway without a Connect Agent; the emulator still needs an identity
# inside the cluster that impersonates the caller. This name is the emulator's own.
GKE_TRANSPORT_USER = "system:connect-gateway:gke-transport"


@dataclass(frozen=True)
class AgentIdentity:
    user: UserInfo
    token: str
    pod: str | None  # the agent pod whose log is the agent log; None without an agent


def install_agent(cluster: MockApiserver, project_id: str) -> AgentIdentity:
    cluster.seed({"apiVersion": "v1", "kind": "Namespace",
                  "metadata": {"name": NAMESPACE, "labels": {"hub.gke.io/project": project_id}}})
    cluster.seed({"apiVersion": "v1", "kind": "ServiceAccount",
                  "metadata": {"name": SERVICE_ACCOUNT, "namespace": NAMESPACE}})
    labels = {"app": DEPLOYMENT}
    template_spec = {"serviceAccountName": SERVICE_ACCOUNT,
                     "containers": [{"name": CONTAINER, "image": AGENT_IMAGE}]}
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment",
                  "metadata": {"name": DEPLOYMENT, "namespace": NAMESPACE, "labels": labels},
                  "spec": {"replicas": 1, "selector": {"matchLabels": labels},
                           "template": {"metadata": {"labels": labels}, "spec": template_spec}}}
    if cluster.controllers.enabled:
        # The cluster's controllers make the ReplicaSet and the pod, and start it, as kube does.
        cluster.seed(deployment)
        pods = [p for p in cluster.store.list(("", "pods"), NAMESPACE)[0]
                if (p["metadata"].get("labels") or {}).get("app") == DEPLOYMENT]
        pod_name = pods[0]["metadata"]["name"] if pods else None
    else:
        # No controllers: the status says what the pod seeded next to it shows.
        deployment["status"] = {"observedGeneration": 1, "replicas": 1, "readyReplicas": 1,
                                "availableReplicas": 1, "updatedReplicas": 1}
        cluster.seed(deployment)
        pod = cluster.seed({"apiVersion": "v1", "kind": "Pod",
                            "metadata": {"generateName": f"{DEPLOYMENT}-7d9f8c6b5-",
                                         "namespace": NAMESPACE, "labels": labels},
                            "spec": template_spec})
        pod_name = pod["metadata"]["name"]
    user = service_account_user(NAMESPACE, SERVICE_ACCOUNT)
    token = secrets.token_urlsafe(24)
    cluster.authenticator.add(token, user)
    return AgentIdentity(user, token, pod_name)


def gke_transport(cluster: MockApiserver) -> AgentIdentity:
    """GKE's own path into the cluster: it may act as any Google identity, which the customer
    never has to grant (unlike the Connect Agent's gateway-impersonate role)."""
    user = UserInfo(GKE_TRANSPORT_USER, ("system:authenticated",))
    rbac = "rbac.authorization.k8s.io"
    cluster.seed({"apiVersion": f"{rbac}/v1", "kind": "ClusterRole",
                  "metadata": {"name": GKE_TRANSPORT_USER},
                  "rules": [{"apiGroups": [""], "resources": ["users", "groups", "serviceaccounts"],
                             "verbs": ["impersonate"]}]})
    cluster.seed({"apiVersion": f"{rbac}/v1", "kind": "ClusterRoleBinding",
                  "metadata": {"name": GKE_TRANSPORT_USER},
                  "roleRef": {"apiGroup": rbac, "kind": "ClusterRole", "name": GKE_TRANSPORT_USER},
                  "subjects": [{"apiGroup": rbac, "kind": "User", "name": GKE_TRANSPORT_USER}]})
    token = secrets.token_urlsafe(24)
    cluster.authenticator.add(token, user)
    return AgentIdentity(user, token, None)
