"""``connect-gateway-emulator scenarios check``: run each scenario's expectations with the real
kubectl against a fresh emulator serving that scenario, and say which hold.

kubectl is ``clients.find_kubectl()``'s. Every run has its own HOME and KUBECACHEDIR.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from emulator import messages
from emulator.runner import serve_emulator
from emulator.scenario.model import Expectation, Scenario
from emulator.state import EmulatorState
from emulator.testing import ConnectGateway

RUN_TIMEOUT = 120


@dataclass(frozen=True)
class Outcome:
    scenario: str
    expectation: Expectation
    problems: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.problems

    def line(self) -> str:
        verdict = "PASS" if self.passed else "FAIL"
        command = " ".join(self.expectation.run)
        head = messages.CHECK_LINE.format(verdict=verdict, scenario=self.scenario,
                                          line=self.expectation.line, command=command,
                                          principal=self.expectation.principal)
        return head + "".join(f"\n    {problem}" for problem in self.problems)


def check(scenario: Scenario, kubectl: Path) -> list[Outcome]:
    state = EmulatorState(scenario)
    server = serve_emulator(state)
    try:
        return [_check_one(scenario, expectation, state, server, kubectl)
                for expectation in scenario.expectations]
    finally:
        server.stop()


def _check_one(scenario: Scenario, expectation: Expectation, state: EmulatorState,
               server: object, kubectl: Path) -> Outcome:
    state.load(scenario)  # each expectation starts from the scenario's own world
    with tempfile.TemporaryDirectory(prefix="cgw-check-") as workdir:
        handle = ConnectGateway(state, server, Path(workdir))  # type: ignore[arg-type]
        home = Path(workdir) / "home"
        home.mkdir()
        env = {**os.environ, "HOME": str(home), "KUBECACHEDIR": str(home / "cache"),
               **dict(expectation.env)}
        for before in expectation.before:
            config = handle.kubeconfig(expectation.membership,
                                       as_=expectation.before_as or expectation.principal,
                                       track=expectation.track)
            _run(kubectl, before, config, env)
        config = handle.kubeconfig(expectation.membership, as_=expectation.principal,
                                   track=expectation.track)
        if expectation.server_path:
            _replace_server_path(config, handle.url + expectation.server_path)
        result = _run(kubectl, expectation.run, config, env)
    problems = []
    if result.returncode != expectation.exit_code:
        problems.append(messages.CHECK_EXIT_CODE.format(want=expectation.exit_code,
                                                        got=result.returncode))
    for text in expectation.stdout_contains:
        if text not in result.stdout:
            problems.append(messages.CHECK_MISSING.format(stream="stdout", text=text,
                                                          got=result.stdout.strip()[-500:]))
    for text in expectation.stderr_contains:
        if text not in result.stderr:
            problems.append(messages.CHECK_MISSING.format(stream="stderr", text=text,
                                                          got=result.stderr.strip()[-500:]))
    if expectation.error_id:
        # An unauthenticated request has no principal: it is this command's too.
        seen = [r.error_id for r in state.audit.records()
                if r.principal in (expectation.principal, "")]
        if expectation.error_id not in seen:
            problems.append(messages.CHECK_ERROR_ID.format(want=expectation.error_id,
                                                           got=", ".join(filter(None, seen))
                                                           or "none"))
    return Outcome(scenario.name, expectation, tuple(problems))


def _replace_server_path(kubeconfig: Path, server: str) -> None:
    config = yaml.safe_load(kubeconfig.read_text())
    config["clusters"][0]["cluster"]["server"] = server
    kubeconfig.write_text(yaml.safe_dump(config))


def _run(kubectl: Path, argv: tuple[str, ...], kubeconfig: Path,
         env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(kubectl), *argv[1:]], capture_output=True, text=True,
                          env={**env, "KUBECONFIG": str(kubeconfig)}, timeout=RUN_TIMEOUT,
                          stdin=subprocess.DEVNULL)
