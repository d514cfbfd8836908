"""Front door 1: ``connect-gateway-emulator serve | kubeconfig | env | scenarios | apiserver |
agent-rbac``. Argument parsing and wiring only.

Every failure a user can cause (bad flag, unreadable scenario, port in use, no running emulator)
is one line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import logging
import os
import signal
import sys
import threading
from pathlib import Path
from typing import NoReturn

import yaml

from emulator import __version__, gcloud_env, limits, messages, process_memory, statedir
from emulator.agent import gateway_rbac
from emulator.cluster.backend import ClusterUnreachable
from emulator.cluster.remote.backend import RemoteCluster
from emulator.clients import find_kubectl
from emulator.control.client import ControlClient, ControlError, ControlUnreachable
from emulator.iam.policy import IamMode
from emulator.kubeconfig import GatewayCluster, context_name, gateway_kubeconfig
from emulator.loopback import is_loopback
from emulator.runner import serve_emulator, start_proxy
from emulator.scenario import check as scenario_check
from emulator.scenario import loader
from emulator.scenario.model import TRACKS, AgentCredentialsName, RemoteSpec
from emulator.standalone import server as standalone
from emulator.standalone.server import StandaloneApiserver
from emulator.state import EmulatorState, skipped_seeds

USAGE_ERROR = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One line, not argparse's usage block: the contract is "one-line error, exit 2".
        self.exit(USAGE_ERROR, f"error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="connect-gateway-emulator",
                     description="An offline emulator of GKE Connect Gateway.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    serve = commands.add_parser("serve", help="serve the gateway over HTTPS")
    serve.add_argument("--scenario", default="quickstart",
                       help="built-in scenario name or path to a YAML file (default: quickstart)")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8443, help="port (default: 8443; 0 picks one)")
    serve.add_argument("--proxy-port", type=int, default=None, metavar="PORT",
                       help="port on 127.0.0.1 of the real-host proxy for *.googleapis.com "
                            "(`env --real-hosts`; default: one above --port, so 8444, and a free "
                            "one when --port is 0; -1: no proxy)")
    serve.add_argument("--state-dir", type=Path, default=None,
                       help="where to publish url, proxy, ca.pem and world.json (default: "
                            f"{statedir.default_dir()})")
    serve.add_argument("--allow-remote", action="store_true",
                       help="allow --host to be a non-loopback address")
    serve.add_argument("--iam-mode", choices=[m.value for m in IamMode], default=IamMode.ENFORCE,
                       help="enforce (default): refuse what IAM denies; log-only: record the "
                            "decision but allow; off: no IAM checks")
    serve.add_argument("--active-streams-quota", type=int, default=None, metavar="N",
                       help="concurrent streams per fleet host project (default: the scenario's, "
                            "10 unless it says otherwise)")
    serve.add_argument("--stream-timeout", type=float, default=None, metavar="SECONDS",
                       help="cut every stream session after SECONDS (default: the scenario's, or "
                            "a limit drawn between 5 and 10 minutes per session)")
    serve.add_argument("--quiet", action="store_true",
                       help="do not print the one-line audit record of each request")
    serve.add_argument("--cluster", action="append", default=[], metavar="MEMBERSHIP=KUBECONFIG[:CONTEXT]",
                       help="put a real apiserver (kind, k3d, GKE, `apiserver`) behind MEMBERSHIP "
                            "instead of the embedded mock; repeatable")
    serve.add_argument("--agent-credentials", choices=("kubeconfig", "service-account"),
                       default="kubeconfig",
                       help="how the agent authenticates to --cluster apiservers: the "
                            "kubeconfig's own credentials (default), or a TokenRequest token for "
                            "gke-connect/connect-agent-sa (apply `agent-rbac` first)")

    apiserver = commands.add_parser(
        "apiserver", help="serve one membership's mock cluster on its own, like a real apiserver")
    apiserver.add_argument("--scenario", default="quickstart")
    apiserver.add_argument("--membership", default=None,
                           help="whose cluster to serve (default: the scenario's first)")
    apiserver.add_argument("--host", default="127.0.0.1")
    apiserver.add_argument("--port", type=int, default=6443, help="port (default: 6443; 0 picks one)")
    apiserver.add_argument("--state-dir", type=Path, default=None,
                           help="where to write kubeconfig, audit.log and tls/ (default: "
                                f"{statedir.default_dir() / 'apiserver'})")
    apiserver.add_argument("--allow-remote", action="store_true")
    apiserver.add_argument("--quiet", action="store_true",
                           help="do not print an audit line per request")

    rbac = commands.add_parser(
        "agent-rbac", help="print the RBAC YAML a real cluster needs for the emulator's agent")
    rbac.add_argument("--users", default="", help="comma-separated Google users to impersonate")
    rbac.add_argument("--groups", default="", help="comma-separated Google groups to impersonate")
    rbac.add_argument("--role", default=None, metavar="clusterrole/NAME|role/NAMESPACE/NAME",
                      help="what the users and groups may do (default: grant nothing more)")
    rbac.add_argument("--project", default="my-project", help="fleet host project ID (names only)")
    rbac.add_argument("--membership", default="my-cluster", help="membership name (names only)")

    kubeconfig = commands.add_parser("kubeconfig", help="write a gateway kubeconfig for a principal")
    kubeconfig.add_argument("membership")
    kubeconfig.add_argument("--as", dest="principal", required=True, metavar="EMAIL")
    kubeconfig.add_argument("--track", choices=TRACKS, default="v1")
    kubeconfig.add_argument("--namespace", default=None)
    kubeconfig.add_argument("--state-dir", type=Path, default=None)
    kubeconfig.add_argument("--output", type=Path, default=None, help="file to write (default: stdout)")
    env = commands.add_parser("env", help="print the environment that points gcloud and kubectl "
                                            "at the running emulator")
    env.add_argument("--as", dest="principal", default=None, metavar="EMAIL",
                     help="the principal whose token gcloud uses (default: the first one)")
    env.add_argument("--impersonate", default=None, metavar="SA",
                     help="service account gcloud impersonates (auth/impersonate_service_account)")
    env.add_argument("--format", choices=("shell", "dotenv", "json"), default="shell")
    env.add_argument("--real-hosts", action="store_true",
                     help="use Google's own host names through the emulator's proxy instead of "
                          "endpoint overrides (HTTPS_PROXY: every HTTPS client in the shell goes "
                          "through it, and it refuses all but *.googleapis.com)")
    env.add_argument("--state-dir", type=Path, default=None)
    scenarios = commands.add_parser("scenarios", help="list, show or check the built-in scenarios")
    scenario_commands = scenarios.add_subparsers(dest="scenarios_command", required=True,
                                                 parser_class=_Parser)
    scenario_commands.add_parser("list", help="name and description of each built-in scenario")
    show = scenario_commands.add_parser("show", help="print a scenario file")
    show.add_argument("name")
    check = scenario_commands.add_parser(
        "check", help="run scenarios' expectations with the real kubectl against a fresh emulator")
    check.add_argument("names", nargs="*", help="scenario names or paths (default: all built-in)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "serve":
            return serve(args)
        if args.command == "env":
            return print_env(args)
        if args.command == "scenarios":
            return scenarios(args)
        if args.command == "apiserver":
            return serve_apiserver(args)
        if args.command == "agent-rbac":
            return print_agent_rbac(args)
        return write_kubeconfig(args)
    except _Failure as failure:
        print(failure, file=sys.stderr)
        return USAGE_ERROR


class _Failure(Exception):
    pass


def _stop_on_signal() -> threading.Event:
    """Set by Ctrl-C or SIGTERM: a serving command then stops its server and returns 0."""
    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    return stopping


def _check_bind(args: argparse.Namespace) -> None:
    """``--host`` and ``--port`` of a serving command: loopback unless asked, a real port."""
    if not is_loopback(args.host) and not args.allow_remote:
        raise _Failure(messages.CLI_NON_LOOPBACK.format(host=args.host))
    if not 0 <= args.port <= 65535:
        raise _Failure(messages.CLI_BAD_PORT.format(port=args.port))


def serve(args: argparse.Namespace) -> int:
    _check_bind(args)
    process_memory.return_large_blocks()
    if args.active_streams_quota is not None and not limits.active_streams_ok(
            args.active_streams_quota):
        raise _Failure(messages.CLI_BAD_NUMBER.format(flag="--active-streams-quota",
                                                      value=args.active_streams_quota))
    if args.stream_timeout is not None and not limits.stream_timeout_ok(args.stream_timeout):
        raise _Failure(messages.CLI_BAD_NUMBER.format(flag="--stream-timeout",
                                                      value=args.stream_timeout))
    clusters = dict(_cluster_flag(text, args.agent_credentials) for text in args.cluster)
    try:
        scenario = loader.load(args.scenario)
        state = EmulatorState(scenario, iam_mode=IamMode(args.iam_mode),
                              active_streams=args.active_streams_quota,
                              stream_timeout=args.stream_timeout, clusters=clusters)
    except loader.ScenarioError as err:
        raise _Failure(messages.CLI_SCENARIO_ERROR.format(detail=err)) from None
    directory = args.state_dir or statedir.default_dir()
    proxy_port = _proxy_port(args)
    try:
        server = serve_emulator(state, args.host, args.port, cert_dir=directory / "tls")
    except OSError as err:
        raise _Failure(messages.CLI_PORT_IN_USE.format(
            host=args.host, port=args.port, reason=err.strerror or err)) from None
    proxy_busy = ""
    if proxy_port is not None:
        try:
            start_proxy(server, proxy_port)
        except OSError as err:
            if args.proxy_port is not None:  # asked for by name: that port or nothing
                server.stop()
                raise _Failure(messages.CLI_PROXY_PORT_IN_USE.format(
                    port=proxy_port, reason=err.strerror or err)) from None
            # The default port is taken: the emulator still serves, without the proxy only
            # `env --real-hosts` needs (which then says so).
            proxy_busy = messages.CLI_PROXY_PORT_BUSY.format(port=proxy_port,
                                                             reason=err.strerror or err)
    stopping = _stop_on_signal()
    statedir.publish(directory, server.url, server.ca_pem, scenario,
                     server.proxy.url if server.proxy else None)
    print(messages.CLI_SERVING.format(url=server.url, scenario=scenario.name, state_dir=directory),
          flush=True)
    print(messages.CLI_IAM_MODE.format(mode=state.iam_mode.value), flush=True)
    if server.proxy is not None:
        print(messages.CLI_PROXY.format(address=server.proxy.address), flush=True)
    elif proxy_busy:
        print(proxy_busy, flush=True)
    elif proxy_port is not None:
        print(messages.CLI_PROXY_NOT_STARTED.format(host=args.host), flush=True)
    _print_remote_clusters(state)
    if not args.quiet:
        _print_audit_lines()
    print(messages.CLI_NEXT_HINT.format(state_dir=directory), flush=True)
    try:
        stopping.wait()
    finally:
        statedir.withdraw(directory)
        server.stop()
    return 0


def _proxy_port(args: argparse.Namespace) -> int | None:
    """The real-host proxy's port, or None for no proxy. By default one above --port: a fixed
    port like the emulator's own, so a shell that exported `env --real-hosts` keeps working
    across restarts; with --port 0 (tests, parallel runs) a free one, never a clash."""
    if args.proxy_port is None:
        return args.port + 1 if 0 < args.port < 65535 else 0
    if args.proxy_port == -1:
        return None
    if not 0 <= args.proxy_port <= 65535:
        raise _Failure(messages.CLI_BAD_PROXY_PORT.format(port=args.proxy_port))
    return args.proxy_port


def _cluster_flag(text: str, agent_credentials: AgentCredentialsName) -> tuple[str, RemoteSpec]:
    try:
        return RemoteSpec.from_flag(text, agent_credentials)
    except ValueError:
        raise _Failure(messages.CLI_BAD_CLUSTER_FLAG.format(flag="--cluster", value=text)) from None


def _print_remote_clusters(state: EmulatorState) -> None:
    for membership in state.world.memberships.values():
        remote = membership.remote
        if remote is None:
            continue
        print(messages.CLI_REMOTE_CLUSTER.format(
            membership=membership.spec.name, server=remote.upstream.server,
            context=remote.upstream.context or "-", identity=remote.identity()), flush=True)
        print(asyncio.run(_probe(membership.spec.name, remote)), flush=True)
        if skipped_seeds(state.scenario, membership.spec):
            print(messages.CLI_REMOTE_SEEDS_SKIPPED.format(membership=membership.spec.name),
                  flush=True)


async def _probe(membership: str, remote: RemoteCluster) -> str:
    """One line on whether the apiserver answers the agent now. Only a hint: the gateway serves
    either way, and each request tries the apiserver again."""
    try:
        status, detail = await remote.probe()
    except ClusterUnreachable as unreachable:
        return messages.CLI_REMOTE_UNREACHABLE.format(membership=membership,
                                                      cause=unreachable.cause)
    finally:
        await remote.aclose()  # this loop ends here; the server's loop makes its own client
    if status == 200:
        return messages.CLI_REMOTE_REACHABLE.format(membership=membership, version=detail)
    return messages.CLI_REMOTE_REFUSED.format(membership=membership, status=status, detail=detail)


def serve_apiserver(args: argparse.Namespace) -> int:
    _check_bind(args)
    process_memory.return_large_blocks()
    directory = args.state_dir or statedir.default_dir() / "apiserver"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        apiserver = StandaloneApiserver(loader.load(args.scenario), args.membership,
                                        audit_path=directory / standalone.AUDIT_FILE)
    except loader.ScenarioError as err:
        raise _Failure(messages.CLI_SCENARIO_ERROR.format(detail=err)) from None
    except OSError as err:
        raise _Failure(messages.CLI_CANNOT_WRITE.format(path=directory, reason=err.strerror)) from None
    try:
        server = standalone.serve_apiserver(apiserver, args.host, args.port, directory / "tls")
    except OSError as err:
        raise _Failure(messages.CLI_PORT_IN_USE.format(
            host=args.host, port=args.port, reason=err.strerror or err)) from None
    stopping = _stop_on_signal()
    kubeconfig = directory / standalone.KUBECONFIG_FILE
    # It holds the admin token; whoever waits for it never reads half of it.
    statedir.write_whole(kubeconfig, yaml.safe_dump(apiserver.kubeconfig(
        server.url, server.ca_pem), sort_keys=False).encode(), private=True)
    print(messages.CLI_APISERVER_SERVING.format(
        url=server.url, membership=apiserver.spec.name, scenario=apiserver.scenario.name,
        version=apiserver.spec.kubernetes_version), flush=True)
    print(messages.CLI_APISERVER_FILES.format(kubeconfig=kubeconfig,
                                             audit=directory / standalone.AUDIT_FILE), flush=True)
    if not args.quiet:
        _print_log_lines("emulator.standalone.audit")
    try:
        stopping.wait()
    finally:
        server.stop()
        apiserver.audit.close()
    return 0


def print_agent_rbac(args: argparse.Namespace) -> int:
    def listed(text: str) -> tuple[str, ...]:
        return tuple(item.strip() for item in text.split(",") if item.strip())

    try:
        role = gateway_rbac.parse_role(args.role) if args.role else None
        text = gateway_rbac.render(gateway_rbac.RbacRequest(
            args.project, args.membership, listed(args.users), listed(args.groups), role))
    except gateway_rbac.InvalidRbacRequest as err:
        raise _Failure(messages.CLI_SCENARIO_ERROR.format(detail=err)) from None
    sys.stdout.write(text)
    return 0


def scenarios(args: argparse.Namespace) -> int:
    try:
        if args.scenarios_command == "list":
            for name in loader.builtin_names():
                description = loader.load(name).description.split(". ")[0]
                print(f"{name:24} {description}")
            return 0
        if args.scenarios_command == "show":
            sys.stdout.write(loader.resolve(args.name).read_text(encoding="utf-8"))
            return 0
        kubectl = find_kubectl()
        if kubectl is None:
            raise _Failure(messages.CHECK_NO_KUBECTL)
        outcomes = []
        for name in args.names or loader.builtin_names():
            scenario = loader.load(name)
            if not scenario.expectations:
                print(messages.CHECK_NOTHING.format(scenario=scenario.name))
            for outcome in scenario_check.check(scenario, kubectl):
                print(outcome.line(), flush=True)
                outcomes.append(outcome)
    except (loader.ScenarioError, OSError) as err:
        raise _Failure(messages.CLI_SCENARIO_ERROR.format(detail=err)) from None
    failed = sum(not o.passed for o in outcomes)
    print(messages.CHECK_SUMMARY.format(passed=len(outcomes) - failed, failed=failed))
    return 1 if failed else 0


def print_env(args: argparse.Namespace) -> int:
    directory = args.state_dir or statedir.default_dir()
    running = _running(directory)
    principals = running.world["principals"]
    email = args.principal or (principals[0]["email"] if principals else "")
    principal = _principal(running, email)
    if args.impersonate:
        _principal(running, args.impersonate)  # must be a principal of the scenario
    if args.real_hosts and running.proxy is None:
        raise _Failure(messages.CLI_NO_PROXY.format(state_dir=directory))
    values = gcloud_env.environment(directory, running, email, principal["token"],
                                    args.impersonate, dict(os.environ), args.real_hosts)
    sys.stdout.write(gcloud_env.render(values, args.format))
    return 0


def _running(directory: Path) -> statedir.RunningEmulator:
    """The emulator serving from ``directory``, with its world as it is now: a scenario loaded
    or a principal added through the control API since ``serve`` started counts. world.json,
    written at start, stands in when the control API does not answer this client."""
    running = statedir.read(directory)
    if running is None:
        raise _Failure(messages.CLI_NOT_RUNNING.format(state_dir=directory))
    try:
        world = ControlClient(running.url, running.ca_pem, timeout=5).world(tokens=True)
    except ControlUnreachable as unreachable:
        # The files outlived their server (kill -9, a crash, a reboot): a kubeconfig written
        # now would only lead kubectl to "connection refused".
        raise _Failure(messages.CLI_NOT_ANSWERING.format(
            url=running.url, state_dir=directory, reason=unreachable.message)) from None
    except (ControlError, OSError, ValueError):  # it answered but refused; a ca.pem ssl refuses
        return running
    return dataclasses.replace(running, world=world)


def _principal(running: statedir.RunningEmulator, email: str) -> dict[str, str]:
    principals = running.world["principals"]
    principal = next((p for p in principals if p["email"] == email), None)
    if principal is None:
        raise _Failure(messages.CLI_UNKNOWN_PRINCIPAL.format(
            email=email, known=", ".join(p["email"] for p in principals)))
    if not principal["token"]:
        raise _Failure(messages.CLI_NO_TOKEN.format(email=email))
    return principal


def write_kubeconfig(args: argparse.Namespace) -> int:
    directory = args.state_dir or statedir.default_dir()
    running = _running(directory)
    world = running.world
    membership = next((m for m in world["memberships"] if m["name"] == args.membership), None)
    if membership is None:
        raise _Failure(messages.CLI_UNKNOWN_MEMBERSHIP.format(
            name=args.membership, known=", ".join(m["name"] for m in world["memberships"])))
    principal = _principal(running, args.principal)
    cluster = GatewayCluster(world["project"]["id"], world["project"]["number"],
                             membership["location"], membership["collection"], membership["name"])
    config = gateway_kubeconfig(running.url, running.ca_pem, cluster, args.track,
                                {"token": principal["token"]}, args.namespace)
    text = yaml.safe_dump(config, sort_keys=False)
    if args.output is None:
        sys.stdout.write(text)
        return 0
    try:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.touch(mode=0o600)
        args.output.write_text(text)
    except OSError as err:
        raise _Failure(messages.CLI_CANNOT_WRITE.format(path=args.output, reason=err.strerror)) from None
    print(messages.CLI_WROTE_KUBECONFIG.format(path=args.output,
                                               context=context_name(cluster, args.namespace)))
    return 0


def _print_audit_lines() -> None:
    _print_log_lines("emulator.audit")


def _print_log_lines(logger: str) -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(message)s"))
    audit_log = logging.getLogger(logger)
    audit_log.addHandler(handler)
    audit_log.setLevel(logging.INFO)
    audit_log.propagate = False


