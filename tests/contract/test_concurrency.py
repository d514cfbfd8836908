"""Under concurrent load every principal gets its own decision, never another's."""

from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.harness import Served

pytestmark = pytest.mark.contract

REQUESTS_EACH = 25
# principal -> (status, a text that must be in the answer)
EXPECTED = {
    "alice": (200, "web"),
    "bob": (200, "web"),
    "carol": (403, "for user:carol@example.com"),
    "dave": (403, 'User "dave@example.com" cannot list resource "pods"'),
    "erin": (200, "web"),
}


def fetch(gateway: Served, context: ssl.SSLContext, user: str) -> tuple[str, int, str]:
    request = urllib.request.Request(
        gateway.url + gateway.server_path("my-cluster") + "/api/v1/namespaces/default/pods",
        headers={"Authorization": f"Bearer ya29.fake-{user}"})
    try:
        with urllib.request.urlopen(request, context=context, timeout=30) as answer:
            items = json.load(answer)["items"]
            return user, answer.status, " ".join(p["metadata"]["name"] for p in items)
    except urllib.error.HTTPError as error:
        return user, error.code, json.loads(error.read())["message"]


def test_each_principal_gets_its_own_answer(gateway: Served) -> None:
    context = ssl.create_default_context(cadata=gateway.server.ca_pem.decode())
    users = [user for user in EXPECTED for _ in range(REQUESTS_EACH)]
    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(lambda u: fetch(gateway, context, u), users))
    for user, status, body in results:
        want_status, want_text = EXPECTED[user]
        assert (user, status) == (user, want_status), body
        assert want_text in body
        for other in EXPECTED:
            if other != user:
                assert f"{other}@example.com" not in body
    by_principal: dict[str, set[int]] = {}
    for record in gateway.state.audit.records():
        by_principal.setdefault(record.principal, set()).add(record.status)
    assert by_principal == {f"{u}@example.com": {EXPECTED[u][0]} for u in EXPECTED}
