"""Scenario files: the built-in quickstart, and every mistake reported as file:line."""

from __future__ import annotations

import errno
import json
import math
import os
from pathlib import Path

import pytest

from emulator import limits, messages
from emulator.clock import FakeClock
from emulator.cluster.mock.controllers.settings import ControllerSettings, Delays, ImageRule
from emulator.scenario import loader
from emulator.scenario.model import MulticloudSpec
from emulator.state import EmulatorState, build_world

VALID = """\
project: {id: p, number: "123456789012"}
principals:
  - user: a@example.com
    token: t-a
memberships:
  - name: c1
    kubernetes_version: v1.30.1
"""


def parse(text: str) -> loader.Scenario:
    return loader.parse(text, Path("s.yaml"))


def error_of(text: str) -> str:
    with pytest.raises(loader.ScenarioError) as caught:
        scenario = parse(text)
        build_world(scenario, FakeClock())
    return str(caught.value)


def test_quickstart_is_the_product_page_world() -> None:
    scenario = loader.load("quickstart")
    assert (scenario.project_id, scenario.project_number) == ("my-project", "123456789012")
    kinds = {m.name: (m.location, m.collection, m.kubernetes_version) for m in scenario.memberships}
    assert kinds == {"my-cluster": ("global", "memberships", "v1.30.5"),
                     "old-cluster": ("global", "memberships", "v1.29.8"),
                     "gke-cluster": ("us-central1", "gkeMemberships", "v1.31.2"),
                     "aws-cluster": ("global", "memberships", "v1.30.5"),
                     "azure-cluster": ("global", "memberships", "v1.31.2")}
    multicloud = {m.name: (m.cluster_type, m.multicloud) for m in scenario.memberships
                  if m.multicloud is not None}
    assert multicloud == {
        "my-cluster": ("attached", MulticloudSpec("us-west1")),
        "aws-cluster": ("aws", MulticloudSpec("us-east4", ("pool-0",))),
        "azure-cluster": ("azure", MulticloudSpec("us-east4", ("pool-0",)))}
    assert {p.email for p in scenario.principals} == {
        "alice@example.com", "bob@example.com", "carol@example.com", "dave@example.com",
        "erin@example.com", "ci-bot@my-project.iam.gserviceaccount.com"}
    assert {g.email: g.members for g in scenario.groups} == {
        "sre@example.com": ("group:oncall@example.com",),
        "oncall@example.com": ("user:erin@example.com",)}
    roles = {(b.role, b.resource): b.members for b in scenario.iam}
    assert roles[("roles/gkehub.gatewayAdmin", "")] == (
        "user:alice@example.com", "serviceAccount:ci-bot@my-project.iam.gserviceaccount.com")
    assert roles[("roles/gkemulticloud.viewer", "")] == roles[("roles/gkehub.viewer", "")]
    assert "user:bob@example.com" not in roles[("roles/gkemulticloud.viewer", "")]
    assert roles[("roles/iam.serviceAccountTokenCreator",
                  "serviceAccount:ci-bot@my-project.iam.gserviceaccount.com")] == (
        "user:alice@example.com",)


def test_quickstart_world_has_agent_on_all_but_the_gke_cluster() -> None:
    state = EmulatorState(loader.load("quickstart"), FakeClock())
    for name, has_agent in [("my-cluster", True), ("old-cluster", True), ("gke-cluster", False),
                            ("aws-cluster", True), ("azure-cluster", True)]:
        store = state.membership(name).cluster.store
        assert (store.get(("", "namespaces"), "", "gke-connect") is not None) is has_agent
        assert store.get(("", "pods"), "default", "web") is not None


def test_valid_minimal_scenario_defaults() -> None:
    membership = parse(VALID).memberships[0]
    assert (membership.location, membership.cluster_type, membership.connected,
            membership.agent_installed) == ("global", "attached", True, True)


@pytest.mark.parametrize(("text", "expected"), [
    (VALID + "extra: 1\n", "s.yaml:8: unknown key 'extra' in the scenario"),
    (VALID.replace("    kubernetes_version", "    kubernetes_versoin"),
     "s.yaml:7: unknown key 'kubernetes_versoin' in a membership"),
    (VALID.replace('"123456789012"', "my-project"),
     "s.yaml:1: 'number' in project is 'my-project': "
     + messages.SCENARIO_HINT_PROJECT_NUMBER),
    (VALID.replace("v1.30.1", "1.30.1"),
     "s.yaml:7: 'kubernetes_version' in a membership is '1.30.1'"),
    # unquoted 1.30 is a YAML number
    (VALID.replace("v1.30.1", "1.30"), "s.yaml:7: 'kubernetes_version' in a membership must be"),
    (VALID.replace("name: c1", "name: C_1"), "s.yaml:6: 'name' in a membership is 'C_1'"),
    (VALID + "  - name: c1\n    kubernetes_version: v1.30.1\n",
     "s.yaml:8: " + messages.SCENARIO_DUPLICATE.format(what="membership", name="c1")),
    (VALID.replace("memberships:\n", "memberships: 3\n").split("  - name")[0],
     "s.yaml:5: 'memberships' in the scenario must be a list"),
    ("project: {id: p, number: '123456789012'}\n",
     "s.yaml:1: " + messages.SCENARIO_MISSING_KEY.format(key="memberships", where="the scenario")),
    (VALID + "iam:\n  - role: r\n    members: [alice]\n",
     "s.yaml:10: " + messages.SCENARIO_BAD_MEMBER.format(member="alice")),
    (VALID.replace("    kubernetes_version: v1.30.1\n",
                   "    kubernetes_version: v1.30.1\n    connected: maybe\n"),
     "s.yaml:8: 'connected' in a membership must be true or false"),
    ("project: [\n", "s.yaml:2: not valid YAML"),
])
def test_mistakes_name_file_and_line(text: str, expected: str) -> None:
    assert error_of(text).startswith(expected)


def multicloud(kind: str, block: str) -> str:
    return VALID.replace("    kubernetes_version: v1.30.1\n",
                         f"    kubernetes_version: v1.30.1\n    type: {kind}\n{block}")


def test_multicloud_memberships() -> None:
    aws = parse(multicloud("aws", "    multicloud: {location: us-east4, node_pools: [a, b]}\n"))
    spec = aws.memberships[0]
    assert (spec.cluster_type, spec.collection, spec.agent_installed, spec.multicloud) == (
        "aws", "memberships", True, MulticloudSpec("us-east4", ("a", "b")))
    azure = parse(multicloud("azure", "    multicloud: {location: us-east4, node_pools: []}\n"))
    assert azure.memberships[0].multicloud == MulticloudSpec("us-east4", ())
    attached = parse(multicloud("attached", "    multicloud: {location: us-west1}\n"))
    assert attached.memberships[0].multicloud == MulticloudSpec("us-west1", ())
    assert parse(VALID).memberships[0].multicloud is None


@pytest.mark.parametrize(("text", "expected"), [
    (multicloud("aws", ""), "s.yaml:6: " + messages.SCENARIO_MISSING_KEY.format(
        key="multicloud", where="a membership of type aws")),
    (multicloud("gke", "    multicloud: {location: us-east4}\n"),
     "s.yaml:9: " + messages.SCENARIO_MULTICLOUD_TYPE.format(type="gke")),
    (multicloud("attached", "    multicloud: {location: us-west1, node_pools: [a]}\n"),
     "s.yaml:9: unknown key 'node_pools' in multicloud of an attached membership"),
    (multicloud("azure", "    multicloud: {location: us-east4, region: eastus}\n"),
     "s.yaml:9: unknown key 'region' in multicloud of an azure membership"),
    (multicloud("aws", "    multicloud: {node_pools: [a]}\n"),
     "s.yaml:9: " + messages.SCENARIO_MISSING_KEY.format(
         key="location", where="multicloud of an aws membership")),
    (multicloud("aws", "    multicloud:\n      location: global\n"),
     "s.yaml:10: 'location' in multicloud of an aws membership is 'global': "
     + messages.SCENARIO_HINT_REGION),
    (multicloud("aws", "    multicloud:\n      location: us-east4\n      node_pools: [a, A]\n"),
     "s.yaml:11: 'node_pools' in multicloud of an aws membership is 'A'"),
    (multicloud("aws", "    multicloud:\n      location: us-east4\n      node_pools: [a, a]\n"),
     "s.yaml:11: " + messages.SCENARIO_DUPLICATE.format(what="node pool", name="a")),
    (multicloud("aws", "    multicloud: us-east4\n"),
     "s.yaml:9: " + messages.SCENARIO_EXPECTED_MAPPING.format(
         where="multicloud of an aws membership")),
    (multicloud("eks", ""), "s.yaml:8: 'type' in a membership is 'eks': "
     + messages.SCENARIO_HINT_TYPE),
])
def test_multicloud_mistakes(text: str, expected: str) -> None:
    assert error_of(text).startswith(expected)


def test_object_the_cluster_refuses_names_its_line() -> None:
    text = VALID + ("    objects:\n"
                    "      - apiVersion: v1\n"
                    "        kind: ConfigMap\n"
                    "        metadata: {name: Not_Valid, namespace: default}\n")
    message = error_of(text)
    assert message.startswith("s.yaml:9: the cluster of membership 'c1' refused this object: ")
    assert 'ConfigMap "Not_Valid" is invalid' in message


def test_a_typo_in_an_object_is_refused_as_strict_validation_would() -> None:
    text = VALID + ("    objects:\n"
                    "      - apiVersion: v1\n"
                    "        kind: ConfigMap\n"
                    "        metadata: {name: app, namespace: default}\n"
                    "        dta: {k: v}\n")
    assert error_of(text) == (
        "s.yaml:9: the cluster of membership 'c1' refused this object: ConfigMap in version "
        '"v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "dta"')


def test_object_of_an_unserved_kind_is_refused() -> None:
    text = VALID + ("    objects:\n"
                    "      - {apiVersion: example.com/v1, kind: Widget, metadata: {name: w}}\n")
    assert error_of(text).startswith("s.yaml:9: the cluster of membership 'c1' refused this object: "
                                     + messages.MOCK_SEED_UNKNOWN_KIND.format(
                                         api_version="example.com/v1", kind="Widget"))


def test_unknown_builtin_name() -> None:
    with pytest.raises(loader.ScenarioError) as caught:
        loader.load("nope")
    assert str(caught.value) == messages.SCENARIO_NOT_FOUND.format(
        name="nope", known=", ".join(loader.builtin_names()))


def test_limits_pod_files_and_scripted_answers() -> None:
    text = VALID.replace("    kubernetes_version: v1.30.1\n", """    kubernetes_version: v1.30.1
    pod_files:
      default/web/main:
        /srv/hello.txt: "hello\\n"
    scripted:
      default/web/main:
        nginx -v: {stderr: "nginx version: nginx/1.27.0\\n", exit_code: 0}
""") + "limits: {active_streams: 3, stream_timeout_seconds: 1.5}\n"
    scenario = parse(text)
    assert (scenario.limits.active_streams, scenario.limits.stream_timeout_seconds) == (3, 1.5)
    membership = scenario.memberships[0]
    assert membership.pod_files == (("default/web/main", (("/srv/hello.txt", "hello\n"),)),)
    (target, ((command, answer),)), = membership.scripted
    assert (target, command, answer.stderr, answer.exit_code) == (
        "default/web/main", "nginx -v", "nginx version: nginx/1.27.0\n", 0)


@pytest.mark.parametrize(("extra", "expected"), [
    ("limits: {active_streams: -1}\n", "s.yaml:8: 'active_streams' in limits is -1"),
    ("limits: {stream_timeout_seconds: 0}\n", "s.yaml:8: 'stream_timeout_seconds' in limits is 0"),
    ("limits: {quota: 1}\n", "s.yaml:8: unknown key 'quota' in limits"),
])
def test_bad_limits(extra: str, expected: str) -> None:
    assert error_of(VALID + extra).startswith(expected)


def test_extends_takes_the_base_and_replaces_whole_keys() -> None:
    scenario = parse("extends: quickstart\nlimits: {active_streams: 2}\n"
                     "expect:\n  - run: kubectl get ns\n    as: alice@example.com\n")
    assert scenario.project_number == "123456789012"
    assert [m.name for m in scenario.memberships] == ["my-cluster", "old-cluster", "gke-cluster",
                                                      "aws-cluster", "azure-cluster"]
    assert scenario.limits.active_streams == 2
    (expectation,) = scenario.expectations
    assert (expectation.run, expectation.membership, expectation.track, expectation.line) == (
        ("kubectl", "get", "ns"), "my-cluster", "v1", 4)


@pytest.mark.parametrize(("text", "expected"), [
    ("extends: nope\n", "s.yaml:1: " + messages.SCENARIO_BAD_EXTENDS.format(
        name="nope", known=", ".join(loader.builtin_names()))),
    ("extends: quickstart\nexpect:\n  - run: kubectl get ns\n",
     "s.yaml:3: " + messages.SCENARIO_MISSING_KEY.format(key="as", where="an expectation")),
    ("extends: quickstart\nexpect:\n  - {run: kubectl get ns, as: a, track: v2}\n",
     "s.yaml:3: 'track' in an expectation is 'v2'"),
    ("extends: quickstart\nexpect:\n  - {run: 'kubectl \"unclosed', as: a}\n",
     "s.yaml:3: the command cannot be split into words"),
    ("extends: quickstart\nexpect:\n  - run: kubectl get ns\n    as: a\n"
     "    error_id: rbac-denid\n",
     "s.yaml:5: 'error_id' in an expectation is 'rbac-denid': not a case of the error catalogue"),
])
def test_bad_extends_and_expectations(text: str, expected: str) -> None:
    assert error_of(text).startswith(expected)


# --- hostile scenarios (issue 12, items 1, 2 and 3): each a ScenarioError with its line --------------


@pytest.mark.parametrize("name", ["a" * 5000, "../quickstart", "Quickstart", "quick start",
                                  "x\0y", "/etc/passwd", "quickstart\n"])
def test_an_extends_that_cannot_be_a_built_in_name_is_not_found_at_its_line(name: str) -> None:
    assert error_of(f"extends: {json.dumps(name)}\n") == "s.yaml:1: " + (
        messages.SCENARIO_BAD_EXTENDS.format(name=name, known=", ".join(loader.builtin_names())))


def test_every_built_in_scenario_has_a_built_in_name() -> None:
    for name in loader.builtin_names():
        assert loader.BUILTIN_NAME.fullmatch(name), name
        assert loader.builtin_path(name) is not None


def test_a_name_that_is_no_file_name_is_not_found() -> None:
    with pytest.raises(loader.ScenarioError) as caught:
        loader.load("a" * 5000)
    assert str(caught.value) == messages.SCENARIO_NOT_FOUND.format(
        name="a" * 5000, known=", ".join(loader.builtin_names()))
    with pytest.raises(loader.ScenarioError) as unreadable:
        loader.load("bad\0name.yaml")
    assert str(unreadable.value).startswith("bad\0name.yaml: cannot read scenario:")


KUBECONFIG_LINE = 8  # under VALID's membership


@pytest.mark.parametrize(("path", "reason"), [
    ("k" * 300, os.strerror(errno.ENAMETOOLONG)),
    ("/" + "/".join(["d" * 200] * 30), os.strerror(errno.ENAMETOOLONG)),
    ("bad\0path", "embedded null byte"),
    ("~no-such-user-of-this-system/config", ""),  # expanduser's own words, by Python version
])
def test_a_kubeconfig_path_the_system_cannot_open_is_refused_at_its_line(path: str,
                                                                         reason: str) -> None:
    text = VALID + f"    kubeconfig: {json.dumps(path)}\n"
    assert error_of(text).startswith(f"s.yaml:{KUBECONFIG_LINE}: " + messages.SCENARIO_BAD_PATH.format(
        key="kubeconfig", where="a membership", reason=reason))


def test_a_missing_kubeconfig_is_for_the_world_to_report() -> None:
    (membership,) = parse(VALID + "    kubeconfig: no/such/file\n").memberships
    assert membership.remote is not None
    assert membership.remote.kubeconfig == Path("no/such/file")


@pytest.mark.parametrize(("written", "value"), [
    (".nan", math.nan), (".inf", math.inf), ("-.inf", -math.inf),
    (str(limits.MAX_STREAM_TIMEOUT_SECONDS + 1), limits.MAX_STREAM_TIMEOUT_SECONDS + 1)])
def test_a_stream_timeout_that_is_no_time_limit_is_refused(written: str, value: float) -> None:
    assert error_of(VALID + f"limits: {{stream_timeout_seconds: {written}}}\n") == (
        "s.yaml:8: " + messages.SCENARIO_BAD_VALUE.format(
            key="stream_timeout_seconds", where="limits", value=value,
            hint=messages.SCENARIO_HINT_SECONDS.format(
                maximum=limits.MAX_STREAM_TIMEOUT_SECONDS)))


def test_an_active_streams_limit_past_the_maximum_is_refused() -> None:
    too_many = limits.MAX_ACTIVE_STREAMS + 1
    assert error_of(VALID + f"limits: {{active_streams: {too_many}}}\n") == (
        "s.yaml:8: " + messages.SCENARIO_BAD_VALUE.format(
            key="active_streams", where="limits", value=too_many,
            hint=messages.SCENARIO_HINT_COUNT.format(maximum=limits.MAX_ACTIVE_STREAMS)))


def test_a_scenario_nested_past_the_limit_is_refused_at_the_line_that_crosses_it() -> None:
    depth = limits.MAX_NESTING_DEPTH
    assert error_of(VALID + "description:\n  " + "[" * depth + "]" * depth + "\n") == (
        "s.yaml:9: " + messages.NESTING_TOO_DEEP.format(limit=depth))


def test_a_scenario_whose_aliases_expand_past_the_limit_is_refused() -> None:
    # Line 8 holds ten values; each next line, ten aliases of the one before: line 12 (x4)
    # stands for more than a hundred thousand.
    laughs = "".join(f"x{n}: &x{n} [{', '.join([f'*x{n - 1}'] * 10)}]\n" for n in range(1, 7))
    assert error_of(VALID + "x0: &x0 [a, a, a, a, a, a, a, a, a, a]\n" + laughs) == (
        "s.yaml:12: " + messages.YAML_TOO_MANY_VALUES.format(limit=limits.YAML_MAX_VALUES))


@pytest.mark.parametrize(("value", "line"), [("2024-13-45", 9), ("1" * 5000, 9)])
def test_a_value_yaml_cannot_build_is_a_yaml_error_at_its_line(value: str, line: int) -> None:
    assert error_of(VALID + f"description:\n  {value}\n").startswith(f"s.yaml:{line}: not valid YAML: ")


CONTROLLERS = VALID + """\
    controllers:
      enabled: true
      delays: {schedule: 0.5, pull: 2, ready: 1}
      images:
        - {match: "registry.invalid/*", pull: fail}
        - {match: "crashy:*", exit_code: 3, runs_for: 1.5}
"""


def test_a_memberships_controllers_block() -> None:
    settings = parse(CONTROLLERS).memberships[0].controllers
    assert settings == ControllerSettings(
        True, Delays(schedule=0.5, pull=2.0, start=0.0, ready=1.0),
        (ImageRule("registry.invalid/*", pull_fails=True),
         ImageRule("crashy:*", exit_code=3, runs_for=1.5)))
    assert settings.rule_for("registry.invalid/web:1") == settings.images[0]
    assert settings.rule_for("crashy:2") == settings.images[1]
    assert settings.rule_for("nginx") is None
    assert parse(VALID).memberships[0].controllers == ControllerSettings()
    off = parse(VALID + "    controllers: {enabled: false}\n").memberships[0].controllers
    assert off.enabled is False


def test_controllers_off_keeps_the_cluster_as_it_was_before_controllers() -> None:
    """No controller runs: a seeded Deployment makes no pods, a pod is Running at once."""
    scenario = parse(VALID + "    agent_installed: false\n    controllers: {enabled: false}\n"
                     "    objects:\n"
                     "      - {apiVersion: v1, kind: Pod, metadata: {name: p, namespace: default},"
                     " spec: {containers: [{name: c, image: nginx}]}}\n")
    cluster = build_world(scenario, FakeClock()).memberships["c1"].cluster
    pods = cluster.store.list(("", "pods"), "default")[0]  # type: ignore[attr-defined]
    assert [(p["metadata"]["name"], p["status"]["phase"]) for p in pods] == [("p", "Running")]
    assert cluster.store.list(("", "events"), None)[0] == []  # type: ignore[attr-defined]


@pytest.mark.parametrize(("extra", "expected"), [
    ("    controllers: {enabled: maybe}\n",
     "s.yaml:8: 'enabled' in controllers of a membership must be true or false"),
    ("    controllers: {delays: {pull: -1}}\n",
     "s.yaml:8: 'pull' in controllers.delays is -1: " + messages.SCENARIO_HINT_DELAY.format(
         maximum=limits.MAX_CONTROLLER_DELAY_SECONDS)),
    ("    controllers: {delays: {boot: 1}}\n",
     "s.yaml:8: unknown key 'boot' in controllers.delays"),
    ("    controllers: {images: [{match: 'x*', pull: sometimes}]}\n",
     "s.yaml:8: 'pull' in an image rule is 'sometimes': " + messages.SCENARIO_HINT_PULL),
    ("    controllers: {images: [{match: 'x*', exit_code: 256}]}\n",
     "s.yaml:8: 'exit_code' in an image rule is 256: " + messages.SCENARIO_HINT_EXIT_CODE),
    ("    controllers: {images: [{pull: fail}]}\n",
     "s.yaml:8: " + messages.SCENARIO_MISSING_KEY.format(key="match", where="an image rule")),
])
def test_controllers_mistakes(extra: str, expected: str) -> None:
    assert error_of(VALID + extra).startswith(expected)
