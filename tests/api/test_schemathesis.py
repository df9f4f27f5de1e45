"""Fuzzing the API from its own published schema (/api/schema/), as a shopper and as a seller.

Positive and negative data: no 5xx, every response (status, content type,
body) matches the schema, and invalid data is rejected. Bounded: a few
examples per operation and mode, so the whole run stays short in CI.
"""

import hypothesis
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections

from tests.api.conftest import client_for

EXAMPLES_PER_OPERATION = 15
# Schema-valid input may still break a business rule (more than the stock, an empty
# cart at checkout): that is a 400 with field messages, not a schema violation.
EXCLUDED = [schemathesis.checks.positive_data_acceptance]

schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
schema.config.generation.update(max_examples=EXAMPLES_PER_OPERATION, deterministic=True)


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    # The WSGI handler closes database connections after each request, as in production;
    # the test's transaction lives on that connection, so keep it open (as Django's test client does).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _token_header(user) -> dict:
    client_for(user)  # makes sure the token exists
    return {"Authorization": f"Token {user.auth_token.key}"}


@pytest.mark.django_db(databases=["default", "storefront", "marketplace"])
@schema.parametrize()
@hypothesis.settings(deadline=None, suppress_health_check=list(hypothesis.HealthCheck))
def test_the_api_keeps_its_schema_for_a_shopper(case, world):
    case.call_and_validate(headers=_token_header(world.shopper), excluded_checks=EXCLUDED)


@pytest.mark.django_db(databases=["default", "storefront", "marketplace"])
@schema.parametrize()
@hypothesis.settings(deadline=None, suppress_health_check=list(hypothesis.HealthCheck))
def test_the_api_keeps_its_schema_for_a_seller(case, world):
    case.call_and_validate(headers=_token_header(world.seller), excluded_checks=EXCLUDED)
