"""Every problem body's `type` links to a page saying what the problem means, and every
unknown address under /api/ answers problem JSON, also with DEBUG on."""

import pytest

from config.problems import CATALOGUE

PROBLEM = "application/problem+json"

pytestmark = pytest.mark.django_db(databases=["default", "storefront", "marketplace"])


@pytest.mark.parametrize(
    ("code", "status", "title"),
    [("not_found", 404, "Not found"), ("idempotency_key_reused", 422, "Idempotency-Key reused")],
)
def test_a_problem_type_has_a_page_with_its_title_and_status(api, code, status, title):
    page = api.get(f"/api/problems/{code}/")
    as_json = api.get(f"/api/problems/{code}/", HTTP_ACCEPT="application/json")

    assert page.status_code == 200
    assert title in page.content.decode()
    assert as_json.json()["type"] == f"/api/problems/{code}/"
    assert (as_json.json()["title"], as_json.json()["status"]) == (title, status)
    assert as_json.json()["description"]


def test_an_unknown_problem_type_is_a_problem_itself(api):
    response = api.get("/api/problems/no_such_problem/")

    assert (response.status_code, response["Content-Type"]) == (404, PROBLEM)


def test_the_type_of_an_answered_problem_resolves_to_its_page(world, api):
    refused = world.client("shopper").post("/api/v1/posts/999999/like/")

    page = api.get(refused.json()["type"], HTTP_ACCEPT="application/json")

    assert page.status_code == 200
    assert page.json()["status"] == refused.status_code == 404


def test_a_code_without_a_page_links_to_the_page_of_its_status():
    from config.api import problem

    assert problem(400, detail="x", code="made_up_code")["type"] == "/api/problems/invalid/"
    assert "made_up_code" not in CATALOGUE


@pytest.mark.parametrize("path", ["/api/v1/no-such-thing/", "/api/nothing", "/api/v1/products/2147483648/"])
def test_an_unknown_api_address_is_problem_json_even_with_debug_on(api, settings, path):
    settings.DEBUG = True

    response = api.get(path)

    assert (response.status_code, response["Content-Type"]) == (404, PROBLEM)
    assert response.json()["type"] == "/api/problems/not_found/"


def test_an_unknown_page_outside_the_api_stays_html(api, settings):
    settings.DEBUG = True

    response = api.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
