"""Write emulator/cluster/mock/registry/data/go-types.json: the Go type of every built-in field.

Dev tool, not shipped. Run from the repository root, with the same bare git mirrors as
protobuf_messages.py (whose committed file names the tags read here):

    python tools/kubedata/go_types.py            # (re)write the file
    python tools/kubedata/go_types.py --check    # the committed file is current

kube-apiserver decodes a written object into its kind's Go struct (sigs.k8s.io/json, a fork of
encoding/json), and a JSON value of the wrong type is refused with the Go type it missed:
``json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32``,
``... of type v1.PullPolicy``, ``... of type []v1.Container``. OpenAPI says ``integer`` or
``string`` where Go has ``int32`` or the named ``PullPolicy``, so the mock needs Go's own types:

- the messages: every struct message of protobuf-messages.json (each served kind of every minor
  and what it holds), from the same tags of k8s.io/api, apimachinery, apiextensions-apiserver and
  kube-aggregator;
- each struct's JSON fields: the Go struct's fields by their ``json`` tag, the fields of inline
  (embedded) structs taken into the struct that embeds them, as Go's decoder does;
- each field's type, written as reflect's ``Type.String()`` prints it (a package's last path
  element, then the name: ``v1.PullPolicy``, ``resource.Quantity``, ``[]uint8`` for ``[]byte``),
  in the notation below. A pointer is written as what it points to: Go's decoder allocates it
  and reports the type of its element.

Notation, one node per type:

    "io.k8s.api.core.v1.Container"     a struct, or a type with a JSON form of its own (Time,
                                       Quantity, IntOrString, ...): a message name
    "int32", "string v1.PullPolicy"    a scalar: its kind (string, bool, int, int32, int64,
                                       float64, bytes), then its name when it is a named type
    ["[]", "[]v1.Container", NODE]     a slice: its Go type, the node of its element
    ["map", "v1.ResourceList", NODE]   a map with string keys: its Go type, the node of a value

Written:

    {"source": {module: tag},
     "structs": {message: {json field: NODE}}}

The tool reads upstream to learn facts; it copies no upstream code.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import protobuf_messages as pm  # noqa: E402  (a sibling dev tool, not a package)

OUT = pm.ROOT / "emulator/cluster/mock/registry/data/go-types.json"
MESSAGES = pm.OUT
BUILTIN = {"string", "bool", "int", "int32", "int64", "float64"}

Node = Any  # str | list


class Resolver:
    def __init__(self, world: pm.GoWorld, messages: set[str]) -> None:
        self.world = world
        self.messages = messages

    def node(self, expr: str, package: pm.GoPackage, owner: str, depth: int = 0) -> tuple[Node,
                                                                                          str]:
        """The node of a type expression of ``owner`` (a type of ``package``), and its Go type
        as reflect prints it."""
        if depth > 20:
            raise pm.GenerationError(f"{package.path}: type {expr} does not resolve")
        expr = expr.strip()
        if expr.startswith("*"):
            node, text = self.node(expr[1:], package, owner, depth + 1)
            return node, "*" + text
        if expr == "[]byte":
            return "bytes", "[]uint8"
        if expr.startswith("[]"):
            node, text = self.node(expr[2:], package, owner, depth + 1)
            return ["[]", "[]" + text, node], "[]" + text
        if expr.startswith("map["):
            close = pm._matching_bracket(expr, 3)
            key, key_text = self.node(expr[4:close], package, owner, depth + 1)
            if not (isinstance(key, str) and key.split()[0] == "string"):
                raise pm.GenerationError(f"{package.path}.{owner}: map key {expr}")
            value, value_text = self.node(expr[close + 1:], package, owner, depth + 1)
            text = f"map[{key_text}]{value_text}"
            return ["map", text, value], text
        if expr in BUILTIN:
            return expr, expr
        if expr in ("interface{}", "any"):
            raise pm.GenerationError(f"{package.path}.{owner}: an interface field ({expr})")
        home, name = self._home(expr, package, owner)
        return self._named(home, name, depth)

    def _home(self, expr: str, package: pm.GoPackage, owner: str) -> tuple[pm.GoPackage, str]:
        if "." not in expr:
            return package, expr
        alias, name = expr.split(".", 1)
        path = package.imports.get(owner, {}).get(alias)
        other = None if path is None else self.world.package(path)
        if other is None:
            raise pm.GenerationError(f"{package.path}.{owner}: unknown package in {expr}")
        return other, name

    def _named(self, package: pm.GoPackage, name: str, depth: int) -> tuple[Node, str]:
        text = f"{package.path.rsplit('/', 1)[-1]}.{name}"
        full = pm.go_message_name(package.path, name)
        if full in pm.OWN_FORMS or name in package.structs:
            if full not in self.messages:
                raise pm.GenerationError(f"{full} is used but is no message")
            return full, text
        if name not in package.named:
            raise pm.GenerationError(f"{package.path}: no type {name}")
        underlying = package.named[name]
        if self.world.struct(package, name) is not None:  # type X [=] otherpkg.Struct
            if full in self.messages:  # a type of its own, with the other's fields
                return full, text
            # an alias (``type RuleWithOperations = v1.RuleWithOperations``): the other type
            home, other = self._home(underlying, package, name)
            return self._named(home, other, depth + 1)
        node, _ = self.node(underlying, package, name, depth + 1)
        if isinstance(node, list):
            return [node[0], text, node[2]], text
        if node in self.messages:
            raise pm.GenerationError(f"{full}: a named message type")
        return f"{node.split()[0]} {text}", text

    def fields(self, message: str) -> dict[str, Node]:
        path, _, short = message.rpartition(".")
        package = self.world.package(_go_path(path))
        if package is None:
            raise pm.GenerationError(f"no Go package for {message}")
        out: dict[str, Node] = {}
        self._struct_fields(package, short, out, message)
        return out

    def _struct_fields(self, package: pm.GoPackage, short: str, out: dict[str, Node],
                       where: str) -> None:
        found = self.world.struct(package, short)
        if found is None:
            raise pm.GenerationError(f"{where}: {package.path}.{short} is no struct")
        home, name, go_fields = found
        for go_field in go_fields:
            if not go_field.name:
                raise pm.GenerationError(f"{where}: cannot read a field line ({go_field.tag})")
            json_tag = pm.tag_value(go_field.tag, "json")
            if json_tag == "-":
                continue
            options = (json_tag or "").split(",")
            json_name = options[0]
            if "inline" in options or (go_field.embedded and not json_name):
                inner, inner_name = self._home(go_field.type.lstrip("*"), home, name)
                self._struct_fields(inner, inner_name, out, where)
                continue
            out[json_name or go_field.name] = self.node(go_field.type, home, name)[0]


def _go_path(dotted: str) -> str:
    """``io.k8s.api.core.v1`` -> ``k8s.io/api/core/v1`` (message names reverse the domain)."""
    if not dotted.startswith("io.k8s."):
        raise pm.GenerationError(f"not a Kubernetes package: {dotted}")
    return "k8s.io/" + dotted[len("io.k8s."):].replace(".", "/")


def generate(published: dict[str, Any], repos: dict[str, Path]) -> dict[str, Any]:
    source: dict[str, str] = published["source"]
    trees = {module: pm.Tree(repos[module], rev) for module, rev in source.items()}
    try:
        world = pm.GoWorld(trees, set(published["messages"]))
        resolver = Resolver(world, set(published["messages"]))
        structs = {name: resolver.fields(name) for name in sorted(published["messages"])
                   if name not in published["forms"]}
    finally:
        for tree in trees.values():
            tree.close()
    return {"source": source, "structs": structs}


def render(data: dict[str, Any]) -> str:
    def compact(value: object) -> str:
        return json.dumps(value, separators=(",", ":"), sort_keys=True)

    lines = ["{", f'"source": {compact(data["source"])},', '"structs": {']
    items = list(data["structs"].items())
    for index, (name, fields) in enumerate(items):
        comma = "," if index < len(items) - 1 else ""
        lines.append(f"{json.dumps(name)}: {compact(fields)}{comma}")
    lines += ["}", "}"]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--api-repo", type=Path, default=pm.API_REPO)
    parser.add_argument("--apimachinery-repo", type=Path, default=pm.APIMACHINERY_REPO)
    parser.add_argument("--apiextensions-repo", type=Path, default=pm.APIEXTENSIONS_REPO)
    parser.add_argument("--kube-aggregator-repo", type=Path, default=pm.KUBE_AGGREGATOR_REPO)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--check", action="store_true",
                        help="regenerate into memory and compare with the file; write nothing")
    args = parser.parse_args(argv)
    repos = {pm.API: args.api_repo, pm.APIMACHINERY: args.apimachinery_repo,
             pm.APIEXTENSIONS: args.apiextensions_repo,
             pm.KUBE_AGGREGATOR: args.kube_aggregator_repo}
    try:
        text = render(generate(json.loads(MESSAGES.read_text()), repos))
    except pm.GenerationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return pm.write_or_check(args.out, text, args.check)

if __name__ == "__main__":
    sys.exit(main())
