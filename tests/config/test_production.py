"""Production settings pass Django's deployment checks; sign-in locks out after repeated failures."""

import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse

from marketplace import checks
from tests.factories import UserFactory
from tests.integration.processes import ROOT


def test_check_deploy_reports_nothing_under_production_settings():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "jalin.example",
        "MIDTRANS_SERVER_KEY": "SB-Mid-server-" + secrets.token_hex(12),  # online payment needs a gateway
    }

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings_production", "ALLOWED_HOSTS": "jalin.example"}
    env.pop("SECRET_KEY", None)

    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )

    assert result.returncode != 0
    assert "Set the SECRET_KEY environment variable" in result.stderr


@pytest.mark.django_db(databases=["default"])
def test_sign_in_locks_out_after_the_configured_number_of_failures(client):
    UserFactory(username="fajar", password="right-password-1")
    login = reverse("login")

    failures = [
        client.post(login, {"username": "fajar", "password": f"wrong-{i}"}).status_code
        for i in range(settings.AXES_FAILURE_LIMIT)
    ]
    locked = client.post(login, {"username": "fajar", "password": "right-password-1"})

    assert failures == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db(databases=["default"])
def test_the_admin_sign_in_is_protected_too(client):
    UserFactory(username="gita", password="right-password-2", is_staff=True)

    statuses = [
        client.post("/admin/login/", {"username": "gita", "password": "nope"}).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]

    assert statuses[-1] == 429


def _production(extra: dict, *args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "jalin.example",
    }
    for name in ("PAYMENT_SIM_SECRET", "PAYMENT_SIMULATOR_ENABLED", "PAYMENT_GATEWAY", "MIDTRANS_SERVER_KEY"):
        env.pop(name, None)
    env.update(extra)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_production_has_no_simulated_gateway_by_default():
    probe = (
        "from django.conf import settings; from django.urls import NoReverseMatch, reverse;"
        "from marketplace import payments\n"
        "try: reverse('marketplace:gateway_sim_callback'); print('mounted')\n"
        "except NoReverseMatch: print('unmounted')\n"
        "try: payments.SimulatedGateway(); print('gateway')\n"
        "except Exception as e: print(type(e).__name__)\n"
        "print(repr(settings.PAYMENT_SIM_SECRET))"
    )

    result = _production({}, "shell", "-c", probe)

    assert result.stdout.splitlines()[-3:] == ["unmounted", "ImproperlyConfigured", "''"], result.stderr


def test_an_enabled_simulator_in_production_needs_its_own_secret():
    refused = _production({"PAYMENT_SIMULATOR_ENABLED": "true"}, "check")
    allowed = _production({"PAYMENT_SIMULATOR_ENABLED": "true", "PAYMENT_SIM_SECRET": secrets.token_hex(32)}, "check")

    assert refused.returncode != 0
    assert "Set the PAYMENT_SIM_SECRET environment variable" in refused.stderr
    assert allowed.returncode == 0, allowed.stderr


@pytest.mark.parametrize("secret", ["", "insecure-simulated-gateway-secret", "short", "x" * 31])
def test_an_enabled_simulator_outside_debug_refuses_an_empty_short_or_public_secret(settings, secret):
    settings.DEBUG, settings.PAYMENT_SIMULATOR_ENABLED, settings.PAYMENT_SIM_SECRET = False, True, secret

    assert [error.id for error in checks.payment_simulator_secret()] == ["marketplace.E001"]


def test_a_long_random_simulator_secret_passes_the_check(settings):
    settings.DEBUG, settings.PAYMENT_SIMULATOR_ENABLED, settings.PAYMENT_SIM_SECRET = False, True, "x" * 32
    settings.DISBURSEMENT_SIMULATOR_ENABLED, settings.DISBURSEMENT_SIM_SECRET = True, "y" * 32

    assert checks.payment_simulator_secret() == checks.disbursement_simulator_secret() == []


def test_the_production_wsgi_application_refuses_to_start_with_the_public_secret():
    probe = "import config.wsgi"
    refused = _production(
        {"PAYMENT_SIMULATOR_ENABLED": "true", "PAYMENT_SIM_SECRET": "insecure-simulated-gateway-secret"},
        "shell",
        "-c",
        probe,
    )

    assert refused.returncode != 0
    assert "marketplace.E001" in refused.stderr


@pytest.mark.django_db(databases=["default", "marketplace"])
def test_the_simulator_pages_are_refused_when_it_is_disabled(client, settings):
    settings.PAYMENT_SIMULATOR_ENABLED = False

    callback = client.post("/gateway/sim/callback/", b"{}", content_type="application/json")
    page = client.get("/gateway/sim/abc/")

    assert (callback.status_code, page.status_code) == (404, 404)


@pytest.mark.parametrize("secret", ["", "insecure-simulated-disbursement-secret", "short", "y" * 31])
def test_enabled_simulated_payouts_outside_debug_refuse_an_empty_short_or_public_secret(settings, secret):
    settings.DEBUG, settings.DISBURSEMENT_SIMULATOR_ENABLED, settings.DISBURSEMENT_SIM_SECRET = False, True, secret

    assert [error.id for error in checks.disbursement_simulator_secret()] == ["marketplace.E002"]


def test_production_refuses_to_start_enabled_simulated_payouts_without_their_secret():
    refused = _production({"DISBURSEMENT_SIMULATOR_ENABLED": "true"}, "check")

    assert refused.returncode != 0
    assert "Set the DISBURSEMENT_SIM_SECRET environment variable" in refused.stderr


def test_production_refuses_to_start_offering_online_payment_without_a_gateway():
    refused = _production({}, "check")
    with_midtrans = _production({"MIDTRANS_SERVER_KEY": "SB-Mid-server-" + secrets.token_hex(12)}, "check")
    cash_only = _production({"PAYMENT_ONLINE_ENABLED": "false"}, "check")

    assert refused.returncode != 0
    assert "marketplace.E003" in refused.stderr
    assert (with_midtrans.returncode, cash_only.returncode) == (0, 0), with_midtrans.stderr + cash_only.stderr


@pytest.mark.parametrize(
    ("debug", "online", "simulator", "server_key", "errors"),
    [
        (False, True, False, "", ["marketplace.E003"]),
        (False, True, False, "SB-Mid-server-key", []),
        (False, True, True, "", []),
        (False, False, False, "", []),
        (True, True, False, "", []),
    ],
)
def test_online_payment_outside_debug_needs_a_provider_or_the_simulator(
    settings, debug, online, simulator, server_key, errors
):
    settings.DEBUG, settings.PAYMENT_ONLINE_ENABLED, settings.PAYMENT_SIMULATOR_ENABLED = debug, online, simulator
    settings.MIDTRANS_SERVER_KEY = server_key
    settings.PAYMENT_GATEWAY = (
        "marketplace.providers.midtrans.MidtransGateway" if server_key else "marketplace.payments.SimulatedGateway"
    )

    assert [error.id for error in checks.online_payment_gateway()] == errors


def test_a_configured_but_keyless_midtrans_fails_the_check(settings):
    settings.DEBUG, settings.PAYMENT_ONLINE_ENABLED, settings.PAYMENT_SIMULATOR_ENABLED = False, True, True
    settings.PAYMENT_GATEWAY, settings.MIDTRANS_SERVER_KEY = "marketplace.providers.midtrans.MidtransGateway", ""

    assert [error.id for error in checks.online_payment_gateway()] == ["marketplace.E003"]
