"""The root-ca-cert-publisher (controllers/rootca.py, after kube's
pkg/controller/certificates/rootcacertpublisher): kube-root-ca.crt in every namespace, made
again when deleted and put back when changed, none in a namespace being terminated."""

from __future__ import annotations

from cryptography import x509

from emulator.cluster.mock.apiserver import MockApiserver
from emulator.cluster.mock.controllers import rootca

from ..conftest import call, create

NAMESPACES = "/api/v1/namespaces"


def root_ca(cluster: MockApiserver, namespace: str) -> dict:
    reply = call(cluster, "GET", f"{NAMESPACES}/{namespace}/configmaps/kube-root-ca.crt")
    assert reply.status == 200, reply.body
    return reply.body


def test_every_namespace_holds_the_clusters_ca(api: MockApiserver) -> None:
    create(api, NAMESPACES, {"metadata": {"name": "team"}})
    names = [ns["metadata"]["name"] for ns in call(api, "GET", NAMESPACES).body["items"]]
    published = {name: root_ca(api, name) for name in names}
    assert {p["data"]["ca.crt"] for p in published.values()} == {api.root_ca().decode()}
    team = published["team"]
    assert team["metadata"]["annotations"] == {rootca.DESCRIPTION_ANNOTATION: rootca.DESCRIPTION}
    assert team["metadata"]["managedFields"][0]["manager"] == "kube-controller-manager"
    certificate = x509.load_pem_x509_certificate(team["data"]["ca.crt"].encode())
    assert certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    # Each cluster has a CA of its own.
    other = MockApiserver("other", "v1.30.5", api.clock)
    try:
        assert other.root_ca() != api.root_ca()
    finally:
        other.close()


def test_deleted_it_is_made_again_and_changed_it_is_put_back(api: MockApiserver) -> None:
    first = root_ca(api, "default")
    assert call(api, "DELETE", f"{NAMESPACES}/default/configmaps/kube-root-ca.crt").status == 200
    again = root_ca(api, "default")
    assert again["metadata"]["uid"] != first["metadata"]["uid"]
    assert again["data"] == first["data"]
    changed = {**again, "data": {"ca.crt": "not a CA"},
               "metadata": {**again["metadata"], "annotations": {"team": "mine"}}}
    assert call(api, "PUT", f"{NAMESPACES}/default/configmaps/kube-root-ca.crt",
                body=changed).status == 200
    restored = root_ca(api, "default")
    assert restored["data"] == first["data"]
    assert restored["metadata"]["annotations"] == {"team": "mine",
                                                   rootca.DESCRIPTION_ANNOTATION: rootca.DESCRIPTION}


def test_none_in_a_namespace_being_terminated(api: MockApiserver) -> None:
    create(api, NAMESPACES, {"metadata": {"name": "leaving", "finalizers": ["example.com/x"]}})
    root_ca(api, "leaving")
    assert call(api, "DELETE", f"{NAMESPACES}/leaving").status == 200
    # The namespace controller emptied it; the publisher does not put its ConfigMap back.
    assert call(api, "GET", f"{NAMESPACES}/leaving/configmaps").body["items"] == []


def test_a_served_cluster_publishes_its_serving_ca(api: MockApiserver) -> None:
    before = root_ca(api, "kube-system")
    api.publish_root_ca(b"-----BEGIN CERTIFICATE-----\nserving\n-----END CERTIFICATE-----\n")
    after = root_ca(api, "kube-system")
    assert after["data"]["ca.crt"].startswith("-----BEGIN CERTIFICATE-----\nserving")
    assert int(after["metadata"]["resourceVersion"]) > int(before["metadata"]["resourceVersion"])


def test_without_controllers_there_is_no_publisher(quiet: MockApiserver) -> None:
    assert call(quiet, "GET", f"{NAMESPACES}/default/configmaps").body["items"] == []
