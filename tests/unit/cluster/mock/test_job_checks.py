"""kube's validation of Jobs and CronJobs (registry/jobchecks.py), through the mock's REST
paths: counts, Indexed jobs, the generated selector, pod failure and success policies, and a
CronJob's own fields, each from the minor that turned its feature on."""

from __future__ import annotations

from typing import Any

import pytest

from emulator.cluster.mock.registry.jobchecks import count_indexes

from .conftest import call, create, invalid_causes, quiet_at

JOBS = "/apis/batch/v1/namespaces/default/jobs"
CRON_JOBS = "/apis/batch/v1/namespaces/default/cronjobs"
NOT_NEGATIVE = "must be greater than or equal to 0"


def job(name: str = "j", restart: str = "Never", **spec: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name},
                            "spec": {"template": {"spec": {"restartPolicy": restart, "containers": [
                                {"name": "main", "image": "busybox"}]}}}}
    body["spec"].update(spec)
    return body


def cron_job(**spec: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c"},
                            "spec": {"schedule": "*/5 * * * *", "jobTemplate": {
                                "spec": job()["spec"]}}}
    body["spec"].update(spec)
    return body


@pytest.mark.parametrize("field", ["parallelism", "completions", "activeDeadlineSeconds",
                                   "backoffLimit", "ttlSecondsAfterFinished"])
def test_a_job_count_may_not_be_negative(field: str) -> None:
    assert invalid_causes("v1.30.5", JOBS, job(**{field: -1})) == [
        f"spec.{field}: Invalid value: -1: {NOT_NEGATIVE}"]


def test_a_selector_copied_from_a_deployment_is_not_the_generated_one() -> None:
    """The commonest Job mistake: a Deployment's selector and labels. kube keeps the selector,
    adds its own uid to it, and then finds it selects neither its pods nor what it generated."""
    body = job(selector={"matchLabels": {"app": "x"}})
    body["spec"]["template"]["metadata"] = {"labels": {"app": "x"}}
    reply = call(quiet_at("v1.34.1"), "POST", JOBS, body=body)
    uid = reply.body["details"]["causes"][0]["message"].split('controller-uid":"')[1][:36]
    assert [f"{c['field']}: {c['message']}" for c in reply.body["details"]["causes"]] == [
        f'spec.selector: Invalid value: {{"matchLabels":{{"app":"x",'
        f'"batch.kubernetes.io/controller-uid":"{uid}"}}}}: `selector` not auto-generated']
    # a manual selector that selects the template's pods is taken as it is
    manual = job(selector={"matchLabels": {"app": "x"}}, manualSelector=True)
    manual["spec"]["template"]["metadata"] = {"labels": {"app": "x"}}
    made = create(quiet_at("v1.34.1"), JOBS, manual)
    assert made["spec"]["selector"] == {"matchLabels": {"app": "x"}}


def test_a_template_label_kube_generates_must_keep_its_value() -> None:
    body = job()
    body["spec"]["template"]["metadata"] = {"labels": {"job-name": "other"}}
    (cause,) = invalid_causes("v1.30.5", JOBS, body)
    assert cause.startswith("spec.template.metadata.labels[job-name]: Invalid value: "
                            'map[string]string{"batch.kubernetes.io/controller-uid":')
    assert cause.endswith('"job-name":"other"}: must be \'j\'')


def test_a_manual_selector_is_required() -> None:
    assert invalid_causes("v1.30.5", JOBS, job(manualSelector=True)) == [
        "spec.selector: Required value",
        "spec.template.metadata.labels: Invalid value: map[string]string(nil): `selector` does "
        "not match template `labels`"]


def test_indexed_jobs() -> None:
    assert invalid_causes("v1.30.5", JOBS, job(completionMode="Sequential")) == [
        'spec.completionMode: Unsupported value: "Sequential": supported values: "NonIndexed", '
        '"Indexed"']
    wide = job(completionMode="Indexed", completions=200_000, parallelism=200_000)
    assert invalid_causes("v1.30.5", JOBS, wide) == [
        "spec.parallelism: Invalid value: 200000: must be less than or equal to 100000 when "
        "completion mode is Indexed"]
    # defaulting gives an Indexed job without counts one completion
    made = create(quiet_at("v1.30.5"), JOBS, job(completionMode="Indexed"))
    assert (made["spec"]["completions"], made["spec"]["parallelism"]) == (1, 1)


def test_per_index_limits_need_an_indexed_job_from_1_29() -> None:
    body = job(backoffLimitPerIndex=1, maxFailedIndexes=2)
    assert invalid_causes("v1.30.5", JOBS, body) == [
        "spec.backoffLimitPerIndex: Invalid value: 1: requires indexed completion mode",
        "spec.maxFailedIndexes: Invalid value: 2: requires indexed completion mode"]
    over = job(completionMode="Indexed", completions=3, backoffLimitPerIndex=1,
               maxFailedIndexes=4)
    assert invalid_causes("v1.30.5", JOBS, over) == [
        "spec.maxFailedIndexes: Invalid value: 4: must be less than or equal to completions"]
    alone = job(completionMode="Indexed", completions=3, maxFailedIndexes=1)
    assert invalid_causes("v1.30.5", JOBS, alone) == [
        "spec.backoffLimitPerIndex: Required value: when maxFailedIndexes is specified"]
    many = job(completionMode="Indexed", completions=200_000, parallelism=20_000,
               backoffLimitPerIndex=1)
    assert invalid_causes("v1.30.5", JOBS, many) == [
        "spec.maxFailedIndexes: Required value: must be specified when completions is above "
        "100000",
        "spec.parallelism: Invalid value: 20000: must be less than or equal to 10000 when "
        "completions are above 100000 and used with backoff limit per index"]


def test_a_pod_failure_policy_s_rules() -> None:
    policy = {"rules": [
        {"action": "Ignore", "onExitCodes": {"operator": "In", "values": [3, 0, 3, 1]}},
        {"action": "Retry", "onPodConditions": [{"type": "Bad Type", "status": "Maybe"}]},
        {"action": "FailJob"},
        {"action": "FailIndex", "onExitCodes": {"containerName": "nope", "operator": "Is",
                                                "values": []}}]}
    at = "spec.podFailurePolicy.rules"
    assert invalid_causes("v1.30.5", JOBS, job(podFailurePolicy=policy)) == [
        f"{at}[0].onExitCodes.values[1]: Invalid value: 0: must not be 0 for the In operator",
        f"{at}[0].onExitCodes.values[2]: Duplicate value: 3",
        f"{at}[0].onExitCodes.values: Invalid value: []int32{{3, 0, 3, 1}}: must be ordered",
        f'{at}[1].action: Unsupported value: "Retry": supported values: "Count", "FailIndex", '
        '"FailJob", "Ignore"',
        f'{at}[1].onPodConditions[0].type: Invalid value: "Bad Type": name part must consist of '
        "alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
        "character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
        "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
        f'{at}[1].onPodConditions[0].status: Unsupported value: "Maybe": supported values: '
        '"False", "True", "Unknown"',
        f"{at}[2]: Invalid value: specifying one of OnExitCodes and OnPodConditions is required",
        f'{at}[3].action: Invalid value: "FailIndex": requires the backoffLimitPerIndex to be '
        "set",
        f'{at}[3].onExitCodes.operator: Unsupported value: "Is": supported values: "In", '
        '"NotIn"',
        f'{at}[3].onExitCodes.containerName: Invalid value: "nope": must be one of the container '
        "or initContainer names in the pod template",
        f"{at}[3].onExitCodes.values: Invalid value: []int32{{}}: at least one value is "
        "required"]
    # 1.27 had no FailIndex, and a rule without an action is told the actions there are
    assert invalid_causes("v1.27.3", JOBS, job(podFailurePolicy={"rules": [
        {"onPodConditions": [{"type": "DisruptionTarget"}]}]})) == [
        f'{at}[0].action: Required value: valid values: ["Count" "FailJob" "Ignore"]']


def test_a_pod_failure_policy_wants_pods_that_restart_never() -> None:
    policy = {"rules": [{"action": "FailJob", "onExitCodes": {"operator": "In", "values": [1]}}]}
    assert invalid_causes("v1.30.5", JOBS, job(restart="OnFailure", podFailurePolicy=policy)) == [
        'spec.template.spec.restartPolicy: Invalid value: "OnFailure": only "Never" is '
        "supported when podFailurePolicy is specified"]
    replaced = job(podFailurePolicy=policy, podReplacementPolicy="TerminatingOrFailed")
    assert invalid_causes("v1.30.5", JOBS, replaced) == [
        'spec.podReplacementPolicy: Unsupported value: "TerminatingOrFailed": supported values: '
        '"Failed"']


def test_a_success_policy_from_1_31() -> None:
    policy = {"rules": [{"succeededIndexes": "0-5", "succeededCount": 4}, {}]}
    assert create(quiet_at("v1.30.5"), JOBS, job(successPolicy={"rules": [{}]}))  # the gate was off
    counted = job(successPolicy={"rules": [{"succeededCount": 1}]})
    assert invalid_causes("v1.31.2", JOBS, counted) == [
        "spec.successPolicy: Invalid value: batch.SuccessPolicy{Rules:[]batch.SuccessPolicyRule"
        "{batch.SuccessPolicyRule{SucceededIndexes:(*string)(nil), SucceededCount:(*int32)"
        "(0xc000012010)}}}: requires indexed completion mode"]
    indexed = job(completionMode="Indexed", completions=3, successPolicy=policy)
    at = "spec.successPolicy.rules"
    assert invalid_causes("v1.34.1", JOBS, indexed) == [
        f'{at}[0].succeededIndexes: Invalid value: "0-5": error parsing succeededIndexes: too '
        'large index: "5"',
        f"{at}[0].succeededCount: Invalid value: 4: must be less than or equal to 3 (the number "
        "of specified completions)",
        f"{at}[0].succeededCount: Invalid value: 4: must be less than or equal to 0 (the number "
        "of indexes in the specified succeededIndexes field)",
        f"{at}[1]: Required value: at least one of succeededCount or succeededIndexes must be "
        "specified"]


@pytest.mark.parametrize(("text", "total"), [("", 0), ("0", 1), ("0,2-4", 4), ("1-2,5-9", 7)])
def test_counting_indexes(text: str, total: int) -> None:
    assert count_indexes(text, 10) == total


@pytest.mark.parametrize(("text", "error"), [
    ("1-2-3", "the fragment \"1-2-3\" violates the requirement that an index interval can have "
              "at most two parts separated by '-'"),
    ("a", 'cannot convert string to integer for index: "a"'),
    ("3,1", "non-increasing order, previous: 3, current: 1"),
    ("4-2", "non-increasing order, previous: 4, current: 2"),
    ("12", 'too large index: "12"')])
def test_indexes_kube_cannot_read(text: str, error: str) -> None:
    with pytest.raises(ValueError) as refused:
        count_indexes(text, 10)
    assert str(refused.value) == error


def test_a_cron_job_s_fields_in_kube_s_order() -> None:
    body = cron_job(startingDeadlineSeconds=-1, concurrencyPolicy="Sometimes",
                    successfulJobsHistoryLimit=-1, failedJobsHistoryLimit=-2,
                    timeZone="Mars/Olympus")
    body["spec"]["jobTemplate"]["spec"].update(backoffLimit=-1, selector={
        "matchLabels": {"a": "b"}}, manualSelector=True)
    at = "spec.jobTemplate.spec"
    assert invalid_causes("v1.30.5", CRON_JOBS, body) == [
        f"spec.startingDeadlineSeconds: Invalid value: -1: {NOT_NEGATIVE}",
        'spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus',
        'spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: "Allow", '
        '"Forbid", "Replace"',
        f"{at}.backoffLimit: Invalid value: -1: {NOT_NEGATIVE}",
        f'{at}.selector: Invalid value: v1.LabelSelector{{MatchLabels:map[string]string{{"a":"b"}}'
        ", MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: `selector` will be "
        "auto-generated",
        f'{at}.manualSelector: Unsupported value: true: supported values: "nil", "false"',
        f"spec.successfulJobsHistoryLimit: Invalid value: -1: {NOT_NEGATIVE}",
        f"spec.failedJobsHistoryLimit: Invalid value: -2: {NOT_NEGATIVE}"]


def test_a_cron_job_s_template_is_checked_as_a_job_s() -> None:
    body = cron_job()
    body["spec"]["jobTemplate"]["spec"]["template"]["spec"]["restartPolicy"] = "Always"
    assert invalid_causes("v1.30.5", CRON_JOBS, body) == [
        "spec.jobTemplate.spec.template.spec.restartPolicy: Required value: valid values: "
        '"OnFailure", "Never"']


def test_an_unchanged_time_zone_is_not_checked_again_but_a_schedule_is() -> None:
    api = quiet_at("v1.30.5")
    assert call(api, "POST", CRON_JOBS, body=cron_job(timeZone="Europe/Paris")).status == 201
    suspended = call(api, "PATCH", f"{CRON_JOBS}/c", body={"spec": {"suspend": True}},
                     content_type="application/merge-patch+json")
    assert suspended.status == 200, suspended.body
    broken = call(api, "PATCH", f"{CRON_JOBS}/c", body={"spec": {"schedule": "61 * * * *"}},
                  content_type="application/merge-patch+json")
    assert broken.status == 422
    assert broken.body["details"]["causes"][0]["field"] == "spec.schedule"


def test_a_cron_job_s_name_leaves_room_for_its_jobs_suffix() -> None:
    long = cron_job()
    long["metadata"]["name"] = "c" * 53
    assert invalid_causes("v1.30.5", CRON_JOBS, long) == [
        f'metadata.name: Invalid value: "{"c" * 53}": must be no more than 52 characters']
    long["metadata"]["name"] = "c" * 52
    assert create(quiet_at("v1.30.5"), CRON_JOBS, long)["metadata"]["name"] == "c" * 52
