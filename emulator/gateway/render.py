"""Gateway errors and cluster answers → HTTP responses."""

from __future__ import annotations

from starlette.responses import HTMLResponse, Response

from emulator import messages
from emulator.cluster.mock.wire.gojson import encode
from emulator.cluster.mock.wire.status import status_body
from emulator.errors import GatewayError

def not_found_page(path: str) -> HTMLResponse:
    return HTMLResponse(messages.GFE_404_TEMPLATE.format(path=path), status_code=404)


def status_response(error: GatewayError) -> Response:
    body = status_body(error.code, error.reason, error.message)
    # The cluster's own Status encoder: the gateway's refusals are byte for byte kube's shape.
    return Response(encode(body), status_code=error.code, media_type="application/json")


def error_response(error: GatewayError) -> Response:
    if error.html:
        # Google's front end refusing what it does not take: its page is the message (design §3.1).
        return HTMLResponse(error.message, status_code=error.code)
    return status_response(error)


def discovery_fallback(k8s_path: str) -> Response:
    """The answer to a denied root discovery request (design §4, discovery-denied).

    kubectl reports a denial of its very first request with the HTTP code's generic text only.
    Answering the root with the legacy version list instead sends it on to ``/api/v1``, whose
    denial (message included, visible with ``-v 9``) makes it print what the product page lists:
    "the server doesn't have a resource type".
    """
    if k8s_path == "/api":
        body = {"kind": "APIVersions", "versions": ["v1"],
                "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": ""}]}
    else:
        body = {"kind": "APIGroupList", "apiVersion": "v1", "groups": []}
    return Response(encode(body), status_code=200, media_type="application/json")
