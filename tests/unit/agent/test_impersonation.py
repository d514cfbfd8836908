from __future__ import annotations

from emulator.agent.impersonation import FORWARDED_HEADERS, as_agent


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


# What kubectl and the client libraries send that the apiserver reads, as they send it.
KEPT = [
    ("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"),
    ("Accept", "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
               "application/json"),
    ("Accept-Encoding", "gzip"),
    ("Content-Type", "application/strategic-merge-patch+json"),
    ("Content-Encoding", "identity"),
    ("If-None-Match", '"6E8F849B434D4B98A569B9D7718876E9"'),
    ("User-Agent", "kubectl1.33.1/v1.33.1 (linux/amd64) kubernetes/8adc0f0"),
    ("Kubectl-Command", "kubectl apply"),
    ("Kubectl-Session", "0f6d1c0e-6f1b-4c53-9d43-2b9b7a1f0c11"),
]
# What a caller may add that the apiserver must not take from it: identity and provenance for the
# request-header authenticator and the audit log, cookies, its own hop's headers, anything else.
DROPPED = [
    ("Cookie", "session=stolen"),
    ("X-Remote-User", "system:admin"),
    ("X-Remote-Group", "system:masters"),
    ("X-Remote-Extra-Scopes", "all"),
    ("X-Forwarded-For", "10.0.0.1"),
    ("X-Real-Ip", "10.0.0.1"),
    ("Forwarded", "for=10.0.0.1"),
    ("Audit-ID", "00000000-0000-0000-0000-000000000000"),
    ("Origin", "https://evil.example"),
    ("Proxy-Authorization", "Basic cm9vdDpyb290"),
    ("Upgrade", "websocket"),
    ("Sec-WebSocket-Protocol", "v5.channel.k8s.io"),
    ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
    ("X-Foo", "bar"),
    ("Impersonate-Uid", "0"),
    ("Impersonate-Extra-Scopes", "all"),
]


def test_only_the_headers_an_apiserver_reads_cross_the_agent() -> None:
    request = as_agent("PATCH", "/api/v1/namespaces/default/pods/web", "", KEPT + DROPPED,
                       b"{}", principal="alice@example.com", groups=(), agent_token="agent-tok")
    carried = [(k, v) for k, v in request.headers
               if k not in ("authorization", "impersonate-user", "impersonate-group")]
    # Every kept header, lower-cased, in order, both Accepts included.
    assert carried == [(k.lower(), v) for k, v in KEPT]
    names = {k for k, _ in request.headers}
    assert not names & {k.lower() for k, _ in DROPPED}
    assert {k.lower() for k, _ in KEPT} == set(FORWARDED_HEADERS)
