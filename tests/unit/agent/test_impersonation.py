from __future__ import annotations

from emulator.agent.impersonation import as_agent


def test_the_callers_token_and_hop_headers_never_cross_the_agent() -> None:
    request = as_agent(
        "GET", "/api/v1/pods", "limit=5",
        [("Authorization", "Bearer ya29.fake-alice"), ("Accept", "application/json"),
         ("Connection", "keep-alive"), ("Host", "127.0.0.1"), ("Impersonate-User", "root"),
         ("impersonate-group", "system:masters"), ("Kubectl-Command", "kubectl get")],
        b"", principal="alice@example.com", groups=("devs@example.com",), agent_token="agent-tok")
    headers = list(request.headers)
    assert ("authorization", "Bearer agent-tok") in headers
    assert all("ya29.fake-alice" not in value for _, value in headers)
    assert request.header_values("impersonate-user") == ["alice@example.com"]
    assert request.header_values("impersonate-group") == ["devs@example.com"]
    assert request.header("connection") is None and request.header("host") is None
    assert request.header("accept") == "application/json"
    assert request.header("kubectl-command") == "kubectl get"
    assert (request.method, request.path, request.query_string) == ("GET", "/api/v1/pods", "limit=5")
