"""The embedded mock Kubernetes apiserver: one per cluster, in memory, speaking the real wire format.

A request goes through the same steps as in kube-apiserver: authenticate the bearer token, apply
impersonation, authorize, then serve discovery, OpenAPI or a resource verb. Every failure is a
``kind: Status`` with the code and text a real apiserver uses.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import yaml

from emulator import limits, messages
from emulator.clock import Clock, rfc3339
from emulator.cluster.backend import ClusterDecision, ClusterRequest, ClusterResponse
from emulator.cluster.mock import actions, managers, paths, query
from emulator.cluster.mock.auth import rbac, reviews, tokens
from emulator.cluster.mock.auth.authorizer import Attributes, Authorizer
from emulator.cluster.mock.auth.identity import (
    ImpersonationDenied,
    TokenAuthenticator,
    UserInfo,
    impersonated,
)
from emulator.cluster.mock.auth.rbac import RbacAuthorizer
from emulator.cluster.mock.controllers import areas as controller_areas
from emulator.cluster.mock.controllers import rootca
from emulator.cluster.mock.controllers.context import Context
from emulator.cluster.mock.controllers.manager import ControllerManager
from emulator.cluster.mock.controllers.settings import ControllerSettings
from emulator.cluster.mock.image import ClusterImage, per_container
from emulator.cluster.mock.node import container, envvars, mounts, streams
from emulator.cluster.mock.node.attach import attach_main_process
from emulator.cluster.mock.node.kubelet import (admit_pod, main_process, node_name, pending_pod,
                                                start_ephemeral_containers)
from emulator.cluster.mock.node.podlogs import PodLogs
from emulator.cluster.mock.node.streams import ChannelSession
from emulator.cluster.mock.registry import (conversion, ephemeral, fieldvalidation, ipaddresses,
                                            patch, scale, selectors, serviceallocation)
from emulator.cluster.mock.registry.crds import Crds
from emulator.cluster.mock.registry.jsoncopy import clone
from emulator.cluster.mock.registry.objects import Objects, check_resource_version
from emulator.cluster.mock.registry.resources import Registry, ResourceType
from emulator.cluster.mock.registry.store import ObjectStore, WatchEvent
from emulator.cluster.mock.seed import boot_objects
from emulator.cluster.mock.wire import (discovery, gojson, lists, openapi, openapi_v2, protobuf,
                                       tables)
from emulator.cluster.mock.wire.status import KubeError, method_not_allowed, path_not_found
from emulator.cluster.mock.wire.watch import open_stream

log = logging.getLogger(__name__)

JSON = "application/json"
DECISIONS_KEPT = limits.CLUSTER_DECISIONS_KEPT  # per cluster, for the gateway's audit trail
SERVED_SUBRESOURCES = ("status", "log", "token", "scale", "ephemeralcontainers", *actions.ACTIONS)
# Verbs whose body kube-apiserver never reads, so never measures.
_BODILESS_VERBS = ("get", "list", "watch")
# The YAML parser for bodies: libyaml where PyYAML has it, some twenty times faster than PyYAML's
# own parser, which matters for a body of up to 3 MiB.
_YAML_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
STREAMED_SUBRESOURCES = ("exec", "attach", "portforward")
# The first minor that asks "create" as well as "get" of a stream's WebSocket upgrade.
WEBSOCKET_CREATE_MINOR = 35


@dataclass
class _Trail:
    """One request's authentication, impersonation and authorization, as it happens."""

    audit_id: str
    user: str = ""
    impersonated_by: str = ""
    stage: str = "authentication"
    allowed: bool = False
    reason: str = ""

    def decision(self) -> ClusterDecision:
        return ClusterDecision(self.audit_id, self.user, self.impersonated_by, self.stage,
                               self.allowed, self.reason)


class MockApiserver:
    """Implements ``ClusterBackend`` for one in-memory cluster."""

    def __init__(self, name: str, kubernetes_version: str, clock: Clock,
                 authorizer: Authorizer | None = None, registry: Registry | None = None,
                 settings: ControllerSettings | None = None,
                 image: ClusterImage | None = None) -> None:
        """``image``: start as the cluster it was taken from was (``MockApiserver.image``), with
        the same name, version and settings, instead of from the boot objects."""
        self.name = name
        self._version = kubernetes_version
        self.clock = clock
        self.registry = registry or Registry.for_version(kubernetes_version)
        self.authenticator = TokenAuthenticator(now=clock.now)
        self.store = ObjectStore()
        self.authorizer: Authorizer = authorizer or RbacAuthorizer(self.store)
        self._decisions: OrderedDict[str, ClusterDecision] = OrderedDict()
        # Fake container sandboxes and what a scenario seeds into them, by (ns, pod, container).
        self._sandboxes: dict[tuple[str, str, str], container.Container] = {}
        self.pod_files: dict[tuple[str, str, str], dict[str, str | bytes]] = {}
        self.scripted: dict[tuple[str, str, str], dict[str, container.Scripted]] = {}
        self.logs = PodLogs(clock.now)
        self.objects = Objects(self.store, self.registry, clock.now, self._admit_pod,
                               self._allocate_service)
        self._pod_ips = 0
        self._service_cursors = serviceallocation.AllocationCursors()
        self._root_ca: bytes | None = None  # made on first need (see root_ca)
        self.crds = Crds(self.store, self.registry, clock.now)
        self.store.add_listener(self._on_change)
        # The clusterrole aggregation controller; off while the boot objects go in (see below).
        self._aggregating = False
        self.store.add_listener(
            lambda event: rbac.aggregate(self.store, event) if self._aggregating else None)
        # From 1.33 the service allocator keeps an IPAddress for each cluster IP.
        addresses = self.registry.lookup("networking.k8s.io", "v1", "ipaddresses")
        if addresses is not None:
            self.store.add_listener(lambda event: ipaddresses.sync(
                event, self.store, lambda obj: self.objects.create(
                    addresses, None, obj, query.Query(()), seeding=True, trusted=True)))
        self.settings = settings or ControllerSettings()
        # kube's controllers, scheduler and kubelet (controllers/): they see the boot objects too.
        self.controllers = ControllerManager(self.store, clock.now)
        self.controllers.enabled = self.settings.enabled
        # The garbage collector (controllers/) then orphans and cascades as kube's does.
        self.objects.collector_runs = self.settings.enabled
        context = Context(store=self.store, objects=self.objects, registry=self.registry,
                          manager=self.controllers, now=clock.now, settings=self.settings,
                          logs=self.logs, node=node_name(name), after_create=self._after_create,
                          sandbox=self.sandbox, pod_ip=self._next_pod_ip, root_ca=self.root_ca)
        for controller in controller_areas.build(context):
            self.controllers.register(controller)
        if image is not None:
            self._restore(image)
        else:
            group_versions = [(g, v) for g in ["", *self.registry.groups()]
                              for v in self.registry.group_versions(g)]
            for obj in boot_objects(name, kubernetes_version, group_versions):
                self.seed(obj, trusted=True)
            if self.registry.lookup("networking.k8s.io", "v1", "servicecidrs") is not None:
                self.seed(ipaddresses.service_cidr(rfc3339(clock.now())), trusted=True)
            # Aggregated once, when all the boot roles are in: per role it lists every other.
            with self.controllers.lock:
                rbac.aggregate_all(self.store)
                self.controllers.settle()
        self._aggregating = True

    @property
    def kubernetes_version(self) -> str:
        return self._version

    # -- seeding (bypasses authentication: the emulator itself, not a client) -------------------

    def seed(self, obj: dict[str, Any], *, trusted: bool = False) -> dict[str, Any]:
        """Store ``obj`` as the emulator (no client, no authentication). ``trusted``: one of the
        cluster's own boot objects, which skip field validation (see ``Objects.create``)."""
        resource = self.registry.by_kind(obj.get("apiVersion", ""), obj.get("kind", ""))
        if resource is None or resource.virtual:
            raise KubeError(400, messages.MOCK_SEED_UNKNOWN_KIND.format(
                api_version=obj.get("apiVersion"), kind=obj.get("kind")))
        namespace = obj.get("metadata", {}).get("namespace") if resource.namespaced else None
        with self.controllers.lock:
            created = self.objects.create(resource, namespace, obj, query.Query(()), seeding=True,
                                          trusted=trusted)
            self._after_create(resource, created)
            if resource.kind == "CustomResourceDefinition":
                self.crds.reconcile()
            self.controllers.settle()
        return created

    def root_ca(self) -> bytes:
        """The cluster's CA certificate (PEM), which kube-root-ca.crt publishes: the standalone
        apiserver's serving CA once it serves (``publish_root_ca``), else one of the cluster's
        own, made on first need."""
        if self._root_ca is None:
            from emulator import tls  # cryptography: only once a namespace is published
            self._root_ca = tls.certificate_authority("kubernetes")
        return self._root_ca

    def publish_root_ca(self, ca_pem: bytes) -> None:
        """Make ``ca_pem`` the cluster's CA: every namespace's kube-root-ca.crt takes it."""
        with self.controllers.lock:
            self._root_ca = ca_pem
            for namespace in self.store.list(("", "namespaces"), None)[0]:
                self.controllers.enqueue(rootca.NAME, namespace["metadata"]["name"])
            self.controllers.settle()

    def image(self) -> ClusterImage | None:
        """What a copy of this cluster would start from; None while something of it is in motion
        outside the store (a timer, a container process, a sandbox), which a copy could not
        carry over."""
        with self.controllers.lock:
            if not self.controllers.idle or self._sandboxes:
                return None
            logs = PodLogs(self.clock.now)
            logs.copy_from(self.logs)
            return ClusterImage(self.store.snapshot(), logs, dict(self.authenticator.tokens),
                                dict(self.authenticator.expiries), per_container(self.pod_files),
                                per_container(self.scripted), self._pod_ips,
                                dataclasses.replace(self._service_cursors),
                                self._root_ca)

    def _restore(self, image: ClusterImage) -> None:
        self.store.restore(image.store)
        self.logs.copy_from(image.logs)
        self.authenticator.tokens.update(image.tokens)
        self.authenticator.expiries.update(image.expiries)
        self.pod_files = per_container(image.pod_files)
        self.scripted = per_container(image.scripted)
        self._pod_ips = image.pod_ips
        self._service_cursors = dataclasses.replace(image.service_cursors)
        self._root_ca = image.root_ca  # the published ConfigMaps' CA: nothing to rewrite
        with self.controllers.lock:
            self.crds.reconcile()  # the custom resources the stored CRDs serve
            # The controllers (and the garbage collector's graph) learn the objects; a settled
            # image gives them nothing to write.
            self.store.replay()
            self.controllers.settle()

    def close(self) -> None:
        """Stop the cluster's controller runtime (timers, container processes): the world that
        held this cluster was replaced or stopped."""
        self.controllers.close()

    # -- the ClusterBackend entry point -----------------------------------------------------------

    async def handle(self, request: ClusterRequest) -> ClusterResponse:
        answer = await self._guarded(request, lambda user, trail: self._dispatch(
            request, user, trail))
        assert isinstance(answer, ClusterResponse)
        return answer

    async def open_stream(self, request: ClusterRequest,
                          subprotocols: list[str]) -> ChannelSession | ClusterResponse:
        return await self._guarded(request, lambda user, trail: self._stream(
            request, user, trail, subprotocols))

    async def _guarded(self, request: ClusterRequest, action: Callable[
            [UserInfo, _Trail], Awaitable[ClusterResponse | ChannelSession]]
            ) -> ClusterResponse | ChannelSession:
        """Authenticate, impersonate, run ``action``, and keep the decision for the audit."""
        trail = _Trail(str(uuid.uuid4()))
        answer: ClusterResponse | ChannelSession
        try:
            caller = self.authenticator.authenticate(request)
            trail.user, trail.stage = caller.name, "impersonation"
            user = impersonated(caller, request, self.authorizer)
            if user is not caller:
                trail.user, trail.impersonated_by = user.name, caller.name
            trail.stage = "authorization"
            # One writer at a time: the controllers' runtime thread also writes (controllers/).
            with self.controllers.lock:
                answer = await action(user, trail)
                # What kube's controllers make of the request, before its answer goes.
                self.controllers.settle()
        except ImpersonationDenied as err:
            trail.allowed, trail.reason = False, f"{err.message} ({err.explanation})"
            answer = _json(err.code, err.status())
        except KubeError as err:
            if not trail.reason:
                trail.allowed, trail.reason = False, err.message
            answer = _json(err.code, err.status())
        except Exception:  # a bug in the mock: say so as a Status, never as a traceback
            log.exception("mock apiserver failed on %s %s", request.method, request.path)
            answer = _json(500, KubeError(500, messages.MOCK_INTERNAL_ERROR).status())
        self._decisions[trail.audit_id] = trail.decision()
        while len(self._decisions) > DECISIONS_KEPT:
            self._decisions.popitem(last=False)
        # kube-apiserver answers every request with its audit ID; so does the mock.
        if isinstance(answer, ClusterResponse):
            answer.headers.append(("audit-id", trail.audit_id))
        else:
            answer.audit_id = trail.audit_id
        return answer

    def decision(self, audit_id: str) -> ClusterDecision | None:
        return self._decisions.get(audit_id)

    async def _dispatch(self, request: ClusterRequest, user: UserInfo,
                        trail: _Trail) -> ClusterResponse:
        accept = request.header("accept") or ""
        if not (request.path == "/openapi/v2" and openapi_v2.wants_protobuf(accept)):
            _check_acceptable(accept)
        target = paths.parse(request.path, self.registry)
        if isinstance(target, paths.NonResourcePath):
            self._authorize(user, Attributes(verb=request.method.lower(), path=target.path,
                                             resource_request=False), trail)
            return self._non_resource(request, target.path)
        verb = _verb(request.method, target)
        if verb == "list" and query.Query(tuple(request.query)).flag("watch"):
            verb = "watch"
        self._authorize(user, Attributes(
            verb=verb, resource=target.resource.plural, subresource=target.subresource or "",
            name=target.name or "", namespace=target.namespace or "",
            api_group=target.resource.group), trail)
        answer = await self._resource(request, target, verb, user)
        if target.resource.kind == "CustomResourceDefinition" and verb not in _BODILESS_VERBS:
            self.crds.reconcile()  # kube's CRD controllers, at once (registry/crds.py)
        return answer

    async def _stream(self, request: ClusterRequest, user: UserInfo, trail: _Trail,
                      subprotocols: list[str]) -> ClusterResponse | ChannelSession:
        target = paths.parse(request.path, self.registry)
        if (isinstance(target, paths.NonResourcePath) or target.resource.kind != "Pod"
                or target.subresource not in STREAMED_SUBRESOURCES or target.name is None):
            raise KubeError(400, messages.K8S_UPGRADE_REQUIRED)
        # A WebSocket upgrade is a GET, authorized as "get". From 1.35 kube also asks "create" of
        # it (AuthorizePodWebsocketUpgradeCreatePermission, beta and on by default), as it always
        # did of SPDY's POST: a role granting only "get" no longer opens a stream.
        verbs = ("get", "create") if self.registry.minor >= WEBSOCKET_CREATE_MINOR else ("get",)
        for verb in verbs:
            self._authorize(user, Attributes(
                verb=verb, resource="pods", subresource=target.subresource, name=target.name,
                namespace=target.namespace or ""), trail)
        if target.subresource == "portforward":
            raise KubeError(400, messages.K8S_PORT_FORWARD_UNSUPPORTED)
        query.checked(request.query, "exec")
        pod = self.objects.get(target.resource, target.namespace, target.name)
        phase = pod.get("status", {}).get("phase", "")
        if phase != "Running":
            raise KubeError(400, messages.K8S_POD_NOT_RUNNING.format(pod=target.name, phase=phase))
        attach = target.subresource == "attach"
        options = streams.options_from(request.query, pod, attach=attach)
        protocol = streams.negotiate(subprotocols, self.registry.minor)
        if protocol is None:
            # What the kubelet's (and kube-apiserver's) WebSocket server answers when no offered
            # subprotocol is acceptable: 403 with an empty body. RBAC did allow the request.
            log.info(messages.MOCK_NO_SUBPROTOCOL.format(
                offered=", ".join(subprotocols) or "none", version=self._version))
            return ClusterResponse(403, [("content-type", "text/plain")], b"")
        sandbox = self.sandbox(target.namespace or "", target.name, options.container)
        namespace, pod_name = target.namespace or "", target.name
        # Attaching to an ephemeral container (kubectl debug -it) reaches its command's process.
        main = main_process(pod, options.container) if attach else None

        async def process(io: streams.ChannelIO) -> int:
            if attach and main is None:
                return await attach_main_process(self.logs, namespace, pod_name, options, io)
            if main is not None:  # the kubelet ends an attach with Success, whatever the code
                await container.execute(list(main), sandbox, io, tty=options.tty)
                return 0
            return await container.execute(list(options.command), sandbox, io, tty=options.tty)

        return streams.ChannelSession(protocol, options, process)

    def sandbox(self, namespace: str, pod: str, name: str) -> container.Container:
        """The pod's container sandbox: made on first use, kept while the pod lives."""
        key = (namespace, pod, name)
        if key not in self._sandboxes:
            spec = self.objects.get(self.registry.lookup("", "v1", "pods"), namespace, pod)
            container_spec = next(c for c in streams.container_specs(spec)
                                  if c.get("name") == name)
            read = self._pod_reader(namespace)
            mounted = mounts.mounts(spec, container_spec, read, self._token_issuer(spec))
            environment = envvars.environment(
                spec, container_spec, read, lambda ns: self.store.list(("", "services"), ns)[0])
            self._sandboxes[key] = container.Container.from_spec(
                pod, container_spec, files=self.pod_files.get(key),
                scripted=self.scripted.get(key), now=self.clock.now, mounted=mounted.files,
                mount_points=mounted.directories, env=environment)
        return self._sandboxes[key]

    def _pod_reader(self, namespace: str) -> mounts.Reader:
        """What the kubelet reads for a pod's volumes and env: its namespace's objects."""
        return lambda plural, name: self.store.get(("", plural), namespace, name)

    def _token_issuer(self, pod: dict[str, Any]) -> mounts.TokenIssuer:
        """A projected token for the pod's service account, as the kubelet asks TokenRequest:
        it authenticates to this cluster as that account until it expires."""
        namespace = pod["metadata"].get("namespace", "")
        account = (pod.get("spec") or {}).get("serviceAccountName") or "default"

        def issue(seconds: int, audiences: list[str]) -> str:
            # kube refuses a pod whose projection asks for less than ten minutes; the mock does
            # not validate pods, so such a token gets the minimum instead.
            body = {"spec": {"expirationSeconds": max(seconds, tokens.MIN_SECONDS),
                             "audiences": audiences or None}}
            return str(tokens.issue(self.authenticator, namespace, account, body,
                                    self.clock.now())["status"]["token"])
        return issue

    def _authorize(self, user: UserInfo, attrs: Attributes, trail: _Trail) -> None:
        decision = self.authorizer.authorize(user, attrs)
        trail.allowed, trail.reason = decision.allowed, decision.reason
        if decision.allowed:
            return
        # kube's responsewriters.Forbidden: the authorizer's sentence HTML-escaped (its
        # sanitizer), then apierrors.NewForbidden's subject and details (name, group, resource).
        safe = _html_escaped
        if not attrs.resource_request:
            raise KubeError(403, messages.K8S_FORBIDDEN_PATH.format(
                user=safe(user.name), verb=safe(attrs.verb), path=safe(attrs.path)), details={})
        resource = f"{attrs.resource}/{attrs.subresource}" if attrs.subresource else attrs.resource
        subject = (f'{attrs.resource}.{attrs.api_group}' if attrs.api_group else attrs.resource)
        if attrs.name:
            subject = f'{subject} "{attrs.name}"'
        scope = (messages.K8S_SCOPE_NAMESPACE.format(namespace=safe(attrs.namespace))
                 if attrs.namespace else messages.K8S_SCOPE_CLUSTER)
        raise KubeError(403, messages.K8S_FORBIDDEN.format(
            subject=subject, user=safe(user.name), verb=safe(attrs.verb), resource=safe(resource),
            group=safe(attrs.api_group), scope=scope),
            details={"name": attrs.name, "group": attrs.api_group, "kind": attrs.resource})

    # -- non-resource paths ---------------------------------------------------------------------

    def _non_resource(self, request: ClusterRequest, path: str) -> ClusterResponse:
        if request.method not in ("GET", "HEAD"):
            raise method_not_allowed()
        accept = request.header("accept") or ""
        parts = [p for p in path.split("/") if p]
        if path == "/version":
            return _json(200, discovery.version_info(self._version))
        if path in ("/healthz", "/livez", "/readyz"):
            return ClusterResponse(200, [("content-type", "text/plain; charset=utf-8")], b"ok")
        if path == "/api":
            return _with_etag(request, *discovery.core_api(self.registry, accept))
        if path == "/apis":
            return _with_etag(request, *discovery.named_apis(self.registry, accept))
        if len(parts) == 2 and parts[0] == "api":
            return _json(200, discovery.resource_list(self.registry, "", parts[1]))
        if len(parts) == 2 and parts[0] == "apis":
            return _json(200, discovery.group(self.registry, parts[1]))
        if len(parts) == 3 and parts[0] == "apis":
            return _json(200, discovery.resource_list(self.registry, parts[1], parts[2]))
        if path == "/openapi/v2":
            if openapi_v2.wants_protobuf(accept):
                return ClusterResponse(200, [("content-type", openapi_v2.PROTOBUF)],
                                       openapi_v2.encode(self.registry, self._version))
            return ClusterResponse(200, [("content-type", JSON)],
                                   openapi_v2.document_bytes(self.registry, self._version))
        if path == "/openapi/v3":
            return _json(200, openapi.index(self.registry))
        if path.startswith("/openapi/v3/"):
            # Cached canonical JSON, served as it is: the documents run to hundreds of KiB.
            return ClusterResponse(200, [("content-type", JSON)], openapi.document_bytes(
                self.registry, path.removeprefix("/openapi/v3/")))
        raise path_not_found()

    # -- resource verbs -------------------------------------------------------------------------

    async def _resource(self, request: ClusterRequest, target: paths.ResourcePath, verb: str,
                        user: UserInfo) -> ClusterResponse:
        resource, ns, name, sub = target.resource, target.namespace, target.name, target.subresource
        if sub in STREAMED_SUBRESOURCES:
            # Reached without a WebSocket upgrade (plain GET, or a SPDY POST): kube's answer.
            raise KubeError(400, messages.K8S_UPGRADE_REQUIRED)
        if sub is not None and sub not in SERVED_SUBRESOURCES:
            raise KubeError(400, messages.K8S_SUBRESOURCE_UNSUPPORTED.format(
                resource=resource.plural, subresource=sub))
        if resource.namespaced and name is not None and ns is None:
            raise path_not_found()
        if verb not in _BODILESS_VERBS and len(request.body) > limits.KUBE_MAX_REQUEST_BODY_BYTES:
            # kube reads the body (limitedReadBody) before anything else the verb does.
            raise KubeError(413, messages.K8S_REQUEST_TOO_LARGE.format(
                limit=limits.KUBE_MAX_REQUEST_BODY_BYTES), reason="RequestEntityTooLarge")
        # A watch is a list with ?watch=true: it takes the list's parameters.
        q = query.checked(request.query, "log" if sub == "log" else
                          "list" if verb == "watch" else verb)
        if sub == "log":
            return self._logs(resource, ns, name or "", q)
        if sub == "scale":
            return self._scale(request, resource, ns, name or "", verb, q)
        if sub == "ephemeralcontainers":
            return self._ephemeral_containers(request, resource, ns, name or "", verb, q)
        if sub in actions.ACTIONS or resource.kind == "Binding":
            return self._action(request, resource, ns, name or "", sub, q)
        if sub == "token":
            body = self._typed(_decode_body(request), "TokenRequest", "authentication.k8s.io/v1")
            self.objects.get(resource, ns, name or "")  # the service account must exist
            return _json(201, tokens.issue(self.authenticator, ns or "", name or "", body,
                                           self.clock.now()))
        accept = request.header("accept") or ""
        as_table = _wants_table(accept)
        if verb == "watch":
            return self._watch(resource, ns, q, as_table)
        # kube prints a Table from its internal object: here, the object in its storage version.
        read_as = self.objects.storage(resource) if as_table else resource
        if verb == "list":
            # Written page by page from the stored JSON (wire/lists.py).
            page = self.objects.page(read_as, ns, q, asked=resource)
            return ClusterResponse(200, [("content-type", JSON)], lists.table_json(
                resource, page, now=self.clock.now(), minor=self.registry.minor,
                include_object=q.get("includeObject") or "Metadata") if as_table
                else lists.list_json(resource, page))
        if verb == "get":
            obj = self.objects.get(read_as, ns, name or "", asked=resource)
            if as_table:
                return _json(200, self._table(resource, [obj], obj["metadata"]["resourceVersion"],
                                              None, q))
            return _json(200, obj)
        if verb == "create":
            body = _decode_body(request)
            if resource.virtual:
                self._typed(body, resource.kind, resource.api_version)
                return _json(201, reviews.review(resource, body, user, self.authorizer, ns,
                                                 self.authenticator))
            warnings: list[str] = []
            created = self.objects.create(resource, ns, body, q, warnings=warnings,
                                          manager=managers.of(request, q))
            if not q.dry_run:
                self._after_create(resource, created)
            return _json(201, created, warnings)
        if verb == "update":
            warnings = []
            return _json(200, self.objects.update(resource, ns, name or "", _decode_body(request),
                                                  q, sub, warnings=warnings,
                                                  manager=managers.of(request, q)), warnings)
        if verb == "patch":
            content_type = request.header("content-type") or ""
            media = patch.require_supported(content_type, custom=resource.custom is not None)
            manager = managers.of(request, q)
            warnings = []
            if media == patch.APPLY_PATCH:
                force = managers.check_apply_options(q)
                obj, created_now = self.objects.apply(
                    resource, ns, name or "", _decode_body(request, media="application/yaml"), q,
                    sub, manager=q.get("fieldManager") or "", force=force, warnings=warnings)
                if created_now and not q.dry_run:
                    self._after_create(resource, obj)
                return _json(201 if created_now else 200, obj, warnings)
            managers.check_patch_options(q)
            return _json(200, self.objects.patch(resource, ns, name or "", request.body,
                                                 content_type, q, sub, warnings=warnings,
                                                 manager=manager), warnings)
        if verb == "delete":
            # kube reads DeleteOptions from the body, or from the query when there is no body
            # (endpoints/handlers/delete.go); dryRun counts from either, as it always has here.
            if request.body.strip():
                options = self._delete_options(_decode_body(request))
            else:
                orphan = q.get("orphanDependents")
                options = {"gracePeriodSeconds": q.int("gracePeriodSeconds"),
                           "propagationPolicy": q.get("propagationPolicy"),
                           "orphanDependents": None if orphan is None else orphan == "true"}
            deletion = self.objects.delete(resource, ns, name or "", options, q)
            # 202 only for a deletion still under way that asked, with the deprecated
            # orphanDependents=false, for its dependents to go (kube keeps 200 otherwise).
            accepted = not deletion.immediate and options.get("orphanDependents") is False
            return _json(202 if accepted else 200, deletion.body)
        if verb == "deletecollection":
            options = self._delete_options(_decode_body(request)) if request.body.strip() else {}
            items = self.objects.delete_collection(resource, ns, options, q)
            return _json(200, {"kind": resource.list_kind, "apiVersion": resource.api_version,
                               "metadata": {"resourceVersion": str(self.store.resource_version)},
                               "items": items})
        raise method_not_allowed()

    def _scale(self, request: ClusterRequest, resource: ResourceType, ns: str | None, name: str,
               verb: str, q: query.Query) -> ClusterResponse:
        """{workload}/scale: read as a Scale; a written Scale sets the workload's replicas."""
        current = self.objects.get(resource, ns, name)
        paths = resource.custom.scale if resource.custom is not None else None

        def as_scale(obj: dict[str, Any]) -> dict[str, Any]:
            return scale.as_scale(obj) if paths is None else scale.custom_scale(obj, paths)

        if verb == "get":
            return _json(200, as_scale(current))
        if verb == "update":
            wanted: dict[str, Any] = _decode_body(request)
        else:
            content_type = request.header("content-type") or ""
            sent = patch.decode_patch(request.body, content_type)
            wanted = patch.apply_patch(as_scale(current), sent, content_type, kind="Scale",
                                       api_version="autoscaling/v1", minor=self.registry.minor)
        replicas = scale.replicas_of(wanted, name, patched=verb == "patch")
        check_resource_version(resource, current, wanted)
        if paths is None:
            scaled = {**current, "spec": {**current.get("spec", {}), "replicas": replicas}}
        else:
            scaled = scale.with_custom_replicas(current, paths[0], replicas)
        updated = self.objects.update(resource, ns, name, scaled, q, "scale",
                                      manager=managers.of(request, q))
        return _json(200, as_scale(updated))

    def _ephemeral_containers(self, request: ClusterRequest, resource: ResourceType,
                              ns: str | None, name: str, verb: str,
                              q: query.Query) -> ClusterResponse:
        """pods/ephemeralcontainers: read as the pod; a write changes only its ephemeral
        containers (registry/ephemeral.py), which the fake kubelet then starts."""
        content_type = request.header("content-type") or ""
        if verb == "patch" and patch.require_supported(content_type) == patch.APPLY_PATCH:
            raise KubeError(415, messages.K8S_SERVER_SIDE_APPLY_UNSUPPORTED)
        current = self.objects.get(resource, ns, name)
        if verb == "get":
            return _json(200, current)
        if verb == "update":
            wanted = self._typed(_decode_body(request), "Pod", "v1")
        else:
            wanted = patch.apply_patch(
                current, patch.decode_patch(request.body, content_type), content_type,
                kind=resource.kind, api_version=resource.api_version, minor=self.registry.minor)
        check_resource_version(resource, current, wanted)  # before the strategy, as in kube
        warnings: list[str] = []
        updated = self.objects.update(resource, ns, name, ephemeral.prepared(
            current, wanted, self.registry.minor), q, "ephemeralcontainers", warnings=warnings)
        started = clone(updated)
        if not q.dry_run and start_ephemeral_containers(started, now=self.clock.now()):
            self.objects.update(resource, ns, name, started, query.Query(()), "status")
        return _json(200, updated, warnings)

    def _action(self, request: ClusterRequest, resource: ResourceType, ns: str | None,
                name: str, sub: str | None, q: query.Query) -> ClusterResponse:
        kind, api_version = _ACTION_BODIES["binding" if resource.kind == "Binding" else sub or ""]
        body = self._typed(_decode_body(request), kind, api_version)
        if resource.kind == "Binding":  # POST .../bindings names its pod in metadata.name
            name = (body.get("metadata") or {}).get("name") or ""
            sub = "binding"
        if sub == "eviction":
            return _json(201, actions.evict(self.objects, resource, ns or "", name, body, q))
        if sub == "binding":
            return _json(201, actions.bind(self.objects, self.registry, ns or "", name, body, q))
        if sub == "finalize":
            return _json(200, actions.finalize(self.objects, resource, name, body, q))
        return _json(200, actions.approve(self.objects, resource, name, body, q))

    def _typed(self, body: dict[str, Any], kind: str, api_version: str) -> dict[str, Any]:
        """A subresource's or review's body as kube decodes it first, into its own Go struct
        (the body's apiVersion, else ``api_version``): a value of the wrong type is its 400
        (godecode.py). Its unknown fields are not looked for."""
        sent = body.get("apiVersion")
        version = sent if isinstance(sent, str) and sent else api_version
        error = fieldvalidation.check(body, kind, api_version=version,
                                      minor=self.registry.minor).decode_error
        if error is not None:
            raise fieldvalidation.cannot_handle(kind, version.rsplit("/", 1)[-1], kind)(error)
        return body

    def _delete_options(self, body: dict[str, Any]) -> dict[str, Any]:
        """A DELETE's body as kube's delete handler decodes it, into meta/v1 DeleteOptions
        (whatever group it names): a value of the wrong type is Go's error as it stands. kube
        passes that error on unwrapped, so it answers a 500; the mock a 400."""
        error = fieldvalidation.check(body, "DeleteOptions", api_version="v1",
                                      minor=self.registry.minor).decode_error
        if error is not None:
            raise KubeError(400, error)
        return body

    def _table(self, resource: ResourceType, items: list[dict[str, Any]], rv: str,
               token: str | None, q: query.Query) -> dict[str, Any]:
        table = tables.to_table(resource, items, now=self.clock.now(), minor=self.registry.minor,
                                include_object=q.get("includeObject") or "Metadata",
                                resource_version=rv, continue_token=token)
        for row in table["rows"]:  # a whole object is embedded in the request's version
            if row.get("object", {}).get("kind") == resource.kind:
                row["object"] = conversion.convert(row["object"], resource.api_version)
        return table

    def _watch(self, resource: ResourceType, ns: str | None, q: query.Query,
               as_table: bool) -> ClusterResponse:
        if "watch" not in resource.verbs:
            raise KubeError(405, messages.K8S_WATCH_NOT_ALLOWED.format(resource=resource.plural))
        label = selectors.parse_label_selector(q.get("labelSelector") or "")
        field = selectors.parse_field_selector(
            q.get("fieldSelector") or "",
            resource.field_selectors, resource.field_reads)

        def render(obj: dict[str, Any], first: bool) -> dict[str, Any]:
            if not as_table:
                # The event's stored object is shared by every watch: a copy in this one's version.
                return conversion.convert({**obj}, resource.api_version)
            table = self._table(resource, [obj], obj["metadata"]["resourceVersion"], None, q)
            if not first:
                table["columnDefinitions"] = []  # kube sends the header once per watch
            return table

        stream = open_stream(self.store, resource.storage_key, ns,
                             resource_version=q.get("resourceVersion"),
                             timeout_seconds=q.int("timeoutSeconds"),
                             label=label, field=field, render=render,
                             api_version=None if as_table else resource.api_version)
        return ClusterResponse(200, [("content-type", JSON)], stream=stream)

    def _logs(self, resource: ResourceType, ns: str | None, name: str,
              q: query.Query) -> ClusterResponse:
        pod = self.objects.get(resource, ns, name)
        opts = self.logs.options(pod, q)
        headers = [("content-type", "text/plain")]
        if opts.follow:
            return ClusterResponse(200, headers, stream=self.logs.follow(ns or "", name, opts))
        return ClusterResponse(200, headers, self.logs.read(ns or "", name, opts))

    # -- the cluster's own controllers, reduced to what clients can observe ----------------------

    def _admit_pod(self, pod: dict[str, Any]) -> None:
        if self.controllers.enabled or (pod.get("spec") or {}).get("schedulingGates"):
            # Pending: the scheduler and the kubelet (controllers/) take it from there; no
            # scheduler takes a pod that still has scheduling gates.
            pending_pod(pod)
            return
        admit_pod(pod, node=node_name(self.name), now=self.clock.now(), pod_ip=self._next_pod_ip())

    def _next_pod_ip(self) -> str:
        self._pod_ips += 1
        return f"10.244.{self._pod_ips // 250}.{self._pod_ips % 250 + 2}"

    def _allocate_service(self, service: dict[str, Any], old: dict[str, Any] | None,
                          dry_run: bool) -> None:
        """kube's service allocator (serviceallocation.py), against what the other stored
        Services hold. A dry run takes its addresses from a copy of the cursors: the next real
        request gets the same ones, as kube's dry-run allocator keeps nothing."""
        meta = service.get("metadata") or {}
        me = (meta.get("namespace"), meta.get("name"))
        others = (other for other in self.store.list(("", "services"), None)[0]
                  if (other["metadata"].get("namespace"), other["metadata"]["name"]) != me)
        cursors = dataclasses.replace(self._service_cursors) if dry_run else self._service_cursors
        serviceallocation.allocate(service, old, serviceallocation.in_use(others), cursors,
                                   self.registry.minor)
        service.setdefault("status", {"loadBalancer": {}})

    def _after_create(self, resource: ResourceType, obj: dict[str, Any]) -> None:
        # The service-account controller gives every new namespace its "default" account.
        if resource.kind == "Namespace":
            ns = obj["metadata"]["name"]
            if self.store.get(("", "serviceaccounts"), ns, "default") is None:
                self.seed({"apiVersion": "v1", "kind": "ServiceAccount",
                           "metadata": {"name": "default", "namespace": ns}}, trusted=True)
        elif resource.kind == "Pod":
            self.logs.reopen_pod(obj["metadata"]["namespace"], obj["metadata"]["name"])

    def _on_change(self, event: WatchEvent) -> None:
        if event.resource == ("", "pods") and event.type == "DELETED":
            meta = event.object["metadata"]
            self.logs.forget_pod(meta.get("namespace", ""), meta["name"])
            for key in [k for k in self._sandboxes if k[:2] == (meta.get("namespace", ""),
                                                                 meta["name"])]:
                del self._sandboxes[key]


_METHOD_VERBS = {"GET": ("list", "get"), "HEAD": ("list", "get"), "POST": ("create", "create"),
                 "PUT": ("update", "update"), "PATCH": ("patch", "patch"),
                 "DELETE": ("deletecollection", "delete")}


def _verb(method: str, target: paths.ResourcePath) -> str:
    """The Kubernetes verb of a request, or 405 when the resource (or subresource) lacks it."""
    collection = target.name is None
    verbs = _METHOD_VERBS.get(method)
    if verbs is None:
        raise method_not_allowed()
    verb = verbs[0] if collection else verbs[1]
    if target.subresource is not None:
        sub = target.resource.subresource(target.subresource)
        allowed: tuple[str, ...] = sub.verbs if sub is not None else ()
    else:
        allowed = target.resource.verbs
        # POST creates only on a collection; PUT and PATCH act only on an item.
        if (verb == "create") != collection and verb in ("create", "update", "patch"):
            allowed = ()
    if verb not in allowed:
        raise method_not_allowed()
    return verb


def _html_escaped(text: str) -> str:
    """kube's Forbidden sanitizer: &, < and > as HTML entities."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _wants_table(accept: str) -> bool:
    for media in accept.split(","):
        params = {p.split("=", 1)[0].strip(): p.split("=", 1)[-1].strip()
                  for p in media.split(";")[1:]}
        if params.get("as") == "Table" and params.get("g") == "meta.k8s.io":
            return True
    return False


def _check_acceptable(accept: str) -> None:
    """The mock speaks JSON only; a client that accepts nothing else gets 406, not protobuf."""
    if not accept.strip():
        return
    for media in accept.split(","):
        kind = media.split(";")[0].strip().lower()
        if kind in (JSON, "application/yaml", "*/*", "application/*", "text/plain", "text/*"):
            return
    raise KubeError(406, messages.K8S_NOT_ACCEPTABLE)


def _decode_body(request: ClusterRequest, media: str | None = None) -> dict[str, Any]:
    """The request's body as an object; ``media`` reads it as that type whatever it says."""
    content_type = media or (request.header("content-type") or JSON).split(";")[0].strip().lower()
    if content_type == protobuf.MEDIA_TYPE:
        # kubectl 1.32+ sends typed bodies (kubectl create, auth can-i) as protobuf.
        return protobuf.decode_object(request.body)
    try:
        if content_type in (JSON, ""):
            body = fieldvalidation.parse_json(request.body or b"{}")
        elif content_type in ("application/yaml", "application/x-yaml"):
            # Like kube, YAML is turned into JSON first: an unquoted date becomes its text. Its
            # depth and size are checked on the parser's events, before anything is built.
            text = request.body or b"{}"
            limits.check_yaml(text, _YAML_LOADER)
            body = fieldvalidation.parse_json(json.dumps(
                _whole_floats_as_ints(yaml.load(text, Loader=_YAML_LOADER)), default=str))
        else:
            raise KubeError(415, messages.K8S_UNSUPPORTED_MEDIA_TYPE.format(
                accepted="application/json, application/yaml"))
    except (ValueError, TypeError, yaml.YAMLError) as exc:  # TypeError: a YAML key JSON lacks
        raise KubeError(400, messages.K8S_DECODE_ERROR.format(detail=exc)) from None
    if not isinstance(body, dict):
        raise KubeError(400, messages.K8S_BODY_NOT_OBJECT.format(detail=type(body).__name__))
    return body


# The Go struct each action's body is decoded into (kube's REST storage New() for it).
_ACTION_BODIES = {"eviction": ("Eviction", "policy/v1"), "binding": ("Binding", "v1"),
                  "finalize": ("Namespace", "v1"),
                  "approval": ("CertificateSigningRequest", "certificates.k8s.io/v1")}


def _whole_floats_as_ints(value: Any) -> Any:
    """A YAML body's numbers as kube's YAML-to-JSON conversion writes them: a float64 that is
    whole (``1.0``, ``1e3``) is written as an integer, which an int32 field takes. Its depth
    was checked before."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return int(value)
    if isinstance(value, dict):
        return {k: _whole_floats_as_ints(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_whole_floats_as_ints(v) for v in value]
    return value


def _json(status: int, body: dict[str, Any], warnings: list[str] | None = None) -> ClusterResponse:
    headers = [("content-type", JSON), *fieldvalidation.warning_headers(warnings or ())]
    return ClusterResponse(status, headers, gojson.encode(body))


def _negotiated(content_type: str, body: dict[str, Any]) -> ClusterResponse:
    return ClusterResponse(200, [("content-type", content_type)], gojson.encode(body))


def _with_etag(request: ClusterRequest, content_type: str,
               body: dict[str, Any]) -> ClusterResponse:
    """/api and /apis. The aggregated form carries kube's ETag (the upper-case hex SHA-512 of the
    document, quoted) and answers a matching If-None-Match with 304, so a client's HTTP cache
    of discovery notices the moment a CRD adds or removes a kind."""
    answer = _negotiated(content_type, body)
    if content_type == JSON:  # the legacy APIVersions / APIGroupList: no ETag in kube either
        return answer
    etag = '"%s"' % hashlib.sha512(answer.body).hexdigest().upper()
    headers = [("etag", etag), ("vary", "Accept"), ("cache-control", "public")]
    if request.header("if-none-match") == etag:
        return ClusterResponse(304, headers, b"")
    answer.headers.extend(headers)
    return answer
