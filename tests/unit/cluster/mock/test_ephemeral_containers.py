"""pods/ephemeralcontainers as kube serves it (EphemeralContainersREST and
podEphemeralContainersStrategy): read as the pod; a strategic merge patch (what every kubectl
debug sends), a JSON merge patch, a JSON patch or a PUT changes only spec.ephemeralContainers;
kube's rules refuse the rest with its words; the fake kubelet then starts the new container, and
exec and attach reach it."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from emulator import messages
from emulator.clock import FakeClock, rfc3339
from emulator.cluster.mock.apiserver import MockApiserver
from emulator.cluster.mock.auth.identity import UserInfo
from emulator.cluster.mock.node.streams import V5, ChannelSession
from tests.unit.cluster.mock.conftest import (
    Reply,
    assert_status,
    call,
    create,
    pod,
    request,
    run,
)

PODS = "/api/v1/namespaces/default/pods"
EPHEMERAL = f"{PODS}/web/ephemeralcontainers"
STRATEGIC = "application/strategic-merge-patch+json"
MERGE = "application/merge-patch+json"
JSON_PATCH = "application/json-patch+json"
# What kubectl debug web --image=busybox:1.36 -c debugger --target=main -- sleep 3600 sends, from
# kubectl 1.27 to 1.33 alike (captured with -v=9).
KUBECTL_DEBUG_PATCH = {"spec": {"ephemeralContainers": [{
    "command": ["sleep", "3600"], "image": "busybox:1.36", "name": "debugger", "resources": {},
    "targetContainerName": "main", "terminationMessagePolicy": "File"}]}}
DEBUGGER_STORED = {"command": ["sleep", "3600"], "image": "busybox:1.36", "name": "debugger",
                   "resources": {}, "targetContainerName": "main",
                   "terminationMessagePolicy": "File", "imagePullPolicy": "IfNotPresent",
                   "terminationMessagePath": "/dev/termination-log"}


@pytest.fixture
def web(api: MockApiserver) -> dict[str, Any]:
    """The pod as the kubelet started it (the create's answer is still Pending)."""
    create(api, PODS, pod("web", "main"))
    return call(api, "GET", f"{PODS}/web").body


def debug(api: MockApiserver, container: dict[str, Any] | None = None) -> Reply:
    body = KUBECTL_DEBUG_PATCH if container is None else {
        "spec": {"ephemeralContainers": [container]}}
    return call(api, "PATCH", EPHEMERAL, body=body, content_type=STRATEGIC)


def stored(api: MockApiserver) -> dict[str, Any]:
    reply = call(api, "GET", f"{PODS}/web")
    assert reply.status == 200, reply.body
    return dict(reply.body)


def invalid(reply: Reply, *causes: tuple[str, str, str]) -> None:
    """A 422 naming the pod, with kube's message and one cause per (reason, field, message)."""
    texts = list(dict.fromkeys(f"{field}: {text}" for _, field, text in causes))
    joined = texts[0] if len(texts) == 1 else "[" + ", ".join(texts) + "]"
    assert_status(reply, 422, "Invalid", f'Pod "web" is invalid: {joined}')
    assert reply.body["details"] == {"name": "web", "kind": "Pod", "causes": [
        {"reason": reason, "message": text, **({"field": field} if field else {})}
        for reason, field, text in causes]}


# -- reading and the three patch types ------------------------------------------------------------


def test_get_reads_the_pod(api: MockApiserver, web: dict[str, Any]) -> None:
    assert call(api, "GET", EPHEMERAL).body == stored(api)


def test_kubectl_debug_adds_a_defaulted_ephemeral_container(api: MockApiserver,
                                                            web: dict[str, Any]) -> None:
    reply = debug(api)
    assert reply.status == 200, reply.body
    assert reply.body["spec"]["ephemeralContainers"] == [DEBUGGER_STORED]
    # The answer is the write's: the kubelet starts the container after it, as in kube.
    assert "ephemeralContainerStatuses" not in reply.body["status"]
    assert reply.body["spec"]["containers"] == web["spec"]["containers"]


def test_the_kubelet_starts_the_new_container(api: MockApiserver, clock: FakeClock,
                                              web: dict[str, Any]) -> None:
    clock.advance(90)
    written = debug(api).body
    now = stored(api)
    assert now["status"]["ephemeralContainerStatuses"] == [{
        "name": "debugger", "image": "busybox:1.36", "imageID": "",
        "containerID": f"fake://{web['metadata']['uid']}/debugger", "ready": False,
        "restartCount": 0, "state": {"running": {"startedAt": rfc3339(clock.now())}}}]
    # Two writes, as a real cluster makes them: the apiserver's, then the kubelet's status.
    assert int(now["metadata"]["resourceVersion"]) > int(written["metadata"]["resourceVersion"])
    assert now["status"]["containerStatuses"] == web["status"]["containerStatuses"]


def test_a_second_debug_container_keeps_the_first(api: MockApiserver, clock: FakeClock,
                                                  web: dict[str, Any]) -> None:
    debug(api)
    first_started = stored(api)["status"]["ephemeralContainerStatuses"][0]
    clock.advance(60)
    reply = debug(api, {"name": "second", "image": "busybox:latest", "stdin": True, "tty": True})
    assert reply.status == 200, reply.body
    names = [c["name"] for c in reply.body["spec"]["ephemeralContainers"]]
    assert names == ["debugger", "second"]
    assert reply.body["spec"]["ephemeralContainers"][1]["imagePullPolicy"] == "Always"
    statuses = stored(api)["status"]["ephemeralContainerStatuses"]
    assert statuses[0] == first_started
    assert statuses[1]["state"] == {"running": {"startedAt": rfc3339(clock.now())}}


def test_a_json_merge_patch_sets_the_whole_list(api: MockApiserver, web: dict[str, Any]) -> None:
    reply = call(api, "PATCH", EPHEMERAL, body=KUBECTL_DEBUG_PATCH, content_type=MERGE)
    assert reply.status == 200, reply.body
    assert reply.body["spec"]["ephemeralContainers"] == [DEBUGGER_STORED]


def test_a_json_patch_appends_to_the_list(api: MockApiserver, web: dict[str, Any]) -> None:
    debug(api)
    operations = [{"op": "add", "path": "/spec/ephemeralContainers/-",
                   "value": {"name": "shell", "image": "busybox:1.36"}}]
    reply = call(api, "PATCH", EPHEMERAL, body=operations, content_type=JSON_PATCH)
    assert reply.status == 200, reply.body
    assert [c["name"] for c in reply.body["spec"]["ephemeralContainers"]] == ["debugger",
                                                                            "shell"]
    assert [s["name"] for s in stored(api)["status"]["ephemeralContainerStatuses"]] == [
        "debugger", "shell"]


def test_a_put_of_the_pod_adds_the_container(api: MockApiserver, web: dict[str, Any]) -> None:
    current = call(api, "GET", EPHEMERAL).body
    current["spec"]["ephemeralContainers"] = [{"name": "debugger", "image": "busybox:1.36"}]
    reply = call(api, "PUT", EPHEMERAL, body=current)
    assert reply.status == 200, reply.body
    assert reply.body["spec"]["ephemeralContainers"][0]["terminationMessagePolicy"] == "File"


def test_everything_but_the_ephemeral_containers_is_dropped(api: MockApiserver,
                                                            web: dict[str, Any]) -> None:
    # dropNonEphemeralContainerUpdates: labels, containers and status stay as stored.
    patch = {"metadata": {"labels": {"debugged": "yes"}},
             "spec": {"containers": [{"name": "main", "image": "example.com/other:2"}],
                      "ephemeralContainers": KUBECTL_DEBUG_PATCH["spec"]["ephemeralContainers"]},
             "status": {"phase": "Failed"}}
    reply = call(api, "PATCH", EPHEMERAL, body=patch, content_type=STRATEGIC)
    assert reply.status == 200, reply.body
    after = stored(api)
    assert after["metadata"].get("labels") == web["metadata"].get("labels")
    assert after["spec"]["containers"] == web["spec"]["containers"]
    assert after["status"]["phase"] == "Running"
    assert after["spec"]["ephemeralContainers"] == [DEBUGGER_STORED]


def test_the_same_container_sent_again_changes_nothing(api: MockApiserver,
                                                       web: dict[str, Any]) -> None:
    debug(api)
    before = stored(api)
    again = debug(api)
    assert again.status == 200, again.body
    assert stored(api)["metadata"]["resourceVersion"] == before["metadata"]["resourceVersion"]


def test_dry_run_stores_and_starts_nothing(api: MockApiserver, web: dict[str, Any]) -> None:
    reply = call(api, "PATCH", EPHEMERAL, "dryRun=All", body=KUBECTL_DEBUG_PATCH,
                 content_type=STRATEGIC)
    assert reply.status == 200, reply.body
    assert reply.body["spec"]["ephemeralContainers"] == [DEBUGGER_STORED]
    after = stored(api)
    assert "ephemeralContainers" not in after["spec"]
    assert "ephemeralContainerStatuses" not in after["status"]


def test_a_stale_resource_version_conflicts(api: MockApiserver, web: dict[str, Any]) -> None:
    old = call(api, "GET", EPHEMERAL).body
    debug(api)
    old["spec"]["ephemeralContainers"] = [{"name": "late", "image": "busybox:1.36"}]
    assert call(api, "PUT", EPHEMERAL, body=old).status == 409


def test_server_side_apply_is_refused_before_the_pod_is_read(api: MockApiserver) -> None:
    reply = call(api, "PATCH", EPHEMERAL, body={}, content_type="application/apply-patch+yaml")
    assert reply.status == 415
    assert reply.body["message"] == messages.K8S_SERVER_SIDE_APPLY_UNSUPPORTED


def test_a_missing_pod_is_not_found(api: MockApiserver) -> None:
    assert_status(debug(api), 404, "NotFound", 'pods "web" not found')


# -- kube's rules ---------------------------------------------------------------------------------


def test_an_existing_ephemeral_container_may_not_be_removed(api: MockApiserver,
                                                            web: dict[str, Any]) -> None:
    debug(api)
    reply = call(api, "PATCH", EPHEMERAL, body={"spec": {"ephemeralContainers": None}},
                 content_type=MERGE)
    invalid(reply, ("FieldValueForbidden", "spec.ephemeralContainers",
                    'Forbidden: existing ephemeral containers "debugger" may not be removed\n'))
    assert reply.body["message"] == (
        'Pod "web" is invalid: spec.ephemeralContainers: Forbidden: existing ephemeral '
        'containers "debugger" may not be removed\n')
    assert stored(api)["spec"]["ephemeralContainers"] == [DEBUGGER_STORED]


def test_an_existing_ephemeral_container_may_not_be_changed(api: MockApiserver,
                                                            web: dict[str, Any]) -> None:
    debug(api)
    changed = {**DEBUGGER_STORED, "command": ["sleep", "1"]}
    reply = call(api, "PATCH", EPHEMERAL, body={"spec": {"ephemeralContainers": [changed]}},
                 content_type=MERGE)
    assert reply.status == 422, reply.body
    prefix = ('Pod "web" is invalid: spec.ephemeralContainers: Forbidden: existing ephemeral '
              'containers "debugger" may not be changed\n')
    assert reply.body["message"].startswith(prefix)
    assert '- command: ["sleep","3600"]' in reply.body["message"]
    assert '+ command: ["sleep","1"]' in reply.body["message"]


def test_defaults_do_not_count_as_a_change(api: MockApiserver, web: dict[str, Any]) -> None:
    debug(api)
    sent = {k: v for k, v in DEBUGGER_STORED.items()
            if k not in ("imagePullPolicy", "terminationMessagePath")}
    reply = call(api, "PATCH", EPHEMERAL, body={"spec": {"ephemeralContainers": [
        {**sent, "stdin": False}]}}, content_type=MERGE)
    assert reply.status == 200, reply.body


@pytest.mark.parametrize("name", ["main", "setup"])
def test_a_name_may_not_be_a_container_s(api: MockApiserver, name: str) -> None:
    with_init = pod("web", "main")
    with_init["spec"]["initContainers"] = [{"name": "setup", "image": "busybox:1.36"}]
    create(api, PODS, with_init)
    invalid(debug(api, {"name": name, "image": "busybox:1.36"}),
            ("FieldValueDuplicate", "spec.ephemeralContainers[0].name",
             f'Duplicate value: "{name}"'))


def test_two_new_containers_may_not_share_a_name(api: MockApiserver, web: dict[str, Any]) -> None:
    reply = call(api, "PATCH", EPHEMERAL, body={"spec": {"ephemeralContainers": [
        {"name": "twin", "image": "busybox:1.36"}, {"name": "twin", "image": "alpine:3"}]}},
        content_type=MERGE)
    invalid(reply, ("FieldValueDuplicate", "spec.ephemeralContainers[1].name",
                    'Duplicate value: "twin"'))


def test_the_target_must_be_a_container(api: MockApiserver, web: dict[str, Any]) -> None:
    debug(api)
    # Neither an unknown name nor another ephemeral container will do.
    reply = call(api, "PATCH", EPHEMERAL, body={"spec": {"ephemeralContainers": [
        DEBUGGER_STORED, {"name": "a", "image": "busybox:1.36", "targetContainerName": "nope"},
        {"name": "b", "image": "busybox:1.36", "targetContainerName": "debugger"}]}},
        content_type=MERGE)
    invalid(reply,
            ("FieldValueNotFound", "spec.ephemeralContainers[1].targetContainerName",
             'Not found: "nope"'),
            ("FieldValueNotFound", "spec.ephemeralContainers[2].targetContainerName",
             'Not found: "debugger"'))


def test_fields_kube_keeps_from_ephemeral_containers_are_forbidden(api: MockApiserver,
                                                                   web: dict[str, Any]) -> None:
    probe = {"exec": {"command": ["true"]}}
    reply = debug(api, {
        "name": "debugger", "image": "busybox:1.36", "ports": [{"containerPort": 80}],
        "resources": {"limits": {"cpu": "1"}}, "livenessProbe": probe, "readinessProbe": probe,
        "startupProbe": probe, "lifecycle": {"preStop": {"exec": {"command": ["true"]}}},
        "volumeMounts": [{"name": "data", "mountPath": "/data", "subPath": "x"}]})
    forbidden = "Forbidden: cannot be set for an Ephemeral Container"
    at = "spec.ephemeralContainers[0]"
    invalid(reply, *[("FieldValueForbidden", f"{at}.{name}", forbidden) for name in (
        "ports", "resources", "livenessProbe", "readinessProbe", "startupProbe", "lifecycle",
        "volumeMounts[0].subPath")])
    assert "ephemeralContainers" not in stored(api)["spec"]


def test_empty_resources_are_no_resources(api: MockApiserver, web: dict[str, Any]) -> None:
    # kubectl sends "resources": {}, Go's zero ResourceRequirements.
    assert debug(api, {"name": "debugger", "image": "busybox:1.36", "resources": {
        "limits": None}}).status == 200


@pytest.mark.parametrize(("name", "reason", "text"), [
    ("", "FieldValueRequired", "Required value"),
    ("Debug_1", "FieldValueInvalid",
     'Invalid value: "Debug_1": ' + messages.K8S_DNS_LABEL_DETAIL),
])
def test_a_name_is_a_dns_label(api: MockApiserver, web: dict[str, Any], name: str, reason: str,
                               text: str) -> None:
    invalid(debug(api, {"name": name, "image": "busybox:1.36"}),
            (reason, "spec.ephemeralContainers[0].name", text))


def test_an_image_is_required(api: MockApiserver, web: dict[str, Any]) -> None:
    invalid(debug(api, {"name": "debugger"}),
            ("FieldValueRequired", "spec.ephemeralContainers[0].image", "Required value"))


def test_a_static_pod_takes_no_ephemeral_container(api: MockApiserver) -> None:
    create(api, PODS, pod("web", "main", annotations={"kubernetes.io/config.mirror": "abc"}))
    invalid(debug(api), ("FieldValueForbidden", "",
                         "Forbidden: static pods do not support ephemeral containers"))


def test_a_list_that_is_not_a_list_of_containers_is_a_bad_request(api: MockApiserver,
                                                                   web: dict[str, Any]) -> None:
    reply = call(api, "PATCH", EPHEMERAL, body={"spec": {"ephemeralContainers": "debugger"}},
                 content_type=MERGE)
    assert_status(reply, 400, "BadRequest", messages.K8S_BODY_NOT_OBJECT.format(
        detail="spec.ephemeralContainers"))


def test_a_pod_that_is_not_running_gets_no_started_container(api: MockApiserver) -> None:
    api.seed({**pod("web", "main"), "metadata": {"name": "web", "namespace": "default"},
              "status": {"phase": "Pending"}})
    assert debug(api).status == 200
    assert "ephemeralContainerStatuses" not in stored(api)["status"]


def test_a_seeded_running_pod_has_its_ephemeral_containers_started(api: MockApiserver) -> None:
    seeded = pod("web", "main")
    seeded["metadata"]["namespace"] = "default"
    seeded["spec"]["ephemeralContainers"] = [{"name": "debugger", "image": "busybox:1.36"}]
    api.seed(seeded)
    assert [s["name"] for s in stored(api)["status"]["ephemeralContainerStatuses"]] == [
        "debugger"]


# -- RBAC: patch and update on pods/ephemeralcontainers -------------------------------------------


ERIN = UserInfo("erin@example.com", ("system:authenticated",))


@pytest.fixture
def erin(api: MockApiserver) -> str:
    """A user with the edit ClusterRole, which has no pods/ephemeralcontainers."""
    api.authenticator.add("erin-token", ERIN)
    api.seed({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
              "metadata": {"name": "erin-edit"},
              "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                          "name": "edit"},
              "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User",
                            "name": ERIN.name}]})
    return "erin-token"


def grant(api: MockApiserver, *verbs: str) -> None:
    api.seed({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
              "metadata": {"name": "debugger", "namespace": "default"},
              "rules": [{"apiGroups": [""], "resources": ["pods/ephemeralcontainers"],
                         "verbs": list(verbs)}]})
    api.seed({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
              "metadata": {"name": "debugger", "namespace": "default"},
              "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role",
                          "name": "debugger"},
              "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User",
                            "name": ERIN.name}]})


def forbidden(verb: str) -> str:
    return (f'pods "web" is forbidden: User "erin@example.com" cannot {verb} resource '
            '"pods/ephemeralcontainers" in API group "" in the namespace "default"')


def test_edit_may_not_add_ephemeral_containers(api: MockApiserver, web: dict[str, Any],
                                               erin: str) -> None:
    assert call(api, "GET", f"{PODS}/web", token=erin).status == 200
    reply = call(api, "PATCH", EPHEMERAL, body=KUBECTL_DEBUG_PATCH, content_type=STRATEGIC,
                 token=erin)
    assert_status(reply, 403, "Forbidden", forbidden("patch"))
    assert reply.body["details"] == {"name": "web", "kind": "pods"}


def test_patch_and_update_are_authorized_apart(api: MockApiserver, web: dict[str, Any],
                                               erin: str) -> None:
    grant(api, "patch")
    patched = call(api, "PATCH", EPHEMERAL, body=KUBECTL_DEBUG_PATCH, content_type=STRATEGIC,
                   token=erin)
    assert patched.status == 200, patched.body
    body = call(api, "GET", EPHEMERAL).body
    body["spec"]["ephemeralContainers"].append({"name": "second", "image": "busybox:1.36"})
    assert_status(call(api, "PUT", EPHEMERAL, body=body, token=erin), 403, "Forbidden",
                  forbidden("update"))


# -- exec and attach reach the ephemeral container ----------------------------------------------


def stream(api: MockApiserver, subresource: str, query: str, stdin: bytes = b"") -> list[bytes]:
    """Open an exec or attach session on pod web and collect what it sends."""
    async def go() -> list[bytes]:
        session = await api.open_stream(request("GET", f"{PODS}/web/{subresource}", query),
                                        [V5])
        assert isinstance(session, ChannelSession), session
        if stdin:
            await session.send(b"\x00" + stdin)
        await session.send(b"\xff\x00")  # v5: stdin is closed
        frames = []
        while (frame := await asyncio.wait_for(session.receive(), 10)) is not None:
            assert isinstance(frame, bytes)
            frames.append(frame)
        return frames
    return run(go())


def test_exec_runs_in_the_debug_container(api: MockApiserver, web: dict[str, Any]) -> None:
    debug(api)
    frames = stream(api, "exec", "command=sh&command=-c&command=echo hi > /tmp/f; cat /tmp/f"
                    "&container=debugger&stdout=true&stderr=true")
    assert frames[0] == b"\x01hi\n"
    assert json.loads(frames[-1][1:]) == {"metadata": {}, "status": "Success"}
    # A sandbox of its own: the pod's main container has no such file.
    main = stream(api, "exec", "command=cat&command=/tmp/f&container=main&stdout=true"
                  "&stderr=true")
    assert json.loads(main[-1][1:])["status"] == "Failure"


def test_attach_reaches_the_debug_container_s_process(api: MockApiserver,
                                                      web: dict[str, Any]) -> None:
    debug(api, {"name": "debugger", "image": "busybox:1.36", "command": ["sh"], "stdin": True})
    frames = stream(api, "attach", "container=debugger&stdin=true&stdout=true&stderr=true",
                    b"echo hi-from-$HOSTNAME\nexit 3\n")
    assert frames[0] == b"\x01hi-from-web\n"
    # The kubelet ends an attach with Success, whatever the process's exit code.
    assert json.loads(frames[-1][1:]) == {"metadata": {}, "status": "Success"}


def test_exec_reaches_an_init_container(api: MockApiserver) -> None:
    with_init = pod("web", "main")
    with_init["spec"]["initContainers"] = [{"name": "setup", "image": "busybox:1.36"}]
    create(api, PODS, with_init)
    frames = stream(api, "exec", "command=hostname&container=setup&stdout=true")
    assert frames[0] == b"\x01web\n"


def test_exec_into_a_container_the_pod_lacks_is_refused(api: MockApiserver,
                                                        web: dict[str, Any]) -> None:
    async def go() -> Any:
        return await api.open_stream(request(
            "GET", f"{PODS}/web/exec", "command=true&container=debugger&stdout=true"), [V5])
    answer = run(go())
    assert answer.status == 400
    assert json.loads(answer.body)["message"] == messages.K8S_EXEC_CONTAINER_NOT_FOUND.format(
        container="debugger", pod="web")
