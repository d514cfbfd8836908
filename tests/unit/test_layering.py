"""Imports follow the request's path: gateway → agent → cluster, never backwards (design §1)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "emulator"
FORBIDDEN = {
    "cluster": ("emulator.gateway", "emulator.agent", "emulator.state", "emulator.google"),
    "agent": ("emulator.gateway", "emulator.google"),
}


def imports_of(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_backward_imports() -> None:
    backward = []
    for layer, forbidden in FORBIDDEN.items():
        for path in (PACKAGE / layer).rglob("*.py"):
            for name in imports_of(path):
                if name.startswith(forbidden):
                    backward.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert backward == []


def test_the_check_sees_imports() -> None:
    # Guard against a walker that finds nothing: the mock apiserver does import its own pieces.
    assert "emulator.cluster.mock.registry.store" in imports_of(PACKAGE / "cluster/mock/apiserver.py")
