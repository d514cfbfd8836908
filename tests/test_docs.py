"""README.md and docs/: the README's shape, links and anchors that resolve, and every shell or
Python example either run by a named test or marked as not run, with the reason. Fast: no server,
no client."""

from __future__ import annotations

import importlib
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

CHECKOUT = Path(__file__).resolve().parents[1]
README = CHECKOUT / "README.md"
DOCS = CHECKOUT / "docs"
DOCUMENTS = [README, *sorted(DOCS.glob("*.md"))]

MAX_README_LINES = 230
# The README starts with the two commands, exactly (issue 11): nothing but the title before them.
OPENING = """# connect-gateway-emulator

```sh
pip install -e . && connect-gateway-emulator serve
```

```sh
pip install -e '.[test]' && pytest -n 2
```
"""

# Examples that a test runs as written: marker → (document, language, test module, test name).
# The tests read the block after `<!-- NAME -->` in that document.
EXECUTED = {
    "kubectl-example": ("README.md", "sh", "tests.contract.test_readme_examples",
                        "test_quick_tour"),
    "gcloud-example": ("README.md", "sh", "tests.contract.test_gcloud",
                       "test_readme_gcloud_section_runs_as_written"),
    "pytest-example": ("README.md", "python", "tests.plugin.test_plugin",
                       "test_the_readme_example_runs"),
    "curl-example": ("docs/control-api.md", "sh", "tests.contract.test_readme_examples",
                     "test_control_api_with_curl"),
    "clock-example": ("docs/controllers.md", "sh", "tests.contract.test_readme_examples",
                      "test_the_clock_moves_with_curl"),
    "apiserver-example": ("docs/real-cluster.md", "sh", "tests.contract.test_readme_examples",
                          "test_standalone_apiserver_and_agent_rbac"),
    "agent-rbac-example": ("docs/real-cluster.md", "sh", "tests.contract.test_readme_examples",
                           "test_standalone_apiserver_and_agent_rbac"),
}
# Blocks in these languages are commands or programs: each is run by a test or says why not.
# Blocks without a language, or in yaml or text, are formats and output, not commands.
RUNNABLE = {"sh", "bash", "shell", "console", "python", "py"}
NOT_EXECUTED = re.compile(r"^not-executed:\s*(.*)$")
MARKER = re.compile(r"^\s*<!--\s*(.*?)\s*-->\s*$")
FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*([^`\s]*)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
LINK = re.compile(r"\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.S)
DESIGN_CITATION = re.compile(r"design §(\d+)(?:\.(\d+))?")


@dataclass(frozen=True)
class Block:
    document: Path
    line: int  # 1-based line of the opening fence
    language: str
    marker: str | None  # the comment on the nearest non-blank line before the fence

    def where(self) -> str:
        return f"{self.document.relative_to(CHECKOUT)}:{self.line}"


def split(document: Path) -> tuple[list[str], list[Block]]:
    """The document's lines outside fenced blocks (blanked inside them, so line numbers hold),
    and its fenced blocks."""
    lines = document.read_text(encoding="utf-8").splitlines()
    prose: list[str] = []
    blocks: list[Block] = []
    fence: str | None = None
    for number, line in enumerate(lines, start=1):
        opened = FENCE.match(line)
        if fence is None and opened:
            fence = opened.group(2)
            previous = next((text for text in reversed(lines[:number - 1]) if text.strip()), "")
            marker = MARKER.match(previous)
            blocks.append(Block(document, number, opened.group(3).lower(),
                                marker.group(1) if marker else None))
            prose.append("")
        elif fence is not None:
            if line.strip().startswith(fence) and set(line.strip()) == {fence[0]}:
                fence = None
            prose.append("")
        else:
            prose.append(line)
    assert fence is None, f"{document.name}: a fenced block is never closed"
    return prose, blocks


def slugs(document: Path) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation other than '-' and '_' removed, spaces
    to '-', and '-1', '-2'... after a repeated one."""
    seen: Counter[str] = Counter()
    found = set()
    for line in split(document)[0]:
        heading = HEADING.match(line)
        if not heading:
            continue
        text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading.group(2))
        slug = re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")
        found.add(f"{slug}-{seen[slug]}" if seen[slug] else slug)
        seen[slug] += 1
    return found


def links(document: Path) -> list[str]:
    text = CODE_SPAN.sub("", "\n".join(split(document)[0]))
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    return LINK.findall(text)


def all_blocks() -> list[Block]:
    return [block for document in DOCUMENTS for block in split(document)[1]]


def test_there_are_docs() -> None:
    assert len(DOCUMENTS) > 10, DOCUMENTS


def test_readme_is_short_and_starts_with_the_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= MAX_README_LINES
    assert text.startswith(OPENING)
    following = text[len(OPENING):].lstrip("\n")
    assert following.startswith("The first command runs the emulator. The second runs the test "
                                "suite. `.ci/run` runs the same test")
    assert "CGW_REQUIRE_REAL_CLIENTS=1" in following.split("\n\n")[0]


def test_ci_runs_the_readme_test_command() -> None:
    ci = (CHECKOUT / ".ci" / "run").read_text()
    assert "CGW_REQUIRE_REAL_CLIENTS=1" in ci
    assert "pytest -n 2" in ci


@pytest.mark.parametrize("document", DOCUMENTS[1:], ids=lambda d: d.name)
def test_each_doc_has_a_title_and_leads_back_to_the_readme(document: Path) -> None:
    lines = [line for line in document.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert lines[0].startswith("# ")
    assert "(../README.md" in lines[1]


def test_the_readme_links_every_doc() -> None:
    linked = {target.partition("#")[0] for target in links(README)}
    assert {f"docs/{d.name}" for d in DOCUMENTS[1:]} <= linked


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda d: d.name)
def test_relative_links_and_anchors_resolve(document: Path) -> None:
    broken = []
    for target in links(document):
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target):
            continue  # https:, mailto: ...
        path, _, anchor = target.partition("#")
        resolved = (document.parent / path).resolve() if path else document
        if not resolved.exists():
            broken.append(f"{target}: no such file")
        elif anchor and (resolved.suffix != ".md" or anchor not in slugs(resolved)):
            broken.append(f"{target}: no heading with that anchor")
    assert broken == []


def test_every_runnable_example_is_run_or_says_why_not() -> None:
    opening_lines = OPENING.count("\n")
    unmarked, unknown = [], []
    for block in all_blocks():
        if block.language not in RUNNABLE:
            continue
        if block.document == README and block.line <= opening_lines:
            continue  # the two commands, pinned above; .ci/run runs the second
        if block.marker is None:
            unmarked.append(block.where())
            continue
        reason = NOT_EXECUTED.match(block.marker)
        if reason is not None:
            if not reason.group(1).strip():
                unknown.append(f"{block.where()}: not-executed without a reason")
        elif block.marker not in EXECUTED:
            unknown.append(f"{block.where()}: {block.marker!r} names no test that runs it")
    assert unmarked == [], "mark each with <!-- NAME --> (see EXECUTED) or <!-- not-executed: why -->"
    assert unknown == []


@pytest.mark.parametrize("name", sorted(EXECUTED))
def test_each_executed_example_is_where_its_test_reads_it(name: str) -> None:
    document, language, module, test = EXECUTED[name]
    comment = f"<!-- {name} -->"
    assert sum(d.read_text(encoding="utf-8").count(comment) for d in DOCUMENTS) == 1
    marked = [b for b in all_blocks() if b.marker == name]
    assert [(str(b.document.relative_to(CHECKOUT)), b.language) for b in marked] == [
        (document, language)]
    assert callable(getattr(importlib.import_module(module), test, None)), f"{module}.{test}"


def test_the_error_catalogue_has_its_place() -> None:
    text = (DOCS / "errors.md").read_text(encoding="utf-8")
    start, end = "<!-- error-catalogue:start -->", "<!-- error-catalogue:end -->"
    assert text.count(start) == text.count(end) == 1
    assert text.index(start) < text.index(end)


def test_every_design_citation_resolves() -> None:
    """"design §N" and "design §N.M" in the code, the tests and the docs name a "## N." heading
    of docs/design.md, and item M of that section's numbered list."""
    sections: dict[str, list[str]] = {}
    current = None
    for line in split(DOCS / "design.md")[0]:
        numbered = re.match(r"^## (\d+)\. ", line)
        if numbered:
            current = numbered.group(1)
            sections[current] = []
        elif line.startswith("## "):
            current = None
        elif current is not None:
            item = re.match(r"^(\d+)\. ", line)
            if item:
                sections[current].append(item.group(1))
    sources = [*CHECKOUT.joinpath("emulator").rglob("*.py"),
               *CHECKOUT.joinpath("tests").rglob("*.py"), *DOCUMENTS]
    cited = {(match.group(1), match.group(2) or "") for path in sources
             for match in DESIGN_CITATION.finditer(path.read_text(encoding="utf-8"))}
    assert cited, "the walk found no citations"
    missing = [f"§{section}" + (f".{item}" if item else "") for section, item in sorted(cited)
               if section not in sections or (item and item not in sections[section])]
    assert missing == []
    assert sections.get("3") == ["1", "2", "3"]


def test_the_module_map_names_every_module_of_the_mock_and_nothing_else() -> None:
    """docs/module-map.md's table of emulator/cluster/mock/ names every module there (a folder's
    files by their bare names in the folder's row, as node/container/'s are), and every path it
    names exists."""
    mock = CHECKOUT / "emulator" / "cluster" / "mock"
    text = (DOCS / "module-map.md").read_text()
    section = text[text.index("## The mock apiserver"):].split("\n## ")[0]
    named = set(re.findall(r"`([a-z_/0-9.]+(?:\.py|/))`", section))
    for name in named:
        if name.startswith(("emulator/", "tools/")):  # a path from the checkout's root
            assert (CHECKOUT / name).exists(), name
        elif "/" in name.rstrip("/") or not name.endswith(".py"):
            assert (mock / name).exists(), name
    for path in mock.rglob("*.py"):
        relative = path.relative_to(mock).as_posix()
        if path.name == "__init__.py" or "__pycache__" in relative:
            continue
        in_its_folders_row = f"{path.parent.relative_to(mock).as_posix()}/" in named and (
            path.name in named)
        assert relative in named or in_its_folders_row, f"{relative} is not in docs/module-map.md"
