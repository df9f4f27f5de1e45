"""Production settings pass Django's deployment checks; sign-in locks out after repeated failures."""

import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import UserFactory
from tests.integration.processes import ROOT


def test_check_deploy_reports_nothing_under_production_settings():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "jalin.example",
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
