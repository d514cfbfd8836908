"""Scenario YAML → ``Scenario``, with every mistake reported as ``file:line: what is wrong``.

Unknown keys are errors: a misspelt key that were silently ignored would leave a test running
against a different world than its author wrote.
"""

from __future__ import annotations

import functools
import importlib.resources
import re
import shlex
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from emulator import error_catalogue, limits, messages
from emulator.cluster.mock.controllers.settings import ControllerSettings, Delays, ImageRule
from emulator.scenario import yamlfile
from emulator.scenario.model import (
    CustomRole,
    Expectation,
    GoogleGroup,
    IamBinding,
    MembershipSpec,
    MulticloudSpec,
    Principal,
    RemoteSpec,
    Scenario,
    ScriptedAnswer,
    SeedObject,
    StreamLimits,
)

# The top-level scenarios/ folder, installed as this package (pyproject.toml maps it), so a wheel
# or an sdist carries the built-in scenarios as an editable install does.
BUILTIN_PACKAGE = "emulator.scenario.builtin"
_VERSION = re.compile(r"^v1\.(\d+)(\.\d+)?([-+].*)?$")
_PROJECT_NUMBER = re.compile(r"^[1-9]\d{5,18}$")
_MEMBER = re.compile(r"^(user|serviceAccount|group):[^\s:@]+@[^\s:@]+$")
_CUSTOM_ROLE = re.compile(r"^(projects|organizations)/[^/]+/roles/[A-Za-z0-9_.]{3,64}$")
_MEMBERSHIP_NAME = re.compile(r"^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$")
_REGION = re.compile(r"^[a-z]+-[a-z]+[0-9]+$")
# The cluster types that exist in the GKE Multi-Cloud API; aws and azure clusters always do.
_MULTICLOUD_TYPES = ("aws", "azure", "attached")
_DEFAULT_NODE_POOLS = ("pool-0",)
# What a built-in scenario's name looks like (the stem of a file in scenarios/). A name is checked
# against it before it becomes a path: a long or odd name is "not found", never an OSError.
BUILTIN_NAME = re.compile(r"[a-z0-9][-a-z0-9]{0,63}")


class ScenarioError(Exception):
    """A scenario that cannot be used; the message is ``file:line: reason``."""


def is_member(text: str) -> bool:
    """``user:EMAIL``, ``serviceAccount:EMAIL`` or ``group:EMAIL``, as IAM writes members."""
    return bool(_MEMBER.match(text))


def parse_time(raw: str) -> datetime | None:
    """An RFC 3339 time with its offset (``Z`` included); None for anything else."""
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def builtin_dir() -> Path:
    """The folder of the built-in scenarios, as installed. An install that lacks them (a package
    built without its data) is a ScenarioError that says so, never an empty list."""
    folder = _installed(BUILTIN_PACKAGE)
    if folder is None:
        raise ScenarioError(messages.SCENARIO_NO_BUILTINS.format(package=BUILTIN_PACKAGE))
    return folder


@functools.cache
def _installed(package: str) -> Path | None:
    """Where ``package`` holds scenario files; found once, as every scenario load asks."""
    try:
        folder = Path(str(importlib.resources.files(package)))
    except ModuleNotFoundError:
        return None
    return folder if any(folder.glob("*.yaml")) else None


def builtin_path(name: str) -> Path | None:
    """The built-in scenario ``name``'s file; None when there is no such built-in scenario."""
    if not BUILTIN_NAME.fullmatch(name):
        return None
    path = builtin_dir() / f"{name}.yaml"
    return path if path.is_file() else None


def builtin_names() -> list[str]:
    return sorted(p.stem for p in builtin_dir().glob("*.yaml"))


def resolve(name_or_path: str) -> Path:
    candidate = Path(name_or_path)
    if candidate.suffix in (".yaml", ".yml") or "/" in name_or_path:
        return candidate
    builtin = builtin_path(name_or_path)
    if builtin is None:
        raise ScenarioError(messages.SCENARIO_NOT_FOUND.format(
            name=name_or_path, known=", ".join(builtin_names())))
    return builtin


def load(name_or_path: str) -> Scenario:
    """The scenario the file holds now. A file read before with the same text (and, for
    ``extends``, the same base) gives the same ``Scenario`` back without parsing it again: the
    pytest plugin loads a test's scenario before every test, and a parse costs milliseconds."""
    path = resolve(name_or_path)
    text = _read(path)
    key = (str(path), text)
    known = _PARSED.get(key)
    if known is not None and all(_read(base) == base_text for base, base_text in known[1]):
        _PARSED.move_to_end(key)
        return known[0]
    bases: list[tuple[Path, str]] = []
    scenario = parse(text, path, bases)
    if len(text) > PARSED_TEXT_KEPT:
        # Kept, it would push every other file out of the cache, and hold its thousands of
        # objects after its world is gone.
        return scenario
    _PARSED[key] = (scenario, tuple(bases))
    while len(_PARSED) > PARSED_KEPT or sum(len(text) for _, text in _PARSED) > PARSED_TEXT_KEPT:
        _PARSED.popitem(last=False)
    return scenario


# Scenario is frozen and its seeds are only ever copied from, so one parse can serve every load.
# The newest files are kept, within a budget of text; a file bigger than the whole budget is not
# kept, so that a scenario of thousands of objects does not stay in memory once another is loaded.
PARSED_KEPT = 32
PARSED_TEXT_KEPT = 256 * 1024
_PARSED: OrderedDict[tuple[str, str], tuple[Scenario, tuple[tuple[Path, str], ...]]] = (
    OrderedDict())


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path, or not UTF-8
        raise ScenarioError(messages.SCENARIO_UNREADABLE.format(
            path=path, reason=getattr(exc, "strerror", None) or exc)) from None


def parse(text: str, path: Path, bases: list[tuple[Path, str]] | None = None) -> Scenario:
    """``bases``, when given, receives the file ``extends`` read and its text."""
    try:
        data = yamlfile.load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        reason = getattr(exc, "problem", None) or str(exc)
        # Valid YAML over the emulator's limits is said as it is, not called invalid YAML.
        template = (messages.SCENARIO_INVALID if isinstance(exc, limits.YamlLimitError)
                    else messages.SCENARIO_YAML_ERROR)
        raise ScenarioError(template.format(path=path, line=line, reason=reason)) from None
    if isinstance(data, dict) and "extends" in data:
        data = _extended(data, path, bases if bases is not None else [])
    return _Parser(path).scenario(data)


def _extended(data: yamlfile.LineDict, path: Path,
              bases: list[tuple[Path, str]]) -> yamlfile.LineDict:
    """``extends: BUILTIN``: the built-in scenario's keys, with this file's keys replacing them
    (whole keys, not merged), so a case file states only what differs from its base."""
    base_name = data["extends"]
    base_path = builtin_path(base_name) if isinstance(base_name, str) else None
    if base_path is None:
        raise ScenarioError(messages.SCENARIO_INVALID.format(
            path=path, line=yamlfile.line_of(data, "extends"),
            reason=messages.SCENARIO_BAD_EXTENDS.format(name=base_name,
                                                       known=", ".join(builtin_names()))))
    base_text = _read(base_path)  # an installation may have lost or garbled its file
    bases.append((base_path, base_text))
    base = yamlfile.load(base_text)
    merged = yamlfile.LineDict({**base, **{k: v for k, v in data.items() if k != "extends"}})
    merged.line = data.line
    merged.key_lines = {**base.key_lines, **data.key_lines}
    if "expect" not in data:
        merged.pop("expect", None)  # the base's claims are about the base
    return merged


class _Parser:
    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, line: int, reason: str) -> ScenarioError:
        return ScenarioError(messages.SCENARIO_INVALID.format(path=self.path, line=line,
                                                              reason=reason))

    def fields(self, data: Any, where: str, required: tuple[str, ...],
               optional: tuple[str, ...], line: int) -> yamlfile.LineDict:
        if not isinstance(data, dict):
            raise self.fail(line, messages.SCENARIO_EXPECTED_MAPPING.format(where=where))
        for key in data:
            if key not in required and key not in optional:
                raise self.fail(yamlfile.line_of(data, key), messages.SCENARIO_UNKNOWN_KEY.format(
                    key=key, where=where, allowed=", ".join(required + optional)))
        for key in required:
            if key not in data:
                raise self.fail(yamlfile.line_of(data), messages.SCENARIO_MISSING_KEY.format(
                    key=key, where=where))
        return data  # type: ignore[return-value]

    def text(self, data: yamlfile.LineDict, key: str, where: str, default: str = "",
             pattern: re.Pattern[str] | None = None, hint: str = "") -> str:
        value = data.get(key, default)
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)  # project numbers are often written unquoted
        if not isinstance(value, str):
            raise self.fail(yamlfile.line_of(data, key), messages.SCENARIO_EXPECTED_STRING.format(
                key=key, where=where))
        if pattern is not None and not pattern.match(value):
            raise self.fail(yamlfile.line_of(data, key), messages.SCENARIO_BAD_VALUE.format(
                key=key, where=where, value=value, hint=hint))
        return value

    def items(self, data: yamlfile.LineDict, key: str, where: str) -> list[tuple[Any, int]]:
        value = data.get(key, [])
        if not isinstance(value, list):
            raise self.fail(yamlfile.line_of(data, key), messages.SCENARIO_EXPECTED_LIST.format(
                key=key, where=where))
        return [(item, yamlfile.line_of(value, i)) for i, item in enumerate(value)]

    # -- sections ------------------------------------------------------------------------------

    def scenario(self, data: Any) -> Scenario:
        top = self.fields(data, "the scenario", ("project", "memberships"),
                          ("description", "principals", "groups", "roles", "iam",
                           "cluster_objects", "limits", "expect"), 1)
        project = self.fields(top["project"], "project", ("id", "number"), (),
                              yamlfile.line_of(top, "project"))
        principals = tuple(self.principal(p, line) for p, line in
                           self.items(top, "principals", "the scenario"))
        self.unique([p.email for p in principals], top, "principals", "principal")
        memberships = tuple(self.membership(m, line) for m, line in
                            self.items(top, "memberships", "the scenario"))
        self.unique([m.name for m in memberships], top, "memberships", "membership")
        return Scenario(
            name=self.path.stem,
            path=self.path,
            description=self.text(top, "description", "the scenario"),
            project_id=self.text(project, "id", "project"),
            project_number=self.text(project, "number", "project", pattern=_PROJECT_NUMBER,
                                     hint=messages.SCENARIO_HINT_PROJECT_NUMBER),
            principals=principals,
            iam=tuple(self.binding(b, line) for b, line in self.items(top, "iam", "the scenario")),
            groups=self.groups(top),
            custom_roles=tuple(self.custom_role(r, line)
                               for r, line in self.items(top, "roles", "the scenario")),
            memberships=memberships,
            cluster_objects=self.objects(top, "cluster_objects", "the scenario"),
            limits=self.limits(top),
            expectations=tuple(self.expectation(e, line, memberships)
                               for e, line in self.items(top, "expect", "the scenario")),
        )

    def expectation(self, data: Any, line: int,
                    memberships: tuple[MembershipSpec, ...]) -> Expectation:
        fields = self.fields(data, "an expectation", ("run", "as"), (
            "membership", "track", "env", "before", "before_as", "exit_code", "stdout_contains",
            "stderr_contains", "error_id", "server_path"), line)
        where = "an expectation"
        code = fields.get("exit_code", 0)
        if not isinstance(code, int) or isinstance(code, bool) or not 0 <= code <= 255:
            raise self.fail(yamlfile.line_of(fields, "exit_code"), messages.SCENARIO_BAD_VALUE.format(
                key="exit_code", where=where, value=code, hint=messages.SCENARIO_HINT_EXIT_CODE))
        env = fields.get("env", {})
        if not isinstance(env, dict) or not all(isinstance(v, str) for v in env.values()):
            raise self.fail(yamlfile.line_of(fields, "env"),
                            messages.SCENARIO_EXPECTED_MAPPING.format(where="env"))
        default_membership = memberships[0].name if memberships else ""
        return Expectation(
            run=self.command(fields, "run"),
            principal=self.text(fields, "as", where),
            membership=self.text(fields, "membership", where, default_membership),
            track=self.text(fields, "track", where, "v1",
                            re.compile(r"^(v1|v1beta1|v1alpha1)$"), messages.SCENARIO_HINT_TRACK),
            env=tuple(sorted(env.items())),
            before=tuple(self.command({"run": c}, "run", line)
                         for c, _ in self.items(fields, "before", where)),
            before_as=self.text(fields, "before_as", where),
            exit_code=code,
            stdout_contains=self.texts(fields, "stdout_contains", where),
            stderr_contains=self.texts(fields, "stderr_contains", where),
            error_id=self.error_id(fields, where),
            server_path=self.text(fields, "server_path", where),
            line=line,
        )

    def error_id(self, fields: yamlfile.LineDict, where: str) -> str:
        """A case of the error catalogue: a misspelt id would make the check look for a record
        the gateway never writes, and fail for the wrong reason."""
        value = self.text(fields, "error_id", where)
        if value and value not in error_catalogue.BY_ID:
            raise self.fail(yamlfile.line_of(fields, "error_id"), messages.SCENARIO_BAD_VALUE.format(
                key="error_id", where=where, value=value,
                hint=messages.SCENARIO_HINT_ERROR_ID.format(known=error_catalogue.known_ids())))
        return value

    def command(self, fields: Any, key: str, line: int = 0) -> tuple[str, ...]:
        raw = fields.get(key)
        if not isinstance(raw, str) or not raw.strip():
            raise self.fail(yamlfile.line_of(fields, key) or line,
                            messages.SCENARIO_EXPECTED_STRING.format(key=key, where="an expectation"))
        try:
            argv = tuple(shlex.split(raw))
        except ValueError as exc:
            raise self.fail(yamlfile.line_of(fields, key) or line,
                            messages.SCENARIO_BAD_COMMAND.format(detail=exc)) from None
        if argv[0] != "kubectl":
            raise self.fail(yamlfile.line_of(fields, key) or line,
                            messages.SCENARIO_COMMAND_NOT_KUBECTL.format(command=argv[0]))
        return argv

    def texts(self, fields: yamlfile.LineDict, key: str, where: str) -> tuple[str, ...]:
        found = []
        for item, item_line in self.items(fields, key, where):
            if not isinstance(item, str):
                raise self.fail(item_line, messages.SCENARIO_EXPECTED_STRING.format(key=key,
                                                                                   where=where))
            found.append(item)
        return tuple(found)

    def limits(self, top: yamlfile.LineDict) -> StreamLimits:
        if "limits" not in top:
            return StreamLimits()
        fields = self.fields(top["limits"], "limits", (),
                             ("active_streams", "stream_timeout_seconds", "requests_per_minute"),
                             yamlfile.line_of(top, "limits"))
        rate = fields.get("requests_per_minute", limits.REQUESTS_PER_MINUTE)
        if not isinstance(rate, int) or isinstance(rate, bool) or rate < 1:
            raise self.fail(yamlfile.line_of(fields, "requests_per_minute"),
                            messages.SCENARIO_BAD_VALUE.format(
                                key="requests_per_minute", where="limits", value=rate,
                                hint=messages.SCENARIO_HINT_POSITIVE))
        quota = fields.get("active_streams", limits.ACTIVE_STREAMS)
        timeout = fields.get("stream_timeout_seconds")
        if not limits.active_streams_ok(quota):
            raise self.fail(yamlfile.line_of(fields, "active_streams"),
                            messages.SCENARIO_BAD_VALUE.format(
                                key="active_streams", where="limits", value=quota,
                                hint=messages.SCENARIO_HINT_COUNT.format(
                                    maximum=limits.MAX_ACTIVE_STREAMS)))
        # YAML writes NaN and the infinities as .nan and .inf: numbers, but not a time limit.
        if timeout is not None and not limits.stream_timeout_ok(timeout):
            raise self.fail(yamlfile.line_of(fields, "stream_timeout_seconds"),
                            messages.SCENARIO_BAD_VALUE.format(
                                key="stream_timeout_seconds", where="limits", value=timeout,
                                hint=messages.SCENARIO_HINT_SECONDS.format(
                                    maximum=limits.MAX_STREAM_TIMEOUT_SECONDS)))
        return StreamLimits(quota, rate, float(timeout) if timeout is not None else None)

    def unique(self, names: list[str], top: yamlfile.LineDict, key: str, what: str) -> None:
        seen: set[str] = set()
        for index, name in enumerate(names):
            if name in seen:
                raise self.fail(yamlfile.line_of(top[key], index),
                                messages.SCENARIO_DUPLICATE.format(what=what, name=name))
            seen.add(name)

    def principal(self, data: Any, line: int) -> Principal:
        kind = "serviceAccount" if isinstance(data, dict) and "serviceAccount" in data else "user"
        fields = self.fields(data, "a principal", (kind,), ("token", "token_expires"), line)
        expires = None
        if "token_expires" in fields:
            raw = self.text(fields, "token_expires", "a principal")
            expires = parse_time(raw)
            if expires is None:
                raise self.fail(yamlfile.line_of(fields, "token_expires"),
                                messages.SCENARIO_BAD_VALUE.format(
                                    key="token_expires", where="a principal", value=raw,
                                    hint=messages.SCENARIO_HINT_TIME))
        return Principal(kind, self.text(fields, kind, "a principal"),  # type: ignore[arg-type]
                         self.text(fields, "token", "a principal") or None, expires)

    def groups(self, top: yamlfile.LineDict) -> tuple[GoogleGroup, ...]:
        groups = []
        for data, line in self.items(top, "groups", "the scenario"):
            fields = self.fields(data, "a group", ("group", "members"), (), line)
            groups.append(GoogleGroup(self.text(fields, "group", "a group"),
                                      self.members(fields, "a group")))
        self.unique([g.email for g in groups], top, "groups", "group")
        return tuple(groups)

    def custom_role(self, data: Any, line: int) -> CustomRole:
        fields = self.fields(data, "a custom role", ("name", "permissions"), ("title",), line)
        permissions = []
        for permission, item_line in self.items(fields, "permissions", "a custom role"):
            if not isinstance(permission, str) or permission.count(".") < 2:
                raise self.fail(item_line, messages.SCENARIO_BAD_PERMISSION.format(
                    permission=permission))
            permissions.append(permission)
        return CustomRole(self.text(fields, "name", "a custom role", pattern=_CUSTOM_ROLE,
                                    hint=messages.SCENARIO_HINT_CUSTOM_ROLE),
                          tuple(permissions), self.text(fields, "title", "a custom role"))

    def members(self, fields: yamlfile.LineDict, where: str) -> tuple[str, ...]:
        members = []
        for member, member_line in self.items(fields, "members", where):
            if not isinstance(member, str) or not is_member(member):
                raise self.fail(member_line, messages.SCENARIO_BAD_MEMBER.format(member=member))
            members.append(member)
        return tuple(members)

    def binding(self, data: Any, line: int) -> IamBinding:
        fields = self.fields(data, "an iam binding", ("role", "members"), ("resource",), line)
        return IamBinding(self.text(fields, "role", "an iam binding"),
                          self.members(fields, "an iam binding"),
                          self.text(fields, "resource", "an iam binding"))

    def membership(self, data: Any, line: int) -> MembershipSpec:
        fields = self.fields(
            data, "a membership", ("name", "kubernetes_version"),
            ("location", "type", "connected", "agent_installed", "objects", "pod_logs",
             "pod_files", "scripted", "kubeconfig", "context", "agent_credentials",
             "multicloud", "controllers"), line)
        cluster_type = self.text(fields, "type", "a membership", "attached",
                                 re.compile(r"^(attached|gke|aws|azure)$"),
                                 messages.SCENARIO_HINT_TYPE)
        logs = fields.get("pod_logs", {})
        if not isinstance(logs, dict):
            raise self.fail(yamlfile.line_of(fields, "pod_logs"),
                            messages.SCENARIO_EXPECTED_MAPPING.format(where="pod_logs"))
        pod_logs = []
        for key, lines in logs.items():
            if not isinstance(key, str) or key.count("/") != 2 or not isinstance(lines, list):
                raise self.fail(yamlfile.line_of(logs, key), messages.SCENARIO_BAD_LOG_KEY.format(
                    key=key))
            pod_logs.append((key, tuple(str(line_text) for line_text in lines)))
        spec = MembershipSpec(
            name=self.text(fields, "name", "a membership", pattern=_MEMBERSHIP_NAME,
                           hint=messages.SCENARIO_HINT_MEMBERSHIP),
            location=self.text(fields, "location", "a membership", "global"),
            cluster_type=cluster_type,  # type: ignore[arg-type]
            kubernetes_version=self.text(fields, "kubernetes_version", "a membership",
                                         pattern=_VERSION, hint=messages.SCENARIO_HINT_VERSION),
            connected=self.flag(fields, "connected", "a membership", True),
            agent_installed=self.flag(fields, "agent_installed", "a membership",
                                      cluster_type != "gke"),
            objects=self.objects(fields, "objects", "a membership"),
            pod_logs=tuple(pod_logs),
            pod_files=self.per_container(fields, "pod_files", self.file_entry),
            scripted=self.per_container(fields, "scripted", self.scripted_entry),
            line=line,
            remote=self.remote(fields),
            multicloud=self.multicloud(fields, cluster_type, line),
            controllers=self.controllers(fields),
        )
        if spec.remote is not None and spec.seeds_anything:
            # A real cluster is not the emulator's to fill: say so rather than skip the seeds.
            raise self.fail(line, messages.SCENARIO_REMOTE_SEEDS.format(name=spec.name))
        return spec

    def controllers(self, fields: yamlfile.LineDict) -> ControllerSettings:
        """``controllers: {enabled, delays: {schedule, pull, start, ready}, images: [{match,
        pull: fail, exit_code, runs_for}]}``: whether kube's controllers run in the membership's
        embedded cluster, how long each stage of a pod's start takes, and which images fail."""
        if "controllers" not in fields:
            return ControllerSettings()
        where = "controllers of a membership"
        block = self.fields(fields["controllers"], where, (), ("enabled", "delays", "images"),
                            yamlfile.line_of(fields, "controllers"))
        delays = Delays()
        if "delays" in block:
            stages = self.fields(block["delays"], "controllers.delays", (),
                                 ("schedule", "pull", "start", "ready"),
                                 yamlfile.line_of(block, "delays"))
            delays = Delays(**{stage: self.seconds(stages, stage, "controllers.delays")
                               for stage in stages})
        rules = []
        for rule, rule_line in self.items(block, "images", where):
            entry = self.fields(rule, "an image rule", ("match",),
                                ("pull", "exit_code", "runs_for"), rule_line)
            pull = self.text(entry, "pull", "an image rule", "ok", re.compile(r"^(ok|fail)$"),
                             messages.SCENARIO_HINT_PULL)
            code = entry.get("exit_code")
            if code is not None and (not isinstance(code, int) or isinstance(code, bool)
                                     or not 0 <= code <= 255):
                raise self.fail(yamlfile.line_of(entry, "exit_code"),
                                messages.SCENARIO_BAD_VALUE.format(
                                    key="exit_code", where="an image rule", value=code,
                                    hint=messages.SCENARIO_HINT_EXIT_CODE))
            rules.append(ImageRule(self.text(entry, "match", "an image rule"),
                                   pull_fails=pull == "fail", exit_code=code,
                                   runs_for=self.seconds(entry, "runs_for", "an image rule")))
        return ControllerSettings(self.flag(block, "enabled", where, True), delays, tuple(rules))

    def seconds(self, data: yamlfile.LineDict, key: str, where: str) -> float:
        value = data.get(key, 0)
        if (not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0
                or value > limits.MAX_CONTROLLER_DELAY_SECONDS):
            raise self.fail(yamlfile.line_of(data, key), messages.SCENARIO_BAD_VALUE.format(
                key=key, where=where, value=value, hint=messages.SCENARIO_HINT_DELAY.format(
                    maximum=limits.MAX_CONTROLLER_DELAY_SECONDS)))
        return float(value)

    def multicloud(self, fields: yamlfile.LineDict, cluster_type: str,
                   line: int) -> MulticloudSpec | None:
        """``multicloud: {location: REGION, node_pools: [NAME, ...]}``: required for aws and
        azure, optional for attached, refused for gke; ``node_pools`` for aws and azure only."""
        if "multicloud" not in fields:
            if cluster_type in ("aws", "azure"):
                raise self.fail(line, messages.SCENARIO_MISSING_KEY.format(
                    key="multicloud", where=f"a membership of type {cluster_type}"))
            return None
        where = f"multicloud of an {cluster_type} membership"
        key_line = yamlfile.line_of(fields, "multicloud")
        if cluster_type not in _MULTICLOUD_TYPES:
            raise self.fail(key_line, messages.SCENARIO_MULTICLOUD_TYPE.format(type=cluster_type))
        block = self.fields(fields["multicloud"], where, ("location",),
                            ("node_pools",) if cluster_type != "attached" else (), key_line)
        location = self.text(block, "location", where, pattern=_REGION,
                             hint=messages.SCENARIO_HINT_REGION)
        if cluster_type == "attached":
            return MulticloudSpec(location)
        if "node_pools" not in block:
            return MulticloudSpec(location, _DEFAULT_NODE_POOLS)
        pools = []
        for pool, pool_line in self.items(block, "node_pools", where):
            if not isinstance(pool, str) or not _MEMBERSHIP_NAME.match(pool):
                raise self.fail(pool_line, messages.SCENARIO_BAD_VALUE.format(
                    key="node_pools", where=where, value=pool,
                    hint=messages.SCENARIO_HINT_MEMBERSHIP))
            pools.append(pool)
        if len(set(pools)) != len(pools):
            twice = next(p for p in pools if pools.count(p) > 1)
            raise self.fail(yamlfile.line_of(block, "node_pools"),
                            messages.SCENARIO_DUPLICATE.format(what="node pool", name=twice))
        return MulticloudSpec(location, tuple(pools))

    def remote(self, fields: yamlfile.LineDict) -> RemoteSpec | None:
        """``kubeconfig: PATH`` (relative to the scenario file), ``context:``, ``agent_credentials:``."""
        kubeconfig = self.text(fields, "kubeconfig", "a membership")
        if not kubeconfig:
            for key in ("context", "agent_credentials"):
                if key in fields:
                    raise self.fail(yamlfile.line_of(fields, key),
                                    messages.SCENARIO_REMOTE_ONLY.format(key=key))
            return None
        credentials = self.text(fields, "agent_credentials", "a membership", "kubeconfig",
                                re.compile(r"^(kubeconfig|service-account)$"),
                                messages.SCENARIO_HINT_AGENT_CREDENTIALS)
        path = self.usable_path(fields, "kubeconfig", "a membership")
        return RemoteSpec(path, self.text(fields, "context", "a membership") or None,
                          credentials)  # type: ignore[arg-type]

    def usable_path(self, fields: yamlfile.LineDict, key: str, where: str) -> Path:
        """The path at ``key`` (relative to the scenario file), refused at its line when the
        system could never open it: a name too long, a NUL, an unknown ``~user``. Whether the
        file is there is for whoever reads it to say (the world's load names the membership)."""
        line = yamlfile.line_of(fields, key)
        try:
            path = Path(self.text(fields, key, where)).expanduser()
            path = path if path.is_absolute() else self.path.parent / path
            path.stat()
        except (FileNotFoundError, NotADirectoryError):
            pass
        except (OSError, ValueError, RuntimeError) as exc:  # RuntimeError: expanduser's
            raise self.fail(line, messages.SCENARIO_BAD_PATH.format(
                key=key, where=where, reason=getattr(exc, "strerror", None) or exc)) from None
        return path

    def per_container(self, fields: yamlfile.LineDict, key: str,
                      entry: Callable[[Any, Any, int], Any]) -> tuple[tuple[str, tuple[Any, ...]], ...]:
        """``NAMESPACE/POD/CONTAINER: {name: value}`` mappings (pod_files, scripted)."""
        data = fields.get(key, {})
        if not isinstance(data, dict):
            raise self.fail(yamlfile.line_of(fields, key),
                            messages.SCENARIO_EXPECTED_MAPPING.format(where=key))
        result = []
        for target, items in data.items():
            line = yamlfile.line_of(data, target)
            if not isinstance(target, str) or target.count("/") != 2 or not isinstance(items, dict):
                raise self.fail(line, messages.SCENARIO_BAD_CONTAINER_KEY.format(key=target,
                                                                                  where=key))
            result.append((target, tuple(
                (name, entry(name, value, yamlfile.line_of(items, name)))
                for name, value in items.items())))
        return tuple(result)

    def file_entry(self, path: Any, content: Any, line: int) -> str:
        if not isinstance(path, str) or not path.startswith("/") or not isinstance(content, str):
            raise self.fail(line, messages.SCENARIO_BAD_FILE.format(path=path))
        return content

    def scripted_entry(self, command: Any, answer: Any, line: int) -> ScriptedAnswer:
        if not isinstance(command, str):
            raise self.fail(line, messages.SCENARIO_EXPECTED_STRING.format(key=command,
                                                                           where="scripted"))
        fields = self.fields(answer, "a scripted answer", (), ("stdout", "stderr", "exit_code"),
                             line)
        code = fields.get("exit_code", 0)
        if not isinstance(code, int) or isinstance(code, bool) or not 0 <= code <= 255:
            raise self.fail(yamlfile.line_of(fields, "exit_code"), messages.SCENARIO_BAD_VALUE.format(
                key="exit_code", where="a scripted answer", value=code,
                hint=messages.SCENARIO_HINT_EXIT_CODE))
        return ScriptedAnswer(self.text(fields, "stdout", "a scripted answer"),
                              self.text(fields, "stderr", "a scripted answer"), code)

    def flag(self, data: yamlfile.LineDict, key: str, where: str, default: bool) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(yamlfile.line_of(data, key), messages.SCENARIO_EXPECTED_BOOL.format(
                key=key, where=where))
        return value

    def objects(self, data: yamlfile.LineDict, key: str, where: str) -> tuple[SeedObject, ...]:
        result = []
        for manifest, line in self.items(data, key, where):
            if not isinstance(manifest, dict):
                raise self.fail(line, messages.SCENARIO_EXPECTED_MAPPING.format(where=key))
            for required in ("apiVersion", "kind", "metadata"):
                if required not in manifest:
                    raise self.fail(line, messages.SCENARIO_MISSING_KEY.format(
                        key=required, where="a Kubernetes object"))
            result.append(SeedObject(yamlfile.plain(manifest), line))
        return tuple(result)
