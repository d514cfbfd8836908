"""TokenRequest: service-account tokens the mock issues, authenticates, and lets expire."""

from __future__ import annotations

from emulator import messages
from emulator.clock import FakeClock
from emulator.cluster.mock.apiserver import MockApiserver

from .conftest import call

SA = "/api/v1/namespaces/default/serviceaccounts"
REVIEW = "/apis/authentication.k8s.io/v1/selfsubjectreviews"
REVIEW_BODY = {"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"}


def token_request(seconds: int | None = None) -> dict[str, object]:
    spec = {} if seconds is None else {"expirationSeconds": seconds}
    return {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": spec}


def test_issued_token_authenticates_as_the_service_account(api: MockApiserver) -> None:
    issued = call(api, "POST", f"{SA}/default/token", body=token_request())
    assert issued.status == 201
    assert issued.body["kind"] == "TokenRequest"
    assert issued.body["spec"]["expirationSeconds"] == 3600
    me = call(api, "POST", REVIEW, body=REVIEW_BODY, token=issued.body["status"]["token"])
    assert me.status == 201
    info = me.body["status"]["userInfo"]
    assert info["username"] == "system:serviceaccount:default:default"
    assert info["groups"] == ["system:serviceaccounts", "system:serviceaccounts:default",
                              "system:authenticated"]


def test_token_stops_working_at_its_expiry(api: MockApiserver, clock: FakeClock) -> None:
    issued = call(api, "POST", f"{SA}/default/token", body=token_request(600))
    token = issued.body["status"]["token"]
    clock.advance(599)
    assert call(api, "POST", REVIEW, body=REVIEW_BODY, token=token).status == 201
    clock.advance(1)
    denied = call(api, "POST", REVIEW, body=REVIEW_BODY, token=token)
    assert denied.status == 401
    assert denied.body["message"] == messages.K8S_UNAUTHORIZED


def test_too_short_a_lifetime_is_invalid(api: MockApiserver) -> None:
    reply = call(api, "POST", f"{SA}/default/token", body=token_request(60))
    assert reply.status == 422
    assert reply.body["message"] == messages.K8S_TOKEN_TOO_SHORT.format(name="default", seconds=60)


def test_unknown_service_account_is_not_found(api: MockApiserver) -> None:
    reply = call(api, "POST", f"{SA}/nosuch/token", body=token_request())
    assert reply.status == 404
    assert 'serviceaccounts "nosuch" not found' in reply.body["message"]


def test_tokens_need_create_on_the_subresource(api: MockApiserver) -> None:
    reply = call(api, "POST", f"{SA}/default/token", body=token_request(), token="nobody")
    assert reply.status == 401


def test_a_zero_or_non_integer_lifetime_is_refused(api: MockApiserver) -> None:
    zero = call(api, "POST", f"{SA}/default/token", body=token_request(0))
    assert zero.status == 422
    assert zero.body["message"] == messages.K8S_TOKEN_TOO_SHORT.format(name="default", seconds=0)
    text = call(api, "POST", f"{SA}/default/token",
                body={"spec": {"expirationSeconds": "an hour"}})
    assert text.status == 400
    assert text.body["message"] == (
        'TokenRequest in version "v1" cannot be handled as a TokenRequest: json: cannot unmarshal '
        "string into Go struct field TokenRequestSpec.spec.expirationSeconds of type int64")
