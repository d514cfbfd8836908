"""messages.py holds every message once: a name written twice silently replaces the first text,
so the code that meant the first one would speak with the second."""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

MESSAGES = Path(__file__).resolve().parents[2] / "emulator" / "messages.py"


def assigned_names(source: str) -> list[str]:
    return [target.id for node in ast.parse(source).body if isinstance(node, ast.Assign)
            for target in node.targets if isinstance(target, ast.Name)]


def test_no_message_is_defined_twice() -> None:
    twice = [name for name, count in Counter(assigned_names(MESSAGES.read_text())).items()
             if count > 1]
    assert twice == []


def test_the_check_sees_a_second_definition() -> None:
    assert assigned_names('A = "x"\nB = "y"\nA = "z"\n') == ["A", "B", "A"]
