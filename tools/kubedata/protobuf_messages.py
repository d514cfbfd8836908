"""Write emulator/cluster/mock/registry/data/protobuf-messages.json: every built-in kind's protobuf messages.

Dev tool, not shipped. Run from the repository root, with k8s.io/api, k8s.io/apimachinery,
k8s.io/apiextensions-apiserver and k8s.io/kube-aggregator mirrored as bare git directories (the
defaults below):

    python tools/kubedata/protobuf_messages.py [--tag v0.35.0]       # (re)write the file
    python tools/kubedata/protobuf_messages.py --check               # the committed file is current
    python tools/kubedata/protobuf_messages.py --api-repo DIR --apimachinery-repo DIR \
        --apiextensions-repo DIR --kube-aggregator-repo DIR ...

--check regenerates into memory from the tag the committed file names and exits 1 (printing the
first difference) when the bytes differ.

Where each fact comes from, at k8s.io/api tag ``--tag`` (v0.NN.0 is Kubernetes 1.NN), the
k8s.io/apimachinery version its go.mod requires, and the same tag of k8s.io/apiextensions-apiserver
and k8s.io/kube-aggregator (which must require that same apimachinery, or the tool stops):

- messages, field numbers, proto types, ``repeated`` and ``map<..>``: every ``*/*/generated.proto``
  of k8s.io/api; the ``generated.proto`` of the packages EXTRA_PACKAGES names, those of the
  served kinds defined outside k8s.io/api (apiextensions.k8s.io/v1 CustomResourceDefinition,
  apiregistration.k8s.io/v1 APIService; no minor the mock serves has their v1beta1 versions);
  and those of apimachinery's meta/v1, runtime, runtime/schema, util/intstr and api/resource for
  the messages the others refer to (directly or through each other);
- JSON names, ``omitempty``, ``,inline`` and Go pointers: the Go structs of the same package
  (every non-generated ``.go`` file), joined to the proto fields by the number in each field's
  ``protobuf:"..."`` tag. Go field types are resolved through named types (``type Protocol
  string``, ``type ResourceList map[ResourceName]resource.Quantity``) and imports, and must agree
  with the proto type (scalar, list, map, message), or the tool stops;
- top-level kinds: each read package's ``register.go`` (``GroupName``, the version of
  ``SchemeGroupVersion`` and the ``&Kind{}`` given to ``AddKnownTypes``);
- JSON forms of their own: the messages of OWN_FORMS below. A Go type with a ``MarshalJSON``
  method that is not among them stops the tool.

Whatever the notation cannot say stops the tool with an error naming the field (a new Go
``omitzero``, a proto type it does not know, a Go type that disagrees with the proto), except the
one ``omitzero`` that OMITZERO_AS_OMITEMPTY below explains.

Message names are the Go package path with the domain reversed, then the type name, which are
also the OpenAPI definition names and, but for ``-`` (which go-to-protobuf writes as ``_``), the
proto names with the domain reversed: ``io.k8s.api.rbac.v1.Subject``,
``io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta``,
``io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps``. Inside a message, a
message of the same package is named by its short name (``PolicyRule``), any other by its full
name, as proto does.

Written (see emulator/cluster/mock/wire/protobuf_table.py for the notation):

    {"source": {"k8s.io/api": tag, "k8s.io/apimachinery": version,
                "k8s.io/apiextensions-apiserver": tag, "k8s.io/kube-aggregator": tag},
     "kinds": {apiVersion: {kind: message}},
     "forms": {message: form},   # messages whose JSON is not their fields (Time, Quantity, ...)
     "messages": {message: {number: [json name, kind]}}}   # fields in Go struct order

The tool reads upstream to learn facts; it copies no upstream code.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "emulator/cluster/mock/registry/data/protobuf-messages.json"
API_REPO = Path("/work/.mirror/kubernetes+api/repo")
APIMACHINERY_REPO = Path("/work/.mirror/kubernetes+apimachinery/repo")
APIEXTENSIONS_REPO = Path("/work/.mirror/kubernetes+apiextensions-apiserver/repo")
KUBE_AGGREGATOR_REPO = Path("/work/.mirror/kubernetes+kube-aggregator/repo")
DEFAULT_TAG = "v0.35.0"

API = "k8s.io/api"
APIMACHINERY = "k8s.io/apimachinery"
APIEXTENSIONS = "k8s.io/apiextensions-apiserver"
KUBE_AGGREGATOR = "k8s.io/kube-aggregator"
# Served kinds defined outside k8s.io/api: the packages of the group-versions a kube-apiserver
# serves. Every minor the mock serves (1.27-1.35) has only v1 of both groups (v1beta1 went in
# 1.22), so their v1beta1 packages are not read.
EXTRA_PACKAGES = {APIEXTENSIONS: ("pkg/apis/apiextensions/v1",),
                  KUBE_AGGREGATOR: ("pkg/apis/apiregistration/v1",)}
# The apimachinery packages whose messages k8s.io/api's protos import.
APIMACHINERY_PACKAGES = ("pkg/apis/meta/v1", "pkg/runtime", "pkg/runtime/schema",
                         "pkg/util/intstr", "pkg/api/resource")

_META = "io.k8s.apimachinery.pkg.apis.meta.v1."
_APIEXTENSIONS_V1 = "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1."
# Messages whose JSON is a form of their own, made by the mock's decoder (protobuf.py), not their
# fields: written with the proto's own field names, each single field marked ``?`` so that the
# decoder sees which were present. Only those the read packages refer to are written (at v0.35.0
# not Duration or Unknown); a form protobuf.py lacks fails its tests. Each is a Go type with a
# MarshalJSON method, and a message whose Go type has one and is not here stops the tool:
# - apiextensions' JSON is raw JSON bytes (``raw``), written as they are (null when empty);
# - JSONSchemaPropsOrArray is its list (``jSONSchemas``) when not empty, else its ``schema``
#   (null when nil); JSONSchemaPropsOrBool is its ``schema`` when set, else the bool ``allows``;
#   JSONSchemaPropsOrStringArray is its ``property`` list when not empty, else its ``schema``,
#   else null (marshal.go of k8s.io/apiextensions-apiserver's v1 package).
OWN_FORMS = {
    _META + "Time": "Time",
    _META + "MicroTime": "MicroTime",
    _META + "FieldsV1": "FieldsV1",
    _META + "Duration": "Duration",
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString": "IntOrString",
    "io.k8s.apimachinery.pkg.api.resource.Quantity": "Quantity",
    "io.k8s.apimachinery.pkg.runtime.RawExtension": "RawExtension",
    "io.k8s.apimachinery.pkg.runtime.Unknown": "Unknown",
    _APIEXTENSIONS_V1 + "JSON": "JSON",
    _APIEXTENSIONS_V1 + "JSONSchemaPropsOrArray": "JSONSchemaPropsOrArray",
    _APIEXTENSIONS_V1 + "JSONSchemaPropsOrBool": "JSONSchemaPropsOrBool",
    _APIEXTENSIONS_V1 + "JSONSchemaPropsOrStringArray": "JSONSchemaPropsOrStringArray",
}
# A message whose Go type is not a struct but ``type X []string`` (authentication's ExtraValue):
# its JSON is that list.
STRING_LIST = "StringList"

# ``omitzero`` fields read as if they had ``omitempty`` alone. apimachinery 1.35 added omitzero to
# ObjectMeta.creationTimestamp, so clients built with it leave a zero one out where older ones
# wrote ``null``; the mock keeps writing ``null`` (what kubectl up to 1.34 sends as JSON, and what
# its tests' captured bodies pin). Any other omitzero stops the tool: the notation has no mark
# for it yet.
OMITZERO_AS_OMITEMPTY = frozenset({_META + "ObjectMeta.creationTimestamp"})

PROTO_SCALARS = {"string": "string", "int32": "int", "int64": "int", "bool": "bool",
                 "bytes": "bytes", "double": "double"}
GO_SCALARS = {"string": "string", "int32": "int", "int64": "int", "int": "int", "bool": "bool",
              "float64": "double"}


class GenerationError(Exception):
    """Upstream says something this tool (or the notation) cannot express: look, then extend."""


# --- reading git ------------------------------------------------------------------------------


class Tree:
    """One commit of a bare repository, read with one ``git cat-file --batch``."""

    def __init__(self, repo: Path, rev: str) -> None:
        self.repo, self.rev = repo, rev
        names = _git(repo, "ls-tree", "-r", "--name-only", rev)
        self.paths = names.splitlines()
        self._batch = subprocess.Popen(["git", "-C", str(repo), "cat-file", "--batch"],
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def read(self, path: str) -> str:
        assert self._batch.stdin and self._batch.stdout
        self._batch.stdin.write(f"{self.rev}:{path}\n".encode())
        self._batch.stdin.flush()
        header = self._batch.stdout.readline().split()
        if len(header) != 3:
            raise GenerationError(f"{self.repo} has no {self.rev}:{path}")
        data = self._batch.stdout.read(int(header[2]) + 1)[:-1]
        return data.decode()

    def files(self, directory: str) -> list[str]:
        """The files directly in a directory."""
        prefix = directory.rstrip("/") + "/" if directory else ""
        return [p for p in self.paths if p.startswith(prefix) and "/" not in p[len(prefix):]]

    def close(self) -> None:
        if self._batch.stdin:
            self._batch.stdin.close()
        self._batch.wait()


def _git(repo: Path, *args: str) -> str:
    result = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True)
    if result.returncode:
        raise GenerationError(f"git {' '.join(args)} in {repo}: {result.stderr.strip()}")
    return result.stdout


# --- protobuf -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProtoField:
    name: str
    number: int
    type: str  # a proto scalar, or a full message name
    label: str  # "optional", "repeated" or "map"


@dataclass
class ProtoMessage:
    name: str  # full: io.k8s.api.apps.v1.Deployment
    go_package: str  # k8s.io/api/apps/v1
    fields: dict[int, ProtoField] = field(default_factory=dict)


def message_name(proto_name: str) -> str:
    """``k8s.io.api.apps.v1.Deployment`` -> ``io.k8s.api.apps.v1.Deployment`` (OpenAPI's name),
    for a message of another proto package. go-to-protobuf writes a ``-`` of the Go path as
    ``_`` (``k8s.io.apiextensions_apiserver``), which cannot be undone from the proto name alone:
    a message of such a package is named from its own file's go_package instead (parse_proto),
    and a reference to it from another package stops the tool."""
    if not proto_name.startswith("k8s.io."):
        raise GenerationError(f"unexpected proto package in {proto_name}")
    if "_" in proto_name.rpartition(".")[0]:
        raise GenerationError(f"cannot tell the Go package of {proto_name}")
    return "io.k8s." + proto_name[len("k8s.io."):]


_PROTO_FIELD = re.compile(
    r"^(?:(?P<label>optional|repeated|required)\s+(?P<type>[\w.]+)"
    r"|map<\s*(?P<key>\w+)\s*,\s*(?P<value>[\w.]+)\s*>)\s+(?P<name>\w+)\s*=\s*(?P<number>\d+)\s*;$")


def parse_proto(text: str) -> list[ProtoMessage]:
    """The messages of one generated.proto (go-to-protobuf writes flat, simple files)."""
    lines = [line.strip() for line in strip_go_comments(text).splitlines()]  # same comments
    package = go_package = ""
    messages: list[ProtoMessage] = []
    current: ProtoMessage | None = None
    for line in lines:
        if not line:
            continue
        if current is None:
            if match := re.fullmatch(r"package\s+([\w.]+)\s*;", line):
                package = match[1]
            elif match := re.fullmatch(r'option\s+go_package\s*=\s*"([^"]+)"\s*;', line):
                go_package = match[1]
            elif match := re.fullmatch(r"message\s+(\w+)\s*\{", line):
                if not go_package:
                    raise GenerationError(f"proto package {package}: no go_package before "
                                          f"message {match[1]}")
                current = ProtoMessage(go_message_name(go_package, match[1]), go_package)
            elif not re.match(r"(syntax|import|option)\b", line):
                raise GenerationError(f"unexpected proto line {line!r}")
            continue
        if line == "}":
            messages.append(current)
            current = None
            continue
        match = _PROTO_FIELD.fullmatch(line)
        if match is None:
            raise GenerationError(f"{current.name}: unexpected proto line {line!r}")
        if match["key"]:
            if match["key"] != "string":
                raise GenerationError(f"{current.name}.{match['name']}: map key {match['key']}")
            label, proto_type = "map", match["value"]
        else:
            label, proto_type = match["label"], match["type"]
            if label == "required":
                raise GenerationError(f"{current.name}.{match['name']}: required field")
        if proto_type.startswith((".", "k8s.io.")):  # older protos leave the dot out
            proto_package, _, short = proto_type.lstrip(".").rpartition(".")
            proto_type = (go_message_name(go_package, short) if proto_package == package
                          else message_name(proto_type.lstrip(".")))
        elif proto_type not in PROTO_SCALARS:
            if proto_type in ("float", "uint32", "uint64", "sint32", "sint64", "fixed32",
                              "fixed64", "sfixed32", "sfixed64"):
                raise GenerationError(f"{current.name}.{match['name']}: {proto_type} is new")
            proto_type = go_message_name(go_package, proto_type)
        number = int(match["number"])
        current.fields[number] = ProtoField(match["name"], number, proto_type, label)
    if not go_package:
        raise GenerationError(f"no go_package in proto package {package}")
    return messages


# --- Go -----------------------------------------------------------------------------------------


def strip_go_comments(text: str) -> str:
    """Go source without comments; string and rune literals (struct tags too) kept whole."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                raise GenerationError("unterminated comment")
            out.append("\n" * text.count("\n", i, end))
            i = end + 2
        elif char in "\"'`":
            j = i + 1
            while j < n and text[j] != char:
                j += 2 if char != "`" and text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        else:
            out.append(char)
            i += 1
    return "".join(out)


@dataclass(frozen=True)
class GoField:
    name: str  # an embedded field is named by its type; "" for a line this reader cannot read
    type: str  # the type expression as written: *metav1.Time, []Container, map[string]string
    tag: str
    embedded: bool


@dataclass
class GoPackage:
    path: str  # k8s.io/api/core/v1
    structs: dict[str, list[GoField]] = field(default_factory=dict)
    named: dict[str, str] = field(default_factory=dict)  # type X <expr> (not a struct)
    imports: dict[str, dict[str, str]] = field(default_factory=dict)  # type -> its file's imports
    marshals_json: set[str] = field(default_factory=set)  # types with a MarshalJSON method


# Top-level declarations only; grouped ``type (...)`` ones are not read (k8s.io/api has none:
# a type that is missed stops the tool as "no type X").
_TYPE_DECL = re.compile(r"^type\s+(\w+)\s*(=\s*)?(.*)$", re.M)
_IMPORT_LINE = re.compile(r'^\s*(?:(\w+|\.|_)\s+)?"([^"]+)"\s*$')
_MARSHAL_JSON = re.compile(r"^func\s*\(\s*(?:\w+\s+)?\*?\s*(\w+)\s*\)\s*MarshalJSON\s*\(", re.M)


def parse_go_file(text: str, package: GoPackage) -> None:
    source = strip_go_comments(text)
    imports: dict[str, str] = {}
    for block in re.findall(r"^import\s*\((.*?)^\)", source, re.M | re.S):
        for line in block.splitlines():
            if match := _IMPORT_LINE.match(line):
                imports[match[1] or match[2].rsplit("/", 1)[-1]] = match[2]
    for match in re.finditer(r'^import\s+(?:(\w+)\s+)?"([^"]+)"', source, re.M):
        imports[match[1] or match[2].rsplit("/", 1)[-1]] = match[2]
    for match in _TYPE_DECL.finditer(source):
        name, rest = match[1], match[3].strip()
        package.imports[name] = imports
        if rest.startswith("struct"):
            start = source.index("{", match.start(3))
            package.structs[name] = _struct_fields(source, start, f"{package.path}.{name}")
        else:
            package.named[name] = rest
    package.marshals_json.update(_MARSHAL_JSON.findall(source))


def _struct_fields(source: str, start: int, where: str) -> list[GoField]:
    depth, end = 0, start
    for end in range(start, len(source)):
        if source[end] == "{":
            depth += 1
        elif source[end] == "}":
            depth -= 1
            if not depth:
                break
    fields: list[GoField] = []
    for raw in source[start + 1:end].splitlines():
        line = raw.strip()
        if not line:
            continue
        tag = ""
        if line.endswith("`"):
            line, tag = line[:-1].rsplit("`", 1)
            line = line.strip()
        parts = line.split()
        if len(parts) == 1:
            type_name = parts[0].lstrip("*").rsplit(".", 1)[-1]
            fields.append(GoField(type_name, parts[0], tag, embedded=True))
        elif len(parts) == 2 and "," not in parts[0]:
            fields.append(GoField(parts[0], parts[1], tag, embedded=False))
        else:
            # Only API structs must be readable: this one fails when a message needs it.
            fields.append(GoField("", line, f"unreadable: {where}: {raw.strip()!r}", False))
    return fields


def tag_value(tag: str, key: str) -> str | None:
    match = re.search(rf'(?:^|\s){key}:"([^"]*)"', tag)
    return None if match is None else match[1]


# Go type expressions, resolved through named types: ("scalar", kind) | ("bytes",) |
# ("message", full name) | ("slice", elem) | ("map", value) | ("pointer", elem) |
# ("other", description) for a package that is not mirrored (time.Time).
GoType = tuple


class GoWorld:
    """Go packages, read on demand from the right mirror."""

    def __init__(self, trees: dict[str, Tree], messages: set[str]) -> None:
        self.trees = trees  # module path -> tree
        self.messages = messages  # every proto message, by full name
        self.packages: dict[str, GoPackage] = {}

    def package(self, path: str) -> GoPackage | None:
        if path in self.packages:
            return self.packages[path]
        module = next((m for m in self.trees if path == m or path.startswith(m + "/")), None)
        if module is None:
            return None
        tree = self.trees[module]
        directory = path[len(module) + 1:] if path != module else ""
        package = GoPackage(path)
        for file in tree.files(directory):
            base = file.rsplit("/", 1)[-1]
            if (not base.endswith(".go") or base.endswith("_test.go") or base.endswith(".pb.go")
                    or base.startswith("zz_generated") or "_fuzz" in base
                    or base == "types_swagger_doc_generated.go"):
                continue
            parse_go_file(tree.read(file), package)
        self.packages[path] = package
        return package

    def resolve(self, expr: str, package: GoPackage, owner: str, depth: int = 0) -> GoType:
        """A type expression of ``owner`` (a type of ``package``) resolved to what JSON sees."""
        if depth > 20:
            raise GenerationError(f"{package.path}: type {expr} does not resolve")
        expr = expr.strip()
        if expr.startswith("*"):
            return ("pointer", self.resolve(expr[1:], package, owner, depth + 1))
        if expr == "[]byte":
            return ("bytes",)
        if expr.startswith("[]"):
            return ("slice", self.resolve(expr[2:], package, owner, depth + 1))
        if expr.startswith("map["):
            close = _matching_bracket(expr, 3)
            key = self.resolve(expr[4:close], package, owner, depth + 1)
            if key != ("scalar", "string"):
                raise GenerationError(f"{package.path}.{owner}: map key {expr}")
            return ("map", self.resolve(expr[close + 1:], package, owner, depth + 1))
        if expr in GO_SCALARS:
            return ("scalar", GO_SCALARS[expr])
        if "." in expr:
            alias, name = expr.split(".", 1)
            import_path = package.imports.get(owner, {}).get(alias)
            if import_path is None:
                raise GenerationError(f"{package.path}.{owner}: unknown package in {expr}")
            other = self.package(import_path)
            if other is None:
                return ("other", f"{import_path}.{name}")
            return self._named(other, name, depth)
        return self._named(package, expr, depth)

    def struct(self, package: GoPackage, name: str,
               depth: int = 0) -> tuple[GoPackage, str, list[GoField]] | None:
        """The struct a type is, through definitions like ``type MatchCondition
        v1.MatchCondition`` (which take the other struct's fields and tags): its package, name
        and fields; None when the type is no struct."""
        if name in package.structs:
            return package, name, package.structs[name]
        expr = package.named.get(name, "")
        if depth > 20 or not re.fullmatch(r"(\w+\.)?\w+", expr):
            return None
        if "." in expr:
            alias, expr = expr.split(".")
            other = self.package(package.imports.get(name, {}).get(alias, ""))
            if other is None:
                return None
            return self.struct(other, expr, depth + 1)
        return self.struct(package, expr, depth + 1)

    def _named(self, package: GoPackage, name: str, depth: int) -> GoType:
        full = go_message_name(package.path, name)
        if name in package.structs or full in self.messages:
            return ("message", full)  # a struct, or a named slice proto keeps as a message
        if name in package.named:
            return self.resolve(package.named[name], package, name, depth + 1)
        raise GenerationError(f"{package.path}: no type {name}")


def _matching_bracket(text: str, start: int) -> int:
    depth = 0
    for index in range(start, len(text)):
        depth += {"[": 1, "]": -1}.get(text[index], 0)
        if not depth:
            return index
    raise GenerationError(f"unbalanced brackets in {text}")


def go_message_name(go_path: str, name: str) -> str:
    """The message name of Go type ``name`` of package ``go_path``: k8s.io/api/core/v1 Pod ->
    io.k8s.api.core.v1.Pod."""
    host, _, rest = go_path.partition("/")
    return ".".join([*reversed(host.split(".")), *rest.split("/"), name])


# --- the join ----------------------------------------------------------------------------------


@dataclass
class Generated:
    source: dict[str, str]
    kinds: dict[str, dict[str, str]]
    forms: dict[str, str]
    messages: dict[str, dict[str, list[str]]]


def generate(api: Tree, apimachinery: Tree, apimachinery_version: str,
             extra: dict[str, Tree] | None = None) -> Generated:
    """The data from k8s.io/api, apimachinery and ``extra`` (module -> tree, the modules of
    EXTRA_PACKAGES, each read in the packages named there)."""
    extra = extra or {}
    api_packages = sorted(p.rsplit("/", 1)[0] for p in api.paths
                          if re.fullmatch(r"[^/]+/[^/]+/generated\.proto", p))
    # (module, tree, package directory) of every package whose messages and kinds are written.
    roots = [(API, api, directory) for directory in api_packages] + [
        (module, extra[module], directory)
        for module in EXTRA_PACKAGES if module in extra for directory in EXTRA_PACKAGES[module]]
    protos: dict[str, ProtoMessage] = {}
    root_messages: list[str] = []
    for module, tree, directory in roots:
        for message in parse_proto(tree.read(f"{directory}/generated.proto")):
            if message.go_package != f"{module}/{directory}":
                raise GenerationError(f"{module}/{directory}: go_package {message.go_package}")
            _add(protos, message)
            root_messages.append(message.name)
    for directory in APIMACHINERY_PACKAGES:
        for message in parse_proto(apimachinery.read(f"{directory}/generated.proto")):
            _add(protos, message)
    world = GoWorld({API: api, APIMACHINERY: apimachinery, **extra}, set(protos))

    # Every message of the read packages, and the apimachinery messages they refer to.
    wanted: list[str] = []
    queue = list(root_messages)
    seen: set[str] = set()
    while queue:
        name = queue.pop()
        if name in seen:
            continue
        seen.add(name)
        if name not in protos:
            raise GenerationError(f"message {name} is referred to but defined nowhere")
        wanted.append(name)
        queue.extend(f.type for f in protos[name].fields.values() if f.type not in PROTO_SCALARS)

    messages: dict[str, dict[str, list[str]]] = {}
    forms: dict[str, str] = {}
    for name in sorted(wanted):
        proto = protos[name]
        form = _form(world, proto)
        if form:
            forms[name] = form
            messages[name] = _own_form_fields(proto)
        else:
            messages[name] = _joined_fields(world, proto)
    kinds = _kinds(roots, world, protos)
    source = {API: api.rev, APIMACHINERY: apimachinery_version,
              **{module: extra[module].rev for module in EXTRA_PACKAGES if module in extra}}
    return Generated(source, kinds, forms, messages)


def _add(protos: dict[str, ProtoMessage], message: ProtoMessage) -> None:
    if message.name in protos:
        raise GenerationError(f"message {message.name} is defined twice")
    protos[message.name] = message


def _short(name: str) -> str:
    return name.rsplit(".", 1)[-1]


def _form(world: GoWorld, proto: ProtoMessage) -> str | None:
    if proto.name in OWN_FORMS:
        return OWN_FORMS[proto.name]
    package = world.package(proto.go_package)
    short = _short(proto.name)
    if package is None:
        raise GenerationError(f"{proto.name}: Go package {proto.go_package} is not mirrored")
    if short in package.marshals_json:
        raise GenerationError(f"{proto.name}: its Go type has a MarshalJSON of its own, a JSON "
                              "form the notation cannot say (add it to OWN_FORMS and protobuf.py)")
    if world.struct(package, short) is not None:
        return None
    if short in package.named:
        resolved = world.resolve(package.named[short], package, short)
        fields = list(proto.fields.values())
        if (resolved == ("slice", ("scalar", "string")) and len(fields) == 1
                and fields[0].label == "repeated" and fields[0].type == "string"):
            return STRING_LIST
    raise GenerationError(f"{proto.name}: its Go type is neither a struct nor a known form")


def _own_form_fields(proto: ProtoMessage) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for number, proto_field in sorted(proto.fields.items()):
        kind = _reference(proto_field.type, proto.name)
        if proto_field.label == "repeated":
            kind = f"[{kind}]"
        elif proto_field.label == "map":
            kind = f"{{{kind}}}"
        else:
            kind += "?"
        out[str(number)] = [proto_field.name, kind]
    return out


def _reference(proto_type: str, owner: str) -> str:
    """How a field of ``owner`` names its type: a scalar, a message of the same package by its
    short name, any other by its full name."""
    if proto_type in PROTO_SCALARS:
        return PROTO_SCALARS[proto_type]
    package, _, short = proto_type.rpartition(".")
    return short if package == owner.rpartition(".")[0] else proto_type


def _joined_fields(world: GoWorld, proto: ProtoMessage) -> dict[str, list[str]]:
    home = world.package(proto.go_package)
    found = None if home is None else world.struct(home, _short(proto.name))
    assert found is not None  # _form said so
    package, short, go_fields = found
    out: dict[str, list[str]] = {}
    for go_field in go_fields:
        if not go_field.name:
            raise GenerationError(f"cannot read a field line ({go_field.tag})")
        where = f"{proto.name}.{go_field.name}"
        protobuf_tag = tag_value(go_field.tag, "protobuf")
        json_tag = tag_value(go_field.tag, "json")
        if protobuf_tag is None or protobuf_tag == "-":
            inline_type_meta = go_field.name == "TypeMeta" and not (json_tag or "").split(",")[0]
            if go_field.embedded and inline_type_meta:
                continue  # apiVersion and kind, inline: the envelope's, not the message's
            if json_tag == "-":
                continue  # in neither encoding (RawExtension.Object)
            raise GenerationError(f"{where}: a JSON field that protobuf does not carry")
        parts = protobuf_tag.split(",")
        number = int(parts[1])
        proto_name = next((p[5:] for p in parts if p.startswith("name=")), None)
        proto_field = proto.fields.get(number)
        if proto_field is None or proto_name not in (None, proto_field.name):
            raise GenerationError(f"{where}: protobuf tag {protobuf_tag!r} matches no proto field")
        options = (json_tag or "").split(",")
        json_name = options[0]
        if "omitzero" in options and f"{proto.name}.{json_name}" not in OMITZERO_AS_OMITEMPTY:
            raise GenerationError(f"{where}: omitzero is not in the notation yet")
        inline = "inline" in options or (go_field.embedded and json_tag is None)
        if json_tag == "-":
            raise GenerationError(f"{where}: a protobuf field that JSON does not carry")
        if not json_name and not inline:
            json_name = go_field.name
        resolved = world.resolve(go_field.type, package, short)
        kind = _kind(proto_field, resolved, proto.name, where)
        if inline:
            if json_name or kind != _reference(proto_field.type, proto.name):
                raise GenerationError(f"{where}: only a plain struct can be inline")
            json_name = ""
        elif "omitempty" not in options:
            kind += "!"
        out[str(number)] = [json_name, kind]
    missing = set(proto.fields) - {int(n) for n in out}
    if missing:
        raise GenerationError(f"{proto.name}: proto fields {sorted(missing)} have no Go field")
    return out


def _kind(proto_field: ProtoField, resolved: GoType, owner: str, where: str) -> str:
    """The notation's kind of one field, checking that Go and proto agree on its shape."""
    reference = _reference(proto_field.type, owner)
    pointer = resolved[0] == "pointer"
    if pointer:
        resolved = resolved[1]
    if proto_field.label in ("repeated", "map"):
        container = "slice" if proto_field.label == "repeated" else "map"
        if pointer or resolved[0] != container:
            raise GenerationError(f"{where}: proto {proto_field.label}, Go {resolved}")
        _agree(proto_field.type, resolved[1], where)
        return f"[{reference}]" if container == "slice" else f"{{{reference}}}"
    _agree(proto_field.type, resolved, where)
    return reference + ("?" if pointer else "")


def _agree(proto_type: str, resolved: GoType, where: str) -> None:
    if proto_type in PROTO_SCALARS:
        expected: GoType = ("bytes",) if proto_type == "bytes" else (
            "scalar", PROTO_SCALARS[proto_type])
        if resolved != expected:
            raise GenerationError(f"{where}: proto {proto_type}, Go {resolved}")
        return
    if resolved != ("message", proto_type):
        raise GenerationError(f"{where}: proto {proto_type}, Go {resolved}")


def _kinds(roots: list[tuple[str, Tree, str]], world: GoWorld,
           protos: dict[str, ProtoMessage]) -> dict[str, dict[str, str]]:
    kinds: dict[str, dict[str, str]] = {}
    for module, tree, directory in roots:
        path = f"{directory}/register.go"
        if path not in tree.paths:
            raise GenerationError(f"{module}/{directory} has messages but no register.go")
        source = strip_go_comments(tree.read(path))
        group = re.search(r'\bGroupName\s*=\s*"([^"]*)"', source)
        version = re.search(r'SchemeGroupVersion\s*=\s*schema\.GroupVersion\{Group:\s*GroupName,'
                            r'\s*Version:\s*"([^"]+)"\}', source)
        if group is None or version is None:
            raise GenerationError(f"{path}: no GroupName or SchemeGroupVersion")
        api_version = f"{group[1]}/{version[1]}" if group[1] else version[1]
        package = world.package(f"{module}/{directory}")
        assert package is not None
        imports = _file_imports(source)
        registered: dict[str, str] = {}
        for call in re.finditer(r"AddKnownTypes\(\s*SchemeGroupVersion\s*,(.*?)\)", source, re.S):
            for alias, kind in re.findall(r"&(?:(\w+)\.)?(\w+)\{\}", call[1]):
                go_path = imports[alias] if alias else package.path
                name = go_message_name(go_path, kind)
                if name not in protos:
                    raise GenerationError(f"{path}: kind {kind} has no message")
                registered[kind] = name
        if not registered:
            raise GenerationError(f"{path}: no kinds registered")
        if api_version in kinds:
            raise GenerationError(f"{api_version} is registered twice")
        kinds[api_version] = dict(sorted(registered.items()))
    return dict(sorted(kinds.items(), key=lambda item: _version_key(item[0])))


def _file_imports(source: str) -> dict[str, str]:
    imports: dict[str, str] = {}
    for block in re.findall(r"^import\s*\((.*?)^\)", source, re.M | re.S):
        for line in block.splitlines():
            if match := _IMPORT_LINE.match(line):
                imports[match[1] or match[2].rsplit("/", 1)[-1]] = match[2]
    return imports


def _version_key(api_version: str) -> tuple[str, str]:
    group, _, version = api_version.rpartition("/")
    return group, version


# --- output -------------------------------------------------------------------------------------


def render(generated: Generated) -> str:
    """The file's text: one kind group and one message a line, for readable diffs."""
    def compact(value: object) -> str:
        return json.dumps(value, separators=(", ", ": "), ensure_ascii=False)

    def section(name: str, items: dict[str, object], last: bool = False) -> Iterator[str]:
        yield f'"{name}": {{'
        entries = list(items.items())
        for index, (key, value) in enumerate(entries):
            comma = "," if index < len(entries) - 1 else ""
            yield f"{compact(key)}: {compact(value)}{comma}"
        yield "}" + ("" if last else ",")

    lines = ["{", f'"source": {compact(generated.source)},']
    lines += section("kinds", dict(generated.kinds))
    lines += section("forms", dict(generated.forms))
    lines += section("messages", dict(generated.messages), last=True)
    lines.append("}")
    return "\n".join(lines) + "\n"


def build(tag: str, api_repo: Path, apimachinery_repo: Path,
          extra_repos: dict[str, Path] | None = None) -> str:
    """The file's text from k8s.io/api at ``tag``, the apimachinery its go.mod requires, and the
    modules of ``extra_repos`` (default: both of EXTRA_PACKAGES, at their mirrors) at the same
    tag (Kubernetes tags its staging modules together), each of which must require that same
    apimachinery."""
    if extra_repos is None:
        extra_repos = {APIEXTENSIONS: APIEXTENSIONS_REPO, KUBE_AGGREGATOR: KUBE_AGGREGATOR_REPO}
    trees: list[Tree] = []
    try:
        api = Tree(api_repo, tag)
        trees.append(api)
        version = _required_apimachinery(api, tag)
        extra: dict[str, Tree] = {}
        for module, repo in extra_repos.items():
            extra[module] = tree = Tree(repo, tag)
            trees.append(tree)
            if _required_apimachinery(tree, tag) != version:
                raise GenerationError(f"{module} {tag} requires another k8s.io/apimachinery than "
                                      f"{API} {tag} ({version})")
        apimachinery = Tree(apimachinery_repo, version)
        trees.append(apimachinery)
        return render(generate(api, apimachinery, version, extra))
    finally:
        for tree in trees:
            tree.close()


def _required_apimachinery(tree: Tree, tag: str) -> str:
    match = re.search(r"^\s*k8s\.io/apimachinery\s+(v\S+)", tree.read("go.mod"), re.M)
    if match is None:
        raise GenerationError(f"{tree.repo} {tag}: go.mod requires no k8s.io/apimachinery")
    return match[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tag", help=f"k8s.io/api tag (default: {DEFAULT_TAG}; with --check, "
                        "the one the committed file names)")
    parser.add_argument("--api-repo", type=Path, default=API_REPO)
    parser.add_argument("--apimachinery-repo", type=Path, default=APIMACHINERY_REPO)
    parser.add_argument("--apiextensions-repo", type=Path, default=APIEXTENSIONS_REPO)
    parser.add_argument("--kube-aggregator-repo", type=Path, default=KUBE_AGGREGATOR_REPO)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--check", action="store_true",
                        help="regenerate into memory and compare with the file; write nothing")
    args = parser.parse_args(argv)
    tag = args.tag
    if args.check and tag is None and args.out.exists():
        tag = json.loads(args.out.read_text())["source"][API]
    try:
        text = build(tag or DEFAULT_TAG, args.api_repo, args.apimachinery_repo,
                     {APIEXTENSIONS: args.apiextensions_repo,
                      KUBE_AGGREGATOR: args.kube_aggregator_repo})
    except GenerationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return write_or_check(args.out, text, args.check)


def write_or_check(out: Path, text: str, check: bool) -> int:
    """Write a generated file, or (``check``) say whether the committed one is the same,
    printing the first line that differs: the exit status of a generator."""
    if check:
        current = out.read_text() if out.exists() else ""
        if current == text:
            print(f"{out}: up to date")
            return 0
        for number, (want, have) in enumerate(zip(text.splitlines(), current.splitlines()), 1):
            if want != have:
                print(f"{out}:{number}: differs\n  generated: {want[:200]}\n"
                      f"  committed: {have[:200]}", file=sys.stderr)
                break
        else:
            print(f"{out}: differs in length", file=sys.stderr)
        return 1
    out.write_text(text)
    print(f"wrote {out} ({len(text)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
