"""CLI processes a contract test starts (``serve``, ``apiserver``) and stops again."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

CLI = [sys.executable, "-m", "emulator"]


def wait_for(path: Path, process: subprocess.Popen[str], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        if process.poll() is not None:
            raise AssertionError(f"the process exited early with {process.returncode}")
        if time.monotonic() > deadline:
            raise AssertionError(f"{path} did not appear")
        time.sleep(0.05)


class Processes:
    """CLI processes of one test. Their output goes to files, not pipes: a server printing a
    line per request would block once nobody drained a pipe."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.running: list[tuple[subprocess.Popen[str], Path, Path]] = []

    def start(self, *args: str) -> subprocess.Popen[str]:
        index = len(self.running)
        out, err = self.directory / f"process-{index}.out", self.directory / f"process-{index}.err"
        with out.open("w") as stdout, err.open("w") as stderr:
            process = subprocess.Popen([*CLI, *args], stdout=stdout, stderr=stderr, text=True)
        self.running.append((process, out, err))
        return process

    def stop(self, process: subprocess.Popen[str]) -> tuple[str, str]:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=20)
        _, out, err = next(entry for entry in self.running if entry[0] is process)
        return out.read_text(), err.read_text()

    def kill_all(self) -> None:
        for process, _, _ in self.running:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)


def start_apiserver(processes: Processes, directory: Path,
                    scenario: str = "quickstart") -> subprocess.Popen[str]:
    process = processes.start("apiserver", "--port", "0", "--state-dir", str(directory),
                              "--scenario", scenario)
    wait_for(directory / "kubeconfig", process)
    return process
