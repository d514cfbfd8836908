"""The fake shell's grammar: words, quotes, ``$VAR``, ``;``, ``&&``, ``||``, ``|``, redirections.

Parsing is pure (no state, no I/O): a script becomes a tree of frozen dataclasses. Expansion
(``expand``) waits for run time, because ``$?`` and variables change between the commands of one
script.
Anything beyond this subset (``if``, ``$(...)``, ``&``) is a syntax error that says so, rather
than a command silently doing something else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from emulator import messages
from emulator.cluster.mock.node.container.process import ShellState


class ShellSyntaxError(Exception):
    """The script cannot run; the message is what the shell prints (exit 2)."""


class Incomplete(ShellSyntaxError):
    """The text stops inside a quote or after an operator: an interactive shell reads more."""


@dataclass(frozen=True)
class Part:
    """A piece of a word: literal text, or a parameter (``var``) to expand at run time.
    ``quoted`` parts are never split into fields."""

    text: str
    quoted: bool
    var: bool = False


Word = tuple[Part, ...]


@dataclass(frozen=True)
class Redirect:
    fd: int
    op: str  # ">", ">>", "<" or ">&"
    target: Word


@dataclass(frozen=True)
class Command:
    assignments: tuple[tuple[str, Word], ...]
    words: tuple[Word, ...]
    redirects: tuple[Redirect, ...]


@dataclass(frozen=True)
class Pipeline:
    commands: tuple[Command, ...]
    negated: bool


@dataclass(frozen=True)
class AndOr:
    first: Pipeline
    rest: tuple[tuple[str, Pipeline], ...]  # ("&&" | "||", pipeline)


Script = tuple[AndOr, ...]


@dataclass(frozen=True)
class Token:
    kind: str  # "word", "op" (text is the operator) or "io" (fd: the "2" of "2>")
    text: str = ""
    word: Word = ()
    fd: int = 0

    @property
    def shown(self) -> str:
        """How an error message names the token."""
        if self.kind == "word":
            return "".join(part.text for part in self.word)
        return "newline" if self.text == "\n" else self.text or str(self.fd)

# Longest first, so ">>" wins over ">".
_OPERATORS = ("&&", "||", ">>", ">&", "<&", "<<", ";;", "|", ";", "&", ">", "<", "(", ")", "\n")
_UNSUPPORTED_OPERATORS = ("&", "(", ")", "<&", "<<", ";;")
_REDIRECTS = {">": 1, ">>": 1, ">&": 1, "<": 0}
_META = set("|&;<>()\n \t")
_KEYWORDS = {"if", "then", "else", "elif", "fi", "for", "while", "until", "do", "done", "case",
             "esac", "function", "select", "{", "}", "[["}
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_BRACED = re.compile(r"#?[A-Za-z_][A-Za-z0-9_]*|[A-Za-z_][A-Za-z0-9_]*:?-.*|[0-9?#@*$!-]",
                     re.DOTALL)
_SPECIAL = set("?#@*$!-0123456789")


def parse(text: str) -> Script:
    return _Parser(_Lexer(text).tokens()).script()


class _Lexer:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.found: list[Token] = []

    def tokens(self) -> list[Token]:
        text = self.text
        while self.pos < len(text):
            char = text[self.pos]
            if char in " \t":
                self.pos += 1
            elif char == "#":
                end = text.find("\n", self.pos)
                self.pos = len(text) if end < 0 else end
            elif text.startswith("\\\n", self.pos):
                self.pos += 2
            elif operator := next((op for op in _OPERATORS if text.startswith(op, self.pos)), None):
                self.pos += len(operator)
                self.found.append(Token("op", text=operator))
            else:
                self._word()
        return self.found

    def _word(self) -> None:
        parts: list[Part] = []
        text = self.text
        while self.pos < len(text) and text[self.pos] not in _META:
            char = text[self.pos]
            if char == "'":
                end = text.find("'", self.pos + 1)
                if end < 0:
                    raise Incomplete(messages.SH_SYNTAX_UNTERMINATED)
                parts.append(Part(text[self.pos + 1:end], True))
                self.pos = end + 1
            elif char == '"':
                self._double(parts)
            elif char == "\\":
                self._backslash(parts)
            elif char == "$":
                self._dollar(parts, quoted=False)
            elif char == "`":
                raise ShellSyntaxError(messages.SH_UNSUPPORTED.format(what="`...`"))
            else:
                parts.append(Part(char, False))
                self.pos += 1
        literal = "".join(p.text for p in parts) if all(not p.quoted and not p.var
                                                         for p in parts) else ""
        # "2>" : digits right before a redirection operator name the file descriptor.
        if literal.isdigit() and text[self.pos:self.pos + 1] in ("<", ">"):
            self.found.append(Token("io", fd=int(literal)))
        else:
            self.found.append(Token("word", word=tuple(parts)))

    def _backslash(self, parts: list[Part]) -> None:
        following = self.text[self.pos + 1:self.pos + 2]
        if not following:
            raise Incomplete(messages.SH_SYNTAX_EOF)
        if following != "\n":  # backslash-newline joins lines
            parts.append(Part(following, True))
        self.pos += 2

    def _double(self, parts: list[Part]) -> None:
        text = self.text
        self.pos += 1
        while True:
            if self.pos >= len(text):
                raise Incomplete(messages.SH_SYNTAX_UNTERMINATED)
            char = text[self.pos]
            if char == '"':
                self.pos += 1
                # An empty "" is still a word, so keep a quoted empty part.
                parts.append(Part("", True))
                return
            if char == "\\" and text[self.pos + 1:self.pos + 2] in ('$', '`', '"', "\\", "\n"):
                if text[self.pos + 1] != "\n":
                    parts.append(Part(text[self.pos + 1], True))
                self.pos += 2
            elif char == "$":
                self._dollar(parts, quoted=True)
            elif char == "`":
                raise ShellSyntaxError(messages.SH_UNSUPPORTED.format(what="`...`"))
            else:
                parts.append(Part(char, True))
                self.pos += 1

    def _dollar(self, parts: list[Part], *, quoted: bool) -> None:
        text, start = self.text, self.pos + 1
        following = text[start:start + 1]
        if following == "{":
            end = text.find("}", start)
            inner = text[start + 1:end] if end >= 0 else ""
            if end < 0 or not _BRACED.fullmatch(inner):
                raise ShellSyntaxError(messages.SH_BAD_SUBSTITUTION)
            parts.append(Part(inner, quoted, var=True))
            self.pos = end + 1
        elif following == "(":
            raise ShellSyntaxError(messages.SH_UNSUPPORTED.format(what="$(...)"))
        elif following and following in _SPECIAL:
            parts.append(Part(following, quoted, var=True))
            self.pos = start + 1
        elif match := _NAME.match(text, start):
            parts.append(Part(match.group(), quoted, var=True))
            self.pos = match.end()
        else:
            parts.append(Part("$", quoted))
            self.pos = start


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.pos = 0

    def _peek(self) -> Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def _take(self) -> Token:
        token = self._peek()
        if token is None:
            raise Incomplete(messages.SH_SYNTAX_EOF)
        self.pos += 1
        return token

    def _is_op(self, *ops: str) -> bool:
        token = self._peek()
        return token is not None and token.kind == "op" and token.text in ops

    def _skip_newlines(self) -> None:
        while self._is_op("\n"):
            self.pos += 1

    def script(self) -> Script:
        items: list[AndOr] = []
        self._skip_newlines()
        while self._peek() is not None:
            items.append(self._and_or())
            if self._peek() is None:
                break
            if not self._is_op(";", "\n"):
                raise _unexpected(self._take())
            self.pos += 1
            self._skip_newlines()
        return tuple(items)

    def _and_or(self) -> AndOr:
        first, rest = self._pipeline(), []
        while self._is_op("&&", "||"):
            operator = self._take().text
            self._skip_newlines()
            rest.append((operator, self._pipeline()))
        return AndOr(first, tuple(rest))

    def _pipeline(self) -> Pipeline:
        negated = False
        token = self._peek()
        if token is not None and token.kind == "word" and token.word == (Part("!", False),):
            negated = True
            self.pos += 1
        commands = [self._command()]
        while self._is_op("|"):
            self.pos += 1
            self._skip_newlines()
            commands.append(self._command())
        return Pipeline(tuple(commands), negated)

    def _command(self) -> Command:
        assignments: list[tuple[str, Word]] = []
        words: list[Word] = []
        redirects: list[Redirect] = []
        while (token := self._peek()) is not None:
            if token.kind == "word":
                self.pos += 1
                self._word(token.word, assignments, words)
            elif token.kind == "io":
                self.pos += 1
                redirects.append(self._redirect(token.fd, self._take()))
            elif token.text in _REDIRECTS:
                redirects.append(self._redirect(_REDIRECTS[token.text], self._take()))
            elif token.text in _UNSUPPORTED_OPERATORS:
                raise ShellSyntaxError(messages.SH_UNSUPPORTED.format(what=token.text))
            else:
                break
        if not (assignments or words or redirects):
            raise _unexpected(self._take())
        return Command(tuple(assignments), tuple(words), tuple(redirects))

    @staticmethod
    def _word(word: Word, assignments: list[tuple[str, Word]], words: list[Word]) -> None:
        if not words:
            if assignment := _assignment(word):
                assignments.append(assignment)
                return
            literal = "".join(p.text for p in word if not p.quoted and not p.var)
            if literal in _KEYWORDS and len(word) == len(literal):
                raise ShellSyntaxError(messages.SH_UNSUPPORTED.format(what=literal))
        words.append(word)

    def _redirect(self, fd: int, operator: Token) -> Redirect:
        if operator.kind != "op" or operator.text not in _REDIRECTS:
            raise _unexpected(operator)
        target = self._peek()
        if target is None or target.kind != "word":
            raise ShellSyntaxError(messages.SH_SYNTAX_UNEXPECTED.format(
                token="newline" if target is None else target.shown))
        self.pos += 1
        return Redirect(fd, operator.text, target.word)


def _assignment(word: Word) -> tuple[str, Word] | None:
    """``NAME=value`` before the command name (the name part unquoted, as POSIX requires)."""
    head = ""
    for index, part in enumerate(word):
        if part.quoted or part.var:
            return None
        if part.text == "=":
            if not _NAME.fullmatch(head):
                return None
            return head, word[index + 1:]
        head += part.text
    return None


def _unexpected(token: Token) -> ShellSyntaxError:
    return ShellSyntaxError(messages.SH_SYNTAX_UNEXPECTED.format(token=token.shown))


# --- expansion ------------------------------------------------------------------------------------

def expand(word: Word, state: ShellState) -> list[str]:
    """A word's fields: parameters expanded, unquoted expansions split on blanks (an unquoted
    empty ``$X`` is no field at all), ``"$@"`` one field per positional parameter."""
    fields: list[str] = []
    current: str | None = None
    for part in word:
        if part.var and part.quoted and part.text == "@":
            for index, arg in enumerate(state.positional[1:]):
                if index:
                    fields.append(current or "")
                    current = ""
                current = (current or "") + arg
            continue
        value = _parameter(part.text, state) if part.var else part.text
        if part.quoted or not part.var:
            current = (current or "") + value
            continue
        for index, piece in enumerate(re.split(r"[ \t\n]+", value)):
            if index and current is not None:
                fields.append(current)
                current = None
            if piece:
                current = (current or "") + piece
    if current is not None:
        fields.append(current)
    return fields


def expand_string(word: Word, state: ShellState) -> str:
    """A word expanded without field splitting (assignments, redirection targets)."""
    return "".join(_parameter(p.text, state) if p.var else p.text for p in word)


def _parameter(expression: str, state: ShellState) -> str:
    positional = state.positional
    if expression == "?":
        return str(state.status)
    if expression == "#":
        return str(len(positional) - 1)
    if expression in ("@", "*"):
        return " ".join(positional[1:])
    if expression == "$":
        return "1"  # the shell is the container's only process worth naming
    if expression in ("!", "-"):
        return ""
    if expression.isdigit():
        return positional[int(expression)] if int(expression) < len(positional) else ""
    if expression.startswith("#"):
        return str(len(_parameter(expression[1:], state)))
    # NAME, NAME-default or NAME:-default (the lexer let nothing else through).
    match = re.fullmatch(r"(\w+)(:?)-?(.*)", expression, re.DOTALL)
    if match is None:
        return ""
    name, colon, default = match.groups()
    value = state.env.get(name)
    if value is None or (colon and not value):
        return default
    return value
