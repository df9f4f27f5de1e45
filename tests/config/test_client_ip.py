"""One client address for lock-outs, throttles and the internal API, proof against forged X-Forwarded-For."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from config.client_ip import AnonRateThrottle, client_ip
from tests.factories import UserFactory

PROXY = "10.0.0.9"


def _request(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0

    assert client_ip(_request("203.0.113.5", "198.51.100.1")) == "203.0.113.5"


def test_behind_one_proxy_the_rightmost_entry_is_the_client(settings):
    settings.TRUSTED_PROXY_COUNT = 1

    assert client_ip(_request(PROXY, "203.0.113.5")) == "203.0.113.5"
    assert client_ip(_request(PROXY, "6.6.6.6, 203.0.113.5")) == "203.0.113.5"


def test_behind_two_proxies_the_second_from_the_right_is_the_client(settings):
    settings.TRUSTED_PROXY_COUNT = 2

    assert client_ip(_request(PROXY, "6.6.6.6, 203.0.113.5, 10.0.0.8")) == "203.0.113.5"


def test_too_few_hops_or_garbage_fall_back_to_the_peer(settings):
    settings.TRUSTED_PROXY_COUNT = 2

    assert client_ip(_request(PROXY, "203.0.113.5")) == PROXY
    assert client_ip(_request(PROXY, "not-an-ip, 10.0.0.8")) == PROXY


def test_api_throttles_key_on_the_same_address(settings):
    settings.TRUSTED_PROXY_COUNT = 1

    ident = AnonRateThrottle().get_ident(_request(PROXY, "6.6.6.6, 203.0.113.5"))

    assert ident == "203.0.113.5"


def _sign_in(client, password: str, forwarded: str):
    return client.post(
        reverse("login"),
        {"username": "fajar", "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


@pytest.mark.django_db(databases=["default"])
def test_two_clients_behind_one_proxy_are_locked_out_separately(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    UserFactory(username="fajar", password="right-password-1")

    for attempt in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, f"wrong-{attempt}", "203.0.113.5")
    locked = _sign_in(client, "right-password-1", "203.0.113.5")
    other = _sign_in(client.__class__(), "right-password-1", "198.51.100.7")

    assert locked.status_code == 429
    assert other.status_code == 302


@pytest.mark.django_db(databases=["default"])
def test_a_forged_forwarded_prefix_does_not_escape_a_lock_out(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    UserFactory(username="fajar", password="right-password-1")

    for attempt in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, f"wrong-{attempt}", "203.0.113.5")
    forged = _sign_in(client.__class__(), "right-password-1", "198.51.100.7, 203.0.113.5")

    assert forged.status_code == 429


# --- /internal/ only from private networks -----------------------------------------------


@pytest.mark.parametrize("remote", ["127.0.0.1", "10.1.2.3", "172.20.0.4", "192.168.1.10", "::1", "fd00::5"])
def test_the_internal_api_answers_private_networks(client, remote):
    response = client.get("/internal/marketplace/", REMOTE_ADDR=remote)

    assert response.status_code != 404


@pytest.mark.parametrize("path", ["/internal/marketplace/", "/internal/marketplace/get_cart/", "/internal"])
def test_the_internal_api_is_not_there_for_a_public_address(client, path):
    response = client.post(path, REMOTE_ADDR="203.0.113.5", HTTP_AUTHORIZATION="Bearer anything")

    assert response.status_code == 404


def test_a_forged_forwarded_header_does_not_open_the_internal_api(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1

    response = client.get("/internal/marketplace/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="127.0.0.1, 203.0.113.5")

    assert response.status_code == 404


def test_the_allowed_networks_come_from_settings(client, settings):
    settings.INTERNAL_ALLOWED_NETWORKS = ["10.9.0.0/16"]

    assert client.get("/internal/marketplace/", REMOTE_ADDR="127.0.0.1").status_code == 404
    assert client.get("/internal/marketplace/", REMOTE_ADDR="10.9.3.4").status_code != 404
