"""The gateway's own refusals, as real kubectl shows them (design §4, README "The request path").

kubectl's first request is discovery, and client-go's discovery client reports a failed discovery
with the HTTP code's generic text, not the Status message; the message is in the response body
that ``-v=9`` prints. Once discovery is cached, the next failure is printed with its message. Both
are checked, because both are what a user sees.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from emulator import messages
from tests.harness import KubectlRunner, Served

pytestmark = pytest.mark.contract

NO_CONNECTION = messages.NO_ACTIVE_CONNECTION.format(project_number="123456789012",
                                                     membership="{membership}")


def warm_discovery(gateway: Served, kubectl_run: KubectlRunner) -> None:
    ok = kubectl_run.run(gateway.kubeconfig(), "get", "ns")
    assert ok.returncode == 0, ok.stderr


def test_unknown_token_must_log_in(gateway: Served, kubectl_run: KubectlRunner) -> None:
    result = kubectl_run.run(gateway.kubeconfig(token="ya29.not-a-real-token"), "get", "ns")
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == (
        "error: You must be logged in to the server "
        "(the server has asked for the client to provide credentials)")


def test_unknown_token_after_discovery_shows_google_message(gateway: Served,
                                                           kubectl_run: KubectlRunner) -> None:
    warm_discovery(gateway, kubectl_run)
    result = kubectl_run.run(gateway.kubeconfig(token="ya29.expired-or-unknown"), "get", "pods")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"error: You must be logged in to the server ({messages.UNAUTHENTICATED})")


def test_missing_token_is_a_401_status(gateway: Served) -> None:
    # kubectl prompts for a username when its kubeconfig has no credentials, so ask directly.
    request = urllib.request.Request(gateway.url + gateway.server_path("my-cluster") + "/api")
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, context=gateway.tls_context())
    assert caught.value.code == 401
    status = json.loads(caught.value.read())
    assert (status["kind"], status["reason"], status["message"]) == (
        "Status", "Unauthorized", messages.UNAUTHENTICATED)


@pytest.mark.parametrize("server_path", [
    # the project ID where the number belongs (a hand-edited kubeconfig)
    "/v1/projects/my-project/locations/global/memberships/my-cluster",
    # a track that does not exist
    "/v2/projects/123456789012/locations/global/memberships/my-cluster",
    # a collection that does not exist
    "/v1/projects/123456789012/locations/global/clusters/my-cluster",
    # a project number that is not the fleet host project
    "/v1/projects/999999999999/locations/global/memberships/my-cluster",
    # the gateway URL without a location (the old alpha shape)
    "/v1alpha1/projects/123456789012/memberships/my-cluster",
])
def test_not_a_gateway_url_is_googles_404_page(gateway: Served, kubectl_run: KubectlRunner,
                                               server_path: str) -> None:
    result = kubectl_run.run(gateway.kubeconfig(server_path=server_path), "get", "ns", "-v=9")
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == (
        "Error from server (NotFound): the server could not find the requested resource")
    assert f"The requested URL <code>{server_path}/api</code> was not found on this server" \
        in result.stderr.replace("\\u003c", "<").replace("\\u003e", ">")


def test_unknown_url_html_page_over_plain_https(gateway: Served) -> None:
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(f"{gateway.url}/no/such/page", context=gateway.tls_context())
    assert caught.value.code == 404
    assert caught.value.headers["content-type"].startswith("text/html")
    page = caught.value.read().decode()
    assert "<title>Error 404 (Not Found)!!1</title>" in page
    assert "The requested URL <code>/no/such/page</code> was not found on this server." in page


@pytest.mark.parametrize("membership", ["no-such-cluster"])
def test_unknown_membership_has_no_active_connection(gateway: Served, kubectl_run: KubectlRunner,
                                                     membership: str) -> None:
    config = gateway.kubeconfig(server_path=(
        f"/v1/projects/123456789012/locations/global/memberships/{membership}"))
    result = kubectl_run.run(config, "get", "ns", "-v=9")
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == (
        "Error from server (BadRequest): the server rejected our request for an unknown reason")
    assert NO_CONNECTION.format(membership=membership) in result.stderr


def test_disconnected_agent_after_discovery_prints_the_message(gateway: Served,
                                                               kubectl_run: KubectlRunner) -> None:
    warm_discovery(gateway, kubectl_run)
    gateway.state.membership("my-cluster").connected = False
    result = kubectl_run.run(gateway.kubeconfig(), "get", "pods")
    assert result.returncode == 1
    printed = result.stderr.strip()
    # kubectl 1.27 and 1.28 put 'Unable to list "/v1, Resource=pods": ' before the message.
    assert printed.startswith("Error from server (BadRequest): ")
    assert printed.endswith(NO_CONNECTION.format(membership="my-cluster"))


@pytest.mark.parametrize("server_path", [
    # a GKE cluster addressed through memberships/ instead of gkeMemberships/
    "/v1/projects/123456789012/locations/us-central1/memberships/gke-cluster",
    # an attached cluster under the wrong location
    "/v1/projects/123456789012/locations/us-east1/memberships/my-cluster",
])
def test_wrong_collection_or_location_has_no_active_connection(
        gateway: Served, kubectl_run: KubectlRunner, server_path: str) -> None:
    result = kubectl_run.run(gateway.kubeconfig(server_path=server_path), "get", "ns", "-v=9")
    assert result.returncode == 1
    membership = server_path.rsplit("/", 1)[1]
    assert NO_CONNECTION.format(membership=membership) in result.stderr


def test_gke_cluster_is_served_under_gke_memberships(gateway: Served,
                                                     kubectl_run: KubectlRunner) -> None:
    result = kubectl_run.run(gateway.kubeconfig("gke-cluster"), "get", "ns", "-o", "name")
    assert result.returncode == 0, result.stderr
    assert "namespace/default" in result.stdout.split()
    # GKE clusters run no Connect Agent unless asked to.
    assert "namespace/gke-connect" not in result.stdout.split()


def test_client_impersonation_is_refused(gateway: Served, kubectl_run: KubectlRunner) -> None:
    warm_discovery(gateway, kubectl_run)
    result = kubectl_run.run(gateway.kubeconfig(), "get", "pods", "--as", "bob@example.com")
    assert result.returncode == 1
    assert result.stderr.strip() == "Error from server (Forbidden): " + (
        messages.IMPERSONATION_HEADER_REFUSED.format(header="Impersonate-User",
                                                     principal="alice@example.com"))
