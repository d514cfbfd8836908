"""The sandboxed fake container: in-memory filesystem, shell grammar, commands, tar, kubectl cp.

Every test drives ``execute`` through a fake ``ProcessIO`` (stdin fed in chunks, stdout and stderr
collected apart) with a fake ``clock_sleep``, so nothing sleeps and nothing touches the host.
"""

from __future__ import annotations

import asyncio
import builtins
import gzip
import io
import os
import random
import subprocess
import tarfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest

from emulator import messages
from emulator.cluster.mock.node.container import (
    Container,
    DirNode,
    FakeFilesystem,
    FileNode,
    FsError,
    Scripted,
    execute,
    normalize,
)

NOW = datetime(2026, 1, 1, 12, 30, 45, tzinfo=UTC)
OLD = datetime(2020, 5, 17, tzinfo=UTC).timestamp()


@dataclass
class FakeIO:
    """Stdin handed out chunk by chunk (then b"" forever); stdout and stderr kept apart."""

    chunks: list[bytes] = field(default_factory=list)
    stdout: bytearray = field(default_factory=bytearray)
    stderr: bytearray = field(default_factory=bytearray)
    reads_after_eof: int = 0

    async def read_stdin(self) -> bytes:
        if not self.chunks:
            self.reads_after_eof += 1
            return b""
        return self.chunks.pop(0)

    async def write_stdout(self, data: bytes) -> None:
        self.stdout += data

    async def write_stderr(self, data: bytes) -> None:
        self.stderr += data


@dataclass
class Result:
    code: int
    out: bytes
    err: bytes

    @property
    def text(self) -> str:
        return self.out.decode()

    @property
    def error(self) -> str:
        return self.err.decode()


class Sleeper:
    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def make_container(files: Mapping[str, str | bytes] | None = None, *,
                   scripted: dict[str, Scripted] | None = None, limit_bytes: int | None = None,
                   spec: dict[str, Any] | None = None) -> Container:
    extra = {"limit_bytes": limit_bytes} if limit_bytes is not None else {}
    return Container.from_spec("demo", spec or {"name": "main", "env": [
        {"name": "GREETING", "value": "hello world"}]}, files=files, scripted=scripted,
        now=lambda: NOW, **extra)


@pytest.fixture
def box() -> Container:
    return make_container({"/srv/hello.txt": "hello\n", "/srv/data/b.bin": b"\x00\xff\x01",
                           "/srv/data/a.txt": "alpha\nbeta\ngamma\n", "/srv/.hidden": "h"})


def run(container: Container, argv: list[str], stdin: bytes | Iterable[bytes] = b"", *,
        tty: bool = False, sleeper: Sleeper | None = None) -> Result:
    chunks = [stdin] if isinstance(stdin, bytes) else list(stdin)
    fake = FakeIO([chunk for chunk in chunks if chunk])
    code = asyncio.run(execute(argv, container, fake, tty=tty, clock_sleep=sleeper or Sleeper()))
    return Result(code, bytes(fake.stdout), bytes(fake.stderr))


def sh(container: Container, script: str, stdin: bytes = b"") -> Result:
    return run(container, ["sh", "-c", script], stdin)


def tar_bytes(members: Iterable[tarfile.TarInfo | tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.GNU_FORMAT) as archive:
        for member in members:
            if isinstance(member, tarfile.TarInfo):
                archive.addfile(member)
            else:
                info = tarfile.TarInfo(member[0])
                info.size, info.mode, info.mtime = len(member[1]), 0o600, int(OLD)
                archive.addfile(info, io.BytesIO(member[1]))
    return buffer.getvalue()


def members_of(data: bytes) -> dict[str, bytes | None]:
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        return {m.name: _content(archive, m) for m in archive.getmembers()}


def _content(archive: tarfile.TarFile, member: tarfile.TarInfo) -> bytes | None:
    source = archive.extractfile(member) if member.isreg() else None
    return source.read() if source is not None else None


def in_chunks(data: bytes, size: int = 512) -> list[bytes]:
    """Stdin as kubectl sends a tar: many small channel-0 messages."""
    return [data[i:i + size] for i in range(0, len(data), size)]


# --- filesystem -----------------------------------------------------------------------------------

def test_default_tree_has_root_tmp_hostname_and_an_os_release_naming_the_fake() -> None:
    container = make_container()
    fs = container.fs
    assert all(fs.is_dir(path) for path in ("/", "/root", "/tmp", "/etc"))
    assert fs.read("/etc/hostname") == b"demo\n"
    assert fs.read("/etc/os-release") == messages.SH_OS_RELEASE.encode()
    assert b"fake container" in fs.read("/etc/os-release")
    assert not fs.exists("/etc/passwd")


@pytest.mark.parametrize(("path", "cwd", "expected"), [
    ("a/b", "/srv", "/srv/a/b"), ("../x", "/srv/data", "/srv/x"), ("/a/./b//c/", "/", "/a/b/c"),
    ("../../../..", "/srv", "/"), ("/..", "/", "/"), ("../../etc/passwd", "/", "/etc/passwd"),
    (".", "/tmp", "/tmp"), ("", "/tmp", "/tmp"),
])
def test_normalize_never_leaves_the_root(path: str, cwd: str, expected: str) -> None:
    assert normalize(path, cwd) == expected


def test_seed_creates_parent_directories_and_accepts_text_or_bytes() -> None:
    fs = make_container({"/a/b/c.txt": "text", "/a/d.bin": b"\x00\x01"}).fs
    assert fs.is_dir("/a/b")
    assert fs.read("/a/b/c.txt") == b"text" and fs.read("/a/d.bin") == b"\x00\x01"


def test_filesystem_errors_carry_the_kernel_reason() -> None:
    fs = make_container({"/f": "x"}).fs
    with pytest.raises(FsError) as missing:
        fs.read("/nope")
    with pytest.raises(FsError) as through_file:
        fs.read("/f/inside")
    with pytest.raises(FsError) as directory:
        fs.read("/tmp")
    assert (missing.value.reason, through_file.value.reason, directory.value.reason) == (
        messages.SH_ENOENT, messages.SH_ENOTDIR, messages.SH_EISDIR)


def test_size_cap_refuses_writes_past_it_and_frees_space_on_remove() -> None:
    fs = FakeFilesystem(limit_bytes=100)
    fs.write("/a", b"x" * 60)
    with pytest.raises(FsError) as full:
        fs.write("/b", b"y" * 41)
    assert full.value.reason == messages.SH_ENOSPC and not fs.exists("/b")
    fs.write("/a", b"z" * 10, append=True)
    assert fs.used_bytes == 70
    fs.remove("/a")
    fs.write("/b", b"y" * 100)
    assert fs.used_bytes == 100 and fs.free_bytes == 0


def test_entry_cap_refuses_endless_empty_files() -> None:
    fs = FakeFilesystem(max_entries=3)
    fs.write("/a", b"")
    fs.mkdir("/d")
    with pytest.raises(FsError) as full:
        fs.touch("/b")
    assert full.value.reason == messages.SH_ENOSPC


def test_dev_null_swallows_writes() -> None:
    container = make_container()
    assert sh(container, "echo gone > /dev/null; cat /dev/null").out == b""
    assert container.fs.read("/dev/null") == b""


def test_working_directory_and_env_come_from_the_spec() -> None:
    container = make_container(spec={"name": "main", "workingDir": "/app",
                                     "env": [{"name": "MODE", "value": "test"},
                                             {"name": "SECRET", "valueFrom": {}}]})
    assert run(container, ["pwd"]).text == "/app\n"
    assert container.env == {"PATH": container.env["PATH"], "HOSTNAME": "demo", "HOME": "/root",
                             "MODE": "test", "SECRET": ""}
    assert container.name == "main" and container.hostname == "demo"


# --- simple commands ------------------------------------------------------------------------------

@pytest.mark.parametrize(("argv", "code"), [(["true"], 0), (["false"], 1), ([":"], 0),
                                           (["/bin/true"], 0), (["/usr/bin/false"], 1)])
def test_true_false(box: Container, argv: list[str], code: int) -> None:
    assert run(box, argv) == Result(code, b"", b"")


@pytest.mark.parametrize(("argv", "out"), [
    (["echo", "a", "b"], b"a b\n"), (["echo", "-n", "x"], b"x"), (["echo"], b"\n"),
    (["echo", "-e", "a\\tb\\nc\\0101"], b"a\tb\ncA\n"), (["echo", "a\\nb"], b"a\\nb\n"),
    (["echo", "-e", "stop\\cnot"], b"stop"), (["echo", "-E", "a\\n"], b"a\\n\n"),
    (["echo", "-x"], b"-x\n"),
])
def test_echo(box: Container, argv: list[str], out: bytes) -> None:
    assert run(box, argv).out == out


@pytest.mark.parametrize(("argv", "out"), [
    (["printf", "%s=%d\\n", "a", "1", "b", "2"], b"a=1\nb=2\n"),
    (["printf", "[%5s|%-3s|%03d]", "ab", "c", "7"], b"[   ab|c  |007]"),
    (["printf", "%x %o %c %%\\n", "255", "8", "xyz"], b"ff 10 x %\n"),
    (["printf", "no newline"], b"no newline"), (["printf", "%b", "a\\tb"], b"a\tb"),
])
def test_printf(box: Container, argv: list[str], out: bytes) -> None:
    assert run(box, argv) == Result(0, out, b"")


def test_printf_reports_a_non_number() -> None:
    result = run(make_container(), ["printf", "%d\\n", "x"])
    assert result == Result(1, b"0\n", messages.SH_PRINTF_NOT_NUMBER.format(value="x").encode()
                            + b"\n")


def test_cat_files_stdin_and_dash(box: Container) -> None:
    assert run(box, ["cat", "/srv/hello.txt", "/srv/data/b.bin"]).out == b"hello\n\x00\xff\x01"
    assert run(box, ["cat"], [b"one\n", b"two\n"]).out == b"one\ntwo\n"
    assert run(box, ["cat", "/srv/hello.txt", "-"], b"in").out == b"hello\nin"


def test_cat_errors_continue_and_exit_1(box: Container) -> None:
    result = run(box, ["cat", "/missing", "/srv", "/srv/hello.txt"])
    assert result.code == 1 and result.out == b"hello\n"
    assert result.error == (
        f"{messages.SH_FILE_ERROR.format(cmd='cat', path='/missing', reason=messages.SH_ENOENT)}\n"
        f"{messages.SH_FILE_ERROR.format(cmd='cat', path='/srv', reason=messages.SH_EISDIR)}\n")


def test_cat_streams_stdin_as_it_arrives(box: Container) -> None:
    """Each chunk is written before the next is read (``kubectl exec -i -- cat`` is interactive)."""
    order: list[str] = []

    class Interleaved(FakeIO):
        async def read_stdin(self) -> bytes:
            order.append("read")
            return await super().read_stdin()

        async def write_stdout(self, data: bytes) -> None:
            order.append(f"write {data.decode()}")
            await super().write_stdout(data)

    asyncio.run(execute(["cat"], box, Interleaved([b"a", b"b"])))
    assert order == ["read", "write a", "read", "write b", "read"]


def test_ls_one_name_per_line_sorted_without_hidden(box: Container) -> None:
    assert run(box, ["ls", "/srv"]) == Result(0, b"data\nhello.txt\n", b"")
    assert run(box, ["ls", "-1", "/srv/data"]).out == b"a.txt\nb.bin\n"
    assert run(box, ["ls", "-a", "/srv"]).out == b".\n..\n.hidden\ndata\nhello.txt\n"
    assert run(box, ["ls", "-A", "/srv"]).out == b".hidden\ndata\nhello.txt\n"
    assert sh(box, "cd /srv/data && ls").out == b"a.txt\nb.bin\n"


def test_ls_of_a_file_prints_the_path_and_several_dirs_get_headers(box: Container) -> None:
    assert run(box, ["ls", "/srv/hello.txt"]).out == b"/srv/hello.txt\n"
    assert run(box, ["ls", "/srv/data", "/srv/hello.txt", "/root"]).out == (
        b"/srv/hello.txt\n\n/root:\n\n/srv/data:\na.txt\nb.bin\n")


def test_ls_long_format(box: Container) -> None:
    box.fs.set_attributes("/srv/hello.txt", mode=0o600, mtime=OLD)
    lines = run(box, ["ls", "-l", "/srv"]).text.splitlines()
    assert lines == ["total 8",
                     "drwxr-xr-x 2 root root 4096 Jan  1 12:30 data",
                     "-rw------- 1 root root    6 May 17  2020 hello.txt"]
    assert run(box, ["ls", "-ld", "/tmp"]).text.startswith("drwxrwxrwt 2 root root 4096 ")


def test_ls_missing_path_exits_2_and_still_lists_the_rest(box: Container) -> None:
    result = run(box, ["ls", "/nope", "/srv/data"])
    assert result.code == 2 and result.out == b"/srv/data:\na.txt\nb.bin\n"
    assert result.error == "ls: cannot access '/nope': No such file or directory\n"
    assert result.error == messages.SH_LS_FAILED.format(path="/nope",
                                                        reason=messages.SH_ENOENT) + "\n"


def test_ls_bad_option_is_a_usage_error(box: Container) -> None:
    assert run(box, ["ls", "-Z"]) == Result(2, b"", messages.SH_INVALID_OPTION.format(
        cmd="ls", option="Z").encode() + b"\n")


def test_pwd_and_cd_inside_scripts(box: Container) -> None:
    assert run(box, ["pwd"]).out == b"/\n"
    assert sh(box, "cd /srv/data; pwd; cd ..; pwd; cd; pwd; cd -; pwd").out == (
        b"/srv/data\n/srv\n/root\n/srv\n")
    result = sh(box, "cd /nope; echo $?")
    assert result.out == b"1\n"
    assert result.error == messages.SH_CD_FAILED.format(path="/nope",
                                                        reason=messages.SH_ENOENT) + "\n"
    assert run(box, ["pwd"]).out == b"/\n"  # a new exec starts afresh


def test_env_prints_the_environment_and_runs_commands_with_more(box: Container) -> None:
    lines = run(box, ["env"]).text.splitlines()
    assert "HOSTNAME=demo" in lines and "HOME=/root" in lines and "GREETING=hello world" in lines
    assert any(line.startswith("PATH=/usr/local/sbin:") for line in lines)
    assert run(box, ["env", "X=1", "sh", "-c", "echo $X $HOME"]).out == b"1 /root\n"
    assert run(box, ["env", "-i", "Y=2"]).out == b"Y=2\n"


def test_identity_commands(box: Container) -> None:
    assert run(box, ["hostname"]).out == b"demo\n"
    assert run(box, ["id"]).out == b"uid=0(root) gid=0(root) groups=0(root)\n"
    assert run(box, ["id", "-u"]).out == b"0\n" and run(box, ["id", "-un"]).out == b"root\n"
    assert run(box, ["whoami"]).out == b"root\n"
    assert run(box, ["uname"]).out == b"Linux\n"
    assert run(box, ["uname", "-a"]).out == (
        b"Linux demo 6.1.0-emulator #1 SMP PREEMPT_DYNAMIC x86_64 GNU/Linux\n")
    assert run(box, ["uname", "-m", "-n"]).out == b"demo x86_64\n"


def test_date_uses_the_container_clock_in_utc(box: Container) -> None:
    assert run(box, ["date"]).out == b"Thu Jan  1 12:30:45 UTC 2026\n"
    assert run(box, ["date", "-u", "+%Y-%m-%dT%H:%M:%SZ"]).out == b"2026-01-01T12:30:45Z\n"
    assert run(box, ["date", "tomorrow"]).code == 1


def test_mkdir(box: Container) -> None:
    assert run(box, ["mkdir", "/new"]).code == 0 and box.fs.is_dir("/new")
    assert run(box, ["mkdir", "-p", "/x/y/z", "/new"]).code == 0 and box.fs.is_dir("/x/y/z")
    assert run(box, ["mkdir", "-m", "700", "/private"]).code == 0
    assert box.fs.node("/private").mode == 0o700  # type: ignore[union-attr]
    exists = run(box, ["mkdir", "/new"])
    assert exists.code == 1 and exists.error == messages.SH_MKDIR_FAILED.format(
        path="/new", reason=messages.SH_EEXIST) + "\n"
    assert run(box, ["mkdir", "/a/b"]).error.endswith(f"{messages.SH_ENOENT}\n")
    assert run(box, ["mkdir"]) == Result(2, b"", messages.SH_MISSING_OPERAND.format(
        cmd="mkdir").encode() + b"\n")


def test_rm(box: Container) -> None:
    seeded = box.fs.used_bytes
    assert run(box, ["rm", "/srv/hello.txt"]).code == 0 and not box.fs.exists("/srv/hello.txt")
    directory = run(box, ["rm", "/srv/data"])
    assert directory.code == 1 and directory.error == messages.SH_RM_FAILED.format(
        path="/srv/data", reason=messages.SH_EISDIR) + "\n"
    assert run(box, ["rm", "-r", "/srv/data"]).code == 0 and not box.fs.exists("/srv/data")
    assert run(box, ["rm", "-f", "/missing"]) == Result(0, b"", b"")
    assert run(box, ["rm", "/missing"]).code == 1
    assert box.fs.used_bytes == seeded - len(b"hello\nalpha\nbeta\ngamma\n\x00\xff\x01")


@pytest.mark.parametrize("target", ["/", "//", "///"])
def test_rm_refuses_the_root(box: Container, target: str) -> None:
    result = run(box, ["rm", "-rf", target])
    assert result == Result(1, b"", messages.SH_RM_ROOT.encode() + b"\n")
    assert box.fs.exists("/srv/hello.txt")


@pytest.mark.parametrize("target", ["..", ".", "/..", "/srv/../..", "data/."])
def test_rm_refuses_dot_and_dot_dot(box: Container, target: str) -> None:
    result = sh(box, f"cd /srv && rm -rf {target}")
    assert result.code == 1 and result.error == messages.SH_RM_DOT.format(path=target) + "\n"
    assert box.fs.exists("/srv/hello.txt") and box.fs.exists("/srv/data/a.txt")


def test_touch_creates_and_updates(box: Container) -> None:
    assert run(box, ["touch", "/tmp/new"]).code == 0 and box.fs.read("/tmp/new") == b""
    box.fs.set_attributes("/srv/hello.txt", mtime=OLD)
    run(box, ["touch", "/srv/hello.txt"])
    node = box.fs.node("/srv/hello.txt")
    assert isinstance(node, FileNode) and node.mtime == NOW.timestamp() and node.data == b"hello\n"
    assert run(box, ["touch", "/no/dir/file"]).error == messages.SH_TOUCH_FAILED.format(
        path="/no/dir/file", reason=messages.SH_ENOENT) + "\n"


def test_sleep_goes_through_the_injected_clock(box: Container) -> None:
    sleeper = Sleeper()
    assert run(box, ["sleep", "0.25"], sleeper=sleeper).code == 0
    assert run(box, ["sh", "-c", "sleep 1m 2; sleep 1.5s"], sleeper=sleeper).code == 0
    assert sleeper.calls == [0.25, 62.0, 1.5]
    bad = run(box, ["sleep", "soon"], sleeper=sleeper)
    assert bad == Result(1, b"", messages.SH_SLEEP_INVALID.format(value="soon").encode() + b"\n")
    assert run(box, ["sleep"]).code == 2 and sleeper.calls == [0.25, 62.0, 1.5]


@pytest.mark.parametrize(("argv", "code"), [
    (["test", "-d", "/srv"], 0), (["test", "-d", "/srv/hello.txt"], 1),
    (["test", "-d", "/srv/remote.txt"], 1), (["test", "-f", "/srv/hello.txt"], 0),
    (["test", "-e", "/srv/data"], 0), (["test", "-e", "/nope"], 1),
    (["test", "-s", "/dev/null"], 1),
    (["test", "-z", ""], 0), (["test", "-n", ""], 1), (["test", "a", "=", "a"], 0),
    (["test", "a", "!=", "a"], 1), (["test", "3", "-lt", "10"], 0), (["test", "!", "-e", "/x"], 0),
    (["test", "-d", "/srv", "-a", "-f", "/srv/hello.txt"], 0),
    (["test", "-d", "/nope", "-o", "x", "=", "y"], 1), (["test"], 1), (["test", "word"], 0),
    (["[", "-d", "/tmp", "]"], 0), (["[", "x", "=", "y", "]"], 1),
])
def test_test_and_bracket(box: Container, argv: list[str], code: int) -> None:
    assert run(box, argv) == Result(code, b"", b"")


def test_test_errors_exit_2(box: Container) -> None:
    assert run(box, ["[", "-d", "/tmp"]) == Result(2, b"", b"sh: [: missing ]\n")
    assert run(box, ["test", "x", "-gt", "1"]).error == "sh: test: x: integer expression expected\n"
    assert run(box, ["test", "-q", "x"]).code == 2


def test_wc(box: Container) -> None:
    assert run(box, ["wc", "-c"], b"12345").out == b"5\n"
    assert run(box, ["wc", "-c", "/srv/data/a.txt"]).out == b"17 /srv/data/a.txt\n"
    assert run(box, ["wc", "-l", "/srv/data/a.txt", "/srv/hello.txt"]).out == (
        b"3 /srv/data/a.txt\n1 /srv/hello.txt\n4 total\n")
    assert run(box, ["wc"], b"a b\nc\n").out == b"2 3 6\n"


def test_head(box: Container) -> None:
    assert run(box, ["head", "-n", "2", "/srv/data/a.txt"]).out == b"alpha\nbeta\n"
    assert run(box, ["head", "-n1"], b"x\ny\n").out == b"x\n"
    assert run(box, ["head", "-c", "3"], b"abcdef").out == b"abc"
    assert run(box, ["head", "-c", "x"]).error == messages.SH_INVALID_COUNT.format(
        cmd="head", what="bytes", value="x") + "\n"


@pytest.mark.parametrize(("args", "out"), [
    (["-c", "+3"], b"cdef"), (["-c+3"], b"cdef"), (["-c+1"], b"abcdef"), (["-c+0"], b"abcdef"),
    (["-c", "2"], b"ef"), (["-c+7"], b""), (["-n", "1"], b"def"), (["-n", "+2"], b"def"),
])
def test_tail(box: Container, args: list[str], out: bytes) -> None:
    data = b"abc\ndef" if "-n" in args else b"abcdef"
    assert run(box, ["tail", *args], data) == Result(0, out, b"")


def test_the_obsolete_count_form(box: Container) -> None:
    """`head -3`/`tail -3`: the first argument only; elsewhere it is an unknown option."""
    lines = b"1\n2\n3\n4\n5\n"
    assert run(box, ["head", "-3"], lines) == Result(0, b"1\n2\n3\n", b"")
    assert run(box, ["tail", "-2"], lines) == Result(0, b"4\n5\n", b"")
    assert run(box, ["head", "-2", "/srv/data/a.txt"]).out == b"alpha\nbeta\n"
    assert run(box, ["sh", "-c", "printf '1\\n2\\n3\\n' | tail -1"]).out == b"3\n"
    assert run(box, ["head", "-n", "1", "-3"], lines).error.startswith(
        messages.SH_INVALID_OPTION.format(cmd="head", option="3"))


def test_tail_and_head_headers_for_several_files(box: Container) -> None:
    assert run(box, ["tail", "-n", "1", "/srv/hello.txt", "/srv/data/a.txt"]).out == (
        b"==> /srv/hello.txt <==\nhello\n\n==> /srv/data/a.txt <==\ngamma\n")
    assert run(box, ["head", "/missing"]).error == messages.SH_CANNOT_READ.format(
        cmd="head", path="/missing", reason=messages.SH_ENOENT) + "\n"


# --- not found, scripted answers ------------------------------------------------------------------

def test_unknown_command_is_not_found_127_in_exec_and_in_sh(box: Container) -> None:
    assert run(box, ["nginx", "-v"]) == Result(127, b"", b"sh: nginx: not found\n")
    assert run(box, ["/opt/bin/ls"]) == Result(127, b"", b"sh: /opt/bin/ls: not found\n")
    assert sh(box, "python3 -V; echo rc=$?") == Result(0, b"rc=127\n",
                                                      b"sh: python3: not found\n")
    assert messages.SH_NOT_FOUND.format(name="nginx") == "sh: nginx: not found"


def test_commands_may_be_named_by_their_bin_path(box: Container) -> None:
    assert run(box, ["/bin/ls", "/srv/data"]).out == b"a.txt\nb.bin\n"
    assert run(box, ["/usr/bin/env", "-i"]).code == 0


def test_scripted_answers_match_the_exact_command_line() -> None:
    container = make_container(scripted={
        "nginx -v": Scripted(stderr="nginx version: nginx/1.27.0\n"),
        "curl -s 'http://x/a b'": Scripted(stdout="ok\n", exit_code=7),
        "ls /srv": Scripted(stdout="scripted\n"),
    })
    assert run(container, ["nginx", "-v"]) == Result(0, b"", b"nginx version: nginx/1.27.0\n")
    assert run(container, ["curl", "-s", "http://x/a b"]) == Result(7, b"ok\n", b"")
    assert sh(container, "curl -s 'http://x/a b'; echo $?").out == b"ok\n7\n"
    assert run(container, ["nginx", "-V"]).code == 127
    # A scenario may also override a built-in for one exact command line.
    assert run(container, ["ls", "/srv"]).out == b"scripted\n"


def test_empty_argv_is_refused(box: Container) -> None:
    assert run(box, []) == Result(127, b"", messages.SH_NO_COMMAND.encode() + b"\n")


# --- shell grammar --------------------------------------------------------------------------------

@pytest.mark.parametrize(("script", "out"), [
    ("echo 'single $HOME \"q\"'", b'single $HOME "q"\n'),
    ('echo "double $HOME \\$HOME \\"q\\" \\x"', b'double /root $HOME "q" \\x\n'),
    ("echo a\\ b \\$HOME", b"a b $HOME\n"),
    ("echo ${HOME}x $HOMEx.", b"/rootx .\n"),
    ("echo ${UNSET:-fallback} ${HOME:-no} ${#HOME}", b"fallback /root 5\n"),
    ("echo $GREETING", b"hello world\n"),
    ('printf "[%s]" $GREETING', b"[hello][world]"),
    ('printf "[%s]" "$GREETING"', b"[hello world]"),
    ('printf "[%s]" $UNSET "" x', b"[][x]"),
    ("echo a;echo b ; echo c", b"a\nb\nc\n"),
    ("echo one # a comment\necho two", b"one\ntwo\n"),
    ("echo multi \\\nline", b"multi line\n"),
    ("X=1; Y=\"$X 2\"; echo $Y", b"1 2\n"),
    ("X=outer; X=inner sh -c 'echo $X'; echo $X", b"inner\nouter\n"),
    ("echo $ $5 $#", b"$ 0\n"),
    ("echo '' \"\" | wc -c", b"2\n"),
])
def test_words_quotes_and_expansion(box: Container, script: str, out: bytes) -> None:
    assert sh(box, script) == Result(0, out, b"")


def test_positional_parameters_of_sh_c(box: Container) -> None:
    result = run(box, ["sh", "-c", 'echo "$0|$1|$2|$#"; printf "<%s>" "$@"', "name", "a b", "c"])
    assert result.out == b"name|a b|c|2\n<a b><c>"
    assert run(box, ["bash", "-c", "echo $0"]).out == b"bash\n"


def test_and_or_and_exit_status(box: Container) -> None:
    assert sh(box, "true && echo yes || echo no").out == b"yes\n"
    assert sh(box, "false && echo yes || echo no").out == b"no\n"
    assert sh(box, "false; echo $?; true; echo $?").out == b"1\n0\n"
    assert sh(box, "false || false && echo never").out == b""
    assert sh(box, "! false && echo negated").out == b"negated\n"
    assert sh(box, "false").code == 1
    assert sh(box, "cat /missing && echo unreachable").code == 1


@pytest.mark.parametrize(("script", "code"), [
    ("exit 3", 3), ("exit", 0), ("false; exit", 1), ("exit 256", 0), ("exit 300", 44),
    ("echo before; exit 4; echo after", 4), ("false || exit 5", 5), ("true | exit 6", 6),
])
def test_exit(box: Container, script: str, code: int) -> None:
    assert sh(box, script).code == code


def test_exit_in_a_pipeline_member_does_not_end_the_script(box: Container) -> None:
    assert sh(box, "exit 3 | true; echo still") == Result(0, b"still\n", b"")


def test_exit_with_a_bad_number(box: Container) -> None:
    assert sh(box, "exit x") == Result(2, b"", b"sh: exit: Illegal number: x\n")


def test_exec_form_exit(box: Container) -> None:
    assert run(box, ["exit", "9"]).code == 9


def test_pipelines_pass_bytes_and_take_the_last_status(box: Container) -> None:
    assert sh(box, "cat /srv/data/a.txt | head -n 2 | tail -n 1").out == b"beta\n"
    assert sh(box, "cat /srv/data/b.bin | wc -c").out == b"3\n"
    assert sh(box, "false | true").code == 0 and sh(box, "true | false").code == 1
    assert sh(box, "cat | tail -c 2", b"piped").out == b"ed"
    assert sh(box, "cd /tmp | true; pwd").out == b"/\n"  # members are subshells


def test_redirections(box: Container) -> None:
    script = ("echo one > /tmp/f; echo two >> /tmp/f; cat < /tmp/f; "
              "cat /missing 2>/dev/null; echo rc=$?; cat /missing 2>&1 | wc -l; "
              "echo to-err >&2; echo x>/tmp/g; cat /tmp/g")
    result = sh(box, script)
    assert result.out == b"one\ntwo\nrc=1\n1\nx\n"
    assert result.error == "to-err\n"
    assert box.fs.read("/tmp/f") == b"one\ntwo\n"


def test_redirection_order_matters(box: Container) -> None:
    result = sh(box, "cat /missing > /tmp/out 2>&1; cat /missing 2>&1 > /tmp/out2")
    assert box.fs.read("/tmp/out").startswith(b"cat: /missing")
    assert box.fs.read("/tmp/out2") == b""
    # `2>&1 > f`: stderr went where stdout pointed before stdout moved to the file.
    assert result.out.startswith(b"cat: /missing") and result.err == b""


def test_redirection_failures(box: Container) -> None:
    created = sh(box, "echo x > /no/dir/f; echo rc=$?")
    assert created.out == b"rc=1\n"
    assert created.error == messages.SH_CANNOT_CREATE.format(path="/no/dir/f",
                                                             reason=messages.SH_ENOENT) + "\n"
    opened = sh(box, "cat < /nope")
    assert opened.code == 1 and opened.error == messages.SH_CANNOT_OPEN.format(
        path="/nope", reason=messages.SH_ENOENT) + "\n"
    assert sh(box, "echo x >&7").error == messages.SH_BAD_FD.format(fd="7") + "\n"


def test_stdout_and_stderr_stay_apart(box: Container) -> None:
    result = sh(box, "echo out; ls /nope; echo more")
    assert result.out == b"out\nmore\n"
    assert result.error == "ls: cannot access '/nope': No such file or directory\n"


@pytest.mark.parametrize(("script", "message"), [
    ("echo 'open", messages.SH_SYNTAX_UNTERMINATED),
    ('echo "open', messages.SH_SYNTAX_UNTERMINATED),
    ("echo $(hostname)", messages.SH_UNSUPPORTED.format(what="$(...)")),
    ("echo `hostname`", messages.SH_UNSUPPORTED.format(what="`...`")),
    ("if true; then echo; fi", messages.SH_UNSUPPORTED.format(what="if")),
    ("sleep 1 &", messages.SH_UNSUPPORTED.format(what="&")),
    ("| cat", messages.SH_SYNTAX_UNEXPECTED.format(token="|")),
    ("echo ${", messages.SH_BAD_SUBSTITUTION),
    ("echo &&", messages.SH_SYNTAX_EOF),
    ("echo >", messages.SH_SYNTAX_UNEXPECTED.format(token="newline")),
])
def test_syntax_errors_exit_2_and_run_nothing(box: Container, script: str, message: str) -> None:
    assert sh(box, f"echo ran; {script}") == Result(2, b"", f"{message}\n".encode())


def test_sh_options(box: Container) -> None:
    assert run(box, ["/bin/sh", "-ec", "echo ok"]).out == b"ok\n"
    assert run(box, ["sh", "-c"]) == Result(2, b"", messages.SH_C_NEEDS_ARGUMENT.encode() + b"\n")
    assert run(box, ["sh", "-Q"]).code == 2
    assert run(box, ["sh", "-c", "echo $0", "-x"]).out == b"-x\n"
    assert run(box, ["sh", "-c", "echo $0 $1", "--", "a"]).out == b"-- a\n"
    assert run(box, ["sh", "--", "-"]).code == 2  # a script file named "-" does not exist


def test_sh_runs_a_script_file_from_the_fake_filesystem() -> None:
    container = make_container({"/srv/run.sh": "echo from script $1\nexit 4\n"})
    assert run(container, ["sh", "/srv/run.sh", "arg"]) == Result(4, b"from script arg\n", b"")
    assert run(container, ["sh", "/srv/none.sh"]).code == 2


# --- interactive shell ----------------------------------------------------------------------------

def test_interactive_sh_reads_commands_from_stdin_until_eof(box: Container) -> None:
    stdin = [b"echo one\nec", b"ho two\nfalse\n", b"echo 'multi\nline'\n"]
    result = run(box, ["sh"], stdin)
    assert result == Result(0, b"one\ntwo\nmulti\nline\n", b"")
    assert run(box, ["sh"], b"false\n").code == 1
    assert run(box, ["sh"], b"echo last-line-without-newline").out == b"last-line-without-newline\n"


def test_interactive_sh_stops_at_exit(box: Container) -> None:
    assert run(box, ["bash"], b"echo a\nexit 7\necho never\n") == Result(7, b"a\n", b"")


def test_interactive_sh_keeps_cwd_and_variables_between_lines(box: Container) -> None:
    assert run(box, ["sh"], b"cd /srv\nX=1\npwd\necho $X\n").out == b"/srv\n1\n"


def test_interactive_syntax_error_does_not_end_the_session(box: Container) -> None:
    result = run(box, ["sh"], b"echo $(x)\necho after\n")
    assert result.out == b"after\n" and result.error.startswith("sh: syntax error")


def test_interactive_tty_prompts_and_ends_lines_with_crlf(box: Container) -> None:
    result = run(box, ["sh"], [b"echo hi\r", b"ls /srv/data\r", b"exit 3\r"], tty=True)
    # The pod's terminal echoes each line it reads (kubectl's local terminal is raw).
    assert result == Result(3, b"# echo hi\r\nhi\r\n# ls /srv/data\r\na.txt\r\nb.bin\r\n"
                               b"# exit 3\r\n", b"")


def test_interactive_tty_keys(box: Container) -> None:
    """Ctrl-C drops the line, DEL erases, Ctrl-D on an empty line ends the shell."""
    keys = b"echo nope\x03echo ab\x7fc\rexit\x7f\x7f\x7f\x7f\x04"
    result = run(box, ["sh"], keys, tty=True)
    assert result.out == b"# echo nope^C\r\n# echo ac\r\nac\r\n# " and result.code == 0


def test_tty_exec_output_uses_crlf(box: Container) -> None:
    assert run(box, ["cat", "/srv/data/a.txt"], tty=True).out == b"alpha\r\nbeta\r\ngamma\r\n"
    assert run(box, ["sh", "-c", "echo $TERM"], tty=True).out == b"xterm\r\n"


# --- staying inside the sandbox -------------------------------------------------------------------

def test_dot_dot_never_leaves_the_fake_tree(box: Container) -> None:
    escaped = sh(box, "cd /tmp && cat ../../etc/passwd")
    assert escaped.code == 1 and escaped.error == messages.SH_FILE_ERROR.format(
        cmd="cat", path="../../etc/passwd", reason=messages.SH_ENOENT) + "\n"
    assert sh(box, "cd /srv/data; cat ../../../../../etc/hostname").out == b"demo\n"
    assert run(box, ["ls", "/../../.."]).out == run(box, ["ls", "/"]).out
    assert sh(box, "cd ../../..; pwd").out == b"/\n"


def test_no_host_access_while_running_commands(box: Container,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a host file or start a host process fails the test."""
    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"host access: {args!r}")

    for target, name in ((builtins, "open"), (io, "open"), (os, "open"), (os, "system"),
                         (os, "listdir"), (os, "scandir"), (os, "stat"), (os, "popen"),
                         (os, "execv"), (os, "execvp"), (os, "fork"), (subprocess, "Popen")):
        monkeypatch.setattr(target, name, forbidden)
    script = ("cat /etc/hostname; ls -la /; mkdir -p /w/x; echo hi > /w/x/f; tar czf - /w | "
              "tar xzf - -C /tmp; cat /tmp/w/x/f; rm -rf /w; date; uname -a; id; sleep 1; "
              "tar cf - /srv | tail -c+1 | wc -c; nosuchcommand")
    result = sh(box, script)
    assert result.code == 127 and b"hi\n" in result.out


# --- tar ------------------------------------------------------------------------------------------

def test_tar_create_strips_the_leading_slash(box: Container) -> None:
    """``kubectl cp POD:/srv/hello.txt out`` needs the member ``srv/hello.txt``."""
    result = run(box, ["tar", "cf", "-", "/srv/hello.txt"])
    assert result.code == 0
    assert members_of(result.out) == {"srv/hello.txt": b"hello\n"}
    assert result.error == messages.SH_TAR_REMOVING_LEADING.format(prefix="/") + "\n"
    assert len(result.out) % 512 == 0


def test_tar_create_recurses_and_includes_directories(box: Container) -> None:
    result = run(box, ["tar", "-cf", "-", "/srv/data"])
    assert members_of(result.out) == {"srv/data": None, "srv/data/a.txt": b"alpha\nbeta\ngamma\n",
                                      "srv/data/b.bin": b"\x00\xff\x01"}
    relative = sh(box, "cd /srv && tar cf - data/a.txt hello.txt")
    assert list(members_of(relative.out)) == ["data/a.txt", "hello.txt"] and relative.err == b""
    assert list(members_of(run(box, ["tar", "cf", "-", "-C", "/srv", "data"]).out)) == [
        "data", "data/a.txt", "data/b.bin"]


def test_tar_create_keeps_modes_and_mtimes(box: Container) -> None:
    box.fs.set_attributes("/srv/hello.txt", mode=0o751, mtime=OLD)
    data = run(box, ["tar", "cf", "-", "/srv/hello.txt"]).out
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        member = archive.getmember("srv/hello.txt")
    assert (member.mode, member.mtime, member.uname) == (0o751, int(OLD), "root")


def test_tar_create_of_a_missing_path(box: Container) -> None:
    result = run(box, ["tar", "cf", "-", "/nope", "/srv/hello.txt"])
    assert result.code == 2 and list(members_of(result.out)) == ["srv/hello.txt"]
    assert messages.SH_TAR_CANNOT.format(name="/nope", action="stat",
                                         reason=messages.SH_ENOENT) in result.error
    assert result.error.endswith(messages.SH_TAR_FAILED_STATUS + "\n")


def random_tree(rng: random.Random) -> dict[str, bytes]:
    files = {f"/data/bin/blob{i}.bin": rng.randbytes(rng.randrange(0, 5000)) for i in range(6)}
    files["/data/all-bytes"] = bytes(range(256)) * 9
    files["/data/nested/deeper/x.txt"] = "ünïcödé\r\n".encode()
    files["/data/" + "long-name-" * 12 + ".txt"] = b"a name past ustar's 100 characters"
    files["/data/empty"] = b""
    return files


def test_tar_round_trip_is_byte_identical(box: Container) -> None:
    files = random_tree(random.Random(7))
    source = make_container(files)
    source.fs.mkdir("/data/empty-dir")
    source.fs.set_attributes("/data/all-bytes", mode=0o700)
    archive = run(source, ["tar", "cf", "-", "/data"]).out
    target = make_container()
    assert run(target, ["mkdir", "/restore"]).code == 0
    result = run(target, ["tar", "-xmf", "-", "-C", "/restore"], in_chunks(archive))
    assert result == Result(0, b"", b"")
    for path, content in files.items():
        assert target.fs.read("/restore" + path) == content
    assert target.fs.is_dir("/restore/data/empty-dir")
    assert target.fs.node("/restore/data/all-bytes").mode == 0o700  # type: ignore[union-attr]
    assert tree(target, "/restore/data") == tree(source, "/data")


def tree(container: Container, root: str) -> list[str]:
    return sorted(path[len(root):] for path, _ in container.fs.walk(root))


def test_tar_gzip_round_trip(box: Container) -> None:
    archive = run(box, ["tar", "czf", "-", "/srv/data"]).out
    assert tarfile.open(fileobj=io.BytesIO(gzip.decompress(archive))).getnames()[0] == "srv/data"
    assert run(box, ["tar", "xf", "-", "-C", "/tmp"], archive).code == 0  # gzip is auto-detected
    assert box.fs.read("/tmp/srv/data/b.bin") == b"\x00\xff\x01"
    assert run(box, ["tar", "xzf", "-", "-C", "/root"], archive).code == 0


def test_tar_x_m_sets_mtime_to_now_and_plain_x_keeps_it(box: Container) -> None:
    archive = tar_bytes([("kept.txt", b"k")])
    run(box, ["tar", "xf", "-", "-C", "/tmp"], archive)
    assert box.fs.node("/tmp/kept.txt").mtime == int(OLD)  # type: ignore[union-attr]
    run(box, ["tar", "-x", "-m", "-f", "-", "-C", "/root"], archive)
    assert box.fs.node("/root/kept.txt").mtime == NOW.timestamp()  # type: ignore[union-attr]


def test_tar_list(box: Container) -> None:
    archive = run(box, ["tar", "cf", "-", "/srv/data"]).out
    assert run(box, ["tar", "tf", "-"], archive).out == (
        b"srv/data/\nsrv/data/a.txt\nsrv/data/b.bin\n")
    verbose = run(box, ["tar", "-tvf", "-"], archive).text.splitlines()
    assert verbose[1].startswith("-rw-r--r-- root/root") and verbose[1].endswith("srv/data/a.txt")


def test_tar_to_and_from_a_file_in_the_container(box: Container) -> None:
    assert sh(box, "tar cf /tmp/a.tar /srv/data 2>/dev/null && tar tf /tmp/a.tar").out == (
        b"srv/data/\nsrv/data/a.txt\nsrv/data/b.bin\n")
    assert sh(box, "mkdir /x && tar -C /x -xf /tmp/a.tar && cat /x/srv/data/a.txt").code == 0


@pytest.mark.parametrize("name", ["../../x", "a/../../x", "../etc/evil", "ok/../../../x"])
def test_tar_refuses_members_that_climb_out(box: Container, name: str) -> None:
    archive = tar_bytes([(name, b"evil"), ("fine.txt", b"ok")])
    before = {path for path, _ in box.fs.walk("/")}
    result = run(box, ["tar", "-xmf", "-", "-C", "/srv/data"], archive)
    assert result.code == 2
    assert messages.SH_TAR_DOT_DOT.format(name=name) in result.error
    assert result.error.endswith(messages.SH_TAR_FAILED_STATUS + "\n")
    assert {path for path, _ in box.fs.walk("/")} - before == {"/srv/data/fine.txt"}


def test_tar_extracts_absolute_members_under_the_directory(box: Container) -> None:
    result = run(box, ["tar", "xf", "-", "-C", "/tmp"], tar_bytes([("/etc/evil", b"x"),
                                                                   ("/etc/more", b"y")]))
    assert result.code == 0 and box.fs.read("/tmp/etc/evil") == b"x"
    assert result.error == messages.SH_TAR_REMOVING_LEADING.format(prefix="/") + "\n"
    assert not box.fs.exists("/etc/evil")


@pytest.mark.parametrize(("kind", "shown"), [
    (tarfile.SYMTYPE, messages.SH_TAR_KIND_SYMLINK), (tarfile.LNKTYPE, messages.SH_TAR_KIND_LINK),
    (tarfile.CHRTYPE, messages.SH_TAR_KIND_DEVICE), (tarfile.BLKTYPE, messages.SH_TAR_KIND_DEVICE),
    (tarfile.FIFOTYPE, messages.SH_TAR_KIND_FIFO),
])
def test_tar_refuses_links_and_devices(box: Container, kind: bytes, shown: str) -> None:
    special = tarfile.TarInfo("special")
    special.type, special.linkname = kind, "/etc/hostname"
    result = run(box, ["tar", "xf", "-", "-C", "/tmp"], tar_bytes([special, ("after", b"a")]))
    assert result.code == 2
    assert messages.SH_TAR_UNSUPPORTED.format(name="special", kind=shown) in result.error
    assert not box.fs.exists("/tmp/special") and box.fs.read("/tmp/after") == b"a"


def test_tar_extract_into_a_missing_directory(box: Container) -> None:
    result = run(box, ["tar", "-xmf", "-", "-C", "/srv/missing"], tar_bytes([("f", b"x")]))
    assert result == Result(2, b"", (
        messages.SH_TAR_CANNOT.format(name="/srv/missing", action="open",
                                      reason=messages.SH_ENOENT) + "\n"
        + messages.SH_TAR_NOT_RECOVERABLE + "\n").encode())


def test_tar_rejects_garbage_and_empty_input(box: Container) -> None:
    for stdin in (b"not a tar at all" * 100, b""):
        result = run(box, ["tar", "xf", "-", "-C", "/tmp"], stdin)
        assert result.code == 2 and messages.SH_TAR_NOT_AN_ARCHIVE in result.error


def test_tar_truncated_archive_keeps_what_came_first(box: Container) -> None:
    archive = tar_bytes([("first", b"1" * 600), ("second", b"2" * 5000)])
    result = run(box, ["tar", "xf", "-", "-C", "/tmp"], archive[:3000])
    assert result.code == 2 and box.fs.read("/tmp/first") == b"1" * 600


@pytest.mark.parametrize(("argv", "message"), [
    (["tar", "-f", "-"], messages.SH_TAR_NO_MODE),
    (["tar", "-cx", "-f", "-"], messages.SH_TAR_ONE_MODE),
    (["tar", "cf", "-"], messages.SH_TAR_EMPTY_ARCHIVE),
    (["tar", "-xQ"], messages.SH_INVALID_OPTION.format(cmd="tar", option="Q")),
    (["tar", "--frobnicate", "-x"], messages.SH_UNRECOGNIZED_OPTION.format(
        cmd="tar", option="--frobnicate")),
    (["tar", "-x", "-f"], messages.SH_OPTION_NEEDS_VALUE.format(cmd="tar", option="f")),
])
def test_tar_usage_errors(box: Container, argv: list[str], message: str) -> None:
    assert run(box, argv) == Result(2, b"", f"{message}\n".encode())


# --- the exact kubectl cp command lines (k8s-streaming.md §3, gcloud-wire.md §7.1) ----------------

def test_kubectl_cp_from_pod_plain() -> None:
    container = make_container({"/srv/hello.txt": "hello from the pod\n"})
    result = run(container, ["tar", "cf", "-", "/srv/hello.txt"])
    assert result.code == 0 and members_of(result.out) == {"srv/hello.txt": b"hello from the pod\n"}


def test_kubectl_cp_from_pod_with_retries_resumes_with_tail() -> None:
    container = make_container({"/srv/x": bytes(range(256)) * 40})
    whole = run(container, ["sh", "-c", "tar cf - /srv/x | tail -c+0"])
    assert whole.code == 0 and members_of(whole.out) == {"srv/x": bytes(range(256)) * 40}
    assert run(container, ["sh", "-c", "tar cf - /srv/x | tail -c+1"]).out == whole.out
    resumed = run(container, ["sh", "-c", "tar cf - /srv/x | tail -c+4097"])
    assert resumed.out == whole.out[4096:]


def test_kubectl_cp_to_pod_file_target() -> None:
    """``kubectl cp f.txt POD:/srv/remote.txt``: ``test -d`` fails, so ``-C /srv``."""
    container = make_container({"/srv/keep": "k"})
    assert run(container, ["test", "-d", "/srv/remote.txt"]) == Result(1, b"", b"")
    upload = tar_bytes([("remote.txt", b"local bytes\x00\x01")])
    result = run(container, ["tar", "-xmf", "-", "-C", "/srv"], in_chunks(upload))
    assert result == Result(0, b"", b"")
    node = container.fs.node("/srv/remote.txt")
    assert isinstance(node, FileNode) and node.data == b"local bytes\x00\x01" and node.mode == 0o600


def test_kubectl_cp_to_pod_directory_target_and_no_preserve() -> None:
    container = make_container({"/srv/keep": "k"})
    assert run(container, ["test", "-d", "/srv"]).code == 0
    upload = tar_bytes([("file.txt", b"into the dir")])
    argv = ["tar", "--no-same-permissions", "--no-same-owner", "-xmf", "-", "-C", "/srv"]
    assert run(container, argv, in_chunks(upload)).code == 0
    assert container.fs.read("/srv/file.txt") == b"into the dir"


def test_kubectl_cp_of_a_local_directory_creates_parents() -> None:
    """``kubectl cp ./dir POD:/data``: ``-C /``, members ``data/a.txt`` with no dir entries."""
    container = make_container()
    upload = tar_bytes([("data/a.txt", b"a"), ("data/sub/b.txt", b"b")])
    assert run(container, ["tar", "-xmf", "-", "-C", "/"], in_chunks(upload, 100)).code == 0
    assert container.fs.read("/data/sub/b.txt") == b"b"
    assert isinstance(container.fs.node("/data"), DirNode)


def test_kubectl_cp_when_the_pod_has_no_tar_is_scenario_territory() -> None:
    """A scenario can make tar missing-like for one command line with a scripted answer."""
    container = make_container(scripted={"tar cf - /srv/x": Scripted(
        stderr="sh: tar: not found\n", exit_code=127)})
    assert run(container, ["tar", "cf", "-", "/srv/x"]) == Result(127, b"", b"sh: tar: not found\n")


def test_stdin_is_read_to_eof_once(box: Container) -> None:
    fake = FakeIO(in_chunks(tar_bytes([("f", b"x")])))
    assert asyncio.run(execute(["tar", "xf", "-", "-C", "/tmp"], box, fake)) == 0
    assert fake.reads_after_eof == 1


# --- size cap -------------------------------------------------------------------------------------

def test_tar_extract_past_the_size_cap() -> None:
    container = make_container(limit_bytes=4096)
    upload = tar_bytes([("small", b"s" * 100), ("big", b"b" * 8000)])
    result = run(container, ["tar", "-xmf", "-", "-C", "/tmp"], in_chunks(upload))
    assert result.code == 2
    assert messages.SH_TAR_CANNOT.format(name="big", action="write",
                                         reason=messages.SH_ENOSPC) in result.error
    assert container.fs.read("/tmp/small") == b"s" * 100 and not container.fs.exists("/tmp/big")


def test_tar_stdin_past_the_size_cap_is_refused() -> None:
    container = make_container(limit_bytes=1024)
    result = run(container, ["tar", "xf", "-", "-C", "/tmp"], [b"\0" * 600_000] * 4)
    assert result.code == 2 and messages.SH_ENOSPC in result.error


def test_shell_writes_past_the_size_cap() -> None:
    container = make_container({"/big": b"x" * 3000}, limit_bytes=4096)
    result = sh(container, "cat /big /big > /tmp/copy; echo rc=$?")
    assert result.out == b"rc=1\n"
    assert result.error == messages.SH_WRITE_ERROR.format(cmd="cat",
                                                          reason=messages.SH_ENOSPC) + "\n"
    assert messages.SH_ENOSPC == "No space left on device"
