"""One Event, two APIs: kube serves events.k8s.io/v1 from the core Events' storage, so real kubectl
reads an Event written through either API through both, with each API's field names and field
selector labels (pkg/apis/events/v1/conversion.go)."""

from __future__ import annotations

import json

import pytest

from tests.harness import KubectlRunner, Served

pytestmark = pytest.mark.contract

EVENT_V1 = """\
apiVersion: events.k8s.io/v1
kind: Event
metadata:
  name: synced-web
  namespace: default
eventTime: "2026-12-07T10:00:00.000000Z"
reportingController: example.com/reconciler
reportingInstance: reconciler-1
action: Reconcile
reason: Synced
note: web is in sync
type: Normal
regarding:
  apiVersion: v1
  kind: Pod
  name: web
  namespace: default
"""


def test_an_event_written_through_events_v1_is_a_core_event(gateway: Served,
                                                            kubectl_run: KubectlRunner) -> None:
    kubeconfig = gateway.kubeconfig()
    created = kubectl_run.run(kubeconfig, "create", "-f", "-", stdin=EVENT_V1)
    assert created.returncode == 0, created.stderr
    assert created.stdout.strip() == "event.events.k8s.io/synced-web created"

    core = kubectl_run.run(kubeconfig, "get", "event", "synced-web", "-o", "json")
    assert core.returncode == 0, core.stderr
    event = json.loads(core.stdout)
    assert event["apiVersion"] == "v1"
    assert (event["message"], event["reportingComponent"]) == (
        "web is in sync", "example.com/reconciler")
    assert event["involvedObject"] == {"apiVersion": "v1", "kind": "Pod", "name": "web",
                                       "namespace": "default"}
    # The core struct's fields that are written even when zero.
    assert (event["source"], event["firstTimestamp"], event["lastTimestamp"]) == ({}, None, None)

    listed = kubectl_run.run(kubeconfig, "events", "--for", "pod/web")
    assert listed.returncode == 0, listed.stderr
    assert any("Synced" in line and "web is in sync" in line
               for line in listed.stdout.splitlines()), listed.stdout

    deleted = kubectl_run.run(kubeconfig, "delete", "event", "synced-web")
    assert deleted.returncode == 0, deleted.stderr
    gone = kubectl_run.run(kubeconfig, "get", "events.events.k8s.io", "synced-web")
    assert gone.returncode == 1
    assert 'events.events.k8s.io "synced-web" not found' in gone.stderr


def test_the_clusters_own_events_read_through_events_v1(gateway: Served,
                                                        newest: KubectlRunner) -> None:
    """The kubelet writes core Events; through events.k8s.io they carry that API's names, with
    eventTime null (they were never given one), and its field labels select them."""
    kubeconfig = gateway.kubeconfig()
    found = newest.run(kubeconfig, "get", "events.events.k8s.io", "-o", "json",
                       "--field-selector", "regarding.name=web,reason=Started,source=kubelet")
    assert found.returncode == 0, found.stderr
    items = json.loads(found.stdout)["items"]
    assert len(items) == 1, items
    started = items[0]
    assert started["apiVersion"] == "events.k8s.io/v1"
    assert started["regarding"]["name"] == "web"
    assert started["note"].startswith("Started container")
    assert started["deprecatedSource"]["component"] == "kubelet"
    assert started["deprecatedCount"] == 1
    assert started["eventTime"] is None
    assert not {"involvedObject", "message", "source", "count"} & started.keys()


def test_each_api_takes_its_own_field_labels(gateway: Served, newest: KubectlRunner) -> None:
    kubeconfig = gateway.kubeconfig()
    assert newest.run(kubeconfig, "create", "-f", "-", stdin=EVENT_V1).returncode == 0
    core_label = newest.run(kubeconfig, "get", "events.events.k8s.io",
                            "--field-selector", "involvedObject.name=web")
    assert core_label.returncode == 1
    assert "field label not supported: involvedObject.name" in core_label.stderr
    v1_label = newest.run(kubeconfig, "get", "events", "--field-selector", "regarding.name=web")
    assert v1_label.returncode == 1
    assert "field label not supported: regarding.name" in v1_label.stderr

    # The core "source" label is the source's component, else the reporting controller: an
    # Event written through events.k8s.io has no source.
    by_source = newest.run(kubeconfig, "get", "events", "-o", "name",
                           "--field-selector", "source=example.com/reconciler")
    assert by_source.returncode == 0, by_source.stderr
    assert by_source.stdout.split() == ["event/synced-web"]
    by_controller = newest.run(kubeconfig, "get", "events.events.k8s.io", "-o", "name",
                               "--field-selector", "reportingController=example.com/reconciler")
    assert by_controller.stdout.split() == ["event.events.k8s.io/synced-web"], by_controller.stderr


def test_an_event_without_a_reporter_is_refused_as_kube_refuses_it(
        gateway: Served, newest: KubectlRunner) -> None:
    """events.k8s.io/v1 wants what a new Event says of itself (pkg/apis/core/validation)."""
    nameless = EVENT_V1.replace("reportingController: example.com/reconciler\n", "") \
        .replace("name: synced-web", "name: unreported")
    refused = newest.run(gateway.kubeconfig(), "create", "-f", "-", stdin=nameless)
    assert refused.returncode == 1
    assert refused.stderr.startswith('The Event "unreported" is invalid: \n'
                                     "* reportingController: Required value\n"), refused.stderr
    assert "name part must be non-empty" in refused.stderr
