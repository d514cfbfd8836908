"""kube's validation of batch/v1 Jobs and CronJobs (pkg/apis/batch/validation), in its order:

- a Job created with a generated selector keeps the labels and selector kube generated
  (validateGeneratedSelector): a selector copied from a Deployment is "not auto-generated";
- the counts (parallelism, completions, backoffLimit, the deadlines and limits) are not
  negative; an Indexed job has completions, at most 100,000 pods at once, and the per-index
  limits only an Indexed job may have (1.29+);
- a pod failure policy's rules: a known action, one of onExitCodes (a known operator, a
  container of the template, ordered distinct codes, no 0 for In) or onPodConditions (a
  qualified condition type, a known status), with a template that restarts Never;
- a success policy (1.31+) only for an Indexed job, its rules within the completions;
- a pod replacement policy (1.29+) that exists, and is Failed beside a pod failure policy;
- the pod template (podspecchecks.py), which restarts OnFailure or Never;
- a CronJob's schedule and time zone (cronschedule.py), starting deadline, concurrency policy,
  a job template without a selector of its own, and history limits that are not negative.

The fields that came with a feature gate are checked from the minor that turned the gate on, as
kube drops them unchecked before it. A CronJob's name has at most 52 characters, as its Jobs
add 11. What is left out: the name rule of Indexed jobs' pods, and ``managedBy`` (1.32+).
"""

from __future__ import annotations

from typing import Any

from emulator import messages
from emulator.cluster.mock.controllers import cronschedule
from emulator.cluster.mock.registry import fielderrors as fe
from emulator.cluster.mock.registry import (namechecks, podspecchecks, schedulingchecks,
                                            selectors)
from emulator.cluster.mock.registry.fielderrors import FieldError, GoAddresses, GoText
from emulator.cluster.mock.registry.jsonread import (as_dict, dict_at_path, dict_in, is_int,
                                                     list_in)
from emulator.cluster.mock.registry.workloadchecks import (GO_INT, as_int, labels_value,
                                                           not_negative, selector_value)

Obj = dict[str, Any]

MAX_INDEXED_PARALLELISM = 100_000  # maxParallelismForIndexedJob
MAX_FAILED_INDEXES = 100_000  # maxFailedIndexesForIndexedJob
COMPLETIONS_SOFT_LIMIT = 100_000  # above it, per-index backoff needs tighter limits:
PARALLELISM_FOR_HIGH_COMPLETIONS = 10_000
MAX_FAILED_INDEXES_FOR_HIGH_COMPLETIONS = 10_000
MAX_FAILURE_POLICY_RULES = 20
MAX_EXIT_CODES = 255
MAX_CONDITION_PATTERNS = 20
MAX_SUCCESS_POLICY_RULES = 20
MAX_SUCCEEDED_INDEXES = 64 * 1024

CRON_JOB_NAME_MAX = 63 - 11  # DNS1035LabelMaxLength less the suffix of its Jobs' names
PER_INDEX_FROM = 29  # JobBackoffLimitPerIndex beta; JobPodReplacementPolicy beta
SUCCESS_POLICY_FROM = 31  # JobSuccessPolicy beta

_LEGACY_LABELS = ("controller-uid", "job-name")  # batch.LegacyControllerUidLabel, ...JobName
_PREFIXED_LABELS = ("batch.kubernetes.io/controller-uid", "batch.kubernetes.io/job-name")


def job(obj: Obj, old: Obj | None, minor: int) -> list[FieldError]:
    """ValidateJob on create (with validateGeneratedSelector), ValidateJobSpec on update."""
    spec = dict_in(obj, "spec")
    errors = _generated_selector(obj, minor) if old is None else []
    errors += _job_spec(obj, "spec", old, minor)
    selector = spec.get("selector")
    labels = dict_at_path(obj, "spec.template.metadata").get("labels")
    if not isinstance(selector, dict):
        errors.append(fe.required("spec.selector"))  # and it selects nothing:
        matches = False
    else:
        invalid = schedulingchecks.label_selector(selector, "spec.selector", minor)
        if invalid:  # nor does LabelSelectorAsSelector take it, so nothing is compared
            return errors + invalid
        try:
            matches = selectors.label_selector_from_match(selector).matches(as_dict(labels))
        except Exception:  # noqa: BLE001 - what ValidateLabelSelector took, it parses
            matches = True
    if not matches:
        errors.append(fe.invalid_value("spec.template.metadata.labels",
                                       labels_value(labels, minor),
                                       messages.K8S_SELECTOR_MISMATCH, minor))
    return errors


def cron_job(obj: Obj, old: Obj | None, minor: int) -> list[FieldError]:
    """validateCronJobSpec."""
    spec = dict_in(obj, "spec")
    schedule, zone = spec.get("schedule"), spec.get("timeZone")
    old_spec = dict_in(old, "spec") if old is not None else None
    errors: list[FieldError] = []
    if not isinstance(schedule, str) or not schedule:
        errors.append(fe.required("spec.schedule"))
    else:
        # A CronJob that already had a TZ prefix may keep one (kube once took them).
        had_tz = old_spec is not None and "TZ" in str(old_spec.get("schedule", ""))
        errors += [fe.invalid_value("spec.schedule", schedule, text, minor)
                   for text in cronschedule.schedule_errors(schedule, had_tz)]
    errors += not_negative(spec, "spec", "startingDeadlineSeconds", minor)
    if old_spec is None or old_spec.get("timeZone") != zone:
        errors += [fe.invalid_value("spec.timeZone", zone, text, minor) for text in
                   cronschedule.time_zone_errors(zone if isinstance(zone, str) else None)]
    policy = spec.get("concurrencyPolicy")
    if policy not in ("Allow", "Forbid", "Replace"):  # defaulting fills a missing one
        errors.append(fe.not_supported("spec.concurrencyPolicy", policy or "",
                                       ["Allow", "Forbid", "Replace"], minor))
    errors += _job_spec(obj, "spec.jobTemplate.spec", old, minor)
    template_spec = dict_at_path(obj, "spec.jobTemplate.spec")
    if template_spec.get("selector") is not None:
        errors.append(fe.invalid_value(
            "spec.jobTemplate.spec.selector", selector_value(template_spec["selector"], minor),
            messages.K8S_JOB_TEMPLATE_SELECTOR, minor))
    if template_spec.get("manualSelector") is True:
        errors.append(fe.not_supported("spec.jobTemplate.spec.manualSelector", True,
                                       ["nil", "false"], minor))
    for name in ("successfulJobsHistoryLimit", "failedJobsHistoryLimit"):
        errors += not_negative(spec, "spec", name, minor)
    name = str(dict_in(obj, "metadata").get("name", ""))
    if old is None and len(name) > CRON_JOB_NAME_MAX:
        # ValidateCronJobCreate: its Jobs are named <name>-<11 digits>, a DNS label.
        errors.append(fe.invalid_value("metadata.name", name,
                                       messages.DNS_MAX_LENGTH.format(limit=CRON_JOB_NAME_MAX),
                                       minor))
    return errors


# -- the Job's spec ---------------------------------------------------------------------------


def _generated_selector(obj: Obj, minor: int) -> list[FieldError]:
    """validateGeneratedSelector: the labels and selector the job strategy generated (its own
    pods' uid and name) are still what a new job holds."""
    spec = dict_in(obj, "spec")
    selector = spec.get("selector")
    if spec.get("manualSelector") is True or not isinstance(selector, dict):
        return []
    meta = dict_in(obj, "metadata")
    uid, name = str(meta.get("uid", "")), str(meta.get("name", ""))
    errors = [] if uid else [fe.required("metadata.uid")]
    labels = as_dict(dict_at_path(obj, "spec.template.metadata").get("labels"))
    expected = {}
    for uid_key, name_key in (_LEGACY_LABELS, _PREFIXED_LABELS):
        for key, value in ((uid_key, uid), (name_key, name)):
            expected[key] = value
            path = f"spec.template.metadata.labels[{key}]"
            detail = messages.K8S_JOB_LABEL_VALUE.format(value=value)
            if key not in labels:
                errors.append(fe.required(path, detail))
            elif labels[key] != value:
                errors.append(fe.invalid_value(path, labels_value(labels, minor), detail, minor))
    try:
        generated = selectors.label_selector_from_match(selector).matches(expected)
    except Exception:  # noqa: BLE001 - a malformed selector is the schema's to word
        return errors
    if not generated:
        errors.append(fe.invalid_value("spec.selector", selector_value(selector, minor),
                                       messages.K8S_JOB_SELECTOR_NOT_GENERATED, minor))
    return errors


def _job_spec(obj: Obj, path: str, old: Obj | None, minor: int) -> list[FieldError]:
    """validateJobSpec, for a Job's spec or a CronJob's job template's."""
    spec = dict_at_path(obj, path)
    errors: list[FieldError] = []
    for name in ("parallelism", "completions", "activeDeadlineSeconds", "backoffLimit",
                 "ttlSecondsAfterFinished"):
        errors += not_negative(spec, path, name, minor)
    per_index = minor >= PER_INDEX_FROM
    limit, max_failed = spec.get("backoffLimitPerIndex"), spec.get("maxFailedIndexes")
    if per_index:
        errors += not_negative(spec, path, "backoffLimitPerIndex", minor)
        if max_failed is not None:
            errors += not_negative(spec, path, "maxFailedIndexes", minor)
            if limit is None:
                errors.append(fe.required(f"{path}.backoffLimitPerIndex",
                                          messages.K8S_MAX_FAILED_WITHOUT_LIMIT))
    mode = spec.get("completionMode")
    indexed = mode == "Indexed"
    if mode is not None and mode not in ("NonIndexed", "Indexed"):
        errors.append(fe.not_supported(f"{path}.completionMode", mode,
                                       ["NonIndexed", "Indexed"], minor))
    if indexed:
        errors += _indexed(spec, path, per_index, minor)
    elif per_index:
        for name, value in (("backoffLimitPerIndex", limit), ("maxFailedIndexes", max_failed)):
            if value is not None:
                errors.append(fe.invalid_value(f"{path}.{name}", value,
                                               messages.K8S_REQUIRES_INDEXED, minor))
    failure_policy = spec.get("podFailurePolicy")
    if isinstance(failure_policy, dict):
        errors += _pod_failure_policy(spec, failure_policy, f"{path}.podFailurePolicy", minor)
    success_policy = spec.get("successPolicy")
    if minor >= SUCCESS_POLICY_FROM and isinstance(success_policy, dict):
        at = f"{path}.successPolicy"
        errors += (_success_policy(spec, success_policy, at, minor) if indexed else
                   [fe.invalid_value(at, _success_policy_value(success_policy, minor),
                                     messages.K8S_REQUIRES_INDEXED, minor)])
    replacement = spec.get("podReplacementPolicy")
    if per_index and replacement is not None:
        allowed = ["Failed"] if failure_policy is not None else ["Failed", "TerminatingOrFailed"]
        if replacement not in allowed:
            errors.append(fe.not_supported(f"{path}.podReplacementPolicy", replacement, allowed,
                                           minor))
    errors += podspecchecks.template(f"{path}.template", "Job")(obj, old, minor)
    restart = dict_at_path(spec, "template.spec").get("restartPolicy")
    if failure_policy is not None and restart == "OnFailure":
        errors.append(fe.invalid_value(f"{path}.template.spec.restartPolicy", restart,
                                       messages.K8S_FAILURE_POLICY_NEVER, minor))
    return errors


def _indexed(spec: Obj, path: str, per_index: bool, minor: int) -> list[FieldError]:
    """validateJobSpec's rules for an Indexed job."""
    completions, parallelism = spec.get("completions"), spec.get("parallelism")
    limit, max_failed = spec.get("backoffLimitPerIndex"), spec.get("maxFailedIndexes")
    errors = []
    if completions is None:
        errors.append(fe.required(f"{path}.completions", messages.K8S_INDEXED_NEEDS_COMPLETIONS))
    if is_int(parallelism) and parallelism > MAX_INDEXED_PARALLELISM:
        errors.append(fe.invalid_value(f"{path}.parallelism", parallelism,
                                       messages.K8S_INDEXED_PARALLELISM.format(
                                           limit=MAX_INDEXED_PARALLELISM), minor))
    if not per_index:
        return errors
    if is_int(completions) and is_int(max_failed) and max_failed > completions:
        errors.append(fe.invalid_value(f"{path}.maxFailedIndexes", max_failed,
                                       messages.K8S_MAX_FAILED_OVER_COMPLETIONS, minor))
    if is_int(max_failed) and max_failed > MAX_FAILED_INDEXES:
        errors.append(fe.invalid_value(f"{path}.maxFailedIndexes", max_failed,
                                       messages.K8S_AT_MOST.format(limit=MAX_FAILED_INDEXES),
                                       minor))
    if is_int(completions) and completions > COMPLETIONS_SOFT_LIMIT and limit is not None:
        if max_failed is None:
            errors.append(fe.required(f"{path}.maxFailedIndexes",
                                      messages.K8S_MAX_FAILED_FOR_HIGH_COMPLETIONS.format(
                                          limit=COMPLETIONS_SOFT_LIMIT)))
        for name, value, bound in (
                ("parallelism", parallelism, PARALLELISM_FOR_HIGH_COMPLETIONS),
                ("maxFailedIndexes", max_failed, MAX_FAILED_INDEXES_FOR_HIGH_COMPLETIONS)):
            if is_int(value) and value > bound:
                errors.append(fe.invalid_value(
                    f"{path}.{name}", value, messages.K8S_HIGH_COMPLETIONS_BOUND.format(
                        limit=bound, completions=COMPLETIONS_SOFT_LIMIT), minor))
    return errors


# -- pod failure and success policies ------------------------------------------------------------


def _pod_failure_policy(spec: Obj, policy: Obj, path: str, minor: int) -> list[FieldError]:
    """validatePodFailurePolicy and its rules."""
    rules = list_in(policy, "rules")
    errors = []
    if len(rules) > MAX_FAILURE_POLICY_RULES:
        errors.append(fe.too_many(f"{path}.rules", len(rules), MAX_FAILURE_POLICY_RULES, minor))
    pod = dict_at_path(spec, "template.spec")
    names = {as_dict(c).get("name") for field in ("containers", "initContainers")
             for c in list_in(pod, field)}
    # FailIndex came with backoffLimitPerIndex (1.28).
    actions = ["Count", "FailIndex", "FailJob", "Ignore"] if minor >= 28 else \
        ["Count", "FailJob", "Ignore"]
    for i, item in enumerate(rules):
        rule, at = as_dict(item), f"{path}.rules[{i}]"
        action = rule.get("action")
        if not action:
            errors.append(fe.required(f"{at}.action", _valid_values(actions)))
        elif action == "FailIndex" and minor >= 28:
            if spec.get("backoffLimitPerIndex") is None:
                errors.append(fe.invalid_value(f"{at}.action", action,
                                               messages.K8S_FAIL_INDEX_NEEDS_LIMIT, minor))
        elif action not in actions:
            errors.append(fe.not_supported(f"{at}.action", action, actions, minor))
        codes, conditions = rule.get("onExitCodes"), list_in(rule, "onPodConditions")
        if isinstance(codes, dict):
            errors += _on_exit_codes(codes, f"{at}.onExitCodes", names, minor)
        if conditions:
            errors += _on_pod_conditions(conditions, f"{at}.onPodConditions", minor)
        if isinstance(codes, dict) and conditions:
            errors.append(fe.invalid_value(at, fe.OMIT, messages.K8S_FAILURE_RULE_BOTH, minor))
        if not isinstance(codes, dict) and not conditions:
            errors.append(fe.invalid_value(at, fe.OMIT, messages.K8S_FAILURE_RULE_NEITHER,
                                           minor))
    return errors


def _on_exit_codes(codes: Obj, path: str, names: set[Any], minor: int) -> list[FieldError]:
    operator, errors = codes.get("operator"), []
    if not operator:
        errors.append(fe.required(f"{path}.operator", _valid_values(["In", "NotIn"])))
    elif operator not in ("In", "NotIn"):
        errors.append(fe.not_supported(f"{path}.operator", operator, ["In", "NotIn"], minor))
    container = codes.get("containerName")
    if container is not None and container not in names:
        errors.append(fe.invalid_value(f"{path}.containerName", container,
                                       messages.K8S_FAILURE_RULE_CONTAINER, minor))
    values = codes.get("values")
    listed = values if isinstance(values, list) else []
    if not listed:
        errors.append(fe.invalid_value(f"{path}.values", _int32s(values, minor),
                                       messages.K8S_EXIT_CODES_EMPTY, minor))
    elif len(listed) > MAX_EXIT_CODES:
        errors.append(fe.too_many(f"{path}.values", len(listed), MAX_EXIT_CODES, minor))
    seen: set[Any] = set()
    for j, value in enumerate(listed):
        if operator == "In" and value == 0:
            errors.append(fe.invalid_value(f"{path}.values[{j}]", value,
                                           messages.K8S_EXIT_CODE_ZERO, minor))
        if value in seen:
            errors.append(fe.duplicate(f"{path}.values[{j}]", value, minor))
        seen.add(value)
    if any(as_int(a) > as_int(b) for a, b in zip(listed, listed[1:])):
        errors.append(fe.invalid_value(f"{path}.values", _int32s(listed, minor),
                                       messages.K8S_EXIT_CODES_ORDER, minor))
    return errors


def _on_pod_conditions(patterns: list[Any], path: str, minor: int) -> list[FieldError]:
    errors = []
    if len(patterns) > MAX_CONDITION_PATTERNS:
        errors.append(fe.too_many(path, len(patterns), MAX_CONDITION_PATTERNS, minor))
    statuses = ["False", "True", "Unknown"]
    for j, item in enumerate(patterns):
        pattern, at = as_dict(item), f"{path}[{j}]"
        kind = str(pattern.get("type") or "")
        errors += [fe.invalid_value(f"{at}.type", kind, text, minor)
                   for text in namechecks.qualified_name(kind, minor)]
        status = pattern.get("status")
        if not status:
            errors.append(fe.required(f"{at}.status", _valid_values(statuses)))
        elif status not in statuses:
            errors.append(fe.not_supported(f"{at}.status", status, statuses, minor))
    return errors


def _success_policy(spec: Obj, policy: Obj, path: str, minor: int) -> list[FieldError]:
    """validateSuccessPolicy, for an Indexed job."""
    rules, errors = list_in(policy, "rules"), []
    if not rules:
        errors.append(fe.required(f"{path}.rules", messages.K8S_SUCCESS_POLICY_NO_RULES))
    if len(rules) > MAX_SUCCESS_POLICY_RULES:
        errors.append(fe.too_many(f"{path}.rules", len(rules), MAX_SUCCESS_POLICY_RULES, minor))
    completions = as_int(spec.get("completions"))
    for i, item in enumerate(rules):
        rule, at = as_dict(item), f"{path}.rules[{i}]"
        indexes, count = rule.get("succeededIndexes"), rule.get("succeededCount")
        if indexes is None and count is None:
            errors.append(fe.required(at, messages.K8S_SUCCESS_RULE_EMPTY))
        total = 0
        if isinstance(indexes, str):
            if len(indexes.encode()) > MAX_SUCCEEDED_INDEXES:
                errors.append(fe.too_long(f"{at}.succeededIndexes", MAX_SUCCEEDED_INDEXES, minor))
            try:
                total = count_indexes(indexes, completions)
            except ValueError as err:
                errors.append(fe.invalid_value(f"{at}.succeededIndexes", indexes,
                                               messages.K8S_SUCCEEDED_INDEXES.format(error=err),
                                               minor))
        if is_int(count):
            errors += not_negative(rule, at, "succeededCount", minor)
            if count > completions:
                errors.append(fe.invalid_value(f"{at}.succeededCount", count,
                                               messages.K8S_SUCCEEDED_COUNT_COMPLETIONS.format(
                                                   completions=completions), minor))
            if indexes is not None and count > total:
                errors.append(fe.invalid_value(f"{at}.succeededCount", count,
                                               messages.K8S_SUCCEEDED_COUNT_INDEXES.format(
                                                   total=total), minor))
    return errors


def count_indexes(text: str, completions: int) -> int:
    """validateIndexesFormat: how many indexes ``0,2-4`` names, each below ``completions``, in
    increasing order; a ValueError worded as kube's error."""
    if not text:
        return 0
    total, last = 0, None
    for interval in text.split(","):
        low, high = _interval(interval, completions)
        if last is not None and last >= low:
            raise ValueError(messages.K8S_INDEXES_ORDER.format(previous=last, current=low))
        total += high - low + 1
        last = high
    return total


def _interval(text: str, completions: int) -> tuple[int, int]:
    """parseIndexInterval."""
    parts = text.split("-")
    if len(parts) > 2:
        raise ValueError(messages.K8S_INDEXES_PARTS.format(fragment=fe.go_quote(text)))
    bounds = []
    for part in parts:
        if not GO_INT.fullmatch(part) or not -(2 ** 63) <= int(part) < 2 ** 63:
            raise ValueError(messages.K8S_INDEXES_NOT_INT.format(part=fe.go_quote(part)))
        if int(part) >= completions:
            raise ValueError(messages.K8S_INDEXES_TOO_LARGE.format(part=fe.go_quote(part)))
        bounds.append(int(part))
    if len(bounds) == 2 and bounds[0] >= bounds[1]:
        raise ValueError(messages.K8S_INDEXES_ORDER.format(previous=bounds[0],
                                                           current=bounds[1]))
    return bounds[0], bounds[-1]


# -- values as kube prints them -------------------------------------------------------------------

def _valid_values(values: list[str]) -> str:
    """``fmt.Sprintf("valid values: %q", sets.List(...))``: Go's %q of a []string."""
    return messages.K8S_VALID_VALUES.format(values=" ".join(fe.go_quote(v) for v in values))


def _int32s(values: Any, minor: int) -> GoText:
    """A []int32 bad value: Go's %#v before 1.34 (nil when there is none), JSON after."""
    if minor >= 34:
        return GoText(fe.go_json(values if isinstance(values, list) else None))
    if not isinstance(values, list):
        return GoText("[]int32(nil)")
    return GoText("[]int32{" + ", ".join(str(v) for v in values) + "}")


def _success_policy_value(policy: Obj, minor: int) -> GoText:
    """An internal batch.SuccessPolicy: its rules' two fields are pointers (%#v prints made-up
    addresses before 1.34; JSON with Go's field names after)."""
    rules = [as_dict(r) for r in list_in(policy, "rules")]
    if minor >= 34:
        inner = ",".join(
            f'{{"SucceededIndexes":{fe.go_json(r.get("succeededIndexes"))},'
            f'"SucceededCount":{fe.go_json(r.get("succeededCount"))}}}' for r in rules)
        return GoText(f'{{"Rules":[{inner}]}}' if rules else '{"Rules":null}')
    address = GoAddresses()
    shown = [
        "batch.SuccessPolicyRule{SucceededIndexes:"
        + ("(*string)(nil)" if r.get("succeededIndexes") is None else address("*string"))
        + ", SucceededCount:"
        + ("(*int32)(nil)" if r.get("succeededCount") is None else address("*int32")) + "}"
        for r in rules]
    listed = ("[]batch.SuccessPolicyRule{" + ", ".join(shown) + "}" if rules
              else "[]batch.SuccessPolicyRule(nil)")
    return GoText(f"batch.SuccessPolicy{{Rules:{listed}}}")
