"""The Google control-plane URL table (gcloud-wire.md §10). A path that matches none of these is
left to the gateway, whose router answers Google's HTML 404 for anything it does not know."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

from emulator.google import credentials, gkehub, gkemulticloud, projects, serviceusage
from emulator.google.errors import GoogleApiError
from emulator.state import EmulatorState

Handler = Callable[..., Awaitable[Response]]

_SEGMENT = r"([^/:]+)"
_LOCATION = rf"/v1/projects/{_SEGMENT}/locations/{_SEGMENT}"
ROUTES: list[tuple[str, re.Pattern[str], Handler]] = [
    ("GET", re.compile(rf"^/(?:v1|v1beta|v1alpha)/projects/{_SEGMENT}/locations/{_SEGMENT}"
                       r"/memberships$"), gkehub.list_memberships),
    ("GET", re.compile(rf"^/(?:v1|v1beta|v1alpha)/projects/{_SEGMENT}/locations/{_SEGMENT}"
                       rf"/memberships/{_SEGMENT}$"), gkehub.get_membership),
    ("GET", re.compile(rf"^/(v1|v1beta1|v1alpha1)/projects/{_SEGMENT}/locations/{_SEGMENT}"
                       rf"/memberships/{_SEGMENT}:generateCredentials$"),
     credentials.generate_credentials),
    ("GET", re.compile(rf"^/v1/projects/{_SEGMENT}$"), projects.get_project),
    ("POST", re.compile(rf"^/v1/projects/{_SEGMENT}:testIamPermissions$"),
     projects.test_iam_permissions),
    ("POST", re.compile(rf"^/v1/projects/-/serviceAccounts/{_SEGMENT}:generateAccessToken$"),
     credentials.generate_access_token),
    ("GET", re.compile(rf"^/v1/projects/{_SEGMENT}/services/{_SEGMENT}$"),
     serviceusage.get_service),
    # gkemulticloud: GKE on AWS, on Azure, and attached clusters (kind, then the names).
    ("GET", re.compile(rf"^{_LOCATION}/(aws|azure|attached)Clusters$"),
     gkemulticloud.list_clusters),
    ("GET", re.compile(rf"^{_LOCATION}/(aws|azure|attached)Clusters/{_SEGMENT}$"),
     gkemulticloud.get_cluster),
    ("GET", re.compile(rf"^{_LOCATION}/(aws|azure)Clusters/{_SEGMENT}/\3NodePools$"),
     gkemulticloud.list_node_pools),
    ("GET", re.compile(rf"^{_LOCATION}/(aws|azure)Clusters/{_SEGMENT}/\3NodePools"
                       rf"/{_SEGMENT}$"), gkemulticloud.get_node_pool),
    ("GET", re.compile(rf"^{_LOCATION}/(aws|azure|attached)ServerConfig$"),
     gkemulticloud.get_server_config),
]


async def dispatch(request: Request, state: EmulatorState) -> Response | None:
    """The Google API's answer, or None when the path is not a Google API path."""
    path, asked = request.url.path, request.method
    for method, pattern, handler in ROUTES:
        match = pattern.match(path) if method == asked else None
        if match:
            try:
                return await handler(request, state, *match.groups())
            except GoogleApiError as error:
                return error.response()
    return None
