"""Gateway errors and cluster answers → HTTP responses."""

from __future__ import annotations

import json

from starlette.responses import HTMLResponse, Response, StreamingResponse

from emulator import messages
from emulator.cluster.backend import ClusterResponse
from emulator.cluster.mock.status import status_body
from emulator.errors import GatewayError

# Headers of the cluster's answer that describe the hop, not the content.
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "upgrade"}


def not_found_page(path: str) -> HTMLResponse:
    return HTMLResponse(messages.GFE_404_TEMPLATE.format(path=path), status_code=404)


def status_response(error: GatewayError) -> Response:
    body = status_body(error.code, error.reason, error.message)
    return Response(json.dumps(body), status_code=error.code, media_type="application/json")


def cluster_response(answer: ClusterResponse) -> Response:
    headers = {k: v for k, v in answer.headers if k.lower() not in _HOP_BY_HOP}
    if answer.stream is not None:
        return StreamingResponse(answer.stream, status_code=answer.status, headers=headers)
    return Response(answer.body, status_code=answer.status, headers=headers)
