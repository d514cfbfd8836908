"""The error catalogue is the one definition of each case: the design's list, the built-in
scenarios, the gateway's code and docs/errors.md all agree with it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from emulator import error_catalogue, messages
from emulator.error_catalogue import CATALOGUE, Family
from emulator.scenario import loader

ROOT = Path(__file__).resolve().parents[2]


def design_case_ids() -> list[str]:
    """The ids in the first column of docs/design.md's §4 table."""
    section = (ROOT / "docs" / "design.md").read_text().split("\n## 4.")[1].split("\n## 5.")[0]
    rows = [line for line in section.splitlines() if line.startswith("| ")]
    assert rows[0].startswith("| id |"), rows[0]
    return [row.split("|")[1].strip() for row in rows[1:]]


def test_every_documented_case_has_one_definition() -> None:
    ids = [case.id for case in CATALOGUE]
    assert len(ids) == len(set(ids))
    documented = [case.id for case in CATALOGUE if case.documented]
    assert sorted(design_case_ids()) == sorted(documented)
    assert len(documented) == 19


def test_every_definition_is_shown_by_a_built_in_scenario() -> None:
    shown = {expectation.error_id for name in loader.builtin_names()
             for expectation in loader.load(name).expectations}
    missing = [case.id for case in CATALOGUE if case.id not in shown]
    assert missing == [], "cases no built-in scenario's expect: names"


def test_the_docs_table_is_rendered_from_the_catalogue() -> None:
    text = (ROOT / "docs" / "errors.md").read_text()
    block = text.split("<!-- error-catalogue:start -->\n")[1].split("<!-- error-catalogue:end -->")[0]
    assert block == error_catalogue.markdown_table(), (
        "regenerate the table with: python -m emulator.error_catalogue")


def _literal_error_ids(path: Path) -> list[str]:
    """``error_id="…"`` keywords and ``….error_id = "…"`` assignments written as string literals."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.keyword) and node.arg == "error_id" and isinstance(
                node.value, ast.Constant) and node.value.value:
            found.append(f"{path.name}:{node.value.lineno}")
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and any(
                isinstance(t, ast.Attribute) and t.attr == "error_id" for t in node.targets):
            if node.value.value:
                found.append(f"{path.name}:{node.lineno}")
    return found


def test_the_emulator_names_cases_only_through_the_catalogue() -> None:
    literal = [hit for path in (ROOT / "emulator").rglob("*.py")
               for hit in _literal_error_ids(path)]
    assert literal == []


def test_the_literal_finder_sees_literals(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text('GatewayError(400, "BadRequest", "", error_id="quota")\n'
                      'record.error_id = "rbac-denied"\nrecord.error_id = ""\n')
    assert sorted(_literal_error_ids(sample)) == ["sample.py:1", "sample.py:2"]


def test_a_case_raises_with_its_own_templates() -> None:
    error = error_catalogue.NO_ACTIVE_CONNECTION.error(project_number="1", membership="m")
    assert (error.code, error.reason, error.error_id, error.html) == (
        400, "BadRequest", "no-active-connection", False)
    assert error.message == messages.NO_ACTIVE_CONNECTION.format(project_number="1",
                                                                 membership="m")
    expired = error_catalogue.UNAUTHENTICATED.error(messages.TOKEN_EXPIRED)
    assert expired.message == messages.TOKEN_EXPIRED
    with pytest.raises(ValueError, match="does not speak with"):
        error_catalogue.UNAUTHENTICATED.error(messages.QUOTA_EXHAUSTED)


def test_google_pages_are_html() -> None:
    for case in CATALOGUE:
        if case.family is Family.GOOGLE_HTML and case.id != "url-not-found":
            error = case.error()
            assert error.html and error.message == messages.GFE_400_TEMPLATE


def test_every_template_is_a_message_constant() -> None:
    constants = {value for name, value in vars(messages).items()
                 if name.isupper() and isinstance(value, str)}
    for case in CATALOGUE:
        for template in case.templates:
            assert template == "" or template in constants, case.id


def test_ids_are_kebab_case() -> None:
    assert all(re.fullmatch(r"[a-z]+(-[a-z]+)*", case.id) for case in CATALOGUE)
