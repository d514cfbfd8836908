"""Our gateway RBAC against the file the real ``gcloud ... generate-gateway-rbac`` writes.

The command sends no request, but gcloud still wants an account with credentials before it runs
any command: an access-token file (never read by anyone) satisfies it offline.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from emulator.agent.gateway_rbac import RbacRequest, documents, parse_role, render
from tests import realclients

pytestmark = pytest.mark.contract

BOB = "principal://iam.googleapis.com/locations/global/workforcePools/pool/subject/bob"
ENG = "principalSet://iam.googleapis.com/locations/global/workforcePools/pool/group/eng"


def generate(tmp_path: Path, *flags: str) -> str:
    """Run the real gcloud with its own config directory; return the file it wrote."""
    gcloud = shutil.which("gcloud")
    if gcloud is None:
        if realclients.required():
            pytest.fail(f"gcloud is not on PATH and {realclients.REQUIRE_ENV}=1")
        pytest.skip("gcloud is not on PATH")
    token = tmp_path / "token"
    token.write_text("unused-offline-token\n")
    output = tmp_path / "rbac.yaml"
    # Nothing inherited from the caller's gcloud setup (endpoint overrides, account) leaks in.
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLOUDSDK_")}
    env.update({
        "CLOUDSDK_CONFIG": str(tmp_path / "gcloud-config"),
        "CLOUDSDK_CORE_DISABLE_PROMPTS": "1",
        "CLOUDSDK_CORE_PROJECT": "my-project",
        "CLOUDSDK_CORE_ACCOUNT": "alice@example.com",
        "CLOUDSDK_AUTH_ACCESS_TOKEN_FILE": str(token),
        "CLOUDSDK_CORE_CHECK_GCE_METADATA": "false",
        "CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK": "true",
        "CLOUDSDK_CORE_DISABLE_USAGE_REPORTING": "true",
    })
    run = subprocess.run(
        [gcloud, "container", "fleet", "memberships", "generate-gateway-rbac",
         "--membership=alpha", "--project=my-project", f"--rbac-output-file={output}", *flags],
        capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode == 0, run.stderr
    assert f"Generated RBAC policy is written to file: {output} " in run.stdout
    return output.read_text()


def chunks(text: str) -> list[str]:
    """A multi-document file cut at its ``---`` lines, each document's text ending in a newline."""
    return [part for part in text.split("---\n") if part]


def parsed(text: str) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(text) if doc is not None]


def test_users_with_a_cluster_role_match_gcloud_exactly(tmp_path: Path) -> None:
    theirs = generate(tmp_path, "--role=clusterrole/cluster-admin",
                      f"--users=alice@example.com,{BOB}")
    request = RbacRequest("my-project", "alpha", ("alice@example.com", BOB), (),
                          parse_role("clusterrole/cluster-admin"))
    assert parsed(theirs) == documents(request)[2:]
    ours = render(request)
    assert "".join(f"{chunk}---\n" for chunk in chunks(ours)[2:]) == theirs


def test_groups_with_a_namespace_role_hold_every_gcloud_document(tmp_path: Path) -> None:
    theirs = generate(tmp_path, "--role=role/team-a/namespace-reader",
                      f"--groups=devs@example.com,{ENG}")
    request = RbacRequest("my-project", "alpha", (), ("devs@example.com", ENG),
                          parse_role("role/team-a/namespace-reader"))
    ours = documents(request)[2:]
    gcloud_docs = parsed(theirs)
    assert [d["kind"] for d in gcloud_docs] == ["RoleBinding", "RoleBinding"]
    assert all(doc in ours for doc in gcloud_docs)
    # Rendered one by one, gcloud's documents are ours byte for byte.
    assert set(chunks(theirs)) <= set(chunks(render(request)))
    # What we add is the agent's impersonation of each group, which gcloud leaves out.
    extra = [d for d in ours if d not in gcloud_docs]
    assert [(d["kind"], d["metadata"]["name"]) for d in extra] == [
        (kind, f"gateway-impersonate-my-project_{identity}_alpha")
        for identity in ("devs", "pool_eng") for kind in ("ClusterRole", "ClusterRoleBinding")]
    assert [d["rules"][0]["resources"] for d in extra if d["kind"] == "ClusterRole"] == [
        ["groups"], ["groups"]]
