from __future__ import annotations

import pytest

from emulator.gateway.route import GatewayTarget, parse


def test_full_gateway_url_with_kubernetes_path() -> None:
    target = parse("/v1beta1/projects/123456789012/locations/global/memberships/my-cluster/api/v1/pods")
    assert target == GatewayTarget("v1beta1", "123456789012", "global", "memberships", "my-cluster",
                                   "/api/v1/pods")
    assert target.prefix == "/v1beta1/projects/123456789012/locations/global/memberships/my-cluster"


def test_gke_memberships_and_bare_base_url() -> None:
    target = parse("/v1/projects/1234567/locations/us-central1/gkeMemberships/gke")
    assert target is not None
    assert (target.collection, target.location, target.k8s_path) == ("gkeMemberships",
                                                                     "us-central1", "/")


@pytest.mark.parametrize("path", [
    "/",
    "/v1",
    "/v2/projects/1/locations/global/memberships/m/api",
    "/v1/projects/my-project/locations/global/memberships/m/api",
    "/v1/projects/1/locations/global/clusters/m/api",
    "/v1/project/1/locations/global/memberships/m/api",
    "/v1/projects/1/regions/global/memberships/m/api",
    "/v1/projects/1/locations//memberships/m/api",
    "/v1/projects/1/locations/global/memberships//api",
    "/v1alpha1/projects/1/memberships/m/api",
])
def test_not_gateway_urls(path: str) -> None:
    assert parse(path) is None
