"""/healthz answers while the process lives; /readyz names every dependency that fails."""

import pytest
from django.test import override_settings

from tests.integration.processes import free_port


def test_healthz_answers_without_touching_a_database(client):
    # No django_db mark: any database access would fail this test.
    response = client.get("/healthz")

    assert (response.status_code, response.json()) == (200, {"status": "ok"})


@pytest.mark.django_db(databases="__all__")
@override_settings(REDIS_URL="", INTEGRATION_TRANSPORT="inprocess")
def test_readyz_checks_each_database():
    from django.test import Client

    response = Client().get("/readyz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "failed": [],
        "checks": {"database:default": "ok", "database:storefront": "ok", "database:marketplace": "ok"},
    }


@pytest.mark.django_db(databases="__all__")
def test_readyz_names_redis_and_the_marketplace_when_they_do_not_answer(client):
    closed = free_port()
    with override_settings(
        REDIS_URL=f"redis://127.0.0.1:{closed}/0",
        INTEGRATION_TRANSPORT="http",
        MARKETPLACE_API_URL=f"http://127.0.0.1:{closed}/internal/marketplace/v1/",
        MARKETPLACE_API_RETRIES=0,
    ):
        response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert (body["status"], body["failed"]) == ("fail", ["redis", "marketplace"])
    assert body["checks"]["redis"] == "failed: ConnectionError"
    assert body["checks"]["marketplace"] == "failed: Unavailable"
    assert body["checks"]["database:marketplace"] == "ok"
