"""The state directory a running ``serve`` publishes: whole files only, tokens owner-only."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from emulator import statedir
from emulator.scenario import loader

URL = "https://127.0.0.1:8443"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_publish_then_read_round_trips(tmp_path: Path) -> None:
    statedir.publish(tmp_path, URL, b"PEM", loader.load("quickstart"))
    running = statedir.read(tmp_path)
    assert running is not None
    assert (running.url, running.ca_pem, running.world["scenario"]) == (URL, b"PEM", "quickstart")
    assert mode(tmp_path / statedir.WORLD_FILE) == 0o600  # it holds bearer tokens
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ca.pem", "url", "world.json"]


def test_a_rewrite_replaces_the_file_instead_of_truncating_it(tmp_path: Path) -> None:
    # A reader holding the old file (here: a second name for it) never sees it emptied.
    target = tmp_path / "url"
    statedir.write_whole(target, b"old\n")
    os.link(target, tmp_path / "reader")
    statedir.write_whole(target, b"new\n")
    assert (target.read_bytes(), (tmp_path / "reader").read_bytes()) == (b"new\n", b"old\n")


def test_a_private_file_is_owner_only_even_over_a_readable_leftover(tmp_path: Path) -> None:
    leftover = tmp_path / ".kubeconfig.partial"
    leftover.write_text("stale")
    leftover.chmod(0o644)
    statedir.write_whole(tmp_path / "kubeconfig", b"token: x\n", private=True)
    assert mode(tmp_path / "kubeconfig") == 0o600
    assert not leftover.exists()


def test_an_empty_url_is_not_a_running_emulator(tmp_path: Path) -> None:
    statedir.publish(tmp_path, URL, b"PEM", loader.load("quickstart"))
    (tmp_path / statedir.URL_FILE).write_text("")
    assert statedir.read(tmp_path) is None
