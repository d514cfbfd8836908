"""The per-minor Kubernetes schema read from kubernetes-validate: loading and sharing, kinds by
group-version-kind, walking field paths, and list/patch metadata."""

from __future__ import annotations

import pytest

from emulator.cluster.mock.registry import schema as kube_schema
from emulator.cluster.mock.registry.schema import ListMeta, Shape, schema_for

CONTAINERS = "spec.template.spec.containers"


# --- loading --------------------------------------------------------------------------------------


def test_the_package_has_a_contiguous_range_of_minors() -> None:
    minors = kube_schema.available_minors()
    assert minors[0] <= 27 and minors[-1] >= 33  # every kubectl the SDK bundles
    assert list(minors) == list(range(minors[0], minors[-1] + 1))


def test_one_schema_per_minor_shared_by_every_caller() -> None:
    assert schema_for(30, documented=True) is schema_for(30, documented=True)
    assert schema_for(30, documented=True) is not schema_for(29, documented=True)
    assert (schema_for(30, documented=True).minor, schema_for(29, documented=True).minor) == (30, 29)


@pytest.mark.parametrize(("asked", "used"), [(0, 0), (-5, 0), (99, -1)])
def test_minors_outside_the_range_use_the_nearest(asked: int, used: int) -> None:
    minors = kube_schema.available_minors()
    wanted = minors[0] + asked if asked <= 0 else asked
    expected = minors[used]
    assert kube_schema.nearest_minor(wanted) == expected
    assert schema_for(wanted, documented=True) is schema_for(expected, documented=True)


def test_fields_are_the_documents_own_nodes_not_copies() -> None:
    schema = schema_for(30, documented=True)
    field = schema.field("v1", "Pod", "spec.containers")
    assert field is not None
    assert field.node is schema.definitions["io.k8s.api.core.v1.PodSpec"]["properties"][
        "containers"]


# --- kinds ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("api_version", "kind", "name"), [
    ("v1", "Pod", "io.k8s.api.core.v1.Pod"),
    ("apps/v1", "Deployment", "io.k8s.api.apps.v1.Deployment"),
    ("batch/v1", "CronJob", "io.k8s.api.batch.v1.CronJob"),
    ("networking.k8s.io/v1", "Ingress", "io.k8s.api.networking.v1.Ingress"),
    ("events.k8s.io/v1", "Event", "io.k8s.api.events.v1.Event"),
    ("v1", "Event", "io.k8s.api.core.v1.Event"),
    ("v1", "PodList", "io.k8s.api.core.v1.PodList"),
])
def test_definitions_are_found_by_group_version_kind(api_version: str, kind: str,
                                                     name: str) -> None:
    assert schema_for(30, documented=True).definition_name(api_version, kind) == name


@pytest.mark.parametrize(("api_version", "kind"), [
    ("apps/v1", "Pod"), ("v1", "Deployment"), ("batch/v1beta1", "CronJob"), ("v1", "Nope"),
])
def test_kinds_a_minor_does_not_publish_have_no_definition(api_version: str, kind: str) -> None:
    assert schema_for(30, documented=True).definition_name(api_version, kind) is None


def test_without_a_version_the_most_stable_core_first_definition_is_chosen() -> None:
    schema = schema_for(30, documented=True)
    assert schema.definition_for_kind("Event") == "io.k8s.api.core.v1.Event"
    assert schema.definition_for_kind("HorizontalPodAutoscaler") == (
        "io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler")
    assert schema.definition_for_kind("Event", "events.k8s.io/v1") == (
        "io.k8s.api.events.v1.Event")


def test_a_minor_has_the_fields_of_its_release() -> None:
    # PodSpec.resourceClaims arrived in Kubernetes 1.26.
    assert schema_for(25, documented=True).field("v1", "Pod", "spec.resourceClaims") is None
    assert schema_for(26, documented=True).field("v1", "Pod", "spec.resourceClaims") is not None


# --- walking fields -------------------------------------------------------------------------------


def test_a_deep_field_has_kubes_description_and_type() -> None:
    field = schema_for(30, documented=True).field("apps/v1", "Deployment", f"{CONTAINERS}.image")
    assert field is not None
    assert field.path == ("spec", "template", "spec", "containers", "image")
    assert field.description.startswith("Container image name.")
    assert field.type == "string"
    assert field.definition is None


def test_a_field_that_refers_to_a_definition_resolves_to_it() -> None:
    field = schema_for(30, documented=True).field("apps/v1", "Deployment", "spec.template")
    assert field is not None
    assert field.definition == "io.k8s.api.core.v1.PodTemplateSpec"
    assert field.type == "object"
    assert field.description.startswith("Template describes the pods")  # the field's own words


def test_list_indexes_and_map_values_are_stepped_through() -> None:
    schema = schema_for(30, documented=True)
    indexed = schema.field("apps/v1", "Deployment", f"{CONTAINERS}[0].ports[1].containerPort")
    assert indexed is not None and indexed.type == "integer"
    value = schema.field("v1", "Pod", "spec.containers.resources.limits.cpu")
    assert value is not None and value.definition == "io.k8s.apimachinery.pkg.api.resource.Quantity"


@pytest.mark.parametrize("path", ["spec.template.spec.containers.imagee", "spec.nope", "x"])
def test_unknown_paths_are_none(path: str) -> None:
    assert schema_for(30, documented=True).field("apps/v1", "Deployment", path) is None


@pytest.mark.parametrize(("api_version", "kind", "path", "shape"), [
    ("v1", "Pod", "metadata", Shape.OBJECT),
    ("v1", "Pod", "metadata.labels", Shape.MAP),
    ("v1", "Pod", "spec.containers", Shape.LIST),
    ("v1", "Pod", "spec.containers.image", Shape.SCALAR),
    ("v1", "Pod", "spec.containers.resources.limits", Shape.MAP),
    ("v1", "Pod", "spec.containers.resources.limits.cpu", Shape.FREE),  # Quantity
    ("v1", "Pod", "spec.containers.ports.targetPort", None),
    ("v1", "Pod", "metadata.managedFields.fieldsV1", Shape.FREE),  # FieldsV1
    ("apps/v1", "ControllerRevision", "data", Shape.FREE),  # RawExtension
    ("apps/v1", "Deployment", "spec.strategy.rollingUpdate.maxSurge", Shape.FREE),  # IntOrString
    ("v1", "ConfigMap", "data", Shape.MAP),
])
def test_shapes(api_version: str, kind: str, path: str, shape: Shape | None) -> None:
    schema = schema_for(30, documented=True)
    field = schema.field(api_version, kind, path)
    if shape is None:
        assert field is None
    else:
        assert field is not None
        assert schema.shape(field.node) is shape


# --- list and patch metadata ----------------------------------------------------------------------


@pytest.mark.parametrize(("api_version", "kind", "path", "meta"), [
    ("apps/v1", "Deployment", CONTAINERS,
     ListMeta("map", ("name",), frozenset({"merge"}), "name")),
    ("apps/v1", "Deployment", f"{CONTAINERS}.ports",
     ListMeta("map", ("containerPort", "protocol"), frozenset({"merge"}), "containerPort")),
    ("v1", "Service", "spec.ports",
     ListMeta("map", ("port", "protocol"), frozenset({"merge"}), "port")),
    ("v1", "Pod", "spec.volumes",
     ListMeta("map", ("name",), frozenset({"merge", "retainKeys"}), "name")),
    ("v1", "Pod", "metadata.finalizers", ListMeta("set", (), frozenset({"merge"}), None)),
    ("v1", "Namespace", "spec.finalizers", ListMeta("atomic", (), frozenset(), None)),
    ("apps/v1", "Deployment", f"{CONTAINERS}.args", ListMeta("atomic", (), frozenset(), None)),
    ("apps/v1", "Deployment", "spec.strategy", ListMeta(None, (), frozenset({"retainKeys"}), None)),
    ("policy/v1", "PodDisruptionBudget", "spec.selector",
     ListMeta(None, (), frozenset({"replace"}), None)),
    ("apps/v1", "Deployment", "spec.replicas", kube_schema.NO_LIST_META),
])
def test_list_metadata(api_version: str, kind: str, path: str, meta: ListMeta) -> None:
    field = schema_for(30, documented=True).field(api_version, kind, path)
    assert field is not None
    assert field.list_meta == meta


def test_list_meta_reads_the_strategy_words() -> None:
    volumes = ListMeta("map", ("name",), frozenset({"merge", "retainKeys"}), "name")
    assert (volumes.merges, volumes.retains_keys, volumes.replaces) == (True, True, False)
    assert not kube_schema.NO_LIST_META.merges


# --- references -----------------------------------------------------------------------------------


def test_resolve_follows_references() -> None:
    schema = schema_for(30, documented=True)
    name, node = schema.resolve("#/$defs/io.k8s.api.core.v1.Container")
    assert name == "io.k8s.api.core.v1.Container" and "image" in node["properties"]
    assert schema.resolve({"type": "string"}) == (None, {"type": "string"})
    assert schema.resolve({"$ref": "#/$defs/io.k8s.api.core.v1.Nope"}) == (
        "io.k8s.api.core.v1.Nope", {})


def test_closure_holds_what_a_kind_refers_to_and_nothing_else() -> None:
    closure = schema_for(30, documented=True).closure(["io.k8s.api.core.v1.Pod"])
    assert {"io.k8s.api.core.v1.Pod", "io.k8s.api.core.v1.Container",
            "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",
            "io.k8s.apimachinery.pkg.api.resource.Quantity",
            "io.k8s.apimachinery.pkg.util.intstr.IntOrString"} <= set(closure)
    assert "io.k8s.api.apps.v1.Deployment" not in closure
    assert closure == sorted(closure)


def test_type_of_reads_nullable_types() -> None:
    assert kube_schema.type_of({"type": ["string", "null"]}) == "string"
    assert kube_schema.type_of({"type": "integer"}) == "integer"
    assert kube_schema.type_of({"oneOf": [{"type": "string"}]}) is None


def test_the_plain_form_has_no_prose_but_keeps_fields_named_description() -> None:
    plain = schema_for(30)
    assert plain is not schema_for(30, documented=True)
    priority_class = plain.field("scheduling.k8s.io/v1", "PriorityClass", "description")
    assert priority_class is not None and priority_class.type == "string"
    assert priority_class.description == ""
    documented = schema_for(30, documented=True).field("scheduling.k8s.io/v1", "PriorityClass",
                                                       "description")
    assert documented is not None and documented.description
