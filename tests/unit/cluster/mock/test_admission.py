"""kube-apiserver's default admission plugins on pods and PriorityClasses (registry/admission.py,
after plugin/pkg/admission/serviceaccount, priority and defaulttolerationseconds): what a stored
pod gains, and the 403s in kube's words."""

from __future__ import annotations

from typing import Any

from emulator.cluster.mock.apiserver import MockApiserver
from emulator.cluster.mock.registry import admission

from .conftest import assert_status, call, create, deployment, pod

PODS = "/api/v1/namespaces/default/pods"
ACCOUNTS = "/api/v1/namespaces/default/serviceaccounts"
CLASSES = "/apis/scheduling.k8s.io/v1/priorityclasses"
MOUNT = {"readOnly": True, "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}
NOT_READY = {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute",
             "tolerationSeconds": 300}
UNREACHABLE = {**NOT_READY, "key": "node.kubernetes.io/unreachable"}


def with_spec(obj: dict[str, Any], **fields: Any) -> dict[str, Any]:
    obj["spec"].update(fields)
    return obj


def account(name: str, **fields: Any) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": name}, **fields}


def priority_class(name: str, value: int, **fields: Any) -> dict[str, Any]:
    return {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass",
            "metadata": {"name": name}, "value": value, **fields}


# -- ServiceAccount ------------------------------------------------------------------------------


def test_a_pod_mounts_its_accounts_token_volume_in_every_container(quiet: MockApiserver) -> None:
    sent = pod("p", "app", "sidecar")
    sent["spec"]["initContainers"] = [{"name": "init", "image": "busybox"}]
    spec = create(quiet, PODS, sent)["spec"]
    assert (spec["serviceAccountName"], spec["serviceAccount"]) == ("default", "default")
    (volume,) = spec["volumes"]
    assert volume["name"].startswith("kube-api-access-") and len(volume["name"]) == 21
    assert volume["projected"] == {
        "sources": [
            {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
            {"configMap": {"name": "kube-root-ca.crt",
                           "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
            {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {
                "apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}}],
        "defaultMode": 420}
    for container in [*spec["initContainers"], *spec["containers"]]:
        assert container["volumeMounts"] == [{"name": volume["name"], **MOUNT}]


def test_a_missing_account_is_refused_under_the_pods_name_or_generate_name(
        quiet: MockApiserver) -> None:
    reply = call(quiet, "POST", PODS, body=with_spec(pod("p"), serviceAccountName="robot"))
    assert_status(reply, 403, "Forbidden", 'pods "p" is forbidden: error looking up service '
                  'account default/robot: serviceaccount "robot" not found')
    assert reply.body["details"] == {"name": "p", "kind": "pods"}
    unnamed = with_spec(pod(""), serviceAccount="robot")  # the deprecated alias is read too
    unnamed["metadata"] = {"generateName": "job-"}
    assert_status(call(quiet, "POST", PODS, body=unnamed), 403, "Forbidden",
                  'pods "job-" is forbidden: error looking up service account default/robot: '
                  'serviceaccount "robot" not found')
    assert call(quiet, "GET", PODS).body["items"] == []


def test_the_pod_or_its_account_may_opt_out_of_the_token(quiet: MockApiserver) -> None:
    create(quiet, ACCOUNTS, account("quiet", automountServiceAccountToken=False))
    assert "volumes" not in create(quiet, PODS, with_spec(
        pod("a"), serviceAccountName="quiet"))["spec"]
    assert "volumes" not in create(quiet, PODS, with_spec(
        pod("b"), automountServiceAccountToken=False))["spec"]
    # The pod's own choice wins over its account's.
    spec = create(quiet, PODS, with_spec(pod("c"), serviceAccountName="quiet",
                                         automountServiceAccountToken=True))["spec"]
    assert spec["volumes"][0]["name"].startswith("kube-api-access-")


def test_a_container_with_its_own_mount_at_the_path_keeps_it(quiet: MockApiserver) -> None:
    sent = pod("p", "own", "plain")
    sent["spec"]["volumes"] = [{"name": "mine", "emptyDir": {}}]
    sent["spec"]["containers"][0]["volumeMounts"] = [{"name": "mine", "mountPath": MOUNT[
        "mountPath"]}]
    spec = create(quiet, PODS, sent)["spec"]
    assert spec["containers"][0]["volumeMounts"] == [{"name": "mine",
                                                      "mountPath": MOUNT["mountPath"]}]
    token = spec["volumes"][1]["name"]
    assert spec["containers"][1]["volumeMounts"] == [{"name": token, **MOUNT}]
    # A kube-api-access volume the pod already has is used, not a second one.
    again = pod("q")
    again["spec"]["volumes"] = [{"name": "kube-api-access-mine",
                                 "projected": admission.token_volume_source()}]
    spec = create(quiet, PODS, again)["spec"]
    assert [v["name"] for v in spec["volumes"]] == ["kube-api-access-mine"]
    assert spec["containers"][0]["volumeMounts"][0]["name"] == "kube-api-access-mine"


def test_the_accounts_pull_secrets_and_its_mountable_secrets(quiet: MockApiserver) -> None:
    create(quiet, ACCOUNTS, account("puller", imagePullSecrets=[{"name": "registry"}]))
    spec = create(quiet, PODS, with_spec(pod("p"), serviceAccountName="puller"))["spec"]
    assert spec["imagePullSecrets"] == [{"name": "registry"}]
    create(quiet, ACCOUNTS, {**account("strict", secrets=[{"name": "ok"}]), "metadata": {
        "name": "strict", "annotations": {admission.ENFORCE_MOUNTABLE_SECRETS: "true"}}})
    sent = with_spec(pod("q"), serviceAccountName="strict",
                     volumes=[{"name": "s", "secret": {"secretName": "other"}}])
    assert_status(call(quiet, "POST", PODS, body=sent), 403, "Forbidden",
                  'pods "q" is forbidden: volume with secret.secretName="other" is not allowed '
                  "because service account strict does not reference that secret")
    sent["spec"]["volumes"][0]["secret"]["secretName"] = "ok"
    create(quiet, PODS, sent)


def test_a_mirror_pod_is_left_alone_and_may_not_name_an_account(quiet: MockApiserver) -> None:
    mirror = pod("static", annotations={admission.MIRROR_POD: "abc"})
    spec = create(quiet, PODS, mirror)["spec"]
    assert "serviceAccountName" not in spec and "volumes" not in spec
    named = with_spec(pod("named", annotations={admission.MIRROR_POD: "abc"}),
                      serviceAccountName="default")
    assert_status(call(quiet, "POST", PODS, body=named), 403, "Forbidden",
                  'pods "named" is forbidden: a mirror pod may not reference service accounts')


# -- Priority ------------------------------------------------------------------------------------


def test_a_pods_priority_comes_from_its_class_or_the_default(quiet: MockApiserver) -> None:
    spec = create(quiet, PODS, pod("plain"))["spec"]
    assert (spec.get("priorityClassName"), spec["priority"], spec["preemptionPolicy"]) == (
        None, 0, "PreemptLowerPriority")
    create(quiet, CLASSES, priority_class("low", 10, preemptionPolicy="Never"))
    spec = create(quiet, PODS, with_spec(pod("low"), priorityClassName="low"))["spec"]
    assert (spec["priority"], spec["preemptionPolicy"]) == (10, "Never")
    create(quiet, CLASSES, priority_class("everyone", 5, globalDefault=True))
    spec = create(quiet, PODS, pod("defaulted"))["spec"]
    assert (spec["priorityClassName"], spec["priority"]) == ("everyone", 5)
    spec = create(quiet, PODS, with_spec(
        pod("system"), priorityClassName="system-node-critical"))["spec"]
    assert spec["priority"] == 2000001000


def test_a_pod_may_not_pick_its_own_priority_or_an_unknown_class(quiet: MockApiserver) -> None:
    assert_status(call(quiet, "POST", PODS, body=with_spec(pod("p"), priorityClassName="x")),
                  403, "Forbidden", 'pods "p" is forbidden: no PriorityClass with name x was found')
    assert_status(call(quiet, "POST", PODS, body=with_spec(pod("p"), priority=7)), 403,
                  "Forbidden", 'pods "p" is forbidden: the integer value of priority (7) must '
                  "not be provided in pod spec; priority admission controller computed 0 from "
                  "the given PriorityClass name")
    assert_status(call(quiet, "POST", PODS, body=with_spec(pod("p"), preemptionPolicy="Never")),
                  403, "Forbidden", 'pods "p" is forbidden: the string value of PreemptionPolicy '
                  "(Never) must not be provided in pod spec; priority admission controller "
                  "computed PreemptLowerPriority from the given PriorityClass name")
    # The computed value itself may be sent (kubectl replace of a pod read back).
    create(quiet, PODS, with_spec(pod("p"), priority=0, preemptionPolicy="PreemptLowerPriority"))


def test_an_update_keeps_the_admitted_priority_and_tolerations(quiet: MockApiserver) -> None:
    create(quiet, CLASSES, priority_class("high", 1000))
    stored = create(quiet, PODS, with_spec(pod("p"), priorityClassName="high"))
    for field in ("priority", "preemptionPolicy", "tolerations"):
        del stored["spec"][field]
    stored["metadata"]["labels"] = {"changed": "yes"}
    spec = call(quiet, "PUT", f"{PODS}/p", body=stored).body["spec"]
    assert (spec["priority"], spec["preemptionPolicy"]) == (1000, "PreemptLowerPriority")
    assert spec["tolerations"] == [NOT_READY, UNREACHABLE]


def test_only_one_priority_class_may_be_the_global_default(quiet: MockApiserver) -> None:
    create(quiet, CLASSES, priority_class("first", 1, globalDefault=True))
    second = priority_class("second", 2, globalDefault=True)
    reply = call(quiet, "POST", CLASSES, body=second)
    assert_status(reply, 403, "Forbidden", 'priorityclasses.scheduling.k8s.io "second" is '
                  "forbidden: PriorityClass first is already marked as default. Only one "
                  "default can exist")
    assert reply.body["details"] == {"name": "second", "group": "scheduling.k8s.io",
                                     "kind": "priorityclasses"}
    first = call(quiet, "GET", f"{CLASSES}/first").body
    first["description"] = "still the default"
    assert call(quiet, "PUT", f"{CLASSES}/first", body=first).status == 200


# -- DefaultTolerationSeconds --------------------------------------------------------------------


def test_the_default_tolerations_unless_the_pod_tolerates_those_taints(
        quiet: MockApiserver) -> None:
    assert create(quiet, PODS, pod("p"))["spec"]["tolerations"] == [NOT_READY, UNREACHABLE]
    own = {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute",
           "tolerationSeconds": 30}
    spec = create(quiet, PODS, with_spec(pod("q"), tolerations=[own]))["spec"]
    assert spec["tolerations"] == [own, NOT_READY]
    everything = {"operator": "Exists"}  # no key, no effect: every taint
    assert create(quiet, PODS, with_spec(pod("r"), tolerations=[everything]))["spec"][
        "tolerations"] == [everything]


# -- every writer, not only clients --------------------------------------------------------------


def test_controllers_pods_are_admitted_and_templates_only_gain_the_alias(
        api: MockApiserver) -> None:
    sent = deployment("web")
    sent["spec"]["template"]["spec"]["serviceAccount"] = "default"
    made = create(api, "/apis/apps/v1/namespaces/default/deployments", sent)
    template = made["spec"]["template"]["spec"]
    assert (template["serviceAccountName"], template["serviceAccount"]) == ("default", "default")
    assert "volumes" not in template and "tolerations" not in template
    (made_pod,) = call(api, "GET", PODS).body["items"]
    assert made_pod["spec"]["volumes"][0]["name"].startswith("kube-api-access-")
    assert made_pod["spec"]["tolerations"] == [NOT_READY, UNREACHABLE]


def test_a_replica_set_whose_account_is_missing_reports_failed_create(
        api: MockApiserver) -> None:
    sent = deployment("web")
    sent["spec"]["template"]["spec"]["serviceAccountName"] = "robot"
    create(api, "/apis/apps/v1/namespaces/default/deployments", sent)
    assert call(api, "GET", PODS).body["items"] == []
    events = call(api, "GET", "/api/v1/namespaces/default/events").body["items"]
    failed = [e for e in events if e["reason"] == "FailedCreate"]
    assert failed and failed[0]["message"].startswith('Error creating: pods "web-')
    assert failed[0]["message"].endswith('" is forbidden: error looking up service account '
                                         'default/robot: serviceaccount "robot" not found')


# -- NamespaceLifecycle --------------------------------------------------------------------------


def test_nothing_new_in_a_namespace_being_terminated(quiet: MockApiserver) -> None:
    create(quiet, "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {
        "name": "leaving", "finalizers": ["example.com/hold"]}})
    assert call(quiet, "DELETE", "/api/v1/namespaces/leaving").status == 200
    reply = call(quiet, "POST", "/api/v1/namespaces/leaving/configmaps",
                 body={"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "late"}})
    assert_status(reply, 403, "Forbidden", 'configmaps "late" is forbidden: unable to create new '
                  "content in namespace leaving because it is being terminated")
    assert reply.body["details"] == {"name": "late", "kind": "configmaps", "causes": [{
        "reason": "NamespaceTerminating", "message": "namespace leaving is being terminated",
        "field": "metadata.namespace"}]}
    deployment_reply = call(quiet, "POST", "/apis/apps/v1/namespaces/leaving/deployments",
                            body=deployment("web"))
    assert deployment_reply.body["message"].startswith('deployments.apps "web" is forbidden')


def test_fields_admission_reads_must_have_their_json_types(quiet: MockApiserver) -> None:
    for field, value, found, go_type in (
            ("serviceAccountName", ["robot"], "array", "string"),
            ("priorityClassName", 5, "number", "string"),
            ("tolerations", "x", "string", "[]v1.Toleration"),
            ("volumes", {"name": "v"}, "object", "[]v1.Volume")):
        reply = call(quiet, "POST", PODS, body=with_spec(pod("p"), **{field: value}))
        assert_status(reply, 400, "BadRequest", 'Pod in version "v1" cannot be handled as a Pod: '
                      f"json: cannot unmarshal {found} into Go struct field PodSpec.spec.{field} "
                      f"of type {go_type}")


def test_a_template_of_the_wrong_types_is_refused_with_its_deployment(
        api: MockApiserver) -> None:
    sent = deployment("web")
    sent["spec"]["template"]["spec"]["serviceAccountName"] = ["robot"]
    reply = call(api, "POST", "/apis/apps/v1/namespaces/default/deployments", body=sent)
    assert_status(reply, 400, "BadRequest", 'Deployment in version "v1" cannot be handled as a '
                  "Deployment: json: cannot unmarshal array into Go struct field "
                  "PodSpec.spec.template.spec.serviceAccountName of type string")
    assert call(api, "GET", PODS).body["items"] == []
