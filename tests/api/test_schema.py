"""The published schema: generated without a warning, valid OpenAPI 3, and checked in as docs/openapi.yaml."""

import re
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

CHECKED_IN = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"
REGENERATE = "make schema"


def test_the_schema_generates_without_warnings_and_validates(tmp_path):
    generated = tmp_path / "openapi.yaml"

    # The command raises on any generator warning or validation error.
    call_command("spectacular", file=str(generated), validate=True, fail_on_warn=True)

    assert generated.stat().st_size > 0


def test_the_checked_in_schema_matches_the_code(tmp_path):
    generated = tmp_path / "openapi.yaml"
    call_command("spectacular", file=str(generated))

    assert yaml.safe_load(generated.read_text()) == yaml.safe_load(CHECKED_IN.read_text()), (
        f"docs/openapi.yaml is out of date: run `{REGENERATE}` and commit it"
    )


@pytest.mark.django_db(databases=["default"])
def test_the_served_schema_is_the_checked_in_one(api):
    served = yaml.safe_load(api.get("/api/schema/").content)

    assert served == yaml.safe_load(CHECKED_IN.read_text())


def test_every_list_answers_next_previous_and_results():
    schema = yaml.safe_load(CHECKED_IN.read_text())
    components = schema["components"]["schemas"]

    lists = []
    for path, operations in schema["paths"].items():
        answer = operations.get("get", {}).get("responses", {}).get("200", {})
        body = answer.get("content", {}).get("application/json", {}).get("schema", {})
        if body.get("type") == "array":
            lists.append(path)
        elif "$ref" in body and "results" in components[body["$ref"].rsplit("/", 1)[-1]].get("properties", {}):
            shape = components[body["$ref"].rsplit("/", 1)[-1]]
            assert {"next", "previous", "results"} <= set(shape["properties"]), path

    # The creator's own showcase is one list reordered as a whole, answered alike by its writes.
    assert lists == ["/api/v1/creator/showcase/"]


def _words(name: str) -> list[str]:
    return re.findall(r"[A-Z][a-z0-9]*", name)


def test_no_component_name_doubles_a_suffix_or_names_its_serializer(tmp_path):
    generated = tmp_path / "openapi.yaml"
    call_command("spectacular", file=str(generated))
    names = yaml.safe_load(generated.read_text())["components"]["schemas"]

    doubled = [name for name in names if any(a == b for a, b in zip(_words(name), _words(name)[1:], strict=False))]
    serializers = [name for name in names if "Serializer" in name]

    assert (doubled, serializers) == ([], [])
    # The request bodies named for requests keep one suffix.
    assert {"CheckoutRequest", "CheckoutPreviewRequest", "TokenRequest"} <= set(names)
