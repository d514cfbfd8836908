"""What a user writes after `pip install connect-gateway-emulator`: no conftest, the plugin comes
from the installed wheel's pytest11 entry point."""

import pytest
from kubernetes import client, config


def core(gateway):
    return client.CoreV1Api(config.new_client_from_config(config_file=str(gateway.kubeconfig())))


def test_default_world(connect_gateway):
    names = {ns.metadata.name for ns in core(connect_gateway).list_namespace().items}
    assert "gke-connect" in names
    assert connect_gateway.state.scenario.name == "quickstart"


@pytest.mark.connect_gateway(scenario="quota")
def test_quota_scenario(connect_gateway):
    assert connect_gateway.state.scenario.name == "quota"
    assert connect_gateway.control.world()["limits"]["active_streams"] == 0
    assert core(connect_gateway).read_namespace("default").metadata.name == "default"
